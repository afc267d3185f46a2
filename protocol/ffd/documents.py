"""Whole ФФД documents: the form-code STLV around a TLV sequence, and the fiscal sign.

A document is one TLV whose tag is the form code (1 registration, 3 receipt,
...) and whose value is the document's fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DecodeError, EncodeError
from .fields import Field, decode_fields, encode_fields
from .forms import form_name
from .tlv import encode_tlv, read_tlv

FISCAL_SIGN_SIZE = 6
# The fiscal signs of both real ФН documents in the tests (yandex/ofd test
# data) start with these two bytes. Their meaning is not public.
FISCAL_SIGN_PREFIX = b"\x21\x04"


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded document: form code, top-level fields in stored order, and its bytes.

    ``raw`` is the whole document TLV (form code, length and value) as read.
    """

    form: int
    fields: tuple[Field, ...]
    raw: bytes

    def name(self, lang: str = "en") -> str | None:
        """Return the form's name in ``lang``, or None for an unknown form code."""
        return form_name(self.form, lang)

    def find(self, tag: int) -> Field | None:
        """Return the first top-level field with ``tag``, or None."""
        return next((field for field in self.fields if field.tag == tag), None)

    def find_all(self, tag: int) -> list[Field]:
        """Return every top-level field with ``tag``, in order (items 1059 repeat)."""
        return [field for field in self.fields if field.tag == tag]


def read_document(data: bytes, offset: int = 0) -> tuple[Document, int] | None:
    """Read the document starting at ``offset``.

    Returns ``(document, next_offset)``, or None when ``data`` ends before the
    document does. Bytes after it (the message sign trailer of an ОФД
    container, the next record) are left alone. Raises DecodeError when the
    document's own fields are not a TLV sequence.
    """
    item = read_tlv(data, offset)
    if item is None:
        return None
    form, value, end = item
    try:
        fields = decode_fields(value)
    except DecodeError as exc:
        inner = exc.args[0] if exc.offset is None else str(exc).rsplit(" (at byte", 1)[0]
        position = None if exc.offset is None else offset + 4 + exc.offset
        raise DecodeError(f"document of form {form} has a broken field: {inner}", position) from None
    return Document(form, tuple(fields), bytes(data[offset:end])), end


def decode_document(data: bytes) -> Document:
    """Decode ``data`` as exactly one document.

    Raises DecodeError when the data ends inside the document, has bytes after
    it, or its fields are not a TLV sequence.
    """
    result = read_document(data)
    if result is None:
        raise DecodeError(f"document is truncated: {len(data)} bytes")
    document, end = result
    if end != len(data):
        raise DecodeError(f"{len(data) - end} bytes follow the document", end)
    return document


def encode_document(form: int, items: Iterable[Field | tuple[int, object]]) -> bytes:
    """Encode a document of form ``form`` from Fields and (tag, value) pairs.

    Fields keep their raw bytes; pairs are encoded by their dictionary type.
    Raises EncodeError for a value that does not fit or a document over 65535 bytes.
    """
    return encode_tlv(form, encode_fields(items))


def printed_fiscal_sign(value: bytes) -> int:
    """Return the printed ФПД number of a 6-byte fiscal sign (tag 1077).

    The ФФД prints bytes 2 to 5 read as a big-endian UInt32, so
    ``21 04 AA 10 75 41`` prints as 2853205313. Raises DecodeError for a value
    that is not 6 bytes long.
    """
    if len(value) != FISCAL_SIGN_SIZE:
        raise DecodeError(f"fiscal sign must be {FISCAL_SIGN_SIZE} bytes, got {len(value)}")
    return int.from_bytes(value[2:6], "big")


def fiscal_sign_value(printed: int, prefix: bytes = FISCAL_SIGN_PREFIX) -> bytes:
    """Build a 6-byte fiscal sign (tag 1077) that prints as ``printed``.

    The inverse of ``printed_fiscal_sign``. Raises EncodeError when ``printed``
    is outside UInt32 or ``prefix`` is not 2 bytes.
    """
    if not 0 <= printed <= 0xFFFFFFFF:
        raise EncodeError(f"printed fiscal sign {printed} is outside 0..4294967295")
    if len(prefix) != 2:
        raise EncodeError(f"fiscal sign prefix must be 2 bytes, got {len(prefix)}")
    return bytes(prefix) + printed.to_bytes(4, "big")
