"""Alerts (/alerts): firing and pending alerts with acknowledge / silence, rules and history."""

from pages.alerts.callbacks import register
from pages.alerts.layout import layout
from ui.page import Page

PAGE = Page("/alerts", "Alerts", layout, register)
