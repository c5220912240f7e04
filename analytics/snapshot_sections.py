"""What the producer's heavy step computes from the analysis rollups (called from
`producer.heavy`): refresh the rollups, then build the main screen's backlink, radar, domain
and performance sections from them instead of scanning `backlinks` / `domains`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from analytics import crawler, discovery, domains

if TYPE_CHECKING:
    from analytics.service import Analytics
    from data.services import Services

log = logging.getLogger(__name__)

T = TypeVar("T")


def refresh(analytics: Analytics, now: datetime) -> dict | None:
    """Bring the rollups up to date (skipped when another producer holds the lock)."""
    return analytics.refresher.refresh(now)


def backlink_metrics(analytics: Analytics, services: Services, now: datetime) -> dict:
    analytics.refresher.ensure_tables()
    return discovery.discovery_metrics(services.mc_engine, now, lp=services.read_engine, schema=services.schema)


def radar(services: Services, now: datetime) -> pd.DataFrame:
    return discovery.radar(services.mc_engine, now, lp=services.read_engine, schema=services.schema)


def domain_metrics(services: Services, now: datetime) -> dict:
    return domains.domain_metrics(services.mc_engine, now, lp=services.read_engine, schema=services.schema)


def bottleneck_findings(
    analytics: Analytics, services: Services, now: datetime, fleet: list[dict], queue_depth: int | None
) -> list[dict]:
    """Named bottlenecks with evidence (see analytics.crawler.bottlenecks), for the `fleet` and
    `queue_depth` of the producer's latest document."""
    jobs = (
        crawler.queued_jobs(services.read_engine)
        if services.schema.has("crawl_jobs")
        else pd.DataFrame(columns=["created_at"])
    )
    rates = crawler.rate_limits(services.mc_engine, now, analytics.settings)
    return crawler.bottlenecks(services.mc_engine, now, fleet, jobs, rates, queue_depth)


def performance_metrics(base: dict, findings: list[dict]) -> dict:
    """`performance_optimization_metrics` with `bottlenecks_detected` naming our `findings`
    (cause: subject — evidence) ahead of what the satellites reported themselves."""
    out = dict(base or {})
    named = [f"{f['cause']}: {f['subject']} — {f['evidence']}" for f in findings]
    out["bottlenecks_detected"] = list(dict.fromkeys(named + list(out.get("bottlenecks_detected") or [])))[:20]
    return out


def with_fallback(primary: Callable[[], T], fallback: Callable[[], T]) -> T:
    """`primary()`; if the rollups cannot be read (Mission Control's database down or not yet
    built), `fallback()`, the direct query, so the main screen still fills."""
    try:
        return primary()
    except Exception as exc:
        log.warning("analytics rollups unavailable (%s); using the direct query", type(exc).__name__)
        return fallback()
