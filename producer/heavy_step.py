"""The producer's heavy step, run every MISSION_CONTROL_CACHE_TTL s on its own thread:
backlink, domain and performance analytics. The result replaces `state.heavy` in one
assignment when every section is done, and is merged into every fast document until the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from analytics import snapshot_sections as sections
from capacity.cycle import capacity_section
from data import backlinks, domain_intel, performance
from producer.fast_step import is_outage
from producer.snapshot import epoch_of, records
from producer.state import ProducerState

if TYPE_CHECKING:
    from runtime.context import AppContext

log = logging.getLogger(__name__)


def run_heavy_step(ctx: AppContext, state: ProducerState, now: datetime) -> dict:
    """Rebuild the heavy sections into `state` (a failed section keeps its previous value)."""
    svc = ctx.services
    schema = svc.schema
    engine = svc.read_engine
    analytics = ctx.analytics
    heavy = dict(state.heavy)
    steps: dict[str, Callable[[], Any]] = {
        # The analysis rollups are refreshed first (incrementally, under an advisory lock); the
        # main screen's backlink, radar and domain sections then read them, never a full scan.
        "analytics": lambda: sections.refresh(analytics, now),
        "backlinks": lambda: sections.with_fallback(
            lambda: sections.backlink_metrics(analytics, svc, now),
            lambda: backlinks.discovery_summary(engine, schema, now),
        ),
        "radar": lambda: records(
            sections.with_fallback(
                lambda: sections.radar(svc, now), lambda: backlinks.discovery_by_target(engine, schema, now)
            )
        ),
        "domains": lambda: sections.with_fallback(
            lambda: sections.domain_metrics(svc, now),
            lambda: domain_intel.domain_summary(engine, schema, now),
        ),
        # Found once per cycle, for the fleet of the latest document; the performance section
        # names the same findings.
        "bottlenecks": lambda: sections.bottleneck_findings(analytics, svc, now, state.fleet, state.queue_depth),
        "performance": lambda: sections.performance_metrics(
            performance.performance_summary(engine, schema, now), heavy.get("bottlenecks", [])
        ),
        # The drain forecast's rates, recorded with the forecast and resolved later (capacity/).
        "capacity": lambda: capacity_section(
            engine,
            svc.mc_engine,
            now,
            state.queue_depth,
            state.fleet,
            ctx.settings.forecast_window_min,
            ctx.settings.history_retention_days,
        ),
        "errors_24h": lambda: {
            str(s): int(e or 0)
            for s, e in performance.satellite_history_24h(engine, schema, now).itertuples(index=False)
        },
    }
    for name, fn in steps.items():
        try:
            heavy[name] = fn()
        except Exception as exc:
            if is_outage(exc):
                svc.mark("database", False, exc)
            else:
                log.exception("analytics section %s failed", name)
    state.heavy = heavy
    state.heavy_built_at = epoch_of(now)
    return heavy
