"""ФН registration commands: FF05h/FF06h registration, FF34h re-registration, FF3Dh/FF3Eh
closing the fiscal mode, FF07h reset, FF09h and FF4Ch registration totals.

All take the system administrator password. ИНН (12 characters) and РНМ (20)
are ASCII, right-padded with spaces by the client. Answer lengths (LEN):

- FF05h, FF07h, FF3Dh: 3 (``FF xx 00``).
- FF06h, FF34h, FF3Eh: 11, or 16 with the document DATE_TIME.
- FF09h: 50 or 55 (ФФД 1.0/1.05), 67 (ФФД 1.1 and later).
- FF4Ch: 50 (the registration itself), 51 (a re-registration), 67 (ФФД 1.1 and later).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, ClassVar

import construct

from ..errors import DecodeError
from .commands_base import (
    PASSWORD,
    DateTimeTailMessage,
    EmptyAnswer,
    Message,
    Pair,
    PasswordRequest,
    construct_error_reason,
)
from .commands_fields import FN_DATETIME, FN_DATETIME_REQUIRED, fixed_string

INN_SIZE = 12
RNM_SIZE = 20

_DOCUMENT_LAYOUT = construct.Struct("fd_number" / construct.Int32ul, "fiscal_sign" / construct.Int32ul)
_REGISTRATION_FIELDS = (
    "inn" / fixed_string(INN_SIZE, "ascii"),
    "rnm" / fixed_string(RNM_SIZE, "ascii"),
    "tax_systems" / construct.Int8ul,
    "work_mode" / construct.Int8ul,
)


@dataclasses.dataclass(frozen=True)
class BeginRegistrationRequest(Message):
    """FF05h begin a registration report. ``report_type``: 0 registration, 1 re-registration
    with ФН replacement, 2 re-registration without it."""

    CODE: ClassVar[int] = 0xFF05
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "report_type" / construct.Int8ul)

    password: int
    report_type: int


@dataclasses.dataclass(frozen=True)
class BeginRegistrationAnswer(EmptyAnswer):
    """FF05h answer: ``FF 05 00``, no fields."""

    CODE: ClassVar[int] = 0xFF05


@dataclasses.dataclass(frozen=True)
class RegistrationRequest(Message):
    """FF06h form the registration report, LEN 40.

    ``tax_systems`` is a ``TaxSystem`` bit mask, ``work_mode`` the mode bits
    (0 encryption, 1 autonomous, 2 automatic, 3 services, 4 БСО, 5 internet).
    """

    CODE: ClassVar[int] = 0xFF06
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, *_REGISTRATION_FIELDS)

    password: int
    inn: str
    rnm: str
    tax_systems: int
    work_mode: int


@dataclasses.dataclass(frozen=True)
class RegistrationAnswer(DateTimeTailMessage):
    """FF06h answer: ``fd_number``, ``fiscal_sign`` and the optional DATE_TIME."""

    CODE: ClassVar[int] = 0xFF06
    LAYOUT: ClassVar[construct.Struct] = _DOCUMENT_LAYOUT

    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class ReregistrationRequest(Message):
    """FF34h form a re-registration report, LEN 41: the fields of FF06h and ``reason``.

    ``reason``: 1 ФН replaced, 2 ОФД replaced, 3 details changed, 4 settings changed.
    """

    CODE: ClassVar[int] = 0xFF34
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD, *_REGISTRATION_FIELDS, "reason" / construct.Int8ul)

    password: int
    inn: str
    rnm: str
    tax_systems: int
    work_mode: int
    reason: int


@dataclasses.dataclass(frozen=True)
class ReregistrationAnswer(DateTimeTailMessage):
    """FF34h answer: ``fd_number``, ``fiscal_sign`` and the optional DATE_TIME."""

    CODE: ClassVar[int] = 0xFF34
    LAYOUT: ClassVar[construct.Struct] = _DOCUMENT_LAYOUT

    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class ResetFnRequest(Message):
    """FF07h reset the ФН state with ``request_code``, kept as sent because the spec gives no values.

    kktemu passes the code to the ФН as its 60h request code, where 16h wipes a debug ФН.
    """

    CODE: ClassVar[int] = 0xFF07
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "request_code" / construct.Int8ul)

    password: int
    request_code: int


@dataclasses.dataclass(frozen=True)
class ResetFnAnswer(EmptyAnswer):
    """FF07h answer: ``FF 07 00``, no fields."""

    CODE: ClassVar[int] = 0xFF07


@dataclasses.dataclass(frozen=True)
class BeginCloseFiscalModeRequest(PasswordRequest):
    """FF3Dh begin closing the fiscal mode."""

    CODE: ClassVar[int] = 0xFF3D


@dataclasses.dataclass(frozen=True)
class BeginCloseFiscalModeAnswer(EmptyAnswer):
    """FF3Dh answer: ``FF 3D 00``, no fields."""

    CODE: ClassVar[int] = 0xFF3D


@dataclasses.dataclass(frozen=True)
class CloseFiscalModeRequest(PasswordRequest):
    """FF3Eh close the fiscal mode, forming the report."""

    CODE: ClassVar[int] = 0xFF3E


@dataclasses.dataclass(frozen=True)
class CloseFiscalModeAnswer(DateTimeTailMessage):
    """FF3Eh answer: ``fd_number``, ``fiscal_sign`` and the optional DATE_TIME."""

    CODE: ClassVar[int] = 0xFF3E
    LAYOUT: ClassVar[construct.Struct] = _DOCUMENT_LAYOUT

    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


# The ФФД 1.1 form of FF09h/FF4Ch inserts these after the work mode.
_EXTENDED_FIELDS = construct.Struct(
    "extended_mode" / construct.Int8ul,
    "ofd_inn" / fixed_string(INN_SIZE, "ascii"),
    "reason_code" / construct.Int32ul,
)
_EXTENDED_TAIL_SIZE = _EXTENDED_FIELDS.sizeof() + _DOCUMENT_LAYOUT.sizeof()


def _fields(layout: construct.Struct, data: bytes) -> dict[str, Any]:
    parsed = layout.parse(data)
    return {sub.name: parsed[sub.name] for sub in layout.subcons if sub.name}


class _RegistrationTotals(Message):
    """Shared shape of FF09h and FF4Ch: the registration prefix, then a tail whose length picks the form.

    The ФФД 1.1 tail (25 bytes: ``extended_mode``, ``ofd_inn``, 4-byte
    ``reason_code``, ``fd_number``, ``fiscal_sign``) is encoded when
    ``extended_mode`` is set. Otherwise the subclass writes its short tail.
    ``_EXTENDED_ONLY`` names the fields that exist only in the ФФД 1.1 form and
    ``_SHORT_ONLY`` those that exist only in the short one.
    """

    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("moment" / FN_DATETIME, *_REGISTRATION_FIELDS)
    _SHORT_TAIL_SIZES: ClassVar[tuple[int, ...]] = ()
    _EXTENDED_ONLY: ClassVar[tuple[str, ...]] = ()
    _SHORT_ONLY: ClassVar[tuple[str, ...]] = ()

    def _encode_tail(self) -> bytes:
        document = _DOCUMENT_LAYOUT.build({"fd_number": self.fd_number, "fiscal_sign": self.fiscal_sign})
        if self.extended_mode is None:
            misplaced = [name for name in self._EXTENDED_ONLY if getattr(self, name) is not None]
            if misplaced:
                raise construct.ValidationError(f"{', '.join(misplaced)} need the ФФД 1.1 form; set extended_mode")
            return self._encode_short_tail(document)
        missing = [name for name in ("ofd_inn", "reason_code") if getattr(self, name) is None]
        misplaced = [name for name in self._SHORT_ONLY if getattr(self, name) is not None]
        if missing or misplaced:
            raise construct.ValidationError(
                f"the ФФД 1.1 form needs ofd_inn and reason_code and has no {', '.join(self._SHORT_ONLY)}")
        extended = {"extended_mode": self.extended_mode, "ofd_inn": self.ofd_inn, "reason_code": self.reason_code}
        return _EXTENDED_FIELDS.build(extended) + document

    def _encode_short_tail(self, document: bytes) -> bytes:
        raise NotImplementedError

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        if len(tail) not in (*cls._SHORT_TAIL_SIZES, _EXTENDED_TAIL_SIZE):
            sizes = sorted((*cls._SHORT_TAIL_SIZES, _EXTENDED_TAIL_SIZE))
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the work mode, expected one of {sizes}",
                              offset)
        try:
            if len(tail) == _EXTENDED_TAIL_SIZE:
                values = _fields(_EXTENDED_FIELDS, tail[:_EXTENDED_FIELDS.sizeof()])
                values.update(_fields(_DOCUMENT_LAYOUT, tail[_EXTENDED_FIELDS.sizeof():]))
                return values
            return cls._decode_short_tail(tail)
        except construct.ConstructError as exc:
            raise DecodeError(f"{cls.__name__}: {construct_error_reason(exc)}", offset) from exc

    @classmethod
    def _decode_short_tail(cls, tail: bytes) -> dict[str, Any]:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class FiscalizationTotalsRequest(PasswordRequest):
    """FF09h totals of the last registration or re-registration."""

    CODE: ClassVar[int] = 0xFF09


@dataclasses.dataclass(frozen=True)
class FiscalizationTotalsAnswer(_RegistrationTotals):
    """FF09h answer in one of three forms, distinguished by length.

    Every form starts with ``moment`` (the registration's DATE_TIME), ``inn``,
    ``rnm``, ``tax_systems`` and ``work_mode``, and carries ``fd_number`` and
    ``fiscal_sign``. The ФФД 1.0/1.05 form ends there (LEN 50) or adds
    ``document_datetime`` (LEN 55). The ФФД 1.1 form (LEN 67) puts
    ``extended_mode``, ``ofd_inn`` and the 4-byte ``reason_code`` before the
    document number. javapos_shtrih (FSReadFiscalization) also
    distinguishes them by length.
    """

    CODE: ClassVar[int] = 0xFF09
    _SHORT_TAIL_SIZES: ClassVar[tuple[int, ...]] = (8, 13)
    _EXTENDED_ONLY: ClassVar[tuple[str, ...]] = ("ofd_inn", "reason_code")
    _SHORT_ONLY: ClassVar[tuple[str, ...]] = ("document_datetime",)

    moment: datetime.datetime | None
    inn: str
    rnm: str
    tax_systems: int
    work_mode: int
    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None
    extended_mode: int | None = None
    ofd_inn: str | None = None
    reason_code: int | None = None

    def _encode_short_tail(self, document: bytes) -> bytes:
        if self.document_datetime is None:
            return document
        return document + FN_DATETIME_REQUIRED.build(self.document_datetime)

    @classmethod
    def _decode_short_tail(cls, tail: bytes) -> dict[str, Any]:
        values = _fields(_DOCUMENT_LAYOUT, tail[:8])
        if len(tail) > 8:
            values["document_datetime"] = FN_DATETIME_REQUIRED.parse(tail[8:])
        return values


@dataclasses.dataclass(frozen=True)
class RegistrationTotalsRequest(Message):
    """FF4Ch totals of registration ``report_number`` (1 is the registration itself), LEN 7."""

    CODE: ClassVar[int] = 0xFF4C
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "report_number" / construct.Int8ul)

    password: int
    report_number: int


@dataclasses.dataclass(frozen=True)
class RegistrationTotalsAnswer(_RegistrationTotals):
    """FF4Ch answer in one of three forms, distinguished by length.

    The prefix and the ФФД 1.1 form (LEN 67, 4-byte ``reason_code``) are those of
    FF09h. In the ФФД 1.0/1.05 form a re-registration carries a 1-byte
    ``reason_code`` before the document number (LEN 51), and the registration
    itself omits it (None, LEN 50), as the spec notes for report number 1.
    """

    CODE: ClassVar[int] = 0xFF4C
    _SHORT_TAIL_SIZES: ClassVar[tuple[int, ...]] = (8, 9)
    _EXTENDED_ONLY: ClassVar[tuple[str, ...]] = ("ofd_inn",)

    moment: datetime.datetime | None
    inn: str
    rnm: str
    tax_systems: int
    work_mode: int
    fd_number: int
    fiscal_sign: int
    reason_code: int | None = None
    extended_mode: int | None = None
    ofd_inn: str | None = None

    def _encode_short_tail(self, document: bytes) -> bytes:
        if self.reason_code is None:
            return document
        return construct.Int8ul.build(self.reason_code) + document

    @classmethod
    def _decode_short_tail(cls, tail: bytes) -> dict[str, Any]:
        values = _fields(_DOCUMENT_LAYOUT, tail[-8:])
        values["reason_code"] = tail[0] if len(tail) == 9 else None
        return values


PAIRS: tuple[Pair, ...] = (
    (BeginRegistrationRequest, BeginRegistrationAnswer),
    (RegistrationRequest, RegistrationAnswer),
    (ReregistrationRequest, ReregistrationAnswer),
    (ResetFnRequest, ResetFnAnswer),
    (BeginCloseFiscalModeRequest, BeginCloseFiscalModeAnswer),
    (CloseFiscalModeRequest, CloseFiscalModeAnswer),
    (FiscalizationTotalsRequest, FiscalizationTotalsAnswer),
    (RegistrationTotalsRequest, RegistrationTotalsAnswer),
)

__all__ = [
    "INN_SIZE", "RNM_SIZE",
    "BeginCloseFiscalModeAnswer", "BeginCloseFiscalModeRequest", "BeginRegistrationAnswer",
    "BeginRegistrationRequest", "CloseFiscalModeAnswer", "CloseFiscalModeRequest", "FiscalizationTotalsAnswer",
    "FiscalizationTotalsRequest", "RegistrationAnswer", "RegistrationRequest", "RegistrationTotalsAnswer",
    "RegistrationTotalsRequest", "ReregistrationAnswer", "ReregistrationRequest", "ResetFnAnswer", "ResetFnRequest",
]
