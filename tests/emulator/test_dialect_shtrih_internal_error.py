"""A command that fails inside kktemu answers 39h and leaves no ФН document open.

The failures are injected by replacing a step of a receipt or report with one
that raises, which is how a bug in kktemu would surface.
"""

from __future__ import annotations

import pytest

from kktemu.emulator import register_receipts_v2
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.errors import ErrorCode

SYSADMIN = 30
NO_DOCUMENT = 0
DRAWER_REGISTER = 241


def sale():
    return c.OperationV2Request(SYSADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар")


def close(cash=2800):
    return c.CloseReceiptV2Request(SYSADMIN, (cash,) + (0,) * 15, 0, (0,) * 6, 1, "")


def fn_document(kkt) -> int:
    return kkt.send(c.FnStatusRequest(SYSADMIN)).current_document


def drawer(kkt) -> int:
    return kkt.send(c.CashRegisterRequest(SYSADMIN, DRAWER_REGISTER)).value


def fail(*_args, **_kwargs):
    raise RuntimeError("injected failure")


@pytest.fixture
def kkt(make_kkt):
    kkt = make_kkt()
    kkt.send(c.OpenShiftRequest(SYSADMIN))
    return kkt


def test_failure_before_forming_cancels_fn_document(kkt, monkeypatch):
    kkt.send(sale())
    assert fn_document(kkt) != NO_DOCUMENT  # the first item began the receipt in the ФН
    documents = len(kkt.documents())
    monkeypatch.setattr(register_receipts_v2, "document_tlv", fail)

    assert kkt.error(close()) == ErrorCode.INTERNAL_ERROR

    assert fn_document(kkt) == NO_DOCUMENT
    assert kkt.mode() & 0x0F == 8  # the receipt stays open in the register
    assert len(kkt.documents()) == documents
    monkeypatch.undo()
    kkt.send(close())
    assert len(kkt.documents()) == documents + 1
    assert drawer(kkt) == 2800


def test_failure_after_forming_drops_receipt(kkt, monkeypatch):
    kkt.send(sale())
    documents = len(kkt.documents())
    fn = kkt.register.fn
    form_receipt = fn.form_receipt

    def form_and_fail(*args, **kwargs):
        form_receipt(*args, **kwargs)
        raise RuntimeError("injected failure after the ФН formed the receipt")

    monkeypatch.setattr(fn, "form_receipt", form_and_fail)

    assert kkt.error(close()) == ErrorCode.INTERNAL_ERROR

    assert len(kkt.documents()) == documents + 1
    assert kkt.register.receipt is None
    assert kkt.register.last_fd == kkt.documents()[-1].fd_number
    assert drawer(kkt) == 2800  # replayed from the ФН
    monkeypatch.undo()
    kkt.send(sale())
    kkt.send(close())
    assert drawer(kkt) == 5600


def test_failure_in_begun_report_cancels_it(kkt, monkeypatch):
    kkt.send(c.BeginCloseShiftRequest(SYSADMIN))
    assert fn_document(kkt) != NO_DOCUMENT
    monkeypatch.setattr(type(kkt.register), "cashier_requisite", fail)

    assert kkt.error(c.FnCloseShiftRequest(SYSADMIN)) == ErrorCode.INTERNAL_ERROR

    assert fn_document(kkt) == NO_DOCUMENT
    assert kkt.register.begun_report is None
    monkeypatch.undo()
    kkt.send(c.FnCloseShiftRequest(SYSADMIN))
    assert not kkt.send(c.FnStatusRequest(SYSADMIN)).shift_open
