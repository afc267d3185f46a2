"""20h, the exchange status with the ОФД: the queue of documents without a квитанция.

Layout and bit meanings are those of the ФН interface description v1.2 (table
50): status byte, read state, message count UInt16, first document number
UInt32 and its DATE_TIME.
"""

from __future__ import annotations

from kktemu.fn_storage import FiscalStorage
from kktemu.protocol.fn import archive, documents
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.exchange import ExchangeFlags, ExchangeStatusAnswer


def _exchange_status(kkt) -> ExchangeStatusAnswer:
    return ExchangeStatusAnswer.decode(kkt.call(C.GET_EXCHANGE_STATUS))


def test_exchange_status_before_registration(kkt, archive_path):
    before = archive_path.read_bytes()
    result, answer = kkt.fn.execute(C.GET_EXCHANGE_STATUS, b"")
    assert result == R.INVALID_STATE
    assert answer == b""
    assert archive_path.read_bytes() == before


def test_exchange_status_rejects_data(registered):
    registered.call(C.GET_EXCHANGE_STATUS, b"\x00", expect=R.UNKNOWN_COMMAND)


def test_exchange_status_queue_after_registration(registered):
    status = _exchange_status(registered)
    assert status.flags == ExchangeFlags.MESSAGE_FOR_OFD
    assert status.read_started is False
    assert status.message_count == 1
    assert status.first_fd_number == 1
    assert status.first_document_time == registered.clock()


def test_exchange_status_counts_every_document(in_shift, clock):
    first_moment = clock()
    clock.advance(minutes=10)
    in_shift.receipt(in_shift.money(1020, 0), total=0)
    status = _exchange_status(in_shift)
    assert status.message_count == 3
    assert status.first_fd_number == 1
    assert status.first_document_time == first_moment
    assert status.message_count == archive.CountAnswer.decode(in_shift.call(C.GET_UNCONFIRMED_COUNT)).count


def test_exchange_status_autonomous_mode_has_no_queue(kkt):
    kkt.register(work_mode=0x02)
    kkt.open_shift()
    status = _exchange_status(kkt)
    assert status == ExchangeStatusAnswer(0, False, 0, 0, None)


def test_exchange_status_survives_reopen(in_shift, archive_path, clock):
    expected = _exchange_status(in_shift)
    in_shift.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        result, answer = reopened.execute(C.GET_EXCHANGE_STATUS, b"")
    assert result == R.OK
    assert ExchangeStatusAnswer.decode(answer) == expected


def test_exchange_status_after_fiscal_mode_closed(in_shift, clock):
    in_shift.close_shift()
    in_shift.call(C.BEGIN_CLOSE_FISCAL_MODE)
    in_shift.call(C.SEND_DOCUMENT_DATA, in_shift.text(1021, "Иванова А."))
    request = documents.CloseFiscalModeRequest(clock(), in_shift.RNM)
    in_shift.call(C.CLOSE_FISCAL_MODE, request.encode())
    status = _exchange_status(in_shift)
    assert status.message_count == 4
    assert status.first_fd_number == 1
