"""The audit log (/audit): every operator command, who ran it, what happened and what was seen."""

from pages.audit.callbacks import register
from pages.audit.layout import layout
from ui.page import Page

PAGE = Page("/audit", "Audit", layout, register)
