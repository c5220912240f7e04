"""Live updates of the quota page.

Triggered by a new snapshot version (the shell's VERSION): `ui.live.smallest_update` against the key (ledger version,
minute), one Redis GET. Same key as the browser holds: nothing is sent. Otherwise the overview
is read and rendered once per key per process (shared by every viewer and by the first paint)
and each section is sent only when it differs from what this browser shows.
"""

from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from pages.quotas.ids import QuotaIds as Ids
from pages.quotas.model import key, overview
from pages.quotas.render import OUTPUTS, render
from pages.shell.ids import ShellIds
from ui.live import page_renders, smallest_update


def register(app, ctx) -> None:
    """Attach the quota page's refresh callback to `app`."""
    cache = page_renders(ctx, "quotas", render)

    @app.callback(
        *[Output(output, prop) for output, prop in OUTPUTS.items()],
        Output(Ids.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        State(Ids.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh_quotas(_version, held):
        """Triggered by a new snapshot version (the shell's VERSION): send the sections that changed, else nothing."""
        if ctx.quotas is None:
            raise PreventUpdate
        try:
            shown = key(ctx)
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            raise PreventUpdate from None
        try:
            sent, held = smallest_update(cache, held, shown, lambda: overview(ctx), OUTPUTS)
        except PreventUpdate:
            raise
        except Exception:
            raise PreventUpdate from None  # the shell already shows the source as offline
        return (*sent, held)
