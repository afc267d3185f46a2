"""The cash register model, independent of any wire protocol.

The register keeps what a real ККТ keeps between commands: the shift and its
24-hour limit, the receipt under construction, the cash drawer, the document
counter and TLVs the host sent for the next document. Everything fiscal goes
to the ФН through ФН interface commands (``FnClient``). Operations either
complete or raise ``Refusal`` with the register state unchanged, except that
host TLVs the ФН rejects are dropped with the refused shift report. The dialect
of each wire protocol turns a Refusal into its error code.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging

from kktemu.protocol.ffd.values import decode_vln
from kktemu.protocol.fn.records import ShiftRecord
from kktemu.protocol.fn.service import CurrentDocument, FnPhase, StatusAnswer

from .clock import Clock, OffsetClock
from .device_state import DeviceState, reset_required_at_start
from .fn_client import FnClient, fn_moment
from .memory import RegisterMemory
from .profiles import DeviceProfile, profile_version
from .refusals import Reason, Refusal
from .register_buffer import BufferOperations
from .register_cash import CashOperations
from .register_clock import ClockOperations
from .register_counters import CounterOperations
from .register_device import DeviceOperations
from .register_discounts import DiscountOperations
from .register_print import PrintOperations
from .register_receipts import ReceiptOperations
from .register_registration import RegistrationOperations
from .register_settings import SettingsOperations
from .register_shift import ShiftOperations
from .register_tables import TableOperations
from .register_types import (CASH_DOCUMENT_FORMS, CASH_OUTGOING_OPERATIONS, JOURNAL_LINES, OPEN_SHIFT_FORM,
                             SHIFT_LIMIT, OpenReceipt, ShiftState, cashier_name)
from .registration import Identity, default_identity, load_identity, register_fn

logger = logging.getLogger(__name__)

__all__ = ["Register", "ShiftState", "OpenReceipt", "cashier_name"]


class Register(ShiftOperations, ReceiptOperations, CashOperations, TableOperations, SettingsOperations,
               CounterOperations, ClockOperations, DeviceOperations, PrintOperations, RegistrationOperations,
               BufferOperations, DiscountOperations):
    """One emulated ККТ bound to one ФН.

    Build it with ``Register.start``, which registers a fresh ФН or reads the
    identity of a registered one. Methods are not thread-safe: the transports
    serialise commands before they reach the register.
    """

    def __init__(self, fn: FnClient, clock: Clock, profile: DeviceProfile, identity: Identity,
                 shift: ShiftState, memory: RegisterMemory):
        self.fn = fn
        self.memory = memory
        self.clock = OffsetClock(clock, memory.state.get("clock_offset", 0.0))
        self.profile = profile
        self.identity = identity
        self.fn_serial = memory.fn_serial
        self.shift = shift
        self.journal: collections.deque[str] = collections.deque(maxlen=JOURNAL_LINES)
        self._receipt: OpenReceipt | None = None
        self._pending_tlv: list[bytes] = []
        self.device = DeviceState(technological_reset_required=reset_required_at_start(memory))

    @classmethod
    def start(cls, fn: FnClient, clock: Clock, profile: DeviceProfile,
              memory: RegisterMemory | None = None, *, register_fresh_fn: bool = True) -> Register:
        """Attach a register to a ФН, registering it first when it is in phase 1.

        A document left open in the ФН by an earlier run (power cut) is cancelled,
        as a register does when it starts. ``memory`` is the register's
        non-volatile state (RAM only when None); documents the ФН formed after
        the memory's last one are replayed into it (cash in the drawer, document
        counter). With ``register_fresh_fn`` False a ФН in phase 1 stays there,
        with the identity ``default_identity`` gives, until the host registers it
        (FF05h, FF06h).
        """
        status = fn.status()
        if memory is None:
            memory = RegisterMemory(None, status.serial)
        if status.current_document != CurrentDocument.NONE:
            logger.warning("cancelling document %02Xh left open in the ФН", status.current_document)
            fn.cancel_document()
        if status.phase == FnPhase.READY_FOR_FISCALIZATION:
            identity = default_identity(status.serial, profile.ffd_code)
            if register_fresh_fn:
                register_fn(fn, identity, profile, cashier_name(30), clock.now())
                status = fn.status()
        else:
            identity = load_identity(fn, status.last_fd_number)
            registered = profile_version(identity.ffd_code)
            if registered != profile.ffd_version:
                logger.warning("the ФН is registered for ФФД %s, not %s: keeping ФФД %s",
                               registered, profile.ffd_version, registered)
                profile = profile.with_ffd(registered)
        shift = cls._read_shift(fn, status)
        register = cls(fn, clock, profile, identity, shift, memory)
        register._replay_documents(status.last_fd_number)
        return register

    def _replay_documents(self, last_fd: int) -> None:
        """Apply the ФН documents after the memory's ``last_fd`` to the drawer and counter.

        A memory ahead of the ФН belongs to the ФН's life before a debug reset
        (60h), so it is counted from ФД 1 again.
        """
        if last_fd < self.last_fd:
            logger.warning("the register memory counted ФД %d, but the ФН ends at ФД %d after a debug reset: "
                           "counting from ФД 1 again", self.last_fd, last_fd)
            self.last_fd = 0
        first = self.last_fd + 1
        for fd_number in range(first, last_fd + 1):
            found = self.fn.find_document(fd_number)
            if found.document_type & 0x3F in CASH_DOCUMENT_FORMS:
                _form, items = self.fn.read_document(fd_number)
                values = dict(items)
                operation = values.get(1054, b"\x01")[0]
                cash = decode_vln(values.get(1031, b""))
                self.cash_in_drawer += -cash if operation in CASH_OUTGOING_OPERATIONS else cash
            self.document_number += 1
            self.last_fd = fd_number
        if last_fd >= first:
            logger.info("register memory caught up with ФД %d..%d", first, last_fd)
            self._save(durable=True)

    def resync_with_fn(self) -> None:
        """Bring the register back in line with the ФН after a command failed inside kktemu.

        A document left open in the ФН is cancelled. An open receipt stays open
        and is begun in the ФН again when it closes, and a begun report has to
        be begun again. When the ФН formed documents the register has not
        accounted for, they are replayed (drawer, document counter) and the
        open receipt is dropped, because the ФН formed it. The shift is read
        from the ФН again.
        """
        status = self.fn.status()
        if status.current_document != CurrentDocument.NONE:
            logger.warning("cancelling document %02Xh left open in the ФН by a failed command",
                           status.current_document)
            self.fn.cancel_document()
        if self._receipt is not None:
            self._receipt.begun_in_fn = False
        self._begun_report = None
        if status.last_fd_number > self.last_fd:
            if self._receipt is not None:
                logger.warning("the ФН formed ФД %d for the open receipt before the failure", status.last_fd_number)
            self._receipt = None
            self._replay_documents(status.last_fd_number)
        self.shift = self._read_shift(self.fn, status)

    # Non-volatile state.

    @property
    def document_number(self) -> int:
        """Сквозной номер документа: every document printed, fiscal or not."""
        return self.memory.state.get("document_number", 0)

    @document_number.setter
    def document_number(self, value: int) -> None:
        self.memory.state["document_number"] = value

    @property
    def cash_in_drawer(self) -> int:
        """Cash in the drawer, kopecks."""
        return self.memory.state.get("cash_in_drawer", 0)

    @cash_in_drawer.setter
    def cash_in_drawer(self, value: int) -> None:
        self.memory.state["cash_in_drawer"] = value

    @property
    def last_fd(self) -> int:
        """Number of the last ФН document the memory has accounted for."""
        return self.memory.state.get("last_fd", 0)

    @last_fd.setter
    def last_fd(self, value: int) -> None:
        self.memory.state["last_fd"] = value

    def _save(self, durable: bool) -> None:
        """Journal the memory. A failure after a fiscal document is logged, not raised:
        the document exists and the next start replays it."""
        self.memory.state["clock_offset"] = self.clock.offset
        try:
            self.memory.save(durable)
        except OSError as exc:
            if durable:
                raise
            logger.error("cannot save the register memory to %s: %s", self.memory.path, exc)

    def _save_or_restore(self, previous: dict) -> None:
        """Journal a non-fiscal change durably; on failure restore ``previous`` and refuse."""
        try:
            self._save(durable=True)
        except OSError as exc:
            self.memory.state.clear()
            self.memory.state.update(previous)
            logger.error("cannot save the register memory to %s: %s", self.memory.path, exc)
            raise Refusal(Reason.MEMORY_FAILURE, str(exc)) from None

    @staticmethod
    def _read_shift(fn: FnClient, status: StatusAnswer) -> ShiftState:
        """Read the shift from the ФН. Outside the fiscal mode (10h refused) the shift is closed,
        and its number is that of the last shift report in the archive, 0 before registration."""
        last_fd = status.last_fd_number
        if status.phase != FnPhase.FISCAL_MODE:
            for fd_number in range(last_fd, 0, -1):
                record = fn.find_document(fd_number).record
                if isinstance(record, ShiftRecord):
                    return ShiftState(False, record.shift_number)
            return ShiftState(False, 0)
        parameters = fn.shift_parameters()
        shift = ShiftState(parameters.is_open, parameters.shift_number)
        if not shift.is_open:
            return shift
        for fd_number in range(last_fd, 0, -1):
            found = fn.find_document(fd_number)
            if found.document_type & 0x3F == OPEN_SHIFT_FORM and isinstance(found.record, ShiftRecord):
                shift.opened_at = found.record.moment
                break
        return shift

    # State queries.

    @property
    def receipt(self) -> OpenReceipt | None:
        """The open receipt, or None."""
        return self._receipt

    def shift_expired(self) -> bool:
        """True when an open shift has lasted more than 24 hours by the ФН's rule."""
        if not self.shift.is_open or self.shift.opened_at is None:
            return False
        return fn_moment(self.clock.now()) - self.shift.opened_at > SHIFT_LIMIT

    def now(self) -> dt.datetime:
        """Return the register's clock."""
        return self.clock.now()
