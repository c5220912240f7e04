"""The alert center's data and actions.

- Live panels: the snapshot document (firing alerts in `doc["alerts"]`, pending alerts,
  silences, rules and delivery state in `doc["mc"]["alert_center"]`), the same data the main
  screen's alert card shows; one Redis GET of the version per tick, the document parsed once
  per version per process. Viewers never cause SQL for them.
- History: queried only when a person asks (filters, refresh, export), through `on_demand`.
- Acknowledge / silence / end a silence: the operator role (`auth.request`, the same gate as the
  API; the change is recorded under the signed-in user's name) and the API's write functions with their validation (`alerts.actions`), so the page and the API change alerts
  the same way. The producer applies a change on its next tick.
"""

from __future__ import annotations

from dataclasses import dataclass

import on_demand
from alerts.conditions import ALERT_TYPES
from alerts.export import PAGE_HEADER, history_csv, history_record
from alerts.store import HISTORY_EVENTS
from ui.inputs import bounded_int, choice, text
from alerts.actions import BadRequest, acknowledge_alert, end_alert_silence, silence_alerts
from auth.request import current_identity
from common.identity import Role
from pages.snapshot import latest

SEVERITIES = ("critical", "warning", "info")
TYPES = ALERT_TYPES
EVENTS = HISTORY_EVENTS
HISTORY_LIMIT = 500
EXPORT_LIMIT = 5000
DEFAULT_HOURS = 24
MAX_HISTORY_HOURS = 366 * 24
DEFAULT_SILENCE_MINUTES = 60

# What a card button asks for.
ACKNOWLEDGE, SILENCE, SILENCE_TYPE, END_SILENCE = "acknowledge", "silence", "silence_type", "end_silence"


def current(ctx) -> tuple[int | None, dict]:
    """(version, document) now, or (None, {}) before the first snapshot or while Redis is down."""
    try:
        version, doc = latest(ctx)
    except Exception:
        return None, {}
    return (version, doc) if doc else (None, {})


@dataclass(frozen=True)
class HistoryFilter:
    """The history filters as the page's controls give them (empty values mean 'any')."""

    severity: str | None = None
    alert_type: str | None = None
    event: str | None = None
    hours: float | None = None
    text: str | None = None

    @classmethod
    def of(cls, severity, alert_type, event, hours, text_value) -> HistoryFilter:
        """The filters as a browser sent them, each checked (InvalidInput names the one that is not
        a choice the control offers)."""
        return cls(
            choice("severity", severity, SEVERITIES) if severity not in (None, "") else None,
            choice("type", alert_type, TYPES) if alert_type not in (None, "") else None,
            choice("event", event, EVENTS) if event not in (None, "") else None,
            bounded_int("hours", hours, 1, MAX_HISTORY_HOURS, DEFAULT_HOURS),
            text("search", text_value, 200),
        )

    def rows(self, ctx, limit: int) -> list[dict]:
        return on_demand.alert_history(
            ctx,
            float(self.hours or DEFAULT_HOURS),
            self.severity or None,
            self.alert_type or None,
            self.event or None,
            (self.text or "").strip() or None,
            limit,
        )


def history(ctx, filters: HistoryFilter) -> list[dict]:
    """The filtered history as JSON-ready records, newest first (at most HISTORY_LIMIT)."""
    return [history_record(row) for row in filters.rows(ctx, HISTORY_LIMIT)]


def history_export(ctx, filters: HistoryFilter) -> str:
    """The filtered history as CSV (at most EXPORT_LIMIT rows)."""
    return history_csv(filters.rows(ctx, EXPORT_LIMIT), PAGE_HEADER)


def act(ctx, action: str, target: str, comment, minutes) -> str:
    """Carry out a card button's `action` on `target` (a fingerprint, an alert type or a silence
    id) for the person asking (the current request's identity); returns the sentence the page shows."""
    if ctx.alerts is None:
        return "The alert engine is not running"
    comment = text("comment", comment, 5000)
    caller = current_identity(ctx.settings)
    refusal = caller.refusal(Role.OPERATOR, "changing alerts")
    if refusal:
        return f"Not allowed: {refusal}" + ("; sign in as an operator" if caller.via == "anonymous" else "")
    who = caller.name
    # The field allows 1000 characters; a longer value did not come from the page.
    comment = (comment or "").strip()[:1000]
    try:
        if action == ACKNOWLEDGE:
            if not comment:
                return "Write a comment first: say what is being done about the alert"
            row = acknowledge_alert(ctx.alerts, target, who, comment)
            return "Acknowledged" if row else "That alert is no longer firing"
        if action in (SILENCE, SILENCE_TYPE):
            try:
                minutes = float(minutes or DEFAULT_SILENCE_MINUTES)
            except (TypeError, ValueError):
                raise BadRequest("the duration must be a number of minutes") from None
            one = action == SILENCE
            silence_alerts(
                ctx.alerts,
                fingerprint=target if one else None,
                alert_type=None if one else target,
                minutes=minutes,
                actor=who,
                comment=comment,
            )
            return f"Silenced for {minutes:g} min" if one else f"Every {target} alert silenced for {minutes:g} min"
        return "Silence ended" if end_alert_silence(ctx.alerts, target) else "That silence had already ended"
    except BadRequest as exc:
        return f"Not done: {exc}"
