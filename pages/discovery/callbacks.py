"""Callbacks of the Discovery page.

- A new snapshot version (the shell's VERSION), the window or the domain filter: `ui.live.smallest_update` against the key
  (rollup version, hour, controls); nothing is sent when the browser already shows that key.
- A click on a heat-map cell or a velocity bar lists the links behind it (a bounded query).
- Each table's CSV button downloads exactly the rows the table holds.
"""

from __future__ import annotations

from dash import Input, Output, State
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from pages.discovery.ids import DiscoveryIds as Ids
from pages.discovery.layout import ARRANGEMENT
from pages.discovery.model import ALL_DOMAINS, DEFAULT_WINDOW, WINDOWS, drill, key, model, watched_domain
from pages.discovery.render import OUTPUTS, drill_rows, render
from pages.shell.ids import ShellIds
from ui import arrange
from ui.inputs import choice, clicked_point, text
from ui.live import page_renders, smallest_update
from ui.tables import register_csv


def register(app, ctx) -> None:
    """Attach the Discovery page's callbacks to `app`."""
    arrange.register(app, Ids.GRID, Ids.ARRANGED, Ids.RESET_LAYOUT, ARRANGEMENT)
    cache = page_renders(ctx, "discovery", render)

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Output(Ids.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        Input(Ids.WINDOW, "value"),
        Input(Ids.DOMAIN, "value"),
        State(Ids.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_version, days, domain, held):
        """Triggered by a new snapshot version or the controls: send what changed since the key the browser holds."""
        days = choice("window", days, WINDOWS, DEFAULT_WINDOW)
        domain = None if domain in (None, ALL_DOMAINS) else text("domain", domain, 253)
        # The filter is checked against the watch list only when the key is new (inside the
        # load), so a tick at an unchanged key reads no model.
        sent, held = smallest_update(
            cache, held, key(ctx, days, domain), lambda: model(ctx, days, watched_domain(ctx, domain)), OUTPUTS
        )
        return (*sent, held)

    @app.callback(
        Output(Ids.DRILL, "data"),
        Output(Ids.DRILL_TITLE, "children"),
        Input(Ids.HEATMAP, "clickData"),
        Input(Ids.VELOCITY, "clickData"),
        State(Ids.DOMAIN, "value"),
        prevent_initial_call=True,
    )
    def show_links(heat_click, velocity_click, domain):
        """Triggered by a click on a heat-map cell or a velocity bar: the links behind it."""
        clicked = "heatmap" if dash_ctx.triggered_id == Ids.HEATMAP else "velocity"
        point = clicked_point("click", heat_click if clicked == "heatmap" else velocity_click)
        if point is None:
            raise PreventUpdate
        found = drill(ctx, clicked, point, watched_domain(ctx, domain))
        return drill_rows(found.rows), found.title

    register_csv(app, Ids.BOARD, "competition-board.csv")
    register_csv(app, Ids.FINDS, "high-authority-finds.csv")
    register_csv(app, Ids.DRILL, "links.csv")
