"""AppContext: everything one app instance owns, passed explicitly (no global app state).

Built once by `runtime.startup.build_context` (used by `create_app` and `python -m producer`);
`stop()` stops every thread the app started, in dependency order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    # Types only: these modules import this one, so importing them here would be a cycle.
    from alerts.engine import AlertEngine
    from analytics.service import Analytics
    from archive.service import Archive
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


class VersionNotices(Protocol):
    """The process's notices of new snapshot versions (api.notice_hub.NoticeHub): `wait(held,
    timeout)` returns the newest notice (it has `.version`) once it differs from `held`, or None
    after `timeout` s or when the hub stops (`stopped`)."""

    @property
    def stopped(self) -> bool: ...

    def wait(self, held: int | None, timeout: float) -> Any: ...


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
    archive: Archive | None = None  # minute snapshots, the archive pass and replays
    # Each page's render cache, by page name, created on first use (ui.live.page_renders).
    render_caches: dict[str, RenderCache] = field(default_factory=dict)
    tick_hooks: list[TickHook] = field(default_factory=list)
    # Other parts with a thread of their own (the push streams' notice hub and slot leases).
    parts: list[_Stoppable] = field(default_factory=list)
    # This process's notices of new snapshot versions (set by api.streams when it starts the hub):
    # render caches wake on them, so a new version is rendered before any viewer asks.
    notices: VersionNotices | None = None

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
