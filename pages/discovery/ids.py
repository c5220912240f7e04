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
    # The arranged panels (ui.arrange): the grid, the arrangement kept in the browser, reset.
    GRID = "discovery-grid"
    ARRANGED = "discovery-arranged"
    RESET_LAYOUT = "discovery-reset-layout"
    PANEL_RADAR = "discovery-panel-radar"
    PANEL_HEATMAP = "discovery-panel-heatmap"
    PANEL_BOARD = "discovery-panel-board"
    PANEL_MIX = "discovery-panel-mix"
    PANEL_VELOCITY = "discovery-panel-velocity"
    PANEL_ANCHORS = "discovery-panel-anchors"
    PANEL_FINDS = "discovery-panel-finds"
    PANEL_DRILL = "discovery-panel-drill"
