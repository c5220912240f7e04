"""Callbacks of the alert center page (attached by `register(app, ctx)`; no module-level state).

- Live panels: triggered by the shell's tick; read the snapshot only (no SQL per viewer) and
  send a section only when its content changed (digests kept in the page's store). Ages are
  digested by the minute, so a card is not redrawn every second.
- Acknowledge / silence / end silence: triggered by the card buttons; same rule as the API
  (MC_API_TOKEN when set, otherwise only from this host); the comment and the duration come
  from the fields above the list, which live refreshes never redraw.
- History: triggered by the filters and the refresh button (SQL only when a person asks),
  with a chart and the CSV export.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from dash import ALL, Input, Output, State, ctx as dash_ctx, dcc, no_update
from dash.exceptions import PreventUpdate
from flask import request

from alerts.export import history_csv, history_record
from api.http import write_refusal
from figures.alerts import history_figure
from layouts import alert_center as view
from layouts.alert_ids import AlertIds
from layouts.ids import Shell
from runtime.context import AppContext

SECTIONS = (AlertIds.SUMMARY, AlertIds.FIRING, AlertIds.PENDING, AlertIds.SILENCES, AlertIds.RULES)
HISTORY_LIMIT = 500
EXPORT_LIMIT = 5000


def _digest(value) -> str:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def _stable(alerts: list[dict]) -> list[dict]:
    # Age by the minute (and "new" for the first minute, which drives the flash).
    return [{**a, "age_s": None, "_age_min": int((a.get("age_s") or 0) // 60)} for a in alerts]


def live_sections(doc: dict) -> dict:
    """{section id: (digest, children)} from one snapshot document."""
    alerts = doc.get("alerts", [])
    center = doc.get("mc", {}).get("alert_center", {})
    parts = {
        AlertIds.SUMMARY: (
            (
                alerts and [a.get("severity") for a in alerts],
                center.get("outbox"),
                center.get("channels"),
                center.get("problems"),
            ),
            lambda: view.summary_panel(alerts, center),
        ),
        AlertIds.FIRING: (_stable(alerts), lambda: view.firing_panel(alerts)),
        AlertIds.PENDING: (_stable(center.get("pending", [])), lambda: view.pending_panel(center.get("pending", []))),
        AlertIds.SILENCES: (center.get("silences", []), lambda: view.silences_panel(center.get("silences", []))),
        AlertIds.RULES: (center.get("lp_rules", []), lambda: view.rules_panel(center.get("lp_rules", []))),
    }
    return {k: (_digest(data), build) for k, (data, build) in parts.items()}


def history_rows(ctx: AppContext, severity, kind, event, hours, text, limit: int) -> list[dict]:
    since = ctx.alerts.clock() - timedelta(hours=float(hours or 24))
    return ctx.alerts.store.history(
        since=since,
        severity=severity or None,
        alert_type=kind or None,
        event=event or None,
        text=(text or "").strip() or None,
        limit=limit,
    )


def register(app, ctx: AppContext) -> None:
    @app.callback(
        *[Output(s, "children") for s in SECTIONS],
        Output(AlertIds.DIGEST, "data"),
        Input(Shell.TICK, "n_intervals"),
        State(AlertIds.DIGEST, "data"),
    )
    def refresh(_n, digests):
        """Tick: redraw the live sections whose content changed since this browser's last draw."""
        try:
            _version, doc = ctx.snapshots.load()
        except Exception:
            raise PreventUpdate from None
        if doc is None:
            raise PreventUpdate
        digests = digests or {}
        sections = live_sections(doc)
        if all(digests.get(k) == d for k, (d, _b) in sections.items()):
            raise PreventUpdate
        out = [build() if digests.get(k) != d else no_update for k, (d, build) in sections.items()]
        return (*out, {k: d for k, (d, _b) in sections.items()})

    @app.callback(
        Output(AlertIds.STATUS, "children"),
        Output(AlertIds.DIGEST, "data", allow_duplicate=True),
        Input({"type": AlertIds.ACK, "index": ALL}, "n_clicks"),
        Input({"type": AlertIds.SILENCE, "index": ALL}, "n_clicks"),
        Input({"type": AlertIds.SILENCE_TYPE, "index": ALL}, "n_clicks"),
        Input({"type": AlertIds.END_SILENCE, "index": ALL}, "n_clicks"),
        State(AlertIds.COMMENT, "value"),
        State(AlertIds.DURATION, "value"),
        State(AlertIds.TOKEN, "value"),
        prevent_initial_call=True,
    )
    def act(_acks, _silences, _type_silences, _ends, comment, minutes, token):
        """A card button: acknowledge, silence (one alert or a type) or end a silence."""
        trigger = dash_ctx.triggered_id
        if not isinstance(trigger, dict) or not any(t.get("value") for t in dash_ctx.triggered):
            raise PreventUpdate  # buttons re-created by a refresh, not a click
        if ctx.alerts is None:
            return "The alert engine is not running", no_update
        refusal = write_refusal(
            ctx.settings, f"Bearer {token}" if token else None, request.remote_addr, "alert changes"
        )
        if refusal:
            return f"Not allowed: {refusal[1]}", no_update
        who = f"dashboard:{request.remote_addr or '?'}"
        comment = (comment or "").strip()[:1000]
        kind, target = trigger.get("type"), str(trigger.get("index"))
        if kind == AlertIds.ACK:
            if not comment:
                return "Write a comment first: say what is being done about the alert", no_update
            row = ctx.alerts.acknowledge(target, who, comment)
            message = "Acknowledged" if row else "That alert is no longer firing"
        elif kind in (AlertIds.SILENCE, AlertIds.SILENCE_TYPE):
            minutes = float(minutes or 60)
            if kind == AlertIds.SILENCE:
                ctx.alerts.silence(fingerprint=target, duration_s=minutes * 60, by=who, comment=comment)
                message = f"Silenced for {minutes:g} min"
            else:
                ctx.alerts.silence(alert_type=target, duration_s=minutes * 60, by=who, comment=comment)
                message = f"Every {target} alert silenced for {minutes:g} min"
        else:
            message = "Silence ended" if ctx.alerts.end_silence(target) else "That silence had already ended"
        # The producer applies it on its next tick; clearing the digests redraws everything then.
        return message, None

    filters = [
        State(AlertIds.FILTER_SEVERITY, "value"),
        State(AlertIds.FILTER_TYPE, "value"),
        State(AlertIds.FILTER_EVENT, "value"),
        State(AlertIds.FILTER_HOURS, "value"),
        State(AlertIds.FILTER_TEXT, "value"),
    ]

    @app.callback(
        Output(AlertIds.HISTORY, "children"),
        Output(AlertIds.HISTORY_CHART, "figure"),
        Input(AlertIds.FILTER_SEVERITY, "value"),
        Input(AlertIds.FILTER_TYPE, "value"),
        Input(AlertIds.FILTER_EVENT, "value"),
        Input(AlertIds.FILTER_HOURS, "value"),
        Input(AlertIds.FILTER_TEXT, "value"),
        Input(AlertIds.HISTORY_REFRESH, "n_clicks"),
        Input(AlertIds.STATUS, "children"),
    )
    def history(severity, kind, event, hours, text, _refresh, _status):
        """Filters, the refresh button or an action: re-read the history (the only SQL of the page)."""
        if ctx.alerts is None:
            return view.history_table([]), history_figure([])
        records = [history_record(r) for r in history_rows(ctx, severity, kind, event, hours, text, HISTORY_LIMIT)]
        return view.history_table(records), history_figure(records)

    @app.callback(
        Output(AlertIds.DOWNLOAD, "data"),
        Input(AlertIds.EXPORT, "n_clicks"),
        *filters,
        prevent_initial_call=True,
    )
    def export(n_clicks, severity, kind, event, hours, text):
        """Export button: the filtered history as CSV."""
        if not n_clicks or ctx.alerts is None:
            raise PreventUpdate
        rows = history_rows(ctx, severity, kind, event, hours, text, EXPORT_LIMIT)
        return dcc.send_string(history_csv(rows), "alert-history.csv")
