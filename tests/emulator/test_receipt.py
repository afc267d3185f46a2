"""Receipt arithmetic: items, VAT, discounts, payments and change."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator.receipt import (Item, Receipt, ReceiptContext, clean_name, make_item,
                                     receipt_tlv, round_half_up, vat_of)
from kktemu.emulator.refusals import Reason, Refusal
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import decode_fvln, decode_vln

ONE = 1_000_000  # one unit in millionths


def _receipt(*amounts_and_rates):
    receipt = Receipt(operation=1)
    for amount, rate in amounts_and_rates:
        receipt.add_item(make_item("x", ONE, amount, rate))
    return receipt


# VAT cases anchored on a real receipt in kosov/fns-check issue 3 (55.00 at 10 % gave 5.00)
# and on half-up rounding: 99.99 × 20/120 = 16.665 must give 16.67, not banker's 16.66.
@pytest.mark.parametrize("amount, rate, vat", [(5500, 2, 500), (9999, 1, 1667), (10, 1, 2),
                                               (100, 5, None), (100, 6, None), (11000, 4, 1000)])
def test_item_vat(amount, rate, vat):
    assert vat_of(amount, rate) == vat


def test_receipt_vat_sums_per_item():
    receipt = _receipt((10, 1), (10, 1), (10, 1), (5500, 2), (300, 5), (700, 6))
    assert receipt.vat_totals() == {1102: 6, 1103: 500, 1104: 300, 1105: 700}


def test_amount_rounds_half_up():
    item = make_item("Сахар", 1_500_000, 333, 1)  # 1.5 × 3.33 = 4.995
    assert item.amount == 500


def test_zero_quantity_refused():
    with pytest.raises(Refusal) as refusal:
        make_item("x", 0, 100, 1)
    assert refusal.value.reason is Reason.QUANTITY_OVERFLOW


# Payment rules from the 1C driver exchange in shtrih-m/fr_drv_ng issue 103: a 28.00 receipt
# paid 2800.00 cashless is refused, 30.00 in cash gives 2.00 change, 20.00 is not enough.
def test_cashless_above_total_refused():
    receipt = _receipt((2800, 1))
    with pytest.raises(Refusal) as refusal:
        receipt.settle(0, [280000])
    assert refusal.value.reason is Reason.CASHLESS_ABOVE_TOTAL


def test_cash_overpay_gives_change():
    settlement = _receipt((2800, 1)).settle(3000, [0, 0, 0])
    assert settlement.change == 200
    assert settlement.cash == 2800
    assert settlement.cashless == 0


def test_payments_below_total_refused():
    with pytest.raises(Refusal) as refusal:
        _receipt((2800, 1)).settle(2000, [])
    assert refusal.value.reason is Reason.PAYMENTS_BELOW_TOTAL


def test_zero_total_refused():
    with pytest.raises(Refusal) as refusal:
        _receipt((0, 1)).settle(0, [])
    assert refusal.value.reason is Reason.ZERO_TOTAL


def test_discount_spread_over_items():
    receipt = _receipt((1000, 1), (2000, 2))
    receipt.apply_discount(1000)  # 10 %
    assert [item.amount for item in receipt.items] == [900, 1800]
    assert [item.price for item in receipt.items] == [900, 1800]


def test_markup_spread_over_items():
    receipt = _receipt((1000, 1), (1, 2))
    receipt.apply_discount(-5000)  # 50 % markup of 10.01 is 5.01 (5.005 rounded half up)
    assert receipt.total == 1001 + 501


def test_discount_out_of_range_refused():
    receipt = _receipt((1000, 1))
    with pytest.raises(Refusal):
        receipt.apply_discount(10000)
    assert receipt.total == 1000


@given(st.lists(st.integers(1, 10**7), min_size=1, max_size=20), st.integers(-9999, 9999))
def test_discount_changes_total_by_rounded_share(amounts, percent):
    receipt = _receipt(*((amount, 1) for amount in amounts))
    total = receipt.total
    receipt.apply_discount(percent)
    expected = round_half_up(total * abs(percent), 10000)
    assert receipt.total == (total - expected if percent > 0 else total + expected)
    assert all(item.amount >= 0 for item in receipt.items)


@given(st.integers(1, 10**9), st.integers(0, 10**9), st.lists(st.integers(0, 10**8), max_size=3))
def test_settlement_balances(total, cash, cashless):
    receipt = _receipt((total, 1))
    try:
        settlement = receipt.settle(cash, cashless)
    except Refusal:
        assert sum(cashless) > total or cash + sum(cashless) < total
        return
    assert settlement.cash + settlement.cashless == total
    assert settlement.change == cash + sum(cashless) - total


def test_clean_name_from_wire_text():
    assert clean_name("Сахар\0\0\0мусор") == "Сахар"
    assert clean_name("  «Чай»\x01 ") == '"Чай"'
    assert len(clean_name("Я" * 300).encode("cp866")) == 128


def test_item_tlv_ffd_105_and_12():
    item = make_item("Сахар", ONE, 2800, 1)
    tags_105 = [tag for tag, _ in split_tlv(split_tlv(item.to_tlv(2))[0][1])]
    tags_12 = [tag for tag, _ in split_tlv(split_tlv(item.to_tlv(4))[0][1])]
    assert tags_105 == [1214, 1212, 1030, 1079, 1023, 1199, 1200, 1043]
    assert tags_12 == [1214, 1212, 1030, 1079, 1023, 2108, 1199, 1200, 1043]


def test_item_quantity_written_with_six_decimals():
    # Real devices write one piece as FVLN 06 40 42 0F (fr_drv_ng_examples issue 39 log).
    children = dict(split_tlv(split_tlv(make_item("x", ONE, 1, 1).to_tlv(2))[0][1]))
    assert children[1023] == bytes.fromhex("0640420f")
    assert decode_fvln(children[1023]) == Decimal("1.000000")


def test_receipt_tlv_order_and_sums():
    receipt = _receipt((2800, 1), (5500, 2))
    receipt.extra_tlv.append(bytes.fromhex("f0030400") + b"test")
    settlement = receipt.settle(10000, [])
    context = ReceiptContext(ffd_code=2, shift_number=1, receipt_number=3, taxation=1,
                             cashier="Кассир", user_name="ООО", address="Москва", place="Магазин")
    items = split_tlv(receipt_tlv(receipt, settlement, context))
    tags = [tag for tag, _ in items]
    assert tags == [1048, 1009, 1187, 1042, 1038, 1054, 1055, 1059, 1059, 1020, 1031, 1081,
                    1215, 1216, 1217, 1102, 1103, 1021, 1209, 1008]
    values = dict(items)
    assert decode_vln(values[1020]) == 8300
    assert decode_vln(values[1031]) == 8300
    assert decode_vln(values[1102]) == 467
    assert decode_vln(values[1103]) == 500


def test_item_is_frozen():
    item = Item("x", ONE, 1, 1, 1)
    with pytest.raises(AttributeError):
        item.amount = 2
