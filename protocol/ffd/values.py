"""Encoders and decoders for the ФФД value types.

The types are those of the official ФФД format tables: byte, UInt16, UInt32
(little-endian), VLN (unsigned little-endian integer of variable length, money in
kopecks), FVLN (first byte is the number of digits after the decimal point, the
rest a VLN mantissa), UnixTime (UInt32 seconds), string (CP866) and byte array.

Encoders write the shortest form a real ФН writes: a VLN drops high zero bytes but
keeps one byte for zero, an FVLN keeps the scale it was given (1.000000 stays six
digits after the point). Decoders accept what real devices send, including a VLN
of length zero, which reads as 0.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from ..errors import DecodeError, EncodeError

STRING_ENCODING = "cp866"
_EPOCH = _dt.datetime(1970, 1, 1)


def encode_byte(value: int) -> bytes:
    """Encode an integer 0..255 as one byte."""
    if not 0 <= value <= 0xFF:
        raise EncodeError(f"byte value {value} is outside 0..255")
    return bytes((value,))


def encode_uint16(value: int) -> bytes:
    """Encode an integer 0..65535 as UInt16 little-endian."""
    if not 0 <= value <= 0xFFFF:
        raise EncodeError(f"UInt16 value {value} is outside 0..65535")
    return value.to_bytes(2, "little")


def encode_uint32(value: int) -> bytes:
    """Encode an integer 0..2**32-1 as UInt32 little-endian."""
    if not 0 <= value <= 0xFFFFFFFF:
        raise EncodeError(f"UInt32 value {value} is outside 0..4294967295")
    return value.to_bytes(4, "little")


def decode_uint(data: bytes, size: int) -> int:
    """Decode a fixed-size little-endian unsigned integer of exactly ``size`` bytes."""
    if len(data) != size:
        raise DecodeError(f"expected {size} bytes for an unsigned integer, got {len(data)}")
    return int.from_bytes(data, "little")


def encode_vln(value: int, max_len: int | None = None) -> bytes:
    """Encode a non-negative integer as VLN of minimal length (zero is one byte 00).

    Raises EncodeError when the value is negative or needs more than ``max_len`` bytes.
    """
    if value < 0:
        raise EncodeError(f"VLN value {value} is negative")
    length = max(1, (value.bit_length() + 7) // 8)
    if max_len is not None and length > max_len:
        raise EncodeError(f"VLN value {value} needs {length} bytes, the maximum is {max_len}")
    return value.to_bytes(length, "little")


def decode_vln(data: bytes) -> int:
    """Decode a VLN; an empty value is 0, as some ФН write it."""
    return int.from_bytes(data, "little")


def encode_fvln(value: Decimal, max_len: int | None = None) -> bytes:
    """Encode a non-negative Decimal as FVLN, keeping its scale.

    ``Decimal("1.000000")`` encodes as ``06 40 42 0F``. A value with a positive
    exponent (``Decimal("1E+2")``) is written with scale 0. Raises EncodeError for
    negative, non-finite or too long values, and for more than 255 decimal places.
    """
    if not value.is_finite() or value < 0:
        raise EncodeError(f"FVLN value {value} must be a finite non-negative number")
    sign, digits, exponent = value.as_tuple()
    mantissa = int("".join(map(str, digits)) or "0")
    if exponent > 0:
        mantissa *= 10**exponent
        exponent = 0
    scale = -exponent
    if scale > 0xFF:
        raise EncodeError(f"FVLN value {value} has {scale} decimal places, the maximum is 255")
    encoded = bytes((scale,)) + encode_vln(mantissa)
    if max_len is not None and len(encoded) > max_len:
        raise EncodeError(f"FVLN value {value} needs {len(encoded)} bytes, the maximum is {max_len}")
    return encoded


def decode_fvln(data: bytes) -> Decimal:
    """Decode an FVLN into a Decimal that keeps the encoded scale (``1.000000``)."""
    if not data:
        raise DecodeError("FVLN value is empty: it needs at least the decimal point byte")
    return Decimal(decode_vln(data[1:])).scaleb(-data[0])


def encode_string(text: str, max_len: int | None = None, fixed_len: int | None = None) -> bytes:
    """Encode text as CP866; with ``fixed_len``, right-pad with spaces to that length.

    Raises EncodeError for characters CP866 lacks (such as « » or €) and for text
    longer than the limit.
    """
    try:
        encoded = text.encode(STRING_ENCODING)
    except UnicodeEncodeError as exc:
        raise EncodeError(
            f"character {text[exc.start:exc.end]!r} in {text!r} has no CP866 code"
        ) from None
    if fixed_len is not None:
        if len(encoded) > fixed_len:
            raise EncodeError(f"string {text!r} is {len(encoded)} bytes, the fixed length is {fixed_len}")
        return encoded.ljust(fixed_len, b" ")
    if max_len is not None and len(encoded) > max_len:
        raise EncodeError(f"string {text!r} is {len(encoded)} bytes, the maximum is {max_len}")
    return encoded


def decode_string(data: bytes) -> str:
    """Decode CP866 bytes; every byte value maps to a character, so this never fails."""
    return data.decode(STRING_ENCODING)


def encode_unixtime(moment: _dt.datetime) -> bytes:
    """Encode a naive local wall-clock time as UnixTime, written as if it were UTC.

    ФН documents carry the local time of the place of settlement with no zone
    shift, so 2020-02-17 00:00 local encodes as 1581897600. Aware datetimes are
    rejected because the zone would be lost silently.
    """
    if moment.tzinfo is not None:
        raise EncodeError(f"UnixTime needs a naive local time, got {moment.isoformat()}")
    seconds = (moment - _EPOCH) // _dt.timedelta(seconds=1)
    return encode_uint32(seconds)


def decode_unixtime(data: bytes) -> _dt.datetime:
    """Decode UnixTime into a naive datetime of the local wall-clock time it encodes."""
    return _EPOCH + _dt.timedelta(seconds=decode_uint(data, 4))
