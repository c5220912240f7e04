"""Domain intelligence: expired domain hunter (and "expiring within N days"), the domain value
calculator with its breakdown, competitor portfolios with overlaps and the link gap, and the
brand mention monitor. Click a hunter row to put its domain into the calculator; every table
exports to CSV.

Crawled text (domain names) is shown only in DataTable cells (plain text) or as Dash children.
"""

from __future__ import annotations

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
from ui.arrange import arrangeable, stack
from ui.panel import analysis_panel, graph, graph_panel
from ui.tables import export_tools, table, table_panel


# The drawn rows, as the default arrangement: (panel, width of 12, height in grid rows).
ARRANGEMENT = stack(
    ((Ids.PANEL_HUNTER, 7, 24), (Ids.PANEL_CALCULATOR, 5, 24)),
    ((Ids.PANEL_PORTFOLIOS, 7, 14), (Ids.PANEL_OVERLAPS, 5, 14)),
    ((Ids.PANEL_GAP, 12, 17),),
    ((Ids.PANEL_MENTIONS, 6, 13), (Ids.PANEL_SENTIMENT, 6, 13)),
)


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
                                        html.Span("days (empty: already expired or unregistered)", className="muted"),
                                    ],
                                ),
                                data_table(Ids.HUNTER, HUNTER_COLUMNS, row_selectable=False),
                            ]
                        ),
                        "sorted by value",
                        export_tools(Ids.HUNTER),
                        panel_id=Ids.PANEL_HUNTER,
                    ),
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
                                graph(Ids.BREAKDOWN, renders[Ids.BREAKDOWN].full, 240),
                                data_table(Ids.BREAKDOWN_TABLE, BREAKDOWN_COLUMNS),
                            ]
                        ),
                        "why it scores what it does",
                        export_tools(Ids.BREAKDOWN_TABLE),
                        panel_id=Ids.PANEL_CALCULATOR,
                    ),
                    table_panel(
                        "COMPETITOR PORTFOLIOS",
                        Ids.PORTFOLIOS,
                        renders[Ids.PORTFOLIOS].full,
                        PORTFOLIO_COLUMNS,
                        "what each links from and owns",
                        panel_id=Ids.PANEL_PORTFOLIOS,
                    ),
                    graph_panel(
                        "OVERLAPS",
                        Ids.OVERLAP,
                        renders[Ids.OVERLAP].full,
                        280,
                        "shared referring domains",
                        Ids.PANEL_OVERLAPS,
                    ),
                    table_panel(
                        "LINK GAP",
                        Ids.GAP,
                        renders[Ids.GAP].full,
                        GAP_COLUMNS,
                        "link to competitors, not to you",
                        panel_id=Ids.PANEL_GAP,
                    ),
                    analysis_panel(
                        "BRAND MENTIONS",
                        graph(Ids.MENTIONS, renders[Ids.MENTIONS].full, 260),
                        f"per platform, {MENTION_DAYS} days",
                        panel_id=Ids.PANEL_MENTIONS,
                    ),
                    graph_panel(
                        "SENTIMENT",
                        Ids.SENTIMENT,
                        renders[Ids.SENTIMENT].full,
                        260,
                        "mentions per day by sentiment",
                        Ids.PANEL_SENTIMENT,
                    ),
                ],
                ARRANGEMENT,
            ),
        ],
    )
