"""Items with host data, the 16 payment sums, rounding and the receipt TLV builder of ``receipt_v2``."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator.receipt import Receipt, ReceiptContext, make_item, receipt_tlv
from kktemu.emulator.receipt_v2 import (ItemV2, Payments, as_item_v2, computed_vat_totals, document_tlv,
                                        exact_settlement, given_vat_totals, round_off, settle)
from kktemu.emulator.refusals import Reason, Refusal
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_vln, encode_string

ONE = 1_000_000
CONTEXT = ReceiptContext(ffd_code=2, shift_number=4, receipt_number=7, taxation=1, cashier="КАССИР 1",
                         user_name='ООО "Ромашка"', address="г. Москва", place="Зал")


def refused(reason: Reason, call, *args, **kwargs) -> None:
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    assert caught.value.reason is reason


def receipt_of(*amounts: int) -> Receipt:
    receipt = Receipt(1)
    for amount in amounts:
        receipt.add_item(make_item("x", ONE, amount, 1))
    return receipt


# Payments: the 16 sums of FF45h and 8Eh.


def test_payments_from_sums():
    sums = [100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    payments = Payments.from_sums(sums)
    assert payments == Payments(cash=100, electronic=sum(range(1, 13)), prepaid=13, credit=14, provision=15)
    assert payments.non_cash == sum(range(1, 16))


def test_payments_need_16_sums():
    with pytest.raises(ValueError):
        Payments.from_sums([0] * 4)


# Settlement. shtrih-m/fr_drv_ng issue 103: a 28.00 receipt is refused with 4Dh when paid
# 2800.00 cashless and closes with 2.00 change when paid 30.00 cash.


def test_cashless_above_total():
    refused(Reason.CASHLESS_ABOVE_TOTAL, settle, 2800, Payments(electronic=280000))


def test_cash_overpay_gives_change():
    settlement = settle(2800, Payments(cash=3000))
    assert (settlement.cash, settlement.change, settlement.cashless) == (2800, 200, 0)


def test_payments_below_total():
    refused(Reason.PAYMENTS_BELOW_TOTAL, settle, 2800, Payments(cash=2000))


def test_zero_total_switch():
    refused(Reason.ZERO_TOTAL, settle, 0, Payments())
    assert settle(0, Payments(), allow_zero=True).total == 0


@pytest.mark.parametrize("field", ["prepaid", "credit", "provision"])
def test_other_payments_give_no_change(field):
    refused(Reason.CASHLESS_ABOVE_TOTAL, settle, 1000, Payments(**{field: 1001}))
    settlement = settle(1000, Payments(cash=500, **{field: 600}))
    assert settlement.change == 100
    assert getattr(settlement, field) == 600


_SUM = st.integers(0, 10**6)


@given(total=st.integers(1, 10**6), payments=st.builds(Payments, _SUM, _SUM, _SUM, _SUM, _SUM))
def test_settlement_adds_up(total, payments):
    try:
        settlement = settle(total, payments)
    except Refusal as refusal:
        assert refusal.reason in (Reason.CASHLESS_ABOVE_TOTAL, Reason.PAYMENTS_BELOW_TOTAL)
        return
    kept = settlement.cash + settlement.electronic + settlement.prepaid + settlement.credit + settlement.provision
    assert kept == total
    assert 0 <= settlement.change <= payments.cash


def test_exact_settlement():
    settlement = exact_settlement(1000, Payments(cash=400, electronic=600))
    assert (settlement.cash, settlement.electronic, settlement.change) == (400, 600, 0)
    refused(Reason.INVALID_PARAMETER, exact_settlement, 1000, Payments(cash=1001))


# Rounding to the rouble.


def test_round_off_spreads_kopecks():
    receipt = receipt_of(1050, 2025)
    round_off(receipt, 75)
    assert receipt.total == 3000
    assert [item.amount for item in receipt.items] == [1024, 1976]
    assert [item.price for item in receipt.items] == [1024, 1976]


def test_round_off_limits():
    refused(Reason.INVALID_PARAMETER, round_off, receipt_of(1050), 100)
    refused(Reason.INVALID_PARAMETER, round_off, receipt_of(50), 50)
    receipt = receipt_of(1050)
    round_off(receipt, 0)
    assert receipt.items[0].amount == 1050


@given(amounts=st.lists(st.integers(1, 10**6), min_size=1, max_size=10), kopecks=st.integers(0, 99))
def test_round_off_total(amounts, kopecks):
    receipt = receipt_of(*amounts)
    total = receipt.total
    if kopecks >= total:
        refused(Reason.INVALID_PARAMETER, round_off, receipt, kopecks)
        return
    round_off(receipt, kopecks)
    assert receipt.total == total - kopecks
    assert all(0 <= item.amount <= amount for item, amount in zip(receipt.items, amounts))


# Items.


def test_item_v2_children_order():
    item = dataclasses.replace(as_item_v2(make_item("Сахар", ONE, 2800, 1)), measure=11,
                               extra=((1191, b"x"),))
    assert [tag for tag, _ in item.children(2)] == [1214, 1212, 1030, 1079, 1023, 1199, 1200, 1043, 1191]
    assert [tag for tag, _ in item.children(4)] == [1214, 1212, 1030, 1079, 1023, 2108, 1199, 1200, 1043, 1191]
    assert dict(item.children(4))[2108] == b"\x0b"


def test_plain_item_encodes_alike():
    item = make_item("Сахар", 1_500_000, 333, 2)
    for version in (2, 4):
        assert as_item_v2(item).to_tlv(version) == item.to_tlv(version)


def test_given_vat_used():
    item = dataclasses.replace(as_item_v2(make_item("Сахар", ONE, 9999, 1)), given_vat=1600)
    assert item.vat_amount == 1600
    assert decode_vln(dict(item.children(2))[1200]) == 1600


def test_vat_left_out_when_not_written():
    item = dataclasses.replace(as_item_v2(make_item("Сахар", ONE, 9999, 1)), write_vat=False)
    assert 1200 not in dict(item.children(2))
    assert item.vat_amount == 1667  # 99.99 × 20/120, still counted in the receipt totals


def test_given_vat_ignored_without_vat():
    item = dataclasses.replace(as_item_v2(make_item("Хлеб", ONE, 5000, 6)), given_vat=100)
    assert item.vat_amount is None
    assert 1200 not in dict(item.children(2))


# VAT totals.


def test_computed_vat_totals_match_receipt():
    receipt = Receipt(1)
    for amount, rate in ((5500, 2), (9999, 1), (1000, 6), (700, 5)):
        receipt.add_item(make_item("x", ONE, amount, rate))
    assert computed_vat_totals(receipt.items) == receipt.vat_totals()


def test_given_vat_totals():
    items = [make_item("x", ONE, 1000, 6)]
    assert given_vat_totals(items, (167, 0, 0, 0, 0, 0)) == {1102: 167, 1105: 0}
    assert given_vat_totals([], (0, 0, 0, 0, 0, 0xE800003A98)) == {1107: 0xE800003A98}


# The TLV of the whole document.


def test_document_matches_plain_receipt():
    receipt = receipt_of(2800, 5500)
    receipt.extra_tlv.append(encode_tlv(1008, encode_string("+79990001122")))
    old = receipt.settle(10000, [])
    new = settle(receipt.total, Payments(cash=10000))
    host = split_tlv(receipt.extra_tlv[0])
    assert document_tlv(receipt, new, CONTEXT, vat_totals=receipt.vat_totals(), host_tlv=host) == \
        receipt_tlv(receipt, old, CONTEXT)


def test_document_host_cashier_replaces():
    receipt = receipt_of(2800)
    settlement = settle(2800, Payments(cash=2800))
    cashier = encode_string("Петров П.")
    items = split_tlv(document_tlv(receipt, settlement, CONTEXT, vat_totals={}, host_tlv=[(1021, cashier)]))
    assert [value for tag, value in items if tag == 1021] == [cashier]


def test_document_register_tags_and_payments():
    receipt = Receipt(1)
    settlement = exact_settlement(1000, Payments(cash=100, electronic=200, prepaid=300, credit=150, provision=250))
    context = dataclasses.replace(CONTEXT, address="", place="")
    items = split_tlv(document_tlv(receipt, settlement, context, vat_totals={1105: 1000},
                                   register_tlv=[(1173, b"\x01")]))
    tags = [tag for tag, _ in items]
    assert tags == [1048, 1042, 1038, 1054, 1055, 1173, 1020, 1031, 1081, 1215, 1216, 1217, 1105, 1021, 1209]
    values = dict(items)
    assert [decode_vln(values[tag]) for tag in (1020, 1031, 1081, 1215, 1216, 1217)] == [1000, 100, 200, 300, 150,
                                                                                            250]


def test_item_v2_is_item():
    item = ItemV2("x", ONE, 100, 100, 1)
    assert item.vat_amount == 17
