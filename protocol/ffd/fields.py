"""Typed ФФД fields: TLVs decoded by the type the tag dictionary gives them.

Decoding never aborts on content: an unknown tag keeps its raw bytes, and a
value that does not fit its declared type keeps its raw bytes with ``error``
set. Only a broken frame of the sequence being decoded (a TLV that runs past
the end of the data) raises DecodeError. A broken frame inside a known STLV
is a bad value of that STLV, so it sets the STLV field's ``error`` instead.

Encoding goes the other way and is strict: a value of the wrong Python type,
or one longer than the dictionary allows, raises EncodeError.
"""

from __future__ import annotations

import datetime as _dt
from codecs import charmap_decode as _charmap_decode
from collections.abc import Callable, Iterable
from decimal import Decimal
from encodings.cp866 import decoding_table as _CP866_TABLE
from typing import NamedTuple, Union

from ..errors import DecodeError, EncodeError
from . import values
from .schema import TagInfo, TlvType
from .tag_table import TAGS
from .tlv import encode_tlv

FieldValue = Union[int, Decimal, str, _dt.datetime, bytes, list["Field"]]

# Deepest STLV nesting decoded; real documents nest three levels (1157 >
# 1133 > 1145). Deeper values keep their raw bytes with an error.
MAX_DEPTH = 16

_EPOCH = _dt.datetime(1970, 1, 1)
_FIXED_SIZE = {TlvType.BYTE: 1, TlvType.UINT16: 2, TlvType.UINT32: 4, TlvType.UNIXTIME: 4}


class Field(NamedTuple):
    """One decoded TLV.

    ``raw`` is the value bytes exactly as read. ``value`` is the typed value:

    * int for byte, UInt16, UInt32 and VLN (kopecks for money);
    * Decimal for FVLN, keeping its scale;
    * str for strings, padding kept;
    * naive datetime for UnixTime;
    * bytes for byte arrays and unknown tags;
    * a list of Fields for an STLV.

    ``info`` is None for a tag the dictionary lacks. When the value does not
    fit its declared type, ``value`` is ``raw`` and ``error`` describes the problem.
    """

    tag: int
    raw: bytes
    value: FieldValue
    info: TagInfo | None = None
    error: str | None = None

    def name(self, lang: str = "en") -> str | None:
        """Return the tag's name in ``lang`` ("en" or "ru"), or None for an unknown tag."""
        if self.info is None:
            return None
        return self.info.name_ru if lang == "ru" else self.info.name_en

    def encode(self) -> bytes:
        """Return the field as a TLV with its raw value, byte for byte as it was read."""
        return encode_tlv(self.tag, self.raw)


def decode_fields(data: bytes) -> list[Field]:
    """Decode a complete TLV sequence (a document body or an STLV value).

    Raises DecodeError, with the offset, when a TLV header or value runs past
    the end of ``data``.
    """
    return _decode_sequence(bytes(data), 0)


class _BadValue(Exception):
    """A value that does not fit its declared type. Its message becomes Field.error."""


def _decode_string(raw: bytes) -> str:
    # CP866 keeps ASCII in its lower half, and the ascii codec is much faster.
    if raw.isascii():
        return raw.decode("ascii")
    return _charmap_decode(raw, "strict", _CP866_TABLE)[0]


def _decode_int(raw: bytes) -> int:
    return int.from_bytes(raw, "little")


def _decode_unixtime(raw: bytes) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(seconds=int.from_bytes(raw, "little"))


def _decode_fvln(raw: bytes) -> Decimal:
    if not raw:
        raise _BadValue("FVLN value is empty: it needs the decimal point byte")
    return values.decode_fvln(raw)


def _decode_bytes(raw: bytes) -> bytes:
    return raw


_DECODERS: dict[TlvType, Callable[[bytes], FieldValue] | None] = {
    TlvType.BYTE: _decode_int, TlvType.UINT16: _decode_int, TlvType.UINT32: _decode_int,
    TlvType.VLN: _decode_int, TlvType.FVLN: _decode_fvln, TlvType.UNIXTIME: _decode_unixtime,
    TlvType.STRING: _decode_string, TlvType.BYTES: _decode_bytes, TlvType.STLV: None,
}
# tag -> (entry, exact value size or None, decoder or None for an STLV)
_PLAN = {tag: (info, _FIXED_SIZE.get(info.type), _DECODERS[info.type]) for tag, info in TAGS.items()}


def _decode_sequence(data: bytes, depth: int) -> list[Field]:
    fields: list[Field] = []
    append = fields.append
    make = tuple.__new__  # Field(...) through NamedTuple.__new__ costs a third more
    plan = _PLAN
    offset = 0
    end = len(data)
    while offset < end:
        if end - offset < 4:
            raise DecodeError(f"TLV header needs 4 bytes, {end - offset} left", offset)
        tag = data[offset] | data[offset + 1] << 8
        stop = offset + 4 + (data[offset + 2] | data[offset + 3] << 8)
        if stop > end:
            raise DecodeError(f"tag {tag} value runs {stop - end} bytes past the end of the data", offset)
        raw = data[offset + 4:stop]
        offset = stop
        entry = plan.get(tag)
        if entry is None:
            append(make(Field, (tag, raw, raw, None, None)))
            continue
        info, size, decoder = entry
        if size is not None and len(raw) != size:
            unit = "byte" if size == 1 else "bytes"
            error = f"{info.type.value} value needs {size} {unit}, got {len(raw)}"
            append(make(Field, (tag, raw, raw, info, error)))
        elif decoder is None:
            append(_decode_stlv(tag, raw, info, depth))
        else:
            try:
                append(make(Field, (tag, raw, decoder(raw), info, None)))
            except _BadValue as exc:
                append(make(Field, (tag, raw, raw, info, str(exc))))
    return fields


def _decode_stlv(tag: int, raw: bytes, info: TagInfo, depth: int) -> Field:
    if depth >= MAX_DEPTH:
        return Field(tag, raw, raw, info, f"STLV nesting deeper than {MAX_DEPTH} levels")
    try:
        return Field(tag, raw, _decode_sequence(raw, depth + 1), info)
    except DecodeError as exc:
        return Field(tag, raw, raw, info, f"STLV content is not a TLV sequence: {exc}")


def encode_value(tag: int, value: object) -> bytes:
    """Encode ``value`` as the value bytes of ``tag``, by the tag's dictionary type.

    Accepted Python types:

    * int for byte, UInt16, UInt32 and VLN;
    * Decimal or int for FVLN (never float);
    * str for strings, right-padded with spaces when the length is fixed;
    * naive datetime for UnixTime;
    * bytes for byte arrays and for tags the dictionary lacks;
    * for an STLV, an iterable of Fields and (tag, value) pairs (see ``encode_fields``).

    Raises EncodeError for another Python type, and for a value that does not
    fit the tag's type or maximum length.
    """
    info = TAGS.get(tag)
    if info is None:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise EncodeError(f"tag {tag} is not in the ФФД dictionary: pass its value as bytes")
    try:
        return _encode_known(info, value)
    except EncodeError as exc:
        raise EncodeError(f"tag {tag} ({info.name_en}): {exc}") from None


def _encode_known(info: TagInfo, value: object) -> bytes:
    kind = info.type
    if kind is TlvType.STLV:
        if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Iterable):
            raise EncodeError(f"invalid STLV value: expected a list of fields, got {type(value).__name__}")
        encoded = encode_fields(value)
        _check_length(info, encoded)
        return encoded
    if kind is TlvType.STRING:
        _require(value, str, kind)
        if info.fixed_len:
            return values.encode_string(value, fixed_len=info.max_len)
        return values.encode_string(value, max_len=info.max_len)
    if kind is TlvType.BYTES:
        _require(value, (bytes, bytearray, memoryview), kind)
        encoded = bytes(value)
        _check_length(info, encoded)
        return encoded
    if kind is TlvType.UNIXTIME:
        _require(value, _dt.datetime, kind)
        return values.encode_unixtime(value)
    if kind is TlvType.FVLN:
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        _require(value, Decimal, kind)
        return values.encode_fvln(value, info.max_len)
    _require(value, int, kind)
    if kind is TlvType.VLN:
        return values.encode_vln(value, info.max_len)
    if kind is TlvType.BYTE:
        return values.encode_byte(value)
    if kind is TlvType.UINT16:
        return values.encode_uint16(value)
    return values.encode_uint32(value)


def _require(value: object, expected: type | tuple[type, ...], kind: TlvType) -> None:
    if not isinstance(value, expected):
        raise EncodeError(f"invalid {kind.value} value {value!r}: {type(value).__name__} is not accepted")


def _check_length(info: TagInfo, encoded: bytes) -> None:
    if info.max_len is None:
        return
    if info.fixed_len and len(encoded) != info.max_len:
        raise EncodeError(f"value is {len(encoded)} bytes, the fixed length is {info.max_len}")
    if len(encoded) > info.max_len:
        raise EncodeError(f"value is {len(encoded)} bytes, the maximum is {info.max_len}")


def encode_field(tag: int, value: object) -> bytes:
    """Encode one typed value as a complete TLV of ``tag`` (see ``encode_value``).

    Raises EncodeError for values that do not fit, and for a value over 65535 bytes.
    """
    return encode_tlv(tag, encode_value(tag, value))


def encode_fields(items: Iterable[Field | tuple[int, object]]) -> bytes:
    """Encode a TLV sequence from Fields and (tag, value) pairs, in order.

    A Field is written with its raw value unchanged, so decoded fields re-encode
    byte for byte. A pair is encoded by ``encode_field``.
    """
    parts = []
    for item in items:
        if isinstance(item, Field):
            parts.append(item.encode())
        else:
            tag, value = item
            parts.append(encode_field(tag, value))
    return b"".join(parts)


def field_pairs(fields: Iterable[Field]) -> list[tuple[int, object]]:
    """Turn decoded Fields into (tag, value) pairs for typed re-encoding.

    STLV values become nested pair lists. A field that failed to decode keeps
    itself, so ``encode_fields`` writes its raw bytes.
    """
    pairs: list = []
    for field in fields:
        if field.error is not None:
            pairs.append(field)
        elif isinstance(field.value, list):
            pairs.append((field.tag, field_pairs(field.value)))
        else:
            pairs.append((field.tag, field.value))
    return pairs
