"""Domain intelligence: expired domain hunter (and "expiring within N days"), the domain value
calculator with its breakdown, competitor portfolios with overlaps and the link gap, and the
brand mention monitor. All from `mc_domain_values` and the rollups via `model(ctx, …)`."""

from __future__ import annotations

from datetime import timedelta

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import domains as q
from analytics.dialect import day_key
from analytics.producer import analytics_of
from analytics.watchlist import resolve
from figures import domains as figs
from layouts.analysis_ids import Dom
from layouts.discovery import GRAPH, export_tools, page_now, panel, records, table

MENTION_DAYS = 30
HUNTER_COLUMNS = [("name", "domain"), ("value", "value"), ("status", "status"), ("authority", "authority"),
                  ("inbound_links", "backlinks to it"), ("inbound_avg_authority", "their avg authority"),
                  ("referring_domains", "referring domains"), ("expiration_date", "expires (UTC)")]
BREAKDOWN_COLUMNS = [("label", "factor"), ("value", "factor 0–100"), ("weight", "weight"), ("points", "points")]
PORTFOLIO_COLUMNS = [("domain", "domain"), ("referring_domains", "referring domains"),
                     ("top_linking_domains", "strongest linking domains"), ("owned_domains", "owns (same registrant / IP)")]
GAP_COLUMNS = [("source_domain", "linking domain"), ("competitors", "competitors it links"), ("authority", "authority")]


def model(ctx, within: int | None, picked: str | None) -> dict:
    """What the page shows, cached per rollup version, hour and controls."""
    a = analytics_of(ctx)
    svc = ctx.services
    now = page_now(ctx)

    def compute():
        a.refresher.ensure_tables()
        mc = svc.mc_engine
        watch = resolve(svc.engine, mc, svc.schema, a.settings)
        hunter = q.expired_domains(mc, now, within_days=within)
        name = picked or (str(hunter["name"].iloc[0]) if not hunter.empty else None)
        first = now - timedelta(days=MENTION_DAYS - 1)
        return {
            "now": now, "watch": watch, "hunter": hunter, "picked": name,
            "breakdown": q.value_breakdown(mc, name, dict(a.settings.value_weights)) if name else None,
            "portfolios": q.portfolios(mc, watch.all), "overlaps": q.overlaps(mc, watch.all),
            "gap": q.link_gap(mc, list(watch.tracked), list(watch.competitors)),
            "mentions": q.mentions(mc, now, MENTION_DAYS),
            "days": [day_key(first + timedelta(days=i)) for i in range(MENTION_DAYS)],
            "names": q.domain_names(mc),
        }

    return a.cached("domains", [within, picked, now.strftime("%Y-%m-%d %H")], compute)


def outputs(m: dict) -> dict:
    b = m["breakdown"]
    return {
        Dom.HUNTER: records(m["hunter"], [c for c, _h in HUNTER_COLUMNS]),
        Dom.BREAKDOWN: figs.value_breakdown(b),
        Dom.BREAKDOWN_TABLE: (b or {}).get("rows", []),
        Dom.SCORE: "—" if not b else f"{b['name']}: {b['value']:.2f}",
        Dom.PORTFOLIOS: records(m["portfolios"], [c for c, _h in PORTFOLIO_COLUMNS]),
        Dom.OVERLAP: figs.overlap_matrix(m["overlaps"], m["watch"].all),
        Dom.GAP: records(m["gap"], [c for c, _h in GAP_COLUMNS]),
        Dom.MENTIONS: figs.mentions_by_platform(m["mentions"], m["days"]),
        Dom.SENTIMENT: figs.sentiment_over_time(m["mentions"], m["days"]),
    }


def layout(ctx) -> html.Div:
    m = model(ctx, None, None)
    o = outputs(m)
    options = sorted(set(m["names"]) | ({m["picked"]} if m["picked"] else set()))
    breakdown_table = table(Dom.BREAKDOWN_TABLE, None, BREAKDOWN_COLUMNS)
    breakdown_table.data = o[Dom.BREAKDOWN_TABLE]
    return html.Div(id=Dom.PAGE, className="ana-screen", children=[
        dcc.Store(id=Dom.HELD, data={"key": None}),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("EXPIRED DOMAIN HUNTER", html.Div([
                html.Div(className="ana-controls", children=[
                    html.Span("show domains expiring within", className="muted"),
                    dcc.Input(id=Dom.WITHIN, type="number", min=1, max=3650, placeholder="days",
                              className="ana-inline-input", debounce=True),
                    html.Span("days (empty: already expired or unregistered)", className="muted"),
                ]),
                table(Dom.HUNTER, m["hunter"], HUNTER_COLUMNS, row_selectable=False),
            ]), "sorted by value", export_tools(Dom.HUNTER)), lg=7),
            dbc.Col(panel("DOMAIN VALUE CALCULATOR", html.Div([
                dcc.Dropdown(id=Dom.PICK, value=m["picked"], options=[{"label": n, "value": n} for n in options],
                             className="ana-dropdown", placeholder="domain"),
                html.Div(o[Dom.SCORE], id=Dom.SCORE, className="ana-score"),
                dcc.Graph(id=Dom.BREAKDOWN, figure=o[Dom.BREAKDOWN], config=GRAPH, style={"height": "240px"}),
                breakdown_table,
            ]), "why it scores what it does", export_tools(Dom.BREAKDOWN_TABLE)), lg=5),
        ]),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("COMPETITOR PORTFOLIOS", table(Dom.PORTFOLIOS, m["portfolios"], PORTFOLIO_COLUMNS),
                          "what each links from and owns", export_tools(Dom.PORTFOLIOS)), lg=7),
            dbc.Col(panel("OVERLAPS", dcc.Graph(id=Dom.OVERLAP, figure=o[Dom.OVERLAP], config=GRAPH,
                                                style={"height": "280px"}), "shared referring domains"), lg=5),
        ]),
        panel("LINK GAP", table(Dom.GAP, m["gap"], GAP_COLUMNS), "link to competitors, not to you",
              export_tools(Dom.GAP)),
        dbc.Row(className="g-3", children=[
            dbc.Col(panel("BRAND MENTIONS", dcc.Graph(id=Dom.MENTIONS, figure=o[Dom.MENTIONS], config=GRAPH,
                                                      style={"height": "260px"}), f"per platform, {MENTION_DAYS} days"), lg=6),
            dbc.Col(panel("SENTIMENT", dcc.Graph(id=Dom.SENTIMENT, figure=o[Dom.SENTIMENT], config=GRAPH,
                                                 style={"height": "260px"}), "mentions per day by sentiment"), lg=6),
        ]),
    ])
