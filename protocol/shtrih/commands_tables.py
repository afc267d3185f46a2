"""Settings tables: 1Eh write a field, 1Fh read a field, 2Dh table structure, 2Eh field structure,
24h initialise the tables, 27h general reset of the registers.

All take the system administrator password. A field is addressed by table,
row and field number. A field is BIN (a little-endian integer of ``size`` bytes)
or CHAR (cp1251 text of up to ``size`` bytes). The codecs keep values as raw
bytes, and the dialect interprets them by the field type that 2Eh reports.
Answer lengths (LEN):

- 1Eh, 24h, 27h: 2 (``CMD 00``). 1Fh: 2 + value.
- 2Dh: 45. 2Eh: 44 for CHAR fields, 44 + 2 × size for BIN fields.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, ClassVar

import construct

from ..errors import DecodeError
from .commands_base import (
    PASSWORD,
    BytesTailMessage,
    EmptyAnswer,
    Message,
    Pair,
    PasswordRequest,
)
from .commands_fields import enum_byte, padded_text

NAME_SIZE = 40
"""Width of the table and field names of 2Dh and 2Eh, NUL-padded cp1251."""


class FieldType(enum.IntEnum):
    """The field type byte of 2Eh. pyshtrih 2.0.6 fails with KeyError on other values."""

    BIN = 0
    CHAR = 1


_FIELD_ADDRESS = construct.Struct(
    "password" / PASSWORD,
    "table" / construct.Int8ul,
    "row" / construct.Int16ul,
    "field" / construct.Int8ul,
)


@dataclasses.dataclass(frozen=True)
class WriteTableRequest(BytesTailMessage):
    """1Eh write ``value`` into ``table``/``row``/``field``, LEN 9 + value.

    ``value`` is raw: a little-endian integer of the field's size for BIN
    fields, cp1251 text for CHAR fields. The spec allows up to 40 bytes, or
    246 on some models, which is what a v1 frame leaves.
    """

    CODE: ClassVar[int] = 0x1E
    LAYOUT: ClassVar[construct.Struct] = _FIELD_ADDRESS
    TAIL_FIELD: ClassVar[str] = "value"

    password: int
    table: int
    row: int
    field: int
    value: bytes


@dataclasses.dataclass(frozen=True)
class WriteTableAnswer(EmptyAnswer):
    """1Eh answer: ``1E 00``, no fields."""

    CODE: ClassVar[int] = 0x1E


@dataclasses.dataclass(frozen=True)
class ReadTableRequest(Message):
    """1Fh read ``table``/``row``/``field``, LEN 9."""

    CODE: ClassVar[int] = 0x1F
    LAYOUT: ClassVar[construct.Struct] = _FIELD_ADDRESS

    password: int
    table: int
    row: int
    field: int


@dataclasses.dataclass(frozen=True)
class ReadTableAnswer(BytesTailMessage):
    """1Fh answer: the field's raw ``value`` (LEN 2 + value), encoded as for 1Eh."""

    CODE: ClassVar[int] = 0x1F
    IS_ANSWER: ClassVar[bool] = True
    TAIL_FIELD: ClassVar[str] = "value"

    value: bytes


@dataclasses.dataclass(frozen=True)
class TableStructureRequest(Message):
    """2Dh structure of ``table``, LEN 6."""

    CODE: ClassVar[int] = 0x2D
    LAYOUT: ClassVar[construct.Struct] = construct.Struct("password" / PASSWORD, "table" / construct.Int8ul)

    password: int
    table: int


@dataclasses.dataclass(frozen=True)
class TableStructureAnswer(Message):
    """2Dh answer: ``name`` (40 bytes, NUL-padded cp1251), ``rows`` and ``fields`` counts (LEN 45)."""

    CODE: ClassVar[int] = 0x2D
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "name" / padded_text(NAME_SIZE),
        "rows" / construct.Int16ul,
        "fields" / construct.Int8ul,
    )

    name: str
    rows: int
    fields: int


@dataclasses.dataclass(frozen=True)
class FieldStructureRequest(Message):
    """2Eh structure of ``field`` in ``table``, LEN 7."""

    CODE: ClassVar[int] = 0x2E
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "password" / PASSWORD,
        "table" / construct.Int8ul,
        "field" / construct.Int8ul,
    )

    password: int
    table: int
    field: int


@dataclasses.dataclass(frozen=True)
class FieldStructureAnswer(Message):
    """2Eh answer: ``name``, ``field_type``, ``size`` in bytes and, for BIN fields, the value range.

    ``minimum`` and ``maximum`` are little-endian integers of ``size`` bytes each,
    present only for BIN fields (LEN 44 + 2 × size) and None for CHAR fields
    (LEN 44), as javapos_shtrih (ReadFieldInfo) reads them.
    """

    CODE: ClassVar[int] = 0x2E
    IS_ANSWER: ClassVar[bool] = True
    LAYOUT: ClassVar[construct.Struct] = construct.Struct(
        "name" / padded_text(NAME_SIZE),
        "field_type" / enum_byte(FieldType),
        "size" / construct.Int8ul,
    )

    name: str
    field_type: FieldType
    size: int
    minimum: int | None = None
    maximum: int | None = None

    def _encode_tail(self) -> bytes:
        bounds = (self.minimum, self.maximum)
        if self.field_type != FieldType.BIN:
            if bounds != (None, None):
                raise construct.ValidationError("minimum and maximum belong to BIN fields only")
            return b""
        if not all(isinstance(bound, int) for bound in bounds):
            raise construct.ValidationError(f"a BIN field needs integer minimum and maximum, got {bounds!r}")
        try:
            return self.minimum.to_bytes(self.size, "little") + self.maximum.to_bytes(self.size, "little")
        except OverflowError as exc:
            raise construct.ValidationError(f"range {bounds!r} does not fit {self.size} unsigned bytes") from exc

    @classmethod
    def _decode_tail(cls, tail: bytes, offset: int) -> dict[str, Any]:
        # The field type and size sit just before the tail.
        return {}

    @classmethod
    def decode(cls, body: bytes) -> FieldStructureAnswer:
        """Parse a 2Eh answer. Raises DecodeError on a wrong length for the field type, or a type other than 0/1."""
        body = bytes(body)
        fixed_end = cls._payload_start(body) + cls.LAYOUT.sizeof()
        fixed = super().decode(body[:fixed_end])
        tail = body[fixed_end:]
        expected = 2 * fixed.size if fixed.field_type == FieldType.BIN else 0
        if len(tail) != expected:
            raise DecodeError(f"{cls.__name__}: {len(tail)} bytes after the field size, expected {expected} for "
                              f"a {fixed.field_type.name} field of {fixed.size} bytes", fixed_end)
        if fixed.field_type != FieldType.BIN:
            return fixed
        half = fixed.size
        return dataclasses.replace(fixed, minimum=int.from_bytes(tail[:half], "little"),
                                   maximum=int.from_bytes(tail[half:], "little"))


@dataclasses.dataclass(frozen=True)
class InitTablesRequest(PasswordRequest):
    """24h set every table to its default values."""

    CODE: ClassVar[int] = 0x24


@dataclasses.dataclass(frozen=True)
class InitTablesAnswer(EmptyAnswer):
    """24h answer: ``24 00``, no fields."""

    CODE: ClassVar[int] = 0x24


@dataclasses.dataclass(frozen=True)
class GeneralResetRequest(PasswordRequest):
    """27h general reset (общее гашение) of the cash and operation registers."""

    CODE: ClassVar[int] = 0x27


@dataclasses.dataclass(frozen=True)
class GeneralResetAnswer(EmptyAnswer):
    """27h answer: ``27 00``, no fields."""

    CODE: ClassVar[int] = 0x27


PAIRS: tuple[Pair, ...] = (
    (WriteTableRequest, WriteTableAnswer),
    (ReadTableRequest, ReadTableAnswer),
    (TableStructureRequest, TableStructureAnswer),
    (FieldStructureRequest, FieldStructureAnswer),
    (InitTablesRequest, InitTablesAnswer),
    (GeneralResetRequest, GeneralResetAnswer),
)

__all__ = [
    "NAME_SIZE",
    "FieldStructureAnswer", "FieldStructureRequest", "FieldType", "GeneralResetAnswer", "GeneralResetRequest",
    "InitTablesAnswer", "InitTablesRequest", "ReadTableAnswer", "ReadTableRequest", "TableStructureAnswer",
    "TableStructureRequest", "WriteTableAnswer", "WriteTableRequest",
]
