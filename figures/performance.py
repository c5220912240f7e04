"""Figures of the crawler performance page. Pure: DataFrames in, `go.Figure` out (no Dash)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import MUTED, SERIES, TEMPLATE, empty_figure, figure


def response_trend(rows: pd.DataFrame) -> go.Figure:
    """Hourly mean response time per target site (one line each), on a time axis: a category
    axis would order the hours by first appearance, so a site seen late would draw backwards."""
    if rows.empty:
        return empty_figure("no attributed crawl logs in 24 h")
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=48, r=10, t=10, b=40),
            legend=dict(orientation="h", y=1.15, font=dict(size=10)),
            xaxis=dict(type="date", tickformat="%H:%M"),
            yaxis=dict(rangemode="tozero", title=dict(text="response ms", font=dict(color=MUTED))),
        )
    )
    for i, (site, part) in enumerate(rows.groupby("site", sort=True)):
        part = part.sort_values("hour")
        fig.add_trace(
            go.Scatter(
                x=[f"{h}:00" for h in part["hour"]],
                y=part["response_ms"],
                name=str(site),
                mode="lines+markers",
                line=dict(color=SERIES[i % len(SERIES)]),
                hovertemplate="%{x|%Y-%m-%d %H:%M} UTC<br>%{y:.0f} ms<extra>%{fullData.name}</extra>",
            )
        )
    return fig
