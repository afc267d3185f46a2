"""Types that describe the ФФД tag dictionary: value types, tags, forms and form content.

The generated ``tag_table`` module is built from these types, and ``tags``,
``forms`` and ``fields`` read it through them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class TlvType(enum.Enum):
    """Wire format of a tag's value (the «Формат ЭФ» column of the ФФД tables).

    A bit register («Флаги», «регистр битов») is not a type of its own: it is
    BYTE when one byte long and UINT32 when four bytes long, with
    ``TagInfo.bitmask`` set.
    """

    BYTE = "byte"
    UINT16 = "UInt16"
    UINT32 = "UInt32"
    VLN = "VLN"
    FVLN = "FVLN"
    UNIXTIME = "UnixTime"
    STRING = "string"
    BYTES = "byte[]"
    STLV = "STLV"


@dataclass(frozen=True, slots=True)
class TagInfo:
    """One tag of the ФФД dictionary.

    ``max_len`` is the value length limit in bytes, None where the ФФД sets none
    (print-only tags such as 1000 and 1196). With ``fixed_len`` the value must be
    exactly ``max_len`` bytes; fixed-length strings are right-padded with spaces.
    ``source`` names the table the entry was read from, or the override source.
    """

    tag: int
    name_ru: str
    name_en: str
    type: TlvType
    max_len: int | None
    fixed_len: bool
    bitmask: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class TagUse:
    """Use of one tag in a document form or inside an STLV, under one ФФД version.

    ``obligation`` is the «Обяз.» value for the electronic form: 1 mandatory,
    2 mandatory in the cases the table's notes give, 3 optional.
    ``obligation_print`` is the value for the printed form. Where the two
    differ, the ФФД writes «П-1, Э-3». ``electronic`` and ``printed`` come from the
    «Форм.» column (Э, П or ПЭ): a tag without ``electronic`` never appears in
    the TLV document. ``repeatable`` is the «Повт.» column.
    """

    tag: int
    obligation: int
    obligation_print: int
    electronic: bool
    printed: bool
    repeatable: bool


@dataclass(frozen=True, slots=True)
class FormInfo:
    """A document form: its code (the document STLV tag) and names.

    ``name_ru`` is the full official name, ``short_ru`` the printed-form title
    («Формат ПФ»), empty where the ФФД gives none.
    """

    code: int
    name_ru: str
    short_ru: str
    name_en: str
