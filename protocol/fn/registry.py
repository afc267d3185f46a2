"""Which request and answer class belongs to each ФН command.

``decode_request`` is what a ФН does with an incoming frame; ``decode_answer``
is what a ККТ does with the data of a successful (00h) answer. Answers with any
other result carry no data, except 26h with 20h (the reject reason byte).
"""

from __future__ import annotations

from ..errors import DecodeError
from .archive import (
    CountAnswer,
    DocumentTlvInfoAnswer,
    DocumentTlvRequest,
    FindDocumentAnswer,
    FindDocumentRequest,
    FiscalizationParameterRequest,
    FiscalizationResultAnswer,
    FiscalizationResultRequest,
    TicketAnswer,
    TicketRequest,
    TlvAnswer,
)
from .codes import FnCommand
from .documents import (
    BeginCloseShiftRequest,
    BeginCorrectionReceiptRequest,
    BeginOpenShiftRequest,
    BeginReceiptRequest,
    BeginRegistrationRequest,
    BeginSettlementReportRequest,
    CloseFiscalModeRequest,
    DateTimeRequest,
    DocumentDataRequest,
    FiscalDocumentAnswer,
    FormReceiptRequest,
    FormRegistrationRequest,
    ReceiptAnswer,
    SettlementReportAnswer,
    ShiftDocumentAnswer,
    ShiftParametersAnswer,
)
from .exchange import (
    ExchangeStatusAnswer,
    OfdMessageLengthAnswer,
    OfdTicketAnswer,
    ReadOfdBlockRequest,
    TransportStatusRequest,
)
from .message import NoData, RawData
from .service import (
    DaysLeftAnswer,
    ExpiryAnswer,
    FfdVersionAnswer,
    FreeMemoryAnswer,
    ResetStateRequest,
    SerialAnswer,
    StatusAnswer,
    VersionAnswer,
)

C = FnCommand

REQUEST_TYPES: dict[FnCommand, type] = {
    C.BEGIN_REGISTRATION_REPORT: BeginRegistrationRequest,
    C.FORM_REGISTRATION_REPORT: FormRegistrationRequest,
    C.BEGIN_CLOSE_FISCAL_MODE: NoData,
    C.CLOSE_FISCAL_MODE: CloseFiscalModeRequest,
    C.CANCEL_DOCUMENT: NoData,
    C.SEND_DOCUMENT_DATA: DocumentDataRequest,
    C.GET_SHIFT_PARAMETERS: NoData,
    C.BEGIN_OPEN_SHIFT: BeginOpenShiftRequest,
    C.OPEN_SHIFT: NoData,
    C.BEGIN_CLOSE_SHIFT: BeginCloseShiftRequest,
    C.CLOSE_SHIFT: NoData,
    C.BEGIN_RECEIPT: BeginReceiptRequest,
    C.FORM_RECEIPT: FormReceiptRequest,
    C.BEGIN_CORRECTION_RECEIPT: BeginCorrectionReceiptRequest,
    C.BEGIN_SETTLEMENT_REPORT: BeginSettlementReportRequest,
    C.FORM_SETTLEMENT_REPORT: NoData,
    C.GET_EXCHANGE_STATUS: NoData,
    C.SET_TRANSPORT_STATUS: TransportStatusRequest,
    C.BEGIN_OFD_MESSAGE_READ: NoData,
    C.READ_OFD_MESSAGE_BLOCK: ReadOfdBlockRequest,
    C.CANCEL_OFD_MESSAGE_READ: NoData,
    C.FINISH_OFD_MESSAGE_READ: NoData,
    C.SEND_OFD_TICKET: RawData,
    C.GET_STATUS: NoData,
    C.GET_SERIAL: NoData,
    C.GET_EXPIRY: NoData,
    C.GET_VERSION: NoData,
    C.GET_LAST_ERRORS: NoData,
    C.GET_FFD_VERSION: NoData,
    C.GET_DAYS_LEFT: DateTimeRequest,
    C.GET_FREE_MEMORY: NoData,
    C.FIND_DOCUMENT: FindDocumentRequest,
    C.GET_OFD_TICKET: TicketRequest,
    C.GET_UNCONFIRMED_COUNT: NoData,
    C.GET_FISCALIZATION_RESULT: FiscalizationResultRequest,
    C.GET_FISCALIZATION_PARAMETER: FiscalizationParameterRequest,
    C.REQUEST_DOCUMENT_TLV: DocumentTlvRequest,
    C.READ_DOCUMENT_TLV: NoData,
    C.READ_FISCALIZATION_TLV: NoData,
    C.RESET_STATE: ResetStateRequest,
}

ANSWER_TYPES: dict[FnCommand, type] = {
    C.BEGIN_REGISTRATION_REPORT: NoData,
    C.FORM_REGISTRATION_REPORT: FiscalDocumentAnswer,
    C.BEGIN_CLOSE_FISCAL_MODE: NoData,
    C.CLOSE_FISCAL_MODE: FiscalDocumentAnswer,
    C.CANCEL_DOCUMENT: NoData,
    C.SEND_DOCUMENT_DATA: NoData,
    C.GET_SHIFT_PARAMETERS: ShiftParametersAnswer,
    C.BEGIN_OPEN_SHIFT: NoData,
    C.OPEN_SHIFT: ShiftDocumentAnswer,
    C.BEGIN_CLOSE_SHIFT: NoData,
    C.CLOSE_SHIFT: ShiftDocumentAnswer,
    C.BEGIN_RECEIPT: NoData,
    C.FORM_RECEIPT: ReceiptAnswer,
    C.BEGIN_CORRECTION_RECEIPT: NoData,
    C.BEGIN_SETTLEMENT_REPORT: NoData,
    C.FORM_SETTLEMENT_REPORT: SettlementReportAnswer,
    C.GET_EXCHANGE_STATUS: ExchangeStatusAnswer,
    C.SET_TRANSPORT_STATUS: NoData,
    C.BEGIN_OFD_MESSAGE_READ: OfdMessageLengthAnswer,
    C.READ_OFD_MESSAGE_BLOCK: RawData,
    C.CANCEL_OFD_MESSAGE_READ: NoData,
    C.FINISH_OFD_MESSAGE_READ: NoData,
    C.SEND_OFD_TICKET: OfdTicketAnswer,
    C.GET_STATUS: StatusAnswer,
    C.GET_SERIAL: SerialAnswer,
    C.GET_EXPIRY: ExpiryAnswer,
    C.GET_VERSION: VersionAnswer,
    C.GET_LAST_ERRORS: RawData,
    C.GET_FFD_VERSION: FfdVersionAnswer,
    C.GET_DAYS_LEFT: DaysLeftAnswer,
    C.GET_FREE_MEMORY: FreeMemoryAnswer,
    C.FIND_DOCUMENT: FindDocumentAnswer,
    C.GET_OFD_TICKET: TicketAnswer,
    C.GET_UNCONFIRMED_COUNT: CountAnswer,
    C.GET_FISCALIZATION_RESULT: FiscalizationResultAnswer,
    C.GET_FISCALIZATION_PARAMETER: TlvAnswer,
    C.REQUEST_DOCUMENT_TLV: DocumentTlvInfoAnswer,
    C.READ_DOCUMENT_TLV: TlvAnswer,
    C.READ_FISCALIZATION_TLV: TlvAnswer,
    C.RESET_STATE: NoData,
}


def decode_request(command: int, data: bytes):
    """Decode the data of a request for ``command`` into its request object.

    Raises DecodeError for an unknown command code or data that do not follow
    the command's layout (both are answered 01h by a ФН).
    """
    try:
        request_type = REQUEST_TYPES[FnCommand(command)]
    except ValueError:
        raise DecodeError(f"unknown ФН command {command:02X}h") from None
    return request_type.decode(data)


def decode_answer(command: int, data: bytes):
    """Decode the data of a successful (00h) answer to ``command``.

    Raises DecodeError for an unknown command code or data that do not follow
    the answer's layout.
    """
    try:
        answer_type = ANSWER_TYPES[FnCommand(command)]
    except ValueError:
        raise DecodeError(f"unknown ФН command {command:02X}h") from None
    return answer_type.decode(data)
