"""Backlink discovery operations (/discovery)."""

from pages.discovery.callbacks import register
from pages.discovery.layout import layout
from ui.page import Page

PAGE = Page("/discovery", "Discovery", layout, register)
