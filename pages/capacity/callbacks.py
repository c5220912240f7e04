"""Callbacks of the Capacity planning page.

- A new snapshot version or the what-if number of satellites: `ui.live.smallest_update`
  against the key (version, what-if): the forecast, its projection and the track record
  (read once per analytics cycle, shared by every viewer), only what changed.
- CSV: the track record's rows.
"""

from __future__ import annotations

from dash import Input, Output, State

from pages.capacity.ids import CapacityIds as Ids
from pages.capacity.model import current, model, satellites_choice
from pages.capacity.render import OUTPUTS, render
from pages.shell.ids import ShellIds
from ui.live import page_renders, smallest_update
from ui.tables import register_csv


def register(app, ctx) -> None:
    """Attach the Capacity page's callbacks to `app`."""
    cache = page_renders(ctx, "capacity", render)

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Output(Ids.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        Input(Ids.SATELLITES, "value"),
        State(Ids.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_version, satellites, held):
        """Triggered by a new snapshot or the what-if control: send what changed since the key
        (version, what-if) the browser holds."""
        what_if = satellites_choice(satellites, 0)
        key, doc = current(ctx, what_if)
        sent, held = smallest_update(cache, held, key, lambda: model(ctx, what_if, doc), OUTPUTS)
        return (*sent, held)

    register_csv(app, Ids.TRACK, "drain-forecasts.csv")
