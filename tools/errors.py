"""Turn library failures into clear CLI errors (message, value and fix; exit status 1)."""

from __future__ import annotations

import click

from kktemu.fn_storage import ArchiveError, ArchiveLockedError

from .i18n import message


def open_failure(exc: BaseException, path: str, lang: str) -> click.ClickException:
    """Return the CLI error for a ФН file that could not be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return click.ClickException(message("fn_not_found", lang, path=path))
    if isinstance(exc, ArchiveLockedError):
        return click.ClickException(message("fn_in_use", lang, path=path, reason=exc))
    if isinstance(exc, ArchiveError):
        return click.ClickException(message("fn_corrupt", lang, path=path, reason=exc))
    if isinstance(exc, OSError):
        return click.ClickException(message("fn_unreadable", lang, path=path, reason=exc.strerror or exc))
    return click.ClickException(message("fn_corrupt", lang, path=path, reason=exc))
