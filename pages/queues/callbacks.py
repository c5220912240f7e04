"""Callbacks of the Queues page.

- Load, a new snapshot version, the queue picker or paging: one page of the chosen queue (a
  bounded on-demand read of at most PAGE_SIZE entries) and the depths of all three.
- CSV: the entries the table holds.
- Dead letters: retry / purge the entry picked (or clicked in the table) or all, through the
  commands control (ui/commands.py, host "dead"); its outcome line re-reads the page.
"""

from __future__ import annotations

from dash import Input, Output, State
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from pages.queues.ids import QueueIds as Ids
from pages.queues.model import PAGE_SIZE, model, offset_of, picked_entry, queue_choice
from pages.queues.render import OUTPUTS, last_offset, render
from pages.shell.ids import ShellIds
from ui import commands as cmd
from ui.tables import register_csv


def register(app, ctx) -> None:
    """Attach the Queues page's callbacks to `app`."""

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Output(Ids.OFFSET, "data"),
        Input(ShellIds.VERSION, "data"),
        Input(Ids.QUEUE, "value"),
        Input(Ids.PREV, "n_clicks"),
        Input(Ids.NEXT, "n_clicks"),
        Input(cmd.ids(Ids.CMD_HOST)["outcome"], "children"),
        State(Ids.OFFSET, "data"),
    )
    def refresh(_version, queue, _prev, _next, _outcome, offset):
        """Triggered on load, by a new snapshot, the picker, paging or a dead-letter command's
        outcome: one page of the queue."""
        queue = queue_choice(queue)
        offset = offset_of(offset)
        trigger = dash_ctx.triggered_id
        if trigger == Ids.QUEUE:
            offset = 0
        elif trigger == Ids.PREV:
            offset = max(0, offset - PAGE_SIZE)
        elif trigger == Ids.NEXT:
            offset += PAGE_SIZE
        shown = model(ctx, queue, offset)
        total = shown["page"].total
        if offset and offset >= total:  # the queue shrank under the page shown: its last page
            offset = last_offset(total)
            shown = model(ctx, queue, offset)
        renders = render(shown)
        return (*[renders[output].full for output in OUTPUTS], offset)

    @app.callback(
        Output(Ids.DEAD_PICK, "value"),
        Input(Ids.TABLE, "active_cell"),
        State(Ids.TABLE, "data"),
        prevent_initial_call=True,
    )
    def pick(cell, rows):
        """Triggered by a click on a row: that dead letter is the one the commands act on."""
        entry = picked_entry(cell, rows)
        if entry is None:
            raise PreventUpdate
        return entry

    cmd.register(app, ctx, Ids.CMD_HOST, target_control=Ids.DEAD_PICK)
    register_csv(app, Ids.TABLE, "queue.csv")
