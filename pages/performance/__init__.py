"""Crawler performance (/performance)."""

from pages.performance.callbacks import register
from pages.performance.ids import PerformanceIds as Ids
from pages.performance.layout import layout
from pages.performance.model import WINDOWS
from ui.page import EmbedControl, Page

# A parent window (embed) may set the leaderboard's window, in days (the control's is in hours).
PAGE = Page(
    "/performance",
    "Performance",
    layout,
    register,
    embed_controls={"window": EmbedControl(Ids.WINDOW, {h // 24: h for h in WINDOWS})},
)
