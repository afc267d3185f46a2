"""Money limits of the Штрих-М protocol and the order of refusal checks."""

from __future__ import annotations

import datetime as dt

import pytest

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.receipt import MAX_MONEY
from kktemu.protocol.shtrih import commands as c

CASHIER = 1


@pytest.fixture
def emulator(tmp_path):
    with Emulator(tmp_path / "fn.bin", clock=Clock(dt.datetime(2024, 3, 1, 9, 0), frozen=True)) as emulator:
        emulator.execute(c.OpenShiftRequest(CASHIER).encode())
        yield emulator


def test_max_money_is_protocol_range():
    # The 5-byte money fields of the protocol hold 0000000000…9999999999.
    assert MAX_MONEY == 9_999_999_999


def test_cash_in_above_range_refused(emulator):
    assert emulator.execute(c.CashInRequest(CASHIER, MAX_MONEY + 1).encode()) == bytes.fromhex("50 33")
    assert emulator.register.cash_in_drawer == 0


def test_drawer_overflow_refused(emulator):
    assert emulator.execute(c.CashInRequest(CASHIER, MAX_MONEY).encode())[1] == 0
    assert emulator.execute(c.CashInRequest(CASHIER, 1).encode()) == bytes.fromhex("50 84")
    assert emulator.register.cash_in_drawer == MAX_MONEY


def test_receipt_total_limited_to_protocol_range(emulator):
    price = MAX_MONEY // 2 + 1
    assert emulator.execute(c.SaleRequest(CASHIER, 1000, price, 0, (1, 0, 0, 0), "A").encode())[1] == 0
    assert emulator.execute(c.SaleRequest(CASHIER, 1000, price, 0, (1, 0, 0, 0), "B").encode()) == bytes.fromhex("80 48")
    assert emulator.register.subtotal() == price


def test_close_without_receipt_checked_before_taxes(emulator):
    body = c.CloseReceiptRequest(CASHIER, (100, 0, 0, 0), 0, (9, 0, 0, 0), "").encode()
    assert emulator.execute(body) == bytes.fromhex("85 55")
