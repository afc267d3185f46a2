"""The per-version TLV rules of FF0Ch and FF4Dh, checked without a register.

Byte values of the field cases come from public reports: ИНН requisites padded
to 12 characters (shtrih-m/fr_drv_ng_examples issue 21, shtrih-m/javapos_shtrih
issue 90), the correction basis 1174 (shtrih-m/fr_drv_ng issues 98 and 216),
2108 and 1291 of ФФД 1.2 items (shtrih-m/fr_drv_ng issues 171 and 220,
shtrih-m/fr_drv_ng_examples issue 40), a repeated tag in one 1059
(shtrih-m/fr_drv_ng issue 249).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.emulator import ffd_rules as r
from kktemu.emulator.refusals import Reason, Refusal
from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv, split_tlv
from kktemu.protocol.ffd.values import encode_fvln, encode_string, encode_unixtime

H = bytes.fromhex
NOW = dt.datetime(2024, 3, 1, 9, 0)
V105, V12 = r.FFD_1_05, r.FFD_1_2
# Children the register writes into every 1059 (ФФД 1.2 adds 2108, which FF4Dh may replace).
REGISTER_CHILDREN = {1214, 1212, 1030, 1079, 1023, 1199, 1043}
# 1173 = 1 (by order); 1174 = {1178 = 2020-02-17 00:00 local, 1179 = «12-П»}.
CORRECTION_GOOD = H("95 04 01 00 01 96 04 10 00 9A 04 04 00 80 D7 49 5E 9B 04 04 00 31 32 2D 8F")
BASIS_WITH_1177 = H("96 04 1A 00 99 04 06 00 8E E8 A8 A1 AA A0 9A 04 04 00 80 D7 49 5E 9B 04 04 00 31 32 2D 8F")
FUTURE_1178 = H("9A 04 04 00 89 77 6D AB")  # 2061-02-19 22:32:41
FRACTION_5_20 = H("0B 05 0A 00 0D 05 01 00 05 0E 05 01 00 14")  # 1291 = {1293 = 5, 1294 = 20}


def rejected(call, *args, **kwargs) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    assert caught.value.reason is Reason.INVALID_PARAMETER
    return caught.value


def item_check(version, tlv: bytes, present=frozenset(REGISTER_CHILDREN), format_check=True):
    r.check_item_tlv(version, set(present), split_tlv(tlv), format_check=format_check, now=NOW)


def receipt_check(version, tlv: bytes, correction=False, format_check=True):
    r.check_receipt_tlv(version, correction, split_tlv(tlv), format_check=format_check, now=NOW)


# ИНН requisites: 12 characters, right-padded, with valid check digits.


@pytest.mark.parametrize(("value", "valid"), [
    (b"7712345671  ", True),
    (b"7712345671", False),  # 10 digits unpadded
    (b"7712345672  ", False),  # wrong check digit
    (b"56565656566 ", False),  # 11 digits and a space
    (b"  7712345671", False),  # padded on the left
    (b"500123456750", True),  # a 12-digit personal ИНН
    (b"500123456751", False),
    (b"7712345671\x00\x00", False),
])
def test_inn_field_rules(value, valid):
    assert r.inn_field_is_valid(value) is valid


def test_zero_supplier_inn_accepted():
    assert r.inn_field_is_valid(b"0" * 12)


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(digit) * weight for digit, weight in zip(digits, weights)) % 11 % 10)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_inn_padding_property(prefix):
    inn = prefix + _check_digit(prefix, (2, 4, 10, 3, 5, 9, 4, 6, 8))
    assert r.inn_field_is_valid(inn.encode() + b"  ")
    assert not r.inn_field_is_valid(inn.encode())
    wrong = inn[:9] + str((int(inn[9]) + 1) % 10)
    assert not r.inn_field_is_valid(wrong.encode() + b"  ")


# FF4Dh: children of 1059.


def test_inn_checked_at_ff4d():
    item_check(V105, encode_tlv(1226, b"7712345671  "))
    rejected(item_check, V105, encode_tlv(1226, b"7712345671"))
    rejected(item_check, V105, encode_tlv(1226, b"7712345672  "))


def test_format_check_off_skips_inn():
    item_check(V105, encode_tlv(1226, b"7712345671"), format_check=False)
    rejected(item_check, V105, encode_tlv(1226, b"7712345671" * 2), format_check=False)  # over 12 bytes


@pytest.mark.parametrize(("tag", "value", "v105", "v12"), [
    (1162, H("444D042F4EF3B2D541623378593951313132303030"), True, False),
    (1197, encode_string("кг"), True, False),
    (1163, encode_tlv(1302, b"4601234567893"), False, True),
    (2108, b"\x0b", False, True),
    (1291, FRACTION_5_20[4:], False, True),
    (1191, encode_string("mdlp"), True, True),
])
def test_item_tags_per_version(tag, value, v105, v12):
    tlv = encode_tlv(tag, value)
    for version, allowed in ((V105, v105), (V12, v12)):
        if allowed:
            item_check(version, tlv)
        else:
            assert "only under ФФД" in str(rejected(item_check, version, tlv))


def test_register_children_cannot_repeat():
    quantity = encode_tlv(1023, encode_fvln(Decimal("1.000000"), 8))
    assert "repeats" in str(rejected(item_check, V12, quantity))
    rejected(item_check, V12, encode_tlv(1030, encode_string("Сахар")))


def test_measure_set_once():
    item_check(V12, encode_tlv(2108, b"\x0b"))
    rejected(item_check, V12, encode_tlv(2108, b"\x0b") + encode_tlv(2108, b"\x0c"))
    rejected(item_check, V12, encode_tlv(2108, b"\x0c"), present=REGISTER_CHILDREN | {2108})


def test_repeat_inside_block_rejected():
    rejected(item_check, V105, encode_tlv(1191, b"a") + encode_tlv(1191, b"b"))


def test_industry_requisite_repeats():
    requisite = encode_tlv(1260, encode_tlv(1262, b"030"))
    item_check(V12, requisite + requisite)


def test_unknown_item_tag_passes():
    item_check(V12, encode_tlv(9999, b"\x01"))


@pytest.mark.parametrize(("code", "valid"), [(0, True), (11, True), (83, True), (255, True), (13, False),
                                             (100, False)])
def test_measure_code_list(code, valid):
    tlv = encode_tlv(2108, bytes((code,)))
    if valid:
        item_check(V12, tlv)
    else:
        rejected(item_check, V12, tlv)


def test_product_code_needs_one_child():
    one = encode_tlv(1302, b"4601234567893")
    item_check(V12, encode_tlv(1163, one))
    rejected(item_check, V12, encode_tlv(1163, one + encode_tlv(1301, b"46012345")))
    rejected(item_check, V12, encode_tlv(1163, encode_tlv(1030, b"x")))
    rejected(item_check, V12, encode_tlv(1163, b""))


def test_product_code_fixed_length():
    rejected(item_check, V12, encode_tlv(1163, encode_tlv(1302, b"460123456789")))  # 12 of 13 digits


@pytest.mark.parametrize(("numerator", "denominator", "valid"), [(5, 20, True), (1, 3, True), (3, 3, False),
                                                                  (20, 5, False), (0, 5, False)])
def test_fraction_is_proper(numerator, denominator, valid):
    children = encode_tlv(1293, bytes((numerator,))) + encode_tlv(1294, bytes((denominator,)))
    tlv = encode_tlv(1291, children)
    if valid:
        item_check(V12, tlv)
    else:
        rejected(item_check, V12, tlv)


def test_fraction_needs_both_parts():
    rejected(item_check, V12, encode_tlv(1291, encode_tlv(1293, b"\x05")))


def test_fraction_vector_accepted():
    item_check(V12, FRACTION_5_20)


def test_broken_stlv_rejected():
    rejected(item_check, V12, encode_tlv(1291, b"\x0d\x05\x05\x00\x01"))


# FF0Ch: receipt-level tags.


@pytest.mark.parametrize("tag", [1020, 1031, 1054, 1055, 1059, 1209, 1215])
def test_register_receipt_tags_rejected(tag):
    rejected(receipt_check, V105, encode_tlv(tag, b"\x01"))


def test_buyer_data_only_in_1_2():
    buyer = encode_tlv(1256, encode_tlv(1227, encode_string("Иванов")) + encode_tlv(1228, b"500123456750"))
    receipt_check(V12, buyer)
    assert "only under ФФД 1.2" in str(rejected(receipt_check, V105, buyer))


def test_buyer_inn_checked_inside():
    buyer = encode_tlv(1256, encode_tlv(1228, b"500123456751"))
    rejected(receipt_check, V12, buyer)


def test_internet_flag_value():
    receipt_check(V12, encode_tlv(1125, b"\x01"))
    rejected(receipt_check, V12, encode_tlv(1125, b"\x02"))
    rejected(receipt_check, V105, encode_tlv(1125, b"\x01"))


def test_correction_tags_need_correction():
    rejected(receipt_check, V105, CORRECTION_GOOD)
    receipt_check(V105, CORRECTION_GOOD, correction=True)
    receipt_check(V12, CORRECTION_GOOD, correction=True)


def test_1177_only_in_1_05():
    receipt_check(V105, BASIS_WITH_1177, correction=True)
    rejected(receipt_check, V12, BASIS_WITH_1177, correction=True)
    rejected(receipt_check, V12, encode_tlv(1177, encode_string("Описание")), correction=True)


def test_loose_basis_only_in_1_05():
    loose = H("9A 04 04 00 80 D7 49 5E")
    receipt_check(V105, loose, correction=True)
    assert "inside 1174" in str(rejected(receipt_check, V12, loose, correction=True))


def test_future_basis_date_rejected():
    rejected(receipt_check, V105, FUTURE_1178, correction=True)
    rejected(receipt_check, V12, encode_tlv(1174, FUTURE_1178 + encode_tlv(1179, b"1")), correction=True)


@pytest.mark.parametrize(("basis_date", "valid"), [
    (NOW.replace(hour=0), True),  # the ФФД writes 1178 with the time 00:00:00
    (NOW.replace(hour=23, minute=59, second=59), True),  # later the same day: the time is ignored
    (NOW + dt.timedelta(days=1), False),
    (NOW - dt.timedelta(days=400), True),
])
def test_basis_date_compared_by_day(basis_date, valid):
    value = encode_unixtime(basis_date)
    checks = [
        lambda: r.check_basis_date(value, NOW),
        lambda: r.check_pending_tlv([(1178, value)], format_check=True, now=NOW),
        lambda: receipt_check(V105, encode_tlv(1178, value), correction=True),
        lambda: r.check_receipt_at_close(V105, True, [(1174, encode_tlv(1178, value))], registered_tags=set(),
                                         moment=NOW),
    ]
    for check in checks:
        if valid:
            check()
        else:
            rejected(check)


def test_unknown_and_1_05_tags_pass_in_receipt():
    receipt_check(V105, H("5B 04 02 00 D2 04"))  # 1115, not in the dictionary
    receipt_check(V105, encode_tlv(1162, b"DM"))


def test_1162_rejected_under_1_2():
    rejected(receipt_check, V12, encode_tlv(1162, b"DM"))


def test_pending_checks_inn_and_date_only():
    r.check_pending_tlv(split_tlv(encode_tlv(1192, b"X" * 200)), format_check=True, now=NOW)
    rejected(r.check_pending_tlv, split_tlv(encode_tlv(1203, b"7712345671")), format_check=True, now=NOW)
    rejected(r.check_pending_tlv, split_tlv(FUTURE_1178), format_check=True, now=NOW)
    r.check_pending_tlv(split_tlv(encode_tlv(1203, b"7712345671")), format_check=False, now=NOW)


@pytest.mark.parametrize(("block", "text"), [
    (b"", "empty"),
    (H("08 10 05 00 01"), "ends inside"),
    (encode_tlv(1012, b"\x00" * 4), "ФН itself"),
])
def test_parse_block_rejections(block, text):
    assert text in str(rejected(r.parse_block, block))


# Rules checked when the receipt closes.


def test_supplier_data_needs_agent_flag():
    supplier = [(1226, b"7712345671  ")]
    rejected(r.check_item_at_close, supplier)
    r.check_item_at_close(supplier + [(1222, b"\x40")])
    rejected(r.check_item_at_close, [(1224, encode_tlv(1225, b"x"))])


def test_fraction_needs_quantity_one():
    one = encode_fvln(Decimal("1.000000"), 8)
    r.check_item_at_close([(1023, one), (1291, FRACTION_5_20[4:])])
    rejected(r.check_item_at_close, [(1023, H("03 FA")), (1291, FRACTION_5_20[4:])])  # 0.250


def close_check(version, tlv, correction=False, registered=frozenset(), moment=NOW):
    r.check_receipt_at_close(version, correction, split_tlv(tlv), registered_tags=set(registered), moment=moment)


def test_registered_address_not_sent_again():
    place = encode_tlv(1187, encode_string("Зал 2"))
    close_check(V105, place)
    assert "registration" in str(rejected(close_check, V105, place, registered={1009, 1187}))


def test_correction_1_2_needs_type_and_basis():
    close_check(V12, CORRECTION_GOOD, correction=True)
    rejected(close_check, V12, CORRECTION_GOOD[:5], correction=True)  # 1173 only
    rejected(close_check, V12, CORRECTION_GOOD[5:], correction=True)  # 1174 only
    close_check(V105, CORRECTION_GOOD[5:], correction=True)


def test_correction_by_order_needs_number():
    by_order = H("95 04 01 00 01") + encode_tlv(1174, H("9A 04 04 00 80 D7 49 5E"))
    rejected(close_check, V12, by_order, correction=True)
    own = H("95 04 01 00 00") + encode_tlv(1174, H("9A 04 04 00 80 D7 49 5E"))
    close_check(V12, own, correction=True)


def test_correction_basis_needs_date_in_1_2():
    rejected(close_check, V12, H("95 04 01 00 00") + encode_tlv(1174, encode_tlv(1179, b"1")), correction=True)


def test_basis_date_not_after_document():
    early = dt.datetime(2020, 2, 16, 23, 59)
    rejected(close_check, V12, CORRECTION_GOOD, correction=True, moment=early)


def test_wrap_basis_in_order():
    items = [(1021, b"x"), (1179, b"12"), (1177, b"a"), (1008, b"y"), (1178, H("80 D7 49 5E"))]
    wrapped = r.wrap_correction_basis(items)
    assert wrapped == [(1021, b"x"), (1174, join_tlv([(1177, b"a"), (1178, H("80 D7 49 5E")), (1179, b"12")])),
                       (1008, b"y")]


def test_wrap_without_loose_children():
    items = [(1021, b"x"), (1174, b"\x9b\x04\x01\x00\x31")]
    assert r.wrap_correction_basis(items) == items


def test_wrap_rejects_loose_and_stlv():
    rejected(r.wrap_correction_basis, [(1174, b"\x9b\x04\x01\x00\x31"), (1178, H("80 D7 49 5E"))])
