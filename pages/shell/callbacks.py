"""Shell callbacks: page routing, kiosk / embed modes, the config panel, and the LIVE
indicator (its age ticks in the browser; the server is asked only for the snapshot time)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State
from dash.exceptions import PreventUpdate

from pages.shell.ids import ShellIds as Shell
from pages.shell.layout import page_content
from pages.shell.model import latest, offline_sources
from ui.inputs import text
from ui.page import normal_path


def register(app, ctx, pages) -> None:
    """Attach the shell's callbacks (routing, config panel, LIVE indicator) to `app`."""

    @app.callback(
        Output(Shell.PAGE, "children"),
        Output(Shell.RENDERED, "data"),
        Input(Shell.URL, "pathname"),
        State(Shell.RENDERED, "data"),
    )
    def route(pathname, rendered):
        """Triggered by navigation: the page's layout, unless the first paint already has it."""
        pathname = text("path", pathname, 2000)
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
            version, doc = latest(ctx)
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            last = held.get("t") if isinstance(held, dict) else None
            return {"v": None, "t": last}, "REDIS OFFLINE"
        if doc is None:
            return {"v": None, "t": None}, "WAITING FOR PRODUCER"
        if isinstance(held, dict) and held.get("v") == version:
            raise PreventUpdate
        mc = doc.get("mc", {})
        return {"v": version, "t": mc.get("built_at"), "r": mc.get("refresh_rate_ms")}, offline_sources(doc)

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
    # Times: the toggle flips the stored choice; the choice (restored from localStorage on
    # load) is applied by assets/time.js to every time, table header and chart on the page.
    app.clientside_callback(
        ClientsideFunction(namespace="mcTime", function_name="toggle"),
        Output(Shell.TIME_ZONE, "data"),
        Input(Shell.TIME_ZONE_TOGGLE, "n_clicks"),
        State(Shell.TIME_ZONE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mcTime", function_name="apply"),
        Output(Shell.TIME_ZONE_TOGGLE, "children"),
        Output(Shell.TIME_ZONE_TOGGLE, "title"),
        Input(Shell.TIME_ZONE, "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="screenMode"),
        Output(Shell.ROOT, "className"),
        Input(Shell.URL, "search"),
    )
