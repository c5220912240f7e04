"""Backlink discovery operations: discovery radar, authority × day heat map, competition board,
link velocity, anchor-text distribution and the new high-authority finds. Click a heat-map
cell or a velocity bar to list the links behind it; every table exports to CSV.

Every figure here comes from the rollups through `model(ctx, …)` (memoised per rollup version);
crawled text is shown only in DataTable cells (plain text) or as Dash children.
"""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from analytics import discovery as q
from analytics.producer import analytics_of
from analytics.watchlist import resolve
from figures import discovery as figs
from layouts.analysis_ids import Disc, csv_button, csv_download

GRAPH = {"displayModeBar": False, "responsive": True}
WINDOWS = (7, 30, 90)
ALL = "__all__"
TABLE_STYLE = dict(
    style_table={"overflowX": "auto", "maxHeight": "360px", "overflowY": "auto"},
    style_header={"backgroundColor": "#0b1628", "color": "#6d7f99", "fontWeight": "600", "border": "none"},
    style_cell={"backgroundColor": "transparent", "color": "#c9d6ea", "border": "none", "fontSize": "12px",
                "fontFamily": "'DejaVu Sans Mono', monospace", "textAlign": "left", "maxWidth": "360px",
                "overflow": "hidden", "textOverflow": "ellipsis", "padding": "4px 8px"},
    style_data={"borderBottom": "1px solid #16263f"},
)


def panel(title: str, body, subtitle: str | None = None, tools=None) -> html.Section:
    head = [html.H2(title, className="panel-title")]
    if subtitle:
        head.append(html.Span(subtitle, className="panel-subtitle"))
    if tools is not None:
        head.append(html.Div(tools, className="ana-tools"))
    return html.Section(className="panel ana-panel", children=[html.Div(head, className="panel-head"), body])


def table(table_id: str, frame, columns: list[tuple[str, str]], **extra) -> dash_table.DataTable:
    """A plain-text DataTable (no markdown, no HTML) of `frame`'s `columns` [(field, header)]."""
    return dash_table.DataTable(id=table_id, columns=[{"name": h, "id": c} for c, h in columns],
                                data=records(frame, [c for c, _h in columns]), page_action="none",
                                sort_action="native", **TABLE_STYLE, **extra)


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?")


def records(frame, columns: list[str]) -> list[dict]:
    """DataFrame rows as JSON-ready dicts (timestamps as text, NaN as None)."""
    if frame is None or frame.empty:
        return []
    out = []
    for row in frame[columns].to_dict("records"):
        clean = {}
        for k, v in row.items():
            if v is None or (isinstance(v, float) and v != v):
                clean[k] = None
            elif hasattr(v, "isoformat"):
                clean[k] = str(v)[:16]  # minutes are enough on screen; UTC like all stored times
            elif isinstance(v, str) and _TIMESTAMP.fullmatch(v):
                clean[k] = v[:16]  # SQLite hands timestamps back as text
            else:
                v = v.item() if hasattr(v, "item") else v
                if isinstance(v, float):
                    v = round(v, 2)
                clean[k] = v if isinstance(v, (int, float, bool)) else str(v)
        out.append(clean)
    return out


def export_tools(table_id: str):
    return [dbc.Button("CSV", id=csv_button(table_id), size="sm", className="ana-csv", n_clicks=0),
            dcc.Download(id=csv_download(table_id))]


def page_now(ctx):
    """The producer's 'now' (the latest snapshot's build time), so pages and snapshot agree."""
    from datetime import UTC, datetime

    from data.frames import utcnow

    try:
        _v, doc = ctx.snapshots.load()
        built = (doc or {}).get("mc", {}).get("built_at")
        if built:
            return datetime.fromtimestamp(float(built), UTC).replace(tzinfo=None)
    except Exception:  # Redis down: the wall clock still answers
        return utcnow()
    return utcnow()


BOARD_COLUMNS = [("domain", "domain"), ("referring_domains", "referring domains"), ("new_links", "new"),
                 ("lost_links", "lost"), ("new_per_day", "new / day"), ("lost_per_day", "lost / day")]
FINDS_COLUMNS = [("first_seen", "found (UTC)"), ("authority", "authority"), ("source_domain", "linking domain"),
                 ("target_domain", "target"), ("anchor_text", "anchor"), ("source_url", "source URL"),
                 ("link_type", "type"), ("spam_level", "spam")]
DRILL_COLUMNS = [("first_seen", "found (UTC)"), ("authority", "authority"), ("source_domain", "linking domain"),
                 ("source_url", "source URL"), ("target_url", "target URL"), ("anchor_text", "anchor"),
                 ("link_type", "type"), ("spam_level", "spam"), ("reason", "lost because")]


def model(ctx, days: int, domain: str | None) -> dict:
    """Everything the page shows for (window, domain filter), cached per rollup version and hour."""
    a = analytics_of(ctx)
    svc = ctx.services
    now = page_now(ctx)
    key = [days, domain, now.strftime("%Y-%m-%d %H")]

    def compute():
        a.refresher.ensure_tables()
        mc = svc.mc_engine
        watch = resolve(svc.engine, mc, svc.schema, a.settings)
        scope = [domain] if domain else None
        board_domains = watch.all
        return {
            "now": now, "watch": watch, "days": [d for d in q.velocity(mc, now, days)["day"]],
            "radar": q.radar(mc, now, watch.all or None),
            "heatmap": q.heatmap(mc, now, days, scope),
            "board": q.competition(mc, now, days, board_domains),
            "velocity": q.velocity(mc, now, days, scope),
            "anchors": q.anchors(mc, now, days, scope),
            "finds": q.finds(mc, now, days, scope),
        }

    return a.cached("discovery", key, compute)


def figures_of(m: dict) -> dict:
    return {
        Disc.RADAR: figs.radar(m["radar"]),
        Disc.HEATMAP: figs.authority_heatmap(m["heatmap"], m["days"]),
        Disc.MIX: figs.authority_mix(m["board"]),
        Disc.VELOCITY: figs.velocity(m["velocity"]),
        Disc.ANCHORS: figs.anchors(m["anchors"]),
    }


def watch_note(m: dict) -> str:
    w = m["watch"]
    tracked = ", ".join(w.tracked) or "—"
    rivals = ", ".join(w.competitors) or "—"
    return f"tracked: {tracked} · competitors: {rivals} ({w.source})"


def layout(ctx) -> html.Div:
    """The page, filled right away from the rollups (30 days, every domain)."""
    m = model(ctx, 30, None)
    f = figures_of(m)
    options = [{"label": "all target domains", "value": ALL}] + [{"label": d, "value": d} for d in m["watch"].all]

    def graph(gid, height=300):
        return dcc.Graph(id=gid, figure=f[gid], config=GRAPH, style={"height": f"{height}px"})

    return html.Div(id=Disc.PAGE, className="ana-screen", children=[
        dcc.Store(id=Disc.HELD, data={"key": None}),
        html.Div(className="ana-controls", children=[
            dbc.RadioItems(id=Disc.WINDOW, value=30, inline=True, className="ana-window",
                           options=[{"label": f"{d} days", "value": d} for d in WINDOWS]),
            dcc.Dropdown(id=Disc.DOMAIN, value=ALL, options=options, clearable=False, className="ana-dropdown"),
            html.Span(watch_note(m), id=Disc.WATCH_NOTE, className="muted ana-note"),
        ]),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("DISCOVERY RADAR", graph(Disc.RADAR, 320), "per target domain, live"), lg=5),
            dbc.Col(panel("AUTHORITY × DAY", graph(Disc.HEATMAP, 320), "links found · click a cell"), lg=7),
        ]),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("COMPETITION BOARD", table(Disc.BOARD, m["board"], BOARD_COLUMNS), "head to head in the window",
                          export_tools(Disc.BOARD)), lg=6),
            dbc.Col(panel("AUTHORITY MIX", graph(Disc.MIX, 260), "share of links per authority bucket"), lg=6),
        ]),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("LINK VELOCITY", graph(Disc.VELOCITY, 300), "new and lost per day · click a bar"), lg=8),
            dbc.Col(panel("ANCHOR TEXT", graph(Disc.ANCHORS, 300), "distribution in the window"), lg=4),
        ]),
        panel("NEW HIGH-AUTHORITY FINDS", table(Disc.FINDS, m["finds"], FINDS_COLUMNS), "newest first",
              export_tools(Disc.FINDS)),
        panel("LINKS BEHIND THE SELECTION", html.Div([
            html.Div("click a heat-map cell or a velocity bar", id=Disc.DRILL_TITLE, className="muted"),
            table(Disc.DRILL, None, DRILL_COLUMNS)]), None, export_tools(Disc.DRILL)),
    ])
