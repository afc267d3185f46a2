"""Human and JSON renderings of decoded ФФД fields, for the CLI.

Text rendering:

* money as rubles with two decimals, FVLN with its own scale;
* UnixTime as "YYYY-MM-DD HH:MM:SS", the local time the document carries;
* strings without their space padding and with control characters escaped;
* byte arrays as hex, the fiscal sign 1077 as its printed number.

Raw bytes never reach the text, because some tags (1162, for one) are binary.

JSON rendering keeps values exact instead: kopecks as int, Decimal as a
string, strings with their padding, bytes as hex.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from decimal import Decimal

from ..errors import DecodeError, KktemuError
from .documents import Document, printed_fiscal_sign
from .fields import Field
from .tags import FISCAL_SIGN_TAG, is_money

_LABELS = {
    "en": {"unknown": "(unknown)", "invalid": "invalid", "empty": "(empty)", "fields": "{} fields",
           "no_bits": "no bits", "bit": "bit", "bits": "bits"},
    "ru": {"unknown": "(неизвестный реквизит)", "invalid": "ошибка", "empty": "(пусто)",
           "fields": "реквизитов: {}", "no_bits": "нет битов", "bit": "бит", "bits": "биты"},
}
_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _labels(lang: str) -> dict[str, str]:
    try:
        return _LABELS[lang]
    except KeyError:
        raise KktemuError(f"unknown display language {lang!r}: use 'en' or 'ru'") from None


def format_hex(data: bytes) -> str:
    """Return ``data`` as upper-case hex byte pairs separated by spaces ("D2 04")."""
    return data.hex(" ").upper()


def format_money(kopecks: int) -> str:
    """Return a kopeck amount as rubles with two decimals (12345 -> "123.45")."""
    sign = "-" if kopecks < 0 else ""
    rubles, kopecks = divmod(abs(kopecks), 100)
    return f"{sign}{rubles}.{kopecks:02d}"


def _format_text(text: str) -> str:
    text = text.strip(" ")
    if text.isprintable():
        return text
    return "".join(_ESCAPES.get(char, f"\\x{ord(char):02x}") if not char.isprintable() else char
                   for char in text)


def _format_bits(value: int, labels: dict[str, str]) -> str:
    bits = [str(bit) for bit in range(value.bit_length()) if value >> bit & 1]
    if not bits:
        return f"0 ({labels['no_bits']})"
    word = labels["bit"] if len(bits) == 1 else labels["bits"]
    return f"{value} ({word} {', '.join(bits)})"


def tag_label(field: Field, lang: str = "en") -> str:
    """Return the field's tag name in ``lang``, or the "(unknown)" label."""
    labels = _labels(lang)
    return field.name(lang) or labels["unknown"]


def format_value(field: Field, lang: str = "en") -> str:
    """Render a field's value for people, in ``lang`` ("en" or "ru").

    An unknown tag renders as hex, and a value that failed to decode as its
    error and hex. An STLV renders as its field count, and ``format_fields``
    renders its children.
    """
    labels = _labels(lang)
    value = field.value
    if field.error is not None:
        return f"({labels['invalid']}: {field.error}) {format_hex(field.raw) or labels['empty']}"
    if field.info is None or isinstance(value, bytes):
        if field.tag == FISCAL_SIGN_TAG:
            try:
                return str(printed_fiscal_sign(value))
            except DecodeError:
                pass
        return format_hex(value) or labels["empty"]
    if isinstance(value, list):
        return labels["fields"].format(len(value))
    if isinstance(value, str):
        return _format_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if is_money(field.tag):
        return format_money(value)
    if field.info.bitmask:
        return _format_bits(value, labels)
    return str(value)


def format_field(field: Field, lang: str = "en") -> str:
    """Render one field as a line: "1020 receipt total: 123.45", "1115 (unknown): D2 04".

    An STLV line ends with the colon; its children follow in ``format_fields``.
    """
    head = f"{field.tag} {tag_label(field, lang)}:"
    if field.error is None and isinstance(field.value, list):
        return head
    return f"{head} {format_value(field, lang)}"


def format_fields(fields: Iterable[Field], lang: str = "en", indent: str = "  ") -> list[str]:
    """Render a field tree as lines, STLV children indented under their parent."""
    lines: list[str] = []
    _append_lines(lines, fields, lang, indent, 0)
    return lines


def _append_lines(lines: list[str], fields: Iterable[Field], lang: str, indent: str, depth: int) -> None:
    for field in fields:
        lines.append(indent * depth + format_field(field, lang))
        if field.error is None and isinstance(field.value, list):
            _append_lines(lines, field.value, lang, indent, depth + 1)


def field_to_json(field: Field, lang: str = "en") -> dict[str, object]:
    """Convert a field tree to JSON-ready data.

    Returns ``{"tag", "name", "value"}`` plus ``"error"`` for a value that
    failed to decode and ``"printed"`` (the printed ФПД) for a 6-byte 1077.
    Values: int as int (money stays in kopecks), Decimal as a string keeping
    its scale, str unchanged, datetime as ISO 8601 without a zone, bytes and
    failed values as upper-case hex without spaces, STLV as a list of these
    objects. ``name`` is None for an unknown tag.
    """
    _labels(lang)
    item: dict[str, object] = {"tag": field.tag, "name": field.name(lang)}
    value = field.value
    if field.error is not None:
        item["value"] = field.raw.hex().upper()
        item["error"] = field.error
    elif isinstance(value, list):
        item["value"] = [field_to_json(child, lang) for child in value]
    elif isinstance(value, bytes):
        item["value"] = value.hex().upper()
        if field.tag == FISCAL_SIGN_TAG and field.info is not None and len(value) == 6:
            item["printed"] = printed_fiscal_sign(value)
    elif isinstance(value, Decimal):
        item["value"] = format(value, "f")
    elif isinstance(value, _dt.datetime):
        item["value"] = value.isoformat()
    else:
        item["value"] = value
    return item


def fields_to_json(fields: Iterable[Field], lang: str = "en") -> list[dict[str, object]]:
    """Convert a list of fields with ``field_to_json``."""
    return [field_to_json(field, lang) for field in fields]


def document_to_json(document: Document, lang: str = "en") -> dict[str, object]:
    """Convert a document to ``{"form", "name", "fields"}`` JSON-ready data."""
    return {"form": document.form, "name": document.name(lang),
            "fields": fields_to_json(document.fields, lang)}

