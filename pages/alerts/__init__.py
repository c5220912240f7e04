"""Alerts (/alerts). Being moved into the page-unit shape: layout and callbacks still live in the old modules."""

from callbacks.alert_center import register
from layouts.alert_center import layout
from ui.page import Page

PAGE = Page("/alerts", "Alerts", layout, register)
