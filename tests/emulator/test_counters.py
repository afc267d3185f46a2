"""The cash and operation registers of the register memory (``kktemu.emulator.counters``)."""

from __future__ import annotations

from kktemu.emulator import counters as n
from kktemu.emulator.counters import Counters, next_number, payment_cash_register


def test_payment_register_numbering():
    # javapos_shtrih reads 193 + type + 4 × payment for types 1-4, 4144 + type + 4 × i for types 5-16.
    assert payment_cash_register(0, 0) == 193
    assert payment_cash_register(1, 0) == 197
    assert payment_cash_register(3, 3) == 208
    assert payment_cash_register(4, 0) == 4144
    assert payment_cash_register(15, 3) == 4191


def test_reads_add_nothing():
    state = {}
    counters = Counters(state)
    assert counters.cash(193) == 0
    assert counters.operation(144) == 0
    assert state == {}


def test_receipt_fills_receipt_and_shift_blocks():
    state = {}
    counters = Counters(state)
    counters.count_receipt(2, {0: 500, 15: 70}, {0: 1, 15: 2}, [400, 0, 170], 9000)
    assert counters.cash(2) == 500 and counters.cash(4 * 15 + 2) == 70
    assert counters.cash(123) == 500 and counters.cash(121 + 60 + 2) == 70
    assert counters.cash(72 + 2) == 400 and counters.cash(72 + 8 + 2) == 170
    assert counters.cash(195) == 400 and counters.cash(203) == 170
    assert counters.cash(n.CASH_AT_RECEIPT_CLOSE) == 9000
    assert counters.cash(n.SALES_GRAND_TOTAL) == 0
    assert counters.operation(2) == 1 and counters.operation(62) == 2
    assert counters.operation(146) == 1 and counters.operation(150) == 1


def test_next_receipt_clears_receipt_block():
    counters = Counters({})
    counters.count_receipt(0, {0: 500}, {0: 1}, [500], 500)
    counters.count_receipt(0, {1: 300}, {1: 1}, [300], 800)
    assert counters.cash(0) == 0
    assert counters.cash(4) == 300
    assert counters.cash(121) == 500
    assert counters.cash(193) == 800
    assert counters.cash(n.SALES_GRAND_TOTAL) == 800


def test_numbers_wrap_after_9999():
    assert next_number(0) == 1
    assert next_number(9998) == 9999
    assert next_number(9999) == 1
    state = {"counters": {"operation": {"155": 9999}}}
    Counters(state).count_cash_move(100)
    assert Counters(state).operation(155) == 1


def test_operation_registers_wrap_at_two_bytes():
    state = {"counters": {"operation": {"158": 0xFFFF}}}
    Counters(state).count_x_report()
    assert Counters(state).operation(158) == 0


def test_z_report_keeps_numbers_unless_asked():
    state = {}
    counters = Counters(state)
    counters.count_receipt(0, {0: 500}, {0: 1}, [500], 500)
    counters.count_cash_move(-100)
    counters.count_z_report(reset_receipt_numbers=False)
    assert counters.cash(193) == 0 and counters.cash(243) == 0
    assert counters.operation(144) == 0 and counters.operation(154) == 0
    assert counters.operation(148) == 1 and counters.operation(156) == 1
    assert counters.cash(n.SALES_GRAND_TOTAL) == 500
    assert counters.operation(n.Z_REPORT_NUMBER) == 1
    counters.count_z_report(reset_receipt_numbers=True)
    assert counters.operation(148) == 0 and counters.operation(156) == 0
    assert counters.operation(n.Z_REPORT_NUMBER) == 2


def test_clear_drops_everything():
    state = {"cash_in_drawer": 5}
    counters = Counters(state)
    counters.count_test_run()
    counters.clear()
    assert state == {"cash_in_drawer": 5}
