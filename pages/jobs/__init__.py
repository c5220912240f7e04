"""Jobs (/jobs): every job, searchable and paged, and one job's page (/jobs?id=…)."""

from pages.jobs.callbacks import register
from pages.jobs.layout import layout
from ui.page import Page

PAGE = Page("/jobs", "Jobs", layout, register)
