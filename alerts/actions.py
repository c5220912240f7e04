"""The writes an operator makes to alerts, with their validation: the HTTP API's routes and the
alert center's buttons both call these, so a change made from the page obeys exactly the
rules of one made over HTTP."""

from __future__ import annotations

from alerts.conditions import ALERT_TYPES

MAX_SILENCE_MINUTES = 30 * 24 * 60


class BadRequest(ValueError):
    """The request is malformed; the message tells the client what to fix."""


def _has_nul(value: str | None) -> bool:
    # PostgreSQL cannot store NUL in text (SQLite can): refused here, for both, rather than a 500.
    return value is not None and "\x00" in value


def _check_text(name: str, value: str | None, limit: int) -> None:
    if value is None:
        return
    if len(value) > limit:
        raise BadRequest(f"'{name}' is longer than {limit} characters")
    if _has_nul(value):
        raise BadRequest(f"'{name}' must not contain NUL characters")


def acknowledge_alert(alerts, fingerprint: str, actor: str, comment: str) -> dict | None:
    """Acknowledge the pending or firing alert `fingerprint` as `actor` with `comment` (required).
    Returns the alert's row, or None when no such alert is active; raises BadRequest."""
    comment = (comment or "").strip()
    if not comment:
        raise BadRequest("'comment' is required: say what is being done about the alert")
    _check_text("comment", comment, 1000)
    _check_text("by", actor, 200)
    if _has_nul(fingerprint):
        return None  # no fingerprint has one
    return alerts.acknowledge(fingerprint[:64], actor, comment)


def silence_alerts(
    alerts, *, fingerprint: str | None, alert_type: str | None, minutes, actor: str, comment: str
) -> dict:
    """Silence one alert (`fingerprint`) or every alert of `alert_type` for `minutes`.
    Returns the silence's row; raises BadRequest."""
    if (fingerprint is None) == (alert_type is None):
        raise BadRequest("give exactly one of 'fingerprint' (one alert) or 'type' (every alert of a type)")
    _check_text("fingerprint", fingerprint, 64)
    if alert_type is not None and alert_type not in ALERT_TYPES:
        raise BadRequest(f"'type' must be one of {', '.join(ALERT_TYPES)}")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 1 <= minutes <= MAX_SILENCE_MINUTES:
        raise BadRequest(f"'duration_minutes' must be a number from 1 to {MAX_SILENCE_MINUTES}")
    _check_text("comment", comment, 1000)
    _check_text("by", actor, 200)
    return alerts.silence(
        fingerprint=fingerprint,
        alert_type=alert_type,
        duration_s=float(minutes) * 60,
        by=actor,
        comment=(comment or "").strip(),
    )


def end_alert_silence(alerts, silence_id: str) -> bool:
    """End the active silence `silence_id`; False when there is none."""
    if _has_nul(silence_id):
        return False  # no id has one
    return alerts.end_silence(silence_id[:36])
