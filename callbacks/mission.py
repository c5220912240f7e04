"""Live updates of the main screen.

One callback per tick per viewer. It reads only the snapshot (one Redis GET of the version;
the document is fetched and parsed once per version per process) and never runs SQL. The
browser holds just the version it shows; the callback renders that version and the latest
(views/render_cache.py: renders are cached per version and shared by every viewer) and sends, per
panel, nothing, a Patch of what differs, or the full value. The queue trend is extended
(capped extendData) rather than redrawn.
"""

from __future__ import annotations

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from figures import mission as figs
from layouts.ids import Main, Shell
from runtime.context import AppContext
from views.delta import update_for
from views.render_cache import render_cache

PANELS = [
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
    Main.FLEET,
    Main.ERRORS,
    Main.QUEUE_DETAIL,
    Main.ALERT_CARD,
]
PROPERTY = {
    Main.DISCOVERY_CHART: "figure",
    Main.DISCOVERY_RADAR: "figure",
    Main.QUOTA_CHART: "figure",
    Main.TIMELINE: "figure",
    Main.QUEUE_GAUGE: "figure",
    Main.ALERT_CARD: "className",
}


def register(app, ctx: AppContext) -> None:
    cache = render_cache(ctx)
    outputs = [Output(p, PROPERTY.get(p, "children")) for p in PANELS]

    @app.callback(
        *outputs,
        Output(Main.QUEUE_TREND, "extendData"),
        Output(Main.DIGESTS, "data"),
        Input(Shell.TICK, "n_intervals"),
        State(Main.DIGESTS, "data"),
        prevent_initial_call=True,
    )
    def refresh_main(_tick, held):
        """Triggered by the shell's interval: send each changed panel's smallest update."""
        try:
            version, doc = ctx.snapshots.load()
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            raise PreventUpdate from None
        cache.viewer_seen()
        held = held or {}
        shown = held.get("v")
        if doc is None or shown == version:
            raise PreventUpdate
        new = cache.get(version, doc)
        old = cache.get(shown) if isinstance(shown, int) else None
        sent = [update_for(new[p], old[p] if old else None) for p in PANELS]
        trend = doc.get("mc", {}).get("queue_trend", [])
        extension = figs.trend_extension(trend, held.get("trend_last"), ctx.settings.queue_trend_points)
        state = {"v": version, "trend_last": trend[-1][0] if trend else held.get("trend_last")}
        return (*sent, extension if extension else no_update, state)
