"""Quota periods: a provider's month runs from its reset day to the same day next month.

Reset days past the end of a short month fall on that month's last day (31 → 30 April, 28/29
February), so every month has exactly one reset. Boundaries are midnight UTC.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, UTC


def _reset_in(year: int, month: int, reset_day: int) -> datetime:
    day = min(reset_day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day, tzinfo=UTC)


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def period_bounds(now: datetime, reset_day: int) -> tuple[datetime, datetime]:
    """(start, reset) of the period containing `now` (aware UTC); start <= now < reset."""
    now = now.astimezone(UTC)
    start = _reset_in(now.year, now.month, reset_day)
    if now < start:
        start = _reset_in(*_shift(now.year, now.month, -1), reset_day)
    return start, _reset_in(*_shift(start.year, start.month, 1), reset_day)


def previous_period_start(start: datetime, reset_day: int) -> datetime:
    """Start of the period before the one starting at `start`."""
    return _reset_in(*_shift(start.year, start.month, -1), reset_day)


def days_left(now: datetime, reset: datetime) -> float:
    """Days (fractional) from `now` to the reset, never below one hour."""
    return max((reset - now).total_seconds() / 86400.0, 1 / 24)


def day_range(first: date, last: date):
    """Every date from `first` to `last` inclusive."""
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z` suffix (the API's time format), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
