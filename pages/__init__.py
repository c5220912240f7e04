"""The pages of the app, in nav order: an explicit list of imports (a page that fails to import
fails the start, it is never silently left out of the nav)."""

from __future__ import annotations

from pages import alerts, audit, capacity, discovery, domains, jobs, mission, performance, queues, quotas
from ui.page import Page

PAGES: tuple[Page, ...] = (
    mission.PAGE,
    discovery.PAGE,
    quotas.PAGE,
    domains.PAGE,
    performance.PAGE,
    alerts.PAGE,
    jobs.PAGE,
    queues.PAGE,
    capacity.PAGE,
    audit.PAGE,
)
