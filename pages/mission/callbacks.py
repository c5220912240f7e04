"""Live updates of the main screen.

One callback per tick per viewer. It reads only the snapshot (one Redis GET of the version;
the document is fetched and parsed once per version per process) and never runs SQL. The
browser holds just the version it shows; `ui.live.smallest_update` renders that version and
the latest (renders are cached per version and shared by every viewer, and warmed by a thread
while viewers poll) and sends, per panel, nothing, a Patch of what differs, or the full value.
The queue trend is extended (capped extendData) rather than redrawn.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from figures import mission as figs
from pages.mission.ids import MissionIds as Main
from pages.mission.layout import ARRANGEMENT
from pages.mission.model import queue_trend
from pages.mission.render import BOARD_VALUES, FLEET_VALUES, render
from pages.shell.ids import ShellIds
from pages.snapshot import at_version, latest
from ui import arrange
from ui import commands as cmd
from ui.live import page_renders, smallest_update

PANELS: list[str] = [
    Main.KPI_ACTIVE,
    Main.KPI_ACTIVE_SUB,
    Main.KPI_FLEET,
    Main.KPI_FLEET_SUB,
    Main.KPI_QUEUE,
    Main.KPI_QUEUE_SUB,
    Main.KPI_ALERTS,
    Main.KPI_ALERTS_SUB,
    Main.METRIC_PAGES,
    Main.METRIC_COMPLETION,
    Main.METRIC_UTIL,
    Main.METRIC_DONE,
    Main.METRIC_FAILED,
    Main.METRIC_BACKLINKS,
    Main.DISCOVERY_CHART,
    Main.DISCOVERY_RADAR,
    Main.QUOTA_CHART,
    Main.TIMELINE,
    Main.QUEUE_GAUGE,
    Main.BOARD,
    BOARD_VALUES,
    Main.FLEET,
    FLEET_VALUES,
    Main.ERRORS,
    Main.QUEUE_DETAIL,
    Main.ALERT_CARD,
]
# Render key -> (component, property) where it differs from (key, PROPERTY or "children").
TARGET: dict[str, tuple[str, str]] = {BOARD_VALUES: (Main.BOARD, "style"), FLEET_VALUES: (Main.FLEET, "style")}
PROPERTY: dict[str, str] = {
    Main.DISCOVERY_CHART: "figure",
    Main.DISCOVERY_RADAR: "figure",
    Main.QUOTA_CHART: "figure",
    Main.TIMELINE: "figure",
    Main.QUEUE_GAUGE: "figure",
    Main.ALERT_CARD: "className",
}


def register(app, ctx) -> None:
    """Attach the main screen's live callback and its arranged panels to `app`."""
    arrange.register(app, Main.GRID, Main.ARRANGED, Main.RESET_LAYOUT, ARRANGEMENT)
    # The scrubber: the slider's minute into the `at` field, in the browser (assets/replay.js).
    app.clientside_callback(
        ClientsideFunction(namespace="mcReplay", function_name="minuteText"),
        Output(Main.SCRUB_AT, "value"),
        Input(Main.SCRUB_SLIDER, "value"),
        prevent_initial_call=True,
    )
    cmd.register(app, ctx, Main.FLEET_COMMANDS, target_control=Main.FLEET_PICK)
    cmd.register(app, ctx, Main.QUEUE_COMMANDS)
    cache = page_renders(ctx, "mission", render)
    pause_s = max(0.05, ctx.settings.refresh_rate_ms / 4000)

    def latest_model():
        version, doc = latest(ctx)
        return None if doc is None else (version, doc)

    @app.callback(
        *[Output(*TARGET.get(p, (p, PROPERTY.get(p, "children")))) for p in PANELS],
        Output(Main.QUEUE_TREND, "extendData"),
        Output(Main.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        State(Main.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh_main(_version, held):
        """Triggered by a new snapshot version (the shell's VERSION): send each changed panel's smallest update;
        nothing while the page replays a past minute (`/?at=`)."""
        if isinstance(held, dict) and held.get("replay"):
            raise PreventUpdate
        try:
            version, doc = latest(ctx)
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            raise PreventUpdate from None
        cache.warm_while_viewed(latest_model, pause_s, ctx.notices, PANELS)
        if doc is None:
            raise PreventUpdate
        held = held if isinstance(held, dict) else {}
        sent, state = smallest_update(
            cache, held, version, lambda: doc, PANELS, load_old=lambda old: at_version(ctx, old), field="v"
        )
        trend = queue_trend(doc)
        shown_last = held.get("trend_last")
        if isinstance(shown_last, bool) or not isinstance(shown_last, (int, float)):
            shown_last = None  # not a time we sent: extend from the start of the series
        extension = figs.trend_extension(trend, shown_last, ctx.settings.queue_trend_points)
        state["trend_last"] = trend[-1][0] if trend else shown_last
        return (*sent, extension if extension else no_update, state)
