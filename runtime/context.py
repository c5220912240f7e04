"""AppContext: everything one app instance owns, passed explicitly (no global app state).

Built once by `runtime.startup.build_context` (used by `create_app` and `python -m producer`);
`stop()` stops every thread the app started, in dependency order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # Types only: these modules import this one, so importing them here would be a cycle.
    from alerts.engine import AlertEngine
    from analytics.service import Analytics
    from commands.runner import CommandRunner
    from config import Settings
    from data.services import Services
    from producer.loop import ProducerLoop
    from producer.snapshot_store import SnapshotStore
    from quotas.manager import QuotaManager
    from simulator import Simulator
    from ui.live import RenderCache

log = logging.getLogger(__name__)

# Called by the producer after each snapshot is built: fn(document, now) -> None.
TickHook = Callable[[dict, datetime], None]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass
class AppContext:
    settings: Settings
    services: Services
    snapshots: SnapshotStore
    analytics: Analytics
    quotas: QuotaManager | None = None
    alerts: AlertEngine | None = None  # evaluated by the producer each tick
    simulator: Simulator | None = None
    commands: CommandRunner | None = None  # operator commands (commands/), built at start-up
    producer: ProducerLoop | None = None  # None until start-up (or when MISSION_CONTROL_ENABLED=false)
    # Each page's render cache, by page name, created on first use (ui.live.page_renders).
    render_caches: dict[str, RenderCache] = field(default_factory=dict)
    tick_hooks: list[TickHook] = field(default_factory=list)
    # Other parts with a thread of their own (the push streams' notice hub and slot leases).
    parts: list[_Stoppable] = field(default_factory=list)

    def stop(self) -> None:
        """Stop every thread this app started: the streams' parts (their clients end), the
        producer (it drives the alert engine), then the simulator, the alert delivery and the
        render-cache warmer (tests, shutdown)."""
        parts: list[_Stoppable | None] = [
            *self.parts,
            self.producer,
            self.simulator,
            self.alerts,
            *self.render_caches.values(),
        ]
        for part in parts:
            if part is not None:
                try:
                    part.stop()
                except Exception:  # stopping must never raise during shutdown
                    log.exception("stopping %s failed", type(part).__name__)
