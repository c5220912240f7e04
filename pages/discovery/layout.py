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
from ui.arrange import arrangeable, stack
from ui.live import page_renders
from ui.panel import analysis_panel, graph_panel
from ui.tables import export_tools, table, table_panel


# The drawn rows, as the default arrangement: (panel, width of 12, height in grid rows).
ARRANGEMENT = stack(
    ((Ids.PANEL_RADAR, 5, 15), (Ids.PANEL_HEATMAP, 7, 15)),
    ((Ids.PANEL_BOARD, 6, 13), (Ids.PANEL_MIX, 6, 13)),
    ((Ids.PANEL_VELOCITY, 8, 14), (Ids.PANEL_ANCHORS, 4, 14)),
    ((Ids.PANEL_FINDS, 12, 17),),
    ((Ids.PANEL_DRILL, 12, 12),),
)


def layout(ctx) -> html.Div:
    """The page, filled right away from the rollups (30 days, every domain)."""
    shown = model(ctx, DEFAULT_WINDOW, None)
    held = key(ctx, DEFAULT_WINDOW, None)
    renders = page_renders(ctx, "discovery", render).renders(held, shown)
    options = [{"label": "all target domains", "value": ALL_DOMAINS}] + [
        {"label": d, "value": d} for d in shown["watch"].all
    ]

    def data_table(table_id, columns):
        return table(table_id, renders[table_id].full, columns)

    return html.Div(
        id=Ids.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Ids.HELD, data={"key": held}),
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
            arrangeable(
                Ids.GRID,
                Ids.ARRANGED,
                Ids.RESET_LAYOUT,
                [
                    graph_panel(
                        "DISCOVERY RADAR",
                        Ids.RADAR,
                        renders[Ids.RADAR].full,
                        320,
                        "per target domain, live",
                        Ids.PANEL_RADAR,
                    ),
                    graph_panel(
                        "AUTHORITY × DAY",
                        Ids.HEATMAP,
                        renders[Ids.HEATMAP].full,
                        320,
                        "links found · click a cell",
                        Ids.PANEL_HEATMAP,
                    ),
                    table_panel(
                        "COMPETITION BOARD",
                        Ids.BOARD,
                        renders[Ids.BOARD].full,
                        BOARD_COLUMNS,
                        "head to head in the window",
                        panel_id=Ids.PANEL_BOARD,
                    ),
                    graph_panel(
                        "AUTHORITY MIX",
                        Ids.MIX,
                        renders[Ids.MIX].full,
                        260,
                        "share of links per authority bucket",
                        Ids.PANEL_MIX,
                    ),
                    graph_panel(
                        "LINK VELOCITY",
                        Ids.VELOCITY,
                        renders[Ids.VELOCITY].full,
                        300,
                        "new and lost per day · click a bar",
                        Ids.PANEL_VELOCITY,
                    ),
                    graph_panel(
                        "ANCHOR TEXT",
                        Ids.ANCHORS,
                        renders[Ids.ANCHORS].full,
                        300,
                        "distribution in the window",
                        Ids.PANEL_ANCHORS,
                    ),
                    table_panel(
                        "NEW HIGH-AUTHORITY FINDS",
                        Ids.FINDS,
                        renders[Ids.FINDS].full,
                        FINDS_COLUMNS,
                        "newest first",
                        panel_id=Ids.PANEL_FINDS,
                    ),
                    analysis_panel(
                        "LINKS BEHIND THE SELECTION",
                        html.Div(
                            [
                                html.Div(
                                    "click a heat-map cell or a velocity bar", id=Ids.DRILL_TITLE, className="muted"
                                ),
                                table(Ids.DRILL, [], DRILL_COLUMNS),
                            ]
                        ),
                        None,
                        export_tools(Ids.DRILL),
                        panel_id=Ids.PANEL_DRILL,
                    ),
                ],
                ARRANGEMENT,
            ),
        ],
    )
