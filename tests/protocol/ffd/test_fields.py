"""Typed fields: decoding by dictionary type, bad values kept raw, strict encoding."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.fields import (MAX_DEPTH, Field, decode_fields, encode_field, encode_fields,
                                        encode_value, field_pairs)
from kktemu.protocol.ffd.schema import TlvType
from kktemu.protocol.ffd.tag_table import TAGS
from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv


def _only(data):
    fields = decode_fields(data)
    assert len(fields) == 1
    return fields[0]


# Quantity 1023 is FVLN: a real receipt in kosov/fns-check issue 3 and the register log in
# shtrih-m/fr_drv_ng_examples issue 39 read `06 40 42 0F` as 1,000000, not 256000006.
@pytest.mark.parametrize("frame, quantity", [
    ("FF 03 04 00 06 40 42 0F", "1.000000"),
    ("FF 03 03 00 03 B8 BA", "47.800"),
    ("FF 03 02 00 03 FA", "0.250"),
])
def test_quantity_fvln_keeps_scale(frame, quantity):
    field = _only(bytes.fromhex(frame))
    assert field.tag == 1023
    assert field.error is None
    assert field.value == Decimal(quantity)
    assert str(field.value) == quantity
    assert encode_field(1023, Decimal(quantity)) == bytes.fromhex(frame)


# A ФН writes a zero VLN with length 0 (shtrih-m/fr_drv_ng issue 134) or as the one byte 00
# (FF3B captures in issues 109 and 141).
def test_zero_vln_both_forms():
    fields = decode_fields(bytes.fromhex("07 04 00 00  BF 04 01 00 00  FE 03 01 00 2A"))
    assert [(field.tag, field.value, field.error) for field in fields] == [
        (1031, 0, None), (1215, 0, None), (1022, 42, None)]
    assert fields[0].raw == b""


def test_zero_vln_inside_stlv():
    item = _only(bytes.fromhex("23 04 08 00 37 04 00 00 13 04 00 00"))
    assert item.tag == 1059
    assert [(child.tag, child.value, child.raw) for child in item.value] == [(1079, 0, b""), (1043, 0, b"")]


def test_zero_vln_encodes_as_one_byte():
    assert encode_field(1031, 0) == bytes.fromhex("07 04 01 00 00")


# Tag 1162 (product code, FFD 1.05) is a byte array; text decoding broke drivers in
# shtrih-m/fr_drv_ng issues 141 and 97.
PRODUCT_CODE = bytes.fromhex("8A 04 15 00 44 4D 04 2F 4E F3 B2 D5 41 62 33 78 59 39 51 31 31 32 30 30 30")


def test_product_code_1162_stays_bytes():
    field = _only(PRODUCT_CODE)
    assert field.tag == 1162
    assert field.info.type is TlvType.BYTES
    assert field.value == PRODUCT_CODE[4:]
    assert len(field.value) == 21
    assert field.encode() == PRODUCT_CODE


# Readers stopped at «Unknown tag 1115» after the 2025 VAT change (shtrih-m/fr_drv_ng issue 301).
def test_unknown_tag_decoded_in_place():
    data = bytes.fromhex("FE 03 01 00 2A  5B 04 02 00 D2 04  37 04 01 00 05")
    fields = decode_fields(data)
    assert [field.tag for field in fields] == [1022, 1115, 1079]
    unknown = fields[1]
    assert unknown.info is None
    assert unknown.value == bytes.fromhex("D2 04")
    assert unknown.error is None
    assert fields[2].value == 5


@pytest.mark.parametrize("frame, tag, message", [
    ("FE 03 02 00 2A 00", 1022, "byte value needs 1 byte, got 2"),
    ("10 04 03 00 01 00 00", 1040, "UInt32 value needs 4 bytes, got 3"),
    ("F4 03 05 00 98 55 B9 58 00", 1012, "UnixTime value needs 4 bytes, got 5"),
    ("BD 04 01 00 05", 1213, "UInt16 value needs 2 bytes, got 1"),
    ("FF 03 00 00", 1023, "FVLN value is empty: it needs the decimal point byte"),
])
def test_bad_value_kept_raw_with_error(frame, tag, message):
    data = bytes.fromhex(frame)
    fields = decode_fields(data + bytes.fromhex("FE 03 01 00 00"))
    assert fields[0].tag == tag
    assert fields[0].error == message
    assert fields[0].value == data[4:]
    assert fields[1].value == 0


def test_broken_stlv_content_is_a_bad_value():
    data = bytes.fromhex("23 04 05 00 37 04 09 00 01")  # child claims 9 bytes, has 1
    field = _only(data)
    assert field.tag == 1059
    assert field.error.startswith("STLV content is not a TLV sequence")
    assert field.value == data[4:]
    assert field.encode() == data


def test_unknown_tag_content_is_not_parsed():
    field = _only(bytes.fromhex("5B 04 03 00 01 02 03"))
    assert field.value == bytes.fromhex("01 02 03")


@pytest.mark.parametrize("size", [1, 2, 3, 4, 6, 7, 8, 9, 10, 11])
def test_truncated_sequence_raises(size):
    data = bytes.fromhex("FE 03 01 00 2A  37 04 03 00 E9 2D 06")
    with pytest.raises(DecodeError):
        decode_fields(data[:size])


def test_truncated_sequence_reports_offset():
    with pytest.raises(DecodeError) as error:
        decode_fields(bytes.fromhex("FE 03 01 00 2A  37 04 03 00 E9"))
    assert error.value.offset == 5


def test_nesting_deeper_than_limit_kept_raw():
    data = encode_tlv(1079, b"\x01")
    for _ in range(MAX_DEPTH + 1):
        data = encode_tlv(1059, data)
    field = _only(data)
    for _ in range(MAX_DEPTH):
        assert field.error is None
        (field,) = field.value
    assert field.tag == 1059
    assert field.error == f"STLV nesting deeper than {MAX_DEPTH} levels"
    assert encode_fields(decode_fields(data)) == data


def test_fixed_length_string_padded():
    assert encode_field(1018, "7702203276") == encode_tlv(1018, b"7702203276  ")
    assert _only(encode_field(1018, "7702203276")).value == "7702203276  "


@pytest.mark.parametrize("tag, value", [
    (1020, "12"),                       # money must be int kopecks
    (1020, 2**48),                      # VLN over its 6 bytes
    (1020, -1),
    (1023, 1.5),                        # quantity must be Decimal, never float
    (1030, "x" * 129),                  # item name over 128
    (1018, "7702203276123"),            # INN over the fixed 12
    (1077, bytes(5)),                   # fiscal sign is exactly 6 bytes
    (1078, bytes(17)),
    (1040, 2**32),
    (1022, 256),
    (1012, "2020-01-01"),
    (1012, dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)),
    (1059, "not a list"),
    (1059, b"\x00\x00"),
    (1068, [(1022, 0), (1022, 1)]),     # 10 bytes, the STLV maximum is 9
    (1115, 5),                          # unknown tag: only bytes can be written
    (1030, "€"),                        # no CP866 code
])
def test_encode_rejects(tag, value):
    with pytest.raises(EncodeError):
        encode_field(tag, value)


def test_encode_error_names_tag():
    with pytest.raises(EncodeError, match=r"tag 1030 \(item name\)"):
        encode_field(1030, "x" * 129)


def test_encode_unknown_tag_as_bytes():
    assert encode_field(1115, bytes.fromhex("D2 04")) == bytes.fromhex("5B 04 02 00 D2 04")


def test_encode_fields_mixes_fields_and_pairs():
    kept = _only(bytes.fromhex("FF 03 08 00 02 D7 37 02 00 00 00 00"))  # padded FVLN from yandex/ofd tests/ofd_test.py
    data = encode_fields([kept, (1022, 0)])
    assert data == bytes.fromhex("FF 03 08 00 02 D7 37 02 00 00 00 00  FE 03 01 00 00")


def test_field_pairs_rebuild_typed_tree():
    item = [(1214, 4), (1212, 1), (1030, "Сахар"), (1079, 2800), (1023, Decimal("1.000")), (1199, 1),
            (1043, 2800), (1223, [(1073, "+79990000000")])]
    data = encode_fields([(1059, item), (1020, 2800)])
    fields = decode_fields(data)
    assert field_pairs(fields) == [(1059, item), (1020, 2800)]
    assert encode_fields(field_pairs(fields)) == data


# Round trips for every value type, over the tags of the dictionary.

def _tags_of(kind, fixed=None):
    return sorted(tag for tag, info in TAGS.items()
                  if info.type is kind and (fixed is None or info.fixed_len == fixed))


def _string_value(tag):
    info = TAGS[tag]
    limit = info.max_len or 100
    text = st.text(alphabet=st.characters(codec="cp866"), max_size=limit)
    return text.map(lambda value: value.ljust(limit) if info.fixed_len else value)


def _bytes_value(tag):
    info = TAGS[tag]
    if info.fixed_len:
        return st.binary(min_size=info.max_len, max_size=info.max_len)
    return st.binary(max_size=info.max_len)


def _vln_value(tag):
    return st.integers(0, 256 ** TAGS[tag].max_len - 1)


_fvln_value = st.builds(lambda mantissa, scale: Decimal(mantissa).scaleb(-scale),
                        st.integers(0, 256**7 - 1), st.integers(0, 20))
_moment = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2106, 2, 7)).map(
    lambda moment: moment.replace(microsecond=0))

typed_field = st.one_of(
    st.tuples(st.sampled_from(_tags_of(TlvType.BYTE)), st.integers(0, 0xFF)),
    st.tuples(st.sampled_from(_tags_of(TlvType.UINT16)), st.integers(0, 0xFFFF)),
    st.tuples(st.sampled_from(_tags_of(TlvType.UINT32)), st.integers(0, 0xFFFFFFFF)),
    st.sampled_from(_tags_of(TlvType.VLN)).flatmap(lambda tag: st.tuples(st.just(tag), _vln_value(tag))),
    st.tuples(st.sampled_from(_tags_of(TlvType.FVLN)), _fvln_value),
    st.tuples(st.sampled_from(_tags_of(TlvType.UNIXTIME)), _moment),
    st.sampled_from(_tags_of(TlvType.STRING)).flatmap(lambda tag: st.tuples(st.just(tag), _string_value(tag))),
    st.sampled_from(_tags_of(TlvType.BYTES)).flatmap(lambda tag: st.tuples(st.just(tag), _bytes_value(tag))),
)


@given(typed_field)
def test_typed_value_round_trip(pair):
    tag, value = pair
    field = _only(encode_field(tag, value))
    assert field.error is None
    assert field.tag == tag
    assert field.value == value
    if isinstance(value, Decimal):
        assert field.value.as_tuple().exponent == value.as_tuple().exponent
    assert encode_value(tag, field.value) == field.raw


# Nested trees: small leaves under STLVs whose limits (≥ 512 bytes) the trees stay below.
_small_leaf = st.one_of(
    st.tuples(st.sampled_from([1054, 1199, 1212, 1214]), st.integers(0, 0xFF)),
    st.tuples(st.sampled_from([1020, 1043, 1079, 1136]), st.integers(0, 10**9)),
    st.tuples(st.sampled_from([1030, 1085, 1086, 1225]), st.text(alphabet=st.characters(codec="cp866"),
                                                                  max_size=12)),
    st.tuples(st.just(1023), st.builds(lambda m, s: Decimal(m).scaleb(-s), st.integers(0, 10**6),
                                        st.integers(0, 6))),
    st.tuples(st.just(1115), st.binary(max_size=6)),
)
_tree = st.recursive(
    st.lists(_small_leaf, max_size=4),
    lambda children: st.lists(st.one_of(_small_leaf, st.tuples(st.sampled_from([1059, 1157, 1194, 1256]),
                                                               children)), max_size=4),
    max_leaves=12,
)


@given(_tree)
def test_stlv_tree_round_trip(tree):
    data = encode_fields(tree)
    fields = decode_fields(data)
    assert field_pairs(fields) == tree
    assert encode_fields(fields) == data
    assert encode_fields(field_pairs(fields)) == data


@given(st.recursive(st.lists(st.tuples(st.sampled_from([1022, 1030, 1059, 1115, 1023, 1012]),
                                       st.binary(max_size=10)), max_size=4),
                    lambda children: st.lists(st.tuples(st.sampled_from([1059, 1084, 1115]),
                                                        children.map(join_tlv)), max_size=4),
                    max_leaves=16))
def test_any_tree_re_encodes_byte_for_byte(items):
    data = join_tlv(items)
    assert encode_fields(decode_fields(data)) == data


@given(st.binary(max_size=200))
def test_garbage_decodes_or_raises_decode_error(data):
    try:
        fields = decode_fields(data)
    except DecodeError:
        return
    assert encode_fields(fields) == data


def test_field_is_exact_tuple():
    field = _only(bytes.fromhex("FE 03 01 00 2A"))
    assert field == Field(1022, b"\x2A", 42, TAGS[1022], None)
    assert field.name("ru") == "код ответа ОФД"
    assert field.name("en") == "OFD response code"


@pytest.mark.parametrize("tag", _tags_of(TlvType.STLV))
def test_empty_stlv_round_trip(tag):
    field = _only(encode_field(tag, []))
    assert field.value == []
