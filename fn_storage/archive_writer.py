"""Durable append-only writer of a ФН archive file (layout in ``archive_file``).

Every append reaches the disk (``fsync``) before it returns, and a failed
append leaves nothing of its record behind. The ``power`` switch lets tests cut
the power at a named point of an append (see ``power``).
"""

from __future__ import annotations

import errno
import logging
import os
import stat

try:
    import fcntl
except ImportError:  # not on Windows; the archive is then not locked
    fcntl = None
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .errors import ArchiveError, ArchiveLockedError
from .power import Cut, CutPoint, PowerSwitch, Unsynced

if TYPE_CHECKING:
    from .archive_file import ArchiveHeader

logger = logging.getLogger(__name__)


class ArchiveWriter:
    """Append-only writer of one archive file; every append is fsync'ed before it returns.

    Writes go straight to the file descriptor with ``os.pwrite`` at the tracked
    end of the file, never through a user-space buffer. So a failed append
    (disk full, file size limit) leaves no bytes behind that a later write or
    close would flush, and the file is cut back to its previous size instead.
    The writer holds an exclusive advisory lock (``flock``, where the platform has
    it) for as long as the file is open, so a second ФН model cannot append to
    the same archive.
    """

    def __init__(self, path: Path, descriptor: int):
        self._path = path
        self._fd: int | None = descriptor
        self._size = os.fstat(descriptor).st_size
        self.power: PowerSwitch | None = None  # the ФН model's switch; tests cut the power through it

    @classmethod
    def create(cls, path: str | os.PathLike, header: ArchiveHeader) -> ArchiveWriter:
        """Create a new archive with ``header``. Raises ArchiveError when the file exists."""
        path = Path(path)
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise ArchiveError(f"{path} already exists; open it instead of creating a new ФН over it",
                               kind="exists", path=str(path)) from None
        writer = cls(path, descriptor)
        writer._lock()
        try:
            writer.append(header.encode())
        except OSError:
            writer.close()
            path.unlink(missing_ok=True)
            raise
        _sync_directory(path)
        return writer

    @classmethod
    def open(cls, path: str | os.PathLike) -> ArchiveWriter:
        """Open an existing archive for appending. Raises ArchiveError when it is missing, locked or not a regular file."""
        path = Path(path)
        try:
            descriptor = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise ArchiveError(f"{path} does not exist; create the ФН archive first", kind="missing",
                               path=str(path)) from None
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise ArchiveError(f"{path} is not a regular file, so it cannot be a ФН archive", kind="not_regular_file",
                               path=str(path))
        writer = cls(path, descriptor)
        writer._lock()
        return writer

    @property
    def size(self) -> int:
        """Current file size in bytes."""
        return self._size

    def read_all(self) -> bytes:
        """Return the whole file as it is on disk."""
        chunks = []
        offset = 0
        while offset < self._size:
            chunk = os.pread(self._descriptor(), self._size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def cut_torn_tail(self, valid_size: int) -> None:
        """Truncate the file to ``valid_size`` bytes, logging a WARNING with the number of bytes dropped."""
        if self._size <= valid_size:
            return
        logger.warning(
            "%s: dropping a %d-byte torn tail after the last whole record", self._path, self._size - valid_size
        )
        os.ftruncate(self._descriptor(), valid_size)
        os.fsync(self._descriptor())
        self._size = valid_size

    def truncate(self, size: int) -> None:
        """Cut the file to its first ``size`` bytes and sync it (the debug reset 60h keeps only the header).

        Raises PowerCut when the ``power`` switch has a cut armed for this
        write, which counts like a record append.
        """
        if not 0 <= size <= self._size:
            raise ValueError(f"cannot cut {self._path} of {self._size} bytes to {size} bytes")
        cut = self.power.take_cut() if self.power is not None else None
        if cut is not None:
            self._truncate_until_cut(size, cut)
        os.ftruncate(self._descriptor(), size)
        os.fsync(self._descriptor())
        self._size = size

    def append(self, record: bytes) -> None:
        """Append one framed record and sync it to disk.

        On OSError the file is cut back to its previous size (best effort, logged
        when that fails too) and the error is raised, so the caller can refuse
        the command with nothing of the record left in the file. Raises
        PowerCut when the ``power`` switch has a cut armed for this append.
        """
        cut = self.power.take_cut() if self.power is not None else None
        if cut is not None:
            self._append_until_cut(record, cut)
        descriptor = self._descriptor()
        try:
            _write_at(descriptor, record, self._size)
            os.fsync(descriptor)
        except OSError:
            try:
                os.ftruncate(descriptor, self._size)
            except OSError:
                logger.exception("%s: cannot cut a failed append back to %d bytes", self._path, self._size)
            raise
        self._size += len(record)

    def _append_until_cut(self, record: bytes, cut: Cut) -> NoReturn:
        """Leave the file as a power cut at ``cut.point`` of this append would, close it and raise PowerCut."""
        descriptor = self._descriptor()
        offset = self._size
        if cut.point is CutPoint.PARTIAL_WRITE:
            _write_at(descriptor, record[:cut.kept_bytes(len(record))], offset)
        elif cut.point is CutPoint.AFTER_WRITE_BEFORE_FSYNC:
            _write_at(descriptor, record, offset)
            if cut.unsynced is Unsynced.LOST:
                os.ftruncate(descriptor, offset)
            elif cut.unsynced is Unsynced.ZEROED:
                _write_at(descriptor, bytes(len(record)), offset)
        elif cut.point is CutPoint.AFTER_FSYNC_BEFORE_ANSWER:
            _write_at(descriptor, record, offset)
            os.fsync(descriptor)
        raise self.power.fire(cut, offset, len(record))

    def _truncate_until_cut(self, size: int, cut: Cut) -> NoReturn:
        """Leave the file as a power cut at ``cut.point`` of this truncation would, close it and raise PowerCut.

        One ``ftruncate`` changes only the file size, so the disk keeps either
        the old size or the new one: the new one once synced, or when an
        unsynced change is KEPT. PARTIAL_WRITE and a ZEROED outcome leave the
        file unchanged, like BEFORE_WRITE.
        """
        dropped = self._size - size
        if cut.point is CutPoint.AFTER_FSYNC_BEFORE_ANSWER or cut.unsynced is Unsynced.KEPT:
            os.ftruncate(self._descriptor(), size)
            os.fsync(self._descriptor())
        raise self.power.fire(cut, size, dropped, "truncation")

    def close(self) -> None:
        """Close the file, which also releases the lock. Closing twice is harmless."""
        if self._fd is not None:
            descriptor, self._fd = self._fd, None
            os.close(descriptor)

    def _descriptor(self) -> int:
        if self._fd is None:
            raise ArchiveError(f"{self._path} is closed", kind="closed", path=str(self._path))
        return self._fd

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.close()
            raise ArchiveLockedError(f"{self._path} is open in another ФН model (the file is locked)", kind="locked",
                                     path=str(self._path)) from None


def _write_at(descriptor: int, data: bytes, offset: int) -> None:
    """Write all of ``data`` at ``offset`` with ``os.pwrite``, retrying short writes.

    Raises OSError, ENOSPC when a write makes no progress.
    """
    view = memoryview(data)
    while view:
        written = os.pwrite(descriptor, view, offset)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]
        offset += written


def _sync_directory(path: Path) -> None:
    # Makes the new directory entry durable. Some filesystems refuse fsync on a
    # directory; the file itself is already synced, so that is not an error.
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
