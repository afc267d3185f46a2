"""квитанция records in the archive: power cuts while one is written, and damage a reader rejects."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage import ArchiveError, FiscalStorage, read_archive
from kktemu.fn_storage.archive_file import encode_record
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.power import CutPoint, PowerCut, Unsynced
from kktemu.fn_storage.tickets import RECORD_TICKET, ArchivedTicket
from kktemu.protocol.fn import archive
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.ofd.confirmation import OperatorConfirmation

RECEIVED = dt.datetime(2024, 3, 1, 6, 2, 3)

CUTS = [
    pytest.param({"point": CutPoint.BEFORE_WRITE}, False, id="before-write"),
    pytest.param({"point": CutPoint.PARTIAL_WRITE, "written": 1}, False, id="partial-1-byte"),
    pytest.param({"point": CutPoint.PARTIAL_WRITE, "written": 20}, False, id="partial-20-bytes"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.LOST}, False, id="unsynced-lost"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.KEPT}, True, id="unsynced-kept"),
    pytest.param({"point": CutPoint.AFTER_WRITE_BEFORE_FSYNC, "unsynced": Unsynced.ZEROED}, False,
                 id="unsynced-zeroed"),
    pytest.param({"point": CutPoint.AFTER_FSYNC_BEFORE_ANSWER}, True, id="after-fsync"),
]


def _ticket(fn: FiscalStorage, fd_number: int) -> bytes:
    return confirm_message(fn.message_for_ofd(fd_number), ofd_inn="7704358518", received_at=RECEIVED)


def _count(fn: FiscalStorage) -> int:
    result, answer = fn.execute(C.GET_UNCONFIRMED_COUNT, b"")
    assert result == R.OK
    return archive.CountAnswer.decode(answer).count


@pytest.mark.parametrize(("cut", "kept"), CUTS)
def test_power_cut_during_ticket(in_shift, archive_path, clock, cut, kept):
    fn = in_shift.fn
    fn.execute(C.SEND_OFD_TICKET, _ticket(fn, 1))
    ticket = _ticket(fn, 2)
    fn.power.cut_at(**cut)
    with pytest.raises(PowerCut):
        fn.execute(C.SEND_OFD_TICKET, ticket)
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert _count(reopened) == (0 if kept else 1)
        result, answer = reopened.execute(C.SEND_OFD_TICKET, ticket)
        if kept:
            assert (result, answer) == (R.OFD_MESSAGE_REJECTED, b"\x03")
        else:
            assert (result, answer) == (R.OK, b"\x00")
        assert _count(reopened) == 0
    assert [ticket.fd_number for ticket in read_archive(archive_path).tickets] == [1, 2]


def _archive_with(in_shift, archive_path, *records: bytes) -> bytes:
    in_shift.fn.close()
    return archive_path.read_bytes() + b"".join(records)


def _ticket_record(fn: FiscalStorage, fd_number: int, stlv_of: int | None = None) -> bytes:
    stlv = OperatorConfirmation("7704358518", fn.serial, stlv_of or fd_number, RECEIVED).encode()
    return encode_record(RECORD_TICKET, ArchivedTicket(fd_number, RECEIVED, stlv).encode_payload())


def test_reader_finds_tickets(in_shift, archive_path):
    record = _ticket_record(in_shift.fn, 2)
    archive_path.write_bytes(_archive_with(in_shift, archive_path, record))
    contents = read_archive(archive_path)
    assert [ticket.fd_number for ticket in contents.tickets] == [2]
    assert contents.tickets[0].fn_time == RECEIVED
    assert contents.torn_tail_bytes == 0


@pytest.mark.parametrize(("fd_number", "stlv_of", "twice"), [
    pytest.param(3, None, False, id="before-its-document"),
    pytest.param(0, 1, False, id="fd-zero"),
    pytest.param(1, 2, False, id="1040-differs"),
    pytest.param(1, None, True, id="second-ticket"),
])
def test_reader_rejects_damaged_tickets(in_shift, archive_path, clock, fd_number, stlv_of, twice):
    record = _ticket_record(in_shift.fn, fd_number, stlv_of)
    records = (record, record) if twice else (record,)
    archive_path.write_bytes(_archive_with(in_shift, archive_path, *records))
    with pytest.raises(ArchiveError):
        read_archive(archive_path)
    with pytest.raises(ArchiveError):
        FiscalStorage.open(archive_path, clock)
