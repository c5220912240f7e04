"""Figures of the domain intelligence page. Pure: data in, `go.Figure` out (no Dash)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import AMBER, BLUE, CYAN, GREEN, MUTED, RED, SERIES, TEMPLATE, empty_figure, figure

SENTIMENT_COLOURS = {"positive": GREEN, "neutral": BLUE, "negative": RED, "mixed": AMBER, "unknown": MUTED}


def value_breakdown(b: dict | None) -> go.Figure:
    """A waterfall: each factor's points stacking up to the domain's score (the sum is the score)."""
    if not b:
        return empty_figure("pick a domain")
    rows = b["rows"]
    # Two-word factor names on two lines: seven rotated labels did not fit under a half-width panel.
    fig = figure(
        go.Waterfall(
            x=[r["label"].replace(" ", "<br>") for r in rows] + ["score"],
            y=[r["points"] for r in rows] + [b["value"]],
            measure=["relative"] * len(rows) + ["total"],
            connector=dict(line=dict(color="#16263f")),
            increasing=dict(marker=dict(color=CYAN)),
            totals=dict(marker=dict(color=AMBER)),
            customdata=[[r["value"], r["weight"]] for r in rows] + [[b["value"], 1]],
            hovertemplate="%{x}: %{y:.2f} points<br>factor %{customdata[0]} × weight %{customdata[1]}<extra></extra>",
        ),
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=40, r=10, t=10, b=40),
            showlegend=False,
            xaxis=dict(tickangle=0, automargin=True),
            yaxis=dict(range=[0, 100], title=dict(text="points", font=dict(color=MUTED))),
        ),
    )
    return fig


def overlap_matrix(rows: pd.DataFrame, domains: list[str]) -> go.Figure:
    """Shared referring domains between every two watched domains (symmetric heat map)."""
    if rows.empty or len(domains) < 2:
        return empty_figure("needs two watched domains")
    shared = {}
    for a, b, n in rows[["domain_a", "domain_b", "shared"]].itertuples(index=False):
        shared[(a, b)] = shared[(b, a)] = int(n)
    z = [[None if a == b else shared.get((a, b), 0) for b in domains] for a in domains]
    return figure(
        go.Heatmap(
            z=z,
            x=domains,
            y=domains,
            colorscale=[[0, "#07101f"], [0.5, BLUE], [1, CYAN]],
            hovertemplate="%{y} ∩ %{x}: %{z:,} shared referring domains<extra></extra>",
            colorbar=dict(thickness=10),
        ),
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=8, r=8, t=10, b=8),
            xaxis=dict(type="category", automargin=True, tickangle=-30),
            yaxis=dict(type="category", automargin=True, autorange="reversed"),
        ),
    )


def mentions_by_platform(rows: pd.DataFrame, days: list[str]) -> go.Figure:
    """Mentions per day, stacked by platform."""
    if rows.empty:
        return empty_figure("no mentions in this window")
    per = rows.groupby(["day", "platform"])["mentions"].sum()
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            barmode="stack",
            margin=dict(l=40, r=10, t=10, b=40),
            legend=dict(orientation="h", y=1.12),
            xaxis=dict(type="category", nticks=12),
        )
    )
    for i, platform in enumerate(sorted(rows["platform"].unique())):
        fig.add_trace(
            go.Bar(
                x=days,
                y=[int(per.get((d, platform), 0)) for d in days],
                name=str(platform),
                marker_color=SERIES[i % len(SERIES)],
                hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>",
            )
        )
    return fig


def sentiment_over_time(rows: pd.DataFrame, days: list[str]) -> go.Figure:
    """Mentions per day by sentiment (lines)."""
    if rows.empty:
        return empty_figure("no mentions in this window")
    per = rows.groupby(["day", "sentiment"])["mentions"].sum()
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=40, r=10, t=10, b=40),
            legend=dict(orientation="h", y=1.12),
            xaxis=dict(type="category", nticks=12),
        )
    )
    for sentiment in sorted(rows["sentiment"].unique()):
        fig.add_trace(
            go.Scatter(
                x=days,
                y=[int(per.get((d, sentiment), 0)) for d in days],
                name=str(sentiment),
                mode="lines+markers",
                line=dict(color=SENTIMENT_COLOURS.get(str(sentiment), MUTED)),
            )
        )
    return fig
