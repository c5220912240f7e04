"""Shell callbacks: page routing, kiosk / embed modes, the config panel, the live trigger and
the LIVE indicator. The browser learns of new snapshots from the push stream (assets/push.js)
and only then asks the server, for the snapshot's time (and its own clock); it decides LIVE /
DELAYED / STALE and the frozen watermark on a clock of its own (assets/wall.js), so a server
that hangs cannot keep a screen saying LIVE, and an idle screen costs the server nothing."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State
from dash.exceptions import PreventUpdate

from pages.shell.ids import ShellIds as Shell
from pages.shell.layout import page_content
from pages.shell.model import latest, offline_sources, stamp
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
        path = normal_path(text("path", pathname, 2000), ctx.settings.url_prefix)
        if rendered is not None and path == rendered:
            raise PreventUpdate
        return page_content(ctx, pages, path), path

    @app.callback(
        Output(Shell.CONFIG_PANEL, "is_open"),
        Input(Shell.CONFIG_BUTTON, "n_clicks"),
        State(Shell.CONFIG_PANEL, "is_open"),
        prevent_initial_call=True,
    )
    def toggle_config(_clicks, is_open):
        """Triggered by the ⚙ button."""
        return not is_open

    # The live trigger (assets/push.js): the push stream's notices set VERSION; push.js starts
    # here, with its settings, and disables the slow POLL while its stream is open. While it is
    # not, each POLL tick sets VERSION instead. Every page's live callback and `snapshot_time`
    # are triggered by VERSION alone, so a browser with nothing new to show sends nothing.
    app.clientside_callback(
        ClientsideFunction(namespace="mcPush", function_name="poll"),
        Output(Shell.VERSION, "data"),
        Input(Shell.POLL, "n_intervals"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(Shell.BUILT_AT, "data"),
        Output(Shell.SOURCES, "children"),
        Input(Shell.VERSION, "data"),
        State(Shell.BUILT_AT, "data"),
        prevent_initial_call=True,
    )
    def snapshot_time(_version, held):
        """Triggered by a version notice (or the fallback poll): the snapshot's stamp (build
        time, this server's clock) and any offline source; nothing when the browser already
        holds this snapshot. The first paint carries both, so nothing runs on load."""
        last = held.get("t") if isinstance(held, dict) else None
        try:
            version, doc = latest(ctx)
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            return stamp(None, None, last), "REDIS OFFLINE"
        if doc is None:
            return stamp(None, None), "WAITING FOR PRODUCER"
        if isinstance(held, dict) and held.get("v") == version:
            raise PreventUpdate
        return stamp(version, doc), offline_sources(doc)

    # The header's state, decided in the browser: once when a stamp arrives (the first paint's
    # included) and then every second on the wall clock. The wall clock's callback depends on
    # nothing a server callback writes (Dash holds back any callback whose input or state is the
    # output of one in flight), so it keeps running while the server hangs; it also rotates
    # kiosk pages. Both keep their state in window.mcWall (assets/wall.js).
    header = (
        Output(Shell.AGE, "children"),
        Output(Shell.LIVE, "className"),
        Output(Shell.LIVE_TEXT, "children"),
        Output(Shell.LIVE, "title"),
        Output(Shell.CLOCK, "children"),
        Output(Shell.CLOCK, "title"),
        Output(Shell.WATERMARK, "hidden"),
        Output(Shell.WATERMARK_TEXT, "children"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="liveIndicator"),
        *header,
        Input(Shell.BUILT_AT, "data"),
        State(Shell.WALL_CONFIG, "data"),
        prevent_initial_call=True,  # on load: boot, below
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="wallTick"),
        *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in header],
        Output(Shell.URL, "pathname"),
        Input(Shell.WALL_CLOCK, "n_intervals"),
        State(Shell.WALL_CONFIG, "data"),
        State(Shell.URL, "pathname"),
        State(Shell.URL, "search"),
        # Its first tick is a second after load; boot (below) shows the header at once.
        prevent_initial_call=True,
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
        prevent_initial_call=True,  # on load: boot
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="screenMode"),
        Output(Shell.ROOT, "className"),
        Input(Shell.URL, "search"),
        prevent_initial_call=True,  # on load: boot
    )
    # On load, ONE callback does what the four above did on load (start the push stream, the
    # header from the first paint's stamp, the time toggle, kiosk / embed): each callback Dash
    # runs on load costs several store updates, and every store update runs the selectors of
    # every component on the page (~520 on the main screen). Measured on the main screen's
    # first fill: 10-14 % of it went to those four separate callbacks. Its only input never
    # changes (the push settings), so it runs once per page load.
    app.clientside_callback(
        ClientsideFunction(namespace="mcBoot", function_name="boot"),
        *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in header],
        Output(Shell.TIME_ZONE_TOGGLE, "children", allow_duplicate=True),
        Output(Shell.TIME_ZONE_TOGGLE, "title", allow_duplicate=True),
        Output(Shell.ROOT, "className", allow_duplicate=True),
        Input(Shell.PUSH, "data"),
        State(Shell.BUILT_AT, "data"),
        State(Shell.WALL_CONFIG, "data"),
        State(Shell.TIME_ZONE, "data"),
        State(Shell.URL, "search"),
        prevent_initial_call="initial_duplicate",
    )
    app.clientside_callback(
        ClientsideFunction(namespace="mc", function_name="keepWallQuery"),
        Output(Shell.URL, "search"),
        Input(Shell.URL, "pathname"),
        State(Shell.URL, "search"),
        prevent_initial_call=True,
    )
