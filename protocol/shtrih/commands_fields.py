"""Field types shared by the Штрих-М command codecs: construct adapters and text helpers.

Numbers are little-endian. Money is 5 bytes in kopecks, the quantity of 80h–83h is
5 bytes in thousandths and that of FF46h 6 bytes in millionths. Dates in the
register commands are DD MM YY and times HH MM SS, while the ФН commands send
YY MM DD [hh mm]. Years are 2000–2099. Printable text is cp1251. A NUL ends a
string, and fixed-width text fields are padded with NULs.

The adapters raise construct errors. ``commands_base`` turns them into
``DecodeError`` or ``EncodeError`` with the message class named.
"""

from __future__ import annotations

import datetime
import enum

import construct

from ..errors import DecodeError, EncodeError

TEXT_ENCODING = "cp1251"

MONEY = construct.BytesInteger(5, swapped=True)
"""5-byte little-endian unsigned amount in kopecks (the spec's range is 0..9999999999)."""

QUANTITY = construct.BytesInteger(5, swapped=True)
"""5-byte little-endian unsigned quantity in thousandths (1000 = one piece)."""

UINT48 = construct.BytesInteger(6, swapped=True)
"""6-byte little-endian unsigned integer (the binary ИНН of 11h, the cash registers of 1Ah)."""

QUANTITY_MILLIONTHS = construct.BytesInteger(6, swapped=True)
"""6-byte little-endian unsigned quantity in millionths (1000000 = one piece), as FF46h sends it."""

NOT_GIVEN = 0xFF_FFFF_FFFF
"""The 5-byte value FF FF FF FF FF that FF46h sends for "not given" in its sum and tax fields."""

MAX_MONEY = 9_999_999_999
"""Largest amount the spec allows in a 5-byte money field, in kopecks.

The codecs accept the whole 5-byte range so that any wire value decodes. The
dialect rejects larger amounts with an error answer.
"""


def encode_text(text: str, min_size: int = 0, name: str = "text") -> bytes:
    """Encode ``text`` as cp1251, NUL-padded on the right to at least ``min_size`` bytes.

    Raises EncodeError when the text contains NUL (it would end the string on the
    device) or a character that cp1251 cannot represent.
    """
    if "\0" in text:
        raise EncodeError(f"{name} contains NUL at character {text.index(chr(0))}; a NUL ends the string")
    try:
        raw = text.encode(TEXT_ENCODING)
    except UnicodeEncodeError as exc:
        raise EncodeError(f"{name} character {text[exc.start]!r} at {exc.start} has no cp1251 code") from exc
    return raw.ljust(min_size, b"\0")


def decode_text(raw: bytes, offset: int = 0, name: str = "text") -> str:
    """Decode cp1251 text that ends at the first NUL or at the end of ``raw``.

    ``offset`` is where ``raw`` starts in the body, used in the error. Raises
    DecodeError on a byte that cp1251 leaves undefined (98h).
    """
    end = raw.find(b"\0")
    if end >= 0:
        raw = raw[:end]
    try:
        return raw.decode(TEXT_ENCODING)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"{name} byte 0x{raw[exc.start]:02X} is not defined in cp1251",
                          offset + exc.start) from exc


def _check_year(year: int, path: str) -> int:
    if not 2000 <= year <= 2099:
        raise construct.ValidationError(f"year {year} is outside 2000..2099", path=path)
    return year - 2000


class _DateDMY(construct.Adapter):
    def _decode(self, obj, context, path):
        day, month, year = obj
        try:
            return datetime.date(2000 + year, month, day)
        except ValueError as exc:
            raise construct.ValidationError(f"invalid date {day:02}.{month:02}.{year:02}", path=path) from exc

    def _encode(self, obj, context, path):
        if not isinstance(obj, datetime.date):
            raise construct.ValidationError(f"{obj!r} is not a datetime.date", path=path)
        return bytes((obj.day, obj.month, _check_year(obj.year, path)))


class _TimeHMS(construct.Adapter):
    def _decode(self, obj, context, path):
        hour, minute, second = obj
        try:
            return datetime.time(hour, minute, second)
        except ValueError as exc:
            raise construct.ValidationError(f"invalid time {hour:02}:{minute:02}:{second:02}", path=path) from exc

    def _encode(self, obj, context, path):
        if not isinstance(obj, datetime.time):
            raise construct.ValidationError(f"{obj!r} is not a datetime.time", path=path)
        return bytes((obj.hour, obj.minute, obj.second))


class _FnDateTime(construct.Adapter):
    # Five zero bytes stand for "no date" (None), which a ФН without documents reports.
    def _decode(self, obj, context, path):
        if obj == b"\0" * 5:
            return None
        year, month, day, hour, minute = obj
        try:
            return datetime.datetime(2000 + year, month, day, hour, minute)
        except ValueError as exc:
            raise construct.ValidationError(
                f"invalid date and time {year:02}-{month:02}-{day:02} {hour:02}:{minute:02}", path=path) from exc

    def _encode(self, obj, context, path):
        if obj is None:
            return b"\0" * 5
        if not isinstance(obj, datetime.datetime):
            raise construct.ValidationError(f"{obj!r} is not a datetime.datetime or None", path=path)
        if obj.second or obj.microsecond:
            raise construct.ValidationError(f"{obj} has seconds; the field stores minutes only", path=path)
        return bytes((_check_year(obj.year, path), obj.month, obj.day, obj.hour, obj.minute))


class _FnDateTimeRequired(_FnDateTime):
    # For the optional DATE_TIME some FF answers append: present means a real date.
    def _decode(self, obj, context, path):
        value = super()._decode(obj, context, path)
        if value is None:
            raise construct.ValidationError("date and time is five zero bytes, expected a date", path=path)
        return value

    def _encode(self, obj, context, path):
        if obj is None:
            raise construct.ValidationError("date and time is None, expected a datetime.datetime", path=path)
        return super()._encode(obj, context, path)


class _FnDate(construct.Adapter):
    # YY MM DD. Three zero bytes stand for "no date" (None).
    def _decode(self, obj, context, path):
        if obj == b"\0" * 3:
            return None
        year, month, day = obj
        try:
            return datetime.date(2000 + year, month, day)
        except ValueError as exc:
            raise construct.ValidationError(f"invalid date {year:02}-{month:02}-{day:02}", path=path) from exc

    def _encode(self, obj, context, path):
        if obj is None:
            return b"\0" * 3
        if not isinstance(obj, datetime.date) or isinstance(obj, datetime.datetime):
            raise construct.ValidationError(f"{obj!r} is not a datetime.date or None", path=path)
        return bytes((_check_year(obj.year, path), obj.month, obj.day))


class _OptionalMoney(construct.Adapter):
    # FF FF FF FF FF is "not given" (None); any other value is kopecks.
    def _decode(self, obj, context, path):
        return None if obj == NOT_GIVEN else obj

    def _encode(self, obj, context, path):
        if obj is None:
            return NOT_GIVEN
        if obj == NOT_GIVEN:
            raise construct.ValidationError(f"{obj} is the 'not given' marker; pass None instead", path=path)
        return obj


class _PaddedText(construct.Adapter):
    """Exactly ``size`` bytes of cp1251 text, NUL-padded; the text ends at the first NUL."""

    def __init__(self, size: int):
        super().__init__(construct.Bytes(size))
        self.size = size

    def _decode(self, obj, context, path):
        try:
            return decode_text(obj)
        except DecodeError as exc:
            raise construct.ValidationError(str(exc), path=path) from exc

    def _encode(self, obj, context, path):
        if not isinstance(obj, str):
            raise construct.ValidationError(f"{obj!r} is not a str", path=path)
        try:
            raw = encode_text(obj, self.size)
        except EncodeError as exc:
            raise construct.ValidationError(str(exc), path=path) from exc
        if len(raw) > self.size:
            raise construct.ValidationError(f"{obj!r} is {len(raw)} bytes, the field is {self.size}", path=path)
        return raw


class _FixedString(construct.Adapter):
    """Exactly ``size`` characters in ``encoding``, no padding, no stripping."""

    def __init__(self, size: int, encoding: str):
        super().__init__(construct.Bytes(size))
        self.size = size
        self.encoding = encoding

    def _decode(self, obj, context, path):
        try:
            return obj.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise construct.ValidationError(f"{obj!r} is not {self.encoding} text", path=path) from exc

    def _encode(self, obj, context, path):
        if not isinstance(obj, str):
            raise construct.ValidationError(f"{obj!r} is not a str", path=path)
        try:
            raw = obj.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise construct.ValidationError(f"{obj!r} is not {self.encoding} text", path=path) from exc
        if len(raw) != self.size:
            raise construct.ValidationError(f"{obj!r} is {len(raw)} bytes, the field is exactly {self.size}",
                                            path=path)
        return raw


class _StrictBool(construct.Adapter):
    def _decode(self, obj, context, path):
        if obj not in (0, 1):
            raise construct.ValidationError(f"flag byte is {obj}, expected 0 or 1", path=path)
        return bool(obj)

    def _encode(self, obj, context, path):
        if not isinstance(obj, bool):
            raise construct.ValidationError(f"{obj!r} is not a bool", path=path)
        return int(obj)


class _EnumByte(construct.Adapter):
    def __init__(self, enum_type: type[enum.IntEnum]):
        super().__init__(construct.Int8ul)
        self.enum_type = enum_type

    def _decode(self, obj, context, path):
        try:
            return self.enum_type(obj)
        except ValueError as exc:
            raise construct.ValidationError(f"{obj} is not a {self.enum_type.__name__} value", path=path) from exc

    def _encode(self, obj, context, path):
        try:
            return int(self.enum_type(obj))
        except ValueError as exc:
            raise construct.ValidationError(f"{obj!r} is not a {self.enum_type.__name__} value", path=path) from exc


class _TupleArray(construct.Adapter):
    def _decode(self, obj, context, path):
        return tuple(obj)

    def _encode(self, obj, context, path):
        return list(obj)


DATE_DMY = _DateDMY(construct.Bytes(3))
"""3-byte date DD MM YY as ``datetime.date``."""

TIME_HMS = _TimeHMS(construct.Bytes(3))
"""3-byte time HH MM SS as ``datetime.time``."""

FN_DATETIME = _FnDateTime(construct.Bytes(5))
"""5-byte ФН date and time YY MM DD hh mm as ``datetime.datetime``, or None for five zero bytes."""

FN_DATETIME_REQUIRED = _FnDateTimeRequired(construct.Bytes(5))
"""5-byte ФН date and time YY MM DD hh mm as ``datetime.datetime``; five zero bytes are invalid."""

FN_DATE = _FnDate(construct.Bytes(3))
"""3-byte ФН date YY MM DD as ``datetime.date``, or None for three zero bytes."""

OPTIONAL_MONEY = _OptionalMoney(MONEY)
"""5-byte amount in kopecks, or None for FF FF FF FF FF ("not given")."""

STRICT_BOOL = _StrictBool(construct.Int8ul)
"""One byte that must be 0 or 1, as ``bool``."""

TAXES = _TupleArray(construct.Array(4, construct.Int8ul))
"""Four tax group bytes (0 none, 1–4 group) as a tuple of four ints."""


def padded_text(size: int) -> construct.Construct:
    """Return a field of exactly ``size`` bytes of NUL-padded cp1251 text, as ``str``.

    Decoding stops at the first NUL, so bytes after it are not kept. Encoding
    rejects text longer than ``size`` bytes or containing NUL.
    """
    return _PaddedText(size)


def money_array(count: int) -> construct.Construct:
    """Return ``count`` consecutive 5-byte amounts in kopecks as a tuple."""
    return _TupleArray(construct.Array(count, MONEY))


def fixed_string(size: int, encoding: str) -> construct.Construct:
    """Return a field of exactly ``size`` bytes of ``encoding`` text, as ``str``."""
    return _FixedString(size, encoding)


def tuple_array(count: int, subcon: construct.Construct) -> construct.Construct:
    """Return ``count`` consecutive ``subcon`` fields as a tuple."""
    return _TupleArray(construct.Array(count, subcon))


def enum_byte(enum_type: type[enum.IntEnum]) -> construct.Construct:
    """Return a one-byte field whose values must belong to ``enum_type``."""
    return _EnumByte(enum_type)
