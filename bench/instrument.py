"""What bench/viewers.py records inside the processes it measures, without changing what they do.

Imported (first) by the measured processes only, through their bench entry points:

    gunicorn ... bench.instrument:app        the web workers: app.server wrapped in a timer
    bench/bench_site/sitecustomize.py        `python -m producer`: the same recorders

Each process writes into MC_BENCH_DIR, one file per process id, flushed every 0.5 s:
  - requests.<pid>.jsonl    one line per request: [start epoch s, path, server ms, bytes]
  - events.<pid>.jsonl      ["start", epoch s] when an analytics refresh starts, then
                            ["heavy", start epoch s, end epoch s] when it ends
  - statements.<pid>.jsonl  one line per flush: [epoch s, SQL statements run by this process so
                            far, role: "web" (a web worker) or "producer"], a time series, so a
                            count can be taken between any two moments (refresh starts)
  - fanout.<pid>.jsonl      one line per version notice a web worker hands to a tab's stream:
                            [epoch s, ms from publish to the notice handed to the server for
                            writing, ms from publish to that write done (None when the
                            connection ended first)]

Server time is from the moment the WSGI app is called to the last byte of the body produced,
in the worker (what a viewer's request costs there, waits for the interpreter included).
Fan-out time is the server's share of publish → received: the version stream's generator wakes
(every stream of the worker wakes on the same notice, one greenlet after another), yields its
event, and the worker writes it to the socket; what the client adds after that (the network, its
own event loop) is the rest of bench/loadgen.py's figure.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(os.environ.get("MC_BENCH_DIR", "."))
FLUSH_S = 0.5
# Which process this is, set by start_recorders: the viewers' requests run in web workers, so
# their statements alone say whether viewers cause SQL (the producer's vary with its refreshes,
# whatever the viewers do). The environment cannot say it: the producer is a child of the web
# server's master and inherits its variables.
_role = ["producer"]

_lock = threading.Lock()
_requests: list[list] = []
_events: list[list] = []
_fanout: list[list] = []
_statements = [0]
_started = [False]


def _append(path: Path, records: list) -> None:
    if records:
        with path.open("a") as f:
            f.writelines(json.dumps(r) + "\n" for r in records)


def _flush_forever() -> None:
    pid = os.getpid()
    req_path, ev_path, st_path, fan_path = (
        OUT / f"{k}.{pid}.jsonl" for k in ("requests", "events", "statements", "fanout")
    )
    while True:
        time.sleep(FLUSH_S)
        with _lock:
            reqs, evs, fans = _requests[:], _events[:], _fanout[:]
            _requests.clear()
            _events.clear()
            _fanout.clear()
            count = _statements[0]
        _append(req_path, reqs)
        _append(ev_path, evs)
        _append(fan_path, fans)
        # Every flush, changed or not: the series must say when the count did NOT move.
        _append(st_path, [[time.time(), count, _role[0]]])


def start_recorders(role: str = "producer") -> None:
    """Count SQL statements, time analytics refreshes, and start the flusher (once per process);
    `role` ("web" or "producer") labels this process's statements."""
    if _started[0]:
        return
    _started[0] = True
    _role[0] = role
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from producer.loop import ProducerLoop

    def count(*_args, **_kw) -> None:
        with _lock:
            _statements[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    original = ProducerLoop.refresh_heavy

    def timed_refresh(self, now=None):
        started = time.time()
        with _lock:
            _events.append(["start", started])
        try:
            return original(self, now)
        finally:
            with _lock:
                _events.append(["heavy", started, time.time()])

    ProducerLoop.refresh_heavy = timed_refresh  # type: ignore[method-assign]
    threading.Thread(target=_flush_forever, name="bench-flush", daemon=True).start()


PUBLISHED = b'"published_at":'
VERSION_EVENT = b"\nevent: version\n"


def published_ms(chunk: bytes) -> float | None:
    """`published_at` (epoch ms) of a chunk that is one SSE `version` event, else None. A byte
    search, not a JSON parse: this runs once per stream per notice inside the measured worker."""
    if VERSION_EVENT not in chunk:
        return None
    at = chunk.rfind(PUBLISHED)
    if at < 0:
        return None
    start = at + len(PUBLISHED)
    end = chunk.find(b"}", start)
    try:
        return float(chunk[start:end])
    except ValueError:
        return None


class FanoutTimed:
    """The body of a tab's version stream, passed through chunk by chunk, recording for each
    version event the ms from its publish to the worker having it (yielded) and to the worker
    having written it (gunicorn writes each chunk before it asks for the next one). The first
    version event of a connection is the version current at connect, not a publish: skipped,
    as bench/loadgen.py skips it. close() is the original body's: the stream's slot and its
    place in the worker are released there."""

    def __init__(self, body):
        self.body = body
        self.chunks = iter(body)
        self.seen_version = False
        self.pending: list | None = None  # [epoch s, handed ms, published_at] of the chunk being written

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        self._record(written=True)  # gunicorn asks for the next chunk once it wrote the last one
        chunk = self.chunks.__next__()
        published = published_ms(chunk) if isinstance(chunk, bytes) else None
        if published is not None:
            if self.seen_version:
                now = time.time()
                self.pending = [now, now * 1000 - published, published]
            self.seen_version = True
        return chunk

    def _record(self, written: bool) -> None:
        if self.pending is not None:
            t, handed, published = self.pending
            self.pending = None
            record = [t, handed, time.time() * 1000 - published if written else None]
            with _lock:
                _fanout.append(record)

    def close(self) -> None:
        try:
            self._record(written=False)  # the write failed or the connection ended first
        finally:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()


class Timed:
    """WSGI middleware: server time and bytes of every request; fan-out time of tabs' version notices."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.endswith("/stream") and "only=version" in environ.get("QUERY_STRING", ""):
            return FanoutTimed(self.wsgi_app(environ, start_response))
        if path.endswith("/stream") or path.startswith("/ws/"):
            return self.wsgi_app(environ, start_response)  # held open: not a request to time
        started = time.time()
        t0 = time.perf_counter()
        body = b"".join(self.wsgi_app(environ, start_response))
        with _lock:
            _requests.append([started, path, (time.perf_counter() - t0) * 1000, len(body)])
        return [body]


def wsgi_app():
    start_recorders("web")
    from app import server

    server.wsgi_app = Timed(server.wsgi_app)  # type: ignore[method-assign]
    return server


# gunicorn ... bench.instrument:app (MC_BENCH_WEB=1 is set by bench/viewers.py for the web server only).
# The producer (`python -m producer`, a child of gunicorn's master) inherits MC_BENCH_WEB and
# imports this module for its recorders (bench_site/sitecustomize.py): it must not build a web app.
_is_producer = sys.orig_argv[1:3] == ["-m", "producer"]
app = wsgi_app() if os.environ.get("MC_BENCH_WEB") == "1" and not _is_producer else None
