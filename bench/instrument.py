"""What bench/viewers.py records inside the processes it measures, without changing what they do.

Imported (first) by the measured processes only, through their bench entry points:

    gunicorn ... bench.instrument:app        the web workers: app.server wrapped in a timer
    bench/bench_site/sitecustomize.py        `python -m producer`: the same recorders

Each process writes into MC_BENCH_DIR, one file per process id, flushed every 0.5 s:
  - requests.<pid>.jsonl   one line per request: [start epoch s, path, server ms, bytes]
  - events.<pid>.jsonl     ["start", epoch s] when an analytics refresh starts, then
                           ["heavy", start epoch s, end epoch s] when it ends
  - statements.<pid>.json  {"t": epoch s, "statements": SQL statements run by this process so far,
                            "role": "web" (a web worker) or "producer"}

Server time is from the moment the WSGI app is called to the last byte of the body produced,
in the worker (what a viewer's request costs there, waits for the interpreter included).
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
_statements = [0]
_started = [False]


def _flush_forever() -> None:
    pid = os.getpid()
    req_path, ev_path, st_path = (
        OUT / f"{k}.{pid}.{ext}" for k, ext in (("requests", "jsonl"), ("events", "jsonl"), ("statements", "json"))
    )
    while True:
        time.sleep(FLUSH_S)
        with _lock:
            reqs, evs = _requests[:], _events[:]
            _requests.clear()
            _events.clear()
            count = _statements[0]
        if reqs:
            with req_path.open("a") as f:
                f.writelines(json.dumps(r) + "\n" for r in reqs)
        if evs:
            with ev_path.open("a") as f:
                f.writelines(json.dumps(e) + "\n" for e in evs)
        tmp = st_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"t": time.time(), "statements": count, "role": _role[0]}))
        tmp.replace(st_path)


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


class Timed:
    """WSGI middleware: server time and bytes of every request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
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
