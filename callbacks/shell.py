"""Shell callbacks: page routing, kiosk / embed modes, the config panel, and the LIVE
indicator (its age ticks in the browser; the server is asked only for the snapshot time)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State
from dash.exceptions import PreventUpdate

from layouts.ids import Shell
from layouts.pages import normal_path, page_content
from runtime.context import AppContext


def register_shell(app, ctx: AppContext, pages) -> None:
    @app.callback(
        Output(Shell.PAGE, "children"),
        Output(Shell.RENDERED, "data"),
        Input(Shell.URL, "pathname"),
        State(Shell.RENDERED, "data"),
    )
    def route(pathname, rendered):
        """Triggered by navigation: the page's layout, unless the first paint already has it."""
        if rendered is not None and normal_path(pathname) == rendered:
            raise PreventUpdate
        return page_content(ctx, pages, pathname), normal_path(pathname)

    @app.callback(
        Output(Shell.CONFIG_PANEL, "is_open"),
        Input(Shell.CONFIG_BUTTON, "n_clicks"),
        State(Shell.CONFIG_PANEL, "is_open"),
        prevent_initial_call=True,
    )
    def toggle_config(_clicks, is_open):
        """Triggered by the ⚙ button."""
        return not is_open

    @app.callback(
        Output(Shell.BUILT_AT, "data"),
        Output(Shell.SOURCES, "children"),
        Input(Shell.TICK, "n_intervals"),
        State(Shell.BUILT_AT, "data"),
    )
    def snapshot_time(_tick, held):
        """Triggered by the interval: the snapshot's build time and any offline source."""
        try:
            version, doc = ctx.snapshots.load()
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            return {"v": None, "t": (held or {}).get("t")}, "REDIS OFFLINE"
        if doc is None:
            return {"v": None, "t": None}, "WAITING FOR PRODUCER"
        if held and held.get("v") == version:
            raise PreventUpdate
        mc = doc.get("mc", {})
        offline = [name.upper() + " OFFLINE" for name, h in mc.get("sources", {}).items() if not h.get("online", True)]
        return {"v": version, "t": mc.get("built_at"), "r": mc.get("refresh_rate_ms")}, " · ".join(offline)

    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="liveIndicator"),
        Output(Shell.AGE, "children"),
        Output(Shell.LIVE, "className"),
        Output(Shell.LIVE_TEXT, "children"),
        Output(Shell.CLOCK, "children"),
        Output(Shell.CLOCK, "title"),
        Input(Shell.TICK, "n_intervals"),
        Input(Shell.BUILT_AT, "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="screenMode"),
        Output(Shell.ROOT, "className"),
        Input(Shell.URL, "search"),
    )
