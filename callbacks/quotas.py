"""Live updates of the quota page.

Triggered by the shell's tick. The ledger's version (one Redis GET) plus the current minute
(forecasts move with time even when nobody consumes) says whether anything can have changed;
if not, nothing is sent. Otherwise the overview is read once per process for that key (shared
by every viewer) and each section is sent only when its data differs from what this browser
holds (digests kept in a dcc.Store).
"""

from __future__ import annotations

import hashlib
import json
import threading

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from layouts import quotas as view
from pages.shell.ids import ShellIds as Shell
from layouts.quota_ids import QuotaIds

# section -> the part of the overview it shows
SECTION_DATA = {
    QuotaIds.SUMMARY: lambda m: (m["statuses"], [e.get("kind") for e in m["events"]]),
    QuotaIds.CARDS: lambda m: m["statuses"],
    QuotaIds.BARS: lambda m: [(s["api_name"], s["used"], s["limit"], s["status"], s["enabled"]) for s in m["statuses"]],
    QuotaIds.BURNDOWN: lambda m: (m["history"], m["statuses"], m["now"][:16]),
    QuotaIds.RECOMMENDATIONS: lambda m: [
        (s["api_name"], s["status"], s["recommended_action"], s["enabled"]) for s in m["statuses"]
    ],
    QuotaIds.DECISIONS: lambda m: m["decisions"],
    QuotaIds.EVENTS: lambda m: m["events"],
}


def _digest(value) -> str:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()


def digests(model: dict) -> dict:
    """{section id: digest of its data} for an overview."""
    return {str(section): _digest(pick(model)) for section, pick in SECTION_DATA.items()}


class OverviewCache:
    """The overview for the latest (version, minute), shared by the viewers of a process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._model = None

    def get(self, key, load):
        with self._lock:
            if self._key == key:
                return self._model
        model = load()
        with self._lock:
            self._key, self._model = key, model
        return model


def register(app, ctx) -> None:
    """Attach the quota page's refresh callback to `app`."""
    cache = OverviewCache()

    @app.callback(
        Output(QuotaIds.SUMMARY, "children"),
        Output(QuotaIds.CARDS, "children"),
        Output(QuotaIds.BARS, "figure"),
        Output(QuotaIds.BURNDOWN, "figure"),
        Output(QuotaIds.RECOMMENDATIONS, "children"),
        Output(QuotaIds.DECISIONS, "children"),
        Output(QuotaIds.EVENTS, "children"),
        Output(QuotaIds.HELD, "data"),
        Input(Shell.TICK, "n_intervals"),
        State(QuotaIds.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh_quotas(_tick, held):
        """Triggered by the shell's interval: send the sections whose data changed, else nothing."""
        if ctx.quotas is None:
            raise PreventUpdate
        try:
            key = [ctx.quotas.version(), ctx.quotas.clock().strftime("%Y%m%d%H%M")]
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            raise PreventUpdate from None
        held = held or {}
        if held.get("key") == key:
            raise PreventUpdate
        try:
            model = cache.get(tuple(key), ctx.quotas.overview)
        except Exception:
            raise PreventUpdate from None  # the shell already shows the source as offline
        fresh = digests(model)
        changed = {s for s in fresh if fresh[s] != held.get(s)}
        if not changed:
            return (*[no_update] * 7, {**fresh, "key": key})
        bars = burn = no_update
        if str(QuotaIds.BARS) in changed or str(QuotaIds.BURNDOWN) in changed:
            bars, burn = view.figures_for(model)
        return (
            view.summary_strip(model["statuses"], model["events"]) if str(QuotaIds.SUMMARY) in changed else no_update,
            view.provider_cards(model["statuses"]) if str(QuotaIds.CARDS) in changed else no_update,
            bars if str(QuotaIds.BARS) in changed else no_update,
            burn if str(QuotaIds.BURNDOWN) in changed else no_update,
            view.recommendations(model["statuses"]) if str(QuotaIds.RECOMMENDATIONS) in changed else no_update,
            view.decisions_table(model["decisions"]) if str(QuotaIds.DECISIONS) in changed else no_update,
            view.events_list(model["events"]) if str(QuotaIds.EVENTS) in changed else no_update,
            {**fresh, "key": key},
        )
