"""The API quota page: headline numbers, usage bars and burn-down, one card per provider, then
recommendations, the router's recent decisions and backup switches.

The first paint comes from the same render cache as the tick (`page_renders`), so it and every
refresh look the same; the store holds the key painted, so the first tick sends nothing unless
the ledger moved since.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.quotas.ids import QuotaIds as Ids
from pages.quotas.model import current
from pages.quotas.render import GRAPH_HEIGHT, render
from ui.live import page_renders
from ui.panel import GRAPH_CONFIG, panel


def layout(ctx) -> html.Div:
    """The page, filled from the ledger right away (the tick then only sends changes)."""
    shown_key, shown = current(ctx)
    # A page that could not read the ledger is drawn but not cached: the first tick that can
    # read it sends every section.
    renders = render(shown) if shown_key is None else page_renders(ctx, "quotas", render).renders(shown_key, shown)
    held = {} if shown_key is None else {"key": shown_key}

    def graph(graph_id):
        return dcc.Graph(
            id=graph_id, figure=renders[graph_id].full, config=GRAPH_CONFIG, style={"height": f"{GRAPH_HEIGHT}px"}
        )

    return html.Div(
        id=Ids.PAGE,
        className="quota-screen",
        children=[
            dcc.Store(id=Ids.HELD, data=held),
            html.Div(renders[Ids.SUMMARY].full, id=Ids.SUMMARY, className="kpi-row"),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel("FREE-TIER USAGE", graph(Ids.BARS), subtitle="used against limit, this period"), lg=5
                    ),
                    dbc.Col(
                        panel("BURN-DOWN TO RESET", graph(Ids.BURNDOWN), subtitle="left per day · dashed: projection"),
                        lg=7,
                    ),
                ],
            ),
            panel(
                "PROVIDERS",
                html.Div(renders[Ids.CARDS].full, id=Ids.CARDS, className="quota-cards"),
                subtitle="keys are shown masked",
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel("RECOMMENDATIONS", html.Div(renders[Ids.RECOMMENDATIONS].full, id=Ids.RECOMMENDATIONS)),
                        lg=4,
                    ),
                    dbc.Col(
                        panel(
                            "ROUTER DECISIONS",
                            html.Div(renders[Ids.DECISIONS].full, id=Ids.DECISIONS, className="quota-scroll"),
                            subtitle="newest first",
                        ),
                        lg=5,
                    ),
                    dbc.Col(
                        panel(
                            "BACKUP SWITCHES",
                            html.Div(renders[Ids.EVENTS].full, id=Ids.EVENTS, className="quota-scroll"),
                        ),
                        lg=3,
                    ),
                ],
            ),
        ],
    )
