"""Crawler performance (/performance)."""

from pages.performance.callbacks import register
from pages.performance.layout import layout
from ui.page import Page

PAGE = Page("/performance", "Performance", layout, register)
