"""Component ids of the Performance page."""

from enum import StrEnum


class PerformanceIds(StrEnum):
    PAGE = "perf-page"
    HELD = "perf-held"
    WINDOW = "perf-window"
    LEADERBOARD = "perf-leaderboard"
    RATES = "perf-rates"
    TREND = "perf-trend"
    ALLOCATION = "perf-allocation"
    BOTTLENECKS = "perf-bottlenecks"
    SUMMARY = "perf-summary"
    # The arranged panels (ui.arrange): the grid, the arrangement kept in the browser, reset.
    GRID = "performance-grid"
    ARRANGED = "performance-arranged"
    RESET_LAYOUT = "performance-reset-layout"
    PANEL_LEADERBOARD = "performance-panel-leaderboard"
    PANEL_BOTTLENECKS = "performance-panel-bottlenecks"
    PANEL_RATES = "performance-panel-rates"
    PANEL_TREND = "performance-panel-trend"
    PANEL_ALLOCATION = "performance-panel-allocation"
    PANEL_SUMMARY = "performance-panel-summary"
