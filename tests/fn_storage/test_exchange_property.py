"""Random runs of sales and квитанции: the queue always counts right and a reopened ФН agrees."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.fn import archive
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.exchange import ExchangeFlags, ExchangeStatusAnswer

START = dt.datetime(2024, 3, 1, 9, 0)
SERIAL = "9999078900000001"
# The driver's documents are minimal, so the ФН runs with the strict format-logical
# control off; tests/fn_storage/flc tests the control.
MINIMAL_DOCUMENTS = FnProfile(strict_control=False)
OPERATIONS = st.lists(st.sampled_from(["sale", "ticket", "unsigned", "foreign", "next"]), max_size=25)


def _ticket(kkt, fd_number: int, **options) -> bytes:
    return confirm_message(kkt.fn.message_for_ofd(fd_number), ofd_inn="7704358518", received_at=kkt.clock(), **options)


def _snapshot(fn: FiscalStorage, documents: int) -> tuple:
    status = ExchangeStatusAnswer.decode(fn.execute(C.GET_EXCHANGE_STATUS, b"")[1])
    tickets = tuple(fn.execute(C.GET_OFD_TICKET, archive.TicketRequest(number).encode())
                    for number in range(1, documents + 1))
    count = fn.execute(C.GET_UNCONFIRMED_COUNT, b"")
    return status.message_count, status.first_fd_number, status.first_document_time, count, tickets


# The ``kkt`` fixture only lends its driver and clock classes; each example makes its own ФН.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_queue_and_replay(kkt, operations):
    driver_class, clock_class = type(kkt), type(kkt.clock)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fn.bin"
        clock = clock_class(START)
        fn = FiscalStorage.create(path, SERIAL, clock, profile=MINIMAL_DOCUMENTS)
        kkt = driver_class(fn, clock)
        kkt.register()
        kkt.open_shift()
        documents, confirmed = 2, 0
        for operation in operations:
            clock.advance(minutes=1)
            head = confirmed + 1
            if operation == "sale":
                kkt.receipt(kkt.money(1031, 0), total=0)
                documents += 1
            elif operation == "ticket" and head <= documents:
                kkt.call(C.SEND_OFD_TICKET, _ticket(kkt, head))
                confirmed += 1
            elif operation == "unsigned" and head <= documents:
                kkt.call(C.SEND_OFD_TICKET, _ticket(kkt, head, sign=False))
                confirmed += 1
            elif operation == "foreign" and head <= documents:
                kkt.call(C.SEND_OFD_TICKET, _ticket(kkt, head, master_key=b"foreign"), expect=R.OFD_MESSAGE_REJECTED)
            elif operation == "next" and head + 1 <= documents:
                kkt.call(C.SEND_OFD_TICKET, _ticket(kkt, head + 1), expect=R.OFD_MESSAGE_REJECTED)
            count = archive.CountAnswer.decode(kkt.call(C.GET_UNCONFIRMED_COUNT)).count
            assert count == documents - confirmed
        expected = _snapshot(fn, documents)
        fn.close()
        with FiscalStorage.open(path, clock, profile=MINIMAL_DOCUMENTS) as reopened:
            assert _snapshot(reopened, documents) == expected
            status = ExchangeStatusAnswer.decode(reopened.execute(C.GET_EXCHANGE_STATUS, b"")[1])
            assert bool(status.flags & ExchangeFlags.MESSAGE_FOR_OFD) == (confirmed < documents)
