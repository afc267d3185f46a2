"""TLV framing: read_tlv fed whole, byte by byte and with trailing bytes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd.tlv import encode_tlv, iter_tlv, join_tlv, read_tlv, split_tlv

# yandex/ofd tests/ofd_test.py: tag 1022 (код ответа ОФД) with the byte 42.
OFD_RESPONSE_CODE = bytes.fromhex("FE 03 01 00 2A")
# yandex/ofd tests/ofd_test.py test_pack_array_of_ints_from_json: document 11 with
# two 1205 values 12 and 9, each UInt32 (a framing case: real 1205 appears once).
REPEATED_TAGS = bytes.fromhex("0B 00 10 00 B5 04 04 00 0C 00 00 00 B5 04 04 00 09 00 00 00")
# yandex/ofd tests/ofd_test.py test_pack_nested_object_from_json: document 7 with
# 1068 { 1047 { 1015 = 42 } }.
NESTED = bytes.fromhex("07 00 10 00 2C 04 0C 00 17 04 08 00 F7 03 04 00 2A 00 00 00")

FRAMES = [
    pytest.param(OFD_RESPONSE_CODE, 1022, bytes([42]), id="byte"),
    pytest.param(REPEATED_TAGS, 11, REPEATED_TAGS[4:], id="repeated-tags"),
    pytest.param(NESTED, 7, NESTED[4:], id="nested"),
    pytest.param(bytes.fromhex("07 04 00 00"), 1031, b"", id="empty-value"),
]


@pytest.mark.parametrize("frame, tag, value", FRAMES)
def test_read_tlv_whole(frame, tag, value):
    assert read_tlv(frame) == (tag, value, len(frame))


@pytest.mark.parametrize("frame, tag, value", FRAMES)
def test_read_tlv_byte_by_byte(frame, tag, value):
    for size in range(len(frame)):
        assert read_tlv(frame[:size]) is None
    assert read_tlv(frame) == (tag, value, len(frame))


@pytest.mark.parametrize("frame, tag, value", FRAMES)
def test_read_tlv_leaves_trailing_bytes(frame, tag, value):
    trailer = bytes.fromhex("81 06 A5 5A")
    data = b"\xAA" + frame + trailer
    assert read_tlv(data, 1) == (tag, value, 1 + len(frame))
    assert data[1 + len(frame):] == trailer


@pytest.mark.parametrize("frame, tag, value", FRAMES)
def test_encode_tlv_vectors(frame, tag, value):
    assert encode_tlv(tag, value) == frame


def test_repeated_tags_split():
    assert split_tlv(REPEATED_TAGS[4:]) == [(1205, bytes.fromhex("0C 00 00 00")), (1205, bytes.fromhex("09 00 00 00"))]


def test_nested_stlv_split():
    (tag, value), = split_tlv(NESTED[4:])
    assert tag == 1068
    (inner_tag, inner_value), = split_tlv(value)
    assert inner_tag == 1047
    assert split_tlv(inner_value) == [(1015, bytes.fromhex("2A 00 00 00"))]


def test_iter_tlv_truncated_sequence():
    with pytest.raises(DecodeError) as error:
        split_tlv(OFD_RESPONSE_CODE + OFD_RESPONSE_CODE[:3])
    assert error.value.offset == len(OFD_RESPONSE_CODE)


def test_iter_tlv_value_runs_past_end():
    with pytest.raises(DecodeError):
        list(iter_tlv(NESTED[:-1]))


def test_encode_tlv_rejects_tag_and_size():
    with pytest.raises(EncodeError):
        encode_tlv(0x10000, b"")
    with pytest.raises(EncodeError):
        encode_tlv(1030, bytes(0x10000))


tlv_items = st.lists(st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=40)), max_size=8)


@given(tlv_items)
def test_join_split_round_trip(items):
    assert split_tlv(join_tlv(items)) == items


@given(st.integers(0, 0xFFFF), st.binary(max_size=300), st.binary(max_size=8))
def test_read_tlv_round_trip_with_trailer(tag, value, trailer):
    frame = encode_tlv(tag, value)
    assert read_tlv(frame + trailer) == (tag, value, len(frame))
