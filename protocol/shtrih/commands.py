"""Registry of the Штрих-М command codecs: dispatch a body to its request or answer class.

This is the module the dialect imports. It re-exports the message classes of the
``commands_*`` modules and adds the dispatch functions. A body is the frame
content between LEN and LRC. See ``commands_base`` for its layout and for the
trailing-bytes policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..errors import DecodeError
from .commands_base import (
    MAX_BODY_SIZE,
    TEXT_MIN_SIZE,
    ErrorAnswer,
    Message,
    UnknownCommand,
    code_bytes,
    command_code,
    error_answer,
)
from .commands_fields import MAX_MONEY
from .commands_fn import (
    TLV_MAX_SIZE,
    FnDocument,
    FnPhase,
    FnStatusAnswer,
    FnStatusRequest,
    FnWarnings,
    SendTlvAnswer,
    SendTlvRequest,
)
from .commands_print import (
    BeepAnswer,
    BeepRequest,
    ContinuePrintingAnswer,
    ContinuePrintingRequest,
    CutAnswer,
    CutRequest,
    CutType,
    PrintFlags,
    PrintLineAnswer,
    PrintLineRequest,
)
from .commands_receipt import (
    CancelReceiptAnswer,
    CancelReceiptRequest,
    CloseReceiptAnswer,
    CloseReceiptRequest,
    OpenReceiptAnswer,
    OpenReceiptRequest,
    PurchaseAnswer,
    PurchaseRequest,
    PurchaseReturnAnswer,
    PurchaseReturnRequest,
    ReceiptType,
    SaleAnswer,
    SaleRequest,
    SaleReturnAnswer,
    SaleReturnRequest,
    SubtotalAnswer,
    SubtotalRequest,
)
from .commands_shift import (
    CashInAnswer,
    CashInRequest,
    CashOutAnswer,
    CashOutRequest,
    OpenShiftAnswer,
    OpenShiftRequest,
    XReportAnswer,
    XReportRequest,
    ZReportAnswer,
    ZReportRequest,
)
from .commands_status import (
    DeviceTypeAnswer,
    DeviceTypeRequest,
    KktFlags,
    LongStatusAnswer,
    LongStatusRequest,
    ShortStatusAnswer,
    ShortStatusRequest,
)

_PAIRS: tuple[tuple[type[Message], type[Message]], ...] = (
    (ShortStatusRequest, ShortStatusAnswer),
    (LongStatusRequest, LongStatusAnswer),
    (BeepRequest, BeepAnswer),
    (PrintLineRequest, PrintLineAnswer),
    (CutRequest, CutAnswer),
    (XReportRequest, XReportAnswer),
    (ZReportRequest, ZReportAnswer),
    (CashInRequest, CashInAnswer),
    (CashOutRequest, CashOutAnswer),
    (SaleRequest, SaleAnswer),
    (PurchaseRequest, PurchaseAnswer),
    (SaleReturnRequest, SaleReturnAnswer),
    (PurchaseReturnRequest, PurchaseReturnAnswer),
    (CloseReceiptRequest, CloseReceiptAnswer),
    (CancelReceiptRequest, CancelReceiptAnswer),
    (SubtotalRequest, SubtotalAnswer),
    (OpenReceiptRequest, OpenReceiptAnswer),
    (ContinuePrintingRequest, ContinuePrintingAnswer),
    (OpenShiftRequest, OpenShiftAnswer),
    (DeviceTypeRequest, DeviceTypeAnswer),
    (FnStatusRequest, FnStatusAnswer),
    (SendTlvRequest, SendTlvAnswer),
)

REQUEST_TYPES: Mapping[int, type[Message]] = MappingProxyType({request.CODE: request for request, _ in _PAIRS})
"""Request class by command code (0xFFxx for two-byte codes)."""

ANSWER_TYPES: Mapping[int, type[Message]] = MappingProxyType({answer.CODE: answer for _, answer in _PAIRS})
"""Answer class by command code (0xFFxx for two-byte codes)."""


def decode_request(body: bytes) -> Message:
    """Decode a request body into its request object.

    Raises UnknownCommand when no codec handles the code (the dialect replies 37h),
    and DecodeError when the body is empty or does not fit the command's layout.
    """
    code = command_code(body)
    request_type = REQUEST_TYPES.get(code)
    if request_type is None:
        raise UnknownCommand(code)
    return request_type.decode(body)


def decode_answer(body: bytes) -> Message | ErrorAnswer:
    """Decode an answer body: ErrorAnswer when it carries a non-zero error, else the answer object.

    Raises UnknownCommand for a code without a codec, and DecodeError for an
    empty body, a body that ends before the error byte, or a layout mismatch.
    """
    code = command_code(body)
    error_offset = len(code_bytes(code))
    if len(body) <= error_offset:
        raise DecodeError(f"answer to 0x{code:02X} ends before the error byte", error_offset)
    if body[error_offset] != 0:
        return ErrorAnswer.decode(body)
    answer_type = ANSWER_TYPES.get(code)
    if answer_type is None:
        raise UnknownCommand(code)
    return answer_type.decode(body)


__all__ = [
    "ANSWER_TYPES", "MAX_BODY_SIZE", "MAX_MONEY", "REQUEST_TYPES", "TEXT_MIN_SIZE", "TLV_MAX_SIZE",
    "ErrorAnswer", "Message", "UnknownCommand",
    "code_bytes", "command_code", "decode_answer", "decode_request", "error_answer",
    "BeepAnswer", "BeepRequest", "CancelReceiptAnswer", "CancelReceiptRequest", "CashInAnswer", "CashInRequest",
    "CashOutAnswer", "CashOutRequest", "CloseReceiptAnswer", "CloseReceiptRequest", "ContinuePrintingAnswer",
    "ContinuePrintingRequest", "CutAnswer", "CutRequest", "CutType", "DeviceTypeAnswer", "DeviceTypeRequest",
    "FnDocument", "FnPhase", "FnStatusAnswer", "FnStatusRequest", "FnWarnings", "KktFlags", "LongStatusAnswer",
    "LongStatusRequest", "OpenReceiptAnswer", "OpenReceiptRequest", "OpenShiftAnswer", "OpenShiftRequest",
    "PrintFlags", "PrintLineAnswer", "PrintLineRequest", "PurchaseAnswer", "PurchaseRequest",
    "PurchaseReturnAnswer", "PurchaseReturnRequest", "ReceiptType", "SaleAnswer", "SaleRequest",
    "SaleReturnAnswer", "SaleReturnRequest", "SendTlvAnswer", "SendTlvRequest", "ShortStatusAnswer",
    "ShortStatusRequest", "SubtotalAnswer", "SubtotalRequest", "XReportAnswer", "XReportRequest",
    "ZReportAnswer", "ZReportRequest",
]
