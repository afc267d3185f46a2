"""The ``--clock`` and ``--freeze-clock`` options: where the emulated clock starts and whether it runs.

One ``Clock`` drives both the register and the ФН timer (``kktemu serve``), or
the ФН timer alone (``kktemu fn serve``), so every deadline (the 24-hour shift,
the 5-minute rule, the ФН validity, the ОФД timeout) can be reached without
waiting. ``--clock`` takes an ISO 8601 local date and time as
``datetime.fromisoformat`` reads it: ``2024-03-01``, ``2024-03-01T09:30`` or
``2024-03-01T09:30:15``, also with a space in place of the T. A date alone
means midnight. The clock keeps running from there unless ``--freeze-clock``
stops it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import click

from kktemu.emulator.clock import CENTURY_YEARS, FIRST_YEAR, Clock

from .errors import CliError
from .i18n import message
from .localized import LocalizedOption

USAGE_EXIT_STATUS = 2


def clock_options(command: Callable) -> Callable:
    """Add ``--clock ISO_TIME`` (``clock``) and ``--freeze-clock`` (``freeze_clock``) for the register and its ФН."""
    return _add_clock_options(command, "help_clock_register", "help_freeze_clock_register")


def fn_clock_options(command: Callable) -> Callable:
    """Add ``--clock`` and ``--freeze-clock`` as ``clock_options`` does, with help texts about the ФН timer alone."""
    return _add_clock_options(command, "help_clock_fn", "help_freeze_clock_fn")


def _add_clock_options(command: Callable, clock_key: str, freeze_key: str) -> Callable:
    command = click.option("--freeze-clock", is_flag=True, cls=LocalizedOption, help_key=freeze_key)(command)
    return click.option("--clock", "clock", metavar="ISO_TIME", cls=LocalizedOption, help_key=clock_key)(command)


def parse_clock_start(value: str, lang: str) -> dt.datetime:
    """Parse the ``--clock`` value into a naive local datetime.

    Accepts what ``datetime.fromisoformat`` reads; a date alone is midnight.
    Raises CliError (exit status 2) naming the value and the expected form when
    it is not an ISO 8601 date and time, carries a UTC offset, or lies outside
    the years 2000..2099 that the ФН's DATE_TIME can carry.
    """
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise _usage_error(message("clock_not_iso", lang, value=value), lang) from None
    if moment.tzinfo is not None:
        raise _usage_error(message("clock_with_offset", lang, value=value), lang)
    if not FIRST_YEAR <= moment.year < FIRST_YEAR + CENTURY_YEARS:
        raise _usage_error(message("clock_year", lang, value=value, year=moment.year), lang)
    return moment


def make_clock(value: str | None, freeze: bool, lang: str) -> Clock:
    """Return the clock the options ask for: started at ``value`` (or now) and frozen when ``freeze`` is set."""
    start = parse_clock_start(value, lang) if value is not None else None
    return Clock(start, frozen=freeze)


def _usage_error(text: str, lang: str) -> CliError:
    error = CliError(text, lang)
    error.exit_code = USAGE_EXIT_STATUS
    return error
