"""Callbacks of the Domains page.

- A new snapshot version (the shell's VERSION), the "expiring within" box or the picker: `ui.live.smallest_update` against
  the key (rollup version, hour, controls); nothing is sent when the browser already shows it.
- A click in the hunter table puts that domain into the calculator's picker.
- Typing in the picker lists matching domain names (through the model, bounded).
- Each table's CSV button downloads exactly the rows the table holds.
"""

from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from pages.domains.ids import DomainIds as Ids
from pages.domains.layout import ARRANGEMENT
from pages.domains.model import key, model, search_names
from pages.domains.render import OUTPUTS, render
from pages.shell.ids import ShellIds
from ui import arrange
from ui.inputs import bounded_int, text
from ui.live import page_renders, smallest_update
from ui.tables import register_csv


def _within(value) -> int | None:
    """The "expiring within" box as days (0 to 10 years); empty means already expired or unregistered."""
    return bounded_int("expiring within (days)", value, 0, 3650)


def register(app, ctx) -> None:
    """Attach the Domains page's callbacks to `app`."""
    arrange.register(app, Ids.GRID, Ids.ARRANGED, Ids.RESET_LAYOUT, ARRANGEMENT)
    cache = page_renders(ctx, "domains", render)

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Output(Ids.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        Input(Ids.WITHIN, "value"),
        Input(Ids.PICK, "value"),
        State(Ids.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_version, within, picked, held):
        """Triggered by a new snapshot version or the controls: send what changed since the key the browser holds."""
        within = _within(within)
        picked = text("picked domain", picked, 253) or None
        sent, held = smallest_update(cache, held, key(ctx, within, picked), lambda: model(ctx, within, picked), OUTPUTS)
        return (*sent, held)

    @app.callback(
        Output(Ids.PICK, "value"),
        Input(Ids.HUNTER, "active_cell"),
        State(Ids.HUNTER, "derived_viewport_data"),
        prevent_initial_call=True,
    )
    def pick_from_hunter(cell, rows):
        """Triggered by a click in the hunter table: that domain goes into the calculator."""
        if not isinstance(cell, dict) or not isinstance(rows, list):
            raise PreventUpdate
        row = cell.get("row")
        if isinstance(row, bool) or not isinstance(row, int) or not 0 <= row < len(rows):
            raise PreventUpdate
        picked = rows[row].get("name") if isinstance(rows[row], dict) else None
        if not isinstance(picked, str):
            raise PreventUpdate
        return picked

    @app.callback(
        Output(Ids.PICK, "options"),
        Input(Ids.PICK, "search_value"),
        State(Ids.PICK, "value"),
        prevent_initial_call=True,
    )
    def search_domains(search, current):
        """Triggered by typing in the picker: matching domain names (bounded)."""
        if not search:
            raise PreventUpdate
        names = search_names(ctx, text("search", search, 100) or "")
        if current and current not in names:
            names.append(current)
        return [{"label": n, "value": n} for n in names]

    register_csv(app, Ids.HUNTER, "expired-domains.csv")
    register_csv(app, Ids.BREAKDOWN_TABLE, "domain-value.csv")
    register_csv(app, Ids.PORTFOLIOS, "competitor-portfolios.csv")
    register_csv(app, Ids.GAP, "link-gap.csv")
