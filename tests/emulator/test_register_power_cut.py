"""A Штрих-М sale cut by a power loss at every point of each ФН write, then the emulator started again.

The register keeps its own memory in the ``.kkt`` journal beside the ФН
archive and saves it without a sync after a fiscal document, because it
replays the ФН documents after the journal's ``last_fd`` at the next start.
So each cut runs twice: with the journal as the crash left it, and with the
journal rolled back to its state before the sale (the unsynced lines lost).
After the restart the register and the ФН must agree: no document lost or
counted twice, the drawer and the document counter match the archive, and
the next sale continues the numbering.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.memory import memory_path
from kktemu.fn_storage import DEFAULT_MASTER_KEY, derive_fn_key, read_archive, verify_document
from kktemu.fn_storage.power import CutPoint, PowerCut, Unsynced
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import decode_uint
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
SYSADMIN = 30
DRAWER_REGISTER = 241
PRICE = 2800
MODE_SHIFT_OPEN = 0x02
MODE_SHIFT_CLOSED = 0x04

CUTS = [
    pytest.param({"point": CutPoint.BEFORE_WRITE}, False, id="before-write"),
    pytest.param({"point": CutPoint.PARTIAL_WRITE, "written": 7}, False, id="partial"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.LOST}, False, id="unsynced-lost"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.KEPT}, True, id="unsynced-kept"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.ZEROED}, False,
                 id="unsynced-zeroed"),
    pytest.param({"point": CutPoint.AFTER_FSYNC_BEFORE_ANSWER}, True, id="after-fsync"),
]
# The sale writes two ФН documents: the open shift report (the shift opens with the first
# sale) and the receipt when it closes.
WRITES = [pytest.param(0, id="open-shift"), pytest.param(1, id="receipt")]


def send(emulator, request):
    answer = c.decode_answer(emulator.execute(request.encode()))
    assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
    return answer


def sell(emulator) -> None:
    send(emulator, c.SaleRequest(CASHIER, 1000, PRICE, 1, (1, 0, 0, 0), "Сахар"))
    send(emulator, c.CloseReceiptRequest(CASHIER, (PRICE, 0, 0, 0), 0, (0, 0, 0, 0), ""))


def register_view(emulator) -> tuple[int, int, int, int]:
    """Return what the host reads: ФН last ФД, document counter, mode and cash in the drawer."""
    fn_status = send(emulator, c.FnStatusRequest(SYSADMIN))
    long_status = send(emulator, c.LongStatusRequest(CASHIER))
    drawer = send(emulator, c.CashRegisterRequest(CASHIER, DRAWER_REGISTER))
    return fn_status.last_document_number, long_status.document_number, long_status.mode & 0x0F, drawer.value


def receipt_numbers(fn_path) -> list[int]:
    """Return tag 1042 (receipt number in the shift) of every receipt in the archive."""
    return [decode_uint(dict(split_tlv(document.tlv))[1042], 4)
            for document in read_archive(fn_path).documents if document.form == 3]


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def fn_path(tmp_path):
    return tmp_path / "fn.bin"


@pytest.mark.parametrize("journal_rolled_back", [False, True], ids=["journal-kept", "journal-rolled-back"])
@pytest.mark.parametrize(("cut", "kept"), CUTS)
@pytest.mark.parametrize("write", WRITES)
def test_sale_cut_then_restart(fn_path, clock, write, cut, kept, journal_rolled_back):
    with Emulator(fn_path, clock=clock) as emulator:
        assert register_view(emulator) == (1, 1, MODE_SHIFT_CLOSED, 0)
        journal_before = memory_path(fn_path).read_bytes()
        emulator.storage.power.cut_at(after=write, **cut)
        with pytest.raises(PowerCut):
            sell(emulator)
    if journal_rolled_back:
        memory_path(fn_path).write_bytes(journal_before)

    # The ФН documents that survived: the open shift report when the cut fell on the
    # receipt or kept the report, and the receipt when the cut kept it.
    shift_opened = write == 1 or kept
    receipt_formed = write == 1 and kept
    last_fd = 1 + shift_opened + receipt_formed

    clock.advance(dt.timedelta(minutes=1))
    with Emulator(fn_path, clock=clock) as emulator:
        mode = MODE_SHIFT_OPEN if shift_opened else MODE_SHIFT_CLOSED
        assert register_view(emulator) == (last_fd, last_fd, mode, PRICE * receipt_formed)
        assert emulator.register.last_fd == last_fd
        sell(emulator)
        # The new sale opens the shift first when the cut lost the open shift report.
        final_fd = last_fd + 1 + (not shift_opened)
        assert register_view(emulator) == (final_fd, final_fd, MODE_SHIFT_OPEN, PRICE * (receipt_formed + 1))

    documents = read_archive(fn_path).documents
    assert [document.fd_number for document in documents] == list(range(1, len(documents) + 1))
    assert [document.form for document in documents] == [1, 2] + [3] * (receipt_formed + 1)
    assert receipt_numbers(fn_path) == list(range(1, receipt_formed + 2))
    key = derive_fn_key(DEFAULT_MASTER_KEY, read_archive(fn_path).header.serial)
    assert all(verify_document(key, document.stlv) for document in documents)


def test_cut_between_sale_commands_loses_open_receipt(fn_path, clock):
    with Emulator(fn_path, clock=clock) as emulator:
        send(emulator, c.OpenShiftRequest(CASHIER))
        send(emulator, c.SaleRequest(CASHIER, 1000, PRICE, 1, (1, 0, 0, 0), "Сахар"))
        before = fn_path.read_bytes()
        emulator.storage.power.cut_now()
        with pytest.raises(PowerCut):
            emulator.execute(c.CloseReceiptRequest(CASHIER, (PRICE, 0, 0, 0), 0, (0, 0, 0, 0), "").encode())
    assert fn_path.read_bytes() == before
    with Emulator(fn_path, clock=clock) as emulator:
        assert register_view(emulator) == (2, 2, MODE_SHIFT_OPEN, 0)
        sell(emulator)
        assert register_view(emulator) == (3, 3, MODE_SHIFT_OPEN, PRICE)
    assert receipt_numbers(fn_path) == [1]
