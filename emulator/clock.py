"""The emulator's injectable wall clock.

Every rule with a deadline (the 24-hour shift, document times, later the 30 days
without the ОФД) reads time through a ``Clock`` so tests and the control API can
freeze, set or advance it. Times are naive local wall-clock datetimes, the way
registers and ФН keep them.
"""

from __future__ import annotations

import datetime as dt
import threading


class Clock:
    """A wall clock that runs with the system clock plus an offset, or is frozen.

    ``set`` moves the clock to a moment and keeps it running from there (or frozen,
    if it was frozen); ``advance`` moves it by a delta. All methods are thread-safe
    because transports may run in another thread than the test driving the clock.
    """

    def __init__(self, start: dt.datetime | None = None, frozen: bool = False):
        self._lock = threading.Lock()
        self._offset = dt.timedelta(0)
        self._frozen_at: dt.datetime | None = None
        if start is not None:
            self._check_naive(start)
            self._offset = start - dt.datetime.now()
        if frozen:
            self._frozen_at = start if start is not None else self._system_now()

    @staticmethod
    def _check_naive(moment: dt.datetime) -> None:
        if moment.tzinfo is not None:
            raise ValueError(f"clock times are naive local times, got {moment.isoformat()}")

    def _system_now(self) -> dt.datetime:
        return dt.datetime.now() + self._offset

    def now(self) -> dt.datetime:
        """Return the current emulated local time."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return self._system_now()

    @property
    def frozen(self) -> bool:
        """True while the clock is frozen."""
        return self._frozen_at is not None

    def set(self, moment: dt.datetime) -> None:
        """Move the clock to ``moment``; a frozen clock stays frozen there."""
        self._check_naive(moment)
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = moment
            else:
                self._offset = moment - dt.datetime.now()

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward (or back, for a negative delta)."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta

    def freeze(self) -> None:
        """Stop the clock at the current emulated time."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = self._system_now()

    def unfreeze(self) -> None:
        """Let a frozen clock run again from the time it shows."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - dt.datetime.now()
                self._frozen_at = None


FIRST_YEAR = 2000  # the years a two-digit year (DD MM YY, the ФН's YY) shows: 2000..2099
CENTURY_YEARS = 100


def within_two_digit_years(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` with its year wrapped into 2000..2099, as a clock keeping a two-digit year shows it.

    31.12.2099 23:59:59 is followed by 01.01.2000 00:00:00. Shifting by whole
    centuries keeps 29 February valid, because 2000 is a leap year.
    """
    if FIRST_YEAR <= moment.year < FIRST_YEAR + CENTURY_YEARS:
        return moment
    return moment.replace(year=FIRST_YEAR + (moment.year - FIRST_YEAR) % CENTURY_YEARS)


class OffsetClock:
    """A clock that runs ``offset`` seconds ahead of (or behind) a base clock.

    The register's own clock is one: setting its date and time (21h, 22h/23h)
    moves the offset, while the ФН timer keeps reading the base clock, as a
    real ФН keeps its own timer. Its year has two digits, like the DD MM YY
    fields the register reports it in and the YY of the ФН's DATE_TIME.
    """

    def __init__(self, base: Clock, offset: float = 0.0):
        self.base = base
        self.offset = offset

    def now(self) -> dt.datetime:
        """Return the base time plus the offset, its year wrapped into 2000..2099.

        Past 2099 the clock reads 2000 again, so the ФН refuses the documents it
        dates (earlier than its last document, or off its timer) instead of the
        register failing to encode the year.
        """
        return within_two_digit_years(self.base.now() + dt.timedelta(seconds=self.offset))

    def set(self, moment: dt.datetime) -> None:
        """Move this clock (not the base) so that it reads ``moment`` now."""
        self.offset = (moment - self.base.now()).total_seconds()
