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
