"""The register's side of the ФН interface: typed calls over ``execute(command, data)``.

A real register talks to its ФН over an internal UART with the commands of the
ФН interface description; kktemu's register does the same through any object
with ``execute(command: int, data: bytes) -> (result, data)``, usually a
``FiscalStorage``. A non-zero result becomes ``Refusal(FN_ERROR, fn_code=...)``
so the dialect can pass the ФН code on to the host.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from kktemu.protocol.ffd.tlv import iter_tlv, read_tlv
from kktemu.protocol.fn import archive, documents, exchange, service
from kktemu.protocol.fn.codes import FnCommand, FnResult, split_answer_code
from kktemu.protocol.fn.frame import MAX_DATA_SIZE

from .refusals import Reason, Refusal

logger = logging.getLogger(__name__)


class FnPort(Protocol):
    """What the register needs of a ФН: one command in, result code and data out."""

    def execute(self, command: int, data: bytes) -> tuple[int, bytes]: ...


def fn_moment(moment: dt.datetime) -> dt.datetime:
    """Truncate a time to the minute, the precision of the ФН interface's DATE_TIME."""
    return moment.replace(second=0, microsecond=0)


class FnClient:
    """Typed ФН interface commands. Every method raises Refusal when the ФН refuses."""

    def __init__(self, port: FnPort):
        self._port = port

    def call(self, command: FnCommand, data: bytes = b"") -> bytes:
        """Send one command and return the answer data of a successful result."""
        code, answer = self._port.execute(command, data)
        result, _warning = split_answer_code(code)
        if result != FnResult.OK:
            logger.info("ФН refused %s (%02Xh) with result %02Xh", command.name, command, result)
            raise Refusal(Reason.FN_ERROR, f"ФН command {command:02X}h", fn_code=result)
        return answer

    # Status and archive.

    def status(self) -> service.StatusAnswer:
        """30h: phase, open document, shift state, last document."""
        return service.StatusAnswer.decode(self.call(FnCommand.GET_STATUS))

    def serial(self) -> str:
        """31h: the 16-digit ФН number."""
        return service.SerialAnswer.decode(self.call(FnCommand.GET_SERIAL)).serial

    def version(self) -> service.VersionAnswer:
        """33h: the firmware version text and whether it is a release (serial) build."""
        return service.VersionAnswer.decode(self.call(FnCommand.GET_VERSION))

    def exchange_status(self) -> exchange.ExchangeStatusAnswer:
        """20h: the exchange status with the ОФД and the head of the message queue."""
        return exchange.ExchangeStatusAnswer.decode(self.call(FnCommand.GET_EXCHANGE_STATUS))

    def unconfirmed_count(self) -> int:
        """42h: the number of documents without an ОФД квитанция."""
        return archive.CountAnswer.decode(self.call(FnCommand.GET_UNCONFIRMED_COUNT)).count

    def fiscalization_result(self, report_number: int | None = None) -> archive.FiscalizationResultAnswer:
        """43h: the parameters of registration report ``report_number`` (1 is the registration),
        or of the last registration or re-registration when it is None."""
        request = archive.FiscalizationResultRequest(report_number).encode()
        return archive.FiscalizationResultAnswer.decode(self.call(FnCommand.GET_FISCALIZATION_RESULT, request))

    def fiscalization_parameter(self, tag: int, report_number: int | None = None) -> bytes:
        """44h: one TLV of registration report ``report_number`` (the last one when None), encoded whole.

        Tag FFFFh with a report number returns nothing and starts the stream that
        ``fiscalization_tlv`` reads.
        """
        request = archive.FiscalizationParameterRequest(tag, report_number).encode()
        return self.call(FnCommand.GET_FISCALIZATION_PARAMETER, request)

    def fiscalization_tlv(self) -> list[bytes]:
        """47h until 08h: every TLV of the registration report 44h with tag FFFFh chose, encoded whole."""
        items = []
        while True:
            code, data = self._port.execute(FnCommand.READ_FISCALIZATION_TLV, b"")
            result, _warning = split_answer_code(code)
            if result == FnResult.NO_DATA:
                return items
            if result != FnResult.OK:
                raise Refusal(Reason.FN_ERROR, "ФН command 47h", fn_code=result)
            items.append(data)

    def free_memory(self) -> service.FreeMemoryAnswer:
        """3Dh: documents that still fit the archive and free KB of the 30-day area."""
        return service.FreeMemoryAnswer.decode(self.call(FnCommand.GET_FREE_MEMORY))

    def shift_parameters(self) -> documents.ShiftParametersAnswer:
        """10h: whether a shift is open, its number and the receipts in it."""
        return documents.ShiftParametersAnswer.decode(self.call(FnCommand.GET_SHIFT_PARAMETERS))

    def expiry(self) -> service.ExpiryAnswer:
        """32h: validity date and the re-registrations left and done."""
        return service.ExpiryAnswer.decode(self.call(FnCommand.GET_EXPIRY))

    def find_document(self, fd_number: int) -> archive.FindDocumentAnswer:
        """40h: the type byte, квитанция flag and archive record of document ``fd_number``."""
        request = archive.FindDocumentRequest(fd_number).encode()
        return archive.FindDocumentAnswer.decode(self.call(FnCommand.FIND_DOCUMENT, request))

    def find_document_data(self, fd_number: int) -> bytes:
        """40h: the answer data undecoded, type byte, квитанция flag and archive record."""
        return self.call(FnCommand.FIND_DOCUMENT, archive.FindDocumentRequest(fd_number).encode())

    def ticket_data(self, fd_number: int) -> bytes:
        """41h: the ОФД квитанция of document ``fd_number`` as the ФН returns it."""
        return self.call(FnCommand.GET_OFD_TICKET, archive.TicketRequest(fd_number).encode())

    def document_tlv(self, fd_number: int) -> tuple[archive.DocumentTlvInfoAnswer, list[bytes]]:
        """45h, then 46h until 08h: the document's STLV type and length, and each 46h answer's TLV bytes."""
        request = archive.DocumentTlvRequest(fd_number).encode()
        info = archive.DocumentTlvInfoAnswer.decode(self.call(FnCommand.REQUEST_DOCUMENT_TLV, request))
        chunks = []
        while True:
            code, data = self._port.execute(FnCommand.READ_DOCUMENT_TLV, b"")
            result, _warning = split_answer_code(code)
            if result == FnResult.NO_DATA:
                return info, chunks
            if result != FnResult.OK:
                raise Refusal(Reason.FN_ERROR, "ФН command 46h", fn_code=result)
            chunks.append(data)

    def read_document(self, fd_number: int) -> tuple[int, list[tuple[int, bytes]]]:
        """45h, then 46h until 08h: the form code and top-level TLVs of a document."""
        info, chunks = self.document_tlv(fd_number)
        return info.document_type, [item for chunk in chunks for item in iter_tlv(chunk)]

    def reset_state(self, code: int) -> None:
        """60h with request ``code``: a debug ФН wipes its archive on 16h and returns to phase 1.

        A serial ФН, or a debug one given another code, answers 01h, which becomes the Refusal.
        """
        self.call(FnCommand.RESET_STATE, service.ResetStateRequest(code).encode())

    # Documents.

    def cancel_document(self) -> None:
        """06h: drop the open document and its data."""
        self.call(FnCommand.CANCEL_DOCUMENT)

    def send_data(self, tlv: bytes) -> None:
        """07h, as many times as needed: whole TLVs in chunks that fit one ФН frame."""
        offset = 0
        while offset < len(tlv):
            end = offset
            while end < len(tlv):
                item = read_tlv(tlv, end)
                if item is None:
                    raise ValueError("document data ends inside a TLV")
                if item[2] - offset > MAX_DATA_SIZE and end > offset:
                    break
                end = item[2]
            self.call(FnCommand.SEND_DOCUMENT_DATA, bytes(tlv[offset:end]))
            offset = end

    def register(self, moment: dt.datetime, tlv: bytes, inn: str, rnm: str, taxation: int,
                 work_mode: int) -> documents.FiscalDocumentAnswer:
        """02h, 07h, 03h: the registration report of a ФН in phase 1."""
        self.begin_registration(documents.RegistrationReportType.REGISTRATION)
        return self.form_registration(tlv, moment, inn, rnm, taxation, work_mode)

    def begin_registration(self, report_type: int) -> None:
        """02h: begin a registration (0) or re-registration report (1 with a new ФН, 2 without)."""
        self.call(FnCommand.BEGIN_REGISTRATION_REPORT, documents.BeginRegistrationRequest(report_type).encode())

    def form_registration(self, tlv: bytes, moment: dt.datetime, inn: str, rnm: str, taxation: int,
                          work_mode: int, reason: int | None = None) -> documents.FiscalDocumentAnswer:
        """07h, 03h: send the data of the report 02h began and form it (06h on a refusal).

        ``reason`` (код причины перерегистрации) goes with report type 2 only.
        """
        request = documents.FormRegistrationRequest(fn_moment(moment), inn, rnm, taxation, work_mode, reason)
        return self._finish(tlv, FnCommand.FORM_REGISTRATION_REPORT, request.encode(),
                            documents.FiscalDocumentAnswer)

    def begin_close_fiscal_mode(self) -> None:
        """04h: begin the report on closing the fiscal mode (form 6)."""
        self.call(FnCommand.BEGIN_CLOSE_FISCAL_MODE)

    def close_fiscal_mode(self, tlv: bytes, moment: dt.datetime, rnm: str) -> documents.FiscalDocumentAnswer:
        """07h, 05h: send the data of the report 04h began and close the fiscal mode (06h on a refusal)."""
        request = documents.CloseFiscalModeRequest(fn_moment(moment), rnm)
        return self._finish(tlv, FnCommand.CLOSE_FISCAL_MODE, request.encode(), documents.FiscalDocumentAnswer)

    def open_shift(self, moment: dt.datetime, tlv: bytes) -> documents.ShiftDocumentAnswer:
        """11h, 07h, 12h: the open shift report."""
        self.begin_open_shift(moment)
        return self.form_open_shift(tlv)

    def begin_open_shift(self, moment: dt.datetime) -> None:
        """11h: begin the open shift report dated ``moment``."""
        self.call(FnCommand.BEGIN_OPEN_SHIFT, documents.BeginOpenShiftRequest(fn_moment(moment)).encode())

    def form_open_shift(self, tlv: bytes) -> documents.ShiftDocumentAnswer:
        """07h, 12h: send the data of the open shift report begun with 11h and form it.

        On a refusal the ФН document is cancelled (06h), as for every document.
        """
        return self._finish(tlv, FnCommand.OPEN_SHIFT, b"", documents.ShiftDocumentAnswer)

    def close_shift(self, moment: dt.datetime, tlv: bytes) -> documents.ShiftDocumentAnswer:
        """13h, 07h, 14h: the close shift report."""
        self.begin_close_shift(moment)
        return self.form_close_shift(tlv)

    def begin_close_shift(self, moment: dt.datetime) -> None:
        """13h: begin the close shift report dated ``moment``."""
        self.call(FnCommand.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(fn_moment(moment)).encode())

    def form_close_shift(self, tlv: bytes) -> documents.ShiftDocumentAnswer:
        """07h, 14h: send the data of the close shift report begun with 13h and form it (06h on a refusal)."""
        return self._finish(tlv, FnCommand.CLOSE_SHIFT, b"", documents.ShiftDocumentAnswer)

    def begin_settlement_report(self, moment: dt.datetime) -> None:
        """18h: begin the report on the state of settlements (отчёт о текущем состоянии расчётов)."""
        request = documents.BeginSettlementReportRequest(fn_moment(moment)).encode()
        self.call(FnCommand.BEGIN_SETTLEMENT_REPORT, request)

    def form_settlement_report(self, tlv: bytes) -> documents.SettlementReportAnswer:
        """07h, 19h: send the data of the report begun with 18h and form it (06h on a refusal)."""
        return self._finish(tlv, FnCommand.FORM_SETTLEMENT_REPORT, b"", documents.SettlementReportAnswer)

    def begin_receipt(self, moment: dt.datetime) -> None:
        """15h: begin a receipt; the ФН checks the shift and the time here."""
        self.call(FnCommand.BEGIN_RECEIPT, documents.BeginReceiptRequest(fn_moment(moment)).encode())

    def form_receipt(self, moment: dt.datetime, tlv: bytes, operation: int,
                     total: int) -> documents.ReceiptAnswer:
        """07h, 16h: send the receipt data and form the receipt begun with 15h."""
        request = documents.FormReceiptRequest(fn_moment(moment), operation, total).encode()
        return self._finish(tlv, FnCommand.FORM_RECEIPT, request, documents.ReceiptAnswer)

    def _finish(self, tlv: bytes, command: FnCommand, request: bytes, answer_type):
        try:
            self.send_data(tlv)
            return answer_type.decode(self.call(command, request))
        except Refusal:
            self._cancel_quietly()
            raise

    def _cancel_quietly(self) -> None:
        code, _ = self._port.execute(FnCommand.CANCEL_DOCUMENT, b"")
        if split_answer_code(code)[0] != FnResult.OK:
            logger.info("ФН refused 06h after a failed document: %02Xh", code)
