"""Figures of the discovery operations page. Pure: DataFrames in, `go.Figure` out (no Dash)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import AMBER, BLUE, CYAN, GREEN, MUTED, RED, SERIES, TEMPLATE, empty_figure, figure

RADAR_AXES = (
    ("backlinks", "backlinks"),
    ("referring_domains", "referring domains"),
    ("avg_authority", "avg authority"),
    ("new_24h", "found 24 h"),
    ("spam_share_pct", "spam %"),
)
BUCKET_NAMES = [f"{b * 10}–{b * 10 + 10}" for b in range(10)]


def radar(rows: pd.DataFrame) -> go.Figure:
    """One polygon per target domain over five axes, each scaled to its maximum across domains
    (hover shows the real value)."""
    if rows.empty:
        return empty_figure("no backlinks yet")
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=40, r=40, t=20, b=20),
            showlegend=True,
            legend=dict(orientation="h", y=-0.1, font=dict(size=10)),
            polar=dict(radialaxis=dict(showticklabels=False, range=[0, 100])),
        )
    )
    theta = [label for _k, label in RADAR_AXES]
    tops = {k: float(pd.to_numeric(rows[k]).fillna(0).max() or 0) for k, _l in RADAR_AXES}
    for i, r in enumerate(rows.to_dict("records")):
        values = [float(r[k] or 0) if r[k] == r[k] else 0.0 for k, _l in RADAR_AXES]
        scaled = [round(v / tops[k] * 100, 1) if tops[k] else 0.0 for v, (k, _l) in zip(values, RADAR_AXES)]
        fig.add_trace(
            go.Scatterpolar(
                r=[*scaled, scaled[0]],
                theta=[*theta, theta[0]],
                name=str(r["target_domain"]),
                fill="toself",
                opacity=0.75,
                line=dict(color=SERIES[i % len(SERIES)]),
                customdata=[*values, values[0]],
                hovertemplate="%{theta}: %{customdata:,}<extra>%{fullData.name}</extra>",
            )
        )
    return fig


def authority_heatmap(cells: pd.DataFrame, days: list[str]) -> go.Figure:
    """Authority bucket (rows, 0–10 … 90–100) × day (columns); colour = links found."""
    if cells.empty:
        return empty_figure("no links in this window")
    known = cells[cells["authority_bucket"] >= 0]
    grid = {(str(d), int(b)): int(n) for d, b, n in known[["day", "authority_bucket", "links"]].itertuples(index=False)}
    z = [[grid.get((d, b), 0) for d in days] for b in range(10)]
    fig = figure(
        go.Heatmap(
            z=z,
            x=days,
            y=BUCKET_NAMES,
            colorscale=[[0, "#07101f"], [0.35, BLUE], [0.7, CYAN], [1, AMBER]],
            hovertemplate="%{x} · authority %{y}<br>%{z:,} links<extra></extra>",
            colorbar=dict(title=dict(text="links", font=dict(color=MUTED)), thickness=10),
        ),
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=60, r=10, t=10, b=40),
            xaxis=dict(type="category", tickangle=-45, nticks=15),
            yaxis=dict(title=dict(text="authority", font=dict(color=MUTED))),
        ),
    )
    return fig


def velocity(rows: pd.DataFrame) -> go.Figure:
    """New links per day (up), lost per day (down, not cumulative) and referring domains (line)."""
    if rows.empty:
        return empty_figure("no links in this window")
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            barmode="relative",
            margin=dict(l=48, r=48, t=10, b=40),
            legend=dict(orientation="h", y=1.12),
            xaxis=dict(type="category", tickangle=-45, nticks=15),
            yaxis=dict(title=dict(text="links / day", font=dict(color=MUTED))),
            yaxis2=dict(
                overlaying="y",
                side="right",
                showgrid=False,
                rangemode="tozero",
                title=dict(text="referring domains", font=dict(color=MUTED)),
            ),
        )
    )
    fig.add_trace(
        go.Bar(
            x=rows["day"],
            y=rows["new_links"],
            name="new",
            marker_color=CYAN,
            hovertemplate="%{x}<br>%{y:,} new<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=rows["day"],
            y=-rows["lost_links"],
            name="lost",
            marker_color=RED,
            customdata=rows["lost_links"],
            hovertemplate="%{x}<br>%{customdata:,} lost<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=rows["day"],
            y=rows["referring_domains"],
            name="referring domains",
            yaxis="y2",
            line=dict(color=AMBER, width=2),
            hovertemplate="%{x}<br>%{y:,} referring domains<extra></extra>",
        )
    )
    return fig


def anchors(rows: pd.DataFrame) -> go.Figure:
    """Anchor-text distribution: horizontal bars, most used on top."""
    if rows.empty:
        return empty_figure("no anchors in this window")
    labels = [a if a else "(empty)" for a in rows["anchor"].astype(str)]
    fig = figure(
        go.Bar(
            y=labels,
            x=rows["links"],
            orientation="h",
            marker_color=BLUE,
            customdata=rows["share_pct"],
            hovertemplate="%{x:,} links · %{customdata}%<extra></extra>",
        ),
        layout=dict(
            template=TEMPLATE,
            margin=dict(l=8, r=10, t=10, b=30),
            yaxis=dict(autorange="reversed", automargin=True, tickfont=dict(size=10)),
        ),
    )
    return fig


def authority_mix(rows: pd.DataFrame) -> go.Figure:
    """Each watched domain's links by authority bucket, as 100 % stacked bars."""
    if rows.empty:
        return empty_figure("no watched domains")
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            barmode="stack",
            margin=dict(l=8, r=10, t=10, b=30),
            legend=dict(orientation="h", y=-0.2, font=dict(size=9)),
            # A "%" suffix, not an axis title: the legend sits where a title would.
            xaxis=dict(range=[0, 100], ticksuffix="%"),
            yaxis=dict(autorange="reversed", automargin=True),
        )
    )
    colours = ["#16263f", "#1d3a66", "#22508c", BLUE, "#3fa0ff", CYAN, "#5ad1c9", GREEN, AMBER, RED]
    for b in range(10):
        fig.add_trace(
            go.Bar(
                y=rows["domain"],
                x=rows[f"mix_{b}"],
                orientation="h",
                name=BUCKET_NAMES[b],
                marker_color=colours[b],
                hovertemplate="%{y}: %{x}%<extra>" + BUCKET_NAMES[b] + "</extra>",
            )
        )
    return fig
