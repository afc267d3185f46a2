"""Resources of the ФН: validity of the fiscal sign keys, archive places, warning flags.

Validity runs for ``FnProfile.validity_months`` from the ФН timer of the first
registration report of the archive (to the same clock time, or the last day
of a shorter month). From the expiry moment on the ФН forms only the reports
that end its work: the close shift report, the report on the state of
settlements and the report on closing the fiscal mode. An open shift report
or a re-registration is refused with 05h «закончен срок эксплуатации ФН» and
a receipt with 12h «исчерпан ресурс КС», the codes the interface description
lists for 12h and 16h.

Archive places: every document leaves free the places of the documents that
must still be possible after it (``places_kept``): the report on closing the
fiscal mode, and the close shift report while a shift is open. A document
that would take one of those places is refused with 06h «архив ФН
переполнен».

The 30-day area (3Dh) keeps the documents of the last 30 days by the ФН
timer. In the data transmission mode an open shift report, a receipt or a
close shift report that does not fit in its free bytes is refused with 14h
«исчерпан ресурс хранения». NOTE: the interface description does not say how
a real ФН frees that area; kktemu frees it by age, so 3Dh and 14h agree.

The warning flags of 30h (and bit 7 of every answer code) are:

* b0 «срочная замена КС»: 3 days or less of validity left;
* b1 «исчерпание ресурса КС»: 30 days or less left;
* b2 «архив заполнен на 90 %»: 90 % or more of the archive places used;
* b3 «превышено время ожидания ответа ОФД»: the oldest document waiting for
  the ОФД is older than ``FnProfile.ofd_timeout`` by the ФН timer;
* b7 «критическая ошибка ФН»: the model has no failure state that would set it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ..protocol.errors import KktemuError
from ..protocol.fn.codes import FnResult
from ..protocol.fn.service import FnWarning
from .archive_file import ArchivedDocument
from .profile import FnProfile

URGENT_REPLACEMENT = _dt.timedelta(days=3)
RESOURCE_ENDING = _dt.timedelta(days=30)
THIRTY_DAYS = _dt.timedelta(days=30)


def add_months(moment: _dt.datetime, months: int) -> _dt.datetime:
    """Return ``moment`` moved ``months`` calendar months on, on the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class Validity:
    """Validity of the fiscal sign keys: from ``start`` (ФН timer) to ``expiry``."""

    start: _dt.datetime
    expiry: _dt.datetime

    @classmethod
    def from_start(cls, start: _dt.datetime, profile: FnProfile) -> Validity:
        """Return the validity that begins at ``start`` and lasts the profile's months."""
        return cls(start, add_months(start, profile.validity_months))

    def expired(self, now: _dt.datetime) -> bool:
        """Tell whether the keys no longer sign at ``now`` (the expiry moment itself included)."""
        return now >= self.expiry

    def days_left(self, moment: _dt.datetime) -> int:
        """Return whole calendar days from the date of ``moment`` to the expiry date, 0 when past.

        The day of ``moment`` itself does not count, as реквизит 1213 requires.
        """
        return max((self.expiry.date() - moment.date()).days, 0)

    def warnings(self, now: _dt.datetime) -> FnWarning:
        """Return flags b0 and b1 for the ФН timer ``now``."""
        left = self.expiry - now
        flags = FnWarning(0)
        if left <= RESOURCE_ENDING:
            flags |= FnWarning.CRYPTO_RESOURCE_ENDING
        if left <= URGENT_REPLACEMENT:
            flags |= FnWarning.CRYPTO_REPLACE_URGENT
        return flags


def archive_nearly_full(documents: int, profile: FnProfile) -> bool:
    """Tell whether ``documents`` use 90 % or more of the archive places (flag b2)."""
    return documents * 10 >= profile.archive_capacity * 9


def archive_over_99_percent(documents: int, profile: FnProfile) -> bool:
    """Tell whether ``documents`` fill more than 99 % of the archive (реквизит 1052 «память ФН заполнена»)."""
    return documents * 100 > profile.archive_capacity * 99


def places_kept(fiscal_after: bool, shift_open_after: bool) -> int:
    """Return the archive places a document must leave free behind it.

    While the ФН stays in the fiscal mode, one place stays free for the report
    on closing the fiscal mode. While a shift stays open, one more stays free
    for the close shift report. So the ФН can always end its work.
    """
    return int(fiscal_after) + int(shift_open_after)


def ofd_timed_out(oldest_waiting: _dt.datetime | None, now: _dt.datetime, profile: FnProfile) -> bool:
    """Tell whether a document formed at ФН timer ``oldest_waiting`` has waited longer than the profile allows."""
    return oldest_waiting is not None and now - oldest_waiting > profile.ofd_timeout


def recent_bytes(documents: list[ArchivedDocument], now: _dt.datetime) -> int:
    """Return the bytes of the documents formed in the 30 days before ФН timer ``now`` (the 30-day area)."""
    since = now - THIRTY_DAYS
    return sum(len(document.stlv) for document in documents if document.fn_time > since)


class DocumentRefused(KktemuError):
    """Raised inside the ФН model when a resource rule refuses a document about to be formed.

    ``FiscalStorage.execute`` turns it into the answer ``result``; it never
    leaves ``execute``.
    """

    def __init__(self, result: FnResult, reason: str):
        super().__init__(reason)
        self.result = result
