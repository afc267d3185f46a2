"""Requests and answers of the document commands 02h..19h.

Every document follows one cycle: a «Начать ...» command, any number of 07h
with whole TLVs, then a «Сформировать ...» command that returns the ФД number
and fiscal sign; 06h cancels the open document.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import IntEnum

from ..errors import DecodeError, EncodeError
from ..ffd.tlv import iter_tlv
from .fields import FieldReader, encode_ascii, encode_date_or_none, encode_date_time, encode_uint
from .message import decode_flag, encode_byte

INN_SIZE = 12
RNM_SIZE = 20
TOTAL_SIZE = 5  # Uint40 LE, kopecks


class RegistrationReportType(IntEnum):
    """Parameter of 02h: which registration report is begun."""

    REGISTRATION = 0
    REREGISTRATION_NEW_FN = 1
    REREGISTRATION = 2


class OperationType(IntEnum):
    """Признак расчёта (тег 1054), also the operation byte of 16h."""

    INCOME = 1
    INCOME_RETURN = 2
    EXPENSE = 3
    EXPENSE_RETURN = 4


@dataclass(frozen=True)
class BeginRegistrationRequest:
    """02h: begin a registration or re-registration report.

    The interface allows the parameter to be absent, meaning 00h; ``decode``
    accepts that and ``encode`` always writes the byte.
    """

    report_type: int = RegistrationReportType.REGISTRATION

    def encode(self) -> bytes:
        """Encode the report type byte."""
        return encode_byte(self.report_type, "report type")

    @classmethod
    def decode(cls, data: bytes) -> BeginRegistrationRequest:
        """Decode an empty body or one report type byte."""
        reader = FieldReader(data, "02h request")
        report_type = reader.uint(1, "report type") if reader.remaining else RegistrationReportType.REGISTRATION
        reader.finish()
        return cls(report_type)


@dataclass(frozen=True)
class FormRegistrationRequest:
    """03h: form the registration report.

    ``inn`` and ``rnm`` are the text without its space padding. ``reason`` (код
    причины перерегистрации) is present only for a re-registration without a
    new ФН (02h type 2): the body is then 40 bytes instead of 39.
    """

    moment: _dt.datetime
    inn: str
    rnm: str
    taxation: int
    work_mode: int
    reason: int | None = None

    def encode(self) -> bytes:
        """Encode DATE_TIME, ИНН ASCII12, РНМ ASCII20, СНО, режим [, причина]."""
        body = (
            encode_date_time(self.moment)
            + encode_ascii(self.inn, INN_SIZE)
            + encode_ascii(self.rnm, RNM_SIZE)
            + encode_byte(self.taxation, "taxation")
            + encode_byte(self.work_mode, "work mode")
        )
        if self.reason is not None:
            body += encode_byte(self.reason, "re-registration reason")
        return body

    @classmethod
    def decode(cls, data: bytes) -> FormRegistrationRequest:
        """Decode a 39- or 40-byte body."""
        reader = FieldReader(data, "03h request")
        moment = reader.date_time("date and time")
        inn = reader.ascii(INN_SIZE, "ИНН")
        rnm = reader.ascii(RNM_SIZE, "РНМ")
        taxation = reader.uint(1, "taxation")
        work_mode = reader.uint(1, "work mode")
        reason = reader.uint(1, "re-registration reason") if reader.remaining else None
        reader.finish()
        return cls(moment, inn, rnm, taxation, work_mode, reason)


@dataclass(frozen=True)
class FiscalDocumentAnswer:
    """Answer of 03h and 05h: number of the formed document and its fiscal sign."""

    fd_number: int
    fiscal_sign: int

    def encode(self) -> bytes:
        """Encode ФД number (UInt32 LE) and ФП (UInt32 LE)."""
        return encode_uint(self.fd_number, 4, "ФД number") + encode_uint(self.fiscal_sign, 4, "fiscal sign")

    @classmethod
    def decode(cls, data: bytes) -> FiscalDocumentAnswer:
        """Decode the 8-byte answer."""
        reader = FieldReader(data, "fiscal document answer")
        result = cls(reader.uint(4, "ФД number"), reader.uint(4, "fiscal sign"))
        reader.finish()
        return result


@dataclass(frozen=True)
class CloseFiscalModeRequest:
    """05h: close the fiscal mode, giving the time and the РНМ (without padding)."""

    moment: _dt.datetime
    rnm: str

    def encode(self) -> bytes:
        """Encode DATE_TIME and РНМ ASCII20."""
        return encode_date_time(self.moment) + encode_ascii(self.rnm, RNM_SIZE)

    @classmethod
    def decode(cls, data: bytes) -> CloseFiscalModeRequest:
        """Decode the 25-byte body."""
        reader = FieldReader(data, "05h request")
        result = cls(reader.date_time("date and time"), reader.ascii(RNM_SIZE, "РНМ"))
        reader.finish()
        return result


@dataclass(frozen=True)
class DocumentDataRequest:
    """07h: a chunk of document data, a sequence of whole top-level TLVs.

    ``decode`` checks the TLV framing only (each length matches the bytes that
    follow), as the ФН does; an empty chunk is a valid empty sequence.
    """

    tlv: bytes

    def encode(self) -> bytes:
        """Return the TLV bytes; raises EncodeError when they are not whole TLVs."""
        try:
            _check_whole_tlvs(self.tlv)
        except DecodeError as exc:
            raise EncodeError(f"07h data must be whole TLVs: {exc}") from None
        return bytes(self.tlv)

    @classmethod
    def decode(cls, data: bytes) -> DocumentDataRequest:
        """Wrap the body after checking it splits into whole TLVs."""
        _check_whole_tlvs(data)
        return cls(bytes(data))


def _check_whole_tlvs(data: bytes) -> None:
    for _ in iter_tlv(data):
        pass


@dataclass(frozen=True)
class ShiftParametersAnswer:
    """10h: shift state, shift number and receipt number.

    With the shift closed, ``shift_number`` is the last closed shift and
    ``receipt_number`` the number of receipts in it.
    """

    is_open: bool
    shift_number: int
    receipt_number: int

    def encode(self) -> bytes:
        """Encode state byte, shift number UInt16 LE, receipt number UInt16 LE."""
        return (
            encode_byte(int(self.is_open), "shift state")
            + encode_uint(self.shift_number, 2, "shift number")
            + encode_uint(self.receipt_number, 2, "receipt number")
        )

    @classmethod
    def decode(cls, data: bytes) -> ShiftParametersAnswer:
        """Decode the 5-byte answer."""
        reader = FieldReader(data, "10h answer")
        result = cls(
            decode_flag(reader.uint(1, "shift state"), "shift state"),
            reader.uint(2, "shift number"),
            reader.uint(2, "receipt number"),
        )
        reader.finish()
        return result


@dataclass(frozen=True)
class DateTimeRequest:
    """Body made of one DATE_TIME: 11h, 13h, 15h, 17h, 18h and 3Bh."""

    moment: _dt.datetime

    def encode(self) -> bytes:
        """Encode the DATE_TIME."""
        return encode_date_time(self.moment)

    @classmethod
    def decode(cls, data: bytes) -> DateTimeRequest:
        """Decode the 5-byte body."""
        reader = FieldReader(data, cls.__name__)
        result = cls(reader.date_time("date and time"))
        reader.finish()
        return result


class BeginOpenShiftRequest(DateTimeRequest):
    """11h: begin the open shift report at the given time."""


class BeginCloseShiftRequest(DateTimeRequest):
    """13h: begin the close shift report at the given time."""


class BeginReceiptRequest(DateTimeRequest):
    """15h: begin a receipt (or БСО) at the given time."""


class BeginCorrectionReceiptRequest(DateTimeRequest):
    """17h: begin a correction receipt (or БСО коррекции) at the given time."""


class BeginSettlementReportRequest(DateTimeRequest):
    """18h: begin the report on the state of settlements at the given time."""


@dataclass(frozen=True)
class ShiftDocumentAnswer:
    """12h and 14h: shift number, ФД number and fiscal sign of the shift report."""

    shift_number: int
    fd_number: int
    fiscal_sign: int

    def encode(self) -> bytes:
        """Encode shift number UInt16 LE, ФД UInt32 LE, ФП UInt32 LE."""
        return (
            encode_uint(self.shift_number, 2, "shift number")
            + encode_uint(self.fd_number, 4, "ФД number")
            + encode_uint(self.fiscal_sign, 4, "fiscal sign")
        )

    @classmethod
    def decode(cls, data: bytes) -> ShiftDocumentAnswer:
        """Decode the 10-byte answer."""
        reader = FieldReader(data, "shift document answer")
        result = cls(reader.uint(2, "shift number"), reader.uint(4, "ФД number"), reader.uint(4, "fiscal sign"))
        reader.finish()
        return result


@dataclass(frozen=True)
class FormReceiptRequest:
    """16h: form the open receipt with the printed time, operation type and total in kopecks."""

    moment: _dt.datetime
    operation: int
    total: int

    def encode(self) -> bytes:
        """Encode DATE_TIME, operation byte, total Uint40 LE."""
        return (
            encode_date_time(self.moment)
            + encode_byte(self.operation, "operation type")
            + encode_uint(self.total, TOTAL_SIZE, "receipt total")
        )

    @classmethod
    def decode(cls, data: bytes) -> FormReceiptRequest:
        """Decode the 11-byte body."""
        reader = FieldReader(data, "16h request")
        result = cls(reader.date_time("date and time"), reader.uint(1, "operation type"), reader.uint(5, "total"))
        reader.finish()
        return result


@dataclass(frozen=True)
class ReceiptAnswer:
    """16h answer: receipt number in the shift, ФД number and fiscal sign."""

    receipt_number: int
    fd_number: int
    fiscal_sign: int

    def encode(self) -> bytes:
        """Encode receipt number UInt16 LE, ФД UInt32 LE, ФП UInt32 LE."""
        return (
            encode_uint(self.receipt_number, 2, "receipt number")
            + encode_uint(self.fd_number, 4, "ФД number")
            + encode_uint(self.fiscal_sign, 4, "fiscal sign")
        )

    @classmethod
    def decode(cls, data: bytes) -> ReceiptAnswer:
        """Decode the 10-byte answer."""
        reader = FieldReader(data, "16h answer")
        result = cls(reader.uint(2, "receipt number"), reader.uint(4, "ФД number"), reader.uint(4, "fiscal sign"))
        reader.finish()
        return result


@dataclass(frozen=True)
class SettlementReportAnswer:
    """19h answer: ФД number, fiscal sign, count of unconfirmed documents, date of the first.

    ``first_unconfirmed`` is None (three zero bytes) when every document is confirmed.
    """

    fd_number: int
    fiscal_sign: int
    unconfirmed_count: int
    first_unconfirmed: _dt.date | None

    def encode(self) -> bytes:
        """Encode ФД, ФП, count (all UInt32 LE) and DATE."""
        return (
            encode_uint(self.fd_number, 4, "ФД number")
            + encode_uint(self.fiscal_sign, 4, "fiscal sign")
            + encode_uint(self.unconfirmed_count, 4, "unconfirmed count")
            + encode_date_or_none(self.first_unconfirmed)
        )

    @classmethod
    def decode(cls, data: bytes) -> SettlementReportAnswer:
        """Decode the 15-byte answer."""
        reader = FieldReader(data, "19h answer")
        result = cls(
            reader.uint(4, "ФД number"),
            reader.uint(4, "fiscal sign"),
            reader.uint(4, "unconfirmed count"),
            reader.date_or_none("first unconfirmed date"),
        )
        reader.finish()
        return result

