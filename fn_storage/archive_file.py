"""The archive file of one ФН (the "fiscal storage dump"): layout, reader and durable writer.

The file is a fixed header followed by append-only records; docs/fn-archive-format.md
describes the layout byte by byte. Each record is ``length, type, payload, CRC-32``
and is synced to disk before the ФН answers the command that produced it. A
crash can leave only the last record incomplete (a torn tail); the reader
reports it and ``ArchiveWriter.open`` cuts it off. Damage anywhere else is an
``ArchiveError``, because dropping a record from the middle would lose a fiscal
document.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import zlib

try:
    import fcntl
except ImportError:  # not on Windows; the archive is then not locked
    fcntl = None
from dataclasses import dataclass
from pathlib import Path

from ..protocol.errors import DecodeError
from ..protocol.ffd.tlv import iter_tlv, read_tlv
from ..protocol.fn.fields import FieldReader, encode_date_time
from .errors import ArchiveError, ArchiveLockedError
from .signing import SIGN_VALUE_SIZE, TAG_FISCAL_SIGN

logger = logging.getLogger(__name__)

MAGIC = b"KKTEMUFN"
FORMAT_VERSION = 1
HEADER_SIZE = 48
RECORD_OVERHEAD = 9  # length (4), type (1), CRC-32 (4)
MAX_PAYLOAD_SIZE = 1 << 20  # a document is at most 32 KB, so a longer length means damage
RECORD_DOCUMENT = 1
_EPOCH = _dt.datetime(1970, 1, 1)


def _seconds(moment: _dt.datetime) -> int:
    return (moment - _EPOCH) // _dt.timedelta(seconds=1)


def _moment(seconds: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class ArchiveHeader:
    """File header: format version, ФН serial, creation time (ФН timer) and key check value."""

    serial: str
    created: _dt.datetime
    key_check: bytes
    version: int = FORMAT_VERSION

    def encode(self) -> bytes:
        """Encode the 48-byte header with its CRC-32."""
        body = (
            MAGIC
            + self.version.to_bytes(2, "little")
            + HEADER_SIZE.to_bytes(2, "little")
            + self.serial.encode("ascii").ljust(16, b" ")
            + _seconds(self.created).to_bytes(8, "little", signed=True)
            + self.key_check
            + bytes(4)
        )
        return body + zlib.crc32(body).to_bytes(4, "little")

    @classmethod
    def decode(cls, data: bytes) -> ArchiveHeader:
        """Decode and check a header. Raises ArchiveError for anything but a valid version 1 header."""
        if len(data) < HEADER_SIZE:
            raise ArchiveError(f"file is {len(data)} bytes, shorter than the {HEADER_SIZE}-byte archive header")
        if data[:8] != MAGIC:
            raise ArchiveError(
                f"the file starts with {data[:8].hex(' ').upper()}, not the archive magic"
                f" {MAGIC.hex(' ').upper()} ({MAGIC.decode('ascii')})", 0)
        stored_crc = int.from_bytes(data[44:48], "little")
        if zlib.crc32(data[:44]) != stored_crc:
            raise ArchiveError("archive header CRC-32 does not match, the header is damaged", 44)
        version = int.from_bytes(data[8:10], "little")
        if version != FORMAT_VERSION:
            raise ArchiveError(f"archive format version {version} is not supported (this kktemu reads {FORMAT_VERSION})", 8)
        size = int.from_bytes(data[10:12], "little")
        if size != HEADER_SIZE:
            raise ArchiveError(f"archive header size {size} does not match version 1 ({HEADER_SIZE})", 10)
        try:
            serial = data[12:28].decode("ascii").rstrip(" ")
        except UnicodeDecodeError:
            raise ArchiveError("ФН serial in the archive header is not ASCII", 12) from None
        created = _moment(int.from_bytes(data[28:36], "little", signed=True))
        return cls(serial=serial, created=created, key_check=bytes(data[36:40]), version=version)


@dataclass(frozen=True)
class ArchivedDocument:
    """One fiscal document as the archive stores it.

    ``moment`` is the document's DATE_TIME (tag 1012); ``fn_time`` the ФН timer
    when it was formed; ``fiscal_sign`` the printed ФПД; ``details`` the
    type-specific tail of its 40h record; ``stlv`` the whole document (form tag,
    length, TLVs) exactly as signed.
    """

    fd_number: int
    form: int
    moment: _dt.datetime
    fn_time: _dt.datetime
    fiscal_sign: int
    details: bytes
    stlv: bytes
    ticket: bool = False

    @property
    def tlv(self) -> bytes:
        """The top-level TLVs of the document, without the form STLV header."""
        item = read_tlv(self.stlv)
        if item is None:
            raise DecodeError(f"ФД {self.fd_number} STLV is truncated")
        return item[1]

    @property
    def sign_bytes(self) -> bytes:
        """The 6-byte value of tag 1077 in the document."""
        for tag, value in iter_tlv(self.tlv):
            if tag == TAG_FISCAL_SIGN and len(value) == SIGN_VALUE_SIZE:
                return value
        raise DecodeError(f"ФД {self.fd_number} has no 6-byte tag 1077")

    @property
    def record(self) -> bytes:
        """The 40h archive record: DATE_TIME, ФД number, fiscal sign, details."""
        return (
            encode_date_time(self.moment)
            + self.fd_number.to_bytes(4, "little")
            + self.fiscal_sign.to_bytes(4, "little")
            + self.details
        )

    def encode_payload(self) -> bytes:
        """Encode the payload of a document record."""
        return (
            self.fd_number.to_bytes(4, "little")
            + self.form.to_bytes(2, "little")
            + encode_date_time(self.moment)
            + _seconds(self.fn_time).to_bytes(8, "little", signed=True)
            + self.fiscal_sign.to_bytes(4, "little")
            + len(self.details).to_bytes(2, "little")
            + self.details
            + self.stlv
        )

    @classmethod
    def decode_payload(cls, payload: bytes) -> ArchivedDocument:
        """Decode a document record payload. Raises DecodeError when it is malformed."""
        reader = FieldReader(payload, "document record")
        fd_number = reader.uint(4, "ФД number")
        form = reader.uint(2, "form")
        moment = reader.date_time("date and time")
        fn_time = _moment(int.from_bytes(reader.take(8, "ФН timer"), "little", signed=True))
        fiscal_sign = reader.uint(4, "fiscal sign")
        details = reader.take(reader.uint(2, "details length"), "details")
        stlv = reader.rest()
        item = read_tlv(stlv)
        if item is None or item[2] != len(stlv) or item[0] != form:
            raise DecodeError(f"document record of ФД {fd_number}: the STLV is not one whole form {form} document")
        return cls(fd_number, form, moment, fn_time, fiscal_sign, details, stlv)


def encode_record(record_type: int, payload: bytes) -> bytes:
    """Frame a record: length, type, payload and CRC-32 over all three."""
    body = len(payload).to_bytes(4, "little") + bytes((record_type,)) + payload
    return body + zlib.crc32(body).to_bytes(4, "little")


@dataclass(frozen=True)
class ArchiveContents:
    """Everything a reader finds in an archive file.

    ``valid_size`` is the length of the file up to the last whole record;
    ``torn_tail_bytes`` counts the bytes after it (an interrupted append).
    """

    header: ArchiveHeader
    documents: list[ArchivedDocument]
    valid_size: int
    torn_tail_bytes: int


def parse_archive(data: bytes, source: str = "archive") -> ArchiveContents:
    """Parse a whole archive image. Raises ArchiveError for damage other than a torn tail.

    The last record counts as torn when its length runs past the end of the data
    or its CRC-32 fails and nothing follows it. Anything else (a bad CRC-32 with
    records after it, an impossible length, an unknown record type, ФД numbers
    out of sequence) is damage.
    """
    header = ArchiveHeader.decode(data)
    documents: list[ArchivedDocument] = []
    offset = HEADER_SIZE
    while offset < len(data):
        remaining = len(data) - offset
        if remaining < 5:
            break
        length = int.from_bytes(data[offset:offset + 4], "little")
        if length > MAX_PAYLOAD_SIZE:
            raise ArchiveError(f"{source}: record length {length} is impossible, the file is damaged", offset)
        end = offset + RECORD_OVERHEAD + length
        if end > len(data):
            break
        stored_crc = int.from_bytes(data[end - 4:end], "little")
        if zlib.crc32(data[offset:end - 4]) != stored_crc:
            if end == len(data):
                break
            raise ArchiveError(f"{source}: record CRC-32 does not match, the file is damaged", offset)
        record_type = data[offset + 4]
        payload = data[offset + 5:end - 4]
        if record_type != RECORD_DOCUMENT:
            raise ArchiveError(f"{source}: record type {record_type} is unknown to format version 1", offset)
        try:
            document = ArchivedDocument.decode_payload(payload)
        except DecodeError as exc:
            raise ArchiveError(f"{source}: {exc}", offset) from None
        expected_number = len(documents) + 1
        if document.fd_number != expected_number:
            raise ArchiveError(
                f"{source}: ФД number {document.fd_number} where {expected_number} was expected", offset
            )
        documents.append(document)
        offset = end
    return ArchiveContents(header, documents, valid_size=offset, torn_tail_bytes=len(data) - offset)


def read_archive(path: str | os.PathLike) -> ArchiveContents:
    """Read an archive file without modifying it (for the CLI and tests).

    Raises ArchiveError for a damaged file and OSError when it cannot be read.
    A torn tail is reported in ``torn_tail_bytes``, not removed.
    """
    data = Path(path).read_bytes()
    return parse_archive(data, source=str(path))


class ArchiveWriter:
    """Append-only writer of one archive file; every append is fsync'ed before it returns.

    Writes go straight to the file descriptor with ``os.pwrite`` at the tracked
    end of the file, never through a user-space buffer, so a failed append
    (disk full, file size limit) cannot leave bytes behind that a later write
    or close would flush: the file is cut back to its previous size instead.
    The writer holds an exclusive advisory lock (``flock``, where the platform has
    it) for as long as the file is open, so a second ФН model cannot append to
    the same archive.
    """

    def __init__(self, path: Path, descriptor: int):
        self._path = path
        self._fd: int | None = descriptor
        self._size = os.fstat(descriptor).st_size

    @classmethod
    def create(cls, path: str | os.PathLike, header: ArchiveHeader) -> ArchiveWriter:
        """Create a new archive with ``header``. Raises ArchiveError when the file exists."""
        path = Path(path)
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise ArchiveError(f"{path} already exists; open it instead of creating a new ФН over it") from None
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
        """Open an existing archive for appending. Raises ArchiveError when it is missing or locked."""
        path = Path(path)
        try:
            descriptor = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise ArchiveError(f"{path} does not exist; create the ФН archive first") from None
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
            "%s: dropping a torn tail of %d bytes after the last whole record", self._path, self._size - valid_size
        )
        os.ftruncate(self._descriptor(), valid_size)
        os.fsync(self._descriptor())
        self._size = valid_size

    def append(self, record: bytes) -> None:
        """Append one framed record and sync it to disk.

        On OSError the file is cut back to its previous size (best effort, logged
        when that fails too) and the error is raised, so the caller can refuse
        the command with nothing of the record left in the file.
        """
        descriptor = self._descriptor()
        view = memoryview(record)
        offset = self._size
        try:
            while view:
                written = os.pwrite(descriptor, view, offset)
                view = view[written:]
                offset += written
            os.fsync(descriptor)
        except OSError:
            try:
                os.ftruncate(descriptor, self._size)
            except OSError:
                logger.exception("%s: cannot cut a failed append back to %d bytes", self._path, self._size)
            raise
        self._size = offset

    def close(self) -> None:
        """Close the file, which also releases the lock. Closing twice is harmless."""
        if self._fd is not None:
            descriptor, self._fd = self._fd, None
            os.close(descriptor)

    def _descriptor(self) -> int:
        if self._fd is None:
            raise ArchiveError(f"{self._path} is closed")
        return self._fd

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.close()
            raise ArchiveLockedError(f"{self._path} is open in another ФН model (the file is locked)") from None


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
