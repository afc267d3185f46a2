"""DATE_TIME, DATE and fixed ASCII fields of the ФН interface."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.protocol.errors import DecodeError, EncodeError
from kktemu.protocol.fn.fields import (
    FieldReader,
    decode_ascii,
    decode_date,
    decode_date_or_none,
    decode_date_time,
    decode_date_time_or_none,
    encode_ascii,
    encode_date,
    encode_date_time,
    encode_date_time_or_none,
)

minutes = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2255, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


def test_date_time_vector():
    # shtrih-m/javapos_shtrih FSFindDocumentTests.java: `11 03 18 14 35` is 2017-03-24 20:53.
    assert decode_date_time(bytes.fromhex("11 03 18 14 35")) == dt.datetime(2017, 3, 24, 20, 53)
    assert encode_date_time(dt.datetime(2017, 3, 24, 20, 53)) == bytes.fromhex("11 03 18 14 35")


def test_date_vector():
    # shtrih-m/javapos_shtrih FSReadExpDateTests.java: `13 09 02` is 2019-09-02.
    assert decode_date(bytes.fromhex("13 09 02")) == dt.date(2019, 9, 2)
    assert encode_date(dt.date(2019, 9, 2)) == bytes.fromhex("13 09 02")


def test_date_time_drops_seconds():
    assert encode_date_time(dt.datetime(2024, 5, 1, 10, 20, 59, 999)) == bytes((24, 5, 1, 10, 20))


def test_date_time_rejects_aware_and_out_of_range():
    with pytest.raises(EncodeError, match="naive"):
        encode_date_time(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(EncodeError, match="1999"):
        encode_date_time(dt.datetime(1999, 12, 31))


@pytest.mark.parametrize(
    "raw",
    [bytes((24, 13, 1, 0, 0)), bytes((24, 2, 30, 0, 0)), bytes((24, 1, 1, 24, 0)), bytes((24, 1, 1, 0, 60))],
    ids=["month-13", "feb-30", "hour-24", "minute-60"],
)
def test_date_time_rejects_impossible_values(raw):
    with pytest.raises(DecodeError):
        decode_date_time(raw)


def test_date_time_rejects_wrong_size():
    with pytest.raises(DecodeError, match="5 bytes"):
        decode_date_time(bytes(4))


def test_zero_date_time_is_none():
    assert decode_date_time_or_none(bytes(5)) is None
    assert encode_date_time_or_none(None) == bytes(5)
    assert decode_date_or_none(bytes(3)) is None


@given(minutes)
def test_date_time_round_trip(moment):
    assert decode_date_time(encode_date_time(moment)) == moment


@given(minutes.map(lambda moment: moment.date()))
def test_date_round_trip(day):
    assert decode_date(encode_date(day)) == day


def test_ascii_pads_and_strips():
    assert encode_ascii("7702203276", 12) == b"7702203276  "
    assert decode_ascii(b"0000000005008570    ") == "0000000005008570"


def test_ascii_rejects_long_and_non_ascii():
    with pytest.raises(EncodeError, match="holds 12"):
        encode_ascii("1234567890123", 12)
    with pytest.raises(EncodeError, match="not ASCII"):
        encode_ascii("ИНН", 12)
    with pytest.raises(DecodeError, match="not ASCII"):
        decode_ascii(b"\xa0")


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20))
def test_ascii_round_trip(text):
    assert decode_ascii(encode_ascii(text, 20)) == text


def test_reader_reports_offset_of_short_field():
    reader = FieldReader(b"\x01\x02\x03", "test body")
    reader.uint(2, "first")
    with pytest.raises(DecodeError) as info:
        reader.uint(4, "second")
    assert info.value.offset == 2
    assert "second needs 4 bytes" in str(info.value)


def test_reader_finish_rejects_leftovers():
    reader = FieldReader(b"\x01\x02", "test body")
    reader.uint(1, "first")
    with pytest.raises(DecodeError, match="1 unexpected bytes"):
        reader.finish()
