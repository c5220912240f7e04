"""What one worker process can hold: a per-process bound on live push streams.

Why: a WSGI server with a thread pool (gunicorn gthread, the Dockerfile's deployment) gives
each stream one of its threads for the stream's whole life. The deployment-wide cap
(MAX_WEBSOCKET_CONNECTIONS, api/stream_slots.py) knows nothing of threads: 100 slots over 2
workers × 16 threads let streams take every thread, and then /healthz and the pages queue
behind them until the health check gives up. So each process admits at most
`threads - reserve` streams (reserve = max(4, 25 % of threads)), and the deployment holds at
most min(MAX_WEBSOCKET_CONNECTIONS, workers × that).

Where the thread count comes from: under gunicorn, gunicorn's own configuration (`--threads`,
GUNICORN_CMD_ARGS, a config file, whichever set it): that is the number that sizes the pool,
and THREADS is only the Dockerfile's shell default for it, so anyone who starts gunicorn
another way (`gunicorn -w 4 --threads 8`, as the README shows) would otherwise get a bound for
16 threads on an 8-thread pool, wrong in the dangerous direction. Gunicorn hands the
application no configuration, so it is read from the gunicorn object that is loading the app
(the worker, or the arbiter with --preload), which is on the call stack while `app:server` is
built. Outside gunicorn (`python app.py`, another server) THREADS says it, else 16.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass

from common.release_once import ReleaseOnce
from config import DEFAULT_WORKER_THREADS, Settings, stream_reserve, streams_per_worker

log = logging.getLogger(__name__)

# gunicorn worker classes whose requests each take a thread of a fixed pool.
_THREAD_WORKERS = ("sync", "gthread", "syncworker", "threadworker")


@dataclass(frozen=True)
class ServerCapacity:
    """The requests this worker process can serve at once, what they are, and where that number
    came from."""

    connections: int
    unit: str  # "threads" or "connections"
    source: str


def gunicorn_config():
    """Gunicorn's configuration when this process is a gunicorn worker (or its master under
    --preload) building the app, else None."""
    if "gunicorn" not in sys.modules:
        return None
    try:
        from gunicorn.config import Config
    except ImportError:  # pragma: no cover - gunicorn half-imported
        return None
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        if owner is not None and type(owner).__module__.startswith("gunicorn."):
            cfg = getattr(owner, "cfg", None)
            if isinstance(cfg, Config):
                return cfg
        frame = frame.f_back
    return None


def server_capacity(settings: Settings, cfg=None) -> ServerCapacity:
    """How many requests this process can serve at once (see the module docstring)."""
    cfg = cfg if cfg is not None else gunicorn_config()
    if cfg is not None:
        kind = str(cfg.worker_class_str).rsplit(".", 1)[-1].lower()
        if kind in _THREAD_WORKERS:
            found = ServerCapacity(int(cfg.threads), "threads", "gunicorn --threads")
            if settings.worker_threads is not None and settings.worker_threads != found.connections:
                log.warning(
                    "THREADS=%s but gunicorn runs %s threads per worker; the stream bound follows gunicorn",
                    settings.worker_threads,
                    found.connections,
                )
            return found
        # An async worker (gevent, eventlet, …): connections, not threads, are the limit.
        kind = kind.removesuffix("worker")
        return ServerCapacity(int(cfg.worker_connections), "connections", f"gunicorn {kind} --worker-connections")
    if settings.worker_threads is not None:
        return ServerCapacity(settings.worker_threads, "threads", "THREADS")
    return ServerCapacity(DEFAULT_WORKER_THREADS, "threads", "the default THREADS")


class StreamGate:
    """At most `limit` live streams in this process. `enter()` never waits: a stream that does
    not fit is refused at once (the caller answers 503)."""

    def __init__(self, limit: int, capacity: ServerCapacity):
        self.limit = limit
        self.capacity = capacity
        self._live = 0
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings, cfg=None) -> StreamGate:
        """The gate for this process; ConfigError when MC_STREAMS_PER_WORKER does not fit."""
        capacity = server_capacity(settings, cfg if cfg is not None else gunicorn_config())
        limit = streams_per_worker(capacity.connections, settings.streams_per_worker, capacity.source, capacity.unit)
        return cls(limit, capacity)

    def enter(self) -> ReleaseOnce | None:
        """A ticket for one stream, or None when `limit` streams are live here."""
        with self._lock:
            if self._live >= self.limit:
                return None
            self._live += 1
        return ReleaseOnce(self._leave)

    def _leave(self) -> None:
        with self._lock:
            self._live -= 1

    @property
    def live(self) -> int:
        return self._live

    def describe_capacity(self) -> str:
        c = self.capacity
        return f"{c.connections} {c.unit} from {c.source}"

    def describe(self) -> str:
        return (
            f"at most {self.limit} push streams in this process ({self.describe_capacity()}, "
            f"{stream_reserve(self.capacity.connections)} kept for other requests)"
        )
