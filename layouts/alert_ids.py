"""Component ids of the alert center page, in one place (never repeated as literals)."""

from enum import StrEnum


class AlertIds(StrEnum):
    DIGEST = "ac-digest"
    SUMMARY = "ac-summary"
    FIRING = "ac-firing"
    PENDING = "ac-pending"
    SILENCES = "ac-silences"
    RULES = "ac-rules"
    STATUS = "ac-status"
    COMMENT = "ac-comment"
    DURATION = "ac-duration"
    TOKEN = "ac-token"
    ACK = "ac-ack"  # pattern-matching: {"type": ACK, "index": fingerprint}
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
