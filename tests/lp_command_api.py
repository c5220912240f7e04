"""A stand-in of Link Profiler's command API for tests: a real HTTP server on a free port.

It serves what Mission Control calls, the way Link Profiler (FastAPI) does:
- `POST /token` (form `username`, `password`): `{"access_token": <JWT with exp>, "token_type": "bearer"}`,
  401 `{"detail": "Incorrect username or password"}` otherwise;
- `POST /api/queue/pause_processing`, `/resume_processing`, `/cancel_job/{job_id}`: 401 without
  a valid bearer token, else the configured answer (default Link Profiler's success message).
Every request is recorded (path, Authorization, form); `on_cancel(job_id)` and `effects[path]`
let a test act as Link Profiler's coordinator does (set the row to cancelled, set or delete
job_processing_paused).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

USERNAME, PASSWORD = "lp-admin", "s3cret-pass"


def fake_jwt(exp: float) -> str:
    """A token shaped like a JWT (header.claims.signature) whose `exp` the client reads."""

    def part(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': USERNAME, 'exp': exp})}.{secrets.token_hex(8)}"


@dataclass
class Call:
    path: str
    authorization: str | None
    form: dict


class LpCommandApi:
    """Start with `up()`; `url` is its base URL; `calls` what it received; `answers[path]` =
    (status, body) overrides an answer; `static_token` accepts that bearer too."""

    def __init__(self, token_life_s: float = 1800.0, static_token: str | None = None):
        self.calls: list[Call] = []
        self.answers: dict[str, tuple[int, dict]] = {}
        self.tokens: set[str] = set()
        self.token_life_s = token_life_s
        self.static_token = static_token
        self.on_cancel: Callable[[str], None] | None = None
        # What Link Profiler's coordinator does behind a path before answering (set a key, …).
        self.effects: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def paths(self) -> list[str]:
        with self._lock:
            return [c.path for c in self.calls]

    def up(self) -> LpCommandApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                with api._lock:
                    api.calls.append(Call(self.path, self.headers.get("Authorization"), form))
                status, body = api.answer(self.path, self.headers.get("Authorization"), form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str, authorization: str | None, form: dict) -> tuple[int, dict]:
        if path == "/token":
            if form.get("username") == USERNAME and form.get("password") == PASSWORD:
                token = fake_jwt(time.time() + self.token_life_s)
                with self._lock:
                    self.tokens.add(token)
                return 200, {"access_token": token, "token_type": "bearer"}
            return 401, {"detail": "Incorrect username or password"}
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            valid = token in self.tokens or (self.static_token is not None and token == self.static_token)
        if scheme.lower() != "bearer" or not valid:
            return 401, {"detail": "Could not validate credentials"}
        if path in self.answers:
            return self.answers[path]
        if path in self.effects:
            self.effects[path]()
        if path == "/api/queue/pause_processing":
            return 200, {"message": "Job processing paused successfully."}
        if path == "/api/queue/resume_processing":
            return 200, {"message": "Job processing resumed successfully."}
        if path.startswith("/api/queue/cancel_job/"):
            job_id = unquote(path.rsplit("/", 1)[1])
            if self.on_cancel is not None:
                self.on_cancel(job_id)
            return 200, {"message": f"Job {job_id} cancelled successfully."}
        return 404, {"detail": "Not Found"}
