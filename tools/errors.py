"""CLI errors: a message naming the value and the fix, in the user's language, exit status 1.

Details inside a message are worded in the user's language too: archive
damage by the ``ArchiveError`` kind and its figures (``archive_reason``),
system errors by their errno (``os_reason``). Usage errors (an unknown
option, a value of the wrong type) are click's, localized by ``usage_errors``
with exit status 2.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import IO, Any

import click

from kktemu.emulator.memory import MemoryJournalError
from kktemu.fn_storage import ArchiveError, ArchiveLockedError

from .i18n import ERROR_PREFIX, byte_count, message
from .i18n_details import OS_ERRORS_RU, RESOLVER_ERRORS_RU

# ``ArchiveError`` details that are byte counts, worded with their noun ("7 bytes", "7 байт").
_BYTE_DETAILS = frozenset({"size", "header_size", "expected_size", "tail", "trailing", "record_size", "count"})
_RESOLVER_CODES = {getattr(socket, name): name for name in RESOLVER_ERRORS_RU if hasattr(socket, name)}


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
        return CliError(message("fn_unreadable", lang, path=path, reason=os_reason(exc, lang)), lang)
    return CliError(message("fn_corrupt", lang, path=path, reason=archive_reason(exc, lang)), lang)


def fn_open_error(exc: Exception, path: str, lang: str) -> CliError:
    """Return the error for a ФН file that ``serve`` could not open or create.

    ``exc`` is the OSError, KktemuError or LookupError (no registration report
    in the archive) raised by ``Emulator``. A missing file is not an error there
    because ``serve`` creates it, so FileNotFoundError means a missing directory.
    NOTE: another KktemuError keeps its English text inside the message.
    """
    if isinstance(exc, ArchiveLockedError):
        return CliError(message("fn_in_use", lang, path=path), lang)
    if isinstance(exc, FileNotFoundError):
        directory = os.path.dirname(os.path.abspath(path))
        return CliError(message("fn_no_directory", lang, path=path, directory=directory), lang)
    if isinstance(exc, IsADirectoryError):
        return CliError(message("fn_is_directory", lang, path=path), lang)
    if isinstance(exc, OSError):
        return CliError(message("fn_cannot_open", lang, path=path, reason=os_reason(exc, lang)), lang)
    if isinstance(exc, ArchiveError):
        return CliError(message("fn_corrupt_serve", lang, path=path, reason=archive_reason(exc, lang)), lang)
    if isinstance(exc, LookupError):
        reason = message("archive_no_registration", lang)
        return CliError(message("fn_corrupt_serve", lang, path=path, reason=reason), lang)
    cause = exc.__cause__
    if isinstance(exc, MemoryJournalError) and isinstance(cause, OSError):
        reason = message("memory_unreadable", lang, path=cause.filename, reason=os_reason(cause, lang))
        return CliError(message("fn_start_failed", lang, path=path, reason=reason), lang)
    return CliError(message("fn_start_failed", lang, path=path, reason=exc), lang)


def os_reason(exc: OSError, lang: str) -> str:
    """Return the short text of a system error in ``lang``: "Address already in use", "адрес уже используется".

    The errno picks the text, because asyncio wraps bind errors in a long
    sentence of its own. English is the system's text. Russian comes from
    ``OS_ERRORS_RU``, or names the errno for one it lacks. Resolver errors
    (socket.gaierror) carry EAI_* codes that os.strerror does not know: their
    own text in English, ``RESOLVER_ERRORS_RU`` in Russian.
    """
    code = exc.errno
    if isinstance(exc, socket.gaierror):
        if lang == "en":
            return exc.strerror or str(exc)
        name = _RESOLVER_CODES.get(code)
        return RESOLVER_ERRORS_RU[name] if name else message("resolver_error_unknown", lang, code=code)
    if code is None or code <= 0:
        return exc.strerror or str(exc)
    if lang == "en":
        return os.strerror(code)
    name = errno.errorcode.get(code, str(code))
    return OS_ERRORS_RU.get(name) or message("os_error_unknown", lang, name=name, code=code)


def store_reason(exc: Exception, lang: str) -> str:
    """Return why a mock ОФД store directory cannot be used, in ``lang``, for a StoreError ``exc``.

    English keeps the store's own text. Russian words the system error that
    caused it by errno, and any other failure as an index that is damaged or
    not a regular file, the failures the store raises without a system error.
    """
    if lang == "en":
        return getattr(exc, "reason", None) or str(exc)
    cause = exc.__cause__
    if isinstance(cause, OSError):
        return os_reason(cause, lang)
    return message("store_index_damaged", lang)


def archive_reason(exc: ArchiveError, lang: str) -> str:
    """Return why an archive cannot be used, in ``lang``, from the kind and details of ``exc``.

    The file's path is not repeated, because the messages around it name the file.
    NOTE: an error without a kind (none that fn_storage raises) shows its
    English text, also inside the Russian sentence.
    """
    if exc.kind is None:
        return message("archive_unknown", lang, detail=exc)
    details = dict(exc.details)
    for name, value in details.items():
        if name in _BYTE_DETAILS and isinstance(value, int):
            details[name] = byte_count(value, lang)
    if "broken" in details:
        broken_kind, broken_details = details["broken"]
        details["broken"] = message(f"archive_broken_{broken_kind}", lang, **{
            name: byte_count(value, lang) if name in _BYTE_DETAILS else value
            for name, value in broken_details.items()})
    if "record" in details:
        details["record"] = message(f"archive_record_{details['record']}", lang)
    text = message(f"archive_{exc.kind}", lang, **details)
    if exc.offset is not None:
        text = message("archive_at_byte", lang, reason=text, offset=exc.offset)
    return text
