"""Layout of the Штрих-М settings tables: tables, fields, value ranges and wire encoding.

A register keeps its settings in numbered tables of rows and fields. A field is
BIN (an unsigned little-endian integer of ``size`` bytes with a minimum and a
maximum) or CHAR (cp1251 text of at most ``size`` bytes, NUL-padded on the
wire). 2Dh and 2Eh describe the layout, 1Fh reads a field and 1Eh writes one.
This module contains the types and the value rules, and ``table_defaults``
contains the tables of the ШТРИХ-М-01Ф.
"""

from __future__ import annotations

import dataclasses
import enum

from kktemu.protocol.shtrih.commands_tables import FieldType

TEXT_ENCODING = "cp1251"
NAME_SIZE = 40


class Access(enum.Enum):
    """Write permission of a field for 1Eh."""

    WRITABLE = "writable"
    # Error 7Ah "поле не редактируется": values the register fills in itself.
    READ_ONLY = "read-only"
    # Error C7h "поле не редактируется в данном режиме": fixed by the registration in the ФН.
    FIXED_BY_REGISTRATION = "fixed by the registration"
    # Error C7h while a shift is open.
    SHIFT_CLOSED_ONLY = "writable with the shift closed"


class InvalidValue(ValueError):
    """Raised when a 1Eh value does not fit its field (the dialect sends error 33h)."""


Value = int | str


@dataclasses.dataclass(frozen=True)
class FieldLayout:
    """One field of a table: type, size in bytes, range (BIN only) and factory value.

    ``default`` is one value for every row, or a tuple with the value of each row.
    """

    name: str
    field_type: FieldType
    size: int
    minimum: int = 0
    maximum: int = 0
    default: Value | tuple[Value, ...] = 0
    access: Access = Access.WRITABLE

    def default_for(self, row: int) -> Value:
        """Return the factory value of the field in ``row`` (1-based)."""
        if isinstance(self.default, tuple):
            return self.default[row - 1]
        return self.default

    def encode(self, value: Value) -> bytes:
        """Return the 1Fh bytes of ``value``: ``size`` bytes little-endian, or NUL-padded cp1251."""
        if self.field_type == FieldType.BIN:
            return int(value).to_bytes(self.size, "little")
        raw = str(value).encode(TEXT_ENCODING, errors="replace")[:self.size]
        return raw.ljust(self.size, b"\0")

    def decode(self, raw: bytes) -> Value:
        """Parse a 1Eh value and check it against the field. Raises InvalidValue.

        BIN values may be shorter than the field (pyshtrih 2.0.6 sends the fewest
        bytes that hold the number) and are zero-extended. CHAR values end at the
        first NUL (kkt-shtrih pads every text to 40 bytes), bytes 1..31 are dropped
        as the spec requires, and the text must then fit ``size`` bytes.
        """
        if self.field_type == FieldType.BIN:
            if not 1 <= len(raw) <= self.size:
                raise InvalidValue(f"{len(raw)} bytes for a BIN field of {self.size}")
            value = int.from_bytes(raw, "little")
            if not self.minimum <= value <= self.maximum:
                raise InvalidValue(f"{value} is outside {self.minimum}..{self.maximum}")
            return value
        text_bytes = bytes(byte for byte in raw.split(b"\0", 1)[0] if byte >= 0x20)
        if len(text_bytes) > self.size:
            raise InvalidValue(f"{len(text_bytes)} bytes of text for a CHAR field of {self.size}")
        try:
            return text_bytes.decode(TEXT_ENCODING)
        except UnicodeDecodeError as exc:
            raise InvalidValue(f"byte {text_bytes[exc.start]:02X}h has no cp1251 character") from None


@dataclasses.dataclass(frozen=True)
class TableLayout:
    """One settings table: its 2Dh name, the number of rows and the fields (field 1 first)."""

    name: str
    rows: int
    fields: tuple[FieldLayout, ...]

    def field(self, number: int) -> FieldLayout | None:
        """Return field ``number`` (1-based), or None when the table has no such field."""
        if 1 <= number <= len(self.fields):
            return self.fields[number - 1]
        return None


def bin_field(name: str, size: int, minimum: int, maximum: int, default: int | tuple[int, ...] = 0,
              access: Access = Access.WRITABLE) -> FieldLayout:
    """Return a BIN field layout (range and default in the field's units)."""
    return FieldLayout(name, FieldType.BIN, size, minimum, maximum, default, access)


def char_field(name: str, size: int, default: str | tuple[str, ...] = "",
               access: Access = Access.WRITABLE) -> FieldLayout:
    """Return a CHAR field layout of ``size`` bytes of cp1251 text."""
    return FieldLayout(name, FieldType.CHAR, size, 0, 0, default, access)
