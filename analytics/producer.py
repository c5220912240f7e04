"""What the producer's heavy analytics step runs for the analysis modules (called from the
`steps` of `SnapshotBuilder.build_heavy`): refresh the rollups, then build the main screen's
sections from them instead of scanning `backlinks` / `domains`.

The Refresher and the analytics settings live on the AppContext (`ctx.analytics`), created on
first use, so the pages' callbacks share them.
"""

from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd

from analytics import crawler, discovery, domains
from analytics.page_cache import PageCache
from analytics.refresh import Refresher

log = logging.getLogger(__name__)


class Analytics:
    """Per-app analytics state: settings, the refresher and the page cache."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.settings = ctx.settings.analytics
        self.refresher = Refresher(ctx.services, self.settings)
        self.cache = PageCache(ctx.services)

    def cached(self, name: str, args, compute):
        return self.cache.get(name, args, compute)


def analytics_of(ctx) -> Analytics:
    found = getattr(ctx, "analytics", None)
    if found is None:
        found = Analytics(ctx)
        ctx.analytics = found
    return found


def refresh(ctx, now: datetime) -> dict | None:
    """Bring the rollups up to date (skipped when another producer holds the lock)."""
    return analytics_of(ctx).refresher.refresh(now)


def backlink_metrics(ctx, now: datetime) -> dict:
    analytics_of(ctx).refresher.ensure_tables()
    return discovery.discovery_metrics(ctx.services.mc_engine, now)


def radar(ctx, now: datetime) -> pd.DataFrame:
    return discovery.radar(ctx.services.mc_engine, now)


def domain_metrics(ctx, now: datetime) -> dict:
    return domains.domain_metrics(ctx.services.mc_engine, now)


def latest_snapshot(ctx) -> dict:
    """The latest snapshot document; empty before the first one or while Redis is down."""
    try:
        _version, doc = ctx.snapshots.load()
    except Exception as exc:
        log.debug("no snapshot: %s", exc)
        return {}
    return doc or {}


def fleet_of(doc: dict) -> tuple[list[dict], int | None]:
    """The fleet and queue depth of a snapshot document."""
    return doc.get("mc", {}).get("fleet", []), doc.get("crawler_mission_status", {}).get("queue_depth")


def last_fleet(ctx) -> tuple[list[dict], int | None]:
    """The fleet and queue depth of the latest snapshot (empty before the first one)."""
    return fleet_of(latest_snapshot(ctx))


def bottleneck_findings(ctx, now: datetime) -> list[dict]:
    """Named bottlenecks with evidence (see analytics.crawler.bottlenecks)."""
    a = analytics_of(ctx)
    fleet, depth = last_fleet(ctx)
    svc = ctx.services
    jobs = crawler.queued_jobs(svc.engine) if svc.schema.has("crawl_jobs") else pd.DataFrame(columns=["created_at"])
    rates = crawler.rate_limits(svc.mc_engine, now, a.settings)
    return crawler.bottlenecks(svc.mc_engine, now, fleet, jobs, rates, depth)


def performance_metrics(base: dict, findings: list[dict]) -> dict:
    """`performance_optimization_metrics` with `bottlenecks_detected` naming our `findings`
    (cause: subject — evidence) ahead of what the satellites reported themselves."""
    out = dict(base or {})
    named = [f"{f['cause']}: {f['subject']} — {f['evidence']}" for f in findings]
    out["bottlenecks_detected"] = list(dict.fromkeys(named + list(out.get("bottlenecks_detected") or [])))[:20]
    return out


def with_fallback(primary, fallback):
    """`primary()`; if the rollups cannot be read (Mission Control's database down or not yet
    built), `fallback()`, the direct query, so the main screen still fills."""
    try:
        return primary()
    except Exception as exc:
        log.warning("analytics rollups unavailable (%s); using the direct query", type(exc).__name__)
        return fallback()
