"""Shared pieces of the request and answer classes.

Every message class is a frozen dataclass with ``encode() -> bytes`` and a
classmethod ``decode(data) -> instance``. ``decode`` raises DecodeError when the
bytes do not follow the layout (wrong length, impossible date, non-ASCII text);
``encode`` raises EncodeError for values that do not fit their fields. Value
rules beyond the layout (an operation type of 7, an unknown report type) are the
ФН model's business, so the codecs accept any value that fits the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..errors import DecodeError, EncodeError
from .fields import FieldReader, encode_uint


def decode_flag(value: int, field: str) -> bool:
    """Read a 0/1 byte as bool; any other value is a DecodeError."""
    if value not in (0, 1):
        raise DecodeError(f"{field} must be 0 or 1, got {value}")
    return bool(value)


def encode_byte(value: int, field: str) -> bytes:
    """Encode one unsigned byte; ``field`` labels the EncodeError."""
    return encode_uint(value, 1, field)


@dataclass(frozen=True)
class NoData:
    """Body of a request or answer that carries no data."""

    def encode(self) -> bytes:
        """Return the empty body."""
        return b""

    @classmethod
    def decode(cls, data: bytes) -> NoData:
        """Accept only an empty body."""
        FieldReader(data, "message without data").finish()
        return cls()


@dataclass(frozen=True)
class RawData:
    """Body that is an opaque byte string (23h block, 35h diagnostics)."""

    MAX_SIZE: ClassVar[int] = 1024

    data: bytes

    def encode(self) -> bytes:
        """Return the bytes; raises EncodeError beyond the frame data limit."""
        if len(self.data) > self.MAX_SIZE:
            raise EncodeError(f"data is {len(self.data)} bytes, at most {self.MAX_SIZE} fit")
        return bytes(self.data)

    @classmethod
    def decode(cls, data: bytes) -> RawData:
        """Wrap the bytes; raises DecodeError beyond the limit."""
        if len(data) > cls.MAX_SIZE:
            raise DecodeError(f"data is {len(data)} bytes, at most {cls.MAX_SIZE} fit")
        return cls(bytes(data))
