"""Forecasts on known usage series: burn rates, exhaustion dates, status, advice, efficiency,
and the period arithmetic they rest on."""

from __future__ import annotations

from datetime import date

import pytest
from test_quota_support import utc

from quotas.forecast import burn_rate, exhaustion_time, forecast
from quotas.periods import period_bounds

NOW = utc(2025, 6, 10, 12)  # 20.5 days before the 1 July reset
RESET = utc(2025, 7, 1)
SERIES = {date(2025, 5, 20): 70, date(2025, 6, 8): 30, date(2025, 6, 9): 40, date(2025, 6, 10): 50}


def fc(used, daily, **kw):
    base = dict(
        used=used,
        limit=1000,
        daily=daily,
        now=NOW,
        reset=RESET,
        key_variable="SERPSTACK_API_KEY",
        query_types=("serp_positions",),
    )
    base.update(kw)
    return forecast(**base)


def test_burn_rates_on_a_known_series():
    assert burn_rate(SERIES, NOW, 3) == pytest.approx(120 / 2.5)
    assert burn_rate(SERIES, NOW, 14) == pytest.approx(120 / 13.5)
    assert burn_rate(SERIES, NOW, 30) == pytest.approx(190 / 29.5)
    # just after midnight today counts as at least an hour, so a fresh day does not explode
    assert burn_rate({date(2025, 6, 10): 5}, utc(2025, 6, 10, 0, 1), 1) == pytest.approx(5 * 24)
    assert burn_rate({}, NOW, 3) == 0


def test_exhaustion_date_from_remaining_and_rate():
    assert exhaustion_time(600, 50, NOW, RESET) == utc(2025, 6, 22, 12)
    assert exhaustion_time(600, 20, NOW, RESET) is None  # lasts past the reset
    assert exhaustion_time(0, 0, NOW, RESET) == NOW
    assert exhaustion_time(10, 0, NOW, RESET) is None


def test_surge_gives_warning_and_the_backup_advice():
    daily = {date(2025, 6, d): 50 for d in (8, 9)} | {date(2025, 6, 10): 25}  # 125 units in 2.5 days
    f = fc(400, daily, backups=[("valueserp", 100)])
    assert f.burn_rate_short == 50.0
    assert f.projected_rate == 50.0  # the short window wins over the long one (125/13.5)
    assert f.predicted_exhaustion == utc(2025, 6, 22, 12)
    assert f.status == "Warning"
    assert f.recommended_action == "switch low-priority SERP checks to valueserp (or reduce usage to 29.3/day)"
    assert f.efficiency == 100.0
    no_backup = fc(400, daily)
    assert no_backup.recommended_action == "reduce usage to 29.3/day to last until 01 Jul"


def test_exhaustion_within_three_days_is_critical():
    f = fc(500, {date(2025, 6, 10): 100}, long_days=1, short_days=1)  # 100 in half a day = 200/day
    assert f.predicted_exhaustion == utc(2025, 6, 13)
    assert f.status == "Critical"


def test_percentage_thresholds():
    assert fc(750, {}).status == "Warning"
    assert fc(900, {}).status == "Critical"
    assert fc(749, {}).status == "OK"


def test_steady_use_is_ok_and_efficient():
    daily = {date(2025, 6, d): 19 for d in range(1, 10)} | {date(2025, 6, 10): 9.5}
    f = fc(600, daily, long_days=10, short_days=10)
    assert f.projected_rate == pytest.approx(180.5 / 9.5)
    assert f.predicted_exhaustion is None
    assert (f.status, f.recommended_action) == ("OK", "no action needed")
    assert f.efficiency == round((600 + 19 * 20.5) / 10, 1)


def test_under_use_is_flagged_with_the_spare_daily_room():
    f = fc(100, {date(2025, 6, 10): 5})
    assert f.status == "OK"
    assert f.recommended_action == "under-used: room for 43.9 calls/day until 01 Jul"
    assert f.efficiency < 50


def test_exhausted_and_disabled_advice():
    f = fc(1000, {}, backups=[("valueserp", 80)])
    assert (f.status, f.predicted_exhaustion) == ("Critical", NOW)
    assert f.recommended_action == "exhausted: SERP checks go to valueserp until the reset on 01 Jul"
    assert fc(1000, {}).recommended_action == "exhausted: hold SERP checks until the reset on 01 Jul"
    assert fc(0, {}, enabled=False).recommended_action == "set SERPSTACK_API_KEY to enable this provider"


@pytest.mark.parametrize(
    "now, reset_day, start, reset",
    [
        (utc(2025, 6, 10, 12), 1, utc(2025, 6, 1), utc(2025, 7, 1)),
        (utc(2025, 6, 14, 23, 59), 15, utc(2025, 5, 15), utc(2025, 6, 15)),
        (utc(2025, 6, 15), 15, utc(2025, 6, 15), utc(2025, 7, 15)),
        (utc(2025, 2, 20), 31, utc(2025, 1, 31), utc(2025, 2, 28)),
        (utc(2025, 3, 1), 31, utc(2025, 2, 28), utc(2025, 3, 31)),
        (utc(2024, 2, 29, 6), 30, utc(2024, 2, 29), utc(2024, 3, 30)),
        (utc(2025, 1, 5), 10, utc(2024, 12, 10), utc(2025, 1, 10)),
    ],
)
def test_period_bounds(now, reset_day, start, reset):
    assert period_bounds(now, reset_day) == (start, reset)
