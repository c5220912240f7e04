"""The drain forecast's math (capacity.forecast), pure."""

from datetime import datetime, timedelta

import pytest

from capacity.forecast import (
    Rates,
    depth_at,
    error_minutes,
    first_empty,
    forecast,
    from_rates,
    quantile,
    sentence,
    summarise,
)

NOW = datetime(2026, 11, 30, 13, 0)


def test_empty_at_depth_over_net_rate():
    # 6 satellites × 2 jobs/min = 12/min finish, 2/min arrive: 10/min net; 200 jobs → 20 min.
    fc = forecast(NOW, 200, 2.0, 6, 2.0)
    assert fc.net_rate == pytest.approx(10.0)
    assert fc.empty_at == NOW + timedelta(minutes=20) and fc.minutes == pytest.approx(20.0)


def test_what_if_more_satellites_is_earlier():
    base = forecast(NOW, 200, 2.0, 6, 2.0)
    more = forecast(NOW, 200, 2.0, 9, 2.0)
    assert more.empty_at == NOW + timedelta(minutes=200 / 16)
    assert sentence(base, more) == (
        "at the current rate the queue is empty at 13:20 UTC; with 3 more satellites at 13:12 UTC"
    )


def test_a_queue_that_is_not_shrinking_has_no_empty_time():
    fc = forecast(NOW, 50, 1.0, 3, 4.0)
    assert fc.empty_at is None and "not shrinking" in fc.reason
    assert sentence(fc, forecast(NOW, 50, 1.0, 2, 4.0)).endswith("with 1 fewer satellite it does not empty")
    assert forecast(NOW, 50, None, 3).empty_at is None
    assert forecast(NOW, 50, 1.0, 0).reason == "no satellite is running"
    # A trickle of 0.0001 jobs/min is not a forecast either.
    assert forecast(NOW, 50, 1.0001, 1, 1.0).empty_at is None
    assert forecast(NOW, 50, 1.0 + 1e-15, 1, 1.0).empty_at is None  # no overflow on a vanishing rate


def test_an_empty_queue_is_empty_now_and_the_next_day_is_dated():
    assert forecast(NOW, 0, None, 0).empty_at == NOW and sentence(forecast(NOW, 0, None, 0)) == "the queue is empty"
    late = forecast(NOW, 12 * 60, 1.0, 1)
    assert "2026-12-01 01:00 UTC" in sentence(late)


def test_rates_per_satellite_and_arrivals():
    rates = Rates(finished=90, arrived=30, satellites=6, window_min=15)
    assert rates.per_satellite == pytest.approx(1.0) and rates.arrivals == pytest.approx(2.0)
    assert Rates(5, 0, 0, 15).per_satellite is None
    assert from_rates(NOW, 40, rates).empty_at == NOW + timedelta(minutes=10)
    assert from_rates(NOW, 40, rates, satellites=2).empty_at is None  # 2/min finish, 2/min arrive


def test_first_empty_and_depth_at():
    series = [(NOW + timedelta(minutes=m), d) for m, d in ((0, 30), (1, 20), (2, 0), (3, 5), (4, 0))]
    assert first_empty(series, NOW) == NOW + timedelta(minutes=2)
    assert first_empty(series, NOW + timedelta(minutes=3)) == NOW + timedelta(minutes=4)
    assert first_empty(series[:2], NOW) is None
    assert depth_at(series, NOW + timedelta(minutes=1, seconds=30)) == 20
    assert depth_at(series, NOW - timedelta(minutes=1)) is None


def test_error_summary():
    assert error_minutes(NOW, NOW + timedelta(minutes=7)) == 7.0 == error_minutes(NOW + timedelta(minutes=7), NOW)
    s = summarise([1, 2, 3, 4, 100, float("nan"), None])
    assert (s.n, s.median) == (5, 3.0) and s.p90 == pytest.approx(61.6)
    assert summarise([]).median is None and quantile([5.0], 0.9) == 5.0
