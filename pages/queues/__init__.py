"""Queues (/queues): the job queue, scheduled jobs and dead letters, entry by entry."""

from pages.queues.callbacks import register
from pages.queues.layout import layout
from ui.page import Page

PAGE = Page("/queues", "Queues", layout, register)
