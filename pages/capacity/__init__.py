"""Capacity planning (/capacity): the job queue's drain forecast, a what-if for the fleet size,
and the forecast's measured error."""

from pages.capacity.callbacks import register
from pages.capacity.layout import layout
from ui.page import Page

PAGE = Page("/capacity", "Capacity", layout, register)
