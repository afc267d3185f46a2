"""Field codecs shared by ФН interface messages.

Numbers are little-endian. DATE_TIME is 5 binary bytes ``YY MM DD hh mm`` with
YY = year - 2000; DATE is the first 3 of them. Text fields are ASCII of a fixed
width, padded on the right with spaces. Several answers carry an all-zero
DATE_TIME or DATE where there is no value (no document yet); the ``*_or_none``
codecs map that to None.
"""

from __future__ import annotations

import datetime as _dt

from ..errors import DecodeError, EncodeError

DATE_TIME_SIZE = 5
DATE_SIZE = 3
_BASE_YEAR = 2000


def encode_date_time(moment: _dt.datetime) -> bytes:
    """Encode a naive datetime as DATE_TIME; seconds and microseconds are dropped.

    The field has minute resolution, so truncating is the format's own rounding.
    Raises EncodeError for an aware datetime or a year outside 2000..2255.
    """
    if moment.tzinfo is not None:
        raise EncodeError(f"DATE_TIME needs a naive local time, got {moment.isoformat()}")
    return _encode_date(moment.date()) + bytes((moment.hour, moment.minute))


def decode_date_time(data: bytes) -> _dt.datetime:
    """Decode a 5-byte DATE_TIME. Raises DecodeError for a wrong size or an impossible date."""
    if len(data) != DATE_TIME_SIZE:
        raise DecodeError(f"DATE_TIME is 5 bytes, got {len(data)}")
    day = decode_date(data[:DATE_SIZE])
    hour, minute = data[3], data[4]
    if hour > 23 or minute > 59:
        raise DecodeError(f"DATE_TIME has an impossible time {hour:02d}:{minute:02d}")
    return _dt.datetime.combine(day, _dt.time(hour, minute))


def encode_date_time_or_none(moment: _dt.datetime | None) -> bytes:
    """Encode a DATE_TIME, writing five zero bytes for None."""
    return bytes(DATE_TIME_SIZE) if moment is None else encode_date_time(moment)


def decode_date_time_or_none(data: bytes) -> _dt.datetime | None:
    """Decode a DATE_TIME where five zero bytes mean "no value"."""
    if len(data) == DATE_TIME_SIZE and not any(data):
        return None
    return decode_date_time(data)


def _encode_date(day: _dt.date) -> bytes:
    if not _BASE_YEAR <= day.year <= _BASE_YEAR + 0xFF:
        raise EncodeError(f"year {day.year} does not fit a ФН date (2000..2255)")
    return bytes((day.year - _BASE_YEAR, day.month, day.day))


def encode_date(day: _dt.date) -> bytes:
    """Encode a date as 3-byte DATE. Raises EncodeError for a year outside 2000..2255."""
    if isinstance(day, _dt.datetime):
        day = day.date()
    return _encode_date(day)


def decode_date(data: bytes) -> _dt.date:
    """Decode a 3-byte DATE. Raises DecodeError for a wrong size or an impossible date."""
    if len(data) != DATE_SIZE:
        raise DecodeError(f"DATE is 3 bytes, got {len(data)}")
    try:
        return _dt.date(_BASE_YEAR + data[0], data[1], data[2])
    except ValueError:
        raise DecodeError(f"DATE {data.hex(' ')} is not a calendar date") from None


def encode_date_or_none(day: _dt.date | None) -> bytes:
    """Encode a DATE, writing three zero bytes for None."""
    return bytes(DATE_SIZE) if day is None else encode_date(day)


def decode_date_or_none(data: bytes) -> _dt.date | None:
    """Decode a DATE where three zero bytes mean "no value"."""
    if len(data) == DATE_SIZE and not any(data):
        return None
    return decode_date(data)


def encode_ascii(text: str, width: int) -> bytes:
    """Encode text as ASCII right-padded with spaces to ``width`` bytes.

    Raises EncodeError for non-ASCII text or text longer than the field.
    """
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise EncodeError(f"text {text!r} is not ASCII") from None
    if len(raw) > width:
        raise EncodeError(f"text {text!r} is {len(raw)} bytes, the field holds {width}")
    return raw.ljust(width, b" ")


def decode_ascii(data: bytes) -> str:
    """Decode a fixed-width ASCII field, dropping the space padding on the right."""
    try:
        return data.decode("ascii").rstrip(" ")
    except UnicodeDecodeError:
        raise DecodeError(f"text field {data.hex(' ')} is not ASCII") from None


def encode_uint(value: int, size: int, name: str) -> bytes:
    """Encode an unsigned little-endian integer of ``size`` bytes; ``name`` labels errors."""
    if not 0 <= value < 1 << (8 * size):
        raise EncodeError(f"{name} {value} does not fit {size} unsigned bytes")
    return value.to_bytes(size, "little")


class FieldReader:
    """Sequential reader over one message body; every read checks the remaining length.

    Errors are DecodeError with the offset of the field that did not fit, so a
    caller can answer the device's format error.
    """

    def __init__(self, data: bytes, what: str):
        self._data = bytes(data)
        self._offset = 0
        self._what = what

    @property
    def remaining(self) -> int:
        """Number of bytes not read yet."""
        return len(self._data) - self._offset

    def take(self, size: int, field: str) -> bytes:
        """Read ``size`` raw bytes."""
        if self.remaining < size:
            raise DecodeError(
                f"{self._what}: {field} needs {size} bytes, {self.remaining} left", self._offset
            )
        chunk = self._data[self._offset:self._offset + size]
        self._offset += size
        return chunk

    def uint(self, size: int, field: str) -> int:
        """Read an unsigned little-endian integer of ``size`` bytes."""
        return int.from_bytes(self.take(size, field), "little")

    def date_time(self, field: str) -> _dt.datetime:
        """Read a DATE_TIME."""
        return self._reparse(decode_date_time, self.take(DATE_TIME_SIZE, field), field)

    def date_time_or_none(self, field: str) -> _dt.datetime | None:
        """Read a DATE_TIME where zeros mean no value."""
        raw = self.take(DATE_TIME_SIZE, field)
        return None if not any(raw) else self._reparse(decode_date_time, raw, field)

    def date_or_none(self, field: str) -> _dt.date | None:
        """Read a DATE where zeros mean no value."""
        raw = self.take(DATE_SIZE, field)
        return None if not any(raw) else self._reparse(decode_date, raw, field)

    def date(self, field: str) -> _dt.date:
        """Read a DATE."""
        return self._reparse(decode_date, self.take(DATE_SIZE, field), field)

    def ascii(self, width: int, field: str) -> str:
        """Read a fixed-width ASCII field without its right padding."""
        return self._reparse(decode_ascii, self.take(width, field), field)

    def rest(self) -> bytes:
        """Read everything left."""
        return self.take(self.remaining, "rest")

    def finish(self) -> None:
        """Raise DecodeError when bytes are left over after the last field."""
        if self.remaining:
            raise DecodeError(f"{self._what}: {self.remaining} unexpected bytes after the last field", self._offset)

    def _reparse(self, decoder, raw: bytes, field: str):
        try:
            return decoder(raw)
        except DecodeError as exc:
            raise DecodeError(f"{self._what}: {field}: {exc}", self._offset - len(raw)) from None
