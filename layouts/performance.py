"""Crawler performance: the satellite leaderboard (24 h / 7 days, best and worst marked), adaptive
rate limiting per target site (trend, recommended delay, slowing flags), resource allocation
(idle or under-used satellites → high-priority waiting jobs), named bottlenecks with evidence
(the same findings the producer puts in `performance_optimization_metrics.bottlenecks_detected`)
and the 24 h mission summary (`mission_control_summary` when set up)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.analysis_ids import Perf
from ui.panel import analysis_panel as panel
from ui.tables import export_tools, fields, records
from ui.tables import table as rows_table


def table(table_id, frame, columns, **extra):
    return rows_table(table_id, records(frame, fields(columns)), columns, **extra)


from ui.panel import GRAPH_CONFIG
from views.performance import ALLOC_COLUMNS, LEADER_COLUMNS, RATE_COLUMNS, SUMMARY_COLUMNS, model, outputs

HIGHLIGHT = [
    {"if": {"filter_query": '{mark} = "best"'}, "color": "#2bd576"},
    {"if": {"filter_query": '{mark} = "worst"'}, "color": "#ff3b5c"},
    {"if": {"filter_query": '{flag} = "SLOWING"'}, "color": "#ffb000"},
]


def layout(ctx) -> html.Div:
    m = model(ctx, 24)
    o = outputs(m)
    leaders = table(Perf.LEADERBOARD, m["leaders"], LEADER_COLUMNS, style_data_conditional=HIGHLIGHT)
    rates = table(Perf.RATES, m["rates"], RATE_COLUMNS, style_data_conditional=HIGHLIGHT)
    return html.Div(
        id=Perf.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Perf.HELD, data={"key": None}),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel(
                            "SATELLITE LEADERBOARD",
                            html.Div(
                                [
                                    dbc.RadioItems(
                                        id=Perf.WINDOW,
                                        value=24,
                                        inline=True,
                                        className="ana-window",
                                        options=[{"label": "24 h", "value": 24}, {"label": "7 days", "value": 168}],
                                    ),
                                    leaders,
                                ]
                            ),
                            "ranked by speed · best / worst marked",
                            export_tools(Perf.LEADERBOARD),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        panel(
                            "BOTTLENECKS",
                            html.Div(o[Perf.BOTTLENECKS], id=Perf.BOTTLENECKS),
                            "named causes with evidence · fed to the alerts",
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
                            "ADAPTIVE RATE LIMITING",
                            rates,
                            "per target site, last 2 h vs the 22 h before",
                            export_tools(Perf.RATES),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        panel(
                            "RESPONSE TIME TREND",
                            dcc.Graph(
                                id=Perf.TREND, figure=o[Perf.TREND], config=GRAPH_CONFIG, style={"height": "280px"}
                            ),
                            "hourly, 24 h",
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
                            "RESOURCE ALLOCATION",
                            table(Perf.ALLOCATION, m["allocation"], ALLOC_COLUMNS),
                            "idle / under-used satellites → highest-priority waiting jobs",
                            export_tools(Perf.ALLOCATION),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        panel(
                            "MISSIONS, 24 H",
                            table(Perf.SUMMARY, m["summary"], SUMMARY_COLUMNS),
                            f"from {m['summary_source']}",
                            export_tools(Perf.SUMMARY),
                        ),
                        lg=5,
                    ),
                ],
            ),
        ],
    )
