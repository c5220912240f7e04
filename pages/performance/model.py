"""The Performance page's data: leaderboard, rate limits, response trend, allocation, bottlenecks
and the 24 h mission summary, from the rollups and the latest snapshot's fleet, memoised per
rollup version, minute, fleet state and window.

`key` and `model` take the snapshot document the caller read once (`pages.snapshot.latest_snapshot`),
so a key always names the fleet its model was built from.
"""

from __future__ import annotations

import logging

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from analytics import crawler as rollups
from analytics import summary_view
from analytics.service import fleet_of
from pages.clock import now_of

log = logging.getLogger(__name__)

WINDOWS = {24: "24 h", 168: "7 days"}
DEFAULT_WINDOW = 24
JOB_COLUMNS = ["id", "job_type", "target_url", "priority", "created_at"]


def _fleet_key(doc: dict) -> list:
    # The fleet moves every tick; what the allocation depends on (who is busy with what) is
    # part of the key, so the allocation stays current without redrawing on every heartbeat.
    fleet, _depth = fleet_of(doc)
    return sorted((str(s.get("satellite_id")), str(s.get("status")), str(s.get("current_job_id"))) for s in fleet)


def _model_args(doc: dict, hours: int) -> list:
    return [hours, now_of(doc).strftime("%Y-%m-%d %H:%M"), _fleet_key(doc)]


def key(ctx, hours: int, doc: dict) -> list:
    """What the page's data depends on: the rollup version, the minute, the fleet and the window."""
    return [ctx.analytics.cache.version(), *_model_args(doc, hours)]


def model(ctx, hours: int, doc: dict) -> dict | None:
    """What the page shows for a window of `hours` and the snapshot `doc`, cached per rollup
    version, minute and fleet state. None when the rollups cannot be read (a missing table, the
    database down): the page keeps what it shows."""
    analytics = ctx.analytics
    svc = ctx.services
    now = now_of(doc)
    fleet, depth = fleet_of(doc)

    def compute():
        mc = svc.mc_engine
        rates = rollups.rate_limits(mc, now, analytics.settings)
        rates["flag"] = ["SLOWING" if s else "" for s in rates["slowing"]] if not rates.empty else []
        has_jobs = svc.schema.has("crawl_jobs")
        jobs = rollups.queued_jobs(svc.engine) if has_jobs else pd.DataFrame(columns=JOB_COLUMNS)
        summary, source = summary_view.summary(svc.engine, now) if has_jobs else (None, "crawl_jobs missing")
        return {
            "leaders": rollups.leaderboard(mc, now, hours, lp=svc.engine, schema=svc.schema),
            "rates": rates,
            "trend": rollups.site_trend(mc, now, list(rates["site"].head(6)) if not rates.empty else []),
            "allocation": rollups.allocation(fleet, jobs),
            "bottlenecks": rollups.bottlenecks(mc, now, fleet, jobs, rates, depth),
            "summary": summary,
            "summary_source": source,
        }

    try:
        return analytics.cached("performance", _model_args(doc, hours), compute)
    except SQLAlchemyError as exc:
        # Tables are created at start-up; if they are missing (or a database is down) the
        # failure is not cached, so the next tick tries again.
        log.warning("performance page: rollups unavailable (%s)", type(exc).__name__)
        return None


def empty() -> dict:
    """The model of a page with no data (what the first paint shows when `model` gives None)."""
    frame = pd.DataFrame()
    return {
        "leaders": frame,
        "rates": frame,
        "trend": frame,
        "allocation": frame,
        "bottlenecks": [],
        "summary": None,
        "summary_source": "crawl_jobs (unavailable)",
    }
