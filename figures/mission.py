"""Figure builders of the main screen: discovery rate, discovery radar, mission timeline,
queue gauge and queue trend. Pure: snapshot fragments in, `go.Figure` out.

Each builder also has a `*_parts` companion naming the few arrays that change from tick to
tick, so the callback can send a `dash.Patch` of those instead of the whole figure.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import plotly.graph_objects as go

from figures.parts import trace_part
from figures.theme import (
    AMBER,
    BLUE,
    CYAN,
    GREEN,
    MUTED,
    RED,
    STATUS_COLOURS,
    TEMPLATE,
    empty_figure,
    figure,
    mono_margin,
)


# Defaults; the producer puts the configured values into the document (mc.queue_threshold:
# ALERT_QUEUE_OVERFLOW_THRESHOLD; the trend's length: MC_QUEUE_TREND_POINTS).
QUEUE_OVERFLOW = 1000
TREND_POINTS = 120
QUEUE_TRACE = "queue depth"
JOB_BARS, PROJECTED_BARS = "jobs", "projected"


def _ms(epoch: float) -> int:
    """Epoch seconds → epoch milliseconds (UTC instants; assets/time.js draws them in the zone
    the viewer chose: plotly.js alone would draw epoch ms in the browser's zone)."""
    return int(epoch * 1000)


def discovery_rate(points: list[list[float]]) -> go.Figure:
    """Links found per minute over the last hour (bars), from [(minute epoch, links)]."""
    if not points:
        return empty_figure("no discovery data yet")
    fig = figure(
        go.Bar(
            x=[_ms(p[0]) for p in points],
            y=[p[1] for p in points],
            marker=dict(color=CYAN, opacity=0.85),
            hovertemplate="%{x|%H:%M} UTC<br>%{y} links<extra></extra>",
            name="links/min",
        ),
        layout=dict(
            template=TEMPLATE,
            bargap=0.15,
            margin=dict(l=48, r=8, t=8, b=28),
            xaxis=dict(type="date", tickformat="%H:%M"),
            yaxis=dict(title=dict(text="links / min", font=dict(color=MUTED, size=11)), rangemode="tozero"),
        ),
    )
    return fig


def discovery_rate_parts(points: list[list[float]]) -> dict:
    """Only the current minute's bar changes from tick to tick; a new minute redraws the chart."""
    return {trace_part("links/min", "y", len(points) - 1): points[-1][1]} if points else {}


RADAR_METRICS = (
    ("new_24h", "found 24 h", CYAN, "rgba(0,229,255,0.18)"),
    ("referring_domains", "referring domains", AMBER, "rgba(255,176,0,0.12)"),
)


RADAR_LABEL_WRAP = 16


def radar_label(domain: str, sideways: bool = True) -> str:
    """A long domain on two lines, broken at the '.' or '-' nearest its middle, when its label
    sits beside the radar (`sideways`): a narrow panel (an embed, a phone) clips one-line names
    there. Labels above and below the radar have the width and stay on one line."""
    if len(domain) <= RADAR_LABEL_WRAP or not sideways:
        return domain
    cuts = [i + 1 for i, c in enumerate(domain[:-1]) if c in ".-"]
    if not cuts:
        return domain
    cut = min(cuts, key=lambda i: abs(i - len(domain) / 2))
    return f"{domain[:cut]}<br>{domain[cut:]}"


def _radar_theta(rows: list[dict]) -> list[str]:
    # Categories go clockwise from the top (the layout fixes rotation and direction), so the
    # i-th of n sits at 90° − 360°·i/n; its label is beside the radar where the cosine is large.
    n = len(rows)
    return [
        radar_label(str(r["target_domain"]), abs(math.cos(math.radians(90 - 360 * i / n))) > 0.35)
        for i, r in enumerate(rows)
    ]


def _radar_r(rows: list[dict], key: str) -> list[float]:
    """Each metric as % of its own maximum, so metrics of different sizes share one radar."""
    values = [float(r.get(key) or 0) for r in rows]
    top = max(values) if values else 0
    return [round(v / top * 100, 1) if top else 0.0 for v in values]


def discovery_radar(rows: list[dict]) -> go.Figure:
    """Radar of discovery by target domain: links found in 24 h and referring domains, each
    scaled to its own maximum (the hover shows the real numbers)."""
    if not rows:
        return empty_figure("no backlinks yet")
    theta = _radar_theta(rows)
    # No legend: below a radar it collides with the bottom label; the panel's subtitle keys the
    # colours (RADAR_METRICS) instead.
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=76, r=76, t=30, b=30),
            showlegend=False,
            polar=dict(
                radialaxis=dict(showticklabels=False, range=[0, 100]),
                angularaxis=dict(rotation=90, direction="clockwise"),
            ),
        )
    )
    for key, name, line, fill in RADAR_METRICS:
        fig.add_trace(
            go.Scatterpolar(
                r=_radar_r(rows, key),
                theta=theta,
                fill="toself",
                name=name,
                line=dict(color=line),
                fillcolor=fill,
                customdata=[r.get(key) for r in rows],
                hovertemplate="%{theta}<br>%{customdata:,} " + name + "<extra></extra>",
            )
        )
    return fig


def discovery_radar_parts(rows: list[dict]) -> dict:
    theta = _radar_theta(rows)
    parts: dict = {}
    for key, name, *_rest in RADAR_METRICS:
        parts[trace_part(name, "r")] = _radar_r(rows, key)
        parts[trace_part(name, "theta")] = theta
        parts[trace_part(name, "customdata")] = [r.get(key) for r in rows]
    return parts


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return None


JOB_TYPE_CHARS = 28


def _clip(text: str) -> str:
    """A job type cut to JOB_TYPE_CHARS: the labels' width sets the left margin, and one crawled
    5,000-character type would otherwise leave the bars no room."""
    return text if len(text) <= JOB_TYPE_CHARS else text[: JOB_TYPE_CHARS - 1] + "…"


def mission_timeline(rows: list[dict], now_epoch: float, etas: dict[str, float | None]) -> go.Figure:
    """One horizontal bar per active or recent job, from start to finish (or to now + ETA for
    active jobs, the projected part drawn faint), coloured by status, labelled with progress."""
    bars = []
    for r in rows:
        start = _parse(r.get("started_date")) or _parse(r.get("created_at"))
        if start is None:
            continue
        end = _parse(r.get("completed_date"))
        start_ms = _ms(start.replace(tzinfo=UTC).timestamp())
        end_ms = _ms(end.replace(tzinfo=UTC).timestamp()) if end else _ms(now_epoch)
        eta = etas.get(str(r["id"]))
        bars.append((r, start_ms, max(end_ms - start_ms, 1000), eta))
    if not bars:
        return empty_figure("no active or recent missions")
    labels = [f"{_clip(str(r['job_type'] or 'job').replace('_', ' '))} · {str(r['id'])[:6]}" for r, *_ in bars]
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            height=max(220, 24 * len(bars) + 60),
            barmode="overlay",
            showlegend=False,
            # The time axis on top, as on a Gantt chart: the rows run down from the newest, so a
            # wall that clips the panel's bottom (kiosk) drops the oldest rows, never the axis.
            xaxis=dict(type="date", tickformat="%H:%M", side="top"),
            yaxis=dict(autorange="reversed", tickfont=dict(size=10)),
            margin=dict(l=mono_margin(labels, 10), r=16, t=30, b=10),
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=[d for _, _, d, _ in bars],
            base=[s for _, s, _, _ in bars],
            orientation="h",
            marker=dict(color=[STATUS_COLOURS.get(str(r.get("status")), BLUE) for r, *_ in bars]),
            text=[f"{(r.get('progress_percentage') or 0):.0f}%" for r, *_ in bars],
            textposition="inside",
            name=JOB_BARS,
            customdata=[[str(r.get("target_url") or ""), r.get("status")] for r, *_ in bars],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} · %{text}<extra></extra>",
        )
    )
    projected = [(i, s + d, eta) for i, (r, s, d, eta) in enumerate(bars) if r.get("status") == "in_progress" and eta]
    fig.add_trace(
        go.Bar(
            y=[labels[i] for i, _, _ in projected],
            x=[eta * 1000 for _, _, eta in projected],
            base=[b for _, b, _ in projected],
            orientation="h",
            name=PROJECTED_BARS,
            marker=dict(color="rgba(0,229,255,0.15)", line=dict(color=CYAN, width=1)),
            hovertemplate="ETA +%{x:.0f} ms<extra>projected</extra>",
        )
    )
    return fig


def _warn(threshold: float) -> float:
    """Amber from half the overflow threshold (500 of the default 1,000)."""
    half = threshold / 2
    return int(half) if float(half).is_integer() else half


def queue_gauge(depth: int | None, previous: int | None = None, threshold: float = QUEUE_OVERFLOW) -> go.Figure:
    """Gauge of the job queue depth against the overflow `threshold` (the queue-overflow
    alert's, red from there, amber from half of it); `previous`: the delta's reference."""
    if depth is None:
        return empty_figure("queue unreadable")
    top = max(threshold * 1.5, depth * 1.1)
    indicator = go.Indicator(
        name=QUEUE_TRACE,
        mode="gauge+number+delta" if previous is not None else "gauge+number",
        value=depth,
        delta=dict(reference=previous, increasing=dict(color=AMBER), decreasing=dict(color=GREEN))
        if previous is not None
        else None,
        number=dict(font=dict(size=36, color=CYAN)),
        gauge=dict(
            axis=dict(range=[0, top], tickcolor=MUTED),
            bar=dict(color=CYAN, thickness=0.3),
            bgcolor="rgba(0,0,0,0)",
            steps=[
                dict(range=[0, _warn(threshold)], color="rgba(43,213,118,0.15)"),
                dict(range=[_warn(threshold), threshold], color="rgba(255,176,0,0.18)"),
                dict(range=[threshold, top], color="rgba(255,59,92,0.18)"),
            ],
            threshold=dict(line=dict(color=RED, width=3), value=threshold),
        ),
    )
    return figure(indicator, layout=dict(template=TEMPLATE, margin=dict(l=24, r=24, t=16, b=8)))


def queue_gauge_parts(depth: int | None, previous: int | None = None, threshold: float = QUEUE_OVERFLOW) -> dict:
    top = max(threshold * 1.5, (depth or 0) * 1.1)
    return {
        trace_part(QUEUE_TRACE, "value"): depth,
        trace_part(QUEUE_TRACE, "delta", "reference"): previous,
        trace_part(QUEUE_TRACE, "gauge", "axis", "range"): [0, top],
        trace_part(QUEUE_TRACE, "gauge", "steps", 2, "range"): [threshold, top],
    }


def queue_trend(points: list[list[float]]) -> go.Figure:
    """Queue depth over the last ticks (the rolling series extended live with extendData)."""
    fig = figure(
        go.Scatter(
            x=[_ms(p[0]) for p in points],
            y=[p[1] for p in points],
            mode="lines",
            line=dict(color=AMBER, width=2),
            fill="tozeroy",
            fillcolor="rgba(255,176,0,0.10)",
            hovertemplate="%{x|%H:%M:%S} UTC<br>%{y}<extra></extra>",
        ),
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=36, r=8, t=4, b=20),
            xaxis=dict(type="date", tickformat="%H:%M", nticks=4),
            yaxis=dict(rangemode="tozero", nticks=3),
        ),
    )
    return fig


def trend_extension(
    points: list[list[float]], after_epoch: float | None, cap: int = TREND_POINTS
) -> tuple[dict, list[int], int] | None:
    """extendData for the queue trend: the points newer than `after_epoch`, the graph capped at `cap` points."""
    new = [p for p in points if after_epoch is None or p[0] > after_epoch]
    if not new:
        return None
    return dict(x=[[_ms(p[0]) for p in new]], y=[[p[1] for p in new]]), [0], cap
