"""gunicorn's configuration for Mission Control (the Dockerfile runs `gunicorn -c gunicorn.conf.py`).

Worker model: **gevent**. Every push client (a Link Profiler UI on the WebSocket, a dashboard
tab on its version stream, an API client on SSE) holds a connection for as long as it is open.
Under gthread each one holds a thread of a fixed pool (16 per worker): 100 WebSocket clients
need 100 threads, and the 1,000 tabs of issue 16 a thousand; whatever is left serves the pages.
Under gevent a held connection is a greenlet waiting on a socket (a few KB), so a worker serves
`worker_connections` (2,000) at once, and a stream costs nothing while no version changes. What
gevent requires, done here: psycopg2 made cooperative (psycogreen) before any connection is
opened, no application built in the master (`preload_app = False`: the app's engines, locks and
threads are created in each worker after gevent patched it), and work that holds the
interpreter for long kept out of the web workers: the producer runs as its own process
(MC_PRODUCER=external, started and supervised from here), so a callback never waits behind
snapshot building, analytics or alert delivery.

Engines and fork: with `preload_app = False` nothing opens a connection before the fork: the
master imports config and common.metrics_dir only (no engine, no Redis client, no thread); each
worker builds its own app, engines and pools after gevent patched it (tests/test_failover.py
asserts the master holds no PostgreSQL session). post_worker_init still forgets an inherited
pool if someone turns preload_app on.

Worker recycling: MAX_REQUESTS (default 0 = never) requests after which a worker is replaced,
plus up to MAX_REQUESTS_JITTER more, so workers do not all restart at once. A worker that is
being replaced (or stopped) ends its push streams at once rather than after graceful_timeout:
its SSE clients get the end of the stream and reconnect after `retry:` (the browser's
EventSource does; our tabs' stream client too), WebSocket clients get a close and reconnect
(Link Profiler's UI and our tabs do) to a worker that is still accepting.

Environment: HOST, PORT, WEB_CONCURRENCY (workers, default 2), WORKER_CONNECTIONS (default
2000), MAX_REQUESTS, MAX_REQUESTS_JITTER, MC_PRODUCER (default: `external` with a real Redis;
`inline` with the embedded in-process Redis, whose data lives in one process, which then also
forces a single worker).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# `gunicorn -c path/to/gunicorn.conf.py` from any directory: the app's modules sit beside it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common.metrics_dir import cleanup as _cleanup_metrics_dir
from common.metrics_dir import prepare as _prepare_metrics_dir
from common.metrics_dir import process_dead as _metrics_process_dead
from config import ConfigError, load_settings

# Prometheus multiprocess mode (README "Metrics"): set here, in the master, before any worker or
# the producer process imports prometheus_client; they inherit it.
_metrics_dir, _metrics_dir_made = _prepare_metrics_dir()

try:
    _settings = load_settings()
except ConfigError as exc:  # the workers report it in one line and stop the master (exit 3)
    _settings = None
    print(f"configuration error: {exc}")

_embedded = _settings is not None and _settings.embedded_redis
if not os.environ.get("MC_PRODUCER", "").strip():
    # Web workers only read; the producer is a child process of this master (on_starting).
    os.environ["MC_PRODUCER"] = "inline" if _embedded else "external"
PRODUCER = os.environ["MC_PRODUCER"].strip().lower()


def _raise_open_files_limit(connections: int) -> None:
    """Each held connection is a file descriptor: raise the soft limit (often 1,024) towards
    what `connections` per worker needs, within the hard limit; workers inherit it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256  # database, Redis, logs, the listening socket
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


wsgi_app = "app:server"
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8050')}"
# The embedded Redis lives inside one process: more workers would each have their own data.
workers = 1 if _embedded else int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
# 2,000: connections do not split evenly between workers (a gevent worker accepts every
# connection waiting when it wakes), so 1,000 tabs may arrive 800 : 200; each worker can hold
# all of them (1,500 streams) and the deployment's cap is MAX_WEBSOCKET_CONNECTIONS.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
_raise_open_files_limit(worker_connections)
preload_app = False
# gunicorn's control socket (one per user at a fixed path) is not used.
control_socket_disable = True
timeout = 120
max_requests = int(os.environ.get("MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("MAX_REQUESTS_JITTER", "0"))
graceful_timeout = 10
keepalive = 5

_producer = None


def on_starting(server):
    """Start the producer process (MC_PRODUCER=external) beside the workers."""
    global _producer
    if PRODUCER != "external" or _settings is None:
        return
    from runtime.producer_process import ProducerProcess

    _producer = ProducerProcess(server.log)
    _producer.start()


def post_fork(server, worker):
    """In each worker, before it builds the app: psycopg2 waits cooperatively under gevent."""
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()


def post_worker_init(worker):
    """An app built before the fork (someone turned preload_app on) must not use the master's
    pooled connections: forget them without closing them (they are the master's). Then watch
    for this worker's end, to close its push streams at once (recycling, stop)."""
    from runtime.worker_streams import end_streams_on_exit

    end_streams_on_exit(worker)
    built = getattr(sys.modules.get("app"), "__dict__", {}).get("server")
    if built is not None and worker.cfg.preload_app:
        services = built.extensions["mission_control"].services
        for engine in {services.engine, services.mc_engine}:
            engine.dispose(close=False)


def child_exit(server, worker):
    """A worker ended: its live gauges (stream connections) leave /metrics' sums."""
    _metrics_process_dead(worker.pid)


def on_exit(server):
    if _producer is not None:
        _producer.stop()
    _cleanup_metrics_dir(_metrics_dir, _metrics_dir_made)
