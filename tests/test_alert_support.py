"""Helpers shared by the alert tests (no tests here): a real local HTTP receiver, a real local
SMTP server (aiosmtpd), an AppContext around `Services`, and snapshot documents.

Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
from datetime import datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alerts.engine import AlertEngine
from alerts.settings import AlertSettings
from runtime.context import AppContext
from runtime.startup import build_context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A real HTTP server on 127.0.0.1 recording every POST; `down()` closes the port
    (connection refused), `up()` opens it again on the same port."""

    def __init__(self):
        self.posts: list[dict] = []
        self.port = free_port()
        self._server: ThreadingHTTPServer | None = None
        self.up()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body), "at": time.monotonic()}
                )
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def on(self, path: str) -> list[dict]:
        return [p for p in self.posts if p["path"] == path]


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping every message received."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.envelopes: list = []
        box = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                box.envelopes.append(envelope)
                box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll `predicate` until true (delivery runs on a thread); False after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def make_ctx(services, **settings_changes) -> AppContext:
    settings = dataclasses.replace(services.settings, **settings_changes)
    return build_context(settings, services)


FAST = AlertSettings(backlink_interval_s=0, job_interval_s=0, lp_rules_refresh_s=0)


def make_engine(ctx: AppContext, settings: AlertSettings = FAST, background: bool = False, clock=None) -> AlertEngine:
    engine = AlertEngine(ctx, settings=settings, deliver_in_background=background, clock=clock)
    ctx.alerts = engine
    return engine


def fleet_doc(
    *,
    dead: tuple[str, ...] = (),
    alive: tuple[str, ...] = ("sat-ok",),
    queue_depth: int = 10,
    jobs: list[dict] | None = None,
    quotas: list[dict] | None = None,
) -> dict:
    """A snapshot document with the given fleet (dead satellites 45 s past their heartbeat)."""
    fleet = [
        {
            "satellite_id": s,
            "alive": True,
            "status": "active",
            "last_heartbeat": 1.0,
            "heartbeat_age_s": 2.0,
            "current_job_id": None,
        }
        for s in alive
    ]
    fleet += [
        {
            "satellite_id": s,
            "alive": False,
            "status": "unresponsive",
            "last_heartbeat": 1.0,
            "heartbeat_age_s": 45.0,
            "current_job_id": None,
        }
        for s in dead
    ]
    return {
        "timestamp": None,
        "crawler_mission_status": {"queue_depth": queue_depth},
        "api_quota_statuses": quotas or [],
        "alerts": [],
        "mc": {"heartbeat_timeout_s": 30, "fleet": fleet, "active_jobs": jobs or []},
    }


def outbox_events(engine: AlertEngine, channel: str | None = None) -> list[list[str]]:
    """The event kinds of every outbox notice, oldest first: [["firing"], ["resolved"], ...]."""
    rows = sorted(engine.store.outbox(limit=1000), key=lambda r: r["created_at"])
    return [[e["event"] for e in r["payload"]["events"]] for r in rows if channel is None or r["channel"] == channel]


def at(seconds: float) -> datetime:
    """A fixed naive-UTC test clock: 2025-03-01 12:00:00 + `seconds`."""
    from datetime import timedelta

    return datetime(2025, 3, 1, 12, 0, 0) + timedelta(seconds=seconds)
