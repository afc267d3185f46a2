"""FF39h, FF3Fh, FF3Ch and FF0Ah report the ФН's ОФД queue as квитанции arrive."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.protocol.fn import archive
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0, 0)
CASHIER = 1
SYSADMIN = 30


def send(emulator: Emulator, request):
    answer = c.decode_answer(emulator.execute(request.encode()))
    assert not isinstance(answer, c.ErrorAnswer), f"{request}: error {answer.error:02X}h"
    return answer


def confirm(emulator: Emulator, fd_number: int) -> None:
    message = emulator.storage.message_for_ofd(fd_number)
    ticket = confirm_message(message, ofd_inn="7704358518", received_at=dt.datetime(2024, 3, 1, 6, 30, 15))
    result, _answer = emulator.storage.execute(FnCommand.SEND_OFD_TICKET, ticket)
    assert result == FnResult.OK


@pytest.fixture
def clock():
    return Clock(START, frozen=True)


@pytest.fixture
def emulator(tmp_path, clock):
    emulated = Emulator(tmp_path / "fn.bin", clock=clock, fn_serial="9999078900000001")
    send(emulated, c.OpenShiftRequest(CASHIER))
    clock.set(START + dt.timedelta(minutes=7))
    for _ in range(3):
        send(emulated, c.SaleRequest(CASHIER, 1000, 100, 1, (1, 0, 0, 0), "Товар"))
        send(emulated, c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (0, 0, 0, 0), ""))
    yield emulated
    emulated.close()


def test_queue_before_any_ticket(emulator):
    status = send(emulator, c.ExchangeStatusRequest(SYSADMIN))
    assert status.queue_size == 5
    assert status.first_fd_number == 1
    assert status.first_datetime == START
    assert send(emulator, c.UnconfirmedCountRequest(SYSADMIN)).count == 5


def test_queue_after_two_tickets(emulator):
    confirm(emulator, 1)
    confirm(emulator, 2)
    status = send(emulator, c.ExchangeStatusRequest(SYSADMIN))
    assert status.queue_size == 3
    assert status.first_fd_number == 3
    assert status.first_datetime == START + dt.timedelta(minutes=7)
    assert send(emulator, c.UnconfirmedCountRequest(SYSADMIN)).count == 3


def test_ticket_and_flag_after_confirmation(emulator):
    confirm(emulator, 1)
    ticket = archive.TicketAnswer.decode(send(emulator, c.TicketRequest(SYSADMIN, 1)).data)
    assert ticket.fd_number == 1
    assert ticket.moment == dt.datetime(2024, 3, 1, 6, 30)
    assert send(emulator, c.FindDocumentRequest(SYSADMIN, 1)).ticket_received is True
    assert send(emulator, c.FindDocumentRequest(SYSADMIN, 2)).ticket_received is False


def test_every_ticket_empties_the_queue(emulator):
    for fd_number in range(1, 6):
        confirm(emulator, fd_number)
    status = send(emulator, c.ExchangeStatusRequest(SYSADMIN))
    assert status.queue_size == 0
    assert status.first_fd_number == 0
    assert status.first_datetime is None
    assert send(emulator, c.UnconfirmedCountRequest(SYSADMIN)).count == 0
