"""The main screen's panels rendered from one snapshot document (pure).

`render(doc)` returns {panel id: Render}; the parts that change tick to tick are declared by
component id (`node`) or trace name (`trace_part`), never by position. Crawled text (URLs, job targets, error messages,
satellite ids) goes into components as plain text children, which React escapes, never as HTML
or markdown; a link is only made from an http(s) URL.
"""

from __future__ import annotations

import time
from typing import Any

from dash import html

from figures import mission as figs
from figures.parts import trace_index, trace_part
from pages.mission.ids import MissionIds as Main
from ui import format as fmt
from ui.delta import Render, node, to_plain, with_parts

SEVERITIES = ("critical", "warning", "info")
# The numbers that move every tick (the rings' percentages, the satellites' CPU and memory) are
# CSS variables on their panel's own element (`style`), which each ring and meter reads by its
# position: a tick sends one small style object per panel, not one Patch operation (~110 bytes
# of path and framing) per ring and meter. Render keys of those two extra outputs:
BOARD_VALUES = f"{Main.BOARD}.style"
FLEET_VALUES = f"{Main.FLEET}.style"
USED_BARS = "used"  # the quota chart's usage trace (figures.quotas.quota_bars)


def measured(doc: dict, section: str, key: str):
    """A contract figure, None when the producer sent 0 only because nothing was measured
    (`mc.unmeasured`): the page shows "—", not a zero nobody observed."""
    if f"{section}.{key}" in doc.get("mc", {}).get("unmeasured", []):
        return None
    return doc.get(section, {}).get(key)


def kpis(doc: dict) -> dict[str, Render]:
    status = doc.get("crawler_mission_status", {})
    mc = doc.get("mc", {})
    fleet = mc.get("fleet_summary", {})
    queues = mc.get("queues", {})
    alerts = doc.get("alerts", [])
    by_sev = {s: sum(1 for a in alerts if a.get("severity") == s) for s in SEVERITIES}
    discovery = doc.get("backlink_discovery_metrics", {})
    waiting = status.get("queued_jobs_count")
    out = {
        Main.KPI_ACTIVE: fmt.count(status.get("active_jobs_count")),
        Main.KPI_ACTIVE_SUB: f"{fmt.count(waiting)} waiting · {fmt.count(status.get('completed_jobs_24h_count'))} done 24 h",
        Main.KPI_FLEET: f"{fmt.count(status.get('active_satellites_count'))}/{fmt.count(status.get('total_satellites_count'))}",
        Main.KPI_FLEET_SUB: f"{fleet.get('busy', 0)} busy · {fleet.get('idle', 0)} idle · {fleet.get('paused', 0)} paused · {fleet.get('unresponsive', 0)} down",
        Main.KPI_QUEUE: fmt.count(measured(doc, "crawler_mission_status", "queue_depth")),
        Main.KPI_QUEUE_SUB: f"{fmt.count(queues.get('dead_letter'))} dead · {fmt.count(queues.get('scheduled'))} scheduled"
        + (" · DISPATCH PAUSED" if queues.get("dispatch_paused") else ""),
        Main.KPI_ALERTS: fmt.count(len(alerts)),
        Main.KPI_ALERTS_SUB: " · ".join(f"{by_sev[s]} {s}" for s in SEVERITIES),
        Main.METRIC_PAGES: fmt.count(status.get("total_pages_crawled_24h")),
        Main.METRIC_COMPLETION: fmt.duration(
            measured(doc, "crawler_mission_status", "avg_job_completion_time_seconds")
        ),
        Main.METRIC_UTIL: fmt.percent(status.get("satellite_utilization_percentage")),
        Main.METRIC_DONE: fmt.count(status.get("completed_jobs_24h_count")),
        Main.METRIC_FAILED: fmt.count(status.get("failed_jobs_24h_count")),
        Main.METRIC_BACKLINKS: fmt.count(discovery.get("total_backlinks_discovered")),
    }
    renders: dict[str, Render] = {k: Render(full=v) for k, v in out.items()}
    severity = next((s for s in SEVERITIES if by_sev[s]), "none")
    # A critical alert that fired in the last minute makes the card flash.
    fresh = any(a.get("severity") == "critical" and (a.get("age_s") or 1e9) < 60 for a in alerts)
    renders[Main.ALERT_CARD] = Render(full=f"kpi-card alert-level-{severity}" + (" alert-new" if fresh else ""))
    return renders


def mission_board(doc: dict) -> Render:
    """Grid of active missions: a progress ring, job type, target, ETA and satellite."""
    jobs = doc.get("mc", {}).get("active_jobs", [])
    if not jobs:
        return Render(full=[html.Div("No active missions", className="panel-empty")])
    cards: list = []
    parts: dict[Any, Any] = {}
    for i, job in enumerate(jobs[:24]):
        eta = fmt.coarse_duration(job.get("eta_seconds")) if job.get("eta_seconds") is not None else "measuring…"
        sat = job.get("satellite_id") or "unassigned"
        target = str(job.get("target_url") or "")
        eta_id, sat_id = (f"{Main.BOARD}-{i}-{part}" for part in ("eta", "sat"))
        # Few components per card (each costs the renderer work on every store update): the
        # ring's label and the "ETA"/"SAT" labels are drawn by CSS (10_mission.css).
        cards.append(
            html.Div(
                className="mission-card",
                children=[
                    # The ring and its label are drawn by CSS from --p, the card's value on the
                    # board's element (board_values), so a tick only sends the new percentages.
                    html.Div(className="ring", style={"--p": f"var(--p{i})"}),
                    html.Div(
                        className="mission-info",
                        children=[
                            html.Div(str(job.get("job_type") or "job").replace("_", " "), className="mission-type"),
                            html.Div(fmt.short(target, 48), className="mission-target", title=target),
                            html.Div(eta, id=eta_id, className="mission-eta"),
                            html.Div(sat, id=sat_id, className="mission-sat"),
                        ],
                    ),
                ],
            )
        )
        parts[node(eta_id, "children")] = eta
        parts[node(sat_id, "children")] = sat
    return with_parts(cards, parts, items=True)


def board_values(doc: dict) -> Render:
    """The board's element style: each card's progress as --p<i> (read by its ring)."""
    jobs = doc.get("mc", {}).get("active_jobs", [])[:24]
    return Render(full={f"--p{i}": int(float(job.get("progress_percentage") or 0)) for i, job in enumerate(jobs)})


def fleet_values(doc: dict) -> Render:
    """The fleet's element style: each tile's CPU and memory as --c<i> and --m<i> (read by its meters)."""
    values: dict[str, int] = {}
    for i, s in enumerate(doc.get("mc", {}).get("fleet", [])):
        values[f"--c{i}"] = _meter_value(s.get("cpu_usage"))
        values[f"--m{i}"] = _meter_value(s.get("memory_usage"))
    return Render(full=values)


def fleet_grid(doc: dict) -> Render:
    """One tile per satellite: status colour, heartbeat age, current job, CPU and memory."""
    mc = doc.get("mc", {})
    sats = mc.get("fleet", [])
    if not sats:
        return Render(full=[html.Div("No satellite has reported in the last 24 h", className="panel-empty")])
    built = mc.get("built_at") or time.time()
    tiles: list = []
    parts: dict[Any, Any] = {}
    for i, s in enumerate(sats):
        beat_id, job_id, cpu_id, mem_id = (f"{Main.FLEET}-{i}-{part}" for part in ("beat", "job", "cpu", "mem"))
        status = s.get("status") or "unresponsive"
        beat = s.get("last_heartbeat")
        age = "never" if beat is None else fmt.heartbeat_age(max(0.0, built - beat))
        job = s.get("current_job_id")
        job_text = f"job {str(job)[:8]}" if job else "no job"
        cpu, mem = s.get("cpu_usage"), s.get("memory_usage")
        # Few components per tile: the status dot, the "beat" label and the meters' label, bar
        # and number are drawn by CSS (10_mission.css).
        tiles.append(
            html.Div(
                className=f"sat-tile sat-{status}",
                children=[
                    html.Div(str(s.get("satellite_id")), className="sat-head"),
                    html.Div(status.upper(), className="sat-status"),
                    html.Div(age, id=beat_id, className="sat-beat"),
                    html.Div(job_text, id=job_id, className="sat-job mono"),
                    html.Div(
                        className="sat-meters",
                        children=[_meter(cpu_id, "CPU", cpu, f"--c{i}"), _meter(mem_id, "MEM", mem, f"--m{i}")],
                    ),
                ],
            )
        )
        parts[node(beat_id, "children")] = age
        parts[node(job_id, "children")] = job_text
        for meter, value in ((cpu_id, cpu), (mem_id, mem)):
            parts[node(meter, "className")] = _meter_class(value)
    return with_parts(tiles, parts, items=True)


def _meter_class(value) -> str:
    if value is None:
        return "meter unknown"
    return "meter hot" if float(value) >= 90 else "meter"


def _meter_value(value) -> int:
    return 0 if value is None else round(max(0.0, min(100.0, float(value))))


def _meter(meter_id: str, label: str, value, variable: str):
    """One element: its label, bar and number are drawn by CSS from `data-label` and --v, the
    tile's value on the fleet's element (fleet_values), so a tick only sends the new numbers."""
    label_attribute: dict[str, Any] = {"data-label": label}
    return html.Div(id=meter_id, className=_meter_class(value), style={"--v": f"var({variable})"}, **label_attribute)


def error_panel(doc: dict) -> Render:
    """Critical failures needing attention: firing critical alerts, then recent job errors."""
    alerts = [a for a in doc.get("alerts", []) if a.get("severity") == "critical"]
    errors = doc.get("crawler_mission_status", {}).get("recent_job_errors", [])
    items = []
    for a in alerts[:5]:
        items.append(
            html.Li(
                className="err-item err-critical",
                children=[
                    html.Span("CRITICAL", className="err-badge"),
                    html.Span(str(a.get("message", "")), className="err-msg"),
                    html.Div(str(a.get("recommended_action") or ""), className="err-action"),
                ],
            )
        )
    for e in errors[:10]:
        items.append(
            html.Li(
                className="err-item",
                children=[
                    html.Span(str(e.get("error_type") or "error").upper(), className="err-badge"),
                    html.Span(fmt.short(e.get("message"), 140), className="err-msg", title=str(e.get("message") or "")),
                    html.Div(
                        [
                            html.Span(str(e.get("job_type") or ""), className="label"),
                            " ",
                            html.Span(fmt.short(e.get("url") or e.get("target_url"), 70), className="mono"),
                        ],
                        className="err-where",
                    ),
                ],
            )
        )
    if not items:
        return Render(full=html.Div("No failures in the last 24 h", className="panel-empty ok"))
    return Render(full=html.Ul(items, className="err-list"))


def queue_detail(doc: dict) -> Render:
    q = doc.get("mc", {}).get("queues", {})
    types = q.get("types", {})
    rows = [
        ("job queue", q.get("job_queue"), types.get("job_queue")),
        ("results", q.get("results"), types.get("results")),
        ("dead letters", q.get("dead_letter"), types.get("dead_letter")),
        ("scheduled", q.get("scheduled"), types.get("scheduled")),
        ("scheduled, due", q.get("scheduled_due"), None),
    ]
    table = html.Table(
        className="queue-table",
        children=[
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(name, className="label"),
                            html.Td(fmt.count(v), id=_count_id(i), className="mono num"),
                            html.Td(kind or "", className="muted"),
                        ]
                    )
                    for i, (name, v, kind) in enumerate(rows)
                ]
            )
        ],
    )
    # Counts change every tick; the rows and key types almost never do.
    return with_parts(table, {node(_count_id(i), "children"): fmt.count(v) for i, (_, v, _) in enumerate(rows)})


def _count_id(row: int) -> str:
    return f"{Main.QUEUE_DETAIL}-{row}-count"


def figures(doc: dict) -> dict[str, Render]:
    mc = doc.get("mc", {})
    lpm = mc.get("links_per_minute", [])
    radar = mc.get("discovery_by_target", [])
    depth = doc.get("crawler_mission_status", {}).get("queue_depth")
    previous = mc.get("queue_depth_minute_ago")
    threshold = mc.get("queue_threshold", figs.QUEUE_OVERFLOW)
    etas = {str(j["id"]): _coarse_eta(j.get("eta_seconds")) for j in mc.get("active_jobs", [])}
    renders: dict[str, Render] = {
        Main.DISCOVERY_CHART: with_parts(figs.discovery_rate(lpm), figs.discovery_rate_parts(lpm))
        if lpm
        else Render(full=to_plain(figs.discovery_rate(lpm))),
        Main.DISCOVERY_RADAR: with_parts(figs.discovery_radar(radar), figs.discovery_radar_parts(radar))
        if radar
        else Render(full=to_plain(figs.discovery_radar(radar))),
        Main.QUEUE_GAUGE: with_parts(
            figs.queue_gauge(depth, previous, threshold), figs.queue_gauge_parts(depth, previous, threshold)
        )
        if depth is not None
        else Render(full=to_plain(figs.queue_gauge(None))),
        Main.TIMELINE: _timeline(mc, etas),
        Main.QUOTA_CHART: _quota(doc.get("api_quota_statuses", [])),
    }
    return renders


def _timeline(mc: dict, etas: dict) -> Render:
    # Active bars end at "now": quantised to 15 s so a tick does not redraw every bar.
    now = (mc.get("built_at") or time.time()) // 15 * 15
    fig = to_plain(figs.mission_timeline(mc.get("timeline", []), now, etas))
    if len(fig.get("data", [])) < 2:
        return Render(full=fig)
    # Bars grow with the clock every tick; their labels, colours and order rarely change.
    jobs, projected = (fig["data"][trace_index(fig, name)] for name in (figs.JOB_BARS, figs.PROJECTED_BARS))
    return with_parts(
        fig,
        {
            trace_part(figs.JOB_BARS, "x"): jobs.get("x"),
            trace_part(figs.JOB_BARS, "text"): jobs.get("text"),
            trace_part(figs.PROJECTED_BARS, "x"): projected.get("x"),
            trace_part(figs.PROJECTED_BARS, "base"): projected.get("base"),
        },
    )


def _coarse_eta(seconds):
    """ETA rounded to 30 s for the timeline's projected bars."""
    return None if seconds is None else max(30.0, round(float(seconds) / 30) * 30)


def _quota(statuses: list[dict]) -> Render:
    fig = to_plain(quota_figure(statuses))
    if len(fig.get("data", [])) < 2:
        return Render(full=fig)
    # Usage moves with every API call; the providers, colours and layout rarely change.
    used = fig["data"][trace_index(fig, USED_BARS)]
    return with_parts(fig, {trace_part(USED_BARS, key): used.get(key) for key in ("x", "text", "hovertext")})


def quota_figure(statuses: list[dict]):
    """The quota panel: the quota page's bar builder (one source of truth for both)."""
    try:
        from figures.quotas import quota_bars
    except ModuleNotFoundError:
        from figures.theme import empty_figure

        return empty_figure("quota ledger not installed")
    return quota_bars(statuses)


def render(doc: dict) -> dict[str, Render]:
    """Every panel of the main screen except the queue trend (which is extended, not re-rendered)."""
    renders = kpis(doc)
    renders.update(figures(doc))
    renders[Main.BOARD] = mission_board(doc)
    renders[BOARD_VALUES] = board_values(doc)
    renders[Main.FLEET] = fleet_grid(doc)
    renders[FLEET_VALUES] = fleet_values(doc)
    renders[Main.ERRORS] = error_panel(doc)
    renders[Main.QUEUE_DETAIL] = queue_detail(doc)
    return renders


def replay_banner(replay, live_href: str) -> html.Div:
    """What says that the screen is a replay (or why it is not): the minute in UTC, where the
    document came from, and the way back to live. The asked text is shown as text, never markup."""
    back = html.A("back to live", href=live_href, className="replay-live")
    if replay.document is None:
        return html.Div(
            [html.Strong("NOT A REPLAY "), html.Span(replay.problem), " Showing the live screen. ", back],
            id=Main.REPLAY_BANNER,
            className="replay-banner replay-problem",
            role="alert",
        )
    source = "the archive" if replay.source == "archive" else "the database"
    return html.Div(
        [
            html.Strong("REPLAY "),
            html.Span(replay.minute, className="mono replay-minute"),
            f" · what this screen showed at that minute (UTC), from {source}. Live updates are paused. ",
            back,
        ],
        id=Main.REPLAY_BANNER,
        className="replay-banner",
        role="status",
    )
