"""Component ids of the three analysis pages (discovery, domains, performance), in one place."""

from enum import StrEnum


class Disc(StrEnum):
    PAGE = "disc-page"
    HELD = "disc-held"
    WINDOW = "disc-window"
    DOMAIN = "disc-domain"
    WATCH_NOTE = "disc-watch-note"
    RADAR = "disc-radar"
    HEATMAP = "disc-heatmap"
    BOARD = "disc-board"
    MIX = "disc-mix"
    VELOCITY = "disc-velocity"
    ANCHORS = "disc-anchors"
    FINDS = "disc-finds"
    DRILL = "disc-drill"
    DRILL_TITLE = "disc-drill-title"


class Dom(StrEnum):
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


class Perf(StrEnum):
    PAGE = "perf-page"
    HELD = "perf-held"
    WINDOW = "perf-window"
    LEADERBOARD = "perf-leaderboard"
    RATES = "perf-rates"
    TREND = "perf-trend"
    ALLOCATION = "perf-allocation"
    BOTTLENECKS = "perf-bottlenecks"
    SUMMARY = "perf-summary"


def csv_button(table: str) -> str:
    """The id of a table's CSV export button."""
    return f"{table}-csv"


def csv_download(table: str) -> str:
    return f"{table}-download"
