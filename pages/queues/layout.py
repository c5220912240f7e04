"""Queues: the contents of Link Profiler's job queue, scheduled jobs and dead letters, one
queue and one page at a time, with each entry's reason and age, whichever Redis type the key
has. Filled on load and refreshed with every new snapshot (one page read per refresh)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.queues.ids import QueueIds as Ids
from pages.queues.model import DEFAULT_QUEUE, QUEUES
from pages.queues.render import COLUMNS
from ui.panel import analysis_panel
from ui.tables import export_tools, table


def layout(ctx) -> html.Div:
    """The page: the queue picker, the depths, the entries table (filled by its callback)."""
    body = html.Div(
        [
            html.Div(
                className="jobs-pager",
                children=[
                    dbc.Button("‹ previous", id=Ids.PREV, size="sm", n_clicks=0),
                    html.Span("", id=Ids.PAGE_TEXT, className="muted jobs-page-text"),
                    dbc.Button("next ›", id=Ids.NEXT, size="sm", n_clicks=0),
                    html.Span("", id=Ids.KIND, className="muted"),
                ],
            ),
            table(Ids.TABLE, [], COLUMNS),
        ]
    )
    return html.Div(
        id=Ids.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Ids.OFFSET, data=0),
            html.Div(
                className="ana-controls",
                children=[
                    dbc.RadioItems(
                        id=Ids.QUEUE,
                        value=DEFAULT_QUEUE,
                        inline=True,
                        className="ana-window",
                        options=[{"label": name, "value": field} for field, name in QUEUES.items()],
                    ),
                    html.Span("", id=Ids.SUMMARY, className="muted ana-note"),
                ],
            ),
            analysis_panel("QUEUE CONTENTS", body, "paged · reason and age of each entry", export_tools(Ids.TABLE)),
        ],
    )
