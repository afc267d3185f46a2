"""Correction receipts: FF35h begin, FF36h form (ФФД 1.0 style), FF4Ah form V2.

All three take the system administrator password. Answer lengths (LEN):

- FF35h: 3 (``FF 35 00``).
- FF36h, FF4Ah: 13, or 18 with the document DATE_TIME.

The ФФД 1.05/1.2 correction receipt with items is opened by FF35h and built
with FF46h and FF0Ch/FF4Dh like a sale. FF36h and FF4Ah form the whole
receipt from sums.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import ClassVar

import construct

from .commands_base import (
    PASSWORD,
    DateTimeTailMessage,
    EmptyAnswer,
    Message,
    Pair,
    PasswordRequest,
)
from .commands_fields import MONEY, money_array


class CorrectionType(enum.IntEnum):
    """The correction type byte of FF4Ah (реквизит 1173)."""

    OWN = 0  # самостоятельно
    BY_ORDER = 1  # по предписанию


@dataclasses.dataclass(frozen=True)
class BeginCorrectionRequest(PasswordRequest):
    """FF35h begin a correction receipt in the ФН."""

    CODE: ClassVar[int] = 0xFF35


@dataclasses.dataclass(frozen=True)
class BeginCorrectionAnswer(EmptyAnswer):
    """FF35h answer: ``FF 35 00``, no fields."""

    CODE: ClassVar[int] = 0xFF35


_CORRECTION_ANSWER_LAYOUT = construct.Struct(
    "receipt_number" / construct.Int16ul,
    "fd_number" / construct.Int32ul,
    "fiscal_sign" / construct.Int32ul,
)


@dataclasses.dataclass(frozen=True)
class CorrectionRequest(Message):
    """FF36h form a correction receipt from its total, LEN 12.

    ``total`` is in kopecks. ``operation`` is the calculation sign (реквизит 1054):
    1 приход, 3 расход.
    """

    CODE: ClassVar[int] = 0xFF36
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "total" / MONEY,
        "operation" / construct.Int8ul,
    )

    password: int
    total: int
    operation: int


@dataclasses.dataclass(frozen=True)
class CorrectionAnswer(DateTimeTailMessage):
    """FF36h answer: ``receipt_number`` in the shift, ``fd_number``, ``fiscal_sign`` and the optional DATE_TIME."""

    CODE: ClassVar[int] = 0xFF36
    LAYOUT: ClassVar[construct.Struct] = _CORRECTION_ANSWER_LAYOUT

    receipt_number: int
    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class CorrectionV2Request(Message):
    """FF4Ah form a correction receipt V2 from sums, LEN 69.

    ``correction_type`` is a ``CorrectionType`` value and ``operation`` the
    calculation sign (1 приход, 3 расход). ``total`` and every sum are in kopecks.
    ``payments`` contains five sums: cash, electronic, prepayment, credit and
    counter-provision. ``taxes`` contains six sums: VAT 20%, VAT 10%, the turnover
    at 0% and without VAT, VAT 20/120, VAT 10/110. ``tax_system`` is a
    ``TaxSystem`` bit mask with one bit set.
    """

    CODE: ClassVar[int] = 0xFF4A
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "correction_type" / construct.Int8ul,
        "operation" / construct.Int8ul,
        "total" / MONEY,
        "payments" / money_array(5),
        "taxes" / money_array(6),
        "tax_system" / construct.Int8ul,
    )

    password: int
    correction_type: int
    operation: int
    total: int
    payments: tuple[int, int, int, int, int]
    taxes: tuple[int, int, int, int, int, int]
    tax_system: int


@dataclasses.dataclass(frozen=True)
class CorrectionV2Answer(DateTimeTailMessage):
    """FF4Ah answer: ``receipt_number``, ``fd_number``, ``fiscal_sign`` and the optional DATE_TIME.

    javapos_shtrih (FSPrintCorrectionReceipt2) reads the first three only.
    """

    CODE: ClassVar[int] = 0xFF4A
    LAYOUT: ClassVar[construct.Struct] = _CORRECTION_ANSWER_LAYOUT

    receipt_number: int
    fd_number: int
    fiscal_sign: int
    document_datetime: datetime.datetime | None = None


PAIRS: tuple[Pair, ...] = (
    (BeginCorrectionRequest, BeginCorrectionAnswer),
    (CorrectionRequest, CorrectionAnswer),
    (CorrectionV2Request, CorrectionV2Answer),
)

__all__ = [
    "BeginCorrectionAnswer", "BeginCorrectionRequest", "CorrectionAnswer", "CorrectionRequest", "CorrectionType",
    "CorrectionV2Answer", "CorrectionV2Request",
]
