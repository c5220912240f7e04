"""AppContext: everything one app instance owns, passed explicitly (no global app state)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

from config import Settings
from data.services import Services
from mission.snapshot_store import SnapshotStore

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    services: Services
    snapshots: SnapshotStore
    quotas: Any = None  # quotas.QuotaManager when available
    alerts: Any = None  # alerts engine, evaluated by the producer
    simulator: Any = None
    producer: Any = None
    # Each page's ui.live.RenderCache, by page name, created on first use (ui.live.page_renders).
    render_caches: dict = field(default_factory=dict)
    # Called by the producer after each snapshot is built: fn(document, now) -> None.
    tick_hooks: list[Callable] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the background producer and simulator (tests, shutdown)."""
        for part in (self.producer, self.simulator, self.alerts, *self.render_caches.values()):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # stopping must never raise during shutdown
                    log.exception("stopping %s failed", type(part).__name__)
