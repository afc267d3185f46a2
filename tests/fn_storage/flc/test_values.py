"""Fixed lengths, ИНН requisites, bitmasks and code lists of single values (18h)."""

from __future__ import annotations

import pytest

from kktemu.fn_storage.flc import Rule
from kktemu.protocol.ffd.tlv import join_tlv
from kktemu.protocol.ffd.values import encode_unixtime
from kktemu.protocol.fn.codes import FnResult


def _item_receipt(docs, version, *children, rate=6):
    """A one-item receipt of 1.00 whose 1059 gets ``children`` appended."""
    item = docs.item(version, "Товар", 100, "1", 100, rate, *children)
    tlvs = docs.valid_document(3, version).without(1059).without(1102).without(1103)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)), *tlvs])
    tlvs = tlvs.replaced(1020, docs.money(100)).replaced(1031, docs.money(100)).replaced(1081, docs.money(0))
    return tlvs.plus(1105 if rate == 6 else 1102, docs.money(100 if rate == 6 else 17))


def test_item_receipt_helper_is_valid(docs, version):
    assert docs.check(_item_receipt(docs, version), 3, version) is None
    assert docs.check(_item_receipt(docs, version, rate=1), 3, version) is None


def _buyer(docs, *children):
    return docs.valid_document(3, 4).plus(1256, join_tlv(list(children)))


# shtrih-m/fr_drv_ng issue 206: 1245 is a fixed 32-character string, "01" + 30 spaces.
# A value shorter than a fixed length is an invalid tag (18h); a longer one is over
# the tag's maximum, which even a lenient ФН cannot store (10h).
@pytest.mark.parametrize("size, rule, result", [
    (2, Rule.FIXED_LENGTH, FnResult.INVALID_TAG),
    (31, Rule.FIXED_LENGTH, FnResult.INVALID_TAG),
    (32, None, None),
    (33, Rule.MAX_LENGTH, FnResult.TLV_TOO_LARGE),
])
def test_identity_document_code_is_32_characters(docs, size, rule, result):
    tlvs = _buyer(docs, (1227, docs.text("Петров П.")), (1245, b"01".ljust(size, b" ")))
    violation = docs.check(tlvs, 3, 4)
    if rule is None:
        assert violation is None
    else:
        assert violation.rule is rule
        assert violation.result == result
        assert violation.tag == 1245


# shtrih-m/fr_drv_ng_examples issue 21 and fr_drv_ng issue 229: an ИНН requisite has 12
# characters, a 10-digit ИНН followed by two spaces. 7707083893 is a valid legal-entity
# ИНН, 500100732259 a valid personal one.
@pytest.mark.parametrize("value, rule", [
    (b"7707083893  ", None),
    (b"500100732259", None),
    (b"7707083893", Rule.FIXED_LENGTH),
    (b"7707083893 ", Rule.FIXED_LENGTH),
    (b"7707083893   ", Rule.MAX_LENGTH),
    (b"  7707083893", Rule.VALUE_FORMAT),
    (b"7707083894  ", Rule.VALUE_FORMAT),
    (b"50010073225 ", Rule.VALUE_FORMAT),
    (b"500100732258", Rule.VALUE_FORMAT),
    (b"00" + b"7707083893", Rule.VALUE_FORMAT),
])
@pytest.mark.parametrize("tag", [1228, 1203])
def test_inn_requisites(docs, tag, value, rule):
    violation = docs.check(docs.valid_document(3, 2).plus(tag, value), 3, 2)
    if rule is None:
        assert violation is None
    else:
        assert violation.rule is rule
        assert violation.tag == tag


def test_supplier_inn_inside_item(docs):
    good = _item_receipt(docs, 2, (1222, b"\x40"), (1226, b"7707083893  "))
    assert docs.check(good, 3, 2) is None
    bad = _item_receipt(docs, 2, (1222, b"\x40"), (1226, b"7707083893"))
    violation = docs.check(bad, 3, 2)
    assert violation.rule is Rule.FIXED_LENGTH
    assert violation.tag == 1226


@pytest.mark.parametrize("tag, size, rule", [
    (1054, 0, Rule.FIXED_LENGTH),
    (1054, 2, Rule.MAX_LENGTH),
    (1038, 3, Rule.FIXED_LENGTH),
    (1038, 5, Rule.MAX_LENGTH),
    (1042, 2, Rule.FIXED_LENGTH),
])
def test_fixed_size_numbers(docs, version, tag, size, rule):
    violation = docs.check(docs.valid_document(3, version).replaced(tag, b"\x01" * size), 3, version)
    assert violation.rule is rule
    assert violation.tag == tag


@pytest.mark.parametrize("value, ok", [(0, False), (1, True), (4, True), (5, False)])
def test_settlement_type_codes(docs, version, value, ok):
    violation = docs.check(docs.valid_document(3, version).replaced(1054, bytes((value,))), 3, version)
    assert (violation is None) == ok
    if not ok:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1054)


@pytest.mark.parametrize("value, ok", [(0x01, True), (0x20, True), (0x03, False), (0x00, False), (0x40, False)])
def test_taxation_sets_one_bit(docs, value, ok):
    violation = docs.check(docs.valid_document(3, 2).replaced(1055, bytes((value,))), 3, 2, taxation=0x3F)
    assert (violation is None) == ok
    if not ok:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1055)


@pytest.mark.parametrize("rate, ok", [(0, False), (1, True), (6, True), (7, False)])
def test_vat_rate_codes(docs, version, rate, ok):
    tlvs = _item_receipt(docs, version).without(1105)
    item = docs.item(version, "Товар", 100, "1", 100, rate)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)) if t == 1059 else (t, v) for t, v in tlvs])
    if rate in (1, 6):
        tlvs = tlvs.plus(1102 if rate == 1 else 1105, docs.money(17 if rate == 1 else 100))
    violation = docs.check(tlvs, 3, version)
    assert (violation is None) == ok
    if not ok:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1199)


@pytest.mark.parametrize("version, last", [(2, 26), (4, 33)], ids=["1.05", "1.2"])
def test_item_type_codes(docs, version, last):
    for value, ok in ((0, False), (1, True), (last, True), (last + 1, False)):
        item = docs.item(version, "Товар", 100, "1", 100, 6).replaced(1212, bytes((value,)))
        tlvs = _item_receipt(docs, version)
        tlvs = docs.Tlvs([(1059, docs.stlv(item)) if t == 1059 else (t, v) for t, v in tlvs])
        violation = docs.check(tlvs, 3, version)
        assert (violation is None) == ok, value
        if not ok:
            assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1212)


@pytest.mark.parametrize("value, ok", [(0, False), (1, True), (7, True), (8, False)])
def test_payment_method_codes(docs, value, ok):
    item = docs.item(4, "Товар", 100, "1", 100, 6).replaced(1214, bytes((value,)))
    tlvs = _item_receipt(docs, 4)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)) if t == 1059 else (t, v) for t, v in tlvs])
    assert (docs.check(tlvs, 3, 4) is None) == ok


@pytest.mark.parametrize("value, ok", [(0, True), (11, True), (83, True), (255, True), (1, False), (84, False)])
def test_measure_codes(docs, value, ok):
    item = docs.item(4, "Товар", 100, "1", 100, 6).replaced(2108, bytes((value,)))
    tlvs = _item_receipt(docs, 4)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)) if t == 1059 else (t, v) for t, v in tlvs])
    violation = docs.check(tlvs, 3, 4)
    assert (violation is None) == ok
    if not ok:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 2108)


@pytest.mark.parametrize("value, ok", [(0x01, True), (0x40, True), (0x41, False), (0x80, False), (0x00, False)])
def test_item_agent_flag_sets_one_bit(docs, value, ok):
    tlvs = _item_receipt(docs, 2, (1222, bytes((value,))), (1226, b"7707083893  "))
    violation = docs.check(tlvs, 3, 2)
    assert (violation is None) == ok
    if not ok:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1222)


@pytest.mark.parametrize("value, ok", [(0, True), (1, True), (2, False)])
def test_correction_type_codes(docs, version, value, ok):
    tlvs = docs.valid_document(31, version).replaced(1173, bytes((value,)))
    if value == 1:
        basis = docs.stlv([(1178, encode_unixtime(docs.BASIS_DATE)), (1179, docs.text("12-П"))])
        tlvs = tlvs.replaced(1174, basis)
    violation = docs.check(tlvs, 31, version)
    assert (violation is None) == ok
    if not ok:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1173)


@pytest.mark.parametrize("value, ok", [(1, False), (2, True), (3, True), (4, True), (5, False)])
def test_registration_ffd_version_codes(docs, value, ok):
    tlvs = docs.valid_document(1, 2).replaced(1209, bytes((value,)))
    violation = docs.check(tlvs, 1, 2)
    if ok:
        assert violation is None or violation.rule is not Rule.VALUE_FORMAT
    else:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1209)


def test_empty_quantity(docs):
    item = docs.item(2, "Товар", 100, "1", 100, 6).replaced(1023, b"")
    tlvs = _item_receipt(docs, 2)
    tlvs = docs.Tlvs([(1059, docs.stlv(item)) if t == 1059 else (t, v) for t, v in tlvs])
    violation = docs.check(tlvs, 3, 2)
    assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1023)


@pytest.mark.parametrize("value", [b"", b"\x00"])
def test_zero_sums_of_any_length(docs, value):
    # shtrih-m/fr_drv_ng issue 134: a ФН writes a zero VLN with length 0.
    tlvs = docs.valid_document(3, 2).replaced(1215, value).replaced(1216, value)
    assert docs.check(tlvs, 3, 2) is None
