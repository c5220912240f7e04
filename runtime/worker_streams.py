"""A gunicorn worker's push streams end with the worker (gunicorn.conf.py's post_worker_init).

A gunicorn worker that is recycled (MAX_REQUESTS) or stopped stops accepting, then waits up to
graceful_timeout for its open requests before killing them. A push stream never finishes by
itself, so without this every stream would hold its worker for the whole graceful_timeout and
then be cut mid-write. Instead, as soon as the worker stops being alive, its NoticeHub is
stopped: every stream waiting on it ends cleanly (the SSE body finishes, the WebSocket closes)
and its client reconnects, to a worker that still accepts.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
WATCH_EVERY_S = 0.5


def end_streams_on_exit(worker: Any) -> threading.Thread:
    """Watch `worker.alive` (a gunicorn worker) and stop its app's NoticeHub when it turns False."""

    def watch() -> None:
        stopped = threading.Event()
        while worker.alive:
            stopped.wait(WATCH_EVERY_S)
        hub = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("mc_notice_hub")
        if hub is not None:
            log.info("worker %s is ending: closing its push streams so their clients reconnect", worker.pid)
            hub.stop()

    thread = threading.Thread(target=watch, name="mc-worker-streams", daemon=True)
    thread.start()
    return thread
