"""Domain intelligence: expired domain hunter (and "expiring within N days"), the domain value
calculator with its breakdown, competitor portfolios with overlaps and the link gap, and the
brand mention monitor. Click a hunter row to put its domain into the calculator; every table
exports to CSV.

Crawled text (domain names) is shown only in DataTable cells (plain text) or as Dash children.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.domains.ids import DomainIds as Ids
from pages.domains.model import MENTION_DAYS, empty, key, model
from pages.domains.render import (
    BREAKDOWN_COLUMNS,
    GAP_COLUMNS,
    HUNTER_COLUMNS,
    PORTFOLIO_COLUMNS,
    picker_options,
    render,
)
from ui.live import page_renders
from ui.panel import GRAPH_CONFIG, analysis_panel
from ui.tables import export_tools, table


def layout(ctx) -> html.Div:
    """The page, filled right away from the rollups (already expired, the best domain picked)."""
    shown = model(ctx, None, None)
    if shown is None:
        # Rollups unreadable: empty panels, and no key held, so the first tick fills them.
        shown, held = empty(ctx), None
        renders = render(shown)
    else:
        # The pick the model made is what the picker will send on the first tick: name that
        # key, so the first tick finds the browser up to date instead of drawing it again.
        held = key(ctx, None, shown["picked"])
        renders = page_renders(ctx, "domains", render).renders(held, shown)

    def graph(graph_id, height):
        return dcc.Graph(
            id=graph_id, figure=renders[graph_id].full, config=GRAPH_CONFIG, style={"height": f"{height}px"}
        )

    def data_table(table_id, columns, **extra):
        return table(table_id, renders[table_id].full, columns, **extra)

    return html.Div(
        id=Ids.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Ids.HELD, data={"key": held}),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        analysis_panel(
                            "EXPIRED DOMAIN HUNTER",
                            html.Div(
                                [
                                    html.Div(
                                        className="ana-controls",
                                        children=[
                                            html.Span("show domains expiring within", className="muted"),
                                            dcc.Input(
                                                id=Ids.WITHIN,
                                                type="number",
                                                min=1,
                                                max=3650,
                                                placeholder="days",
                                                className="ana-inline-input",
                                                debounce=True,
                                            ),
                                            html.Span(
                                                "days (empty: already expired or unregistered)", className="muted"
                                            ),
                                        ],
                                    ),
                                    data_table(Ids.HUNTER, HUNTER_COLUMNS, row_selectable=False),
                                ]
                            ),
                            "sorted by value",
                            export_tools(Ids.HUNTER),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        analysis_panel(
                            "DOMAIN VALUE CALCULATOR",
                            html.Div(
                                [
                                    dcc.Dropdown(
                                        id=Ids.PICK,
                                        value=shown["picked"],
                                        options=picker_options(shown),
                                        className="ana-dropdown",
                                        placeholder="domain",
                                    ),
                                    html.Div(renders[Ids.SCORE].full, id=Ids.SCORE, className="ana-score"),
                                    graph(Ids.BREAKDOWN, 240),
                                    data_table(Ids.BREAKDOWN_TABLE, BREAKDOWN_COLUMNS),
                                ]
                            ),
                            "why it scores what it does",
                            export_tools(Ids.BREAKDOWN_TABLE),
                        ),
                        lg=5,
                    ),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        analysis_panel(
                            "COMPETITOR PORTFOLIOS",
                            data_table(Ids.PORTFOLIOS, PORTFOLIO_COLUMNS),
                            "what each links from and owns",
                            export_tools(Ids.PORTFOLIOS),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        analysis_panel("OVERLAPS", graph(Ids.OVERLAP, 280), "shared referring domains"),
                        lg=5,
                    ),
                ],
            ),
            analysis_panel(
                "LINK GAP",
                data_table(Ids.GAP, GAP_COLUMNS),
                "link to competitors, not to you",
                export_tools(Ids.GAP),
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        analysis_panel(
                            "BRAND MENTIONS", graph(Ids.MENTIONS, 260), f"per platform, {MENTION_DAYS} days"
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        analysis_panel("SENTIMENT", graph(Ids.SENTIMENT, 260), "mentions per day by sentiment"),
                        lg=6,
                    ),
                ],
            ),
        ],
    )
