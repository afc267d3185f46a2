"""ФФД value codecs: vectors T1-T9 and round trips for every value type."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.ffd import values

# The vectors of the first nine tests come from yandex/ofd tests/ofd_test.py.


def test_uint32_vector():
    assert values.decode_uint(bytes.fromhex("01 00 00 00"), 4) == 1
    assert values.encode_uint32(1) == bytes.fromhex("01 00 00 00")


def test_vln_vector():
    assert values.decode_vln(bytes.fromhex("E9 2D 06")) == 404969
    assert values.encode_vln(404969) == bytes.fromhex("E9 2D 06")


def test_vln_six_bytes():
    assert values.decode_vln(bytes.fromhex("31 04 00 01 F0 4F")) == 87892227523633
    assert values.encode_vln(87892227523633, max_len=6) == bytes.fromhex("31 04 00 01 F0 4F")


def test_vln_over_max_len():
    with pytest.raises(EncodeError):
        values.encode_vln(87892227523633222, max_len=6)


def test_fvln_vector():
    assert values.decode_fvln(bytes.fromhex("02 15 CD 5B 07")) == Decimal("1234567.89")
    assert values.encode_fvln(Decimal("1234567.89")) == bytes.fromhex("02 15 CD 5B 07")


def test_fvln_padded_mantissa():
    assert values.decode_fvln(bytes.fromhex("02 D7 37 02 00 00 00 00")) == Decimal("1453.67")
    assert values.encode_fvln(Decimal("1453.67")) == bytes.fromhex("02 D7 37 02")


def test_fvln_over_max_len():
    with pytest.raises(EncodeError):
        values.encode_fvln(Decimal("1234567123.893"), max_len=5)


def test_cp866_string_vector():
    assert values.decode_string(bytes.fromhex("92 A5 E1 E2")) == "Тест"
    assert values.encode_string("Тест") == bytes.fromhex("92 A5 E1 E2")


def test_unixtime_vector():
    moment = dt.datetime(2015, 7, 9, 5, 11, 38)
    assert values.decode_unixtime(bytes.fromhex("8A 02 9E 55")) == moment
    assert values.encode_unixtime(moment) == bytes.fromhex("8A 02 9E 55")


def test_vln_zero_forms():
    # A ФН writes a zero VLN with length 0 (shtrih-m/fr_drv_ng issue 134) or as one byte 00.
    assert values.decode_vln(b"") == 0
    assert values.decode_vln(b"\x00") == 0
    assert values.encode_vln(0) == b"\x00"


def test_fvln_empty_rejected():
    with pytest.raises(DecodeError):
        values.decode_fvln(b"")


def test_string_fixed_length_pads():
    assert values.encode_string("7702203276", fixed_len=12) == b"7702203276  "
    with pytest.raises(EncodeError):
        values.encode_string("x" * 13, fixed_len=12)


def test_string_without_cp866_code():
    with pytest.raises(EncodeError):
        values.encode_string("«x»")


def test_unixtime_rejects_aware_datetime():
    with pytest.raises(EncodeError):
        values.encode_unixtime(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))


@given(st.integers(0, 0xFF))
def test_byte_round_trip(number):
    assert values.decode_uint(values.encode_byte(number), 1) == number


@given(st.integers(0, 0xFFFF))
def test_uint16_round_trip(number):
    assert values.decode_uint(values.encode_uint16(number), 2) == number


@given(st.integers(0, 0xFFFFFFFF))
def test_uint32_round_trip(number):
    assert values.decode_uint(values.encode_uint32(number), 4) == number


@given(st.integers(0, 2**64 - 1))
def test_vln_round_trip_minimal(number):
    encoded = values.encode_vln(number)
    assert values.decode_vln(encoded) == number
    assert len(encoded) == 1 or encoded[-1] != 0


@given(st.integers(0, 10**15), st.integers(0, 12))
def test_fvln_round_trip_keeps_scale(mantissa, scale):
    number = Decimal(mantissa).scaleb(-scale)
    decoded = values.decode_fvln(values.encode_fvln(number))
    assert decoded == number
    assert decoded.as_tuple().exponent == -scale


@given(st.text(alphabet=st.characters(codec="cp866"), max_size=64))
def test_string_round_trip(text):
    assert values.decode_string(values.encode_string(text)) == text


@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2106, 2, 7)))
def test_unixtime_round_trip(moment):
    moment = moment.replace(microsecond=0)
    assert values.decode_unixtime(values.encode_unixtime(moment)) == moment
