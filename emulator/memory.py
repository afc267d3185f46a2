"""The register's non-volatile memory: the state a real ККТ keeps apart from its ФН.

Cash in the drawer, the document counter, the clock correction, tables and
operation registers survive a restart because they are journalled to a file
beside the ФН archive (``kktemu.fn`` → ``kktemu.fn.kkt``). The journal is
JSON Lines: each line is a whole snapshot of the state, prefixed by the CRC-32
of its JSON text, and the last line with a good CRC wins. A torn or damaged
last line is ignored, so a crash during a write loses at most that change.

Durability: ``save(durable=True)`` syncs the file before returning; the
register asks for it after non-fiscal changes (cash in and out, table writes).
After a fiscal document it saves without a sync, because on the next start the
register replays the documents the ФН formed after ``last_fd`` and so restores
what an unsynced save lost. When the journal grows past ``COMPACT_BYTES`` it is
rewritten with the last snapshot alone (temporary file, fsync, rename).

Every save writes the whole line or raises OSError (the register then refuses
the change with 74h). A line cut short by a full disk is truncated away, or,
when that fails too, ended by the newline the next save writes first, so it
never swallows the next line. A journal deleted or replaced while the register
runs is noticed before each write and created again with the current state,
which is whole in every line.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import zlib
from pathlib import Path
from typing import Any

from kktemu.protocol.errors import KktemuError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
SUFFIX = ".kkt"
COMPACT_BYTES = 1 << 20


def memory_path(fn_path: str | os.PathLike) -> Path:
    """Return where the register memory of the ФН archive ``fn_path`` lives."""
    fn_path = Path(fn_path)
    return fn_path.with_name(fn_path.name + SUFFIX)


def _encode_line(snapshot: dict[str, Any]) -> bytes:
    text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b"%08x " % zlib.crc32(text) + text + b"\n"


def _decode_line(line: bytes) -> dict[str, Any] | None:
    if len(line) < 10 or line[8:9] != b" ":
        return None
    text = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(text):
            return None
        snapshot = json.loads(text)
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) else None


class MemoryJournalError(KktemuError):
    """Raised when the register memory journal exists but cannot be read (a directory, no permission)."""


class RegisterMemory:
    """State of one register, loaded from and journalled to ``path``.

    ``state`` is a plain JSON-ready dict that register components read and
    update (``last_fd``, ``cash_in_drawer``, ``document_number``,
    ``clock_offset``, and sections such as ``tables``). ``path`` None keeps the
    memory in RAM only, for tests that need no persistence.
    """

    def __init__(self, path: Path | None, fn_serial: str, state: dict[str, Any] | None = None):
        self.path = path
        self.fn_serial = fn_serial
        self.state: dict[str, Any] = state if state is not None else {}
        self._descriptor: int | None = None
        self._torn = False  # a failed write left a partial line that the next save must end

    @classmethod
    def load(cls, path: Path | None, fn_serial: str) -> RegisterMemory:
        """Read the last good snapshot of ``path``, or start empty.

        A missing file, a file with no good line, or a snapshot of another ФН
        starts an empty memory with a WARNING (except for a missing file); the
        register then rebuilds what it can from the ФН archive. Raises
        MemoryJournalError when ``path`` exists but cannot be read.
        """
        if path is None or not path.exists():
            return cls(path, fn_serial)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MemoryJournalError(f"cannot read the register memory journal {path}: {exc.strerror}; "
                                     "remove or repair it and start again") from exc
        whole = data.rfind(b"\n") + 1
        if whole < len(data):
            logger.warning("%s: dropping the %d-byte tail of an interrupted write", path, len(data) - whole)
            os.truncate(path, whole)
        snapshot = None
        for line in data[:whole].splitlines():
            decoded = _decode_line(line)
            if decoded is not None:
                snapshot = decoded
        if snapshot is None:
            logger.warning("%s holds no readable register state; starting from the ФН archive alone", path)
            return cls(path, fn_serial)
        if snapshot.get("format") != FORMAT_VERSION or snapshot.get("fn_serial") != fn_serial:
            logger.warning("%s belongs to ФН %s (format %s), not ФН %s; starting from the ФН archive alone",
                           path, snapshot.get("fn_serial"), snapshot.get("format"), fn_serial)
            return cls(path, fn_serial)
        state = snapshot.get("state")
        return cls(path, fn_serial, state if isinstance(state, dict) else {})

    def save(self, durable: bool) -> None:
        """Append the current state to the journal; with ``durable``, sync it to disk first.

        Recreates the journal when it was deleted or replaced since the last
        save. Raises OSError when the whole line cannot be written; the file
        then keeps no part of it that could join the next line.
        """
        if self.path is None:
            return
        line = _encode_line({"format": FORMAT_VERSION, "fn_serial": self.fn_serial, "state": self.state})
        created = self._reopen_if_moved()
        descriptor = self._open()
        size = os.fstat(descriptor).st_size
        if size + len(line) > COMPACT_BYTES:
            self._compact(line)
            return
        self._append(descriptor, size, line)
        if durable:
            os.fsync(descriptor)
            if created:
                _sync_directory(self.path)

    def close(self) -> None:
        """Close the journal file."""
        if self._descriptor is not None:
            descriptor, self._descriptor = self._descriptor, None
            os.close(descriptor)

    def _open(self) -> int:
        if self._descriptor is None:
            self._descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        return self._descriptor

    def _reopen_if_moved(self) -> bool:
        """Close the open journal when ``path`` no longer names it; return whether ``path`` is missing.

        Writes to a deleted or replaced file would be lost at the next start.
        The next ``_open`` opens (or creates) the file ``path`` names, and the
        snapshot written there is whole, so nothing acknowledged is lost.
        """
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            current = None
        if self._descriptor is not None:
            opened = os.fstat(self._descriptor)
            if current is None or (opened.st_dev, opened.st_ino) != (current.st_dev, current.st_ino):
                logger.warning("%s was deleted or replaced while the register ran; writing the state anew",
                               self.path)
                self.close()
                self._torn = False
        return current is None

    def _append(self, descriptor: int, size: int, line: bytes) -> None:
        """Append ``line`` whole, after a newline that ends a torn line. Raises OSError."""
        data = b"\n" + line if self._torn else line
        try:
            _write_all(descriptor, data)
        except OSError:
            self._cut_back(descriptor, size)
            raise
        self._torn = False

    def _cut_back(self, descriptor: int, size: int) -> None:
        """Truncate a failed write away, or remember to end the partial line on the next save."""
        try:
            os.ftruncate(descriptor, size)
        except OSError as exc:
            logger.error("cannot truncate %s after a failed write: %s", self.path, exc)
            self._torn = True

    def _compact(self, line: bytes) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(descriptor, line)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        self.close()
        os.replace(temporary, self.path)
        self._torn = False
        _sync_directory(self.path)


def _write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data``, retrying short writes. Raises OSError, ENOSPC for a write of nothing."""
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _sync_directory(path: Path) -> None:
    # The rename is durable only once the directory entry is synced; some file
    # systems refuse fsync on a directory, and the data file is synced already.
    try:
        descriptor = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
