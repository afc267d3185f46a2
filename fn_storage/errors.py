"""Exceptions of the fiscal storage model."""

from __future__ import annotations

from ..protocol.errors import KktemuError


class ArchiveError(KktemuError):
    """The archive file cannot be used: bad header, corrupt record, or the file already exists.

    ``offset`` is the byte position in the file where the problem was found,
    when known. ``kind`` names the problem ("short_header", "header_crc", ...,
    listed in ``ARCHIVE_ERROR_KINDS``) and ``details`` contains its figures, so
    that a user interface can word it in its own language instead of showing
    the English message. fn_storage always gives a kind; None is left for
    callers elsewhere. A ``broken`` detail is a ``(kind, details)`` pair
    from ``BROKEN_RECORD_KINDS`` that says why no whole record starts there.
    """

    def __init__(self, message: str, offset: int | None = None, *, kind: str | None = None, **details: object):
        super().__init__(message if offset is None else f"{message} (at byte {offset})")
        self.offset = offset
        self.kind = kind
        self.details = details


ARCHIVE_ERROR_KINDS = frozenset({
    "short_header", "bad_magic", "header_crc", "unsupported_version", "header_size", "serial_not_ascii",
    "unknown_record_type", "malformed_record", "fd_out_of_sequence", "ticket_before_document", "second_ticket",
    "tail_too_long", "impossible_length", "record_after_broken", "crc_with_trailing", "last_record_crc",
    "length_field_damaged", "not_regular_file", "exists", "missing", "closed", "locked", "other_master_key",
    "replay_failed",
})
"""Every ``ArchiveError.kind`` that fn_storage raises."""

BROKEN_RECORD_KINDS = frozenset({"short_record", "impossible_length", "past_end", "crc_mismatch"})
"""Why no whole record starts at a position: the kinds of an ``ArchiveError``'s ``broken`` detail."""


class ArchiveLockedError(ArchiveError):
    """The archive file is open in another ФН model (its advisory lock is taken); ``kind`` is "locked"."""


class InvalidArgumentError(KktemuError, ValueError):
    """A caller passed a value the fiscal storage model cannot use (a malformed ФН serial, ...)."""
