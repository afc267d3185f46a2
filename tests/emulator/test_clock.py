import datetime as dt

import pytest

from kktemu.emulator.clock import Clock

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
