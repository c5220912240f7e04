"""Backlink discovery operations: discovery radar, authority × day heat map, competition board,
link velocity, anchor-text distribution and the new high-authority finds. Click a heat-map
cell or a velocity bar to list the links behind it; every table exports to CSV.

The data comes from views.discovery (rollups, memoised per rollup version); crawled text is
shown only in DataTable cells (plain text) or as Dash children.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.analysis_ids import Disc
from layouts.analysis_parts import export_tools, panel, table
from layouts.panels import GRAPH_CONFIG
from views.discovery import BOARD_COLUMNS, DRILL_COLUMNS, FINDS_COLUMNS, figures_of, model, watch_note

WINDOWS = (7, 30, 90)
ALL = "__all__"


def layout(ctx) -> html.Div:
    """The page, filled right away from the rollups (30 days, every domain)."""
    m = model(ctx, 30, None)
    f = figures_of(m)
    options = [{"label": "all target domains", "value": ALL}] + [{"label": d, "value": d} for d in m["watch"].all]

    def graph(gid, height=300):
        return dcc.Graph(id=gid, figure=f[gid], config=GRAPH_CONFIG, style={"height": f"{height}px"})

    return html.Div(
        id=Disc.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Disc.HELD, data={"key": None}),
            html.Div(
                className="ana-controls",
                children=[
                    dbc.RadioItems(
                        id=Disc.WINDOW,
                        value=30,
                        inline=True,
                        className="ana-window",
                        options=[{"label": f"{d} days", "value": d} for d in WINDOWS],
                    ),
                    dcc.Dropdown(id=Disc.DOMAIN, value=ALL, options=options, clearable=False, className="ana-dropdown"),
                    html.Span(watch_note(m), id=Disc.WATCH_NOTE, className="muted ana-note"),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(panel("DISCOVERY RADAR", graph(Disc.RADAR, 320), "per target domain, live"), lg=5),
                    dbc.Col(panel("AUTHORITY × DAY", graph(Disc.HEATMAP, 320), "links found · click a cell"), lg=7),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel(
                            "COMPETITION BOARD",
                            table(Disc.BOARD, m["board"], BOARD_COLUMNS),
                            "head to head in the window",
                            export_tools(Disc.BOARD),
                        ),
                        lg=6,
                    ),
                    dbc.Col(panel("AUTHORITY MIX", graph(Disc.MIX, 260), "share of links per authority bucket"), lg=6),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel("LINK VELOCITY", graph(Disc.VELOCITY, 300), "new and lost per day · click a bar"), lg=8
                    ),
                    dbc.Col(panel("ANCHOR TEXT", graph(Disc.ANCHORS, 300), "distribution in the window"), lg=4),
                ],
            ),
            panel(
                "NEW HIGH-AUTHORITY FINDS",
                table(Disc.FINDS, m["finds"], FINDS_COLUMNS),
                "newest first",
                export_tools(Disc.FINDS),
            ),
            panel(
                "LINKS BEHIND THE SELECTION",
                html.Div(
                    [
                        html.Div("click a heat-map cell or a velocity bar", id=Disc.DRILL_TITLE, className="muted"),
                        table(Disc.DRILL, None, DRILL_COLUMNS),
                    ]
                ),
                None,
                export_tools(Disc.DRILL),
            ),
        ],
    )
