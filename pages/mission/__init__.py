"""The main screen (/): KPIs, discovery, quotas, timeline, board, fleet, queue and errors."""

from pages.mission.callbacks import register
from pages.mission.layout import layout
from ui.page import Page

PAGE = Page("/", "Mission", layout, register)
