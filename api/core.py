"""Health, the snapshot document, its Server-Sent-Events stream and Prometheus metrics.

Why SSE rather than WebSocket for the push stream: the data only flows one way, SSE is plain
HTTP that every WSGI server (gunicorn sync/gthread included) and proxy carries, browsers
reconnect on their own with `Last-Event-ID`, and it needs no extra dependency. The stream sits
at `/ws/mission-control` (the path Link Profiler's UI knows) and at `/api/v1/stream`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import weakref

from flask import Flask, Response, jsonify, request

from api.guards import register_guards
from api.http import error
from api.openapi import register_openapi
from api.stream_capacity import StreamGate
from api.stream_slots import StreamSlots
from runtime.context import AppContext

log = logging.getLogger(__name__)

STREAM_CLIENTS = "mc:stream:clients"
# The lease of a slot whose process died without releasing it (live ones are renewed).
STREAM_LEASE_S = 30
# A client that accepts nothing for this long is dropped and its slot freed: a socket whose
# receive window stays shut would otherwise hold a server thread and a slot forever.
WRITE_TIMEOUT_S = 10
KEEPALIVE_S = 15
# What a refused stream client is told to wait before it tries again.
RETRY_AFTER_S = 10


def register_core_api(server: Flask, ctx: AppContext) -> None:
    """Add /healthz, /readyz, /api/v1/snapshot, the stream, /metrics and /api/v1/openapi.json to
    `server`, and the request guards (size limit, Host/Origin on writes, JSON errors under /api/)."""
    register_guards(server, ctx.settings)
    register_openapi(server)

    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz():
        svc = ctx.services
        checks = {"database": svc.ping_database(), "redis": svc.ping_redis()}
        down = [name for name, ok in checks.items() if not ok]
        body = {name: ("ok" if ok else f"down: {svc.health[name].error}") for name, ok in checks.items()}
        if down:
            body["status"] = (
                "not ready: " + " and ".join(down) + (" does not answer" if len(down) == 1 else " do not answer")
            )
            return jsonify(body), 503
        body["status"] = "ready"
        return jsonify(body)

    @server.get("/api/v1/snapshot")
    def snapshot():
        try:
            version, doc = ctx.snapshots.load()
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            return jsonify(error="the snapshot store (Redis) is offline"), 503
        if doc is None:
            return jsonify(error="no snapshot yet: the producer has not published one"), 503
        resp = Response(json.dumps(doc, separators=(",", ":")), mimetype="application/json")
        resp.headers["ETag"] = f'"{version}"'
        resp.headers["Cache-Control"] = "no-store"
        return resp

    slots = StreamSlots(ctx.services.redis, STREAM_CLIENTS, ctx.settings.max_websocket_connections, STREAM_LEASE_S)
    server.extensions["mc_stream_slots"] = slots
    # What this process can hold (threads - reserve); raises ConfigError at start-up when
    # MC_STREAMS_PER_WORKER does not fit the server's threads.
    gate = StreamGate.for_settings(ctx.settings)
    server.extensions["mc_stream_gate"] = gate
    if ctx.settings.websocket_enabled:
        log.info("push stream: %s", gate.describe())

    def full(message: str):
        resp = error(503, message)
        resp.headers["Retry-After"] = str(RETRY_AFTER_S)
        return resp

    def stream():
        if not ctx.settings.websocket_enabled:
            return error(404, "the push stream is disabled (WEBSOCKET_ENABLED=false)")
        if request.method == "HEAD":
            # A HEAD has no body: answer the headers without taking a slot or starting a stream.
            return Response(status=200, mimetype="text/event-stream", headers={"Cache-Control": "no-store"})
        # This process's place first (local, no I/O), then the deployment-wide slot. Whatever
        # is held when a step refuses or fails is given back in `finally`; once the body owns
        # both, its close() gives them back.
        ticket = gate.enter()
        if ticket is None:
            return full(
                f"the stream capacity of this server is full: all {gate.limit} streams a worker process "
                f"can hold are in use ({gate.threads.threads} threads, the rest kept for other requests; "
                "MC_STREAMS_PER_WORKER); retry later"
            )
        held: list = [ticket]
        try:
            try:
                slot = slots.acquire()
            except Exception as exc:
                ctx.services.mark("redis", False, exc)
                return error(503, "the push stream is unavailable: its slot registry (Redis) is offline")
            if slot is None:
                limit = ctx.settings.max_websocket_connections
                return full(f"stream full: all {limit} connections (MAX_WEBSOCKET_CONNECTIONS) are in use; retry later")
            held.append(slot)
            _set_write_timeout(request.environ, WRITE_TIMEOUT_S)
            resp = Response(
                SlotStream(_events(ctx), *held),
                mimetype="text/event-stream",
                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            )
            held = []  # the body owns them now
            return resp
        finally:
            _release_all(held)

    server.add_url_rule("/ws/mission-control", "mc_stream_ws", stream)
    server.add_url_rule("/api/v1/stream", "mc_stream", stream)

    @server.get("/metrics")
    def metrics():
        lines = [f"mc_stream_clients_here {gate.live}", f"mc_stream_capacity_here {gate.limit}"]
        return Response(_metrics_text(ctx) + "\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def _set_write_timeout(environ, seconds: float) -> None:
    """Make writes to this client fail after `seconds` without progress (gunicorn, werkzeug)."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(seconds)


class SlotStream:
    """The WSGI body of a stream: what it holds (its deployment-wide slot, its place in this
    process) is released when the server closes the body, which every WSGI server does however
    the connection ended (client gone, write timeout, shutdown), and, as a last resort, when
    the body is garbage-collected without having been closed."""

    def __init__(self, events, *holds):
        self.events = events
        self.holds = holds
        self._finalizer = weakref.finalize(self, _release_all, holds)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.events)

    def close(self) -> None:
        try:
            self.events.close()
        finally:
            self._finalizer.detach()
            _release_all(self.holds)


def _release_all(holds) -> None:
    """Release every hold, newest first, even when one of them raises."""
    if not holds:
        return
    try:
        holds[-1].release()
    finally:
        _release_all(holds[:-1])


def _events(ctx: AppContext):
    interval = ctx.settings.refresh_rate_ms / 1000
    sent_version = -1
    last_sent = 0.0
    retry = max(1000, ctx.settings.refresh_rate_ms)
    yield f"retry: {retry}\n\n"
    while True:
        version, doc = ctx.snapshots.load()
        now = time.time()
        if doc is not None and version != sent_version:
            sent_version, last_sent = version, now
            yield f"id: {version}\nevent: snapshot\ndata: {json.dumps(doc, separators=(',', ':'))}\n\n"
        elif now - last_sent >= KEEPALIVE_S:
            last_sent = now
            yield ": keepalive\n\n"
        time.sleep(interval)


def _metrics_text(ctx: AppContext) -> str:
    lines = []
    try:
        version, doc = ctx.snapshots.load()
    except Exception:
        version, doc = 0, None
    built = (doc or {}).get("mc", {}).get("built_at")
    lines.append(f"mc_snapshot_version {version}")
    if built:
        lines.append(f"mc_snapshot_age_seconds {max(0.0, time.time() - built):.3f}")
    producer = ctx.producer
    lines.append(f"mc_producer_leader {1 if producer is not None and producer.leader else 0}")
    for name, h in ctx.services.health.items():
        lines.append(f'mc_source_up{{source="{name}"}} {1 if h.online else 0}')
    status = (doc or {}).get("crawler_mission_status", {})
    for key in ("active_jobs_count", "queue_depth", "active_satellites_count", "total_satellites_count"):
        if isinstance(status.get(key), (int, float)):
            lines.append(f"mc_{key} {status[key]}")
    return "\n".join(lines) + "\n"
