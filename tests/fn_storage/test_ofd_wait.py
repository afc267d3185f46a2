"""The 30-day rule: 15h while the oldest document for the ОФД has waited over 30 days by the ФН timer.

The interface description lists 15h for 11h..15h and 17h, in the data
transmission mode only. The registration report (ФД 1) is formed at the
start of each test, so it is the oldest document in the queue.
"""

from __future__ import annotations

import datetime as dt

from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.fn import documents
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R

THIRTY_DAYS = dt.timedelta(days=30)
ONE_SECOND = dt.timedelta(seconds=1)


def _confirm(kkt, fd_number: int) -> None:
    message = kkt.fn.message_for_ofd(fd_number)
    kkt.call(C.SEND_OFD_TICKET, confirm_message(message, ofd_inn="7704358518", received_at=kkt.clock()))


def _refused(kkt, archive_path, command, data=b"") -> None:
    before = archive_path.read_bytes()
    kkt.call(command, data, expect=R.OFD_WAIT_EXHAUSTED)
    assert archive_path.read_bytes() == before


def _begin_open_shift(kkt) -> bytes:
    return documents.BeginOpenShiftRequest(kkt.clock()).encode()


def _begin_receipt(kkt) -> bytes:
    return documents.BeginReceiptRequest(kkt.clock()).encode()


def test_open_shift_at_thirty_days(registered, clock, archive_path):
    clock.moment += THIRTY_DAYS
    registered.call(C.BEGIN_OPEN_SHIFT, _begin_open_shift(registered))
    registered.call(C.CANCEL_DOCUMENT)
    clock.moment += ONE_SECOND
    _refused(registered, archive_path, C.BEGIN_OPEN_SHIFT, _begin_open_shift(registered))


def test_receipts_at_thirty_days(registered, clock, archive_path):
    start = clock()
    clock.advance(days=30, hours=-1)
    registered.open_shift()
    clock.moment = start + THIRTY_DAYS
    registered.call(C.BEGIN_RECEIPT, _begin_receipt(registered))
    registered.call(C.CANCEL_DOCUMENT)
    clock.moment += ONE_SECOND
    _refused(registered, archive_path, C.BEGIN_RECEIPT, _begin_receipt(registered))
    _refused(registered, archive_path, C.BEGIN_CORRECTION_RECEIPT, _begin_receipt(registered))
    _refused(registered, archive_path, C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(clock()).encode())


def test_form_commands_refused(registered, clock, archive_path):
    start = clock()
    clock.moment = start + THIRTY_DAYS
    registered.call(C.BEGIN_OPEN_SHIFT, _begin_open_shift(registered))
    registered.call(C.SEND_DOCUMENT_DATA, registered.text(1021, "Иванова А."))
    clock.moment += ONE_SECOND
    _refused(registered, archive_path, C.OPEN_SHIFT)


def test_close_shift_refused(registered, clock, archive_path):
    start = clock()
    clock.advance(days=29)
    registered.open_shift()
    clock.moment = start + THIRTY_DAYS
    registered.call(C.BEGIN_CLOSE_SHIFT, documents.BeginCloseShiftRequest(clock()).encode())
    registered.call(C.SEND_DOCUMENT_DATA, registered.text(1021, "Иванова А."))
    clock.moment += ONE_SECOND
    _refused(registered, archive_path, C.CLOSE_SHIFT)


def test_ticket_unblocks(registered, clock):
    start = clock()
    clock.advance(days=30, hours=-1)
    registered.open_shift()
    clock.moment = start + THIRTY_DAYS + ONE_SECOND
    registered.call(C.BEGIN_RECEIPT, _begin_receipt(registered), expect=R.OFD_WAIT_EXHAUSTED)
    _confirm(registered, 1)
    # ФД 2, the open shift report, is now the oldest and has waited one hour.
    registered.receipt(registered.money(1031, 0), total=0)


def test_rule_follows_the_oldest_document(registered, clock):
    start = clock()
    _confirm(registered, 1)
    clock.advance(days=10)
    registered.open_shift()
    registered.close_shift()
    # ФД 2, the open shift report formed on day 10, is the oldest now.
    clock.moment = start + dt.timedelta(days=40)
    registered.call(C.BEGIN_OPEN_SHIFT, _begin_open_shift(registered))
    registered.call(C.CANCEL_DOCUMENT)
    clock.moment += ONE_SECOND
    registered.call(C.BEGIN_OPEN_SHIFT, _begin_open_shift(registered), expect=R.OFD_WAIT_EXHAUSTED)


def test_autonomous_mode_never_waits(kkt, clock):
    kkt.register(work_mode=0x02)
    clock.advance(days=45)
    kkt.call(C.BEGIN_OPEN_SHIFT, _begin_open_shift(kkt))
    kkt.call(C.SEND_DOCUMENT_DATA, encode_tlv(1021, "Иванова А.".encode("cp866")))
    kkt.call(C.OPEN_SHIFT)
    kkt.receipt(kkt.money(1031, 0), total=0)
