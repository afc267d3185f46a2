"""The ФН profile options of ``kktemu serve`` and ``kktemu fn serve``: ``--fn-validity``, ``--no-flc``, ``--strict-ofd``.

They build the ``FnProfile`` that ``FiscalStorage.create`` and ``FiscalStorage.open``
take. The archive file does not store the profile, so a reopened archive runs
with the options of the current start, not those it was created with.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from kktemu.fn_storage.profile import DEFAULT_PROFILE, VALIDITY_MONTHS, FnProfile

from .errors import CliError
from .i18n import message
from .localized import LocalizedOption

__all__ = ["LocalizedOption", "describe_fn_profile", "fn_profile_options", "make_fn_profile"]

USAGE_EXIT_STATUS = 2


def fn_profile_options(command: Callable) -> Callable:
    """Add ``--fn-validity`` (``fn_validity``), ``--no-flc`` (``no_flc``) and ``--strict-ofd`` (``strict_ofd``)."""
    command = click.option("--strict-ofd", is_flag=True, cls=LocalizedOption, help_key="help_strict_ofd")(command)
    command = click.option("--no-flc", is_flag=True, cls=LocalizedOption, help_key="help_no_flc")(command)
    return click.option("--fn-validity", "fn_validity", metavar="MONTHS", cls=LocalizedOption,
                        help_key="help_fn_validity")(command)


def make_fn_profile(fn_validity: str | None, no_flc: bool, strict_ofd: bool, lang: str) -> FnProfile:
    """Return the ФН profile that the options request; options not given keep ``DEFAULT_PROFILE``'s values.

    ``fn_validity`` is the option's text (None when absent). Raises CliError
    (exit status 2) naming the value and the allowed months when it is not
    13, 15 or 36.
    """
    validity = DEFAULT_PROFILE.validity_months
    if fn_validity is not None:
        validity = _parse_validity(fn_validity, lang)
    return FnProfile(validity_months=validity, strict_control=not no_flc, strict_ofd=strict_ofd)


def describe_fn_profile(profile: FnProfile) -> str:
    """Return the figures the options set in ``profile``, as text for the INFO line of the serving commands."""
    return (f"validity {profile.validity_months} months, "
            f"format-logical control {'on' if profile.strict_control else 'off'}, "
            f"strict ОФД квитанция check {'on' if profile.strict_ofd else 'off'}")


def _parse_validity(text: str, lang: str) -> int:
    try:
        months = int(text.strip())
    except ValueError:
        months = None
    if months not in VALIDITY_MONTHS:
        error = CliError(message("fn_validity_invalid", lang, value=text), lang)
        error.exit_code = USAGE_EXIT_STATUS
        raise error
    return months
