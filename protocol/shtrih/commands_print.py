"""Printer commands: 13h beep, 12h/17h/2Fh print a line, 25h cut, B0h continue printing,
18h document header, 52h cliché, 53h document end, 54h advertising text.

Every answer is ``CMD 00 operator`` (LEN 3), except 18h, which adds the document
number (LEN 5).

The v1.17 text lists 52h–54h with the fields of 50h (a 5-byte sum, an answer
with a document number). Those entries repeat 50h by mistake: the vendor's
javapos_shtrih (PrintHeader, PrintDocEnd, PrintTrailer) sends the password, and
for 53h one flag byte, and reads the operator number. The codecs follow
javapos_shtrih.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import ClassVar

import construct

from .commands_base import (
    PASSWORD,
    Message,
    OperatorAnswer,
    Pair,
    PasswordRequest,
    TextTailMessage,
    text_size_field,
)
from .commands_fields import padded_text


class PrintFlags(enum.IntFlag):
    """The flags byte of 12h, 17h and 2Fh: where to print and how."""

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


BOLD_TEXT_SIZE = 20
"""Default width of the text field of 12h (LEN 26)."""


@dataclasses.dataclass(frozen=True)
class PrintBoldLineRequest(TextTailMessage):
    """12h print a line in bold font 2.

    ``flags`` contains ``PrintFlags`` bits. ``text`` is cp1251 and sent as 20 bytes by
    default. The spec lets some models take other widths, so ``decode`` accepts any.
    """

    CODE: ClassVar[int] = 0x12
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "flags" / construct.Int8ul)
    TEXT_MIN_DECODE: ClassVar[int] = 0

    password: int
    flags: int
    text: str
    text_size: int = text_size_field(BOLD_TEXT_SIZE)


@dataclasses.dataclass(frozen=True)
class PrintBoldLineAnswer(OperatorAnswer):
    """12h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x12


@dataclasses.dataclass(frozen=True)
class PrintFontLineRequest(TextTailMessage):
    """2Fh print a line in font ``font`` (0–255).

    ``flags`` contains ``PrintFlags`` bits. ``text`` is cp1251 and sent as 40 bytes by
    default (LEN 47), and ``decode`` accepts any width.
    """

    CODE: ClassVar[int] = 0x2F
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "flags" / construct.Int8ul,
        "font" / construct.Int8ul,
    )
    TEXT_MIN_DECODE: ClassVar[int] = 0

    password: int
    flags: int
    font: int
    text: str
    text_size: int = text_size_field()


@dataclasses.dataclass(frozen=True)
class PrintFontLineAnswer(OperatorAnswer):
    """2Fh answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x2F


DOCUMENT_TITLE_SIZE = 30
"""Width of the document title of 18h, NUL-padded cp1251."""


@dataclasses.dataclass(frozen=True)
class DocumentHeaderRequest(Message):
    """18h print a document header: ``title`` (30 bytes of cp1251) and ``number``, LEN 37."""

    CODE: ClassVar[int] = 0x18
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "title" / padded_text(DOCUMENT_TITLE_SIZE),
        "number" / construct.Int16ul,
    )

    password: int
    title: str
    number: int


@dataclasses.dataclass(frozen=True)
class DocumentHeaderAnswer(Message):
    """18h answer: ``operator`` number and ``document_number``, the running document number (LEN 5)."""

    CODE: ClassVar[int] = 0x18
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "operator" / construct.Int8ul,
        "document_number" / construct.Int16ul,
    )

    operator: int
    document_number: int


@dataclasses.dataclass(frozen=True)
class PrintClicheRequest(PasswordRequest):
    """52h print the cliché, the header lines kept in the register's settings."""

    CODE: ClassVar[int] = 0x52


@dataclasses.dataclass(frozen=True)
class PrintClicheAnswer(OperatorAnswer):
    """52h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x52


@dataclasses.dataclass(frozen=True)
class DocumentEndRequest(Message):
    """53h end a document: ``print_trailer`` 1 prints the advertising text, 0 does not (LEN 6)."""

    CODE: ClassVar[int] = 0x53
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "print_trailer" / construct.Int8ul)

    password: int
    print_trailer: int


@dataclasses.dataclass(frozen=True)
class DocumentEndAnswer(OperatorAnswer):
    """53h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x53


@dataclasses.dataclass(frozen=True)
class PrintAdvertisingRequest(PasswordRequest):
    """54h print the advertising text, the trailer lines kept in the register's settings."""

    CODE: ClassVar[int] = 0x54


@dataclasses.dataclass(frozen=True)
class PrintAdvertisingAnswer(OperatorAnswer):
    """54h answer: ``operator`` number."""

    CODE: ClassVar[int] = 0x54


PAIRS: tuple[Pair, ...] = (
    (BeepRequest, BeepAnswer),
    (PrintLineRequest, PrintLineAnswer),
    (CutRequest, CutAnswer),
    (ContinuePrintingRequest, ContinuePrintingAnswer),
    (PrintBoldLineRequest, PrintBoldLineAnswer),
    (PrintFontLineRequest, PrintFontLineAnswer),
    (DocumentHeaderRequest, DocumentHeaderAnswer),
    (PrintClicheRequest, PrintClicheAnswer),
    (DocumentEndRequest, DocumentEndAnswer),
    (PrintAdvertisingRequest, PrintAdvertisingAnswer),
)

__all__ = [
    "BOLD_TEXT_SIZE", "DOCUMENT_TITLE_SIZE",
    "BeepAnswer", "BeepRequest", "ContinuePrintingAnswer", "ContinuePrintingRequest", "CutAnswer", "CutRequest",
    "CutType", "DocumentEndAnswer", "DocumentEndRequest", "DocumentHeaderAnswer", "DocumentHeaderRequest",
    "PrintAdvertisingAnswer", "PrintAdvertisingRequest", "PrintBoldLineAnswer", "PrintBoldLineRequest",
    "PrintClicheAnswer", "PrintClicheRequest", "PrintFlags", "PrintFontLineAnswer", "PrintFontLineRequest",
    "PrintLineAnswer", "PrintLineRequest",
]
