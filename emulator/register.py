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
import copy
import dataclasses
import datetime as dt
import logging

from kktemu.protocol.errors import DecodeError
from kktemu.protocol.ffd.tlv import encode_tlv, iter_tlv
from kktemu.protocol.ffd.values import decode_vln, encode_byte, encode_string, encode_uint32
from kktemu.protocol.fn.codes import FnResult
from kktemu.protocol.fn.records import ShiftRecord
from kktemu.protocol.fn.service import CurrentDocument, FnPhase

from .clock import Clock, OffsetClock
from .fn_client import FnClient, fn_moment
from .memory import RegisterMemory
from .profiles import DeviceProfile, profile_version
from .receipt import MAX_MONEY, Receipt, ReceiptContext, make_item, receipt_tlv
from .refusals import Reason, Refusal
from .registration import Identity, default_identity, load_identity, register_fn

logger = logging.getLogger(__name__)

SHIFT_LIMIT = dt.timedelta(hours=24)
OPEN_SHIFT_FORM = 2
MAX_DEPARTMENT = 16
JOURNAL_LINES = 1000
# Receipt types of the register (Штрих-М 8Dh numbering) to реквизит 1054, признак расчёта.
RECEIPT_OPERATIONS = {0: 1, 1: 3, 2: 2, 3: 4}
# Операции, после которых наличных в ящике становится меньше: возврат прихода и расход.
CASH_OUTGOING_OPERATIONS = {2, 3}
# Forms whose cash (1031) moves the drawer: receipt, correction receipt, БСО, БСО коррекции.
CASH_DOCUMENT_FORMS = {3, 31, 4, 41}
# Tags the ФН puts into every document itself (ФН number, РНМ, ИНН, ФД number, time, ФПД).
FN_OWN_TAGS = frozenset({1041, 1037, 1018, 1040, 1012, 1077})
# Host TLVs kept for one document: the ФН's data budget for a receipt (30 KB).
MAX_HOST_TLV_BYTES = 30 * 1024
# ФН results that reject the data of a shift report (07h, 12h, 14h): an invalid value,
# tags not allowed, tags the ФН writes itself, data over the size budget, invalid tags.
HOST_DATA_REJECTIONS = {FnResult.INVALID_PARAMETER, FnResult.FORBIDDEN_TAGS, FnResult.DUPLICATE_DATA,
                        FnResult.TLV_TOO_LARGE, FnResult.INVALID_TAG, FnResult.TAG_MISMATCH}


def cashier_name(operator: int) -> str:
    """Return the default name of operator 1..30 as a Штрих-М operator table holds it."""
    if operator == 30:
        return "СИС. АДМИНИСТРАТОР"
    if operator == 29:
        return "АДМИНИСТРАТОР"
    return f"КАССИР {operator}"


@dataclasses.dataclass
class ShiftState:
    """The shift as the register tracks it. ``opened_at`` has the ФН's minute precision."""

    is_open: bool
    number: int
    opened_at: dt.datetime | None = None


@dataclasses.dataclass
class OpenReceipt:
    """The receipt under construction and whether the ФН has begun it (15h)."""

    receipt_type: int
    operator: int
    receipt: Receipt
    begun_in_fn: bool


class Register:
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

    @classmethod
    def start(cls, fn: FnClient, clock: Clock, profile: DeviceProfile,
              memory: RegisterMemory | None = None) -> Register:
        """Attach a register to a ФН, registering it first when it is in phase 1.

        A document left open in the ФН by an earlier run (power cut) is cancelled,
        as a register does when it starts. ``memory`` is the register's
        non-volatile state (RAM only when None); documents the ФН formed after
        the memory's last one are replayed into it (cash in the drawer, document
        counter).
        """
        status = fn.status()
        if memory is None:
            memory = RegisterMemory(None, status.serial)
        if status.current_document != CurrentDocument.NONE:
            logger.warning("cancelling document %02Xh left open in the ФН", status.current_document)
            fn.cancel_document()
        if status.phase == FnPhase.READY_FOR_FISCALIZATION:
            identity = default_identity(status.serial, profile.ffd_code)
            register_fn(fn, identity, profile, cashier_name(30), clock.now())
            status = fn.status()
        else:
            identity = load_identity(fn, status.last_fd_number)
            registered = profile_version(identity.ffd_code)
            if registered != profile.ffd_version:
                logger.warning("the ФН is registered for ФФД %s, not %s: keeping ФФД %s",
                               registered, profile.ffd_version, registered)
                profile = profile.with_ffd(registered)
        shift = cls._read_shift(fn, status.last_fd_number)
        register = cls(fn, clock, profile, identity, shift, memory)
        register._replay_documents(status.last_fd_number)
        return register

    def _replay_documents(self, last_fd: int) -> None:
        """Apply the ФН documents after the memory's ``last_fd`` to the drawer and counter."""
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
    def _read_shift(fn: FnClient, last_fd: int) -> ShiftState:
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

    # Shift.

    def open_shift(self, operator: int, *, with_host_tlv: bool = True) -> int:
        """Form the open shift report; return the new shift number.

        ``with_host_tlv`` attaches the TLVs the host sent (FF0C) since the last
        document. The automatic opening before a sale leaves them for the receipt.
        See ``_form_shift_report`` for host TLVs the ФН rejects.
        """
        self._require_no_receipt()
        if self.shift.is_open:
            raise Refusal(Reason.SHIFT_OPEN)
        moment = self.now()
        number = self.shift.number + 1
        answer = self._form_shift_report(self.fn.open_shift, moment, self._shift_tlv(operator, number),
                                         with_host_tlv)
        self.shift = ShiftState(True, answer.shift_number, fn_moment(moment))
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("shift %d opened, ФД %d", answer.shift_number, answer.fd_number)
        return answer.shift_number

    def close_shift(self, operator: int) -> int:
        """Form the close shift report (Z report) with the host TLVs; return the closed shift number."""
        self._require_no_receipt()
        if not self.shift.is_open:
            raise Refusal(Reason.SHIFT_CLOSED)
        answer = self._form_shift_report(self.fn.close_shift, self.now(),
                                         self._shift_tlv(operator, self.shift.number), True)
        self.shift = ShiftState(False, answer.shift_number)
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("shift %d closed, ФД %d", answer.shift_number, answer.fd_number)
        return answer.shift_number

    def x_report(self, operator: int) -> None:
        """Print the X report (non-fiscal shift totals)."""
        self._require_no_receipt()
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        self._save_or_restore(previous)
        self.journal.append(f"X REPORT by {cashier_name(operator)}")

    def _form_shift_report(self, form, moment: dt.datetime, register_tlv: bytes, with_host_tlv: bool):
        """Form a shift report with ``form(moment, tlv)``, adding the host TLVs when asked.

        When the ФН rejects the document data, the host TLVs are dropped with the
        refused report, so that they do not block every later shift report. The
        refusal still reaches the host.
        """
        host_tlv = b"".join(self._pending_tlv) if with_host_tlv else b""
        try:
            answer = form(moment, register_tlv + host_tlv)
        except Refusal as refusal:
            if host_tlv and refusal.fn_code in HOST_DATA_REJECTIONS:
                logger.warning("the ФН rejected the report data with result %02Xh: dropping host TLVs %s",
                               refusal.fn_code, host_tlv.hex(" "))
                self._pending_tlv.clear()
            raise
        if with_host_tlv:
            self._pending_tlv.clear()
        return answer

    def _shift_tlv(self, operator: int, number: int) -> bytes:
        return b"".join((
            encode_tlv(1021, encode_string(cashier_name(operator), max_len=64)),
            encode_tlv(1038, encode_uint32(number)),
            encode_tlv(1188, encode_string(self.profile.kkt_version, max_len=8)),
            encode_tlv(1189, encode_byte(self.profile.ffd_code)),
            encode_tlv(1209, encode_byte(self.profile.ffd_code)),
        ))

    def _ensure_shift_for_sales(self, operator: int) -> None:
        if not self.shift.is_open:
            if not self.profile.auto_open_shift:
                raise Refusal(Reason.SHIFT_CLOSED)
            self.open_shift(operator, with_host_tlv=False)

    # Receipt.

    def open_receipt(self, operator: int, receipt_type: int) -> None:
        """Open a receipt of type 0 sale, 1 purchase, 2 sale return, 3 purchase return.

        The ФН begins the receipt here (15h), so a shift over 24 hours is refused
        now with ФН result 16h, as real registers answer the first item.
        """
        self._require_no_receipt()
        if receipt_type not in RECEIPT_OPERATIONS:
            raise Refusal(Reason.INVALID_PARAMETER, f"receipt type {receipt_type}")
        self._ensure_shift_for_sales(operator)
        self.fn.begin_receipt(self.now())
        receipt = Receipt(RECEIPT_OPERATIONS[receipt_type], extra_tlv=list(self._pending_tlv))
        self._pending_tlv.clear()
        self._receipt = OpenReceipt(receipt_type, operator, receipt, begun_in_fn=True)

    def add_item(self, operator: int, receipt_type: int, name: str, quantity: int, price: int,
                 department: int, tax_group: int) -> None:
        """Register one item (quantity in millionths, price in kopecks), opening the receipt if needed.

        ``tax_group`` 0 means no VAT (без НДС); 1..4 map through the profile's tax table.
        """
        if not 0 <= department <= MAX_DEPARTMENT:
            raise Refusal(Reason.DEPARTMENT_OUT_OF_RANGE, f"department {department}")
        if not 0 <= tax_group <= 4:
            raise Refusal(Reason.INVALID_PARAMETER, f"tax group {tax_group}")
        vat_rate = 6 if tax_group == 0 else self.profile.tax_group_rates[tax_group - 1]
        item = make_item(name, quantity, price, vat_rate, department)
        if self._receipt is None:
            self.open_receipt(operator, receipt_type)
        elif self._receipt.receipt_type != receipt_type:
            raise Refusal(Reason.INVALID_OPERATION,
                          f"receipt type {self._receipt.receipt_type} is open, operation is for type {receipt_type}")
        self._receipt.receipt.add_item(item)

    def add_tlv(self, tlv: bytes) -> None:
        """Attach host TLVs (FF0C) to the open receipt, or keep them for the next document.

        Refused at once: a broken or empty block, tags the ФН writes into every
        document itself, and data beyond the ФН's budget for one document.
        """
        try:
            tags = [tag for tag, _ in iter_tlv(tlv)]
        except DecodeError as exc:
            raise Refusal(Reason.INVALID_PARAMETER, f"TLV block: {exc}") from None
        if not tags:
            raise Refusal(Reason.INVALID_PARAMETER, "empty TLV block")
        own = sorted(set(tags) & FN_OWN_TAGS)
        if own:
            raise Refusal(Reason.INVALID_PARAMETER, f"tags {own} are written by the ФН itself")
        target = self._receipt.receipt.extra_tlv if self._receipt is not None else self._pending_tlv
        if sum(map(len, target)) + len(tlv) > MAX_HOST_TLV_BYTES:
            raise Refusal(Reason.INVALID_PARAMETER, f"host TLVs would exceed {MAX_HOST_TLV_BYTES} bytes")
        target.append(bytes(tlv))

    def subtotal(self) -> int:
        """Return the total of the open receipt in kopecks."""
        return self._require_receipt().receipt.total

    def close_receipt(self, operator: int, cash: int, cashless: list[int], discount: int = 0):
        """Pay and form the open receipt; return ``(settlement, ФН receipt answer)``.

        ``discount`` is in 0.01 % (negative for a markup). Payment errors leave the
        receipt open and unchanged; so does a ФН refusal, after which the ФН side
        is begun again on the next attempt.
        """
        open_receipt = self._require_receipt()
        receipt = copy.deepcopy(open_receipt.receipt)
        receipt.apply_discount(discount)
        settlement = receipt.settle(cash, cashless)
        if receipt.operation in CASH_OUTGOING_OPERATIONS and settlement.cash > self.cash_in_drawer:
            raise Refusal(Reason.NOT_ENOUGH_CASH, f"{settlement.cash} > {self.cash_in_drawer} kopecks")
        moment = self.now()
        if not open_receipt.begun_in_fn:
            self.fn.begin_receipt(moment)
            open_receipt.begun_in_fn = True
        context = ReceiptContext(
            ffd_code=self.profile.ffd_code,
            shift_number=self.shift.number,
            receipt_number=self.fn.shift_parameters().receipt_number + 1,
            taxation=self.identity.taxation,
            cashier=cashier_name(operator),
            user_name=self.identity.user_name,
            address=self.identity.address,
            place=self.identity.place,
        )
        try:
            answer = self.fn.form_receipt(moment, receipt_tlv(receipt, settlement, context),
                                          receipt.operation, settlement.total)
        except Refusal:
            open_receipt.begun_in_fn = False
            raise
        if receipt.operation in CASH_OUTGOING_OPERATIONS:
            self.cash_in_drawer -= settlement.cash
        else:
            self.cash_in_drawer += settlement.cash
        self._receipt = None
        self.document_number += 1
        self.last_fd = answer.fd_number
        self._save(durable=False)
        logger.info("receipt %d formed: ФД %d, total %d kopecks", answer.receipt_number, answer.fd_number,
                    settlement.total)
        return settlement, answer

    def cancel_receipt(self) -> None:
        """Cancel the open receipt; the ФН drops the receipt it began."""
        open_receipt = self._require_receipt()
        if open_receipt.begun_in_fn:
            self.fn.cancel_document()
        self._receipt = None
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        try:
            self._save(durable=True)
        except OSError as exc:
            self.memory.state.update(previous)
            logger.error("cannot save the register memory to %s: %s", self.memory.path, exc)

    def _require_receipt(self) -> OpenReceipt:
        if self._receipt is None:
            raise Refusal(Reason.RECEIPT_CLOSED)
        return self._receipt

    def _require_no_receipt(self) -> None:
        if self._receipt is not None:
            raise Refusal(Reason.RECEIPT_OPEN)

    # Cash drawer and printing.

    def cash_in(self, operator: int, amount: int) -> int:
        """Put cash in the drawer (внесение); return the document number."""
        return self._move_cash(operator, amount)

    def cash_out(self, operator: int, amount: int) -> int:
        """Take cash from the drawer (выплата); return the document number."""
        return self._move_cash(operator, -amount)

    def _move_cash(self, operator: int, delta: int) -> int:
        self._require_no_receipt()
        if delta == 0:
            raise Refusal(Reason.INVALID_PARAMETER, "amount 0")
        if self.shift_expired():
            raise Refusal(Reason.SHIFT_EXPIRED)
        if self.cash_in_drawer + delta < 0:
            raise Refusal(Reason.NOT_ENOUGH_CASH, f"{-delta} > {self.cash_in_drawer} kopecks")
        if abs(delta) > MAX_MONEY:
            raise Refusal(Reason.INVALID_PARAMETER, f"amount {abs(delta)} kopecks is above {MAX_MONEY}")
        if self.cash_in_drawer + delta > MAX_MONEY:
            raise Refusal(Reason.CASH_OVERFLOW, f"drawer would hold {self.cash_in_drawer + delta} kopecks")
        self._ensure_shift_for_sales(operator)
        previous = copy.deepcopy(self.memory.state)
        self.cash_in_drawer += delta
        self.document_number += 1
        self._save_or_restore(previous)
        return self.document_number

    def print_text(self, text: str) -> None:
        """Print a line of text on the receipt tape (kept in ``journal``)."""
        self.journal.append(text)
