"""Crawler performance: the satellite leaderboard (24 h / 7 days, best and worst marked), adaptive
rate limiting per target site (trend, recommended delay, slowing flags), resource allocation
(idle or under-used satellites → high-priority waiting jobs), named bottlenecks with evidence
(the same findings the producer puts in `performance_optimization_metrics.bottlenecks_detected`)
and the 24 h mission summary (`mission_control_summary` when set up). Every table exports to CSV.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.snapshot import latest_snapshot
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
from ui.arrange import arrangeable, stack
from ui.panel import analysis_panel, graph_panel
from ui.tables import export_tools, table, table_panel

# Best / worst satellites and slowing sites stand out in their tables.
HIGHLIGHT = [
    {"if": {"filter_query": '{mark} = "best"'}, "color": "#2bd576"},
    {"if": {"filter_query": '{mark} = "worst"'}, "color": "#ff3b5c"},
    {"if": {"filter_query": '{flag} = "SLOWING"'}, "color": "#ffb000"},
]


# The drawn rows, as the default arrangement: (panel, width of 12, height in grid rows).
ARRANGEMENT = stack(
    ((Ids.PANEL_LEADERBOARD, 7, 12), (Ids.PANEL_BOTTLENECKS, 5, 12)),
    ((Ids.PANEL_RATES, 7, 14), (Ids.PANEL_TREND, 5, 14)),
    ((Ids.PANEL_ALLOCATION, 7, 17), (Ids.PANEL_SUMMARY, 5, 17)),
)


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
            arrangeable(
                Ids.GRID,
                Ids.ARRANGED,
                Ids.RESET_LAYOUT,
                [
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
                        panel_id=Ids.PANEL_LEADERBOARD,
                    ),
                    analysis_panel(
                        "BOTTLENECKS",
                        html.Div(renders[Ids.BOTTLENECKS].full, id=Ids.BOTTLENECKS),
                        "named causes with evidence · fed to the alerts",
                        panel_id=Ids.PANEL_BOTTLENECKS,
                    ),
                    table_panel(
                        "ADAPTIVE RATE LIMITING",
                        Ids.RATES,
                        renders[Ids.RATES].full,
                        RATE_COLUMNS,
                        "per target site, last 2 h vs the 22 h before",
                        style_data_conditional=HIGHLIGHT,
                        panel_id=Ids.PANEL_RATES,
                    ),
                    graph_panel(
                        "RESPONSE TIME TREND", Ids.TREND, renders[Ids.TREND].full, 280, "hourly, 24 h", Ids.PANEL_TREND
                    ),
                    table_panel(
                        "RESOURCE ALLOCATION",
                        Ids.ALLOCATION,
                        renders[Ids.ALLOCATION].full,
                        ALLOCATION_COLUMNS,
                        "idle / under-used satellites → highest-priority waiting jobs",
                        panel_id=Ids.PANEL_ALLOCATION,
                    ),
                    table_panel(
                        "MISSIONS, 24 H",
                        Ids.SUMMARY,
                        renders[Ids.SUMMARY].full,
                        SUMMARY_COLUMNS,
                        f"from {shown['summary_source']}",
                        panel_id=Ids.PANEL_SUMMARY,
                    ),
                ],
                ARRANGEMENT,
            ),
        ],
    )
