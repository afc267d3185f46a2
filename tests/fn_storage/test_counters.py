"""Shift and ФН totals counters (tags 1194, 1157)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage.counters import MAX_COUNTER_VALUE, Counters, ReceiptFigures
from kktemu.protocol.ffd.tlv import encode_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_uint, decode_vln, encode_vln

BLOCK_TAGS = [1135, 1136, 1138, 1218, 1219, 1220, 1139, 1140, 1141, 1142, 1143, 1183, 1201]


def _children(stlv: bytes) -> list[tuple[int, bytes]]:
    (_, value), = split_tlv(stlv)
    return split_tlv(value)


def test_figures_from_receipt_tlvs():
    tlv = (
        encode_tlv(1020, encode_vln(20000))
        + encode_tlv(1031, encode_vln(5000))
        + encode_tlv(1081, encode_vln(15000))
        + encode_tlv(1102, encode_vln(3333))
        + encode_tlv(1105, encode_vln(100))
        + encode_tlv(1059, encode_tlv(1043, encode_vln(20000)))
    )
    figures = ReceiptFigures.from_tlv(tlv, operation=1, total=20000)
    assert figures == ReceiptFigures(operation=1, total=20000, cash=5000, cashless=15000, vat20=3333,
                                     turnover_no_vat=100)


def test_empty_counters_layout_ffd105():
    children = _children(Counters().encode(1194, ffd_version=2))
    assert [tag for tag, _ in children] == [1134, 1129, 1130, 1131, 1132, 1133]
    assert children[0][1] == bytes(4)
    assert [tag for tag, _ in _children(encode_tlv(*children[1]))] == BLOCK_TAGS
    assert [tag for tag, _ in _children(encode_tlv(*children[5]))] == [1144, 1145, 1146]


def test_correction_layout_ffd12():
    children = _children(Counters().encode(1157, ffd_version=4))
    corrections = _children(encode_tlv(*children[5]))
    assert [tag for tag, _ in corrections] == [1144, 1145, 1232, 1146, 1233]


def test_receipts_accumulate_per_operation():
    counters = Counters()
    counters = counters.added(ReceiptFigures(operation=1, total=100, cash=100, vat20=17), correction=False)
    counters = counters.added(ReceiptFigures(operation=1, total=50, cashless=50), correction=False)
    counters = counters.added(ReceiptFigures(operation=2, total=30, cash=30), correction=False)
    counters = counters.added(ReceiptFigures(operation=3, total=7, cash=7), correction=True)
    children = dict(_children(counters.encode(1194, ffd_version=4)))
    assert decode_uint(children[1134], 4) == 4
    income = dict(_children(encode_tlv(1129, children[1129])))
    assert decode_uint(income[1135], 4) == 2
    assert decode_vln(income[1136]) == 100
    assert decode_vln(income[1138]) == 50
    assert decode_vln(income[1139]) == 17
    assert decode_vln(income[1201]) == 150
    refund = dict(_children(encode_tlv(1130, children[1130])))
    assert decode_vln(refund[1201]) == 30
    corrections = dict(_children(encode_tlv(1133, children[1133])))
    assert decode_uint(corrections[1144], 4) == 1
    assert decode_vln(dict(_children(encode_tlv(1146, corrections[1146])))[1201]) == 7


def test_added_leaves_original_unchanged():
    counters = Counters()
    counters.added(ReceiptFigures(operation=1, total=100), correction=False)
    assert counters.document_count() == 0


def test_overflow_detected():
    counters = Counters().added(ReceiptFigures(operation=1, total=MAX_COUNTER_VALUE), correction=False)
    assert counters.fits()
    assert not counters.added(ReceiptFigures(operation=1, total=1), correction=False).fits()


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 10**12), st.booleans()), max_size=20))
def test_counter_totals_match_sum(receipts):
    counters = Counters()
    for operation, total, correction in receipts:
        counters = counters.added(ReceiptFigures(operation=operation, total=total), correction)
    children = dict(_children(counters.encode(1157, ffd_version=4)))
    assert decode_uint(children[1134], 4) == len(receipts)
    for operation, tag in ((1, 1129), (2, 1130), (3, 1131), (4, 1132)):
        block = dict(_children(encode_tlv(tag, children[tag])))
        expected = sum(total for op, total, corr in receipts if op == operation and not corr)
        assert decode_vln(block[1201]) == expected
