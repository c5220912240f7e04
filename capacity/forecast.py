"""The drain forecast, pure: when will the job queue be empty at the measured rates?

The queue shrinks at (jobs finished per satellite per minute × satellites) − jobs arriving per
minute. Both rates are measured over the same recent window; the arrivals matter as much as
the fleet (a fleet kept 85 % busy by new work drains a backlog at 15 % of its throughput), so
a forecast that ignored them would be early by hours. A queue that is not shrinking has no
empty time: the forecast says so instead of inventing one.

Everything here is plain numbers and datetimes, unit-tested (tests/test_drain_forecast_math.py),
and shared by the producer's record, the capacity page and bench/drain_forecast.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Rates:
    """What was measured over the last `window_min` minutes."""

    finished: int  # jobs that finished (completed or failed) in the window
    arrived: int  # jobs that entered the queue in the window
    satellites: int  # satellites alive now
    window_min: float

    @property
    def per_satellite(self) -> float | None:
        """Jobs finished per satellite per minute; None without satellites or a window."""
        if self.satellites <= 0 or self.window_min <= 0:
            return None
        return self.finished / self.window_min / self.satellites

    @property
    def arrivals(self) -> float:
        """Jobs arriving per minute."""
        return self.arrived / self.window_min if self.window_min > 0 else 0.0


@dataclass(frozen=True)
class Forecast:
    """One drain forecast. `empty_at` is None when the queue is not shrinking (`reason` says why)."""

    made_at: datetime
    depth: int
    satellites: int
    per_satellite: float | None  # jobs / satellite / minute
    arrivals: float  # jobs / minute
    empty_at: datetime | None
    reason: str | None = None

    @property
    def net_rate(self) -> float | None:
        """Jobs the queue loses per minute (negative: it grows)."""
        if self.per_satellite is None:
            return None
        return self.per_satellite * self.satellites - self.arrivals

    @property
    def minutes(self) -> float | None:
        """Minutes from `made_at` to `empty_at`."""
        return None if self.empty_at is None else (self.empty_at - self.made_at).total_seconds() / 60.0


# A forecast further out than this is not a forecast (a rate of 0.0001 jobs/min).
HORIZON = timedelta(days=30)


def forecast(
    now: datetime, depth: int, per_satellite: float | None, satellites: int, arrivals: float = 0.0
) -> Forecast:
    """When `depth` queued jobs are gone with `satellites` satellites each finishing
    `per_satellite` jobs a minute while `arrivals` new jobs a minute come in."""
    depth = max(0, int(depth))
    satellites = max(0, int(satellites))
    arrivals = max(0.0, float(arrivals))

    def made(empty_at, reason=None) -> Forecast:
        return Forecast(now, depth, satellites, per_satellite, arrivals, empty_at, reason)

    if depth == 0:
        return made(now)
    if per_satellite is None or not math.isfinite(per_satellite):
        return made(None, "no throughput measured yet (no satellite, or no job finished in the window)")
    if satellites == 0:
        return made(None, "no satellite is running")
    net = per_satellite * satellites - arrivals
    if net <= 0:
        return made(
            None,
            f"the queue is not shrinking: {arrivals:.1f} jobs/min arrive, "
            f"{per_satellite * satellites:.1f} jobs/min finish",
        )
    minutes = depth / net
    if minutes > HORIZON.total_seconds() / 60.0:  # compared as floats: a tiny rate overflows timedelta
        return made(None, f"the queue shrinks by only {net:.3f} jobs/min: empty in more than 30 days")
    return made(now + timedelta(minutes=minutes))


def from_rates(now: datetime, depth: int, rates: Rates, satellites: int | None = None) -> Forecast:
    """`forecast` at measured `rates`, with `satellites` (default: the measured number) running."""
    return forecast(
        now, depth, rates.per_satellite, rates.satellites if satellites is None else satellites, rates.arrivals
    )


def clock(at: datetime, now: datetime) -> str:
    """'14:20 UTC', with the date when it is not `now`'s day."""
    return f"{at:%H:%M} UTC" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M} UTC"


def sentence(base: Forecast, what_if: Forecast | None = None) -> str:
    """'at the current rate the queue is empty at 14:20 UTC; with 3 more satellites at 13:55 UTC'."""
    now = base.made_at
    if base.depth == 0:
        head = "the queue is empty"
    elif base.empty_at is None:
        head = f"at the current rate the queue does not empty ({base.reason})"
    else:
        head = f"at the current rate the queue is empty at {clock(base.empty_at, now)}"
    if what_if is None or what_if.satellites == base.satellites or base.depth == 0:
        return head
    more = what_if.satellites - base.satellites
    change = f"{abs(more)} {'more' if more > 0 else 'fewer'} satellite{'s' if abs(more) != 1 else ''}"
    if what_if.empty_at is None:
        return f"{head}; with {change} it does not empty"
    return f"{head}; with {change} at {clock(what_if.empty_at, now)}"


def first_empty(series: Sequence[tuple[datetime, int]], after: datetime) -> datetime | None:
    """The first time at or after `after` when the recorded depth was 0 (series sorted by time)."""
    for at, depth in series:
        if at >= after and depth <= 0:
            return at
    return None


def depth_at(series: Sequence[tuple[datetime, int]], at: datetime) -> int | None:
    """The recorded depth at `at` (the last point at or before it); None before the first point."""
    found = None
    for t, depth in series:
        if t > at:
            break
        found = depth
    return found


def error_minutes(predicted: datetime, actual: datetime) -> float:
    """|predicted − actual| in minutes."""
    return abs((predicted - actual).total_seconds()) / 60.0


@dataclass(frozen=True)
class ErrorSummary:
    """Absolute errors of resolved forecasts, in minutes."""

    n: int
    median: float | None
    p90: float | None


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile by linear interpolation (numpy's default); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(errors: Iterable[float]) -> ErrorSummary:
    """n, median and p90 of absolute errors (minutes)."""
    values = [float(e) for e in errors if e is not None and math.isfinite(e)]
    return ErrorSummary(len(values), quantile(values, 0.5), quantile(values, 0.9))
