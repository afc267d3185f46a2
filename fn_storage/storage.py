"""The ФН as a state machine driven only by ФН interface commands.

``FiscalStorage.execute(command, data)`` takes the CMD byte and data of a
request frame and returns the result code and answer data, as a real ФН
answers. Device refusals are answers (01h malformed request, 02h wrong state,
07h wrong date and time, ...), never exceptions. Formed documents go to the
archive file and reach the disk before ``execute`` returns.

Implemented commands: 02h..07h, 10h..19h, 20h..26h, 30h..33h, 35h, 3Ah, 3Bh, 3Dh,
40h..47h and the debug reset 60h. A command outside the life phases that
table 6 of the interface description allows for it is answered 02h before its
handler runs (``lifecycle``). Every answer carries bit 7 of the result byte
while a warning flag of 30h is raised (``resources``), and every refusal is
remembered for 35h (``last_errors``).

NOTE: the marking commands of ФН-М (B1h..B7h, which form documents 81..84)
are not part of the interface description v1.2 and answer 01h (unknown
command): kktemu's ФН does not support marked goods. The model never answers
04h «ошибка КС» (its fiscal sign cannot fail) or 0Ah «некорректная команда»
(no public source says when a ФН-1.1 returns it).
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from collections.abc import Callable
from pathlib import Path

from ..protocol.errors import DecodeError
from ..protocol.ffd.tlv import encode_tlv
from ..protocol.fn.codes import WARNING_BIT, FnResult
from ..protocol.fn.frame import MAX_DATA_SIZE
from ..protocol.fn.registry import decode_request
from ..protocol.fn.service import FnPhase
from .archive_commands import ArchiveCommands
from .archive_file import (
    RECORD_DOCUMENT,
    ArchivedDocument,
    ArchiveHeader,
    ArchiveWriter,
    encode_record,
    parse_archive,
)
from .document_commands import DocumentCommands, OpenDocument
from .errors import ArchiveError, InvalidArgumentError
from .exchange import ExchangeCommands, ExchangeSession
from .flc import ControlViolation, DocumentContext, control_document
from .forming import build_document
from .last_errors import LastErrors
from .lifecycle import command_allowed
from .power import PowerSwitch
from .profile import DEFAULT_PROFILE, FnProfile
from .qr import receipt_qr
from .resources import DocumentRefused
from .service_commands import ServiceCommands
from .signing import DEFAULT_MASTER_KEY, derive_fn_key, key_check_value
from .state import FnState

logger = logging.getLogger(__name__)

Answer = tuple[int, bytes]
Timer = Callable[[], _dt.datetime]
SERIAL_LENGTH = 16


def _timer(now) -> Timer:
    # A clock object with a ``now`` method (such as the emulator's Clock) or a plain callable.
    method = getattr(now, "now", None)
    return method if callable(method) else now


class FiscalStorage(DocumentCommands, ArchiveCommands, ServiceCommands, ExchangeCommands):
    """One ФН bound to its archive file.

    Build it with ``create`` (a new ФН in phase 1, «готовность к фискализации»)
    or ``open`` (an existing archive, replayed). ``now`` is the ФН timer: a
    callable, or a clock object with a ``now()`` method (the emulator's Clock,
    which the register shares), returning a naive local datetime. The model
    reads it when it forms a document, to compare the time between two
    operations with the ККТ's clock, and for every deadline (validity, the
    24-hour shift, the ОФД timeout). ``profile`` gives the model's figures
    (validity, capacity, firmware type); open an archive with the profile it was
    created with. The object is not thread-safe: serialize calls to ``execute``.
    """

    def __init__(
        self,
        path: Path,
        writer: ArchiveWriter,
        header: ArchiveHeader,
        key: bytes,
        state: FnState,
        now,
        profile: FnProfile = DEFAULT_PROFILE,
    ):
        self._path = path
        self._writer: ArchiveWriter | None = writer
        self._header = header
        self._key = key
        self._state = state
        self._now = _timer(now)
        self._profile = profile
        self._errors = LastErrors()
        self._open: OpenDocument | None = None
        self._exchange = ExchangeSession()
        # Tests cut the power through this switch (see ``power``); a cut closes the archive file.
        self.power = PowerSwitch(on_cut=writer.close)
        writer.power = self.power
        self._document_cursor: list[tuple[int, bytes]] | None = None
        self._registration_cursor: list[tuple[int, bytes]] | None = None
        self._handlers: dict[int, Callable[[object], Answer]] = {
            **self.document_handlers(),
            **self.archive_handlers(),
            **self.service_handlers(),
            **self.exchange_handlers(),
        }

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        serial: str,
        now,
        master_key: bytes = DEFAULT_MASTER_KEY,
        profile: FnProfile = DEFAULT_PROFILE,
    ) -> FiscalStorage:
        """Create a new ФН with a new archive file at ``path``.

        Raises InvalidArgumentError when ``serial`` is not 16 ASCII digits and
        ArchiveError when the file already exists.
        """
        if len(serial) != SERIAL_LENGTH or not (serial.isascii() and serial.isdigit()):
            raise InvalidArgumentError(f"ФН serial {serial!r} must be 16 digits")
        key = derive_fn_key(master_key, serial)
        header = ArchiveHeader(serial=serial, created=_naive(_timer(now)()), key_check=key_check_value(key))
        writer = ArchiveWriter.create(path, header)
        logger.info("created ФН %s with archive %s", serial, path)
        return cls(Path(path), writer, header, key, FnState(), now, profile)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        now,
        master_key: bytes = DEFAULT_MASTER_KEY,
        profile: FnProfile = DEFAULT_PROFILE,
    ) -> FiscalStorage:
        """Open an existing archive and rebuild the ФН state by replaying its documents and квитанции.

        A torn tail (an interrupted last append) is cut off with a WARNING.
        Raises ArchiveError when the file is missing, locked, damaged, or was
        written with another master key.
        """
        writer = ArchiveWriter.open(path)
        try:
            contents = parse_archive(writer.read_all(), source=str(path))
            key = derive_fn_key(master_key, contents.header.serial)
            if key_check_value(key) != contents.header.key_check:
                raise ArchiveError(f"{path}: the archive was signed with another master key", kind="other_master_key")
            state = FnState()
            for document in contents.documents:
                try:
                    state.apply(document)
                except (DecodeError, ValueError) as exc:
                    raise ArchiveError(f"{path}: ФД {document.fd_number} cannot be replayed: {exc}",
                                       kind="replay_failed", fd=document.fd_number) from None
            for ticket in contents.tickets:
                state.mark_ticket(ticket.fd_number, ticket)
            writer.cut_torn_tail(contents.valid_size)
        except BaseException:
            writer.close()
            raise
        logger.info(
            "opened ФН %s archive %s: document count %d, phase %d",
            contents.header.serial, path, len(contents.documents), state.phase,
        )
        return cls(Path(path), writer, contents.header, key, state, now, profile)

    def close(self) -> None:
        """Close the archive file. Further ``execute`` calls raise ArchiveError."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> FiscalStorage:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def serial(self) -> str:
        """The 16-digit ФН number."""
        return self._header.serial

    @property
    def path(self) -> Path:
        """Path of the archive file."""
        return self._path

    @property
    def key(self) -> bytes:
        """The ФН signing key (for ``verify_document``)."""
        return self._key

    @property
    def phase(self) -> int:
        """Current life phase (30h phase byte)."""
        return self._state.phase

    @property
    def profile(self) -> FnProfile:
        """The model figures this ФН runs with."""
        return self._profile

    def qr(self, fd_number: int) -> str | None:
        """Return the QR code string of receipt ФД ``fd_number``; None for a form without one.

        Forms 3, 31, 4 and 41 have a QR code (see ``qr.ReceiptQr``). Raises
        InvalidArgumentError when the archive has no ФД ``fd_number``.
        """
        documents = self._state.documents
        if not 1 <= fd_number <= len(documents):
            raise InvalidArgumentError(f"ФД {fd_number} is not in the archive of ФН {self.serial} "
                                       f"(it contains ФД 1..{len(documents)})")
        code = receipt_qr(documents[fd_number - 1])
        return None if code is None else code.encode()

    def execute(self, command: int, data: bytes) -> Answer:
        """Run one ФН interface command; return ``(result code, answer data)``.

        The result is an ``FnResult`` value with bit 7 (``WARNING_BIT``) set
        while a warning flag of 30h is raised; answer data are empty unless the
        result is 00h, or 20h with the reason byte of a refused квитанция (26h). A command that table 6 does not allow in the current
        life phase is answered 02h. An I/O failure of the archive answers 03h (ФН error) and leaves
        the state as it was. Raises ArchiveError when the ФН is closed, and
        PowerCut (a BaseException) at a power cut that ``power`` armed and for
        every command after it.
        """
        if self._writer is None:
            raise ArchiveError(f"ФН {self.serial} is closed", kind="closed", path=str(self.path))
        if self.power.is_off:
            raise self.power.dead()
        result, answer = self._run(command, bytes(data))
        if result != FnResult.OK:
            self._errors.record(command, result, self.timer())
        if self.warning_flags():
            result |= WARNING_BIT
        return result, answer

    def _run(self, command: int, data: bytes) -> Answer:
        if len(data) > MAX_DATA_SIZE:
            return self.refuse(FnResult.UNKNOWN_COMMAND, f"request data of {len(data)} bytes exceed {MAX_DATA_SIZE}")
        try:
            request = decode_request(command, data)
        except DecodeError as exc:
            return self.refuse(FnResult.UNKNOWN_COMMAND, f"malformed {command:02X}h request: {exc}")
        if not command_allowed(command, self._state.phase):
            return self.refuse(FnResult.INVALID_STATE, f"command {command:02X}h is not allowed in phase {self._state.phase}")
        handler = self._handlers.get(command)
        if handler is None:
            return self.refuse(FnResult.UNKNOWN_COMMAND, f"command {command:02X}h is not supported")
        try:
            return handler(request)
        except ControlViolation as rejection:
            violation = rejection.violation
            where = "the document" if violation.tag is None else f"tag {violation.tag}"
            logger.info("ФН %s rejected the document of command %02Xh with %02Xh: format-logical control "
                        "rule %s failed on %s: %s", self.serial, command, violation.result,
                        violation.rule.title, where, violation.detail)
            return violation.result, b""
        except DocumentRefused as refusal:
            return self.refuse(refusal.result, str(refusal))
        except OSError:
            logger.exception("ФН %s: archive write failed during command %02Xh", self.serial, command)
            return FnResult.FN_FAILURE, b""

    # Helpers shared by the command groups.

    def refuse(self, result: FnResult, reason: str) -> Answer:
        """Return a refusal answer and log its reason at DEBUG."""
        logger.debug("ФН %s answers %02Xh (%s): %s", self.serial, result, result.name, reason)
        return result, b""

    def timer(self) -> _dt.datetime:
        """Read the ФН timer."""
        return _naive(self._now())

    def form_document(
        self,
        form: int,
        moment: _dt.datetime,
        details: bytes,
        fn_tlv: bytes = b"",
        inn: str | None = None,
        rnm: str | None = None,
    ) -> tuple[int, int]:
        """Sign, archive and apply the open document; return ``(ФД number, FP32)``.

        ``details`` is the type-specific tail of the 40h record and ``fn_tlv``
        the TLVs the ФН appends. ``inn`` and ``rnm`` default to the current
        registration. Raises DocumentRefused when the format-logical control
        (``flc``) or a resource rule (``check_resources``) forbids the
        document, and OSError when the archive cannot be written, with nothing
        changed either way.
        """
        assert self._open is not None and self._writer is not None
        registration = self._state.registration
        fd_number = self._state.last_fd_number + 1
        moment = moment.replace(second=0, microsecond=0)
        control_document(bytes(self._open.data), DocumentContext.of(form, moment, self._state), self._profile.strict_control)
        stlv, fp32 = build_document(
            key=self._key,
            form=form,
            serial=self.serial,
            rnm=rnm if rnm is not None else registration.rnm,
            inn=inn if inn is not None else registration.inn,
            fd_number=fd_number,
            moment=moment,
            register_tlv=bytes(self._open.data),
            fn_tlv=fn_tlv,
        )
        self.check_resources(form, len(stlv))
        document = ArchivedDocument(
            fd_number=fd_number,
            form=form,
            moment=moment,
            fn_time=self.timer(),
            fiscal_sign=fp32,
            details=details,
            stlv=stlv,
        )
        self._writer.append(encode_record(RECORD_DOCUMENT, document.encode_payload()))
        self._state.apply(document)
        self._open = None
        logger.debug("ФН %s formed ФД %d, form %d, ФПД %d", self.serial, fd_number, form, fp32)
        return fd_number, fp32

    def not_fiscal(self) -> bool:
        """True unless the ФН is in the fiscal mode."""
        return self._state.phase != FnPhase.FISCAL_MODE

    @staticmethod
    def tlv_answer(item: tuple[int, bytes]) -> Answer:
        """Return a successful answer carrying one TLV."""
        return FnResult.OK, encode_tlv(*item)


def _naive(moment: _dt.datetime) -> _dt.datetime:
    if moment.tzinfo is not None:
        raise InvalidArgumentError(f"the ФН timer must be a naive local time, got {moment.isoformat()}")
    return moment

