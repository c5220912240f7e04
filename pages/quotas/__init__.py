"""API quotas (/quotas): usage against the free tiers, burn-down, router decisions, advice."""

from pages.quotas.callbacks import register
from pages.quotas.layout import layout
from ui.page import Page

PAGE = Page("/quotas", "API quotas", layout, register)
