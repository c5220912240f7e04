"""Callbacks of the Performance page.

- A new snapshot version (the shell's VERSION) or the window: `ui.live.smallest_update` against the key (rollup version,
  minute, fleet state, window); nothing is sent when the browser already shows that key.
- Each table's CSV button downloads exactly the rows the table holds.
"""

from __future__ import annotations

from dash import Input, Output, State

from pages.snapshot import latest_snapshot
from pages.performance.ids import PerformanceIds as Ids
from pages.performance.layout import ARRANGEMENT
from pages.performance.model import DEFAULT_WINDOW, WINDOWS, key, model
from pages.performance.render import OUTPUTS, render
from pages.shell.ids import ShellIds
from ui import arrange
from ui.inputs import choice
from ui.live import page_renders, smallest_update
from ui.tables import register_csv


def register(app, ctx) -> None:
    """Attach the Performance page's callbacks to `app`."""
    arrange.register(app, Ids.GRID, Ids.ARRANGED, Ids.RESET_LAYOUT, ARRANGEMENT)
    cache = page_renders(ctx, "performance", render)

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Output(Ids.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        Input(Ids.WINDOW, "value"),
        State(Ids.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_version, hours, held):
        """Triggered by a new snapshot version or the window: send what changed since the key the browser holds."""
        hours = choice("window", hours, tuple(WINDOWS), DEFAULT_WINDOW)
        doc = latest_snapshot(ctx)  # one read: the key names the fleet the model is built from
        sent, held = smallest_update(cache, held, key(ctx, hours, doc), lambda: model(ctx, hours, doc), OUTPUTS)
        return (*sent, held)

    register_csv(app, Ids.LEADERBOARD, "satellite-leaderboard.csv")
    register_csv(app, Ids.RATES, "rate-limits.csv")
    register_csv(app, Ids.ALLOCATION, "allocation.csv")
    register_csv(app, Ids.SUMMARY, "missions-24h.csv")
