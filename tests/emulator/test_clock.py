import datetime as dt

import pytest

from kktemu.emulator.clock import Clock, OffsetClock, within_two_digit_years

START = dt.datetime(2024, 3, 1, 9, 0, 0)


def test_frozen_clock_stands_still():
    clock = Clock(START, frozen=True)
    assert clock.now() == START
    assert clock.now() == START
    assert clock.frozen


def test_frozen_clock_advance_and_set():
    clock = Clock(START, frozen=True)
    clock.advance(dt.timedelta(hours=23, minutes=59, seconds=59))
    assert clock.now() == dt.datetime(2024, 3, 2, 8, 59, 59)
    clock.set(START)
    assert clock.now() == START


def test_running_clock_follows_offset():
    clock = Clock(START)
    first = clock.now()
    assert abs(first - START) < dt.timedelta(seconds=5)
    clock.advance(dt.timedelta(days=30))
    assert clock.now() - first >= dt.timedelta(days=30)


def test_unfreeze_runs_from_frozen_time():
    clock = Clock(START, frozen=True)
    clock.unfreeze()
    assert not clock.frozen
    assert START <= clock.now() < START + dt.timedelta(seconds=5)
    clock.freeze()
    assert clock.now() == clock.now()


def test_aware_times_rejected():
    with pytest.raises(ValueError, match="naive"):
        Clock(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))


def test_offset_clock_wraps_past_2099():
    base = Clock(dt.datetime(2099, 12, 31, 23, 59, 59), frozen=True)
    clock = OffsetClock(base)
    assert clock.now() == dt.datetime(2099, 12, 31, 23, 59, 59)
    base.advance(dt.timedelta(seconds=1))
    assert clock.now() == dt.datetime(2000, 1, 1, 0, 0, 0)


@pytest.mark.parametrize(("moment", "shown"), [
    (dt.datetime(2104, 2, 29, 12, 0), dt.datetime(2004, 2, 29, 12, 0)),
    (dt.datetime(2255, 6, 1), dt.datetime(2055, 6, 1)),
    (dt.datetime(1999, 12, 31, 23, 0), dt.datetime(2099, 12, 31, 23, 0)),
    (dt.datetime(2000, 1, 1), dt.datetime(2000, 1, 1)),
])
def test_two_digit_years(moment, shown):
    assert within_two_digit_years(moment) == shown


def test_offset_pushed_past_2099_wraps():
    base = Clock(START, frozen=True)
    clock = OffsetClock(base)
    clock.set(dt.datetime(2099, 12, 31, 23, 0))
    base.advance(dt.timedelta(days=400))
    assert 2000 <= clock.now().year <= 2099
