"""Crawler performance: the satellite leaderboard (24 h / 7 days, best and worst marked), adaptive
rate limiting per target site (trend, recommended delay, slowing flags), resource allocation
(idle or under-used satellites → high-priority waiting jobs), named bottlenecks with evidence
(the same findings the producer puts in `performance_optimization_metrics.bottlenecks_detected`)
and the 24 h mission summary (`mission_control_summary` when set up). Every table exports to CSV.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.clock import latest_snapshot
from pages.performance.ids import PerformanceIds as Ids
from pages.performance.model import DEFAULT_WINDOW, WINDOWS, empty, key, model
from pages.performance.render import (
    ALLOCATION_COLUMNS,
    LEADER_COLUMNS,
    RATE_COLUMNS,
    SUMMARY_COLUMNS,
    render,
)
from ui.live import page_renders
from ui.panel import GRAPH_CONFIG, analysis_panel
from ui.tables import export_tools, table

# Best / worst satellites and slowing sites stand out in their tables.
HIGHLIGHT = [
    {"if": {"filter_query": '{mark} = "best"'}, "color": "#2bd576"},
    {"if": {"filter_query": '{mark} = "worst"'}, "color": "#ff3b5c"},
    {"if": {"filter_query": '{flag} = "SLOWING"'}, "color": "#ffb000"},
]


def layout(ctx) -> html.Div:
    """The page, filled right away from the rollups and the latest snapshot (24 h window)."""
    doc = latest_snapshot(ctx)
    shown = model(ctx, DEFAULT_WINDOW, doc)
    if shown is None:
        # Rollups unreadable: empty panels, and no key held, so the first tick fills them.
        shown, held = empty(), None
        renders = render(shown)
    else:
        held = key(ctx, DEFAULT_WINDOW, doc)
        renders = page_renders(ctx, "performance", render).renders(held, shown)

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
                            "SATELLITE LEADERBOARD",
                            html.Div(
                                [
                                    dbc.RadioItems(
                                        id=Ids.WINDOW,
                                        value=DEFAULT_WINDOW,
                                        inline=True,
                                        className="ana-window",
                                        options=[{"label": label, "value": hours} for hours, label in WINDOWS.items()],
                                    ),
                                    data_table(Ids.LEADERBOARD, LEADER_COLUMNS, style_data_conditional=HIGHLIGHT),
                                ]
                            ),
                            "ranked by speed · best / worst marked",
                            export_tools(Ids.LEADERBOARD),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        analysis_panel(
                            "BOTTLENECKS",
                            html.Div(renders[Ids.BOTTLENECKS].full, id=Ids.BOTTLENECKS),
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
                        analysis_panel(
                            "ADAPTIVE RATE LIMITING",
                            data_table(Ids.RATES, RATE_COLUMNS, style_data_conditional=HIGHLIGHT),
                            "per target site, last 2 h vs the 22 h before",
                            export_tools(Ids.RATES),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        analysis_panel(
                            "RESPONSE TIME TREND",
                            dcc.Graph(
                                id=Ids.TREND,
                                figure=renders[Ids.TREND].full,
                                config=GRAPH_CONFIG,
                                style={"height": "280px"},
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
                        analysis_panel(
                            "RESOURCE ALLOCATION",
                            data_table(Ids.ALLOCATION, ALLOCATION_COLUMNS),
                            "idle / under-used satellites → highest-priority waiting jobs",
                            export_tools(Ids.ALLOCATION),
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        analysis_panel(
                            "MISSIONS, 24 H",
                            data_table(Ids.SUMMARY, SUMMARY_COLUMNS),
                            # Where the summary comes from is fixed per deployment: said once.
                            f"from {shown['summary_source']}",
                            export_tools(Ids.SUMMARY),
                        ),
                        lg=5,
                    ),
                ],
            ),
        ],
    )
