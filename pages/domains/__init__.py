"""Domains (/domains). Being moved into the page-unit shape: layout and callbacks still live in the old modules."""

from callbacks.domains import register
from layouts.domains import layout
from ui.page import Page

PAGE = Page("/domains", "Domains", layout, register)
