"""Power cuts at every named point of every fiscal write, then ``FiscalStorage.open`` on the same file.

Each test keeps a ledger of what the ФН answered. After the cut it powers the
ФН on again (opens the archive) and checks the recovery against the ledger:
the torn tail is gone, no document is open, the next ФД number neither repeats
nor skips, every answered document is found by number (40h, 45h/46h) with the
same totals and ФПД, the shift counters count each receipt once, and the
квитанции (archive records without a ФД number) match the ОФД queue (42h).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kktemu.fn_storage import FiscalStorage, read_archive, verify_document
from kktemu.fn_storage.archive_file import HEADER_SIZE
from kktemu.fn_storage.identifiers import make_rnm, make_test_fn_serial
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.power import Cut, CutPoint, PowerCut, Unsynced
from kktemu.fn_storage.profile import FnProfile
from kktemu.fn_storage.signing import printed_fiscal_sign
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_uint, decode_vln, encode_fvln, encode_string, encode_unixtime, encode_vln
from kktemu.protocol.fn import archive, documents, service
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.exchange import OfdTicketAnswer

# The documents here are minimal (a registration without its flags, say), so the ФН
# runs with the strict format-logical control off; tests/fn_storage/flc tests the control.
MINIMAL_DOCUMENTS = FnProfile(strict_control=False)
START = dt.datetime(2024, 3, 1, 9, 0)
SERIAL = make_test_fn_serial(7)
INN = "7702203276"
KKT_SERIAL = "0000000000001234"
RNM = make_rnm(5, INN, KKT_SERIAL)
CASHIER = encode_tlv(1021, encode_string("Иванова А."))

REGISTRATION, REREGISTRATION, OPEN_SHIFT, RECEIPT = "registration", "re-registration", "open shift", "receipt"
CORRECTION, SETTLEMENT, CLOSE_SHIFT, CLOSE_FN = "correction", "settlement report", "close shift", "close ФН"
# An accepted квитанция is an archive record that is no fiscal document and takes no ФД number.
TICKET = "квитанция"
OFD_INN = "7704358518"
FORMS = {REGISTRATION: 1, REREGISTRATION: 11, OPEN_SHIFT: 2, RECEIPT: 3, CORRECTION: 31, SETTLEMENT: 21,
         CLOSE_SHIFT: 5, CLOSE_FN: 6}
OPERATION_COUNTER_TAGS = {1: 1129, 2: 1130, 3: 1131, 4: 1132}
CORRECTION_COUNTER_TAGS = {1: 1145, 2: 1232, 3: 1146, 4: 1233}

# Every way one append can end at a power cut, and whether the record survives it.
CUTS = [
    pytest.param({"point": CutPoint.BEFORE_WRITE}, False, id="before-write"),
    pytest.param({"point": CutPoint.PARTIAL_WRITE, "written": 1}, False, id="partial-1-byte"),
    pytest.param({"point": CutPoint.PARTIAL_WRITE, "written": 9}, False, id="partial-9-bytes"),
    pytest.param({"point": CutPoint.PARTIAL_WRITE, "written": 1 << 20}, False, id="partial-all-but-last-byte"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.LOST}, False, id="unsynced-lost"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.KEPT}, True, id="unsynced-kept"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.ZEROED}, False,
                 id="unsynced-zeroed"),
    pytest.param({"point": CutPoint.AFTER_FSYNC_BEFORE_ANSWER}, True, id="after-fsync"),
]


def survives(point: CutPoint, unsynced: Unsynced | None = None) -> bool:
    """Tell whether the record of an append cut at ``point`` is in the file after the cut."""
    return point is CutPoint.AFTER_FSYNC_BEFORE_ANSWER or unsynced is Unsynced.KEPT


# --- what the register sends ----------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One receipt line: price and quantity in whole units, VAT rate code (1199)."""

    price: int
    quantity: int
    vat_rate: int

    @property
    def total(self) -> int:
        return self.price * self.quantity

    @property
    def vat(self) -> int:
        share = {1: (20, 120), 2: (10, 110)}[self.vat_rate]
        return (self.total * share[0] + share[1] // 2) // share[1]


@dataclass(frozen=True)
class Write:
    """One fiscal write: its kind, and for receipts the operation, the items and the cash part."""

    kind: str
    operation: int | None = None
    items: tuple[Item, ...] = ()
    cash: int = 0

    @property
    def form(self) -> int | None:
        return FORMS.get(self.kind)

    @property
    def total(self) -> int | None:
        return sum(item.total for item in self.items) if self.kind in (RECEIPT, CORRECTION) else None

    def receipt_tlv(self, moment: dt.datetime) -> bytes:
        body = CASHIER
        if self.kind == CORRECTION:
            basis = encode_tlv(1178, encode_unixtime(moment.replace(hour=0, minute=0))) \
                + encode_tlv(1179, encode_string("№ 17"))
            body += encode_tlv(1173, b"\x00") + encode_tlv(1174, basis)
        body += encode_tlv(1054, bytes((self.operation,))) + encode_tlv(1055, b"\x01")
        for number, item in enumerate(self.items, 1):
            body += encode_tlv(1059, (
                encode_tlv(1214, b"\x04") + encode_tlv(1212, b"\x01")
                + encode_tlv(1030, encode_string(f"Товар {number}"))
                + encode_tlv(1079, encode_vln(item.price))
                + encode_tlv(1023, encode_fvln(Decimal(item.quantity)))
                + encode_tlv(1199, bytes((item.vat_rate,)))
                + encode_tlv(1043, encode_vln(item.total))
            ))
        total = self.total
        vat = {rate: sum(item.vat for item in self.items if item.vat_rate == rate) for rate in (1, 2)}
        return (
            body
            + encode_tlv(1020, encode_vln(total))
            + encode_tlv(1031, encode_vln(self.cash))
            + encode_tlv(1081, encode_vln(total - self.cash))
            + b"".join(encode_tlv(tag, encode_vln(0)) for tag in (1215, 1216, 1217))
            + encode_tlv(1102, encode_vln(vat[1]))
            + encode_tlv(1103, encode_vln(vat[2]))
        )


SALE = Write(RECEIPT, 1, (Item(4999, 2, 1), Item(39992, 1, 2)), cash=30000)
CORRECTION_INCOME = Write(CORRECTION, 1, (Item(10000, 1, 1),), cash=10000)


def registration_tlv() -> bytes:
    return (
        encode_tlv(1209, b"\x04")
        + encode_tlv(1048, encode_string('ООО "Ромашка"'))
        + encode_tlv(1009, encode_string("г. Москва, ул. Тестовая, д. 1"))
        + encode_tlv(1013, encode_string(KKT_SERIAL))
        + CASHIER
    )


class Kkt:
    """The register side: sends ФН interface commands to the ФН at ``path`` and checks their result codes."""

    def __init__(self, path: Path):
        self.path = path
        self.clock = Clock()
        self.fn = FiscalStorage.create(path, SERIAL, self.clock, profile=MINIMAL_DOCUMENTS)

    def call(self, command: int, data: bytes = b"", expect: int = R.OK) -> bytes:
        result, answer = self.fn.execute(command, data)
        assert result == expect, f"{C(command).name}: got {result:02X}h, expected {expect:02X}h"
        return answer

    def status(self) -> service.StatusAnswer:
        return service.StatusAnswer.decode(self.call(C.GET_STATUS))

    def power_on(self) -> None:
        """Open the archive again, as the ФН does when the power comes back."""
        self.fn.close()
        self.fn = FiscalStorage.open(self.path, self.clock, profile=MINIMAL_DOCUMENTS)

    def send(self, write: Write) -> tuple[int, int | None, int | None]:
        """Form ``write`` one minute after the previous one; return (ФД number, ФПД, receipt number or None).

        For a квитанция, return the number of the ФД it confirms (the head of the ОФД queue) and two Nones.
        """
        moment = self.clock.advance()
        kind = write.kind
        if kind == TICKET:
            head = self.fn.ofd_queue()[0].fd_number
            ticket = confirm_message(self.fn.message_for_ofd(head), ofd_inn=OFD_INN, received_at=moment)
            assert OfdTicketAnswer.decode(self.call(C.SEND_OFD_TICKET, ticket)) == OfdTicketAnswer(0)
            return head, None, None

        if kind in (REGISTRATION, REREGISTRATION):
            self.call(C.BEGIN_REGISTRATION_REPORT, b"\x00" if kind == REGISTRATION else b"\x02")
            self.call(C.SEND_DOCUMENT_DATA, registration_tlv())
            reason = None if kind == REGISTRATION else 4
            request = documents.FormRegistrationRequest(moment, INN, RNM, 1, 0, reason)
            answer = documents.FiscalDocumentAnswer.decode(self.call(C.FORM_REGISTRATION_REPORT, request.encode()))
            return answer.fd_number, answer.fiscal_sign, None

        if kind == CLOSE_FN:
            self.call(C.BEGIN_CLOSE_FISCAL_MODE)
            self.call(C.SEND_DOCUMENT_DATA, CASHIER)
            request = documents.CloseFiscalModeRequest(moment, RNM)
            answer = documents.FiscalDocumentAnswer.decode(self.call(C.CLOSE_FISCAL_MODE, request.encode()))
            return answer.fd_number, answer.fiscal_sign, None

        date = documents.DateTimeRequest(moment).encode()
        if kind == SETTLEMENT:
            self.call(C.BEGIN_SETTLEMENT_REPORT, date)
            answer = documents.SettlementReportAnswer.decode(self.call(C.FORM_SETTLEMENT_REPORT))
            return answer.fd_number, answer.fiscal_sign, None

        if kind in (OPEN_SHIFT, CLOSE_SHIFT):
            opening = kind == OPEN_SHIFT
            self.call(C.BEGIN_OPEN_SHIFT if opening else C.BEGIN_CLOSE_SHIFT, date)
            self.call(C.SEND_DOCUMENT_DATA, CASHIER)
            answer = documents.ShiftDocumentAnswer.decode(self.call(C.OPEN_SHIFT if opening else C.CLOSE_SHIFT))
            return answer.fd_number, answer.fiscal_sign, None

        self.call(C.BEGIN_CORRECTION_RECEIPT if kind == CORRECTION else C.BEGIN_RECEIPT, date)
        self.call(C.SEND_DOCUMENT_DATA, write.receipt_tlv(moment))
        request = documents.FormReceiptRequest(moment, write.operation, write.total)
        answer = documents.ReceiptAnswer.decode(self.call(C.FORM_RECEIPT, request.encode()))
        return answer.fd_number, answer.fiscal_sign, answer.receipt_number

    def begin_unfinished(self, shift_open: bool) -> None:
        """Begin a document and send its data without forming it (RAM state a power cut loses)."""
        date = documents.DateTimeRequest(self.clock.advance()).encode()
        if shift_open:
            self.call(C.BEGIN_RECEIPT, date)
            self.call(C.SEND_DOCUMENT_DATA, SALE.receipt_tlv(self.clock()))
        else:
            self.call(C.BEGIN_OPEN_SHIFT, date)
            self.call(C.SEND_DOCUMENT_DATA, CASHIER)


class Clock:
    """The ФН timer; every write moves it one minute on."""

    def __init__(self):
        self.moment = START

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self) -> dt.datetime:
        self.moment += dt.timedelta(minutes=1)
        return self.moment


# --- what the ФН answered ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """A document the ledger knows of; ``fiscal_sign`` is None when its answer never came."""

    fd_number: int
    write: Write
    fiscal_sign: int | None


@dataclass
class Ledger:
    """The model: what the ФН must contain given the answers the register received."""

    documents: list[Answered] = field(default_factory=list)
    phase: int = service.FnPhase.READY_FOR_FISCALIZATION
    shift_open: bool = False
    shift_number: int = 0
    receipt_number: int = 0
    shift_totals: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    confirmed: int = 0  # documents with a квитанция: the first ones, as the ФН accepts one only for its queue head

    @property
    def last_fd(self) -> int:
        return len(self.documents)

    def apply(self, write: Write, fiscal_sign: int | None) -> None:
        """Record a document the ФН formed or a квитанция it accepted (answered or found after a cut)."""
        kind = write.kind
        if kind == TICKET:
            self.confirmed += 1
            return
        self.documents.append(Answered(self.last_fd + 1, write, fiscal_sign))
        if kind == REGISTRATION:
            self.phase = service.FnPhase.FISCAL_MODE
        elif kind == CLOSE_FN:
            self.phase = service.FnPhase.POST_FISCAL_MODE
        elif kind == OPEN_SHIFT:
            self.shift_open, self.shift_number, self.receipt_number = True, self.shift_number + 1, 0
            self.shift_totals = {}
        elif kind == CLOSE_SHIFT:
            self.shift_open = False
        elif kind in (RECEIPT, CORRECTION):
            self.receipt_number += 1
            totals = self.shift_totals.setdefault((kind, write.operation), [0, 0, 0])
            totals[0] += 1
            totals[1] += write.total
            totals[2] += write.cash

    def send(self, kkt: Kkt, write: Write) -> None:
        """Send ``write`` and check its answer against the ledger.

        When the power switch cuts the power during the write, power the ФН on
        again, take the document into the ledger if the cut left its record
        in the file, and check the recovery.
        """
        armed = kkt.fn.power.armed
        before = kkt.path.read_bytes()
        totals = {key: list(value) for key, value in self.shift_totals.items()}
        try:
            fd_number, fiscal_sign, receipt_number = kkt.send(write)
        except PowerCut:
            self._recover(kkt, write, armed, before)
            return
        if write.kind == TICKET:
            assert fd_number == self.confirmed + 1
        else:
            assert fd_number == self.last_fd + 1
        if receipt_number is not None:
            assert receipt_number == self.receipt_number + 1
        self.apply(write, fiscal_sign)
        if write.kind == CLOSE_SHIFT:
            check_shift_counters(kkt, totals)

    def send_with_cut(self, kkt: Kkt, write: Write, cut: dict) -> None:
        """Send ``write`` with a cut armed for its record, which must fire before the answer."""
        kkt.fn.power.cut_at(**cut)
        last_fd = self.last_fd
        self.send(kkt, write)
        assert kkt.fn.power.armed is None
        assert not kkt.fn.power.is_off
        if write.kind != TICKET:
            assert self.last_fd == last_fd + survives(cut["point"], cut.get("unsynced"))

    def _recover(self, kkt: Kkt, write: Write, cut: Cut | None, before: bytes) -> None:
        assert cut is not None, "the power went off with no cut armed"
        assert cut.after == 0
        kkt.power_on()
        after = kkt.path.read_bytes()
        if survives(cut.point, cut.unsynced):
            self.apply(write, None)
            assert after.startswith(before)
            assert len(after) > len(before)
        else:
            assert after == before
        check_recovered(kkt, self)


def check_recovered(kkt: Kkt, ledger: Ledger) -> None:
    """Check a ФН just powered on against the ledger."""
    contents = read_archive(kkt.path)
    assert contents.torn_tail_bytes == 0
    assert len(contents.documents) == ledger.last_fd
    status = kkt.status()
    assert status.last_fd_number == ledger.last_fd
    assert status.current_document == 0
    assert status.has_document_data is False
    assert status.phase == ledger.phase
    if ledger.phase == service.FnPhase.FISCAL_MODE:
        parameters = documents.ShiftParametersAnswer.decode(kkt.call(C.GET_SHIFT_PARAMETERS))
        assert parameters == documents.ShiftParametersAnswer(ledger.shift_open, ledger.shift_number,
                                                             ledger.receipt_number)
    if ledger.phase != service.FnPhase.READY_FOR_FISCALIZATION:
        for answered in ledger.documents:
            check_document(kkt, answered, contents.documents[answered.fd_number - 1], ledger.confirmed)
        kkt.call(C.FIND_DOCUMENT, archive.FindDocumentRequest(ledger.last_fd + 1).encode(), expect=R.NO_DATA)
        assert [ticket.fd_number for ticket in contents.tickets] == list(range(1, ledger.confirmed + 1))
        unconfirmed = archive.CountAnswer.decode(kkt.call(C.GET_UNCONFIRMED_COUNT)).count
        assert unconfirmed == ledger.last_fd - ledger.confirmed


def check_document(kkt: Kkt, answered: Answered, stored, confirmed: int) -> None:
    """Find ``answered`` by number (40h, 45h/46h) and check its form, totals, ФПД and квитанция flag."""
    found = archive.FindDocumentAnswer.decode(
        kkt.call(C.FIND_DOCUMENT, archive.FindDocumentRequest(answered.fd_number).encode()))
    write = answered.write
    assert found.document_type == write.form
    assert found.ticket_received is (answered.fd_number <= confirmed)
    assert found.record.fd_number == answered.fd_number
    if answered.fiscal_sign is not None:
        assert found.record.fiscal_sign == answered.fiscal_sign
    if write.total is not None:
        assert found.record.operation == write.operation
        assert found.record.total == write.total
    assert verify_document(kkt.fn.key, stored.stlv)
    assert printed_fiscal_sign(stored.sign_bytes) == found.record.fiscal_sign
    assert stream_document(kkt, answered.fd_number) == stored.stlv


def stream_document(kkt: Kkt, fd_number: int) -> bytes:
    info = archive.DocumentTlvInfoAnswer.decode(
        kkt.call(C.REQUEST_DOCUMENT_TLV, archive.DocumentTlvRequest(fd_number).encode()))
    value = b""
    while True:
        result, answer = kkt.fn.execute(C.READ_DOCUMENT_TLV, b"")
        if result == R.NO_DATA:
            break
        assert result == R.OK
        value += answer
    return encode_tlv(info.document_type, value)


def check_shift_counters(kkt: Kkt, totals: dict[tuple[str, int], list[int]]) -> None:
    """Check the 1194 counters of the close shift report just formed against the ledger's totals."""
    report = read_archive(kkt.path).documents[-1]
    values = dict(split_tlv(report.tlv))
    counters = dict(split_tlv(values[1194]))
    assert decode_uint(counters[1134], 4) == sum(count for count, _, _ in totals.values())
    corrections = dict(split_tlv(counters[1133]))
    assert decode_uint(corrections[1144], 4) == sum(
        count for (kind, _), (count, _, _) in totals.items() if kind == CORRECTION)
    for operation in (1, 2, 3, 4):
        for kind, parent, tags in ((RECEIPT, counters, OPERATION_COUNTER_TAGS),
                                   (CORRECTION, corrections, CORRECTION_COUNTER_TAGS)):
            block = dict(split_tlv(parent[tags[operation]]))
            count, total, cash = totals.get((kind, operation), (0, 0, 0))
            assert decode_uint(block[1135], 4) == count, (kind, operation)
            assert decode_vln(block[1201]) == total, (kind, operation)
            assert decode_vln(block[1136]) == cash, (kind, operation)


def continue_work(kkt: Kkt, ledger: Ledger) -> None:
    """Carry on after a recovery with the writes the state allows, checking each answer."""
    if ledger.phase == service.FnPhase.READY_FOR_FISCALIZATION:
        ledger.send(kkt, Write(REGISTRATION))
    if ledger.phase == service.FnPhase.POST_FISCAL_MODE:
        ledger.send(kkt, Write(SETTLEMENT))
        return
    if not ledger.shift_open:
        ledger.send(kkt, Write(OPEN_SHIFT))
    ledger.send(kkt, SALE)
    ledger.send(kkt, Write(CLOSE_SHIFT))
    while ledger.confirmed < ledger.last_fd:
        ledger.send(kkt, Write(TICKET))
    check_recovered(kkt, ledger)


# --- a cut at every named point of every write -----------------------------------------------------

# The writes before the one that is cut, and the cut one.
SCENARIOS = {
    REGISTRATION: ([], Write(REGISTRATION)),
    REREGISTRATION: ([Write(REGISTRATION)], Write(REREGISTRATION)),
    OPEN_SHIFT: ([Write(REGISTRATION)], Write(OPEN_SHIFT)),
    RECEIPT: ([Write(REGISTRATION), Write(OPEN_SHIFT), SALE], SALE),
    CORRECTION: ([Write(REGISTRATION), Write(OPEN_SHIFT), SALE], CORRECTION_INCOME),
    SETTLEMENT: ([Write(REGISTRATION), Write(OPEN_SHIFT), SALE], Write(SETTLEMENT)),
    CLOSE_SHIFT: ([Write(REGISTRATION), Write(OPEN_SHIFT), SALE, CORRECTION_INCOME], Write(CLOSE_SHIFT)),
    CLOSE_FN: ([Write(REGISTRATION), Write(OPEN_SHIFT), SALE, Write(CLOSE_SHIFT)], Write(CLOSE_FN)),
    TICKET: ([Write(REGISTRATION), Write(OPEN_SHIFT), Write(TICKET), SALE], Write(TICKET)),
}


@pytest.fixture
def kkt(tmp_path):
    kkt = Kkt(tmp_path / "fn.bin")
    yield kkt
    kkt.fn.close()


@pytest.mark.parametrize(("cut", "kept"), CUTS)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_cut_then_reopen(kkt, name, cut, kept):
    earlier, cut_write = SCENARIOS[name]
    ledger = Ledger()
    for write in earlier:
        ledger.send(kkt, write)
    assert survives(cut["point"], cut.get("unsynced")) is kept
    ledger.send_with_cut(kkt, cut_write, cut)
    documents_before = sum(write.kind != TICKET for write in earlier)
    document_added = kept and cut_write.kind != TICKET
    assert ledger.last_fd == documents_before + document_added
    continue_work(kkt, ledger)


@pytest.mark.parametrize(("cut", "kept"), CUTS)
def test_debug_reset_cut_then_reopen(kkt, cut, kept):
    # The debug reset 60h truncates the archive to its header, the one archive write that is no append.
    ledger = Ledger()
    for write in SCENARIOS[CLOSE_SHIFT][0]:
        ledger.send(kkt, write)
    before = kkt.path.read_bytes()
    kkt.fn.power.cut_at(**cut)
    with pytest.raises(PowerCut):
        kkt.call(C.RESET_STATE, service.ResetStateRequest().encode())
    kkt.power_on()
    if kept:
        ledger = Ledger()
        assert kkt.path.read_bytes() == before[:HEADER_SIZE]
    else:
        assert kkt.path.read_bytes() == before
    check_recovered(kkt, ledger)
    continue_work(kkt, ledger)


def test_dead_fn_raises_power_cut(kkt):
    kkt.fn.power.cut_at(CutPoint.BEFORE_WRITE)
    with pytest.raises(PowerCut):
        kkt.send(Write(REGISTRATION))
    with pytest.raises(PowerCut, match="no power"):
        kkt.fn.execute(C.GET_STATUS, b"")


@pytest.mark.parametrize("shift_open", [False, True])
def test_cut_between_commands_drops_open_document(kkt, shift_open):
    ledger = Ledger()
    ledger.send(kkt, Write(REGISTRATION))
    if shift_open:
        ledger.send(kkt, Write(OPEN_SHIFT))
        ledger.send(kkt, SALE)
    before = kkt.path.read_bytes()
    kkt.begin_unfinished(shift_open)
    kkt.fn.power.cut_now()
    with pytest.raises(PowerCut):
        kkt.call(C.GET_STATUS)
    kkt.power_on()
    assert kkt.path.read_bytes() == before
    check_recovered(kkt, ledger)
    continue_work(kkt, ledger)


def test_cut_lands_on_counted_append(kkt):
    ledger = Ledger()
    ledger.send(kkt, Write(REGISTRATION))
    kkt.fn.power.cut_at(CutPoint.AFTER_FSYNC_BEFORE_ANSWER, after=2)
    ledger.send(kkt, Write(OPEN_SHIFT))
    ledger.send(kkt, SALE)
    with pytest.raises(PowerCut):
        kkt.send(SALE)
    kkt.power_on()
    ledger.apply(SALE, None)
    check_recovered(kkt, ledger)
    assert ledger.last_fd == 4


# --- random operation sequences with a cut at a random point -------------------------------------

lines = st.lists(
    st.builds(Item, price=st.integers(1, 500_000), quantity=st.integers(1, 5), vat_rate=st.sampled_from([1, 2])),
    min_size=1, max_size=4)
receipts = st.tuples(st.just(RECEIPT), st.sampled_from([1, 2, 3, 4]), lines, st.integers(0, 100))
operations = st.one_of(
    st.just(("shift",)),
    receipts,
    receipts,
    st.tuples(st.just(CORRECTION), st.sampled_from([1, 2, 3, 4]), lines, st.just(0)),
    st.just(("reopen",)),
    st.just(("abandon",)),
    st.just((TICKET,)),
)
cut_outcomes = st.one_of(
    st.just({"point": CutPoint.BEFORE_WRITE}),
    st.builds(lambda written: {"point": CutPoint.PARTIAL_WRITE, "written": written}, st.integers(1, 400)),
    st.builds(lambda unsynced: {"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": unsynced},
              st.sampled_from(list(Unsynced))),
    st.just({"point": CutPoint.AFTER_FSYNC_BEFORE_ANSWER}),
)


def run_operation(kkt: Kkt, ledger: Ledger, operation: tuple) -> None:
    """Run one generated operation the way a register would in the ledger's state."""
    name = operation[0]
    if ledger.phase == service.FnPhase.READY_FOR_FISCALIZATION:
        ledger.send(kkt, Write(REGISTRATION))
    elif name == "reopen":
        kkt.power_on()
        check_recovered(kkt, ledger)
    elif name == "abandon":
        kkt.begin_unfinished(ledger.shift_open)
        kkt.fn.power.cut_now()
        kkt.power_on()
        check_recovered(kkt, ledger)
    elif name == TICKET:
        if ledger.confirmed < ledger.last_fd:
            ledger.send(kkt, Write(TICKET))
    elif name == "shift":
        ledger.send(kkt, Write(CLOSE_SHIFT if ledger.shift_open else OPEN_SHIFT))
    elif not ledger.shift_open:
        ledger.send(kkt, Write(OPEN_SHIFT))
    else:
        _, kind_operation, items, cash_share = operation
        total = sum(item.total for item in items)
        ledger.send(kkt, Write(name, kind_operation, tuple(items), total * cash_share // 100))


@settings(max_examples=200)
@given(steps=st.lists(operations, min_size=3, max_size=14), cut=cut_outcomes, data=st.data())
def test_random_sequence_with_cut(steps, cut, data):
    # The cut is armed before a random step and falls on the next record written from there on.
    cut_step = data.draw(st.sampled_from(range(len(steps))), label="step where the cut is armed")
    with tempfile.TemporaryDirectory() as directory:
        kkt = Kkt(Path(directory) / "fn.bin")
        try:
            ledger = Ledger()
            ledger.send(kkt, Write(REGISTRATION))
            for number, step in enumerate(steps):
                if number == cut_step:
                    kkt.fn.power.cut_at(**cut)
                run_operation(kkt, ledger, step)
            kkt.fn.power.disarm()
            kkt.power_on()
            check_recovered(kkt, ledger)
            continue_work(kkt, ledger)
        finally:
            kkt.fn.close()
