"""Backlink discovery operations: discovery radar, authority × day heat map, competition board,
link velocity, anchor-text distribution and the new high-authority finds. Click a heat-map
cell or a velocity bar to list the links behind it; every table exports to CSV.

Crawled text is shown only in DataTable cells (plain text) or as Dash children.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.discovery.ids import DiscoveryIds as Ids
from pages.discovery.model import ALL_DOMAINS, DEFAULT_WINDOW, WINDOWS, key, model
from pages.discovery.render import BOARD_COLUMNS, DRILL_COLUMNS, FINDS_COLUMNS, render
from ui.panel import GRAPH_CONFIG, analysis_panel
from ui.tables import export_tools, table


def layout(ctx) -> html.Div:
    """The page, filled right away from the rollups (30 days, every domain)."""
    shown = model(ctx, DEFAULT_WINDOW, None)
    renders = render(shown)
    options = [{"label": "all target domains", "value": ALL_DOMAINS}] + [
        {"label": d, "value": d} for d in shown["watch"].all
    ]

    def graph(graph_id, height=300):
        return dcc.Graph(
            id=graph_id, figure=renders[graph_id].full, config=GRAPH_CONFIG, style={"height": f"{height}px"}
        )

    def data_table(table_id, columns):
        return table(table_id, renders[table_id].full, columns)

    return html.Div(
        id=Ids.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Ids.HELD, data={"key": key(ctx, DEFAULT_WINDOW, None)}),
            html.Div(
                className="ana-controls",
                children=[
                    dbc.RadioItems(
                        id=Ids.WINDOW,
                        value=DEFAULT_WINDOW,
                        inline=True,
                        className="ana-window",
                        options=[{"label": f"{d} days", "value": d} for d in WINDOWS],
                    ),
                    dcc.Dropdown(
                        id=Ids.DOMAIN, value=ALL_DOMAINS, options=options, clearable=False, className="ana-dropdown"
                    ),
                    html.Span(renders[Ids.WATCH_NOTE].full, id=Ids.WATCH_NOTE, className="muted ana-note"),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(analysis_panel("DISCOVERY RADAR", graph(Ids.RADAR, 320), "per target domain, live"), lg=5),
                    dbc.Col(
                        analysis_panel("AUTHORITY × DAY", graph(Ids.HEATMAP, 320), "links found · click a cell"), lg=7
                    ),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        analysis_panel(
                            "COMPETITION BOARD",
                            data_table(Ids.BOARD, BOARD_COLUMNS),
                            "head to head in the window",
                            export_tools(Ids.BOARD),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        analysis_panel("AUTHORITY MIX", graph(Ids.MIX, 260), "share of links per authority bucket"),
                        lg=6,
                    ),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        analysis_panel("LINK VELOCITY", graph(Ids.VELOCITY, 300), "new and lost per day · click a bar"),
                        lg=8,
                    ),
                    dbc.Col(analysis_panel("ANCHOR TEXT", graph(Ids.ANCHORS, 300), "distribution in the window"), lg=4),
                ],
            ),
            analysis_panel(
                "NEW HIGH-AUTHORITY FINDS",
                data_table(Ids.FINDS, FINDS_COLUMNS),
                "newest first",
                export_tools(Ids.FINDS),
            ),
            analysis_panel(
                "LINKS BEHIND THE SELECTION",
                html.Div(
                    [
                        html.Div("click a heat-map cell or a velocity bar", id=Ids.DRILL_TITLE, className="muted"),
                        table(Ids.DRILL, [], DRILL_COLUMNS),
                    ]
                ),
                None,
                export_tools(Ids.DRILL),
            ),
        ],
    )
