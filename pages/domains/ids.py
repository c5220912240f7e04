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
    # The arranged panels (ui.arrange): the grid, the arrangement kept in the browser, reset.
    GRID = "domains-grid"
    ARRANGED = "domains-arranged"
    RESET_LAYOUT = "domains-reset-layout"
    PANEL_HUNTER = "domains-panel-hunter"
    PANEL_CALCULATOR = "domains-panel-calculator"
    PANEL_PORTFOLIOS = "domains-panel-portfolios"
    PANEL_OVERLAPS = "domains-panel-overlaps"
    PANEL_GAP = "domains-panel-gap"
    PANEL_MENTIONS = "domains-panel-mentions"
    PANEL_SENTIMENT = "domains-panel-sentiment"
