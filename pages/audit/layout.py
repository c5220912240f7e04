"""The audit log page: filters, one page of records, paging and CSV export.

First painted empty; the page's callback fills it when it opens (the log is read on demand,
never on a tick)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.audit.ids import AuditIds as Ids
from pages.audit.model import ACTIONS, DEFAULT_HOURS, HOUR_CHOICES, RESULTS, users
from pages.audit.render import COLUMNS
from ui.panel import panel
from ui.tables import table


def _dropdown(control: str, options: list[dict], placeholder: str, value=None) -> dcc.Dropdown:
    return dcc.Dropdown(id=control, options=options, value=value, placeholder=placeholder)


def layout(ctx):
    # The alert history's filter grid (assets/alerts.css): four choices, the search, refresh.
    filters = html.Div(
        className="ac-filters",
        children=[
            _dropdown(Ids.USER, [{"label": u, "value": u} for u in users(ctx)], "any user"),
            _dropdown(Ids.ACTION, [{"label": a.replace("_", " "), "value": a} for a in ACTIONS], "any command"),
            _dropdown(Ids.RESULT, [{"label": r, "value": r} for r in RESULTS], "any result"),
            dcc.Dropdown(
                id=Ids.HOURS,
                options=[{"label": label, "value": h} for h, label in HOUR_CHOICES],
                value=DEFAULT_HOURS,
                clearable=False,
            ),
            dbc.Input(
                id=Ids.TEXT, placeholder="text in target, reason, detail", size="sm", maxLength=200, debounce=True
            ),
            dbc.Button("Refresh", id=Ids.REFRESH, size="sm", color="secondary", outline=True, n_clicks=0),
        ],
    )
    paging = html.Div(
        className="ac-controls",
        children=[
            dbc.Button("‹ newer", id=Ids.PREV, size="sm", color="secondary", outline=True, n_clicks=0),
            html.Span(id=Ids.SUMMARY, className="muted"),
            dbc.Button("older ›", id=Ids.NEXT, size="sm", color="secondary", outline=True, n_clicks=0),
            dbc.Button("Export CSV", id=Ids.EXPORT, size="sm", color="info", outline=True, n_clicks=0),
            dcc.Download(id=Ids.DOWNLOAD),
        ],
    )
    return html.Div(
        id=Ids.PAGE,
        className="audit-page",
        children=[
            dcc.Store(id=Ids.OFFSET, data=0),
            panel(
                "AUDIT LOG",
                html.Div([filters, paging, table(Ids.TABLE, [], COLUMNS)]),
                subtitle="every operator command: who, when, what, the result and what was seen afterwards",
            ),
        ],
    )
