"""The archive file of one ФН (the "fiscal storage dump"): layout and reader.

The file is a fixed header followed by append-only records; docs/fn-archive-format.md
describes the layout byte by byte. Each record is ``length, type, payload, CRC-32``
and is synced to disk before the ФН answers the command that produced it. A
crash can leave only the last record incomplete (a torn tail); the reader
reports it and ``FiscalStorage.open`` cuts it off. Damage anywhere else is an
``ArchiveError``, because dropping a record from the middle would lose a fiscal
document. ``ArchiveWriter`` (defined in ``archive_writer``, importable from
here) appends the records.
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..protocol.errors import DecodeError
from ..protocol.ffd.tlv import iter_tlv, read_tlv
from ..protocol.fn.fields import FieldReader, encode_date_time
from .archive_writer import ArchiveWriter
from .errors import ArchiveError
from .record_scan import first_whole_record
from .signing import SIGN_VALUE_SIZE, TAG_FISCAL_SIGN
from .tickets import RECORD_TICKET, ArchivedTicket

__all__ = [
    "ArchiveContents", "ArchiveHeader", "ArchiveWriter", "ArchivedDocument", "encode_record", "parse_archive",
    "read_archive",
]

MAGIC = b"KKTEMUFN"
FORMAT_VERSION = 1
HEADER_SIZE = 48
RECORD_OVERHEAD = 9  # length (4), type (1), CRC-32 (4)
MAX_PAYLOAD_SIZE = 1 << 20  # a document is at most 32 KB, so a longer length means damage
MAX_RECORD_SIZE = RECORD_OVERHEAD + MAX_PAYLOAD_SIZE
SECTOR_SIZE = 512  # the smallest unit a disk writes: after a power cut it contains all its new bytes or none
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
            raise ArchiveError(f"file is {len(data)} bytes, shorter than the {HEADER_SIZE}-byte archive header",
                               kind="short_header", size=len(data), header_size=HEADER_SIZE)
        if data[:8] != MAGIC:
            found, expected = data[:8].hex(" ").upper(), MAGIC.hex(" ").upper()
            raise ArchiveError(
                f"the file starts with {found}, not the archive magic {expected} ({MAGIC.decode('ascii')})", 0,
                kind="bad_magic", found=found, expected=expected, expected_text=MAGIC.decode("ascii"))
        stored_crc = int.from_bytes(data[44:48], "little")
        if zlib.crc32(data[:44]) != stored_crc:
            raise ArchiveError("archive header CRC-32 does not match, the header is damaged", 44, kind="header_crc")
        version = int.from_bytes(data[8:10], "little")
        if version != FORMAT_VERSION:
            raise ArchiveError(f"archive format version {version} is not supported (this kktemu reads {FORMAT_VERSION})", 8,
                               kind="unsupported_version", version=version, supported=FORMAT_VERSION)
        size = int.from_bytes(data[10:12], "little")
        if size != HEADER_SIZE:
            raise ArchiveError(f"archive header size {size} does not match version 1 ({HEADER_SIZE})", 10,
                               kind="header_size", size=size, expected_size=HEADER_SIZE)
        try:
            serial = data[12:28].decode("ascii").rstrip(" ")
        except UnicodeDecodeError:
            raise ArchiveError("ФН serial in the archive header is not ASCII", 12, kind="serial_not_ascii") from None
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
    ``tickets`` are the accepted ОФД квитанции in file order.
    """

    header: ArchiveHeader
    documents: list[ArchivedDocument]
    valid_size: int
    torn_tail_bytes: int
    tickets: list[ArchivedTicket] = field(default_factory=list)


def parse_archive(data: bytes, source: str = "archive") -> ArchiveContents:
    """Parse a whole archive image. Raises ArchiveError for damage other than a torn tail.

    Reading stops at the first position that does not start a whole record (a
    length within bounds and inside the data, a matching CRC-32). The bytes from
    there on are a torn tail when they can be what one interrupted append
    leaves (``_check_torn_tail``). Anything else (a whole record after a broken
    one, a longer tail, a changed byte in the last record, foreign bytes after
    it, an unknown record type, ФД numbers out of sequence) is damage.
    """
    header = ArchiveHeader.decode(data)
    documents: list[ArchivedDocument] = []
    tickets: list[ArchivedTicket] = []
    confirmed: set[int] = set()
    offset = HEADER_SIZE
    while offset < len(data):
        end = _whole_record_end(data, offset)
        if end is None:
            _check_torn_tail(data, offset, source)
            break
        record_type = data[offset + 4]
        payload = data[offset + 5:end - 4]
        if record_type == RECORD_TICKET:
            ticket = _ticket_record(payload, len(documents), confirmed, source, offset)
            confirmed.add(ticket.fd_number)
            tickets.append(ticket)
            offset = end
            continue
        if record_type != RECORD_DOCUMENT:
            raise ArchiveError(f"{source}: record type {record_type} is unknown to format version 1", offset,
                               kind="unknown_record_type", record_type=record_type)
        try:
            document = ArchivedDocument.decode_payload(payload)
        except DecodeError as exc:
            raise ArchiveError(f"{source}: {exc}", offset, kind="malformed_record", record="document") from None
        expected_number = len(documents) + 1
        if document.fd_number != expected_number:
            raise ArchiveError(
                f"{source}: ФД number {document.fd_number} where {expected_number} was expected", offset,
                kind="fd_out_of_sequence", number=document.fd_number, expected=expected_number,
            )
        documents.append(document)
        offset = end
    return ArchiveContents(header, documents, valid_size=offset, torn_tail_bytes=len(data) - offset, tickets=tickets)


def _ticket_record(payload: bytes, document_count: int, confirmed: set[int], source: str, offset: int) -> ArchivedTicket:
    """Decode a квитанция record; it must confirm an earlier document that has no квитанция yet."""
    try:
        ticket = ArchivedTicket.decode_payload(payload)
    except DecodeError as exc:
        raise ArchiveError(f"{source}: {exc}", offset, kind="malformed_record", record="ticket") from None
    if not 1 <= ticket.fd_number <= document_count:
        raise ArchiveError(f"{source}: квитанция for ФД {ticket.fd_number} before that document", offset,
                           kind="ticket_before_document", fd=ticket.fd_number)
    if ticket.fd_number in confirmed:
        raise ArchiveError(f"{source}: a second квитанция for ФД {ticket.fd_number}", offset,
                           kind="second_ticket", fd=ticket.fd_number)
    return ticket


def _whole_record_end(data: bytes, offset: int) -> int | None:
    """Return the end of the record at ``offset`` when it is whole and its CRC-32 matches, else None."""
    if len(data) - offset < RECORD_OVERHEAD:
        return None
    length = int.from_bytes(data[offset:offset + 4], "little")
    end = offset + RECORD_OVERHEAD + length
    if length > MAX_PAYLOAD_SIZE or end > len(data):
        return None
    if zlib.crc32(data[offset:end - 4]) != int.from_bytes(data[end - 4:end], "little"):
        return None
    return end


def _check_torn_tail(data: bytes, offset: int, source: str) -> None:
    """Raise ArchiveError unless the bytes from ``offset`` on can be what one interrupted append left.

    A power cut during an append leaves a prefix of the record, zeros where the
    file grew but the data did not reach the disk, or a mix of both by disk
    sector. None of these contains a whole record, and none is longer than one
    record. Lost sectors only turn bytes into zeros, so a nonzero length field
    is at least the record's real length. Then the tail cannot run past the
    record it announces, and a tail holding that whole record with a wrong
    CRC-32 must contain a sector that reads as zeros.
    """
    tail = len(data) - offset
    if tail > MAX_RECORD_SIZE:
        broken = _broken_record(data, offset)
        raise ArchiveError(
            f"{source}: {_broken_record_text(broken)}, and the {tail} bytes from there on are more than"
            " one record; the file is damaged", offset, kind="tail_too_long", broken=broken, tail=tail)
    length = int.from_bytes(data[offset:offset + 4], "little") if tail >= 4 else 0
    if length > MAX_PAYLOAD_SIZE:
        raise ArchiveError(
            f"{source}: record length {length} is impossible, so the {tail} bytes from there on are not"
            " an interrupted write; the file is damaged", offset, kind="impossible_length", length=length, tail=tail)
    # The same answer as trying _whole_record_end at every later byte, in linear time (record_scan).
    candidate = first_whole_record(data, offset + 1, len(data), RECORD_OVERHEAD, MAX_PAYLOAD_SIZE)
    if candidate is not None:
        broken = _broken_record(data, offset)
        raise ArchiveError(
            f"{source}: {_broken_record_text(broken)}, and a whole record follows at byte {candidate};"
            " the file is damaged", offset, kind="record_after_broken", broken=broken, position=candidate)
    if length:
        _check_announced_record(data, offset, length, source)


def _check_announced_record(data: bytes, offset: int, length: int, source: str) -> None:
    """Check the tail at ``offset`` against the nonzero record ``length`` its first 4 bytes announce."""
    end = offset + RECORD_OVERHEAD + length
    if end < len(data) and offset // SECTOR_SIZE == (offset + 3) // SECTOR_SIZE:
        # Only a length field split across two sectors can have lost bytes and read short.
        raise ArchiveError(
            f"{source}: record CRC-32 does not match, and {len(data) - end} bytes follow the"
            f" {end - offset}-byte record; the file is damaged", offset,
            kind="crc_with_trailing", trailing=len(data) - end, record_size=end - offset)
    if end == len(data) and not _has_zeroed_sector(data, offset, end):
        raise ArchiveError(
            f"{source}: the last record is whole but its CRC-32 does not match, and none of its disk"
            " sectors reads as zeros, so it is not an interrupted write; the file is damaged", offset,
            kind="last_record_crc")
    if end > len(data) and _whole_with_true_length(data, offset):
        true_length = len(data) - offset - RECORD_OVERHEAD
        raise ArchiveError(
            f"{source}: record length {length} runs past the end of the file, but the record matches its"
            f" CRC-32 with the length {true_length}: its length field is damaged",
            offset, kind="length_field_damaged", length=length, true_length=true_length)


def _whole_with_true_length(data: bytes, offset: int) -> bool:
    """Tell whether the bytes from ``offset`` to the end are a whole record once its length field is corrected.

    A lost sector only zeros bytes, so it cannot make a length field larger.
    A whole record behind a length that is too large has therefore been damaged.
    """
    size = len(data) - offset - RECORD_OVERHEAD
    if size < 0:
        return False
    body = size.to_bytes(4, "little") + data[offset + 4:len(data) - 4]
    return zlib.crc32(body) == int.from_bytes(data[len(data) - 4:], "little")


def _has_zeroed_sector(data: bytes, start: int, end: int) -> bool:
    """Tell whether the share of one disk sector in ``data[start:end]`` is all zeros, as a lost sector reads.

    NOTE: a record whose own bytes fill a sector share with zeros passes this
    check, so damage to such a record can still pass for a torn tail.
    """
    sector_start = start - start % SECTOR_SIZE
    while sector_start < end:
        if not any(data[max(sector_start, start):min(sector_start + SECTOR_SIZE, end)]):
            return True
        sector_start += SECTOR_SIZE
    return False


def _broken_record(data: bytes, offset: int) -> tuple[str, dict[str, int]]:
    """Return why no whole record starts at ``offset``: a kind of ``BROKEN_RECORD_KINDS`` and its figures."""
    if len(data) - offset < RECORD_OVERHEAD:
        return "short_record", {"count": len(data) - offset}
    length = int.from_bytes(data[offset:offset + 4], "little")
    if length > MAX_PAYLOAD_SIZE:
        return "impossible_length", {"length": length}
    if offset + RECORD_OVERHEAD + length > len(data):
        return "past_end", {"length": length}
    return "crc_mismatch", {}


def _broken_record_text(broken: tuple[str, dict[str, int]]) -> str:
    """Return the English words for a ``_broken_record`` result."""
    kind, details = broken
    if kind == "short_record":
        return f"the last {details['count']} bytes are shorter than a record"
    if kind == "impossible_length":
        return f"record length {details['length']} is impossible"
    if kind == "past_end":
        return f"record length {details['length']} runs past the end of the file"
    return "record CRC-32 does not match"


def read_archive(path: str | os.PathLike) -> ArchiveContents:
    """Read an archive file without modifying it (for the CLI and tests).

    Raises ArchiveError for a damaged file or one that is not a regular file
    (a device, FIFO or socket), and OSError when it cannot be read.
    A torn tail is reported in ``torn_tail_bytes``, not removed.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        # Reading /dev/zero never ends, and opening a FIFO waits for a writer. A directory
        # raises IsADirectoryError below, which callers report by name.
        raise ArchiveError(f"{path} is not a regular file, so it cannot be a ФН archive", kind="not_regular_file",
                           path=str(path))
    data = Path(path).read_bytes()
    return parse_archive(data, source=str(path))
