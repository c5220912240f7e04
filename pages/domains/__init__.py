"""Domain intelligence (/domains)."""

from pages.domains.callbacks import register
from pages.domains.layout import layout
from ui.page import Page

PAGE = Page("/domains", "Domains", layout, register)
