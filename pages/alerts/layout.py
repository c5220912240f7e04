"""The alert center: firing alerts by severity with acknowledge / silence, pending alerts,
silences, Link Profiler's rules, and the history with filters, a chart and CSV export.

The live sections are first painted from the same render cache as the tick (`page_renders`),
and the store holds the snapshot version painted, so the first tick sends only what changed
since. The history is filled by its own callback when the page opens.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.alerts.ids import AlertIds as Ids
from pages.alerts.model import (
    DEFAULT_HOURS,
    DEFAULT_SILENCE_MINUTES,
    EVENTS,
    SEVERITIES,
    TYPES,
    current,
)
from pages.alerts.render import history, render
from ui.live import page_renders
from ui.panel import GRAPH_CONFIG, panel

SILENCE_CHOICES = [(30, "30 min"), (60, "1 h"), (240, "4 h"), (1440, "24 h"), (10080, "7 days")]
HOUR_CHOICES = [(1, "last hour"), (24, "last 24 h"), (168, "last 7 days"), (720, "last 30 days")]


def _options(values) -> list[dict]:
    return [{"label": v.replace("_", " "), "value": v} for v in values]


def _controls(ctx) -> html.Div:
    """The comment and duration fields above the firing list; live refreshes never redraw
    them, so what a person types survives the ticks. Who acts is the signed-in user (the shell's
    header says who that is), not a token typed here."""
    return html.Div(
        className="ac-controls",
        children=[
            dbc.Input(
                id=Ids.COMMENT,
                placeholder="comment for acknowledge / silence (required to acknowledge)",
                size="sm",
                maxLength=1000,
                className="ac-comment",
            ),
            dcc.Dropdown(
                id=Ids.DURATION,
                options=[{"label": label, "value": minutes} for minutes, label in SILENCE_CHOICES],
                value=DEFAULT_SILENCE_MINUTES,
                clearable=False,
                className="ac-duration",
            ),
            html.Div(id=Ids.STATUS, className="ac-status", role="status"),
        ],
    )


def _filters() -> html.Div:
    return html.Div(
        className="ac-filters",
        children=[
            dcc.Dropdown(id=Ids.FILTER_SEVERITY, options=_options(SEVERITIES), placeholder="severity", multi=False),
            dcc.Dropdown(id=Ids.FILTER_TYPE, options=_options(TYPES), placeholder="type"),
            dcc.Dropdown(id=Ids.FILTER_EVENT, options=_options(EVENTS), placeholder="event"),
            dcc.Dropdown(
                id=Ids.FILTER_HOURS,
                options=[{"label": label, "value": hours} for hours, label in HOUR_CHOICES],
                value=DEFAULT_HOURS,
                clearable=False,
            ),
            dbc.Input(id=Ids.FILTER_TEXT, placeholder="search messages", size="sm", debounce=True),
            dbc.Button("Refresh", id=Ids.HISTORY_REFRESH, size="sm", color="secondary", outline=True, n_clicks=0),
            dbc.Button("Export CSV", id=Ids.EXPORT, size="sm", color="info", outline=True, n_clicks=0),
            dcc.Download(id=Ids.DOWNLOAD),
        ],
    )


def layout(ctx) -> html.Div:
    """The page, filled from the current snapshot so it shows data on arrival."""
    version, doc = current(ctx)
    # No snapshot yet (or Redis down): drawn empty and not cached; the first tick with a
    # snapshot sends every section.
    renders = page_renders(ctx, "alerts", render).renders(version, doc) if version is not None else render(doc)
    _table, empty_chart = history([])
    return html.Div(
        className="alert-center",
        children=[
            dcc.Store(id=Ids.HELD, data={"key": version} if version is not None else None),
            html.Div(renders[Ids.SUMMARY].full, id=Ids.SUMMARY, className="ac-summary"),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            "FIRING ALERTS",
                            html.Div([_controls(ctx), html.Div(renders[Ids.FIRING].full, id=Ids.FIRING)]),
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        [
                            panel("PENDING", html.Div(renders[Ids.PENDING].full, id=Ids.PENDING)),
                            panel("SILENCES", html.Div(renders[Ids.SILENCES].full, id=Ids.SILENCES)),
                        ],
                        lg=4,
                    ),
                ],
                className="g-3",
            ),
            panel("LINK PROFILER RULES", html.Div(renders[Ids.RULES].full, id=Ids.RULES)),
            panel(
                "HISTORY",
                html.Div(
                    [
                        _filters(),
                        dcc.Graph(id=Ids.HISTORY_CHART, figure=empty_chart, config=GRAPH_CONFIG, className="mc-graph"),
                        html.Div(id=Ids.HISTORY, className="ac-history-wrap"),
                    ]
                ),
            ),
        ],
    )
