"""The Capacity planning page's data: the drain forecast at the measured rates (the producer
measures them each heavy cycle: snapshot `mc.capacity`) and the live queue depth, the same
forecast for a chosen number of satellites, and the record of past forecasts against what
happened (mc_drain_forecasts, read once per heavy cycle and shared by every viewer)."""

from __future__ import annotations

from datetime import datetime

import on_demand
from capacity.forecast import Forecast, Rates, forecast
from capacity.measure import running_satellites
from pages.clock import now_of
from pages.snapshot import latest, latest_snapshot
from ui.inputs import bounded_int

MAX_SATELLITES = 500


def satellites_choice(value, default: int) -> int:
    return bounded_int("satellites", value, 0, MAX_SATELLITES, default) or 0


def rates_of(section: dict | None) -> Rates | None:
    """The measured rates of a snapshot's `mc.capacity` section; None before the first measure."""
    if not isinstance(section, dict):
        return None
    try:
        return Rates(
            finished=int(section["finished"]),
            arrived=int(section["arrived"]),
            satellites=int(section["satellites"]),
            window_min=float(section["window_min"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def running_now(ctx) -> int:
    """Satellites running in the latest snapshot (the what-if's starting point is 3 more)."""
    return running_satellites(latest_snapshot(ctx).get("mc", {}).get("fleet", []))


def current(ctx, what_if: int) -> tuple[list, dict]:
    """(key, document): what the page shows depends on the snapshot (version) and the what-if."""
    version, doc = latest(ctx)
    return [version, what_if], doc or {}


def model(ctx, what_if: int | None, doc: dict | None = None) -> dict:
    """{"now", "depth", "rates", "running", "base": Forecast|None, "what_if": Forecast|None,
    "track": capacity.record.Track|None, "samples"} of `doc` (default: the latest snapshot)."""
    doc = latest_snapshot(ctx) if doc is None else doc
    mc = doc.get("mc", {})
    now: datetime = now_of(doc)
    depth = mc.get("queues", {}).get("job_queue")
    rates = rates_of(mc.get("capacity"))
    running = running_satellites(mc.get("fleet", []))
    base: Forecast | None = None
    other: Forecast | None = None
    if rates is not None and depth is not None:
        # Per-satellite throughput as measured; today's depth and today's running fleet.
        base = forecast(now, depth, rates.per_satellite, running, rates.arrivals)
        if what_if is not None:
            other = forecast(now, depth, rates.per_satellite, what_if, rates.arrivals)
    samples = ctx.settings.forecast_error_samples
    try:
        track = ctx.analytics.cached(
            "drain_forecast_track",
            [mc.get("heavy_built_at"), samples],
            lambda: on_demand.forecast_track(ctx, samples),
        )
    except Exception as exc:  # the database is down: the forecast still shows
        ctx.services.mark("database", False, exc)
        track = None
    return {
        "now": now,
        "depth": depth,
        "rates": rates,
        "running": running,
        "base": base,
        "what_if": other,
        "track": track,
        "samples": samples,
    }
