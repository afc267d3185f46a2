"""Shift commands: E0h open shift, 40h X report, 41h Z report, 50h cash in, 51h cash out,
2Ch print the operation registers, C6h Z report into the buffer.

The Z report (41h) closes the shift. The X report (40h) prints the shift totals
and closes nothing. C6h closes the shift like 41h but keeps the report in the
register's buffer instead of printing it. Every answer carries the operator
number (LEN 3), and 50h/51h add the document number (LEN 5).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import construct

from .commands_base import PASSWORD, Message, OperatorAnswer, Pair, PasswordRequest
from .commands_fields import MONEY


@dataclasses.dataclass(frozen=True)
class OpenShiftRequest(PasswordRequest):
    """E0h open a shift."""

    CODE: ClassVar[int] = 0xE0


@dataclasses.dataclass(frozen=True)
class OpenShiftAnswer(OperatorAnswer):
    """E0h answer: ``operator`` number (LEN 3).

    The spec's header gives "length 2 bytes", but its field list includes the
    operator number and javapos_shtrih reads it, so the operator byte is sent.
    pyshtrih 2.0.6 reads only the error byte.
    """

    CODE: ClassVar[int] = 0xE0


@dataclasses.dataclass(frozen=True)
class XReportRequest(PasswordRequest):
    """40h X report (суточный отчёт без гашения)."""

    CODE: ClassVar[int] = 0x40


@dataclasses.dataclass(frozen=True)
class XReportAnswer(OperatorAnswer):
    """40h answer: ``operator`` number (28 on some models, 29 or 30)."""

    CODE: ClassVar[int] = 0x40


@dataclasses.dataclass(frozen=True)
class ZReportRequest(PasswordRequest):
    """41h Z report (суточный отчёт с гашением), which closes the shift."""

    CODE: ClassVar[int] = 0x41


@dataclasses.dataclass(frozen=True)
class ZReportAnswer(OperatorAnswer):
    """41h answer: ``operator`` number (29 or 30)."""

    CODE: ClassVar[int] = 0x41


_CASH_LAYOUT = construct.Struct("password" / PASSWORD, "amount" / MONEY)
_CASH_ANSWER_LAYOUT = construct.Struct("operator" / construct.Int8ul, "document_number" / construct.Int16ul)


@dataclasses.dataclass(frozen=True)
class CashInRequest(Message):
    """50h cash in (внесение) of ``amount`` kopecks."""

    CODE: ClassVar[int] = 0x50
    LAYOUT: ClassVar[construct.Struct] = _CASH_LAYOUT

    password: int
    amount: int


@dataclasses.dataclass(frozen=True)
class CashInAnswer(Message):
    """50h answer: ``operator`` number and ``document_number``, the running document number (сквозной номер)."""

    CODE: ClassVar[int] = 0x50
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = _CASH_ANSWER_LAYOUT

    operator: int
    document_number: int


@dataclasses.dataclass(frozen=True)
class CashOutRequest(Message):
    """51h cash out (выплата) of ``amount`` kopecks."""

    CODE: ClassVar[int] = 0x51
    LAYOUT: ClassVar[construct.Struct] = _CASH_LAYOUT

    password: int
    amount: int


@dataclasses.dataclass(frozen=True)
class CashOutAnswer(Message):
    """51h answer: ``operator`` number and ``document_number``, the running document number (сквозной номер)."""

    CODE: ClassVar[int] = 0x51
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = _CASH_ANSWER_LAYOUT

    operator: int
    document_number: int


@dataclasses.dataclass(frozen=True)
class OperationRegistersReportRequest(PasswordRequest):
    """2Ch print the operation registers (снятие показаний операционных регистров)."""

    CODE: ClassVar[int] = 0x2C


@dataclasses.dataclass(frozen=True)
class OperationRegistersReportAnswer(OperatorAnswer):
    """2Ch answer: ``operator`` number (28 on some models, 29 or 30)."""

    CODE: ClassVar[int] = 0x2C


@dataclasses.dataclass(frozen=True)
class BufferedZReportRequest(PasswordRequest):
    """C6h Z report into the buffer: closes the shift without printing the report."""

    CODE: ClassVar[int] = 0xC6


@dataclasses.dataclass(frozen=True)
class BufferedZReportAnswer(OperatorAnswer):
    """C6h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0xC6


PAIRS: tuple[Pair, ...] = (
    (OpenShiftRequest, OpenShiftAnswer),
    (XReportRequest, XReportAnswer),
    (ZReportRequest, ZReportAnswer),
    (CashInRequest, CashInAnswer),
    (CashOutRequest, CashOutAnswer),
    (OperationRegistersReportRequest, OperationRegistersReportAnswer),
    (BufferedZReportRequest, BufferedZReportAnswer),
)

__all__ = [
    "BufferedZReportAnswer", "BufferedZReportRequest", "CashInAnswer", "CashInRequest", "CashOutAnswer",
    "CashOutRequest", "OpenShiftAnswer", "OpenShiftRequest", "OperationRegistersReportAnswer",
    "OperationRegistersReportRequest", "XReportAnswer", "XReportRequest", "ZReportAnswer", "ZReportRequest",
]
