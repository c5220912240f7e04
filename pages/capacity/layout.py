"""Capacity planning: when the job queue will be empty at the measured throughput, the same
with a chosen number of satellites (what-if), and how right the past forecasts were."""

from __future__ import annotations

from dash import dcc, html

from pages.capacity.ids import CapacityIds as Ids
from pages.capacity.model import MAX_SATELLITES, current, model, running_now
from pages.capacity.render import TRACK_COLUMNS, render
from ui.live import page_renders
from ui.panel import analysis_panel, graph
from ui.tables import table_panel


def layout(ctx) -> html.Div:
    """The page, first painted from the snapshot; the what-if starts at 3 more satellites."""
    what_if = running_now(ctx) + 3
    key, doc = current(ctx, what_if)
    renders = page_renders(ctx, "capacity", render).renders(key, model(ctx, what_if, doc))
    return html.Div(
        id=Ids.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Ids.HELD, data={"key": key}),
            analysis_panel(
                "DRAIN FORECAST",
                html.Div(
                    [
                        html.Div(renders[Ids.SENTENCE].full, id=Ids.SENTENCE, className="cap-sentence"),
                        html.Div(
                            className="ana-controls",
                            children=[
                                html.Label("what if the fleet had", htmlFor=Ids.SATELLITES),
                                dcc.Input(
                                    id=Ids.SATELLITES,
                                    type="number",
                                    min=0,
                                    max=MAX_SATELLITES,
                                    step=1,
                                    value=what_if,
                                    debounce=True,
                                    className="cap-satellites",
                                ),
                                html.Span("satellites"),
                            ],
                        ),
                        html.Div(renders[Ids.RATES].full, id=Ids.RATES, className="muted"),
                        graph(Ids.PROJECTION, renders[Ids.PROJECTION].full, 260),
                    ]
                ),
                "from measured per-satellite throughput and arrivals",
            ),
            table_panel(
                "FORECAST TRACK RECORD",
                Ids.TRACK,
                renders[Ids.TRACK].full,
                TRACK_COLUMNS,
                html.Span(renders[Ids.ERROR].full, id=Ids.ERROR),
            ),
        ],
    )
