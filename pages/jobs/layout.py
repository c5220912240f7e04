"""Jobs: a searchable, paged list of every job (status, type, target, creation dates,
satellite; newest or oldest first; a total; CSV of the filtered jobs) and, below it, the page
of the job clicked (or named by `/jobs?id=…`): its fields, the commands that apply, its
progress history, errors, the satellites that ran it, its alerts and what is known of the
links it found. The list is filled by its callback on load (a bounded on-demand query)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages.jobs.ids import JobIds as Ids
from pages.jobs.model import ANY, DEFAULT_SIZE, LINKS_NOTE, ORDERS, SIZES, STATUSES, TYPES
from pages.jobs.render import ALERT_COLUMNS, ERROR_COLUMNS, HISTORY_COLUMNS, LIST_COLUMNS, SATELLITE_COLUMNS
from ui import commands as cmd
from ui.panel import analysis_panel
from ui.tables import table

FIELD_COLUMNS = [("field", "field"), ("value", "value")]


def _options(values, any_label: str) -> list[dict]:
    return [{"label": any_label, "value": ANY}] + [{"label": v.replace("_", " "), "value": v} for v in values]


def controls(ctx) -> html.Div:
    return html.Div(
        className="ana-controls jobs-controls",
        children=[
            dcc.Dropdown(
                id=Ids.STATUS,
                value=ANY,
                options=_options(STATUSES, "every status"),
                clearable=False,
                className="ana-dropdown",
            ),
            dcc.Dropdown(
                id=Ids.TYPE,
                value=ANY,
                options=_options(TYPES, "every job type"),
                clearable=False,
                className="ana-dropdown",
            ),
            dcc.Input(
                id=Ids.TARGET,
                type="search",
                placeholder="target or domain contains…",
                debounce=True,
                maxLength=200,
                className="jobs-search",
            ),
            # Typed dates (YYYY-MM-DD, checked by the model): created from / to, both days included.
            # Dash's date picker overflowed narrow screens; dcc.Input has no date type.
            html.Label("created", htmlFor=Ids.DATE_FROM, className="muted"),
            dcc.Input(
                id=Ids.DATE_FROM,
                type="text",
                placeholder="from YYYY-MM-DD",
                maxLength=10,
                debounce=True,
                className="jobs-search jobs-date",
            ),
            html.Span("–", className="muted"),
            dcc.Input(
                id=Ids.DATE_TO,
                type="text",
                placeholder="to YYYY-MM-DD",
                maxLength=10,
                debounce=True,
                className="jobs-search jobs-date",
            ),
            # A typed satellite id, not a dropdown of the fleet: a dropdown holds every id in the
            # browser, and Dash's Dropdown froze the page on a crawled 5,000-character id.
            dcc.Input(
                id=Ids.SATELLITE,
                type="search",
                placeholder="satellite id",
                debounce=True,
                maxLength=255,
                className="jobs-search",
            ),
            dcc.Dropdown(
                id=Ids.ORDER,
                value="newest",
                options=[{"label": f"{o} first", "value": o} for o in ORDERS],
                clearable=False,
                className="ana-dropdown",
            ),
            dcc.Dropdown(
                id=Ids.SIZE,
                value=DEFAULT_SIZE,
                options=[{"label": f"{n} a page", "value": n} for n in SIZES],
                clearable=False,
                className="ana-dropdown",
            ),
        ],
    )


def pager() -> html.Div:
    return html.Div(
        className="jobs-pager",
        children=[
            dbc.Button("‹ newer", id=Ids.PREV, size="sm", n_clicks=0),
            html.Span("", id=Ids.PAGE_TEXT, className="muted jobs-page-text"),
            dbc.Button("older ›", id=Ids.NEXT, size="sm", n_clicks=0),
            dbc.Button("refresh", id=Ids.REFRESH, size="sm", n_clicks=0),
            dbc.Button("CSV", id=Ids.EXPORT, size="sm", className="ana-csv", n_clicks=0),
            dcc.Download(id=Ids.EXPORT_DOWNLOAD),
            html.Span("", id=Ids.LIST_NOTE, className="muted"),
        ],
    )


def job_section() -> html.Section:
    body = html.Div(
        [
            html.Div(
                className="jobs-job-head",
                children=[
                    html.Span("", id=Ids.JOB_TITLE, className="jobs-job-title"),
                    html.Span("", id=Ids.JOB_STATUS, className="jobs-job-status"),
                    html.A("link to this job", id=Ids.JOB_LINK, className="jobs-job-link"),
                ],
            ),
            html.H3("commands", className="jobs-sub"),
            html.Div([html.Div([], id=Ids.COMMANDS, className="cmd-bar"), cmd.command_host(Ids.CMD_HOST)]),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col([html.H3("fields", className="jobs-sub"), table(Ids.FIELDS, [], FIELD_COLUMNS)], lg=5),
                    dbc.Col(
                        [
                            html.H3("progress history", className="jobs-sub"),
                            html.Div("", id=Ids.HISTORY_NOTE, className="muted"),
                            table(Ids.HISTORY, [], HISTORY_COLUMNS),
                            html.H3("satellites that ran it", className="jobs-sub"),
                            table(Ids.SATELLITES, [], SATELLITE_COLUMNS),
                        ],
                        lg=7,
                    ),
                ],
            ),
            html.H3("errors", className="jobs-sub"),
            table(Ids.ERRORS, [], ERROR_COLUMNS),
            html.H3("alerts", className="jobs-sub"),
            table(Ids.ALERTS, [], ALERT_COLUMNS),
            html.H3("links found", className="jobs-sub"),
            html.Div(LINKS_NOTE, id=Ids.LINKS_NOTE, className="muted"),
        ]
    )
    return analysis_panel("JOB", body, "click a job in the list", panel_id=Ids.JOB)


def layout(ctx) -> html.Div:
    """The page: controls, the list (filled on load by its callback) and the job section."""
    return html.Div(
        id=Ids.PAGE,
        className="ana-screen",
        children=[
            dcc.Store(id=Ids.LOADED, data=True),
            dcc.Store(id=Ids.PAGE_NO, data=0),
            dcc.Store(id=Ids.SELECTED, data=None),
            controls(ctx),
            analysis_panel(
                "JOBS",
                html.Div([pager(), table(Ids.LIST, [], LIST_COLUMNS, row_selectable=False)]),
                "every job, filtered · click a row to open it",
            ),
            job_section(),
        ],
    )
