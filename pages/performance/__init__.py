"""Performance (/performance). Being moved into the page-unit shape: layout and callbacks still live in the old modules."""

from callbacks.performance import register
from layouts.performance import layout
from ui.page import Page

PAGE = Page("/performance", "Performance", layout, register)
