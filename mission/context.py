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
    render_cache: Any = None  # views.render_cache.RenderCache, created on first use
    # Called by the producer after each snapshot is built: fn(document, now) -> None.
    tick_hooks: list[Callable] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the background producer and simulator (tests, shutdown)."""
        for part in (self.producer, self.simulator, self.alerts):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # stopping must never raise during shutdown
                    log.exception("stopping %s failed", type(part).__name__)
