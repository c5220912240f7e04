"""The Performance page drawn from its model: {output id: Render} (pure)."""

from __future__ import annotations

from dash import html

from figures import performance as figs
from pages.performance.ids import PerformanceIds as Ids
from ui.delta import Render
from ui.tables import fields, records

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
ALLOCATION_COLUMNS = [
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
# What the tick callback sends, in its Output order, with the property each fills.
OUTPUTS = {
    Ids.LEADERBOARD: "data",
    Ids.RATES: "data",
    Ids.TREND: "figure",
    Ids.ALLOCATION: "data",
    Ids.BOTTLENECKS: "children",
    Ids.SUMMARY: "data",
}


def findings(items: list[dict]):
    """Named bottlenecks as cause / subject / evidence lines, or a calm "none" line."""
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


def render(model: dict) -> dict[str, Render]:
    """Every output of the page for one model."""
    values = {
        Ids.LEADERBOARD: records(model["leaders"], fields(LEADER_COLUMNS)),
        Ids.RATES: records(model["rates"], fields(RATE_COLUMNS)),
        Ids.TREND: figs.response_trend(model["trend"]),
        Ids.ALLOCATION: records(model["allocation"], fields(ALLOCATION_COLUMNS)),
        Ids.BOTTLENECKS: findings(model["bottlenecks"]),
        Ids.SUMMARY: records(model["summary"], fields(SUMMARY_COLUMNS)),
    }
    return {output: Render.of(value) for output, value in values.items()}
