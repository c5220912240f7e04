"""The drain projection (pure: forecasts in, `go.Figure` out): the queue's depth from now to
empty at the measured rate, and with the what-if number of satellites."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go

from figures.theme import SERIES, TEMPLATE, empty_figure, figure


def _line(fc, until) -> tuple[list, list]:
    """Depth from made_at to `until` at the forecast's net rate (straight: the rates are constant)."""
    rate = fc.net_rate or 0.0
    minutes = (until - fc.made_at).total_seconds() / 60.0
    end_depth = max(0.0, fc.depth - rate * minutes)
    xs, ys = [fc.made_at], [fc.depth]
    if fc.empty_at is not None and fc.empty_at < until:
        xs.append(fc.empty_at)
        ys.append(0)
    xs.append(until)
    ys.append(end_depth if fc.empty_at is None or fc.empty_at >= until else 0)
    return xs, ys


def drain_projection(base, what_if=None, height: int | None = 260) -> go.Figure:
    """Two straight lines of queue depth over time (UTC): now → empty, current fleet and what-if."""
    if base is None or base.depth == 0:
        return empty_figure("the queue is empty" if base is not None else "no measured rate yet", height)
    ends = [f.empty_at for f in (base, what_if) if f is not None and f.empty_at is not None]
    until = max(ends) if ends else base.made_at + timedelta(hours=6)
    until = max(until, base.made_at + timedelta(minutes=10))
    fig = figure()
    for fc, name, colour in ((base, f"{base.satellites} satellites (now)", SERIES[0]), (what_if, None, SERIES[1])):
        if fc is None or (fc is what_if and fc.satellites == base.satellites):
            continue
        xs, ys = _line(fc, until)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=name or f"{fc.satellites} satellites",
                line={"color": colour, "width": 2, "dash": None if fc is base else "dash"},
                hovertemplate="%{x|%H:%M} UTC · %{y:.0f} jobs<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 50, "r": 10, "t": 10, "b": 30},
        yaxis={"title": "jobs queued", "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.1},
    )
    return fig
