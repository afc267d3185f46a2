"""The ОФД exchange of the ФН model: 21h..26h, the квитанция, its record and 41h."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kktemu.fn_storage import FiscalStorage, read_archive
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.profile import FnProfile
from kktemu.fn_storage.signing import message_trailer
from kktemu.protocol.fn import archive
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.service import FnPhase
from kktemu.protocol.fn.exchange import (
    ExchangeFlags,
    ExchangeStatusAnswer,
    OfdMessageLengthAnswer,
    OfdTicketAnswer,
    ReadOfdBlockRequest,
    TicketRejectReason,
)
from kktemu.protocol.ofd.confirmation import OperatorConfirmation
from kktemu.protocol.ofd.message import decode_message

RECEIVED = dt.datetime(2024, 3, 1, 6, 5, 42)
OFD_INN = "7704358518"


def read_message(kkt, block: int = 100) -> bytes:
    """Read the message for the ОФД as a register does: 21h, 22h, 23h in blocks, 25h."""
    kkt.call(C.SET_TRANSPORT_STATUS, b"\x01")
    length = OfdMessageLengthAnswer.decode(kkt.call(C.BEGIN_OFD_MESSAGE_READ)).length
    message = b""
    while len(message) < length:
        message += kkt.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(len(message), block).encode())
    kkt.call(C.FINISH_OFD_MESSAGE_READ)
    return message


def ticket_for(message: bytes, **options) -> bytes:
    return confirm_message(message, ofd_inn=OFD_INN, received_at=RECEIVED, **options)


def status(kkt) -> ExchangeStatusAnswer:
    return ExchangeStatusAnswer.decode(kkt.call(C.GET_EXCHANGE_STATUS))


def unconfirmed(kkt) -> int:
    return archive.CountAnswer.decode(kkt.call(C.GET_UNCONFIRMED_COUNT)).count


def refused_ticket(kkt, archive_path, data: bytes) -> int:
    before = archive_path.read_bytes()
    result, answer = kkt.fn.execute(C.SEND_OFD_TICKET, data)
    assert result == R.OFD_MESSAGE_REJECTED
    assert len(answer) == 1
    assert archive_path.read_bytes() == before
    return answer[0]


@pytest.fixture
def sold(in_shift):
    """A registered ФН with an open shift and one sale: ФД 1..3 wait for the ОФД."""
    in_shift.receipt(in_shift.item("Товар", 10000, b"", 10000, 1) + in_shift.money(1031, 10000), total=10000)
    return in_shift


def test_round_trip_sale(sold, archive_path, clock):
    documents = read_archive(archive_path).documents
    for document in documents:
        message = read_message(sold)
        parsed = decode_message(message)
        assert parsed.fn_serial == sold.fn.serial
        assert parsed.container.fd_number == document.fd_number
        assert parsed.container.document == document.stlv
        assert parsed.container.trailer == message_trailer(sold.fn.key, document.stlv)
        answer = OfdTicketAnswer.decode(sold.call(C.SEND_OFD_TICKET, ticket_for(message)))
        assert answer == OfdTicketAnswer(0)
    assert unconfirmed(sold) == 0
    assert status(sold) == ExchangeStatusAnswer(ExchangeFlags.TRANSPORT_CONNECTED, False, 0, 0, None)
    sold.call(C.BEGIN_OFD_MESSAGE_READ, expect=R.NO_DATA)


def test_ticket_record_and_41h(sold, archive_path, clock):
    message = read_message(sold)
    ticket = ticket_for(message)
    clock.advance(seconds=20)
    sold.call(C.SEND_OFD_TICKET, ticket)
    contents = read_archive(archive_path)
    assert len(contents.tickets) == 1
    record = contents.tickets[0]
    assert record.fd_number == 1
    assert record.fn_time == clock()
    assert record.stlv == decode_message(ticket).container.document
    found = archive.FindDocumentAnswer.decode(sold.call(C.FIND_DOCUMENT, archive.FindDocumentRequest(1).encode()))
    assert found.ticket_received is True
    answer = archive.TicketAnswer.decode(sold.call(C.GET_OFD_TICKET, archive.TicketRequest(1).encode()))
    sign = OperatorConfirmation.decode(record.stlv).ofd_sign
    assert answer == archive.TicketAnswer(RECEIVED.replace(second=0), sign + b"\x00\x00", 1)
    sold.call(C.GET_OFD_TICKET, archive.TicketRequest(2).encode(), expect=R.NO_DATA)


def test_tickets_replayed_on_open(sold, archive_path, clock):
    sold.call(C.SEND_OFD_TICKET, ticket_for(read_message(sold)))
    sold.call(C.SEND_OFD_TICKET, ticket_for(read_message(sold)))
    expected_status = status(sold)
    expected_ticket = sold.call(C.GET_OFD_TICKET, archive.TicketRequest(2).encode())
    sold.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert reopened.execute(C.GET_UNCONFIRMED_COUNT, b"") == (R.OK, archive.CountAnswer(1).encode())
        assert reopened.execute(C.GET_OFD_TICKET, archive.TicketRequest(2).encode()) == (R.OK, expected_ticket)
        result, answer = reopened.execute(C.GET_EXCHANGE_STATUS, b"")
    # The transport flag is session state and starts cleared after a reopen.
    assert ExchangeStatusAnswer.decode(answer).flags == expected_status.flags & ~ExchangeFlags.TRANSPORT_CONNECTED
    assert ExchangeStatusAnswer.decode(answer).first_fd_number == 3


def test_wrong_sign_refused(sold, archive_path):
    data = ticket_for(read_message(sold), master_key=b"another master key")
    assert refused_ticket(sold, archive_path, data) == TicketRejectReason.WRONG_FISCAL_SIGN
    assert unconfirmed(sold) == 3


def test_wrong_fd_refused(sold, archive_path):
    data = ticket_for(sold.fn.message_for_ofd(2))
    assert refused_ticket(sold, archive_path, data) == TicketRejectReason.WRONG_FD_NUMBER
    assert unconfirmed(sold) == 3


def test_second_ticket_refused(sold, archive_path):
    data = ticket_for(read_message(sold))
    sold.call(C.SEND_OFD_TICKET, data)
    assert refused_ticket(sold, archive_path, data) == TicketRejectReason.WRONG_FD_NUMBER
    assert unconfirmed(sold) == 2


def test_wrong_fn_number_refused(sold, archive_path, tmp_path, clock):
    # The driver's documents are minimal, so this ФН runs with the strict control off.
    other = FiscalStorage.create(tmp_path / "other.bin", "9999078900000002", clock,
                                 profile=FnProfile(strict_control=False))
    try:
        other_kkt = type(sold)(other, clock)
        other_kkt.register()
        data = ticket_for(other.message_for_ofd(1))
    finally:
        other.close()
    assert refused_ticket(sold, archive_path, data) == TicketRejectReason.WRONG_FN_NUMBER


def test_wrong_crc_refused(sold, archive_path):
    data = bytearray(ticket_for(read_message(sold)))
    data[-3] ^= 0x40
    assert refused_ticket(sold, archive_path, bytes(data)) == TicketRejectReason.WRONG_CRC


def test_garbage_refused(sold, archive_path):
    assert refused_ticket(sold, archive_path, b"\x00\x01\x02") == TicketRejectReason.WRONG_FORMAT


def test_unsigned_ticket_accepted_with_warning(sold, caplog):
    with caplog.at_level(logging.WARNING):
        answer = sold.call(C.SEND_OFD_TICKET, ticket_for(read_message(sold), sign=False))
    assert answer == b"\x00"
    assert "without ФПО" in caplog.text
    assert unconfirmed(sold) == 2
    # 41h returns zeros where the ОФД sign would be.
    ticket = archive.TicketAnswer.decode(sold.call(C.GET_OFD_TICKET, archive.TicketRequest(1).encode()))
    assert ticket.ofd_sign == bytes(18)


def test_ofd_answer_code_passed_on(sold):
    answer = sold.call(C.SEND_OFD_TICKET, ticket_for(read_message(sold), answer_code=14, operator_text=b"\x01\x02"))
    assert answer == b"\x0e" + bytes.fromhex("2c04 0700 fe03 0100 0e 0102".replace(" ", ""))
    assert unconfirmed(sold) == 2


def test_ticket_without_reading(sold):
    # The квитанция is checked against the head of the queue; reading the message first is not required.
    sold.call(C.SEND_OFD_TICKET, ticket_for(sold.fn.message_for_ofd(1)))
    assert unconfirmed(sold) == 2


def test_message_needs_transport(sold, archive_path):
    sold.call(C.BEGIN_OFD_MESSAGE_READ, expect=R.NO_TRANSPORT)
    sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, 10).encode(), expect=R.NO_TRANSPORT)
    sold.call(C.SET_TRANSPORT_STATUS, b"\x01")
    sold.call(C.BEGIN_OFD_MESSAGE_READ)
    sold.call(C.SET_TRANSPORT_STATUS, b"\x00")
    sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, 10).encode(), expect=R.NO_TRANSPORT)
    sold.call(C.SET_TRANSPORT_STATUS, b"\x01")
    # The lost connection ended the reading.
    sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, 10).encode(), expect=R.INVALID_STATE)


def test_block_reads(sold):
    message = sold.fn.message_for_ofd(1)
    sold.call(C.SET_TRANSPORT_STATUS, b"\x01")
    sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, 10).encode(), expect=R.INVALID_STATE)
    assert sold.call(C.BEGIN_OFD_MESSAGE_READ) == len(message).to_bytes(2, "little")
    assert status(sold).read_started is True
    assert sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, 0xFFFF).encode()) == message
    assert sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(5, 7).encode()) == message[5:12]
    assert sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(len(message), 7).encode()) == b""
    sold.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(len(message) + 1, 7).encode(), expect=R.UNKNOWN_COMMAND)
    sold.call(C.CANCEL_OFD_MESSAGE_READ)
    assert status(sold).read_started is False
    sold.call(C.FINISH_OFD_MESSAGE_READ, expect=R.INVALID_STATE)


def test_block_length_capped_at_frame_size(tmp_path, clock, in_shift):
    long_text = in_shift.text(60000, "x" * 64)  # the dictionary lacks tag 60000: no maximum length
    items = b"".join(in_shift.item(f"Товар {n}", 100, b"", 100, 1) for n in range(20))
    in_shift.receipt(items + long_text + in_shift.money(1031, 2000), total=2000)
    message = in_shift.fn.message_for_ofd(3)
    assert len(message) > 1024
    in_shift.call(C.SET_TRANSPORT_STATUS, b"\x01")
    for fd_number in (1, 2):
        in_shift.call(C.SEND_OFD_TICKET, ticket_for(in_shift.fn.message_for_ofd(fd_number)))
    in_shift.call(C.BEGIN_OFD_MESSAGE_READ)
    assert in_shift.call(C.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(0, 0xFFFF).encode()) == message[:1024]
    assert read_message(in_shift, block=1000) == message


def test_status_flags_through_the_exchange(sold, clock):
    assert status(sold).flags == ExchangeFlags.MESSAGE_FOR_OFD
    read_message(sold)
    assert status(sold).flags == ExchangeFlags.TRANSPORT_CONNECTED | ExchangeFlags.AWAITING_TICKET
    clock.advance(seconds=300)
    assert status(sold).flags & ExchangeFlags.AWAITING_TICKET
    clock.advance(seconds=1)
    assert status(sold).flags == ExchangeFlags.TRANSPORT_CONNECTED | ExchangeFlags.MESSAGE_FOR_OFD


def test_status_after_disconnect(sold):
    read_message(sold)
    sold.call(C.SET_TRANSPORT_STATUS, b"\x00")
    assert status(sold).flags == ExchangeFlags.MESSAGE_FOR_OFD


def test_exchange_needs_fiscal_mode(kkt, archive_path):
    before = archive_path.read_bytes()
    for command, data in ((C.SET_TRANSPORT_STATUS, b"\x01"), (C.BEGIN_OFD_MESSAGE_READ, b""),
                          (C.CANCEL_OFD_MESSAGE_READ, b""), (C.FINISH_OFD_MESSAGE_READ, b""),
                          (C.SEND_OFD_TICKET, b"\x00")):
        kkt.call(command, data, expect=R.INVALID_STATE)
    assert archive_path.read_bytes() == before


def test_autonomous_mode_has_no_message(kkt, archive_path):
    kkt.register(work_mode=0x02)
    kkt.call(C.SET_TRANSPORT_STATUS, b"\x01")
    kkt.call(C.BEGIN_OFD_MESSAGE_READ, expect=R.NO_DATA)
    assert refused_ticket(kkt, archive_path, ticket_for(kkt.fn.message_for_ofd(1))) == TicketRejectReason.WRONG_FD_NUMBER


def test_strict_profile_refuses_unsigned(make_kkt):
    kkt = make_kkt(FnProfile(strict_ofd=True))
    kkt.register()
    before = kkt.fn.path.read_bytes()
    assert refused_ticket(kkt, kkt.fn.path, ticket_for(read_message(kkt), sign=False)) == TicketRejectReason.WRONG_FISCAL_SIGN
    assert kkt.fn.path.read_bytes() == before
    kkt.call(C.SEND_OFD_TICKET, ticket_for(read_message(kkt)))
    assert unconfirmed(kkt) == 0


def test_last_ticket_after_closing_ends_in_phase_15(in_shift, archive_path, clock):
    in_shift.close_shift()
    in_shift.close_fiscal_mode()
    assert in_shift.status().phase == FnPhase.POST_FISCAL_MODE
    for _ in range(3):
        in_shift.call(C.SEND_OFD_TICKET, ticket_for(read_message(in_shift)))
        assert in_shift.status().phase == FnPhase.POST_FISCAL_MODE
    in_shift.call(C.SEND_OFD_TICKET, ticket_for(read_message(in_shift)))
    assert in_shift.status().phase == FnPhase.ARCHIVE_READ_ONLY
    in_shift.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        assert reopened.phase == FnPhase.ARCHIVE_READ_ONLY


def test_debug_reset_forgets_the_exchange(sold):
    read_message(sold)
    sold.call(C.RESET_STATE, b"\x16")
    sold.register()
    assert status(sold).flags == ExchangeFlags.MESSAGE_FOR_OFD
    assert status(sold).first_fd_number == 1
