"""FF07h «Сброс состояния ФН»: the debug ФН reset 60h through the register.

The request code goes to the ФН unchanged. A debug ФН (serial 9999078900xxxxxx)
wipes its archive on 16h and is back in phase 1; a serial ФН answers 01h, as
its interface description has no 60h outside debug firmware. The register
forgets the registration and the ФН documents, so the ФН can be registered
again and counts from ФД 1.
"""

from __future__ import annotations

import logging

import pytest

from kktemu.fn_storage.identifiers import make_rnm
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.fn.codes import FnCommand
from kktemu.protocol.fn.service import FnPhase, ResetStateRequest
from kktemu.protocol.shtrih import commands as c

CASHIER = 1
SYSADMIN = 30
WIPE = 0x16
ERROR_FN_UNKNOWN_COMMAND = 0x01
ERROR_SHIFT_OPEN = 0x3C
ERROR_RECEIPT_OPEN = 0x4A
ERROR_REPORT_BEGUN = 0x5E
ERROR_PASSWORD = 0x4F
FN_SERIAL = "9999078900000042"
KKT_SERIAL = "0000" + FN_SERIAL[-8:]
INN = "7707083893"
RNM = make_rnm(1, INN, KKT_SERIAL)
OSN = 0x01


def registration() -> c.RegistrationRequest:
    return c.RegistrationRequest(SYSADMIN, INN.ljust(12), RNM.ljust(20), OSN, 0)


def fn_status(kkt) -> c.FnStatusAnswer:
    return kkt.send(c.FnStatusRequest(SYSADMIN))


def sale(kkt) -> None:
    kkt.send(c.OpenReceiptRequest(CASHIER, c.ReceiptType.SALE))
    kkt.send(c.SaleRequest(CASHIER, 1000, 10000, 1, (0, 0, 0, 0), "Чай"))
    kkt.send(c.CloseReceiptRequest(CASHIER, (10000, 0, 0, 0), 0, (0, 0, 0, 0), ""))


@pytest.fixture
def worked(make_kkt):
    """A register on a debug ФН with a whole shift: ФД 1 registration, 2 open shift, 3 receipt, 4 close shift."""
    kkt = make_kkt(fn_serial=FN_SERIAL)
    kkt.send(c.OpenShiftRequest(CASHIER))
    sale(kkt)
    kkt.send(c.ZReportRequest(SYSADMIN))
    assert fn_status(kkt).last_document_number == 4
    return kkt


def test_reset_returns_fn_to_phase_1(worked):
    cash = worked.register.cash_in_drawer
    document_number = worked.register.document_number

    assert isinstance(worked.send(c.ResetFnRequest(SYSADMIN, WIPE)), c.ResetFnAnswer)

    status = fn_status(worked)
    assert status.phase == FnPhase.READY_FOR_FISCALIZATION
    assert status.last_document_number == 0
    assert worked.documents() == []
    assert worked.register.last_fd == 0
    assert not worked.register.shift.is_open
    assert worked.register.shift.number == 0
    assert worked.register.cash_in_drawer == cash
    assert worked.register.document_number == document_number


def test_reset_fn_registers_again(worked):
    worked.send(c.ResetFnRequest(SYSADMIN, WIPE))

    answer = worked.send(registration())
    assert answer.fd_number == 1
    shift = worked.send(c.FnOpenShiftRequest(SYSADMIN))
    assert shift.shift_number == 1
    assert shift.fd_number == 2
    assert worked.register.last_fd == 2
    assert [document.fd_number for document in worked.documents()] == [1, 2]


def test_reset_survives_restart(make_kkt, worked):
    worked.send(c.ResetFnRequest(SYSADMIN, WIPE))
    worked.send(registration())
    worked.close()

    again = make_kkt(fn_serial=FN_SERIAL)
    assert again.register.last_fd == 1
    assert fn_status(again).phase == FnPhase.FISCAL_MODE
    again.send(c.OpenShiftRequest(CASHIER))
    assert again.register.last_fd == 2


def test_memory_ahead_of_reset_fn(make_kkt, worked, caplog):
    # The ФН is reset behind the register's back, as when the memory save after FF07h failed.
    code, _data = worked.emulator.storage.execute(FnCommand.RESET_STATE, ResetStateRequest().encode())
    assert code & 0x7F == 0
    worked.close()

    with caplog.at_level(logging.WARNING, logger="kktemu.emulator.register"):
        again = make_kkt(fn_serial=FN_SERIAL)
    assert again.register.last_fd == 1  # the new start registered the fresh ФН: ФД 1
    assert "after a debug reset" in caplog.text


def test_reset_serial_fn_answers_01h(make_kkt):
    kkt = make_kkt(fn_serial=FN_SERIAL, fn_profile=FnProfile(debug=False))
    kkt.refused(c.ResetFnRequest(SYSADMIN, WIPE), ERROR_FN_UNKNOWN_COMMAND)
    assert fn_status(kkt).phase == FnPhase.FISCAL_MODE


@pytest.mark.parametrize("code", [0x00, 0x15, 0x17, 0xFF])
def test_reset_unknown_code_answers_01h(make_kkt, code):
    kkt = make_kkt(fn_serial=FN_SERIAL)
    kkt.refused(c.ResetFnRequest(SYSADMIN, code), ERROR_FN_UNKNOWN_COMMAND)


def test_reset_with_shift_open_answers_3ch(make_kkt):
    kkt = make_kkt(fn_serial=FN_SERIAL)
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.refused(c.ResetFnRequest(SYSADMIN, WIPE), ERROR_SHIFT_OPEN)


def test_reset_with_receipt_open_answers_4ah(make_kkt):
    kkt = make_kkt(fn_serial=FN_SERIAL)
    kkt.send(c.OpenShiftRequest(CASHIER))
    kkt.send(c.OpenReceiptRequest(CASHIER, c.ReceiptType.SALE))
    kkt.refused(c.ResetFnRequest(SYSADMIN, WIPE), ERROR_RECEIPT_OPEN)


def test_reset_with_report_begun_answers_5eh(make_kkt):
    kkt = make_kkt(fn_serial=FN_SERIAL)
    kkt.send(c.BeginCloseFiscalModeRequest(SYSADMIN))
    kkt.refused(c.ResetFnRequest(SYSADMIN, WIPE), ERROR_REPORT_BEGUN)


def test_reset_unregistered_fn_stays_in_phase_1(make_kkt):
    kkt = make_kkt(fn_serial=FN_SERIAL, register_fresh_fn=False)
    kkt.send(c.ResetFnRequest(SYSADMIN, WIPE))
    assert fn_status(kkt).phase == FnPhase.READY_FOR_FISCALIZATION
    assert kkt.send(registration()).fd_number == 1


def test_reset_needs_system_administrator(make_kkt):
    kkt = make_kkt(fn_serial=FN_SERIAL)
    kkt.refused(c.ResetFnRequest(CASHIER, WIPE), ERROR_PASSWORD)
