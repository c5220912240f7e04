"""Component ids of the quota page (the DOM ids are relied on by tests and CSS: keep the values)."""

from enum import StrEnum


class QuotaIds(StrEnum):
    PAGE = "quota-page"
    HELD = "quota-held"  # the key (ledger version, minute) of what this browser shows
    SUMMARY = "quota-summary"
    SUMMARY_ENABLED = "quota-summary-enabled"
    SUMMARY_USED = "quota-summary-used"
    SUMMARY_EFFICIENCY = "quota-summary-efficiency"
    SUMMARY_BACKUPS = "quota-summary-backups"
    SUMMARY_CALLS = "quota-summary-calls"
    CARDS = "quota-cards"
    BARS = "quota-bars"
    BURNDOWN = "quota-burndown"
    RECOMMENDATIONS = "quota-recommendations"
    DECISIONS = "quota-decisions"
    EVENTS = "quota-events"
    # per-provider parts of a card, see `provider_id`
    CARD = "quota-card"
    USED = "quota-used"
    LIMIT = "quota-limit"
    REMAINING = "quota-remaining"
    STATUS = "quota-status"
    RESET = "quota-reset"
    EXHAUSTION = "quota-exhaustion"
    KEY = "quota-key"
    SIMULATED = "quota-simulated"
    CALLS = "quota-calls"
    SUCCESS = "quota-success"
    LATENCY = "quota-latency"
    BREAKER = "quota-breaker"


def provider_id(part: QuotaIds, provider: str) -> str:
    """The id of one provider's `part` (provider names come from configuration, [a-z_])."""
    return f"{part}-{provider}"
