"""Spreading discounts, surcharges and rounding over items: 1079 × 1023 stays within a kopeck of 1043."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator.receipt import MAX_MONEY, Receipt, make_item
from kktemu.emulator.receipt_v2 import ItemV2, as_item_v2, computed_vat_totals, round_off
from kktemu.emulator.refusals import Reason, Refusal
from kktemu.emulator.spreading import (ItemLine, proportional_shares, single_price, split_lines, spread_adjustment,
                                       with_amount)
from kktemu.protocol.ffd.tlv import split_tlv
from kktemu.protocol.ffd.values import decode_fvln, decode_vln

ONE = 1_000_000
FFD_1_2 = 4


def item(quantity: int, price: int, rate: int = 1) -> ItemV2:
    return as_item_v2(make_item("x", quantity, price, rate))


def off_by(quantity: int, price: int, amount: int) -> int:
    """Return |price × quantity − amount| in millionths of a kopeck."""
    return abs(price * quantity - amount * ONE)


def assert_lines_keep_price(changed: ItemV2) -> None:
    for line in changed.document_lines():
        assert off_by(line.quantity, line.price, line.amount) <= ONE, line


def written_lines(changed: ItemV2) -> list[dict[int, bytes]]:
    return [dict(split_tlv(value)) for _tag, value in split_tlv(changed.to_tlv(FFD_1_2))]


def test_single_price():
    assert single_price(ONE, 2800) == 2800
    assert single_price(3 * ONE, 3010) == 1003  # 30.09, one kopeck off
    assert single_price(1000 * ONE, 999) == 1  # 10.00, one kopeck off
    assert single_price(1000 * ONE, 901) is None
    assert single_price(1, 10_001) is None  # the price would exceed the money range


def test_split_lines():
    lower, upper = split_lines(1000 * ONE, 901)

    assert lower == ItemLine(99 * ONE, 0, 0)
    assert upper == ItemLine(901 * ONE, 1, 901)


def test_split_lines_not_needed_or_impossible():
    assert split_lines(1000 * ONE, 1000) is None  # 1.00 × 1000 is exact
    assert split_lines(1, 10_001) is None  # one millionth cannot be split


def test_proportional_shares():
    assert proportional_shares([1050, 2025], -75) == [-26, -49]
    assert proportional_shares([100, 100, 100], -2) == [-1, -1, 0]
    assert proportional_shares([1, 3], 4) == [1, 3]


def test_rounding_on_one_large_quantity_splits():
    # 1000 × 0.01 ₽ less 99 kopecks: no unit price gives 9.01 ₽ for 1000 units.
    receipt = Receipt(1, [item(1000 * ONE, 1)])

    round_off(receipt, 99)

    (changed,) = receipt.items
    assert changed.amount == 901
    assert changed.quantity == 1000 * ONE
    assert changed.lines == (ItemLine(99 * ONE, 0, 0), ItemLine(901 * ONE, 1, 901))
    assert_lines_keep_price(changed)


def test_split_item_written_as_two_1059():
    changed = with_amount(item(1000 * ONE, 1), 901)

    lines = written_lines(changed)

    assert [decode_fvln(line[1023]) for line in lines] == [99, 901]
    assert [decode_vln(line[1079]) for line in lines] == [0, 1]
    assert [decode_vln(line[1043]) for line in lines] == [0, 901]
    assert [decode_vln(line[1200]) for line in lines] == [0, 150]  # 901 × 20/120
    assert changed.vat_amount == 150
    assert computed_vat_totals([changed]) == {1102: 150}


def test_split_item_shares_host_vat():
    changed = with_amount(dataclasses.replace(item(1000 * ONE, 1), given_vat=167), 901)

    vats = [decode_vln(line[1200]) for line in written_lines(changed)]

    assert vats == [0, 167]
    assert changed.vat_amount == 167


def test_split_item_keeps_its_children():
    base = dataclasses.replace(item(7 * ONE, 1000), extra=((1222, b"\x40"),))

    changed = with_amount(base, 6990)  # 69.86 and 69.93 are the nearest multiples of 7 kopecks

    assert len(changed.lines) == 2
    assert all(line[1222] == b"\x40" for line in written_lines(changed))


def test_flexible_item_takes_the_rounding():
    # The 1000 units carry 9.99 ₽ at most below 10.00 ₽ at one price, so the item of one
    # unit, which can carry any sum, takes the other 98 kopecks.
    receipt = Receipt(1, [item(1000 * ONE, 1), item(ONE, 500)])

    round_off(receipt, 99)

    large, small = receipt.items
    assert (large.amount, large.price, large.lines) == (999, 1, ())
    assert (small.amount, small.price, small.lines) == (402, 402, ())


def test_large_quantity_takes_what_it_can_carry():
    # 7 units carry only multiples of 7 kopecks ± 1. Their share of 44 kopecks is 39,
    # which leaves 69.61 ₽; the nearest sum towards 70.00 ₽ they carry is 69.64 ₽
    # (9.95 ₽ × 7 less a kopeck), and the other item takes the 3 kopecks they give back.
    receipt = Receipt(1, [item(7 * ONE, 1000), item(ONE, 1000)])

    spread_adjustment_in_place(receipt, -44)

    large, small = receipt.items
    assert (large.amount, large.price) == (6964, 995)
    assert (small.amount, small.price) == (992, 992)
    assert not large.lines and not small.lines
    assert off_by(large.quantity, large.price, large.amount) <= ONE


def spread_adjustment_in_place(receipt: Receipt, kopecks: int) -> None:
    receipt.items = spread_adjustment(receipt.items, kopecks)


def test_marked_item_is_not_split():
    marked = dataclasses.replace(item(1000 * ONE, 1), extra=((1162, b"\x00\x05abc"),))

    with pytest.raises(Refusal) as caught:
        spread_adjustment([marked], -99)
    assert caught.value.reason is Reason.INVALID_PARAMETER
    with pytest.raises(Refusal):
        with_amount(marked, 901)


def test_unchanged_sum_keeps_the_item():
    original = dataclasses.replace(item(3 * ONE, 1000), amount=3001)  # FF46h took a sum one kopeck off

    assert with_amount(original, 3001) is original
    assert spread_adjustment([original], 0) == [original]


def test_percent_discount_splits_where_needed():
    receipt = Receipt(1, [item(7 * ONE, 143)])  # 10.01 ₽

    receipt.apply_discount(1000)  # 10 % of 10.01 is 1.00, leaving 9.01 ₽ on 7 units

    (changed,) = receipt.items
    assert changed.amount == 901
    assert_lines_keep_price(changed)


def test_discount_on_zero_total_changes_nothing():
    receipt = Receipt(1, [item(ONE, 0)])

    receipt.apply_discount(1000)
    receipt.apply_discount(-1000)

    assert receipt.items == [item(ONE, 0)]


_ITEMS = st.lists(st.tuples(st.sampled_from([1, 999, ONE, 2 * ONE, 2_500_000, 3 * ONE, 7 * ONE, 1000 * ONE,
                                             123_456_789]),
                            st.integers(0, 100_000)),
                  min_size=1, max_size=6)


@given(items=_ITEMS, fraction=st.integers(-10_000, 10_000))
def test_spread_keeps_price_times_quantity(items, fraction):
    originals = [item(quantity, price) for quantity, price in items]
    total = sum(original.amount for original in originals)
    kopecks = total * fraction // 10_000
    if total == 0 or total + kopecks > MAX_MONEY:
        return

    try:
        spread = spread_adjustment(originals, kopecks)
    except Refusal as refusal:
        # Only an item of one millionth or with a price near the range limit fails to take a share.
        assert refusal.reason is Reason.INVALID_PARAMETER
        assert all(original.quantity == 1 for original in originals if original.amount)
        return

    assert sum(changed.amount for changed in spread) == total + kopecks
    for original, changed in zip(originals, spread, strict=True):
        assert 0 <= changed.amount <= MAX_MONEY
        assert sum(line.quantity for line in changed.document_lines()) == original.quantity
        assert sum(line.amount for line in changed.document_lines()) == changed.amount
        if changed is not original:
            assert_lines_keep_price(changed)
