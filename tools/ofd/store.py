"""Where the mock ОФД keeps what arrived: in memory, or in a store directory.

Every message that carried a document is stored as one arrival, whatever the
mock did with it (``Result``), before any квитанция leaves. A document the
register sends again (after a rejection, say) is a new arrival.

A store directory contains:

* ``index.jsonl``: one JSON object per arrival, one per line, in arrival order
  (the fields of ``StoredDocument.to_json``). Lines are appended whole and
  synced. A last line without its newline is the trace of an interrupted write;
  opening the store for writing cuts it off, reading skips it.
* ``messages/NNNNNNNN-SERIAL-FD.bin``: the message exactly as received (session
  header and container), one file per arrival, named by the arrival number,
  the ФН serial and the ФД number. Each file is written to a temporary name,
  synced and renamed, so it is whole or absent. Its index line is written
  after it, so an index line always has its file.
* ``lock``: a server holds an exclusive lock on it (``fcntl.flock``) while it
  runs, so two servers never write one store. Readers take no lock.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from kktemu.protocol.errors import KktemuError

from .intake import ReceivedDocument

logger = logging.getLogger(__name__)

INDEX_NAME = "index.jsonl"
MESSAGES_DIR = "messages"
LOCK_NAME = "lock"

_T = TypeVar("_T")


class Result:
    """What the mock did with an arrival, as written in the store."""

    ACCEPTED = "accepted"
    """A квитанция was sent (its 1022 is ``StoredDocument.code``)."""
    REJECTED = "rejected"
    """The reject fault: no квитанция, the connection closed."""
    DROPPED = "dropped"
    """The drop fault: the connection closed right after reading."""
    HELD = "held"
    """The no-answer fault: the connection stayed open without a квитанция."""
    INVALID_SIGN = "invalid_sign"
    """The ФПД or ФПС did not verify: no квитанция, the connection closed."""

    ALL = (ACCEPTED, REJECTED, DROPPED, HELD, INVALID_SIGN)


class StoreError(KktemuError):
    """A store directory cannot be used: unreadable, damaged, or locked by another server.

    ``reason`` is the cause without the directory's path ("Not a directory"),
    for messages that name the directory themselves. It equals the whole text
    when the failure concerns a file inside the directory, which the text names.
    """

    def __init__(self, text: str, *, reason: str | None = None) -> None:
        super().__init__(text)
        self.reason = text if reason is None else reason


class StoreLockedError(StoreError):
    """Another running server holds the store directory's lock."""


@dataclass(frozen=True)
class StoredDocument:
    """One arrival: the document's identity, what the mock did and when.

    ``sequence`` numbers arrivals from 1 in the order they were stored.
    ``document_time`` is the document's 1012 (local time of the register) and
    ``fiscal_sign`` its printed ФПД, each None when absent. ``code`` is the
    1022 sent for ``accepted`` and the fault's code for ``rejected``, else
    None. ``received_at`` is the UTC time of arrival, the 1012 of the
    квитанция. ``peer`` is the client's "host:port". ``file`` is the message's
    file name in a store directory (None in memory). ``detail`` explains an
    ``invalid_sign`` result.
    """

    sequence: int
    fn_serial: str
    fd_number: int
    form: int
    document_time: _dt.datetime | None
    fiscal_sign: int | None
    result: str
    code: int | None
    received_at: _dt.datetime
    peer: str
    file: str | None = None
    detail: str = ""

    def to_json(self) -> dict:
        """Return the JSON object of the index line (times as ISO 8601 text, no zone)."""
        return {
            "sequence": self.sequence,
            "fn_serial": self.fn_serial,
            "fd_number": self.fd_number,
            "form": self.form,
            "document_time": _iso(self.document_time),
            "fiscal_sign": self.fiscal_sign,
            "result": self.result,
            "code": self.code,
            "received_at": _iso(self.received_at),
            "peer": self.peer,
            "file": self.file,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict) -> StoredDocument:
        """Build a record from an index object.

        Raises StoreError naming the field when a required field is missing or
        a field has the wrong type or value.
        """
        missing = [name for name in REQUIRED_FIELDS if name not in data]
        if missing:
            noun = "field" if len(missing) == 1 else "fields"
            raise StoreError(f"missing {noun} {', '.join(map(repr, missing))}")
        record = cls(
            sequence=_field(data, "sequence", _integer),
            fn_serial=_field(data, "fn_serial", _string),
            fd_number=_field(data, "fd_number", _integer),
            form=_field(data, "form", _integer),
            document_time=_field(data, "document_time", _optional_time),
            fiscal_sign=_field(data, "fiscal_sign", _optional_integer),
            result=_field(data, "result", _string),
            code=_field(data, "code", _optional_integer),
            received_at=_field(data, "received_at", _time),
            peer=_field(data, "peer", _string),
            file=_field(data, "file", _optional_string) if "file" in data else None,
            detail=_field(data, "detail", _string) if "detail" in data else "",
        )
        if record.result not in Result.ALL:
            raise StoreError(f"unknown result {record.result!r} in field 'result'")
        return record


def _iso(moment: _dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


# Fields every index line has; "file" and "detail" may be absent (they default to None and "").
REQUIRED_FIELDS = ("sequence", "fn_serial", "fd_number", "form", "document_time", "fiscal_sign", "result", "code",
                   "received_at", "peer")


def _field(data: dict, name: str, convert: Callable[[object], _T]) -> _T:
    """Return ``convert(data[name])``; raise StoreError naming the field when the value is wrong."""
    try:
        return convert(data[name])
    except (TypeError, ValueError) as exc:
        raise StoreError(f"field {name!r}: {exc}") from None


def _time(value: object) -> _dt.datetime:
    text = _string(value)
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time") from None


def _optional_time(value: object) -> _dt.datetime | None:
    return None if value is None else _time(value)


def _optional_integer(value: object) -> int | None:
    return None if value is None else _integer(value)


def _optional_string(value: object) -> str | None:
    return None if value is None else _string(value)


def _integer(value: object) -> int:
    if type(value) is not int:
        raise TypeError(f"{value!r} is not an integer")
    return value


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    # JSON escapes can spell lone surrogates, which no UTF-8 output (the table, --json) can print.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{value!r} contains a lone surrogate, not valid Unicode text") from None
    return value


def _new_record(sequence: int, received: ReceivedDocument, *, result: str, code: int | None,
                received_at: _dt.datetime, peer: str, detail: str) -> StoredDocument:
    if result not in Result.ALL:
        raise ValueError(f"unknown result {result!r}; use a Result constant")
    return StoredDocument(
        sequence=sequence, fn_serial=received.fn_serial, fd_number=received.fd_number, form=received.form,
        document_time=received.document_time, fiscal_sign=received.fiscal_sign, result=result, code=code,
        received_at=received_at, peer=peer, detail=detail)


class MemoryStore:
    """A store that lives as long as the process: for tests and ``kktemu serve --ofd builtin``."""

    def __init__(self) -> None:
        self._records: list[StoredDocument] = []
        self._messages: dict[int, bytes] = {}

    def add(self, received: ReceivedDocument, *, result: str, code: int | None, received_at: _dt.datetime,
            peer: str, detail: str = "") -> StoredDocument:
        """Store one arrival and return its record. Raises ValueError for an unknown ``result``."""
        record = _new_record(len(self._records) + 1, received, result=result, code=code,
                             received_at=received_at, peer=peer, detail=detail)
        self._records.append(record)
        self._messages[record.sequence] = received.raw
        return record

    def documents(self) -> list[StoredDocument]:
        """Return every arrival, oldest first."""
        return list(self._records)

    def message(self, sequence: int) -> bytes:
        """Return the message of arrival ``sequence`` as received. Raises KeyError for an unknown number."""
        return self._messages[sequence]

    def close(self) -> None:
        """Do nothing: a memory store has no resources to release."""


class DirectoryStore:
    """A store directory (layout in the module description) that survives restarts.

    Opening creates the directory when it is missing, takes its lock and cuts
    off a torn last index line. ``sync`` False skips the fsync calls (faster,
    and a power cut may then lose the last arrivals). Raises StoreLockedError
    when another server holds the lock and StoreError for a damaged index or an
    OSError of the file system.
    """

    def __init__(self, path: str | os.PathLike[str], *, sync: bool = True) -> None:
        self.path = Path(path)
        self._sync = sync
        try:
            (self.path / MESSAGES_DIR).mkdir(parents=True, exist_ok=True)
            self._lock = open(self.path / LOCK_NAME, "a+b")  # noqa: SIM115 - held until close()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise StoreError(f"cannot open store directory {self.path}: {reason}", reason=reason) from exc
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise StoreLockedError(f"store directory {self.path} is in use by another mock ОФД") from None
        try:
            self._records = _read_index(self.path / INDEX_NAME, repair=True)
        except BaseException:
            self._lock.close()
            raise

    def add(self, received: ReceivedDocument, *, result: str, code: int | None, received_at: _dt.datetime,
            peer: str, detail: str = "") -> StoredDocument:
        """Write one arrival (message file, then index line) and return its record.

        Raises StoreError when the file system fails; the arrival is then not
        stored. Raises ValueError for an unknown ``result``.
        """
        # The largest number, not the last: in an edited or merged index a smaller number can come last,
        # and reusing a taken number would overwrite that arrival's message file.
        sequence = max((item.sequence for item in self._records), default=0) + 1
        record = _new_record(sequence, received, result=result, code=code, received_at=received_at, peer=peer,
                             detail=detail)
        name = f"{sequence:08d}-{received.fn_serial}-{received.fd_number}.bin"
        record = replace(record, file=name)
        line = (json.dumps(record.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self._write_message(name, received.raw)
        except OSError as exc:
            raise StoreError(f"cannot write arrival {sequence} to {self.path}: {exc.strerror or exc}") from exc
        try:
            self._append_index(line)
        except OSError as exc:
            # Without its index line the arrival is not stored, so its message file goes too.
            with contextlib.suppress(OSError):
                (self.path / MESSAGES_DIR / name).unlink()
            raise StoreError(f"cannot write arrival {sequence} to {self.path}: {exc.strerror or exc}") from exc
        self._records.append(record)
        return record

    def documents(self) -> list[StoredDocument]:
        """Return every arrival, oldest first."""
        return list(self._records)

    def message(self, sequence: int) -> bytes:
        """Return the message of arrival ``sequence``. Raises KeyError for an unknown number, OSError
        when its file cannot be read."""
        for record in self._records:
            if record.sequence == sequence and record.file is not None:
                return (self.path / MESSAGES_DIR / record.file).read_bytes()
        raise KeyError(sequence)

    def close(self) -> None:
        """Release the lock. The store must not be written afterwards."""
        self._lock.close()

    def _write_message(self, name: str, data: bytes) -> None:
        directory = self.path / MESSAGES_DIR
        temporary = directory / f".{name}.tmp"
        try:
            with open(temporary, "wb") as file:
                file.write(data)
                file.flush()
                if self._sync:
                    os.fsync(file.fileno())
            os.replace(temporary, directory / name)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        if self._sync:
            _sync_directory(directory)

    def _append_index(self, line: bytes) -> None:
        descriptor = os.open(self.path / INDEX_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(descriptor).st_size
            try:
                written = os.write(descriptor, line)
                if written != len(line):
                    raise OSError(f"short write to the index: {written} of {len(line)} bytes")
                if self._sync:
                    os.fsync(descriptor)
            except OSError:
                # A partial line would glue onto the next arrival's line and make the index unreadable.
                with contextlib.suppress(OSError):
                    os.ftruncate(descriptor, size)
                raise
        finally:
            os.close(descriptor)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_store(path: str | os.PathLike[str]) -> list[StoredDocument]:
    """Return the arrivals recorded in store directory ``path``, oldest first, without locking it.

    A directory without an index has no arrivals, and a torn last index line
    is skipped. Raises NotADirectoryError when ``path`` is not a directory and
    StoreError for an unreadable or damaged index.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a directory")
    return _read_index(directory / INDEX_NAME, repair=False)


def _read_index_bytes(index: Path) -> bytes | None:
    """Return the index file's bytes, None when it is missing; raise StoreError when it is not a regular file."""
    # With O_NONBLOCK, opening a FIFO returns at once instead of waiting for a writer, so the check
    # below can reject it. A device such as /dev/zero is rejected too, because reading it never ends.
    try:
        descriptor = os.open(index, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {index}: {exc.strerror or exc}") from exc
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise StoreError(f"{index} is not a regular file")
        try:
            return file.read()
        except OSError as exc:
            raise StoreError(f"cannot read {index}: {exc.strerror or exc}") from exc


def _read_index(index: Path, *, repair: bool) -> list[StoredDocument]:
    data = _read_index_bytes(index)
    if data is None:
        return []
    complete, _, torn = data.rpartition(b"\n")
    if torn:
        logger.warning("%s ends with %d bytes of an unfinished record%s", index, len(torn),
                       ", cutting them off" if repair else ", skipping them")
        if repair:
            try:
                os.truncate(index, len(complete) + 1 if complete else 0)
            except OSError as exc:
                raise StoreError(f"cannot repair {index}: {exc.strerror or exc}") from exc
    records = []
    for number, line in enumerate(complete.split(b"\n") if complete else [], start=1):
        try:
            data_object = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{index} line {number} is not JSON: {exc}") from None
        except RecursionError:
            raise StoreError(f"{index} line {number} nests JSON values too deeply to read") from None
        if not isinstance(data_object, dict):
            raise StoreError(f"{index} line {number} is not a JSON object")
        try:
            records.append(StoredDocument.from_json(data_object))
        except StoreError as exc:
            raise StoreError(f"{index} line {number} is not a valid arrival record: {exc}") from None
    return records
