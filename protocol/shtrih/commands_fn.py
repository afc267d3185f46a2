"""ФН commands of the register protocol: FF01h ФН status, FF0Ch send TLV.

Both take the system administrator password (30). Their codes go on the wire as
two bytes, ``FF 01`` and ``FF 0C``.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, ClassVar

import construct

from ..errors import EncodeError
from ..ffd.tlv import split_tlv
from .commands_base import PASSWORD, Message, Pair, PasswordRequest
from .commands_fields import FN_DATETIME, STRICT_BOOL, fixed_string

TLV_MAX_SIZE = 250
"""Largest TLV block FF0Ch may carry according to the spec.

A protocol v1 frame carries at most 249 bytes of TLV here, because the body
(``FF 0C``, password, TLV) must fit in 255 bytes.
"""


class FnPhase(enum.IntFlag):
    """Bits of the ФН life phase byte of FF01h."""

    CONFIGURED = 1 << 0
    FISCAL_MODE_OPEN = 1 << 1
    FISCAL_MODE_CLOSED = 1 << 2
    OFD_TRANSFER_DONE = 1 << 3


class FnDocument(enum.IntEnum):
    """The current-document byte of FF01h: which document the ФН has open."""

    NONE = 0x00
    REGISTRATION_REPORT = 0x01
    SHIFT_OPEN_REPORT = 0x02
    RECEIPT = 0x04
    SHIFT_CLOSE_REPORT = 0x08
    FISCAL_MODE_CLOSE_REPORT = 0x10
    BSO = 0x11
    REREGISTRATION_FN_REPLACED = 0x12
    REREGISTRATION_REPORT = 0x13
    CORRECTION_RECEIPT = 0x14
    CORRECTION_BSO = 0x15
    SETTLEMENT_STATE_REPORT = 0x17


class FnWarnings(enum.IntFlag):
    """Bits of the ФН warning byte of FF01h, as the ФН interface spec defines them."""

    URGENT_REPLACEMENT = 1 << 0
    RESOURCE_EXHAUSTION = 1 << 1
    MEMORY_90_PERCENT = 1 << 2
    OFD_TIMEOUT = 1 << 3
    CRITICAL_ERROR = 1 << 7


@dataclasses.dataclass(frozen=True)
class FnStatusRequest(PasswordRequest):
    """FF01h ФН status."""

    CODE: ClassVar[int] = 0xFF01


@dataclasses.dataclass(frozen=True)
class FnStatusAnswer(Message):
    """FF01h answer: 30 bytes after ``FF 01 00`` (LEN 33).

    ``phase`` contains ``FnPhase`` bits and ``current_document`` an ``FnDocument``
    value. ``document_datetime`` is the date and time the ФН reports, to the
    minute, or None when the ФН sends zeros. ``fn_number`` is the 16-character
    ФН serial and ``last_document_number`` the number of the last fiscal
    document. The two bools are sent as bytes 0 or 1, the only values
    pyshtrih 2.0.6 accepts.
    """

    CODE: ClassVar[int] = 0xFF01
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "phase" / construct.Int8ul,
        "current_document" / construct.Int8ul,
        "document_data_received" / STRICT_BOOL,
        "shift_open" / STRICT_BOOL,
        "warnings" / construct.Int8ul,
        "document_datetime" / FN_DATETIME,
        "fn_number" / fixed_string(16, "ascii"),
        "last_document_number" / construct.Int32ul,
    )

    phase: int
    current_document: int
    document_data_received: bool
    shift_open: bool
    warnings: int
    document_datetime: datetime.datetime | None
    fn_number: str
    last_document_number: int


@dataclasses.dataclass(frozen=True)
class SendTlvRequest(Message):
    """FF0Ch send a TLV block for the open document.

    ``tlv`` is the raw block as the client sent it: tag and length UInt16 LE,
    then the value, strings in CP866. ``decode`` does not check its structure or
    size, because the dialect reports those faults with error codes. ``encode``
    raises EncodeError above TLV_MAX_SIZE bytes.
    """

    CODE: ClassVar[int] = 0xFF0C
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD)

    password: int
    tlv: bytes

    def items(self) -> list[tuple[int, bytes]]:
        """Return the ``(tag, value)`` pairs of ``tlv``. Raises DecodeError when it ends inside a TLV."""
        return split_tlv(self.tlv)

    def _encode_tail(self) -> bytes:
        name = type(self).__name__
        if not isinstance(self.tlv, (bytes, bytearray)):
            raise EncodeError(f"{name}: tlv is {type(self.tlv).__name__}, expected bytes")
        if len(self.tlv) > TLV_MAX_SIZE:
            raise EncodeError(f"{name}: TLV block is {len(self.tlv)} bytes, the maximum is {TLV_MAX_SIZE}")
        return bytes(self.tlv)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        return {"tlv": tail}


@dataclasses.dataclass(frozen=True)
class SendTlvAnswer(Message):
    """FF0Ch answer: ``FF 0C 00``, no fields."""

    CODE: ClassVar[int] = 0xFF0C
    IS_ANSWER: ClassVar[bool] = True


PAIRS: tuple[Pair, ...] = (
    (FnStatusRequest, FnStatusAnswer),
    (SendTlvRequest, SendTlvAnswer),
)

__all__ = [
    "TLV_MAX_SIZE",
    "FnDocument", "FnPhase", "FnStatusAnswer", "FnStatusRequest", "FnWarnings", "SendTlvAnswer", "SendTlvRequest",
]
