"""Quota figures (pure: statuses / usage history in, `go.Figure` out; no Dash here).

`quota_bars` is shared by the quota page and the main screen's quota panel, so both always
draw the same numbers the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import plotly.graph_objects as go

from figures.theme import GRID, MONO, MUTED, SERIES, STATUS_COLOURS, TEMPLATE, TEXT, empty_figure, figure, mono_margin


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _label(s: dict) -> str:
    return s["api_name"] if s.get("enabled", True) else f"{s['api_name']} (no key)"


def quota_bars(statuses: list[dict], height: int | None = None) -> go.Figure:
    """Horizontal bars: each provider's share of its free tier used, coloured by status.

    A grey track shows the whole limit; providers without an API key are drawn in grey.
    The bar text is "used / limit" in units, the axis is percent (limits differ 20-fold).
    """
    if not statuses:
        return empty_figure("no quota data yet", height)
    rows = list(reversed(statuses))  # plotly draws the first category at the bottom
    labels = [_label(s) for s in rows]
    used_pct = [min(float(s.get("percentage_used") or 0), 100.0) for s in rows]
    colours = [STATUS_COLOURS.get(s.get("status"), MUTED) if s.get("enabled", True) else MUTED for s in rows]
    text = [f"{int(s['used']):,} / {int(s['limit']):,}" for s in rows]
    hover = [
        f"{s['api_name']}: {int(s['used']):,} of {int(s['limit']):,} used ({s.get('percentage_used', 0)}%)"
        f"<br>status {s.get('status')}, resets {str(s.get('reset_date', ''))[:10]}"
        for s in rows
    ]
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            height=height or 48 + 30 * len(rows),
            barmode="overlay",
            showlegend=False,
            margin=dict(l=mono_margin(labels), r=16, t=8, b=28),
        )
    )
    fig.add_bar(y=labels, x=[100] * len(rows), orientation="h", marker=dict(color=GRID), hoverinfo="skip", name="limit")
    fig.add_bar(
        y=labels,
        x=used_pct,
        orientation="h",
        marker=dict(color=colours),
        text=text,
        textposition="outside",
        cliponaxis=False,
        textfont=dict(family=MONO, color=TEXT),
        hovertext=hover,
        hoverinfo="text",
        name="used",
    )
    fig.update_xaxes(range=[0, 118], tickvals=[0, 25, 50, 75, 100], ticktext=["0", "25%", "50%", "75%", "100%"])
    fig.update_yaxes(tickfont=dict(family=MONO, color=TEXT))
    return fig


def burndown(history: dict[str, dict], statuses: list[dict], now: datetime, height: int = 280) -> go.Figure:
    """Remaining quota (% of limit) through each provider's period, and its projection.

    Solid: what was left at the end of each day so far. Dashed: the projection from now at the
    forecast's rate (the higher of the short and long burn rates) to the reset or to zero.
    Providers without a key are left out unless they were used.
    """
    shown = [s for s in statuses if s.get("enabled", True) or s.get("used")]
    if not shown:
        return empty_figure("no provider has an API key yet", height)
    fig = figure(
        layout=dict(
            template=TEMPLATE,
            height=height,
            hovermode="x unified",
            xaxis=dict(type="date"),  # UTC; the browser shows it in the viewer's zone
            legend=dict(orientation="h", y=-0.18),
            margin=dict(l=44, r=16, t=12, b=40),
        )
    )
    for i, s in enumerate(shown):
        h = history.get(s["api_name"])
        if not h or not s["limit"]:
            continue
        colour = SERIES[i % len(SERIES)]
        limit = float(s["limit"])
        start, reset = _when(h["period_start"]), _when(h["reset"])
        xs, ys, cumulative = [start], [100.0], 0
        day = start
        while day < now and day < reset:
            cumulative += h["daily"].get(day.date().isoformat(), 0)
            end = min(day + timedelta(days=1), now)
            xs.append(end)
            ys.append(max(100.0 - cumulative / limit * 100, 0.0))
            day += timedelta(days=1)
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color=colour, width=2),
            name=s["api_name"],
            legendgroup=s["api_name"],
            hovertemplate="%{y:.0f}% left<extra>" + s["api_name"] + "</extra>",
        )
        rate = max(float(s.get("burn_rate_short") or 0), float(s.get("burn_rate_long") or 0))
        left = float(s["remaining"])
        end_x = reset
        if rate > 0 and now + timedelta(days=left / rate) < reset:
            end_x = now + timedelta(days=left / rate)
        end_left = max(left - rate * (end_x - now).total_seconds() / 86400, 0.0)
        fig.add_scatter(
            x=[now, end_x],
            y=[left / limit * 100, end_left / limit * 100],
            mode="lines",
            line=dict(color=colour, width=2, dash="dash"),
            name=f"{s['api_name']} projected",
            legendgroup=s["api_name"],
            showlegend=False,
            hovertemplate="%{y:.0f}% projected<extra>" + s["api_name"] + "</extra>",
        )
    fig.add_vline(x=now.astimezone(UTC).timestamp() * 1000, line=dict(color=MUTED, dash="dot", width=1))
    fig.update_yaxes(range=[0, 105], ticksuffix="%", title=None)
    return fig
