"""Live updates of the main screen.

One callback per tick per viewer. It reads only the snapshot (one Redis GET of the version,
plus one GET of the document when it changed, shared by all viewers of this process); the
rendered panels are cached per version, so a hundred viewers cost one render. Each viewer is
sent only the panels whose digests differ from what its browser holds, as Patches where the
structure is unchanged, and the queue trend is extended rather than redrawn.
"""

from __future__ import annotations

import threading

from dash import Input, Output, Patch, State, no_update
from dash.exceptions import PreventUpdate

from figures import mission as figs
from layouts.ids import Main, Shell
from mission.context import AppContext
from views.delta import update_for
from views.mission import render_all

PANELS = [
    Main.KPI_ACTIVE, Main.KPI_ACTIVE_SUB, Main.KPI_FLEET, Main.KPI_FLEET_SUB, Main.KPI_QUEUE, Main.KPI_QUEUE_SUB,
    Main.KPI_ALERTS, Main.KPI_ALERTS_SUB, Main.METRIC_PAGES, Main.METRIC_COMPLETION, Main.METRIC_UTIL,
    Main.METRIC_DONE, Main.METRIC_FAILED, Main.METRIC_BACKLINKS,
    Main.DISCOVERY_CHART, Main.DISCOVERY_RADAR, Main.QUOTA_CHART, Main.TIMELINE, Main.QUEUE_GAUGE,
    Main.BOARD, Main.FLEET, Main.ERRORS, Main.QUEUE_DETAIL, Main.ALERT_CARD,
]
PROPERTY = {Main.DISCOVERY_CHART: "figure", Main.DISCOVERY_RADAR: "figure", Main.QUOTA_CHART: "figure",
            Main.TIMELINE: "figure", Main.QUEUE_GAUGE: "figure", Main.ALERT_CARD: "className"}


class RenderCache:
    """Rendered panels of the latest snapshot version, shared by every viewer of a process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version = None
        self._renders = None
        self._doc = None

    def get(self, version: int, doc: dict):
        with self._lock:
            if self._version == version:
                return self._renders
        renders = render_all(doc)
        with self._lock:
            self._version, self._renders, self._doc = version, renders, doc
        return renders


def register(app, ctx: AppContext) -> None:
    cache = RenderCache()
    outputs = [Output(p, PROPERTY.get(p, "children"), allow_duplicate=False) for p in PANELS]

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
        held = held or {}
        if doc is None or held.get("v") == version:
            raise PreventUpdate
        renders = cache.get(version, doc)
        # The browser's digest store is patched too: only the entries that changed travel.
        sent, digests = [], Patch()
        digests["v"] = version
        for panel in PANELS:
            value, new = update_for(renders[panel], held.get(str(panel)))
            sent.append(value)
            if new is not None:
                digests[str(panel)] = new
        trend = doc.get("mc", {}).get("queue_trend", [])
        extension = figs.trend_extension(trend, held.get("trend_last"))
        if trend:
            digests["trend_last"] = trend[-1][0]
        return (*sent, extension if extension else no_update, digests)
