"""Callbacks of the crawler performance page: refresh on the tick when the rollup version, the
minute, the fleet or the window changed (nothing sent otherwise); CSV export of every table."""

from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks.discovery import register_csv
from layouts.analysis_ids import Perf
from layouts.ids import Shell
from views import performance as view

ORDER = (Perf.LEADERBOARD, Perf.RATES, Perf.TREND, Perf.ALLOCATION, Perf.BOTTLENECKS, Perf.SUMMARY)
PROPS = {Perf.TREND: "figure", Perf.BOTTLENECKS: "children"}


def register(app, ctx) -> None:
    """Attach the performance page's callbacks to `app`."""

    @app.callback(
        *[Output(i, PROPS.get(i, "data")) for i in ORDER],
        Output(Perf.HELD, "data"),
        Input(Shell.TICK, "n_intervals"),
        Input(Perf.WINDOW, "value"),
        State(Perf.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_tick, hours, held):
        """Triggered by the tick or the window: re-render only when the data can have changed."""
        hours = int(hours or 24)
        key = [ctx.analytics.cache.version(), *view.model_key(ctx, hours)]
        if (held or {}).get("key") == key:
            raise PreventUpdate  # decided before any model is read or drawn
        out = view.outputs(view.model(ctx, hours))
        return (*[out[i] for i in ORDER], {"key": key})

    register_csv(app, Perf.LEADERBOARD, "satellite-leaderboard.csv")
    register_csv(app, Perf.RATES, "rate-limits.csv")
    register_csv(app, Perf.ALLOCATION, "allocation.csv")
    register_csv(app, Perf.SUMMARY, "missions-24h.csv")
