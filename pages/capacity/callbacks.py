"""Callbacks of the Capacity planning page.

- A new snapshot version or the what-if number of satellites: the forecast, its projection
  and the track record (read once per analytics cycle, shared by every viewer).
- CSV: the track record's rows.
"""

from __future__ import annotations

from dash import Input, Output

from pages.capacity.ids import CapacityIds as Ids
from pages.capacity.model import model, satellites_choice
from pages.capacity.render import OUTPUTS, render
from pages.shell.ids import ShellIds
from ui.tables import register_csv


def register(app, ctx) -> None:
    """Attach the Capacity page's callbacks to `app`."""

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Input(ShellIds.VERSION, "data"),
        Input(Ids.SATELLITES, "value"),
        prevent_initial_call=True,
    )
    def refresh(_version, satellites):
        """Triggered by a new snapshot or the what-if control: the forecast at both fleet sizes."""
        renders = render(model(ctx, satellites_choice(satellites, 0)))
        return tuple(renders[output].full for output in OUTPUTS)

    register_csv(app, Ids.TRACK, "drain-forecasts.csv")
