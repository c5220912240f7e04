"""The Performance page's data: leaderboard, rate limits, response trend, allocation, bottlenecks
and the 24 h mission summary, memoised per rollup version, minute and fleet state; and the
outputs built from it."""

from __future__ import annotations

import pandas as pd
from dash import html

from analytics import crawler as q
from analytics import summary_view
from analytics.service import fleet_of, latest_snapshot
from figures import performance as figs
from layouts.analysis_ids import Perf
from views.analysis import fields, now_of, records

LEADER_COLUMNS = [
    ("rank", "#"),
    ("mark", ""),
    ("satellite_id", "satellite"),
    ("speed", "pages / min"),
    ("success_rate", "success %"),
    ("response_ms", "response ms"),
    ("jobs_completed", "jobs done"),
    ("errors", "errors"),
    ("pages", "pages"),
]
RATE_COLUMNS = [
    ("site", "site"),
    ("response_ms", "response ms (2 h)"),
    ("baseline_ms", "baseline ms"),
    ("change_pct", "change %"),
    ("pages_per_hour", "our pages / h"),
    ("baseline_pages_per_hour", "baseline pages / h"),
    ("recommended_delay_s", "recommended delay s"),
    ("flag", "flag"),
]
ALLOC_COLUMNS = [
    ("satellite_id", "satellite"),
    ("state", "state"),
    ("job_id", "job"),
    ("job_type", "type"),
    ("priority", "priority"),
    ("target_url", "target"),
    ("reason", "why"),
]
SUMMARY_COLUMNS = [
    ("job_type", "job type"),
    ("status", "status"),
    ("jobs", "jobs"),
    ("pages_crawled", "pages"),
    ("links_found", "links"),
    ("avg_duration_s", "avg duration s"),
]


def _inputs(ctx, hours: int):
    """(now, fleet, queue depth, model key) from one read of the latest snapshot. The fleet
    moves every tick; its digest is part of the key so the allocation stays current."""
    doc = latest_snapshot(ctx)
    now = now_of(doc)
    fleet, depth = fleet_of(doc)
    fleet_key = sorted((str(s.get("satellite_id")), str(s.get("status")), str(s.get("current_job_id"))) for s in fleet)
    return now, fleet, depth, [hours, now.strftime("%Y-%m-%d %H:%M"), fleet_key]


def model_key(ctx, hours: int) -> list:
    """What the page's model depends on besides the rollup version: a viewer holding the model
    of this key has nothing to redraw."""
    return _inputs(ctx, hours)[3]


def model(ctx, hours: int) -> dict:
    a = ctx.analytics
    svc = ctx.services
    now, fleet, depth, key = _inputs(ctx, hours)

    def compute():
        a.refresher.ensure_tables()
        mc = svc.mc_engine
        rates = q.rate_limits(mc, now, a.settings)
        rates["flag"] = ["SLOWING" if s else "" for s in rates["slowing"]] if not rates.empty else []
        jobs = (
            q.queued_jobs(svc.engine)
            if svc.schema.has("crawl_jobs")
            else pd.DataFrame(columns=["id", "job_type", "target_url", "priority", "created_at"])
        )
        summary, source = (
            summary_view.summary(svc.engine, now) if svc.schema.has("crawl_jobs") else (None, "crawl_jobs missing")
        )
        return {
            "leaders": q.leaderboard(mc, now, hours),
            "rates": rates,
            "trend": q.site_trend(mc, now, list(rates["site"].head(6)) if not rates.empty else []),
            "allocation": q.allocation(fleet, jobs),
            "bottlenecks": q.bottlenecks(mc, now, fleet, jobs, rates, depth),
            "summary": summary,
            "summary_source": source,
        }

    return a.cached("performance", key, compute)


def findings(items: list[dict]):
    if not items:
        return html.Div("no bottleneck detected", className="panel-empty ok")
    return [
        html.Div(
            className=f"ana-finding sev-{f['severity']}",
            children=[
                html.Span(f["cause"].replace("_", " "), className="cause"),
                html.Span(f["subject"], className="subject"),
                html.Span(f["evidence"]),
            ],
        )
        for f in items
    ]


def outputs(m: dict) -> dict:
    return {
        Perf.LEADERBOARD: records(m["leaders"], fields(LEADER_COLUMNS)),
        Perf.RATES: records(m["rates"], fields(RATE_COLUMNS)),
        Perf.TREND: figs.response_trend(m["trend"]),
        Perf.ALLOCATION: records(m["allocation"], fields(ALLOC_COLUMNS)),
        Perf.BOTTLENECKS: findings(m["bottlenecks"]),
        Perf.SUMMARY: records(m["summary"], fields(SUMMARY_COLUMNS)),
    }
