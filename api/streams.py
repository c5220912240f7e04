"""The push streams, all under one connection cap:

- `GET /api/v1/stream`: Server-Sent Events for our API clients, one `event: snapshot` with the
  whole document per new version, keepalive comments, `retry:`.
- `GET /api/v1/stream?only=version`: Server-Sent Events for dashboard tabs, one `event: version`
  per new version with `{"version", "built_at", "published_at"}` (never a document); the current
  version is sent at once on connect. A tab fetches the smallest update only when told.
- `/ws/mission-control`: the WebSocket Link Profiler's UI speaks (LINK_PROFILER_CONTRACT.md):
  `connection_established`, the whole document per new version, a heartbeat after 5 s without a
  frame, `error` + close 1013 over the cap, `error` + close 1011 when WEBSOCKET_ENABLED=false.

Every stream waits on this process's NoticeHub (api/notice_hub.py): no stream polls Redis, and
a version's document is fetched once per process, as the producer stored it.

Admission, the same for all three: this process's place first (StreamGate: what the worker can
hold besides its other requests, no I/O), then a deployment-wide slot (StreamSlots in Redis,
MAX_WEBSOCKET_CONNECTIONS). Both are released in `finally` / the body's close(), whatever
ended the connection; a slot whose process died lapses with its lease (STREAM_LEASE_S).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, Response, request
from simple_websocket import ConnectionClosed

from api.http import error
from api.notice_hub import Notice, NoticeHub
from api.stream_capacity import StreamGate
from api.stream_slots import StreamSlots
from api.websocket import Connection, websocket_response
from common.metrics import OpenStream
from runtime.context import AppContext

log = logging.getLogger(__name__)

STREAM_CLIENTS = "mc:stream:clients"
# The lease of a slot whose process died without releasing it (live ones are renewed).
STREAM_LEASE_S = 30
# A client that accepts nothing for this long is dropped and its slot freed: a socket whose
# receive window stays shut would otherwise hold a connection and a slot forever.
WRITE_TIMEOUT_S = 10
KEEPALIVE_S = 15
# The contract's heartbeat: sent when no frame went out for this long.
HEARTBEAT_S = 5
# What a refused SSE client is told to wait before it tries again.
RETRY_AFTER_S = 10
# The contract's words and close codes for a refused WebSocket.
WS_FULL = "Maximum WebSocket connections reached"
WS_DISABLED = "WebSocket connections are disabled on this server (WEBSOCKET_ENABLED=false)"
WS_OFFLINE = "The real-time stream is unavailable: its connection registry (Redis) is offline"
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_INTERNAL_ERROR = 1011


class Refusal:
    """Why a stream was not admitted (what SSE answers, and which close code a WebSocket gets)."""

    def __init__(self, status: int, message: str, ws_message: str, ws_code: int):
        self.status, self.message, self.ws_message, self.ws_code = status, message, ws_message, ws_code


class Admission:
    """This process's place, then a deployment-wide slot; `admit()` gives (holds, None) or
    ([], Refusal), never leaking a hold when a later step refuses or fails."""

    def __init__(self, ctx: AppContext, gate: StreamGate, slots: StreamSlots):
        self.ctx, self.gate, self.slots = ctx, gate, slots

    def admit(self) -> tuple[list, Refusal | None]:
        ticket = self.gate.enter()
        if ticket is None:
            return [], Refusal(
                503,
                f"the stream capacity of this server is full: all {self.gate.limit} streams a worker process "
                f"can hold are in use ({self.gate.describe_capacity()}, the rest kept for other requests; "
                "MC_STREAMS_PER_WORKER); retry later",
                WS_FULL,
                CLOSE_TRY_AGAIN_LATER,
            )
        held: list = [ticket]
        try:
            try:
                slot = self.slots.acquire()
            except Exception as exc:
                self.ctx.services.mark("redis", False, exc)
                return [], Refusal(
                    503,
                    "the push stream is unavailable: its slot registry (Redis) is offline",
                    WS_OFFLINE,
                    CLOSE_INTERNAL_ERROR,
                )
            if slot is None:
                limit = self.ctx.settings.max_websocket_connections
                return [], Refusal(
                    503,
                    f"stream full: all {limit} connections (MAX_WEBSOCKET_CONNECTIONS) are in use; retry later",
                    WS_FULL,
                    CLOSE_TRY_AGAIN_LATER,
                )
            held.append(slot)
            holds, held = held, []
            return holds, None
        finally:
            release_all(held)


def register_streams(server: Flask, ctx: AppContext) -> None:
    """Add /api/v1/stream (SSE) and /ws/mission-control (WebSocket) to `server`."""
    settings = ctx.settings
    slots = StreamSlots(ctx.services.redis, STREAM_CLIENTS, settings.max_websocket_connections, STREAM_LEASE_S)
    server.extensions["mc_stream_slots"] = slots
    # What this process can hold; raises ConfigError at start-up when MC_STREAMS_PER_WORKER
    # does not fit the server's capacity.
    gate = StreamGate.for_settings(settings)
    server.extensions["mc_stream_gate"] = gate
    hub = NoticeHub(ctx.snapshots)
    server.extensions["mc_notice_hub"] = hub
    ctx.notices = hub
    ctx.parts.extend((hub, slots))
    admission = Admission(ctx, gate, slots)
    if settings.websocket_enabled:
        log.info("push stream: %s", gate.describe())
    retry_ms = max(1000, settings.refresh_rate_ms)

    def stream():
        if not settings.websocket_enabled:
            return error(404, "the push stream is disabled (WEBSOCKET_ENABLED=false)")
        only = request.args.get("only")
        if only not in (None, "version"):
            return error(400, "only= takes one value: version (notices without documents)")
        if request.method == "HEAD":
            # A HEAD has no body: answer the headers without taking a slot or starting a stream.
            return Response(status=200, mimetype="text/event-stream", headers={"Cache-Control": "no-store"})
        holds, refusal = admission.admit()
        if refusal is not None:
            resp = error(refusal.status, refusal.message)
            resp.headers["Retry-After"] = str(RETRY_AFTER_S)
            return resp
        holds.append(OpenStream("sse_notices" if only else "sse_documents"))
        try:
            _set_write_timeout(request.environ, WRITE_TIMEOUT_S)
            events = version_events(hub, retry_ms) if only else snapshot_events(hub, retry_ms)
            resp = Response(
                SlotStream(events, *holds),
                mimetype="text/event-stream",
                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            )
            holds = []  # the body owns them now
            return resp
        finally:
            release_all(holds)

    server.add_url_rule("/api/v1/stream", "mc_stream", stream)

    def mission_websocket():
        holds, refusal = admission.admit() if settings.websocket_enabled else ([], None)
        ws = None
        try:
            ws = Connection(request.environ, lambda: release_all(holds), WRITE_TIMEOUT_S)
            if not settings.websocket_enabled:
                ws.refuse(_frame("error", message=WS_DISABLED), CLOSE_INTERNAL_ERROR)
            elif refusal is not None:
                ws.refuse(_frame("error", message=refusal.ws_message), refusal.ws_code)
            else:
                holds.append(OpenStream("websocket"))
                serve_websocket(ws, hub)
        finally:
            release_all(holds)
            if ws is not None and ws.connected:
                with contextlib.suppress(ConnectionClosed, OSError):
                    ws.close()
        return websocket_response(ws)

    server.add_url_rule("/ws/mission-control", "mc_websocket", mission_websocket, websocket=True)

    def plain_request():
        # Without this rule a plain GET would fall through to Dash's catch-all page route.
        resp = error(426, "/ws/mission-control is a WebSocket; Server-Sent Events are at /api/v1/stream")
        resp.headers["Upgrade"] = "websocket"
        return resp

    server.add_url_rule("/ws/mission-control", "mc_websocket_plain", plain_request)


# -- what each stream sends --------------------------------------------------------------------
def snapshot_events(hub: NoticeHub, retry_ms: int):
    """SSE for API clients: the whole document of each new version."""

    def event(notice):
        text = hub.document(notice.version)
        return None if text is None else f"id: {notice.version}\nevent: snapshot\ndata: {text}\n\n"

    return _sse(hub, retry_ms, event)


def version_events(hub: NoticeHub, retry_ms: int):
    """SSE for dashboard tabs: only the notice of each new version."""
    return _sse(hub, retry_ms, lambda notice: notice.version_event)


def _sse(hub: NoticeHub, retry_ms: int, event: Callable[[Notice], str | bytes | None]):
    yield f"retry: {retry_ms}\n\n"
    held = None
    last = time.monotonic()
    while not hub.stopped:
        notice = hub.wait(held, max(0.0, KEEPALIVE_S - (time.monotonic() - last)))
        if notice is not None:
            held = notice.version
            text = event(notice)
            if text is not None:
                last = time.monotonic()
                yield text
        elif time.monotonic() - last >= KEEPALIVE_S:
            last = time.monotonic()
            yield ": keepalive\n\n"


def serve_websocket(ws: Connection, hub: NoticeHub) -> None:
    """The contract's conversation, until the client goes or a write fails."""
    try:
        ws.send(_frame("connection_established", message="Connected to Link Profiler Mission Control"))
        held = None
        last = time.monotonic()
        while ws.connected and not hub.stopped:
            notice = hub.wait(held, max(0.0, HEARTBEAT_S - (time.monotonic() - last)))
            ws.drain()
            if notice is not None:
                held = notice.version
                text = hub.document(notice.version)
                if text is not None:
                    ws.send(text)
                    last = time.monotonic()
            elif time.monotonic() - last >= HEARTBEAT_S:
                ws.send(_frame("heartbeat"))
                last = time.monotonic()
    except (ConnectionClosed, OSError):  # the client went, or stopped reading (write timeout)
        return


def _frame(kind: str, **fields) -> str:
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": kind, **fields, "timestamp": stamp})


# -- holding and giving back -------------------------------------------------------------------
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
        self._finalizer = weakref.finalize(self, release_all, holds)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.events)

    def close(self) -> None:
        try:
            self.events.close()
        finally:
            self._finalizer.detach()
            release_all(self.holds)


def release_all(holds) -> None:
    """Release every hold, newest first, even when one of them raises (each is idempotent)."""
    if not holds:
        return
    try:
        holds[-1].release()
    finally:
        release_all(holds[:-1])
