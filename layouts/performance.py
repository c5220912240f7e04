"""Crawler performance: the satellite leaderboard (24 h / 7 days, best and worst marked), adaptive
rate limiting per target site (trend, recommended delay, slowing flags), resource allocation
(idle or under-used satellites → high-priority waiting jobs), named bottlenecks with evidence
(the same findings the producer puts in `performance_optimization_metrics.bottlenecks_detected`)
and the 24 h mission summary (`mission_control_summary` when set up)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics import crawler as q
from analytics import summary_view
from analytics.producer import analytics_of, last_fleet
from figures import performance as figs
from layouts.analysis_ids import Perf
from layouts.discovery import GRAPH, export_tools, page_now, panel, records, table

LEADER_COLUMNS = [("rank", "#"), ("mark", ""), ("satellite_id", "satellite"), ("speed", "pages / min"),
                  ("success_rate", "success %"), ("response_ms", "response ms"), ("jobs_completed", "jobs done"),
                  ("errors", "errors"), ("pages", "pages")]
RATE_COLUMNS = [("site", "site"), ("response_ms", "response ms (2 h)"), ("baseline_ms", "baseline ms"),
                ("change_pct", "change %"), ("pages_per_hour", "our pages / h"),
                ("baseline_pages_per_hour", "baseline pages / h"), ("recommended_delay_s", "recommended delay s"),
                ("flag", "flag")]
ALLOC_COLUMNS = [("satellite_id", "satellite"), ("state", "state"), ("job_id", "job"), ("job_type", "type"),
                 ("priority", "priority"), ("target_url", "target"), ("reason", "why")]
SUMMARY_COLUMNS = [("job_type", "job type"), ("status", "status"), ("jobs", "jobs"), ("pages_crawled", "pages"),
                   ("links_found", "links"), ("avg_duration_s", "avg duration s")]
HIGHLIGHT = [{"if": {"filter_query": '{mark} = "best"'}, "color": "#2bd576"},
             {"if": {"filter_query": '{mark} = "worst"'}, "color": "#ff3b5c"},
             {"if": {"filter_query": '{flag} = "SLOWING"'}, "color": "#ffb000"}]


def model(ctx, hours: int) -> dict:
    a = analytics_of(ctx)
    svc = ctx.services
    now = page_now(ctx)
    fleet, depth = last_fleet(ctx)

    def compute():
        a.refresher.ensure_tables()
        mc = svc.mc_engine
        rates = q.rate_limits(mc, now, a.settings)
        rates["flag"] = ["SLOWING" if s else "" for s in rates["slowing"]] if not rates.empty else []
        jobs = (q.queued_jobs(svc.engine) if svc.schema.has("crawl_jobs")
                else pd.DataFrame(columns=["id", "job_type", "target_url", "priority", "created_at"]))
        summary, source = (summary_view.summary(svc.engine, now) if svc.schema.has("crawl_jobs")
                           else (None, "crawl_jobs missing"))
        return {
            "leaders": q.leaderboard(mc, now, hours), "rates": rates,
            "trend": q.site_trend(mc, now, list(rates["site"].head(6)) if not rates.empty else []),
            "allocation": q.allocation(fleet, jobs),
            "bottlenecks": q.bottlenecks(mc, now, fleet, jobs, rates, depth),
            "summary": summary, "summary_source": source,
        }

    # The fleet moves every tick; its digest is part of the key so allocation stays current.
    fleet_key = sorted((str(s.get("satellite_id")), str(s.get("status")), str(s.get("current_job_id"))) for s in fleet)
    return a.cached("performance", [hours, now.strftime("%Y-%m-%d %H:%M"), fleet_key], compute)


def findings(items: list[dict]):
    if not items:
        return html.Div("no bottleneck detected", className="panel-empty ok")
    return [html.Div(className=f"ana-finding sev-{f['severity']}", children=[
        html.Span(f["cause"].replace("_", " "), className="cause"), html.Span(f["subject"], className="subject"),
        html.Span(f["evidence"])]) for f in items]


def outputs(m: dict) -> dict:
    return {
        Perf.LEADERBOARD: records(m["leaders"], [c for c, _h in LEADER_COLUMNS]),
        Perf.RATES: records(m["rates"], [c for c, _h in RATE_COLUMNS]),
        Perf.TREND: figs.response_trend(m["trend"]),
        Perf.ALLOCATION: records(m["allocation"], [c for c, _h in ALLOC_COLUMNS]),
        Perf.BOTTLENECKS: findings(m["bottlenecks"]),
        Perf.SUMMARY: records(m["summary"], [c for c, _h in SUMMARY_COLUMNS]),
    }


def layout(ctx) -> html.Div:
    m = model(ctx, 24)
    o = outputs(m)
    leaders = table(Perf.LEADERBOARD, m["leaders"], LEADER_COLUMNS, style_data_conditional=HIGHLIGHT)
    rates = table(Perf.RATES, m["rates"], RATE_COLUMNS, style_data_conditional=HIGHLIGHT)
    return html.Div(id=Perf.PAGE, className="ana-screen", children=[
        dcc.Store(id=Perf.HELD, data={"key": None}),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("SATELLITE LEADERBOARD", html.Div([
                dbc.RadioItems(id=Perf.WINDOW, value=24, inline=True, className="ana-window",
                               options=[{"label": "24 h", "value": 24}, {"label": "7 days", "value": 168}]),
                leaders]), "ranked by speed · best / worst marked", export_tools(Perf.LEADERBOARD)), lg=7),
            dbc.Col(panel("BOTTLENECKS", html.Div(o[Perf.BOTTLENECKS], id=Perf.BOTTLENECKS),
                          "named causes with evidence · fed to the alerts"), lg=5),
        ]),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("ADAPTIVE RATE LIMITING", rates, "per target site, last 2 h vs the 22 h before",
                          export_tools(Perf.RATES)), lg=7),
            dbc.Col(panel("RESPONSE TIME TREND", dcc.Graph(id=Perf.TREND, figure=o[Perf.TREND], config=GRAPH,
                                                           style={"height": "280px"}), "hourly, 24 h"), lg=5),
        ]),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("RESOURCE ALLOCATION", table(Perf.ALLOCATION, m["allocation"], ALLOC_COLUMNS),
                          "idle / under-used satellites → highest-priority waiting jobs",
                          export_tools(Perf.ALLOCATION)), lg=7),
            dbc.Col(panel("MISSIONS, 24 H", table(Perf.SUMMARY, m["summary"], SUMMARY_COLUMNS),
                          f"from {m['summary_source']}", export_tools(Perf.SUMMARY)), lg=5),
        ]),
    ])
