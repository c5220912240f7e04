"""Alert latency: condition true in storage -> notice received, for the JSON webhook and SMTP.

    python -m bench.alert_latency [--trials 20] [--database-url URL] [--redis-url URL]

What runs is the real pipeline: the producer loop (ProducerLoop, one tick per
DASHBOARD_REFRESH_RATE = 1 s) builds the snapshot, the alert engine evaluates it, commits the
transition and the outbox rows (default ALERT_* settings; flap detection off, see below), the delivery thread posts to a real HTTP server and sends to a
real SMTP server (aiosmtpd), both on 127.0.0.1. The condition is a queue overflow made true
in storage the way Link Profiler's coordinator makes it: 1,001 jobs LPUSHed onto the Redis
job queue. t0 = just after the push returns; t1 = when the receiver has the notice. Between
trials the queue is emptied and the resolve notice awaited, and a random pause de-phases the
push from the producer's tick (so the figures include the wait for the next tick).

Defaults: a throwaway SQLite file and the in-process Redis; pass a PostgreSQL server URL
(a throwaway database is created on it and dropped) and a Redis URL (its database is flushed)
to measure on real services.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from alerts.engine import AlertEngine
from config import SmtpSettings, load_settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.services import Services
from runtime.startup import build_context
from producer.loop import ProducerLoop


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Arrivals:
    """Arrival times (time.monotonic) of notices by channel and event, with a condition to wait on."""

    def __init__(self):
        self.events: list[tuple[str, str, float]] = []
        self.cond = threading.Condition()

    def add(self, channel: str, event: str) -> None:
        with self.cond:
            self.events.append((channel, event, time.monotonic()))
            self.cond.notify_all()

    def wait(self, channel: str, event: str, after: float, timeout: float = 30.0) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hit = next((t for c, e, t in self.events if c == channel and e == event and t >= after), None)
                if hit is not None or time.monotonic() >= deadline:
                    return hit
                self.cond.wait(0.05)


def start_http(arrivals: Arrivals) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(200)
            self.end_headers()
            for ev in body.get("events", []):
                arrivals.add("webhook", ev.get("event"))

        def log_message(self, *args):
            pass

    port = _free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, port


def start_smtp(arrivals: Arrivals):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            subject = next(
                (
                    line
                    for line in envelope.content.decode(errors="replace").splitlines()
                    if line.startswith("Subject:")
                ),
                "",
            )
            arrivals.add("email", "resolved" if "RESOLVED" in subject else "firing")
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL server URL (a throwaway database is made on it)")
    parser.add_argument("--redis-url", help="Redis URL (its database is flushed)")
    args = parser.parse_args(argv)

    admin, db_name, tmp = None, None, None
    if args.database_url:
        admin = sa.create_engine(
            args.database_url.replace("postgresql://", "postgresql+psycopg2://", 1), isolation_level="AUTOCOMMIT"
        )
        db_name = f"mc_bench_alerts_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
        database_url = sa.engine.make_url(args.database_url).set(database=db_name).render_as_string(hide_password=False)
    else:
        tmp = tempfile.TemporaryDirectory()
        database_url = f"sqlite:///{tmp.name}/bench.db"
    redis_url = args.redis_url or f"memory://{uuid.uuid4().hex}"

    arrivals = Arrivals()
    http_server, http_port = start_http(arrivals)
    smtp, smtp_port = start_smtp(arrivals)
    settings = dataclasses.replace(
        load_settings({}, dotenv_path=None),
        database_url=database_url,
        redis_url=redis_url,
        simulate="off",
        refresh_rate_ms=1000,
        alert_webhook_url=f"http://127.0.0.1:{http_port}/hook",
        alert_email_recipients=("ops@example.org",),
        smtp=SmtpSettings(host="127.0.0.1", port=smtp_port),
    )
    services = Services(settings)
    if args.redis_url:
        services.redis.flushdb()
    create_lp_tables(services.engine, "M")
    create_mc_tables(services.mc_engine)
    ctx = build_context(settings, services)
    # The trials toggle one alert on and off every few seconds, which flap detection would
    # (rightly) hold back after a few changes; the benchmark measures the path, so it is off here.
    alert_settings = dataclasses.replace(settings.alerts, flap_threshold=10**6)
    ctx.alerts = AlertEngine(ctx, settings=alert_settings)
    loop = ProducerLoop(ctx)
    loop.start()
    queue = settings.redis_keys.job_queue
    results: dict[str, list[float]] = {"webhook": [], "email": []}
    rng = random.Random(1)
    try:
        time.sleep(2.0)  # first ticks: heavy analytics, empty state
        for trial in range(args.trials):
            pipe = services.redis.pipeline(transaction=False)
            for i in range(0, 1001, 500):
                pipe.lpush(queue, *[json.dumps({"id": f"bench-{trial}-{j}"}) for j in range(i, min(1001, i + 500))])
            pipe.execute()
            t0 = time.monotonic()
            for channel in results:
                t1 = arrivals.wait(channel, "firing", t0)
                if t1 is None:
                    print(f"trial {trial}: no {channel} notice within 30 s", file=sys.stderr)
                    continue
                results[channel].append(t1 - t0)
            services.redis.delete(queue)
            t_clear = time.monotonic()
            for channel in results:
                arrivals.wait(channel, "resolved", t_clear)
            time.sleep(rng.uniform(0.0, 1.0))
    finally:
        loop.stop()
        ctx.alerts.stop()
        smtp.stop()
        http_server.shutdown()
        services.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            admin.dispose()
        if tmp is not None:
            tmp.cleanup()

    backend = "PostgreSQL + Redis" if args.database_url else "SQLite + in-process Redis"
    print(f"alert latency, condition true in storage -> notice received ({backend}, tick 1 s, {args.trials} trials)")
    for channel, values in results.items():
        if not values:
            print(f"  {channel:8s} no notices received")
            continue
        print(
            f"  {channel:8s} n={len(values):3d}  p50={statistics.median(values) * 1000:7.0f} ms  "
            f"p95={percentile(values, 95) * 1000:7.0f} ms  max={max(values) * 1000:7.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
