"""Pure figure builders for the alert center (dicts in, `go.Figure` out; no Dash)."""

from __future__ import annotations

from collections import Counter

import plotly.graph_objects as go

from common.timestamps import to_datetime
from figures.theme import STATUS_COLOURS, TEMPLATE, empty_figure, figure

SEVERITIES = ("critical", "warning", "info")


def history_figure(events: list[dict], height: int = 220) -> go.Figure:
    """Alerts that fired per hour, stacked by severity, from history records (`at`, `event`, `severity`)."""
    fired = [(at, e) for e in events if e.get("event") == "firing" and (at := to_datetime(e.get("at"))) is not None]
    if not fired:
        return empty_figure("No alerts fired in this period", height=height)
    counts = Counter((at.replace(minute=0, second=0, microsecond=0), e.get("severity")) for at, e in fired)
    hours = sorted({h for h, _ in counts})
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            height=height,
            barmode="stack",
            bargap=0.15,
            margin=dict(l=36, r=8, t=8, b=28),
            showlegend=True,
            legend=dict(orientation="h", y=1.12, x=0),
            xaxis=dict(type="date"),  # UTC hours; the browser shows them in the viewer's zone
        )
    )
    for sev in SEVERITIES:
        ys = [counts.get((h, sev), 0) for h in hours]
        if any(ys):
            fig.add_bar(
                x=hours,
                y=ys,
                name=sev,
                marker_color=STATUS_COLOURS[sev],
                # %M: in a zone half an hour off UTC (where the browser may show it) the hour starts at :30.
                hovertemplate="%{x|%H:%M} UTC: %{y} " + sev + "<extra></extra>",
            )
    fig.update_yaxes(title=None, rangemode="tozero", dtick=None)
    return fig
