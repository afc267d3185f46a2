"""The ФН's ОФД exchange (20h..26h) under bad квитанции and broken read sequences.

The ФН is the one the emulated register registered (ФД 1) with an open shift
(ФД 2), driven straight through ``FiscalStorage.execute`` as a register's
firmware drives it. Every refused command must leave the archive file byte for
byte as it was, and no input may raise out of ``execute``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.fn.archive import TicketAnswer
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.codes import split_answer_code
from kktemu.protocol.fn.exchange import OfdMessageLengthAnswer, ReadOfdBlockRequest, TicketRejectReason
from kktemu.protocol.shtrih import commands as c

ADMIN = 30
OFD_INN = "7704358518"
RECEIVED = dt.datetime(2024, 3, 1, 6, 5, 42)
FD_1 = (1).to_bytes(4, "little")


class FnLine:
    """The register's side of the ФН: commands through ``execute``, with the archive file watched."""

    def __init__(self, storage: FiscalStorage, path) -> None:
        self.storage = storage
        self.path = path

    def run(self, command: int, data: bytes = b"") -> tuple[int, bytes]:
        """Run one command; return the result without the warning bit, and the answer data."""
        code, answer = self.storage.execute(command, data)
        return split_answer_code(code)[0], answer

    def refused(self, command: int, data: bytes = b"") -> tuple[int, bytes]:
        """Run a command that must be refused; check that the archive file did not change."""
        before = self.path.read_bytes()
        result = self.run(command, data)
        assert result[0] != R.OK, f"{command:02X}h was accepted"
        assert self.path.read_bytes() == before, f"{command:02X}h changed the archive"
        return result

    def read_message(self, block: int = 200) -> bytes:
        """Read the message for the ОФД with 21h, 22h, 23h in blocks and 25h."""
        assert self.run(C.SET_TRANSPORT_STATUS, b"\x01")[0] == R.OK
        result, answer = self.run(C.BEGIN_OFD_MESSAGE_READ)
        assert result == R.OK
        length = OfdMessageLengthAnswer.decode(answer).length
        message = b""
        while len(message) < length:
            result, block_data = self.run(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(len(message), block).encode())
            assert result == R.OK
            message += block_data
        assert self.run(C.FINISH_OFD_MESSAGE_READ)[0] == R.OK
        return message


def _ticket(message: bytes, received_at: dt.datetime = RECEIVED) -> bytes:
    return confirm_message(message, ofd_inn=OFD_INN, received_at=received_at)


@pytest.fixture
def line(kkt) -> FnLine:
    answer = kkt.execute(c.OpenShiftRequest(ADMIN).encode())
    assert answer[1] == 0
    return FnLine(kkt.emulator.storage, kkt.fn_path)


@pytest.mark.parametrize("received_at", [dt.datetime(1970, 1, 1), dt.datetime(1999, 12, 31, 23, 59, 59)])
def test_ticket_time_before_2000_rejected(line, received_at):
    # 41h returns the time of 1012 as a DATE_TIME, whose years start at 2000. A квитанция
    # with an earlier time was stored, and 41h then raised EncodeError out of execute.
    ticket = _ticket(line.read_message(), received_at)
    assert line.refused(C.SEND_OFD_TICKET, ticket) == (R.OFD_MESSAGE_REJECTED, bytes((TicketRejectReason.WRONG_FORMAT,)))
    assert line.run(C.GET_OFD_TICKET, FD_1) == (R.NO_DATA, b"")


def test_ticket_time_in_2106_kept(line):
    ticket = _ticket(line.read_message(), dt.datetime(2106, 1, 1, 12, 30))
    assert line.run(C.SEND_OFD_TICKET, ticket)[0] == R.OK
    result, answer = line.run(C.GET_OFD_TICKET, FD_1)
    assert result == R.OK
    assert TicketAnswer.decode(answer).moment == dt.datetime(2106, 1, 1, 12, 30)


def test_ticket_fed_twice(line):
    ticket = _ticket(line.read_message())
    assert line.run(C.SEND_OFD_TICKET, ticket)[0] == R.OK
    reason = bytes((TicketRejectReason.WRONG_FD_NUMBER,))
    assert line.refused(C.SEND_OFD_TICKET, ticket) == (R.OFD_MESSAGE_REJECTED, reason)


def test_ticket_replayed_after_reopen(line, kkt):
    ticket = _ticket(line.read_message())
    assert line.run(C.SEND_OFD_TICKET, ticket)[0] == R.OK
    kkt.emulator.close()
    with FiscalStorage.open(kkt.fn_path, kkt.clock) as storage:
        reopened = FnLine(storage, kkt.fn_path)
        reason = bytes((TicketRejectReason.WRONG_FD_NUMBER,))
        assert reopened.refused(C.SEND_OFD_TICKET, ticket) == (R.OFD_MESSAGE_REJECTED, reason)
        assert reopened.run(C.GET_OFD_TICKET, FD_1)[0] == R.OK


def test_ticket_truncated_or_padded(line):
    ticket = _ticket(line.read_message())
    for size in range(len(ticket)):
        result, answer = line.refused(C.SEND_OFD_TICKET, ticket[:size])
        assert result == R.OFD_MESSAGE_REJECTED, size
        assert len(answer) == 1, size
    for extra in (b"\x00", ticket):
        assert line.refused(C.SEND_OFD_TICKET, ticket + extra)[0] == R.OFD_MESSAGE_REJECTED
    assert line.run(C.SEND_OFD_TICKET, ticket)[0] == R.OK


def test_ticket_for_later_document(line):
    # ФД 1 heads the queue, so a квитанция for ФД 2 confirms nothing yet.
    first = line.read_message()
    later = _ticket(line.storage.message_for_ofd(2))
    assert line.refused(C.SEND_OFD_TICKET, later) == (R.OFD_MESSAGE_REJECTED,
                                                      bytes((TicketRejectReason.WRONG_FD_NUMBER,)))
    assert line.run(C.SEND_OFD_TICKET, _ticket(first))[0] == R.OK
    assert line.run(C.SEND_OFD_TICKET, later)[0] == R.OK


READ_BLOCK = ReadOfdBlockRequest(0, 16).encode()
BEGIN = (C.BEGIN_OFD_MESSAGE_READ, b"")

SEQUENCES = {
    "23h before 22h": ([], C.READ_OFD_MESSAGE_BLOCK, READ_BLOCK, R.INVALID_STATE),
    "25h before 22h": ([], C.FINISH_OFD_MESSAGE_READ, b"", R.INVALID_STATE),
    "23h after 24h": ([BEGIN, (C.CANCEL_OFD_MESSAGE_READ, b"")], C.READ_OFD_MESSAGE_BLOCK, READ_BLOCK,
                      R.INVALID_STATE),
    "25h twice": ([BEGIN, (C.FINISH_OFD_MESSAGE_READ, b"")], C.FINISH_OFD_MESSAGE_READ, b"", R.INVALID_STATE),
    "23h after disconnect": ([BEGIN, (C.SET_TRANSPORT_STATUS, b"\x00")], C.READ_OFD_MESSAGE_BLOCK, READ_BLOCK,
                             R.NO_TRANSPORT),
    "23h past the end": ([BEGIN], C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0xFFFF, 1).encode(),
                         R.UNKNOWN_COMMAND),
    "23h too short": ([BEGIN], C.READ_OFD_MESSAGE_BLOCK, b"\x00\x00\x10", R.UNKNOWN_COMMAND),
}


@pytest.mark.parametrize("steps, command, data, expected", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_read_sequence_out_of_order(line, steps, command, data, expected):
    assert line.run(C.SET_TRANSPORT_STATUS, b"\x01")[0] == R.OK
    for step, step_data in steps:
        assert line.run(step, step_data)[0] == R.OK
    assert line.refused(command, data)[0] == expected


def test_interrupted_reads_give_same_message(line):
    whole = line.read_message()
    for block in (1, 7, 1024):
        assert line.run(C.BEGIN_OFD_MESSAGE_READ)[0] == R.OK
        assert line.run(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, block).encode())[0] == R.OK
        assert line.run(C.CANCEL_OFD_MESSAGE_READ)[0] == R.OK
        assert line.read_message(block) == whole
    assert line.run(C.SEND_OFD_TICKET, _ticket(whole))[0] == R.OK
