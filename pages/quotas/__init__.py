"""API quotas (/quotas). Being moved into the page-unit shape: layout and callbacks still live in the old modules."""

from callbacks.quotas import register
from layouts.quotas import layout
from ui.page import Page

PAGE = Page("/quotas", "API quotas", layout, register)
