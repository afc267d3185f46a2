"""Requests and answers of the archive commands 40h..47h.

A 40h answer is the document type byte, the «квитанция получена» byte and one
of the fixed records of ``records``, chosen by the type byte.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import ClassVar

from ..errors import DecodeError, EncodeError
from ..ffd.tlv import encode_tlv, read_tlv
from .documents import INN_SIZE, RNM_SIZE
from .fields import FieldReader, encode_ascii, encode_date_time, encode_uint
from .message import decode_flag, encode_byte
from .records import ArchiveRecord, record_class_for

TICKET_SIGN_SIZE = 18


@dataclass(frozen=True)
class FdNumberRequest:
    """Body made of one ФД number, UInt32 LE: 40h, 41h and 45h."""

    fd_number: int

    def encode(self) -> bytes:
        """Encode the ФД number."""
        return encode_uint(self.fd_number, 4, "ФД number")

    @classmethod
    def decode(cls, data: bytes) -> FdNumberRequest:
        """Decode the 4-byte body."""
        reader = FieldReader(data, cls.__name__)
        result = cls(reader.uint(4, "ФД number"))
        reader.finish()
        return result


class FindDocumentRequest(FdNumberRequest):
    """40h: find a fiscal document by number."""


class TicketRequest(FdNumberRequest):
    """41h: the ОФД квитанция for a document."""


class DocumentTlvRequest(FdNumberRequest):
    """45h: start reading a document as TLV."""


@dataclass(frozen=True)
class FindDocumentAnswer:
    """40h answer: type byte, квитанция flag and the fixed record of the document."""

    document_type: int
    ticket_received: bool
    record: ArchiveRecord

    def encode(self) -> bytes:
        """Encode type, flag and record."""
        return (
            encode_byte(self.document_type, "document type")
            + encode_byte(int(self.ticket_received), "ticket flag")
            + self.record.encode()
        )

    @classmethod
    def decode(cls, data: bytes) -> FindDocumentAnswer:
        """Decode the answer, choosing the record layout by the type byte."""
        reader = FieldReader(data, "40h answer")
        document_type = reader.uint(1, "document type")
        ticket = decode_flag(reader.uint(1, "ticket flag"), "ticket flag")
        try:
            record = record_class_for(document_type).decode(reader.rest())
        except DecodeError as exc:
            raise DecodeError(f"40h answer: {exc}", 2 + (exc.offset or 0)) from None
        return cls(document_type, ticket, record)


@dataclass(frozen=True)
class TicketAnswer:
    """41h answer: when the квитанция came, the ОФД fiscal sign (18 bytes), the ФД number."""

    moment: _dt.datetime
    ofd_sign: bytes
    fd_number: int

    def encode(self) -> bytes:
        """Encode DATE_TIME, the 18 sign bytes and the ФД number."""
        if len(self.ofd_sign) != TICKET_SIGN_SIZE:
            raise EncodeError(f"ОФД fiscal sign is {TICKET_SIGN_SIZE} bytes, got {len(self.ofd_sign)}")
        return encode_date_time(self.moment) + bytes(self.ofd_sign) + encode_uint(self.fd_number, 4, "ФД number")

    @classmethod
    def decode(cls, data: bytes) -> TicketAnswer:
        """Decode the 27-byte answer."""
        reader = FieldReader(data, "41h answer")
        result = cls(reader.date_time("date and time"), reader.take(TICKET_SIGN_SIZE, "ОФД sign"), reader.uint(4, "ФД number"))
        reader.finish()
        return result


@dataclass(frozen=True)
class CountAnswer:
    """42h answer: number of documents without a квитанция, UInt16 LE."""

    count: int

    def encode(self) -> bytes:
        """Encode the count."""
        return encode_uint(self.count, 2, "count")

    @classmethod
    def decode(cls, data: bytes) -> CountAnswer:
        """Decode the 2-byte answer."""
        reader = FieldReader(data, "42h answer")
        result = cls(reader.uint(2, "count"))
        reader.finish()
        return result


@dataclass(frozen=True)
class FiscalizationResultRequest:
    """43h: the last registration (empty body) or registration number N (variant 2, one byte)."""

    report_number: int | None = None

    def encode(self) -> bytes:
        """Encode nothing or the report number byte."""
        return b"" if self.report_number is None else encode_byte(self.report_number, "report number")

    @classmethod
    def decode(cls, data: bytes) -> FiscalizationResultRequest:
        """Decode an empty or 1-byte body."""
        reader = FieldReader(data, "43h request")
        number = reader.uint(1, "report number") if reader.remaining else None
        reader.finish()
        return cls(number)


@dataclass(frozen=True)
class FiscalizationResultAnswer:
    """43h answer: the registration parameters and the document's number and sign.

    ``reason`` is present in the variant 2 answer (48 bytes) only.
    """

    moment: _dt.datetime
    inn: str
    rnm: str
    taxation: int
    work_mode: int
    reason: int | None
    fd_number: int
    fiscal_sign: int

    def encode(self) -> bytes:
        """Encode the 47- or 48-byte answer."""
        body = (
            encode_date_time(self.moment)
            + encode_ascii(self.inn, INN_SIZE)
            + encode_ascii(self.rnm, RNM_SIZE)
            + encode_byte(self.taxation, "taxation")
            + encode_byte(self.work_mode, "work mode")
        )
        if self.reason is not None:
            body += encode_byte(self.reason, "re-registration reason")
        return body + encode_uint(self.fd_number, 4, "ФД number") + encode_uint(self.fiscal_sign, 4, "fiscal sign")

    @classmethod
    def decode(cls, data: bytes) -> FiscalizationResultAnswer:
        """Decode a 47-byte (variant 1) or 48-byte (variant 2) answer."""
        reader = FieldReader(data, "43h answer")
        moment = reader.date_time("date and time")
        inn = reader.ascii(INN_SIZE, "ИНН")
        rnm = reader.ascii(RNM_SIZE, "РНМ")
        taxation = reader.uint(1, "taxation")
        work_mode = reader.uint(1, "work mode")
        reason = reader.uint(1, "re-registration reason") if reader.remaining == 9 else None
        result = cls(moment, inn, rnm, taxation, work_mode, reason, reader.uint(4, "ФД number"), reader.uint(4, "fiscal sign"))
        reader.finish()
        return result


@dataclass(frozen=True)
class FiscalizationParameterRequest:
    """44h: one registration TLV by tag; variant 2 names the registration report first.

    Tag FFFFh in variant 2 starts streaming every registration TLV through 47h.
    """

    ALL_TAGS: ClassVar[int] = 0xFFFF

    tag: int
    report_number: int | None = None

    def encode(self) -> bytes:
        """Encode [report number byte,] tag UInt16 LE."""
        prefix = b"" if self.report_number is None else encode_byte(self.report_number, "report number")
        return prefix + encode_uint(self.tag, 2, "tag")

    @classmethod
    def decode(cls, data: bytes) -> FiscalizationParameterRequest:
        """Decode a 2-byte (variant 1) or 3-byte (variant 2) body."""
        reader = FieldReader(data, "44h request")
        number = reader.uint(1, "report number") if reader.remaining == 3 else None
        tag = reader.uint(2, "tag")
        reader.finish()
        return cls(tag, number)


@dataclass(frozen=True)
class TlvAnswer:
    """44h, 46h and 47h answer: exactly one top-level TLV (or STLV)."""

    tag: int
    value: bytes

    def encode(self) -> bytes:
        """Frame the TLV."""
        return encode_tlv(self.tag, self.value)

    @classmethod
    def decode(cls, data: bytes) -> TlvAnswer:
        """Decode one TLV that fills the body exactly."""
        item = read_tlv(data)
        if item is None:
            raise DecodeError(f"TLV answer of {len(data)} bytes ends inside the TLV")
        tag, value, end = item
        if end != len(data):
            raise DecodeError(f"TLV answer has {len(data) - end} bytes after the TLV", end)
        return cls(tag, value)


@dataclass(frozen=True)
class DocumentTlvInfoAnswer:
    """45h answer: the document's STLV tag (form code) and the length of its value."""

    document_type: int
    length: int

    def encode(self) -> bytes:
        """Encode two UInt16 LE."""
        return encode_uint(self.document_type, 2, "document type") + encode_uint(self.length, 2, "length")

    @classmethod
    def decode(cls, data: bytes) -> DocumentTlvInfoAnswer:
        """Decode the 4-byte answer."""
        reader = FieldReader(data, "45h answer")
        result = cls(reader.uint(2, "document type"), reader.uint(2, "length"))
        reader.finish()
        return result
