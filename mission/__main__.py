"""Run only the producer (no web server): `python -m mission`.

For deployments that want the mission loop in its own process; any number may run, the
Redis lease elects one. Stops cleanly on SIGTERM / Ctrl-C.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

from config import cli_settings
from data.services import Services
from mission.context import AppContext
from mission.snapshot_store import SnapshotStore
from mission.startup import attach_features, prepare_storage, start_background_work


def main() -> int:
    settings = cli_settings()
    services = Services(settings)
    prepare_storage(services)
    ctx = AppContext(settings=settings, services=services, snapshots=SnapshotStore(services.redis))
    attach_features(ctx)
    start_background_work(ctx)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    ctx.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
