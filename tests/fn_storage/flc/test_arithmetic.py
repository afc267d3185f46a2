"""Receipt arithmetic: item sums, the fractional quantity, the total and the payments (18h)."""

from __future__ import annotations

import pytest

from kktemu.fn_storage.flc import Rule
from kktemu.protocol.ffd.tlv import join_tlv
from kktemu.protocol.fn.codes import FnResult


def _receipt(docs, version, price: int, count: str, amount: int, *extra):
    """A receipt of one item without VAT, paid in cash, whose total is ``amount``."""
    item = docs.item(version, "Товар", price, count, amount, 6, *extra)
    tlvs = docs.valid_document(3, version).without(1059).without(1102).without(1103)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)), *tlvs]).plus(1105, docs.money(amount))
    return tlvs.replaced(1020, docs.money(amount)).replaced(1031, docs.money(amount)).replaced(1081, docs.money(0))


def _assert_rule(violation, rule, tag):
    assert violation is not None
    assert violation.rule is rule
    assert violation.result == FnResult.INVALID_TAG
    assert violation.tag == tag


# Note 1 to ФФД table 21: 1043 may differ from 1079 × 1023 by one kopeck at most.
@pytest.mark.parametrize("price, count, amount, ok", [
    (100, "1", 98, False),
    (100, "1", 99, True),
    (100, "1", 100, True),
    (100, "1", 101, True),
    (100, "1", 102, False),
    (3333, "0.333", 1108, False),  # 3333 × 0.333 = 1109.889
    (3333, "0.333", 1109, True),
    (3333, "0.333", 1110, True),
    (3333, "0.333", 1111, False),
    (0, "5", 0, True),
    (0, "5", 1, True),
    (0, "5", 2, False),
])
def test_item_sum_within_one_kopeck(docs, version, price, count, amount, ok):
    violation = docs.check(_receipt(docs, version, price, count, amount), 3, version)
    if ok:
        assert violation is None
    else:
        _assert_rule(violation, Rule.ITEM_SUM, 1043)


def test_item_sum_unchecked_without_price(docs):
    item = docs.item(2, "Товар", 100, "1", 500, 6).without(1079)
    tlvs = _receipt(docs, 2, 100, "1", 500)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)) if t == 1059 else (t, v) for t, v in tlvs])
    assert docs.check(tlvs, 3, 2) is None


# ФФД 1.2 note on 1291 (quoted in shtrih-m/fr_drv_ng issue 171): an item with a
# fractional quantity has 1023 = 1.
@pytest.mark.parametrize("count, ok", [("1", True), ("1.000000", True), ("0.999999", False), ("1.000001", False),
                                       ("0.25", False), ("2", False)])
def test_fraction_needs_quantity_one(docs, count, ok):
    fraction = (1291, join_tlv([(1293, b"\x01"), (1294, b"\x04")]))
    price = 10000
    amount = round(price * float(count))
    violation = docs.check(_receipt(docs, 4, price, count, amount, fraction), 3, 4)
    if ok:
        assert violation is None
    else:
        _assert_rule(violation, Rule.FRACTION_QUANTITY, 1023)


def test_fraction_without_quantity(docs):
    item = docs.item(4, "Товар", 100, "1", 100, 6, (1291, join_tlv([(1293, b"\x01"), (1294, b"\x04")])))
    tlvs = _receipt(docs, 4, 100, "1", 100)
    tlvs = docs.Tlvs([(1059, docs.stlv(item.without(1023))) if t == 1059 else (t, v) for t, v in tlvs])
    _assert_rule(docs.check(tlvs, 3, 4), Rule.FRACTION_QUANTITY, 1023)


# Note 5 to ФФД table 20: 1020 is the sum of the items' 1043.
@pytest.mark.parametrize("delta", [-1, 1])
def test_total_is_sum_of_items(docs, version, delta):
    valid = docs.valid_document(3, version)
    total = 49990 + delta
    tlvs = valid.replaced(1020, docs.money(total)).replaced(1031, docs.money(30000 + delta))
    _assert_rule(docs.check(tlvs, 3, version), Rule.RECEIPT_TOTAL, 1020)


# Note 1 to ФФД table 20: 1020 equals 1031 + 1081 + 1215 + 1216 + 1217. The valid
# receipt pays 300.00 in cash and 199.90 cashless, so only those two can go down.
PAYMENT_CHANGES = [(tag, 1) for tag in (1031, 1081, 1215, 1216, 1217)] + [(1031, -1), (1081, -1)]


@pytest.mark.parametrize("tag, delta", PAYMENT_CHANGES)
def test_total_is_sum_of_payments(docs, version, tag, delta):
    valid = docs.valid_document(3, version)
    paid = int.from_bytes(valid.value(tag), "little") + delta
    _assert_rule(docs.check(valid.replaced(tag, docs.money(paid)), 3, version), Rule.PAYMENT_SUM, 1020)


def test_payments_spread_over_every_kind(docs, version):
    valid = docs.valid_document(3, version)
    tlvs = (valid.replaced(1031, docs.money(10000)).replaced(1081, docs.money(10000))
            .replaced(1215, docs.money(10000)).replaced(1216, docs.money(10000)).replaced(1217, docs.money(9990)))
    assert docs.check(tlvs, 3, version) is None


def test_correction_without_items_checks_payments(docs):
    valid = docs.valid_document(31, 2)
    assert docs.check(valid.replaced(1020, docs.money(99999)), 31, 2).rule is Rule.PAYMENT_SUM
    assert docs.check(valid.replaced(1081, docs.money(19989)), 31, 2).rule is Rule.PAYMENT_SUM


@pytest.mark.parametrize("form", [4, 31, 41])
def test_other_receipt_forms_checked(docs, version, form):
    valid = docs.valid_document(form, version)
    assert docs.check(valid, form, version) is None
    violation = docs.check(valid.replaced(1020, docs.money(1)), form, version)
    assert violation.rule in (Rule.RECEIPT_TOTAL, Rule.PAYMENT_SUM)
