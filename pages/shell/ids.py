"""Component ids of the shell (header, nav, the shared version trigger, the page container)."""

from enum import StrEnum


class ShellIds(StrEnum):
    URL = "mc-url"
    ROOT = "mc-root"
    PAGE = "mc-page"
    NAV = "mc-nav"
    TABBAR = "mc-tabbar"
    # What every page's live callback is triggered by: the snapshot version the browser last
    # learnt of, set by assets/push.js on each notice of the push stream, or {"poll": n} by the
    # slow fallback poll (POLL) while the stream is not open. PUSH holds push.js's settings.
    VERSION = "mc-version"
    POLL = "mc-poll"
    PUSH = "mc-push"
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
    # Who is signed in (name and role), with sign-out; "Sign in" when anonymous.
    USER = "mc-user"
    SIGN_IN = "mc-sign-in"
    SIGN_OUT = "mc-sign-out"
