"""TLV framing of ФФД documents: tag UInt16 LE, length UInt16 LE, value.

A document is an STLV whose tag is the form code (1 registration, 3 receipt, ...)
and whose value is a sequence of TLVs; an STLV value is itself such a sequence.
This module only frames bytes. Value types and tag names live in ``values`` and
``tags``. The codec is written by hand because construct's GreedyRange ran about
100 times slower on a 30-tag receipt on our machines.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import DecodeError, EncodeError

HEADER_SIZE = 4
MAX_VALUE_SIZE = 0xFFFF


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Frame one value as a TLV. Raises EncodeError for a tag or length beyond UInt16."""
    if not 0 <= tag <= 0xFFFF:
        raise EncodeError(f"tag {tag} is outside 0..65535")
    if len(value) > MAX_VALUE_SIZE:
        raise EncodeError(f"tag {tag} value is {len(value)} bytes, the TLV maximum is {MAX_VALUE_SIZE}")
    return tag.to_bytes(2, "little") + len(value).to_bytes(2, "little") + bytes(value)


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int] | None:
    """Read the TLV starting at ``offset``.

    Returns ``(tag, value, next_offset)``, or None when ``data`` ends before the
    TLV does (the caller needs more bytes). Bytes after the TLV are left alone.
    """
    if len(data) - offset < HEADER_SIZE:
        return None
    tag = data[offset] | data[offset + 1] << 8
    length = data[offset + 2] | data[offset + 3] << 8
    end = offset + HEADER_SIZE + length
    if end > len(data):
        return None
    return tag, bytes(data[offset + HEADER_SIZE:end]), end


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield ``(tag, value)`` for each TLV of a complete sequence.

    Raises DecodeError, with the offset, when the sequence ends inside a TLV.
    """
    offset = 0
    while offset < len(data):
        item = read_tlv(data, offset)
        if item is None:
            raise DecodeError("TLV sequence ends inside a TLV", offset)
        tag, value, offset = item
        yield tag, value


def split_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """Return every ``(tag, value)`` of a complete TLV sequence, in order."""
    return list(iter_tlv(data))


def join_tlv(items: list[tuple[int, bytes]]) -> bytes:
    """Frame ``(tag, value)`` pairs and concatenate them, the inverse of ``split_tlv``."""
    return b"".join(encode_tlv(tag, value) for tag, value in items)
