"""ФН shift and report commands: FF41h–FF43h, FF0Bh, FF40h, FF37h/FF38h, FF08h, FF62h.

A shift is opened with FF41h (begin), the TLVs of the report (FF0Ch) and FF0Bh,
and closed with FF42h, FF0Ch and FF43h. All take the system administrator
password. Answer lengths (LEN):

- FF08h, FF37h, FF41h, FF42h, FF62h: 3 (``FF xx 00``).
- FF0Bh: 13. FF43h: 13, or 18 with the document DATE_TIME.
- FF38h: 18, or 23 with the document DATE_TIME. FF40h: 8.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import ClassVar

import construct

from .commands_base import (
    DateTimeTailMessage,
    EmptyAnswer,
    Message,
    Pair,
    PasswordRequest,
)
from .commands_fields import FN_DATE, STRICT_BOOL

_SHIFT_DOCUMENT_LAYOUT = construct.Struct(
    "shift_number" / construct.Int16ul,
    "fd_number" / construct.Int32ul,
    "fiscal_sign" / construct.Int32ul,
)


@dataclasses.dataclass(frozen=True)
class CancelFnDocumentRequest(PasswordRequest):
    """FF08h cancel the document open in the ФН."""

    CODE: ClassVar[int] = 0xFF08


@dataclasses.dataclass(frozen=True)
class CancelFnDocumentAnswer(EmptyAnswer):
    """FF08h answer: ``FF 08 00``, no fields."""

    CODE: ClassVar[int] = 0xFF08


@dataclasses.dataclass(frozen=True)
class BeginOpenShiftRequest(PasswordRequest):
    """FF41h begin opening a shift in the ФН. The report's TLVs follow with FF0Ch."""

    CODE: ClassVar[int] = 0xFF41


@dataclasses.dataclass(frozen=True)
class BeginOpenShiftAnswer(EmptyAnswer):
    """FF41h answer: ``FF 41 00``, no fields."""

    CODE: ClassVar[int] = 0xFF41


@dataclasses.dataclass(frozen=True)
class FnOpenShiftRequest(PasswordRequest):
    """FF0Bh open the shift in the ФН, forming the shift open report."""

    CODE: ClassVar[int] = 0xFF0B


@dataclasses.dataclass(frozen=True)
class FnOpenShiftAnswer(Message):
    """FF0Bh answer: the new ``shift_number``, the report's ``fd_number`` and ``fiscal_sign`` (LEN 13)."""

    CODE: ClassVar[int] = 0xFF0B
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = _SHIFT_DOCUMENT_LAYOUT

    shift_number: int
    fd_number: int
    fiscal_sign: int


@dataclasses.dataclass(frozen=True)
class BeginCloseShiftRequest(PasswordRequest):
    """FF42h begin closing the shift in the ФН."""

    CODE: ClassVar[int] = 0xFF42


@dataclasses.dataclass(frozen=True)
class BeginCloseShiftAnswer(EmptyAnswer):
    """FF42h answer: ``FF 42 00``, no fields."""

    CODE: ClassVar[int] = 0xFF42


@dataclasses.dataclass(frozen=True)
class FnCloseShiftRequest(PasswordRequest):
    """FF43h close the shift in the ФН, forming the shift close report."""

    CODE: ClassVar[int] = 0xFF43


@dataclasses.dataclass(frozen=True)
class FnCloseShiftAnswer(DateTimeTailMessage):
    """FF43h answer: the closed ``shift_number``, ``fd_number``, ``fiscal_sign`` and the optional DATE_TIME."""

    CODE: ClassVar[int] = 0xFF43
    LAYOUT: ClassVar[construct.Struct] = _SHIFT_DOCUMENT_LAYOUT

    shift_number: int
    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class ShiftParametersRequest(PasswordRequest):
    """FF40h parameters of the current shift."""

    CODE: ClassVar[int] = 0xFF40


@dataclasses.dataclass(frozen=True)
class ShiftParametersAnswer(Message):
    """FF40h answer: ``shift_open``, ``shift_number`` and ``receipt_number`` in the shift (LEN 8).

    ``shift_open`` is sent as 0 or 1, the only values pyshtrih 2.0.6 accepts.
    """

    CODE: ClassVar[int] = 0xFF40
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "shift_open" / STRICT_BOOL,
        "shift_number" / construct.Int16ul,
        "receipt_number" / construct.Int16ul,
    )

    shift_open: bool
    shift_number: int
    receipt_number: int


@dataclasses.dataclass(frozen=True)
class BeginSettlementReportRequest(PasswordRequest):
    """FF37h begin the settlement state report (отчёт о текущем состоянии расчётов)."""

    CODE: ClassVar[int] = 0xFF37


@dataclasses.dataclass(frozen=True)
class BeginSettlementReportAnswer(EmptyAnswer):
    """FF37h answer: ``FF 37 00``, no fields."""

    CODE: ClassVar[int] = 0xFF37


@dataclasses.dataclass(frozen=True)
class SettlementReportRequest(PasswordRequest):
    """FF38h form the settlement state report."""

    CODE: ClassVar[int] = 0xFF38


@dataclasses.dataclass(frozen=True)
class SettlementReportAnswer(DateTimeTailMessage):
    """FF38h answer, LEN 18, or 23 with the document DATE_TIME.

    ``fd_number`` and ``fiscal_sign`` identify the report. ``unconfirmed`` is the
    number of documents without an ОФД квитанция, and ``first_unconfirmed_date``
    the date of the oldest (YY MM DD, None for three zero bytes).
    """

    CODE: ClassVar[int] = 0xFF38
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "fd_number" / construct.Int32ul,
        "fiscal_sign" / construct.Int32ul,
        "unconfirmed" / construct.Int32ul,
        "first_unconfirmed_date" / FN_DATE,
    )

    fd_number: int
    fiscal_sign: int
    unconfirmed: int
    first_unconfirmed_date: datetime.date | None
    document_datetime: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class SyncRegistersRequest(PasswordRequest):
    """FF62h set the register's counters from the ФН counters."""

    CODE: ClassVar[int] = 0xFF62


@dataclasses.dataclass(frozen=True)
class SyncRegistersAnswer(EmptyAnswer):
    """FF62h answer: ``FF 62 00``, no fields."""

    CODE: ClassVar[int] = 0xFF62


PAIRS: tuple[Pair, ...] = (
    (CancelFnDocumentRequest, CancelFnDocumentAnswer),
    (BeginOpenShiftRequest, BeginOpenShiftAnswer),
    (FnOpenShiftRequest, FnOpenShiftAnswer),
    (BeginCloseShiftRequest, BeginCloseShiftAnswer),
    (FnCloseShiftRequest, FnCloseShiftAnswer),
    (ShiftParametersRequest, ShiftParametersAnswer),
    (BeginSettlementReportRequest, BeginSettlementReportAnswer),
    (SettlementReportRequest, SettlementReportAnswer),
    (SyncRegistersRequest, SyncRegistersAnswer),
)

__all__ = [
    "BeginCloseShiftAnswer", "BeginCloseShiftRequest", "BeginOpenShiftAnswer", "BeginOpenShiftRequest",
    "BeginSettlementReportAnswer", "BeginSettlementReportRequest", "CancelFnDocumentAnswer",
    "CancelFnDocumentRequest", "FnCloseShiftAnswer", "FnCloseShiftRequest", "FnOpenShiftAnswer",
    "FnOpenShiftRequest", "SettlementReportAnswer", "SettlementReportRequest", "ShiftParametersAnswer",
    "ShiftParametersRequest", "SyncRegistersAnswer", "SyncRegistersRequest",
]
