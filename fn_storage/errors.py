"""Exceptions of the fiscal storage model."""

from __future__ import annotations

from ..protocol.errors import KktemuError


class ArchiveError(KktemuError):
    """The archive file cannot be used: bad header, corrupt record, or the file already exists.

    ``offset`` is the byte position in the file where the problem was found, when known.
    """

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message if offset is None else f"{message} (at byte {offset})")
        self.offset = offset


class ArchiveLockedError(ArchiveError):
    """The archive file is open in another ФН model (its advisory lock is taken)."""


class InvalidArgumentError(KktemuError, ValueError):
    """A caller passed a value the fiscal storage model cannot use (a malformed ФН serial, ...)."""
