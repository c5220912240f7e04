"""Component ids of the shell (header, nav, the shared tick, the page container)."""

from enum import StrEnum


class ShellIds(StrEnum):
    URL = "mc-url"
    ROOT = "mc-root"
    PAGE = "mc-page"
    NAV = "mc-nav"
    TABBAR = "mc-tabbar"
    TICK = "mc-tick"
    LIVE = "mc-live"
    LIVE_TEXT = "mc-live-text"
    AGE = "mc-age"
    BUILT_AT = "mc-built-at"
    CONFIG_BUTTON = "mc-config-button"
    CONFIG_PANEL = "mc-config-panel"
    CLOCK = "mc-clock"
    SOURCES = "mc-sources"
    RENDERED = "mc-rendered-path"
    # The wall: a browser-only 1 s clock, the settings the browser needs, the frozen watermark.
    WALL_CLOCK = "mc-wall-clock"
    WALL_CONFIG = "mc-wall-config"
    WATERMARK = "mc-watermark"
    WATERMARK_TEXT = "mc-watermark-text"
    # The viewer's choice of time zone ("local" or "utc"), kept in localStorage; assets/time.js
    # reads the same key before the first chart is drawn.
    TIME_ZONE = "mc-tz"
    TIME_ZONE_TOGGLE = "mc-tz-toggle"
