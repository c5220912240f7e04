"""Component ids of the Domains page."""

from enum import StrEnum


class DomainIds(StrEnum):
    PAGE = "dom-page"
    HELD = "dom-held"
    WITHIN = "dom-within"
    HUNTER = "dom-hunter"
    PICK = "dom-pick"
    BREAKDOWN = "dom-breakdown"
    BREAKDOWN_TABLE = "dom-breakdown-table"
    SCORE = "dom-score"
    PORTFOLIOS = "dom-portfolios"
    OVERLAP = "dom-overlap"
    GAP = "dom-gap"
    MENTIONS = "dom-mentions"
    SENTIMENT = "dom-sentiment"
