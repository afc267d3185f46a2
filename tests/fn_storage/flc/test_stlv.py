"""Children of STLVs: allowed per parent and version, no repeats inside one 1059, mandatory children."""

from __future__ import annotations

import pytest

from kktemu.fn_storage.flc import Rule
from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv
from kktemu.protocol.fn.codes import FnResult


def _with_item(docs, version, item):
    """The valid receipt with its first 1059 replaced by ``item`` (the sums must still agree)."""
    valid = docs.valid_document(3, version)
    first = valid.value(1059)
    return docs.Tlvs([(1059, docs.stlv(item)) if (t, v) == (1059, first) else (t, v) for t, v in valid])


def _bread(docs, version, *extra):
    return docs.item(version, "Хлеб", 4999, "2.000", 9998, 1, *extra)


def test_replaced_item_still_valid(docs, version):
    assert docs.check(_with_item(docs, version, _bread(docs, version)), 3, version) is None


# shtrih-m/fr_drv_ng issue 249: a second 1023 in the same 1059 is refused.
@pytest.mark.parametrize("tag", [1023, 1079, 1030, 1199, 1043, 1214])
def test_no_repeated_tag_in_item(docs, version, tag):
    item = _bread(docs, version)
    item = docs.Tlvs([*item, (tag, item.value(tag))])
    violation = docs.check(_with_item(docs, version, item), 3, version)
    assert violation.rule is Rule.TAG_REPEATED
    assert violation.result == FnResult.DUPLICATE_DATA
    assert violation.tag == tag


@pytest.mark.parametrize("version, tag, value", [
    (2, 2108, b"\x00"),      # мера количества came with ФФД 1.2
    (2, 1291, b""),          # fractional quantity too
    (4, 1162, b"\x00\x00"),  # the 1.05 product code, replaced by 1163
    (4, 1197, b"kg"),        # the 1.05 unit of measure, replaced by 2108
    (2, 1054, b"\x01"),      # a receipt-level tag inside an item
    (4, 1008, b"x"),
], ids=["2108-in-1.05", "1291-in-1.05", "1162-in-1.2", "1197-in-1.2", "1054", "1008"])
def test_child_not_allowed_in_item(docs, version, tag, value):
    item = _bread(docs, version).without(tag) + [(tag, value)]
    violation = docs.check(_with_item(docs, version, item), 3, version)
    assert violation.rule is Rule.TAG_ALLOWED
    assert violation.result == FnResult.FORBIDDEN_TAGS
    assert violation.tag == tag


def test_item_needs_its_sum(docs, version):
    violation = docs.check(_with_item(docs, version, _bread(docs, version).without(1043)), 3, version)
    assert (violation.rule, violation.tag) == (Rule.TAG_MISSING, 1043)


def test_agent_data_children(docs):
    agent = join_tlv([(1073, b"+79990000001"), (1073, b"+79990000002"), (1026, b"name")])
    item = _bread(docs, 2, (1222, b"\x04"), (1223, agent), (1226, b"7707083893  "))
    assert docs.check(_with_item(docs, 2, item), 3, 2) is None
    twice = join_tlv([(1026, b"name"), (1026, b"other")])
    item = _bread(docs, 2, (1222, b"\x04"), (1223, twice), (1226, b"7707083893  "))
    violation = docs.check(_with_item(docs, 2, item), 3, 2)
    assert (violation.rule, violation.tag) == (Rule.TAG_REPEATED, 1026)
    stranger = join_tlv([(1030, b"name")])
    item = _bread(docs, 2, (1222, b"\x04"), (1223, stranger), (1226, b"7707083893  "))
    violation = docs.check(_with_item(docs, 2, item), 3, 2)
    assert (violation.rule, violation.tag) == (Rule.TAG_ALLOWED, 1030)


def test_correction_basis_children(docs):
    valid = docs.valid_document(31, 2)
    named = join_tlv([(1177, b"name"), (1178, valid.value(1174)[-4:])])
    assert docs.check(valid.replaced(1174, named), 31, 2) is None
    valid_12 = docs.valid_document(31, 4)
    named_12 = join_tlv([(1177, b"name"), (1178, valid_12.value(1174)[-4:])])
    violation = docs.check(valid_12.replaced(1174, named_12), 31, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_ALLOWED, 1177)


def test_ffd_12_basis_needs_date(docs):
    undated = join_tlv([(1179, b"12")])
    violation = docs.check(docs.valid_document(31, 4).replaced(1174, undated), 31, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_MISSING, 1178)
    assert docs.check(docs.valid_document(31, 2).replaced(1174, undated), 31, 2) is None


@pytest.mark.parametrize("codes, ok", [(1, True), (0, False), (2, False)])
def test_product_code_holds_one_code(docs, codes, ok):
    product = join_tlv([(1302, b"4601234567893")] * codes)
    item = _bread(docs, 4, (1163, product))
    violation = docs.check(_with_item(docs, 4, item), 3, 4)
    if ok:
        assert violation is None
    elif codes == 0:
        assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1163)
    else:
        assert (violation.rule, violation.tag) == (Rule.TAG_REPEATED, 1302)


def test_product_code_of_another_kind(docs):
    item = _bread(docs, 4, (1163, join_tlv([(1302, b"4601234567893"), (1303, b"04601234567893")])))
    violation = docs.check(_with_item(docs, 4, item), 3, 4)
    assert (violation.rule, violation.tag) == (Rule.VALUE_FORMAT, 1163)


@pytest.mark.parametrize("children", [[1293], [1294], []])
def test_fraction_needs_both_parts(docs, children):
    fraction = join_tlv([(tag, b"\x01" if tag == 1293 else b"\x04") for tag in children])
    item = docs.item(4, "Сыр", 40000, "1", 10000, 1, (1291, fraction))
    tlvs = _with_item(docs, 4, item).replaced(1020, docs.money(49992)).replaced(1031, docs.money(30002))
    tlvs = tlvs.replaced(1102, docs.money(1667))
    missing = ({1293, 1294} - set(children)).pop() if children else 1293
    violation = docs.check(tlvs, 3, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_MISSING, missing)


def test_buyer_data_children(docs):
    tlvs = docs.valid_document(3, 4).plus(1256, join_tlv([(1227, b"X"), (1228, b"7707083893  ")]))
    assert docs.check(tlvs, 3, 4) is None
    tlvs = docs.valid_document(3, 4).plus(1256, encode_tlv(1030, b"X"))
    violation = docs.check(tlvs, 3, 4)
    assert (violation.rule, violation.tag) == (Rule.TAG_ALLOWED, 1030)
