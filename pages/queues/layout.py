"""Queues: the contents of Link Profiler's job queue, scheduled jobs and dead letters, one
queue and one page at a time, with each entry's reason and age, whichever Redis type the key
has. Filled on load and refreshed with every new snapshot (one page read per refresh)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from commands.catalog import COMMANDS
from pages.queues.ids import QueueIds as Ids
from pages.queues.model import ALL_ENTRIES, DEAD_COMMANDS, DEFAULT_QUEUE, QUEUES
from pages.queues.render import COLUMNS, HIDDEN
from ui import commands as cmd
from ui.panel import analysis_panel
from ui.tables import export_tools, table


def dead_letter_commands(ctx) -> html.Div:
    """Retry / purge the dead letter picked (its options: the entries of the page shown), or
    all of them, with confirmation; disabled with the reason for a caller without the role."""
    return html.Div(
        id=Ids.DEAD_COMMANDS,
        className="cmd-bar",
        style=HIDDEN,
        children=[
            dcc.Dropdown(
                id=Ids.DEAD_PICK,
                options=[],
                placeholder="dead letter (click its row)",
                className="cmd-pick",
            ),
            *[cmd.command_button(ctx, Ids.CMD_HOST, name) for name in DEAD_COMMANDS],
            *[
                cmd.command_button(ctx, Ids.CMD_HOST, name, ALL_ENTRIES, f"{COMMANDS[name].label} all")
                for name in DEAD_COMMANDS
            ],
            cmd.disabled_note(ctx, list(DEAD_COMMANDS)),
            cmd.command_host(Ids.CMD_HOST),
        ],
    )


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
            dead_letter_commands(ctx),
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
