"""The per-app analytics service: the analysis settings, the rollup `Refresher` and the page
cache, created once at start-up as `ctx.analytics` and shared by the producer's heavy step
and the analysis pages. Plus the pages' reading of the latest snapshot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from analytics.page_cache import PageCache
from analytics.refresh import Refresher
from analytics.settings import AnalyticsSettings

if TYPE_CHECKING:
    from data.services import Services

log = logging.getLogger(__name__)


class Analytics:
    """Per-app analytics state: settings (`Settings.analytics`), the refresher and the page cache."""

    def __init__(self, services: Services, settings: AnalyticsSettings):
        self.settings = settings
        self.refresher = Refresher(services, settings)
        self.cache = PageCache(services)

    def cached(self, name: str, args: Any, compute: Any) -> Any:
        return self.cache.get(name, args, compute)


def fleet_of(doc: dict) -> tuple[list[dict], int | None]:
    """The fleet and queue depth of a snapshot document."""
    return doc.get("mc", {}).get("fleet", []), doc.get("crawler_mission_status", {}).get("queue_depth")
