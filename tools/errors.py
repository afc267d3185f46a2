"""CLI errors: a message naming the value and the fix, in the user's language, exit status 1.

Usage errors (an unknown option, a value of the wrong type) stay with click,
which reports them in English with exit status 2.
"""

from __future__ import annotations

import os
from typing import IO, Any

import click

from kktemu.fn_storage import ArchiveError, ArchiveLockedError

from .i18n import ERROR_PREFIX, message


class CliError(click.ClickException):
    """A user error shown as "Error: ..." (or "Ошибка: ...") on stderr; click exits with status 1."""

    def __init__(self, text: str, lang: str):
        super().__init__(text)
        self.lang = lang

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message with the prefix in the user's language."""
        text = f"{ERROR_PREFIX[self.lang]} {self.format_message()}"
        if file is None:
            click.echo(text, err=True)
        else:
            click.echo(text, file=file)


def fn_read_error(exc: Exception, path: str, lang: str) -> CliError:
    """Return the error for a ФН file that ``fn`` subcommands could not read.

    ``exc`` is the OSError or ArchiveError raised while reading ``path``.
    """
    if isinstance(exc, FileNotFoundError):
        return CliError(message("fn_not_found", lang, path=path), lang)
    if isinstance(exc, IsADirectoryError):
        return CliError(message("fn_is_directory", lang, path=path), lang)
    if isinstance(exc, OSError):
        return CliError(message("fn_unreadable", lang, path=path, reason=os_reason(exc)), lang)
    return CliError(message("fn_corrupt", lang, path=path, reason=exc), lang)


def fn_open_error(exc: Exception, path: str, lang: str) -> CliError:
    """Return the error for a ФН file that ``serve`` could not open or create.

    ``exc`` is the OSError, KktemuError or LookupError (no registration report
    in the archive) raised by ``Emulator``. A missing file is not an error there
    because ``serve`` creates it, so FileNotFoundError means a missing directory.
    """
    if isinstance(exc, ArchiveLockedError):
        return CliError(message("fn_in_use", lang, path=path), lang)
    if isinstance(exc, FileNotFoundError):
        directory = os.path.dirname(os.path.abspath(path))
        return CliError(message("fn_no_directory", lang, path=path, directory=directory), lang)
    if isinstance(exc, IsADirectoryError):
        return CliError(message("fn_is_directory", lang, path=path), lang)
    if isinstance(exc, OSError):
        return CliError(message("fn_cannot_open", lang, path=path, reason=os_reason(exc)), lang)
    if isinstance(exc, (ArchiveError, LookupError)):
        return CliError(message("fn_corrupt_serve", lang, path=path, reason=exc), lang)
    return CliError(message("fn_start_failed", lang, path=path, reason=exc), lang)


def os_reason(exc: OSError) -> str:
    """Return the system's short text for ``exc`` ("Address already in use").

    asyncio wraps bind errors in a long sentence of its own; the errno text is
    shorter and the same for every caller. Resolver errors (socket.gaierror)
    carry negative codes that os.strerror does not know, so their own text is used.
    """
    if exc.errno is not None and exc.errno > 0:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)
