"""What the producer keeps between ticks, apart from the document it builds.

The fast step (`producer.fast_step`) and the heavy step (`producer.heavy_step`) read and
update one `ProducerState`; the snapshot builder (`producer.snapshot`) never sees it, it only
gets this tick's inputs. Replacing a field (never mutating a shared value in place) keeps the
two threads' reads consistent without a lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from producer.series import Series


@dataclass
class ProducerState:
    # The heavy analytics sections and when they were built (epoch); merged into every document.
    heavy: dict[str, Any] = field(default_factory=dict)
    heavy_built_at: float | None = None
    # Section name -> its last good value (kept when a source fails) / the last error logged.
    last_good: dict[str, Any] = field(default_factory=dict)
    logged: dict[str, str] = field(default_factory=dict)
    # Jobs active at the last tick (their final counters are read when they stop being active).
    active_ids: set[str] = field(default_factory=set)
    last_tick: datetime | None = None
    # The fleet and queue depth of the latest document (the heavy step's bottleneck finder reads them).
    fleet: list[dict] = field(default_factory=list)
    queue_depth: int | None = None
    # The rolling series; None until loaded from Redis (on the first tick as the producer).
    series: Series | None = None

    def forget_series(self) -> None:
        """Another producer may have written the series meanwhile: reload them on the next tick."""
        self.series = None
