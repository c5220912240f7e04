"""Domain intelligence: expired domain hunter (and "expiring within N days"), the domain value
calculator with its breakdown, competitor portfolios with overlaps and the link gap, and the
brand mention monitor. The data comes from views.domains."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.analysis_ids import Dom
from ui.panel import analysis_panel as panel
from ui.tables import export_tools, fields, records
from ui.tables import table as rows_table


def table(table_id, frame, columns, **extra):
    return rows_table(table_id, records(frame, fields(columns)), columns, **extra)


from ui.panel import GRAPH_CONFIG
from views.domains import (
    BREAKDOWN_COLUMNS,
    GAP_COLUMNS,
    HUNTER_COLUMNS,
    MENTION_DAYS,
    PORTFOLIO_COLUMNS,
    model,
    outputs,
)


def layout(ctx) -> html.Div:
    m = model(ctx, None, None)
    o = outputs(m)
    options = sorted(set(m["names"]) | ({m["picked"]} if m["picked"] else set()))
    breakdown_table = table(Dom.BREAKDOWN_TABLE, None, BREAKDOWN_COLUMNS)
    breakdown_table.data = o[Dom.BREAKDOWN_TABLE]
    return html.Div(
        id=Dom.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Dom.HELD, data={"key": None}),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel(
                            "EXPIRED DOMAIN HUNTER",
                            html.Div(
                                [
                                    html.Div(
                                        className="ana-controls",
                                        children=[
                                            html.Span("show domains expiring within", className="muted"),
                                            dcc.Input(
                                                id=Dom.WITHIN,
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
                                    table(Dom.HUNTER, m["hunter"], HUNTER_COLUMNS, row_selectable=False),
                                ]
                            ),
                            "sorted by value",
                            export_tools(Dom.HUNTER),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        panel(
                            "DOMAIN VALUE CALCULATOR",
                            html.Div(
                                [
                                    dcc.Dropdown(
                                        id=Dom.PICK,
                                        value=m["picked"],
                                        options=[{"label": n, "value": n} for n in options],
                                        className="ana-dropdown",
                                        placeholder="domain",
                                    ),
                                    html.Div(o[Dom.SCORE], id=Dom.SCORE, className="ana-score"),
                                    dcc.Graph(
                                        id=Dom.BREAKDOWN,
                                        figure=o[Dom.BREAKDOWN],
                                        config=GRAPH_CONFIG,
                                        style={"height": "240px"},
                                    ),
                                    breakdown_table,
                                ]
                            ),
                            "why it scores what it does",
                            export_tools(Dom.BREAKDOWN_TABLE),
                        ),
                        lg=5,
                    ),
                ],
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel(
                            "COMPETITOR PORTFOLIOS",
                            table(Dom.PORTFOLIOS, m["portfolios"], PORTFOLIO_COLUMNS),
                            "what each links from and owns",
                            export_tools(Dom.PORTFOLIOS),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        panel(
                            "OVERLAPS",
                            dcc.Graph(
                                id=Dom.OVERLAP, figure=o[Dom.OVERLAP], config=GRAPH_CONFIG, style={"height": "280px"}
                            ),
                            "shared referring domains",
                        ),
                        lg=5,
                    ),
                ],
            ),
            panel(
                "LINK GAP",
                table(Dom.GAP, m["gap"], GAP_COLUMNS),
                "link to competitors, not to you",
                export_tools(Dom.GAP),
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel(
                            "BRAND MENTIONS",
                            dcc.Graph(
                                id=Dom.MENTIONS, figure=o[Dom.MENTIONS], config=GRAPH_CONFIG, style={"height": "260px"}
                            ),
                            f"per platform, {MENTION_DAYS} days",
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        panel(
                            "SENTIMENT",
                            dcc.Graph(
                                id=Dom.SENTIMENT,
                                figure=o[Dom.SENTIMENT],
                                config=GRAPH_CONFIG,
                                style={"height": "260px"},
                            ),
                            "mentions per day by sentiment",
                        ),
                        lg=6,
                    ),
                ],
            ),
        ],
    )
