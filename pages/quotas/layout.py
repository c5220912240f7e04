"""The API quota page: headline numbers, usage bars and burn-down, one card per provider, then
recommendations, the router's recent decisions, backup switches and circuit breakers opening
and closing. Each card shows the provider's calls, success rate, mean response time and breaker.

The first paint comes from the same render cache as the tick (`page_renders`), so it and every
refresh look the same; the store holds the key painted, so the first tick sends nothing unless
the ledger moved since.
"""

from __future__ import annotations

from dash import dcc, html

from pages.quotas.ids import QuotaIds as Ids
from pages.quotas.model import current
from pages.quotas.render import GRAPH_HEIGHT, render
from ui.live import page_renders
from ui.panel import graph, panel, row


def layout(ctx) -> html.Div:
    """The page, filled from the ledger right away (the tick then only sends changes)."""
    shown_key, shown = current(ctx)
    # A page that could not read the ledger is drawn but not cached: the first tick that can
    # read it sends every section.
    renders = render(shown) if shown_key is None else page_renders(ctx, "quotas", render).renders(shown_key, shown)
    held = {} if shown_key is None else {"key": shown_key}

    return html.Div(
        id=Ids.PAGE,
        className="quota-screen",
        children=[
            dcc.Store(id=Ids.HELD, data=held),
            html.Div(renders[Ids.SUMMARY].full, id=Ids.SUMMARY, className="kpi-row"),
            row(
                (
                    panel(
                        "FREE-TIER USAGE",
                        graph(Ids.BARS, renders[Ids.BARS].full, GRAPH_HEIGHT),
                        subtitle="used against limit, this period",
                    ),
                    5,
                ),
                (
                    panel(
                        "BURN-DOWN TO RESET",
                        graph(Ids.BURNDOWN, renders[Ids.BURNDOWN].full, GRAPH_HEIGHT),
                        subtitle="left per day · dashed: projection",
                    ),
                    7,
                ),
            ),
            panel(
                "PROVIDERS",
                html.Div(renders[Ids.CARDS].full, id=Ids.CARDS, className="quota-cards"),
                subtitle="keys are shown masked",
            ),
            row(
                (panel("RECOMMENDATIONS", html.Div(renders[Ids.RECOMMENDATIONS].full, id=Ids.RECOMMENDATIONS)), 4),
                (
                    panel(
                        "ROUTER DECISIONS",
                        html.Div(renders[Ids.DECISIONS].full, id=Ids.DECISIONS, className="quota-scroll"),
                        subtitle="newest first",
                    ),
                    5,
                ),
                (
                    panel(
                        "BACKUP SWITCHES · CIRCUITS",
                        html.Div(renders[Ids.EVENTS].full, id=Ids.EVENTS, className="quota-scroll"),
                        subtitle="newest first",
                    ),
                    3,
                ),
            ),
        ],
    )
