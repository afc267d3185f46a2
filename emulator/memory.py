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
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from pathlib import Path
from typing import Any

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

    @classmethod
    def load(cls, path: Path | None, fn_serial: str) -> RegisterMemory:
        """Read the last good snapshot of ``path``, or start empty.

        A missing file, a file with no good line, or a snapshot of another ФН
        starts an empty memory with a WARNING (except for a missing file); the
        register then rebuilds what it can from the ФН archive.
        """
        if path is None or not path.exists():
            return cls(path, fn_serial)
        data = path.read_bytes()
        whole = data.rfind(b"\n") + 1
        if whole < len(data):
            logger.warning("%s: dropping %d bytes of an interrupted write", path, len(data) - whole)
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

        Raises OSError when the file cannot be written.
        """
        if self.path is None:
            return
        line = _encode_line({"format": FORMAT_VERSION, "fn_serial": self.fn_serial, "state": self.state})
        descriptor = self._open()
        if os.fstat(descriptor).st_size + len(line) > COMPACT_BYTES:
            self._compact(line)
            return
        os.write(descriptor, line)
        if durable:
            os.fsync(descriptor)

    def close(self) -> None:
        """Close the journal file."""
        if self._descriptor is not None:
            descriptor, self._descriptor = self._descriptor, None
            os.close(descriptor)

    def _open(self) -> int:
        if self._descriptor is None:
            self._descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        return self._descriptor

    def _compact(self, line: bytes) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(descriptor, line)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        self.close()
        os.replace(temporary, self.path)
        _sync_directory(self.path)


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
