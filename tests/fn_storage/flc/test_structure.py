"""Rules every ФН applies, strict or not: whole TLVs inside STLVs, depth, and maximum lengths."""

from __future__ import annotations

import pytest

from kktemu.fn_storage.flc import Rule
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.fn.codes import FnResult

STRICT = [True, False]


@pytest.mark.parametrize("strict", STRICT, ids=["strict", "lenient"])
def test_broken_stlv_is_01h(docs, strict):
    valid = docs.valid_document(3, 2)
    broken_item = valid.value(1059)[:-1]  # the last child ends one byte early
    violation = docs.check(valid.replaced(1059, broken_item), 3, 2, strict=strict)
    assert violation.rule is Rule.TLV_STRUCTURE
    assert violation.result == FnResult.UNKNOWN_COMMAND
    assert violation.tag == 1059


@pytest.mark.parametrize("strict", STRICT, ids=["strict", "lenient"])
def test_broken_nested_stlv(docs, strict):
    agent = encode_tlv(1223, encode_tlv(1073, b"+7999")[:-2])
    item = docs.item(2, "Услуга", 100, "1", 100, 6) + [(1223, agent[4:])]
    tlvs = docs.valid_document(3, 2).replaced(1059, docs.stlv(item))
    violation = docs.check(tlvs, 3, 2, strict=strict)
    assert violation.rule is Rule.TLV_STRUCTURE
    assert violation.tag == 1223


def test_top_level_split_tlv(docs):
    data = docs.valid_document(2, 4).encode()[:-1]
    assert docs.check(data, 2, 4).rule is Rule.TLV_STRUCTURE


def test_stlv_nesting_depth(docs):
    # 1059 > 1223 > 1224 > 1084: four STLV levels, one more than any document has.
    deep = encode_tlv(1223, encode_tlv(1224, encode_tlv(1084, b"")))
    tlvs = docs.valid_document(3, 2).plus(1059, deep)
    violation = docs.check(tlvs, 3, 2, strict=False)
    assert violation.rule is Rule.TLV_STRUCTURE
    assert violation.tag == 1084


def _with_length(docs, tag: int, size: int):
    """The valid ФФД 1.2 receipt with a ``size``-byte value of ``tag`` (1030 in its first item)."""
    tlvs = docs.valid_document(3, 4)
    value = b"X" * size
    if tag == 1030:
        first = docs.item(4, "Хлеб", 4999, "2.000", 9998, 1).replaced(1030, value)
        return docs.Tlvs([(1059, docs.stlv(first)) if t == 1059 and v == tlvs.value(1059) else (t, v) for t, v in tlvs])
    if any(t == tag for t, _ in tlvs):
        return tlvs.replaced(tag, value)
    return tlvs.plus(tag, value)


@pytest.mark.parametrize("strict", STRICT, ids=["strict", "lenient"])
@pytest.mark.parametrize("tag, maximum", [(1021, 64), (1048, 256), (1030, 128), (1192, 16)])
def test_max_length_boundary(docs, strict, tag, maximum):
    assert docs.check(_with_length(docs, tag, maximum), 3, 4, strict=strict) is None
    over = docs.check(_with_length(docs, tag, maximum + 1), 3, 4, strict=strict)
    assert over.rule is Rule.MAX_LENGTH
    assert over.result == FnResult.TLV_TOO_LARGE
    assert over.tag == tag


def test_stlv_over_its_maximum(docs):
    # 1084 holds at most 320 bytes: 1085 of 64 and 1086 of 256 take 328.
    user_property = encode_tlv(1085, b"N" * 64) + encode_tlv(1086, b"V" * 248)
    assert len(user_property) == 320
    tlvs = docs.valid_document(3, 2)
    assert docs.check(tlvs.plus(1084, user_property), 3, 2) is None
    longer = encode_tlv(1085, b"N" * 64) + encode_tlv(1086, b"V" * 249)
    violation = docs.check(tlvs.plus(1084, longer), 3, 2, strict=False)
    assert violation.rule is Rule.MAX_LENGTH
    assert violation.tag == 1084


def test_lenient_passes_semantic_errors(docs):
    tlvs = docs.valid_document(3, 4).without(1020).plus(1054, b"\x09").plus(1101, b"\x01")
    assert docs.check(tlvs, 3, 4) is not None
    assert docs.check(tlvs, 3, 4, strict=False) is None


def test_unknown_tags_pass(docs):
    tlvs = docs.valid_document(3, 4).plus(1115, b"\xd2\x04").plus(60000, b"x" * 300)
    assert docs.check(tlvs, 3, 4) is None
