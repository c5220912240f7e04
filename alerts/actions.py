"""The writes an operator makes to alerts, with their validation: the HTTP API's routes and the
alert center's buttons both call these, so a change made from the page obeys exactly the
rules of one made over HTTP."""

from __future__ import annotations

from alerts.conditions import ALERT_TYPES

MAX_SILENCE_MINUTES = 30 * 24 * 60


class BadRequest(ValueError):
    """The request is malformed; the message tells the client what to fix."""


def acknowledge_alert(alerts, fingerprint: str, actor: str, comment: str) -> dict | None:
    """Acknowledge the pending or firing alert `fingerprint` as `actor` with `comment` (required).
    Returns the alert's row, or None when no such alert is active; raises BadRequest."""
    comment = (comment or "").strip()
    if not comment:
        raise BadRequest("'comment' is required: say what is being done about the alert")
    if len(comment) > 1000:
        raise BadRequest("'comment' is longer than 1000 characters")
    return alerts.acknowledge(fingerprint[:64], actor, comment)


def silence_alerts(
    alerts, *, fingerprint: str | None, alert_type: str | None, minutes, actor: str, comment: str
) -> dict:
    """Silence one alert (`fingerprint`) or every alert of `alert_type` for `minutes`.
    Returns the silence's row; raises BadRequest."""
    if (fingerprint is None) == (alert_type is None):
        raise BadRequest("give exactly one of 'fingerprint' (one alert) or 'type' (every alert of a type)")
    if fingerprint is not None and len(fingerprint) > 64:
        raise BadRequest("'fingerprint' is longer than 64 characters")
    if alert_type is not None and alert_type not in ALERT_TYPES:
        raise BadRequest(f"'type' must be one of {', '.join(ALERT_TYPES)}")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 1 <= minutes <= MAX_SILENCE_MINUTES:
        raise BadRequest(f"'duration_minutes' must be a number from 1 to {MAX_SILENCE_MINUTES}")
    if len(comment or "") > 1000:
        raise BadRequest("'comment' is longer than 1000 characters")
    return alerts.silence(
        fingerprint=fingerprint,
        alert_type=alert_type,
        duration_s=float(minutes) * 60,
        by=actor,
        comment=(comment or "").strip(),
    )


def end_alert_silence(alerts, silence_id: str) -> bool:
    """End the active silence `silence_id`; False when there is none."""
    return alerts.end_silence(silence_id[:36])
