"""Clock commands: 21h set the time, 22h set the date, 23h confirm the date.

Setting the date takes two steps: 22h puts the register in mode 6 ("waiting for
the date to be confirmed") and 23h with the same date applies it. All three
take the system administrator password and answer ``CMD 00`` (LEN 2).

The date and time bytes are kept as sent, not as ``datetime`` values, because a
register answers an impossible date such as 31.02 with its own error code
(7Dh, "неверный формат даты") and not with a length error. ``date()`` and
``time()`` return None for such values.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import ClassVar

import construct

from .commands_base import PASSWORD, EmptyAnswer, Message, Pair

MAX_TWO_DIGIT_YEAR = 99  # DD MM YY dates cover 2000..2099

_TIME_LAYOUT = construct.Struct(
    "password" / PASSWORD,
    "hour" / construct.Int8ul,
    "minute" / construct.Int8ul,
    "second" / construct.Int8ul,
)
_DATE_LAYOUT = construct.Struct(
    "password" / PASSWORD,
    "day" / construct.Int8ul,
    "month" / construct.Int8ul,
    "year" / construct.Int8ul,
)


@dataclasses.dataclass(frozen=True)
class SetTimeRequest(Message):
    """21h set the clock to ``hour``:``minute``:``second``, LEN 8."""

    CODE: ClassVar[int] = 0x21
    LAYOUT: ClassVar[construct.Struct] = _TIME_LAYOUT

    password: int
    hour: int
    minute: int
    second: int

    @classmethod
    def at(cls, password: int, moment: datetime.time) -> SetTimeRequest:
        """Return the request that sets ``moment`` (microseconds are dropped)."""
        return cls(password, moment.hour, moment.minute, moment.second)

    def time(self) -> datetime.time | None:
        """Return the requested time, or None when the bytes form no valid time."""
        try:
            return datetime.time(self.hour, self.minute, self.second)
        except ValueError:
            return None


@dataclasses.dataclass(frozen=True)
class SetTimeAnswer(EmptyAnswer):
    """21h answer: ``21 00``, no fields."""

    CODE: ClassVar[int] = 0x21


class _DateRequest(Message):
    """A request carrying a DD MM YY date. ``year`` is the two-digit year, 2000-based."""

    LAYOUT: ClassVar[construct.Struct] = _DATE_LAYOUT

    day: int
    month: int
    year: int

    @classmethod
    def on(cls, password: int, day: datetime.date):
        """Return the request for ``day``. Raises ValueError for a year outside 2000–2099."""
        if not 2000 <= day.year <= 2099:
            raise ValueError(f"year {day.year} is outside 2000..2099")
        return cls(password, day.day, day.month, day.year - 2000)

    def date(self) -> datetime.date | None:
        """Return the requested date, or None when the bytes form no valid date.

        The year byte counts from 2000 and DD MM YY has two digits for it, so a
        byte above 99 (years 2100..2255) is no valid date either.
        """
        if self.year > MAX_TWO_DIGIT_YEAR:
            return None
        try:
            return datetime.date(2000 + self.year, self.month, self.day)
        except ValueError:
            return None


@dataclasses.dataclass(frozen=True)
class SetDateRequest(_DateRequest):
    """22h set the date to ``day``.``month``.``year``, LEN 8. 23h must confirm it."""

    CODE: ClassVar[int] = 0x22

    password: int
    day: int
    month: int
    year: int


@dataclasses.dataclass(frozen=True)
class SetDateAnswer(EmptyAnswer):
    """22h answer: ``22 00``, no fields."""

    CODE: ClassVar[int] = 0x22


@dataclasses.dataclass(frozen=True)
class ConfirmDateRequest(_DateRequest):
    """23h confirm the date that 22h set by sending it again, LEN 8."""

    CODE: ClassVar[int] = 0x23

    password: int
    day: int
    month: int
    year: int


@dataclasses.dataclass(frozen=True)
class ConfirmDateAnswer(EmptyAnswer):
    """23h answer: ``23 00``, no fields."""

    CODE: ClassVar[int] = 0x23


PAIRS: tuple[Pair, ...] = (
    (SetTimeRequest, SetTimeAnswer),
    (SetDateRequest, SetDateAnswer),
    (ConfirmDateRequest, ConfirmDateAnswer),
)

__all__ = [
    "ConfirmDateAnswer", "ConfirmDateRequest", "SetDateAnswer", "SetDateRequest", "SetTimeAnswer", "SetTimeRequest",
]
