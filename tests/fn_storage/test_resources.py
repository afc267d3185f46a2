"""Building blocks of the ФН rules: the 35h error ring codec, month arithmetic, validity, archive places."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kktemu.fn_storage.last_errors import CAPACITY, ENTRY_SIZE, ErrorEntry, LastErrors, decode_last_errors
from kktemu.fn_storage.profile import FnProfile
from kktemu.fn_storage.resources import (
    Validity,
    add_months,
    archive_nearly_full,
    archive_over_99_percent,
    ofd_timed_out,
    places_kept,
)
from kktemu.protocol.errors import DecodeError
from kktemu.protocol.fn.service import FnWarning

MOMENT = dt.datetime(2024, 3, 1, 9, 30)

minutes = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(second=0, microsecond=0))
entries = st.builds(ErrorEntry, st.integers(0, 0xFF), st.integers(0, 0x7F), st.one_of(st.none(), minutes))


# 35h answer codec.

def test_error_entry_bytes():
    entry = ErrorEntry(0x11, 0x07, MOMENT)
    assert entry.encode() == bytes.fromhex("1107 18 03 01 09 1e")


def test_last_errors_whole_and_trailing_bytes():
    ring = LastErrors()
    ring.record(0x15, 0x16, MOMENT)
    ring.record(0x16, 0x09, MOMENT + dt.timedelta(minutes=1, seconds=30))
    data = ring.encode()
    assert decode_last_errors(data) == [ErrorEntry(0x16, 0x09, dt.datetime(2024, 3, 1, 9, 31)),
                                        ErrorEntry(0x15, 0x16, MOMENT)]
    with pytest.raises(DecodeError):
        decode_last_errors(data + b"\x00")


def test_last_errors_byte_by_byte_prefixes():
    ring = LastErrors()
    ring.record(0x15, 0x16, MOMENT)
    data = ring.encode()
    for size in range(1, len(data)):
        with pytest.raises(DecodeError):
            decode_last_errors(data[:size])
    assert decode_last_errors(b"") == []


def test_last_errors_outside_date_time_years_are_zeros():
    entry = ErrorEntry(0x30, 0x02, dt.datetime(2300, 1, 1))
    assert entry.encode() == bytes((0x30, 0x02)) + bytes(5)
    assert decode_last_errors(entry.encode()) == [ErrorEntry(0x30, 0x02, None)]


@given(st.lists(entries, max_size=CAPACITY))
def test_last_errors_round_trip(items):
    data = b"".join(entry.encode() for entry in items)
    assert len(data) == ENTRY_SIZE * len(items) <= 256
    assert decode_last_errors(data) == items


def test_last_errors_clear():
    ring = LastErrors()
    ring.record(0x11, 0x02, MOMENT)
    ring.clear()
    assert ring.encode() == b""


# Month arithmetic and validity.

@pytest.mark.parametrize(("start", "months", "expected"), [
    (dt.datetime(2024, 1, 31, 12, 0), 1, dt.datetime(2024, 2, 29, 12, 0)),
    (dt.datetime(2023, 1, 31, 12, 0), 1, dt.datetime(2023, 2, 28, 12, 0)),
    (dt.datetime(2024, 3, 31, 0, 0), 13, dt.datetime(2025, 4, 30, 0, 0)),
    (dt.datetime(2024, 12, 15, 8, 0), 15, dt.datetime(2026, 3, 15, 8, 0)),
    (dt.datetime(2024, 2, 29, 23, 59, 59), 36, dt.datetime(2027, 2, 28, 23, 59, 59)),
])
def test_add_months_keeps_time_and_clamps_day(start, months, expected):
    assert add_months(start, months) == expected


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 12, 31)),
       st.sampled_from([13, 15, 36]))
def test_add_months_property(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    assert result.time() == start.time()
    assert result > start


def test_validity_expired_from_expiry_moment():
    validity = Validity.from_start(MOMENT, FnProfile(validity_months=15))
    assert validity.expiry == dt.datetime(2025, 6, 1, 9, 30)
    assert not validity.expired(validity.expiry - dt.timedelta(seconds=1))
    assert validity.expired(validity.expiry)


def test_validity_days_left_counts_calendar_days():
    validity = Validity.from_start(MOMENT, FnProfile(validity_months=13))
    assert validity.days_left(dt.datetime(2025, 3, 31, 23, 59)) == 1
    assert validity.days_left(dt.datetime(2025, 4, 1, 0, 0)) == 0
    assert validity.days_left(dt.datetime(2026, 1, 1)) == 0


def test_validity_warning_thresholds():
    validity = Validity.from_start(MOMENT, FnProfile(validity_months=13))
    second = dt.timedelta(seconds=1)
    thirty, three = dt.timedelta(days=30), dt.timedelta(days=3)
    assert validity.warnings(validity.expiry - thirty - second) == FnWarning(0)
    assert validity.warnings(validity.expiry - thirty) == FnWarning.CRYPTO_RESOURCE_ENDING
    assert validity.warnings(validity.expiry - three - second) == FnWarning.CRYPTO_RESOURCE_ENDING
    assert validity.warnings(validity.expiry - three) == (FnWarning.CRYPTO_RESOURCE_ENDING
                                                          | FnWarning.CRYPTO_REPLACE_URGENT)


# Archive places and the ОФД timeout.

@pytest.mark.parametrize(("capacity", "below", "at"), [(10, 8, 9), (250_000, 224_999, 225_000), (3, 2, 3)])
def test_archive_nearly_full_at_90_percent(capacity, below, at):
    profile = FnProfile(archive_capacity=capacity)
    assert not archive_nearly_full(below, profile)
    assert archive_nearly_full(at, profile)


def test_archive_over_99_percent_is_strict():
    profile = FnProfile(archive_capacity=300)
    assert not archive_over_99_percent(297, profile)
    assert archive_over_99_percent(298, profile)


@pytest.mark.parametrize(("fiscal", "shift", "kept"), [(True, True, 2), (True, False, 1), (False, False, 0)])
def test_places_kept(fiscal, shift, kept):
    assert places_kept(fiscal, shift) == kept


def test_ofd_timed_out_after_the_timeout_only():
    profile = FnProfile(ofd_timeout=dt.timedelta(days=2))
    assert not ofd_timed_out(None, MOMENT, profile)
    assert not ofd_timed_out(MOMENT, MOMENT + dt.timedelta(days=2), profile)
    assert ofd_timed_out(MOMENT, MOMENT + dt.timedelta(days=2, seconds=1), profile)
