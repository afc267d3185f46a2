"""Fixed records of the 40h answer («Форматы фискальных данных при выдаче из Архива ФН»).

Every record starts with DATE_TIME, ФД number (UInt32 LE) and fiscal sign
(UInt32 LE); then:

===============================  =========================================
registration (1)                 ИНН ASCII12, РНМ ASCII20, СНО, режим
re-registration (11)             the same plus the reason byte
receipt, БСО and corrections     operation type byte, total Uint40 LE
(3, 4, 31, 41)
open and close shift (2, 5)      shift number UInt16 LE
close fiscal mode (6)            ИНН ASCII12, РНМ ASCII20
settlement report (21)           unconfirmed count UInt32 LE, DATE_TIME of
                                 the first unconfirmed document
===============================  =========================================

ФН-1.1 and later set bits 6..7 of the 40h type byte to the ФФД version (83h
is a receipt of ФФД 1.1, C3h of ФФД 1.2); ``base_form`` strips them. The
marking documents 81..84 (51h..54h) are not flagged. Records of other types
decode as ``GenericRecord`` keeping their tail bytes.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import ClassVar

from .documents import INN_SIZE, RNM_SIZE, TOTAL_SIZE
from .fields import FieldReader, encode_ascii, encode_date_time, encode_date_time_or_none, encode_uint
from .message import encode_byte

_VERSION_BITS = 0xC0
_MARKING_TYPES = range(0x51, 0x55)


def base_form(document_type: int) -> int:
    """Return the form code of an archive type byte, without the ФФД version bits."""
    if document_type in _MARKING_TYPES:
        return document_type
    return document_type & ~_VERSION_BITS & 0xFF


@dataclass(frozen=True)
class ArchiveRecord:
    """Common prefix of every 40h record; subclasses add the type-specific fields."""

    FORMS: ClassVar[tuple[int, ...]] = ()

    moment: _dt.datetime
    fd_number: int
    fiscal_sign: int

    def encode(self) -> bytes:
        """Encode the record: prefix, then the fields of the subclass."""
        return (
            encode_date_time(self.moment)
            + encode_uint(self.fd_number, 4, "ФД number")
            + encode_uint(self.fiscal_sign, 4, "fiscal sign")
            + self.encode_details()
        )

    def encode_details(self) -> bytes:
        """Encode the fields after the common prefix."""
        raise NotImplementedError

    @classmethod
    def decode(cls, data: bytes) -> ArchiveRecord:
        """Decode a whole record of this class."""
        reader = FieldReader(data, cls.__name__)
        prefix = (reader.date_time("date and time"), reader.uint(4, "ФД number"), reader.uint(4, "fiscal sign"))
        record = cls._decode_details(prefix, reader)
        reader.finish()
        return record

    @classmethod
    def _decode_details(cls, prefix: tuple, reader: FieldReader) -> ArchiveRecord:
        raise NotImplementedError


@dataclass(frozen=True)
class RegistrationRecord(ArchiveRecord):
    """Record of the registration report (form 1)."""

    FORMS: ClassVar[tuple[int, ...]] = (1,)

    inn: str
    rnm: str
    taxation: int
    work_mode: int

    def encode_details(self) -> bytes:
        """Encode ИНН, РНМ, СНО and режим."""
        return (
            encode_ascii(self.inn, INN_SIZE)
            + encode_ascii(self.rnm, RNM_SIZE)
            + encode_byte(self.taxation, "taxation")
            + encode_byte(self.work_mode, "work mode")
        )

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(
            *prefix,
            inn=reader.ascii(INN_SIZE, "ИНН"),
            rnm=reader.ascii(RNM_SIZE, "РНМ"),
            taxation=reader.uint(1, "taxation"),
            work_mode=reader.uint(1, "work mode"),
        )


@dataclass(frozen=True)
class ReregistrationRecord(ArchiveRecord):
    """Record of the report on changed registration parameters (form 11)."""

    FORMS: ClassVar[tuple[int, ...]] = (11,)

    inn: str
    rnm: str
    taxation: int
    work_mode: int
    reason: int

    def encode_details(self) -> bytes:
        """Encode ИНН, РНМ, СНО, режим and the reason code."""
        return (
            encode_ascii(self.inn, INN_SIZE)
            + encode_ascii(self.rnm, RNM_SIZE)
            + encode_byte(self.taxation, "taxation")
            + encode_byte(self.work_mode, "work mode")
            + encode_byte(self.reason, "re-registration reason")
        )

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(
            *prefix,
            inn=reader.ascii(INN_SIZE, "ИНН"),
            rnm=reader.ascii(RNM_SIZE, "РНМ"),
            taxation=reader.uint(1, "taxation"),
            work_mode=reader.uint(1, "work mode"),
            reason=reader.uint(1, "re-registration reason"),
        )


@dataclass(frozen=True)
class ReceiptRecord(ArchiveRecord):
    """Record of a receipt, БСО or correction (forms 3, 4, 31, 41): operation and total in kopecks."""

    FORMS: ClassVar[tuple[int, ...]] = (3, 4, 31, 41)

    operation: int
    total: int

    def encode_details(self) -> bytes:
        """Encode the operation byte and the Uint40 total."""
        return encode_byte(self.operation, "operation type") + encode_uint(self.total, TOTAL_SIZE, "total")

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(*prefix, operation=reader.uint(1, "operation type"), total=reader.uint(TOTAL_SIZE, "total"))


@dataclass(frozen=True)
class ShiftRecord(ArchiveRecord):
    """Record of an open or close shift report (forms 2, 5)."""

    FORMS: ClassVar[tuple[int, ...]] = (2, 5)

    shift_number: int

    def encode_details(self) -> bytes:
        """Encode the shift number."""
        return encode_uint(self.shift_number, 2, "shift number")

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(*prefix, shift_number=reader.uint(2, "shift number"))


@dataclass(frozen=True)
class CloseFiscalModeRecord(ArchiveRecord):
    """Record of the report on closing the fiscal mode (form 6)."""

    FORMS: ClassVar[tuple[int, ...]] = (6,)

    inn: str
    rnm: str

    def encode_details(self) -> bytes:
        """Encode ИНН and РНМ."""
        return encode_ascii(self.inn, INN_SIZE) + encode_ascii(self.rnm, RNM_SIZE)

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(*prefix, inn=reader.ascii(INN_SIZE, "ИНН"), rnm=reader.ascii(RNM_SIZE, "РНМ"))


@dataclass(frozen=True)
class SettlementReportRecord(ArchiveRecord):
    """Record of the report on the state of settlements (form 21)."""

    FORMS: ClassVar[tuple[int, ...]] = (21,)

    unconfirmed_count: int
    first_unconfirmed: _dt.datetime | None

    def encode_details(self) -> bytes:
        """Encode the count and the DATE_TIME of the first unconfirmed document."""
        return encode_uint(self.unconfirmed_count, 4, "unconfirmed count") + encode_date_time_or_none(
            self.first_unconfirmed
        )

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(
            *prefix,
            unconfirmed_count=reader.uint(4, "unconfirmed count"),
            first_unconfirmed=reader.date_time_or_none("first unconfirmed time"),
        )


@dataclass(frozen=True)
class GenericRecord(ArchiveRecord):
    """Record of a type this codec has no layout for; ``extra`` keeps its tail."""

    extra: bytes = b""

    def encode_details(self) -> bytes:
        """Return the tail bytes."""
        return bytes(self.extra)

    @classmethod
    def _decode_details(cls, prefix, reader):
        return cls(*prefix, extra=reader.rest())


_RECORD_CLASSES: dict[int, type[ArchiveRecord]] = {
    form: record_class
    for record_class in (
        RegistrationRecord,
        ReregistrationRecord,
        ReceiptRecord,
        ShiftRecord,
        CloseFiscalModeRecord,
        SettlementReportRecord,
    )
    for form in record_class.FORMS
}


def record_class_for(document_type: int) -> type[ArchiveRecord]:
    """Return the record class for a 40h type byte (version bits allowed)."""
    return _RECORD_CLASSES.get(base_form(document_type), GenericRecord)
