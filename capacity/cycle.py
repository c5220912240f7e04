"""The producer's capacity step (one per heavy cycle): measure the rates, forecast the drain,
record the forecast and resolve the earlier ones; returns the snapshot's `mc.capacity` section."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from capacity import record
from capacity.forecast import from_rates
from capacity.measure import measure, running_satellites


def capacity_section(
    lp: Engine, mc: Engine, now: datetime, depth: int | None, fleet: list[dict], window_min: float, keep_days: int
) -> dict:
    """{measured_at, window_min, finished, arrived, satellites, per_satellite, arrivals, depth,
    predicted_empty_at (ISO or None), reason}: what the capacity page forecasts from."""
    rates = measure(lp, now, window_min, running_satellites(fleet))
    record.resolve(mc, now, depth)
    fc = from_rates(now, depth or 0, rates)
    if depth is not None and record.record(mc, fc, window_min):
        record.prune(mc, now, keep_days)
    return {
        "measured_at": now.isoformat(),
        "window_min": rates.window_min,
        "finished": rates.finished,
        "arrived": rates.arrived,
        "satellites": rates.satellites,
        "per_satellite": rates.per_satellite,
        "arrivals": rates.arrivals,
        "depth": depth,
        "predicted_empty_at": fc.empty_at.isoformat() if fc.empty_at else None,
        "reason": fc.reason,
    }
