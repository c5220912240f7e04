"""Callbacks of the domain intelligence page: refresh on the tick when the rollup version or the
controls changed (nothing sent otherwise), the calculator follows the picker or a hunter row
click, and each table exports to CSV."""

from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks.discovery import register_csv
from layouts.analysis_ids import Dom
from layouts.ids import Shell
from views import domains as view
from views.analysis import page_now

ORDER = (
    Dom.HUNTER,
    Dom.BREAKDOWN,
    Dom.BREAKDOWN_TABLE,
    Dom.SCORE,
    Dom.PORTFOLIOS,
    Dom.OVERLAP,
    Dom.GAP,
    Dom.MENTIONS,
    Dom.SENTIMENT,
)
PROPS = {
    Dom.HUNTER: "data",
    Dom.BREAKDOWN_TABLE: "data",
    Dom.PORTFOLIOS: "data",
    Dom.GAP: "data",
    Dom.SCORE: "children",
}


def register(app, ctx) -> None:
    """Attach the domain page's callbacks to `app`."""

    @app.callback(
        *[Output(i, PROPS.get(i, "figure")) for i in ORDER],
        Output(Dom.HELD, "data"),
        Input(Shell.TICK, "n_intervals"),
        Input(Dom.WITHIN, "value"),
        Input(Dom.PICK, "value"),
        State(Dom.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_tick, within, picked, held):
        """Triggered by the tick or the controls: re-render only when the data can have changed."""
        within = int(within) if within not in (None, "") else None
        key = [ctx.analytics.cache.version(), page_now(ctx).strftime("%Y-%m-%d %H"), within, picked]
        if (held or {}).get("key") == key:
            raise PreventUpdate
        out = view.outputs(view.model(ctx, within, picked))
        return (*[out[i] for i in ORDER], {"key": key})

    @app.callback(
        Output(Dom.PICK, "value"),
        Input(Dom.HUNTER, "active_cell"),
        State(Dom.HUNTER, "derived_viewport_data"),
        prevent_initial_call=True,
    )
    def pick_from_hunter(cell, rows):
        """Triggered by a click in the hunter table: that domain goes into the calculator."""
        if not cell or not rows or cell.get("row") is None or cell["row"] >= len(rows):
            raise PreventUpdate
        return rows[cell["row"]]["name"]

    @app.callback(
        Output(Dom.PICK, "options"),
        Input(Dom.PICK, "search_value"),
        State(Dom.PICK, "value"),
        prevent_initial_call=True,
    )
    def search_domains(search, current):
        """Triggered by typing in the picker: matching domain names (bounded)."""
        from analytics.domains import domain_names

        if not search:
            raise PreventUpdate
        names = domain_names(ctx.services.mc_engine, str(search)[:100])
        if current and current not in names:
            names.append(current)
        return [{"label": n, "value": n} for n in names]

    register_csv(app, Dom.HUNTER, "expired-domains.csv")
    register_csv(app, Dom.BREAKDOWN_TABLE, "domain-value.csv")
    register_csv(app, Dom.PORTFOLIOS, "competitor-portfolios.csv")
    register_csv(app, Dom.GAP, "link-gap.csv")
