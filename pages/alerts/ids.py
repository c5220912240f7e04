"""Component ids of the alert center (the DOM ids are relied on by tests and CSS: keep the values)."""

from enum import StrEnum


class AlertIds(StrEnum):
    HELD = "ac-digest"  # the snapshot version this browser shows
    SUMMARY = "ac-summary"
    FIRING = "ac-firing"
    PENDING = "ac-pending"
    SILENCES = "ac-silences"
    RULES = "ac-rules"
    STATUS = "ac-status"
    COMMENT = "ac-comment"
    DURATION = "ac-duration"
    ACKNOWLEDGE = "ac-ack"  # pattern-matching: {"type": ACKNOWLEDGE, "index": fingerprint}
    SILENCE = "ac-silence"  # {"type": SILENCE, "index": fingerprint}
    SILENCE_TYPE = "ac-silence-type"  # {"type": SILENCE_TYPE, "index": alert type}
    END_SILENCE = "ac-end-silence"  # {"type": END_SILENCE, "index": silence id}
    FILTER_SEVERITY = "ac-filter-severity"
    FILTER_TYPE = "ac-filter-type"
    FILTER_EVENT = "ac-filter-event"
    FILTER_HOURS = "ac-filter-hours"
    FILTER_TEXT = "ac-filter-text"
    HISTORY_REFRESH = "ac-history-refresh"
    HISTORY = "ac-history"
    HISTORY_CHART = "ac-history-chart"
    EXPORT = "ac-export"
    DOWNLOAD = "ac-download"


def age_id(panel: AlertIds, position: int) -> str:
    """The id of the age of the card at `position` in `panel` (patched alone as it ticks)."""
    return f"{panel}-{position}-age"
