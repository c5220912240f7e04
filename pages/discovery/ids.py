"""Component ids of the Discovery page."""

from enum import StrEnum


class DiscoveryIds(StrEnum):
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
