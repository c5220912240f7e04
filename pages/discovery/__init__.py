"""Backlink discovery operations (/discovery)."""

from pages.discovery.callbacks import register
from pages.discovery.ids import DiscoveryIds as Ids
from pages.discovery.layout import layout
from pages.discovery.model import ALL_DOMAINS, WINDOWS
from ui.page import EmbedControl, Page

# A parent window (embed) may set the window (days) and the target-domain filter.
PAGE = Page(
    "/discovery",
    "Discovery",
    layout,
    register,
    embed_controls={
        "window": EmbedControl(Ids.WINDOW, {d: d for d in WINDOWS}),
        "domain": EmbedControl(Ids.DOMAIN, unset=ALL_DOMAINS),
    },
)
