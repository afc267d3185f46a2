"""Printer commands: 13h beep, 17h print line, 25h cut, B0h continue printing.

Every answer is ``CMD 00 operator`` (LEN 3).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import ClassVar

import construct

from .commands_base import PASSWORD, Message, PasswordRequest, OperatorAnswer, TextTailMessage, text_size_field


class PrintFlags(enum.IntFlag):
    """The flags byte of 17h: where to print and how."""

    CONTROL_TAPE = 1 << 0
    RECEIPT_TAPE = 1 << 1
    SLIP_DOCUMENT = 1 << 2
    SLIP_RECEIPT = 1 << 3
    WRAP_LINES = 1 << 6
    DEFERRED = 1 << 7


class CutType(enum.IntEnum):
    """The cut type byte of 25h."""

    FULL = 0
    PARTIAL = 1


@dataclasses.dataclass(frozen=True)
class BeepRequest(PasswordRequest):
    """13h beep. ``password``: any operator."""

    CODE: ClassVar[int] = 0x13


@dataclasses.dataclass(frozen=True)
class BeepAnswer(OperatorAnswer):
    """13h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x13


@dataclasses.dataclass(frozen=True)
class PrintLineRequest(TextTailMessage):
    """17h print a line in font 1.

    ``flags`` contains ``PrintFlags`` bits. ``text`` is cp1251 and sent as 40 bytes by
    default. The spec lets some models take a shorter field, so ``decode``
    accepts any width.
    """

    CODE: ClassVar[int] = 0x17
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "flags" / construct.Int8ul)
    TEXT_MIN_DECODE: ClassVar[int] = 0

    password: int
    flags: int
    text: str
    text_size: int = text_size_field()


@dataclasses.dataclass(frozen=True)
class PrintLineAnswer(OperatorAnswer):
    """17h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x17


@dataclasses.dataclass(frozen=True)
class CutRequest(Message):
    """25h cut the receipt. ``cut_type``: 0 full, 1 partial (``CutType``). Other values are left to the dialect."""

    CODE: ClassVar[int] = 0x25
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "cut_type" / construct.Int8ul)

    password: int
    cut_type: int


@dataclasses.dataclass(frozen=True)
class CutAnswer(OperatorAnswer):
    """25h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x25


@dataclasses.dataclass(frozen=True)
class ContinuePrintingRequest(PasswordRequest):
    """B0h continue printing after the paper was replaced (submode 3)."""

    CODE: ClassVar[int] = 0xB0


@dataclasses.dataclass(frozen=True)
class ContinuePrintingAnswer(OperatorAnswer):
    """B0h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0xB0
