"""ФН reading commands: identity, expiry, archive search, documents and parameters as TLV.

FF02h number, FF03h expiry, FF04h version, FF0Ah find a document, FF3Ah/FF3Bh read
a document as TLV, FF3Ch квитанция by document number, FF0Eh and FF60h a
registration parameter as TLV. All take the system administrator password.

Answer lengths (LEN, counting ``FF xx`` and the error byte):

- FF02h 19, FF03h 8 (6 in the spec's form), FF04h 20, FF3Ah 7.
- FF0Ah 5 + record, FF3Bh/FF3Ch/FF0Eh/FF60h 3 + data.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import construct

from ..errors import DecodeError
from .commands_base import (
    PASSWORD,
    BytesTailMessage,
    Message,
    Pair,
    PasswordRequest,
    construct_error_reason,
)
from .commands_fields import FN_DATE, FN_DATETIME, STRICT_BOOL, fixed_string

RecordT = TypeVar("RecordT")

_FD_NUMBER_REQUEST = construct.Struct("password" / PASSWORD, "fd_number" / construct.Int32ul)


@dataclasses.dataclass(frozen=True)
class FnNumberRequest(PasswordRequest):
    """FF02h ФН serial number."""

    CODE: ClassVar[int] = 0xFF02


@dataclasses.dataclass(frozen=True)
class FnNumberAnswer(Message):
    """FF02h answer: ``fn_number``, 16 ASCII characters (LEN 19)."""

    CODE: ClassVar[int] = 0xFF02
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("fn_number" / fixed_string(16, "ascii"))

    fn_number: str


@dataclasses.dataclass(frozen=True)
class FnExpiryRequest(PasswordRequest):
    """FF03h ФН expiry date."""

    CODE: ClassVar[int] = 0xFF03


@dataclasses.dataclass(frozen=True)
class FnExpiryAnswer(Message):
    """FF03h answer: ``expiry`` date (YY MM DD), then the registration counts (LEN 8).

    The v1.17 spec lists the date alone (LEN 6). pyshtrih 2.0.6 and javapos_shtrih
    (FSReadExpDate) also read ``registrations_left`` and ``registrations_done``,
    one byte each, as the ФН's own 32h answer carries them. Both are None in the
    spec's short form, and must be both set or both None.
    """

    CODE: ClassVar[int] = 0xFF03
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("expiry" / FN_DATE)

    expiry: datetime.date | None
    registrations_left: int | None = None
    registrations_done: int | None = None

    def _encode_tail(self) -> bytes:
        counts = (self.registrations_left, self.registrations_done)
        if counts == (None, None):
            return b""
        if None in counts:
            raise construct.ValidationError("registrations_left and registrations_done must be both set or both None")
        return construct.Int8ul.build(self.registrations_left) + construct.Int8ul.build(self.registrations_done)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) not in (0, 2):
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the date, expected 0 or 2", offset)
        if not tail:
            return {}
        return {"registrations_left": tail[0], "registrations_done": tail[1]}


@dataclasses.dataclass(frozen=True)
class FnVersionRequest(PasswordRequest):
    """FF04h ФН firmware version."""

    CODE: ClassVar[int] = 0xFF04


@dataclasses.dataclass(frozen=True)
class FnVersionAnswer(Message):
    """FF04h answer: ``version``, 16 ASCII characters, and ``software_type`` (0 debug, 1 serial), LEN 20."""

    CODE: ClassVar[int] = 0xFF04
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "version" / fixed_string(16, "ascii"),
        "software_type" / construct.Int8ul,
    )

    version: str
    software_type: int


@dataclasses.dataclass(frozen=True)
class RecordHeader:
    """The prefix every ФН archive record starts with, and the type-specific bytes after it.

    ``moment`` is the document's date and time to the minute, ``fd_number`` its
    number and ``fiscal_sign`` its ФПД. ``details`` contains the rest: for a receipt
    the operation type byte and the 5-byte total, for a shift report the shift
    number, for a registration ИНН, РНМ, tax systems and mode.
    """

    moment: datetime.datetime | None
    fd_number: int
    fiscal_sign: int
    details: bytes


_RECORD_HEADER = construct.Struct(
    "moment" / FN_DATETIME,
    "fd_number" / construct.Int32ul,
    "fiscal_sign" / construct.Int32ul,
)


@dataclasses.dataclass(frozen=True)
class FindDocumentRequest(Message):
    """FF0Ah find a fiscal document in the ФН archive by ``fd_number``, LEN 10."""

    CODE: ClassVar[int] = 0xFF0A
    LAYOUT: ClassVar[construct.Struct] = _FD_NUMBER_REQUEST

    password: int
    fd_number: int


@dataclasses.dataclass(frozen=True)
class FindDocumentAnswer(Message):
    """FF0Ah answer: ``document_type``, ``ticket_received`` and the ФН's archive ``record`` (LEN 5 + record).

    ``document_type`` is the ФН archive type byte (1 registration, 2 shift open,
    3 receipt, 5 shift close, 11 re-registration...). ``record`` contains the
    bytes of the ФН interface 40h answer after those two bytes, kept raw.
    ``header()`` splits off the common prefix, and ``decode_record`` hands the
    record to a full decoder such as ``kktemu.protocol.fn.records``.
    """

    CODE: ClassVar[int] = 0xFF0A
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "document_type" / construct.Int8ul,
        "ticket_received" / STRICT_BOOL,
    )

    document_type: int
    ticket_received: bool
    record: bytes

    def header(self) -> RecordHeader:
        """Parse the 13-byte record prefix. Raises DecodeError when the record is shorter or its date invalid."""
        size = _RECORD_HEADER.sizeof()
        if len(self.record) < size:
            raise DecodeError(f"FF0Ah record is {len(self.record)} bytes, expected at least {size}")
        try:
            parsed = _RECORD_HEADER.parse(self.record[:size])
        except construct.ConstructError as exc:
            raise DecodeError(f"FF0Ah record: {construct_error_reason(exc)}") from exc
        return RecordHeader(parsed.moment, parsed.fd_number, parsed.fiscal_sign, self.record[size:])

    def decode_record(self, decoder: Callable[[int, bytes], RecordT]) -> RecordT:
        """Return ``decoder(document_type, record)``; errors are whatever ``decoder`` raises."""
        return decoder(self.document_type, self.record)

    def _encode_tail(self) -> bytes:
        if not isinstance(self.record, (bytes, bytearray)):
            raise construct.ValidationError(f"record is {type(self.record).__name__}, expected bytes")
        return bytes(self.record)

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        return {"record": tail}


@dataclasses.dataclass(frozen=True)
class DocumentTlvRequest(Message):
    """FF3Ah start reading fiscal document ``fd_number`` as TLV, LEN 10."""

    CODE: ClassVar[int] = 0xFF3A
    LAYOUT: ClassVar[construct.Struct] = _FD_NUMBER_REQUEST

    password: int
    fd_number: int


@dataclasses.dataclass(frozen=True)
class DocumentTlvAnswer(Message):
    """FF3Ah answer: ``document_type``, the form's STLV tag (e.g. 3 for a receipt), and ``length`` (LEN 7).

    ``length`` is the total size of the document's TLV data that the following
    FF3Bh commands return.
    """

    CODE: ClassVar[int] = 0xFF3A
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "document_type" / construct.Int16ul,
        "length" / construct.Int16ul,
    )

    document_type: int
    length: int


@dataclasses.dataclass(frozen=True)
class ReadTlvRequest(PasswordRequest):
    """FF3Bh read the next TLV of the document that FF3Ah selected."""

    CODE: ClassVar[int] = 0xFF3B


@dataclasses.dataclass(frozen=True)
class ReadTlvAnswer(BytesTailMessage):
    """FF3Bh answer: ``data``, raw TLV bytes (LEN 3 + N).

    A real register returns one whole top-level TLV per answer, as published
    fr_drv_ng captures show. Clients read until error 08h ("no requested data").
    """

    CODE: ClassVar[int] = 0xFF3B
    IS_ANSWER: ClassVar[bool] = True

    data: bytes


@dataclasses.dataclass(frozen=True)
class TicketRequest(Message):
    """FF3Ch the ОФД квитанция of fiscal document ``fd_number``, LEN 10."""

    CODE: ClassVar[int] = 0xFF3C
    LAYOUT: ClassVar[construct.Struct] = _FD_NUMBER_REQUEST

    password: int
    fd_number: int


@dataclasses.dataclass(frozen=True)
class TicketAnswer(BytesTailMessage):
    """FF3Ch answer: ``data``, the квитанция as the ФН returns it (LEN 3 + N).

    The ФН interface 41h answer is DATE_TIME, the 18-byte ОФД sign and the ФД
    number, and the register passes it on unchanged.
    """

    CODE: ClassVar[int] = 0xFF3C
    IS_ANSWER: ClassVar[bool] = True

    data: bytes


_PARAMETER_REQUEST = construct.Struct(
    "password" / PASSWORD,
    "report_number" / construct.Int8ul,
    "tag" / construct.Int16ul,
)


@dataclasses.dataclass(frozen=True)
class RegistrationTagRequest(Message):
    """FF0Eh a TLV of registration report ``report_number``, LEN 9.

    ``tag`` is the реквизит number. With tag FFFFh the register returns no data
    and the whole report is read with FF3Bh.
    """

    CODE: ClassVar[int] = 0xFF0E
    LAYOUT: ClassVar[construct.Struct] = _PARAMETER_REQUEST

    password: int
    report_number: int
    tag: int


@dataclasses.dataclass(frozen=True)
class RegistrationTagAnswer(BytesTailMessage):
    """FF0Eh answer: ``data``, the TLV as the ФН returns it (LEN 3 + N)."""

    CODE: ClassVar[int] = 0xFF0E
    IS_ANSWER: ClassVar[bool] = True

    data: bytes


@dataclasses.dataclass(frozen=True)
class FiscalizationTagRequest(Message):
    """FF60h a TLV of registration ``report_number`` (0 for the last one), LEN 9."""

    CODE: ClassVar[int] = 0xFF60
    LAYOUT: ClassVar[construct.Struct] = _PARAMETER_REQUEST

    password: int
    report_number: int
    tag: int


@dataclasses.dataclass(frozen=True)
class FiscalizationTagAnswer(BytesTailMessage):
    """FF60h answer: ``data``, the TLV as the ФН returns it (LEN 3 + N)."""

    CODE: ClassVar[int] = 0xFF60
    IS_ANSWER: ClassVar[bool] = True

    data: bytes


PAIRS: tuple[Pair, ...] = (
    (FnNumberRequest, FnNumberAnswer),
    (FnExpiryRequest, FnExpiryAnswer),
    (FnVersionRequest, FnVersionAnswer),
    (FindDocumentRequest, FindDocumentAnswer),
    (DocumentTlvRequest, DocumentTlvAnswer),
    (ReadTlvRequest, ReadTlvAnswer),
    (TicketRequest, TicketAnswer),
    (RegistrationTagRequest, RegistrationTagAnswer),
    (FiscalizationTagRequest, FiscalizationTagAnswer),
)

__all__ = [
    "DocumentTlvAnswer", "DocumentTlvRequest", "FindDocumentAnswer", "FindDocumentRequest", "FiscalizationTagAnswer",
    "FiscalizationTagRequest", "FnExpiryAnswer", "FnExpiryRequest", "FnNumberAnswer", "FnNumberRequest",
    "FnVersionAnswer", "FnVersionRequest", "ReadTlvAnswer", "ReadTlvRequest", "RecordHeader",
    "RegistrationTagAnswer", "RegistrationTagRequest", "TicketAnswer", "TicketRequest",
]
