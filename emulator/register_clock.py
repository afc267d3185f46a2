"""The register's clock: set the time, set and confirm the date.

Setting the date takes two steps, as on Штрих-М registers: ``set_date`` keeps
the date waiting (mode 6) and ``confirm_date`` with the same date applies it.
Both move only the register's own clock (an offset over the base clock, kept in
the register memory). The ФН keeps its timer on the base clock, so it refuses
a document dated before its last one (ФН result 07h) or off its timer by more
than 5 minutes (17h) by its own rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging

from .refusals import Reason, Refusal

logger = logging.getLogger(__name__)


class ClockOperations:
    """Mixin of ``Register``: programming the date and time (21h, 22h, 23h)."""

    @property
    def pending_date(self) -> dt.date | None:
        """The date set and not yet confirmed, or None."""
        return self.device.pending_date

    def set_time(self, time: dt.time | None) -> None:
        """Set the time of day, keeping the date. None (an impossible time) is refused with 33h."""
        self._require_no_receipt()
        if time is None:
            raise Refusal(Reason.INVALID_PARAMETER, "invalid time")
        self._move_clock(dt.datetime.combine(self.now().date(), time))

    def set_date(self, date: dt.date | None) -> None:
        """Keep ``date`` waiting for confirmation (mode 6). None (an impossible date) is refused (7Dh)."""
        self._require_no_receipt()
        if date is None:
            raise Refusal(Reason.INVALID_DATE)
        self.device.pending_date = date

    def confirm_date(self, date: dt.date | None) -> None:
        """Apply the waiting date when ``date`` repeats it.

        Raises Refusal: 73h when no date waits, 7Dh for an impossible date,
        7Ch for another date (the waiting date stays), 74h when the memory cannot
        be saved.
        """
        pending = self.device.pending_date
        if pending is None:
            raise Refusal(Reason.NOT_IN_THIS_MODE, "no date is waiting for confirmation")
        if date is None:
            raise Refusal(Reason.INVALID_DATE)
        if date != pending:
            raise Refusal(Reason.DATE_MISMATCH, f"{date.isoformat()} is not {pending.isoformat()}")
        self._move_clock(dt.datetime.combine(date, self.now().time()))
        self.device.pending_date = None

    def _move_clock(self, moment: dt.datetime) -> None:
        previous_state = copy.deepcopy(self.memory.state)
        previous_offset = self.clock.offset
        self.clock.set(moment.replace(microsecond=0))
        try:
            self._save_or_restore(previous_state)
        except Refusal:
            self.clock.offset = previous_offset
            raise
        logger.info("register clock set to %s (%+.0f s from the ФН timer)", moment.isoformat(), self.clock.offset)
