"""The ring of the last refused commands, returned by 35h «Запрос последних ошибок ФН».

The interface description leaves the content of the 35h answer (at most 256
bytes) to the ФН maker. kktemu's ФН returns one 7-byte entry per refused
command, newest first: command code, result code, DATE_TIME (ФН timer). The
ring keeps the last ``CAPACITY`` refusals in memory, so it starts empty each
time the archive is opened.
"""

from __future__ import annotations

import datetime as _dt
from collections import deque
from dataclasses import dataclass

from ..protocol.errors import DecodeError, EncodeError
from ..protocol.fn.fields import DATE_TIME_SIZE, FieldReader, encode_date_time

ENTRY_SIZE = 7
CAPACITY = 32  # 32 entries of 7 bytes fit the 256-byte limit of the answer


@dataclass(frozen=True)
class ErrorEntry:
    """One refused command: its code, the result code and the ФН timer (minute resolution).

    ``moment`` is None when the timer was outside the years 2000..2255 that
    DATE_TIME can carry; the entry then holds five zero bytes.
    """

    command: int
    result: int
    moment: _dt.datetime | None

    def encode(self) -> bytes:
        """Encode the 7-byte entry."""
        try:
            moment = bytes(DATE_TIME_SIZE) if self.moment is None else encode_date_time(self.moment)
        except EncodeError:
            moment = bytes(DATE_TIME_SIZE)
        return bytes((self.command, self.result)) + moment


class LastErrors:
    """A ring of the last ``CAPACITY`` refusals."""

    def __init__(self) -> None:
        self._entries: deque[ErrorEntry] = deque(maxlen=CAPACITY)

    def record(self, command: int, result: int, moment: _dt.datetime) -> None:
        """Add a refusal of ``command`` with ``result`` at ФН timer ``moment``; the oldest drops out when full."""
        self._entries.append(ErrorEntry(command & 0xFF, result & 0xFF, moment.replace(second=0, microsecond=0)))

    def clear(self) -> None:
        """Forget every entry (the debug reset 60h does this)."""
        self._entries.clear()

    def entries(self) -> list[ErrorEntry]:
        """Return the entries, newest first."""
        return list(reversed(self._entries))

    def encode(self) -> bytes:
        """Encode the 35h answer: the entries newest first."""
        return b"".join(entry.encode() for entry in self.entries())


def decode_last_errors(data: bytes) -> list[ErrorEntry]:
    """Decode a 35h answer of kktemu's ФН. Raises DecodeError when it is not whole 7-byte entries."""
    if len(data) % ENTRY_SIZE:
        raise DecodeError(f"35h answer of {len(data)} bytes is not whole {ENTRY_SIZE}-byte entries")
    entries = []
    reader = FieldReader(data, "35h answer")
    while reader.remaining:
        command = reader.uint(1, "command")
        result = reader.uint(1, "result")
        entries.append(ErrorEntry(command, result, reader.date_time_or_none("date and time")))
    reader.finish()
    return entries
