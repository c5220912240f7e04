"""Link Profiler's HTTP API, as its own UI calls it: an admin's bearer token on every command.

Sign-in is Link Profiler's OAuth2 password flow: `POST /token` with the form fields `username`
and `password` answers `{"access_token": <JWT>, "token_type": "bearer"}`. The token is kept
until its `exp` claim (less a margin; a token without one is kept for TOKEN_FALLBACK_S) and
fetched again once if Link Profiler answers 401 before then. A static token (MC_LP_API_TOKEN)
is sent as is.

Link Profiler (FastAPI) words its refusals as `{"detail": "..."}`; `LpAnswer.message` carries
that text so an operator sees Link Profiler's own reason, never a bare status code.

`Transport` is what the runner needs: `post(path) -> LpAnswer`. `HttpLpApi` is the real one;
the embedded demo hands the runner an in-process stand-in with the same method.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from commands.settings import CommandSettings

TOKEN_PATH = "/token"
TOKEN_MARGIN_S = 30.0
TOKEN_FALLBACK_S = 20 * 60.0  # Link Profiler's default token life is 30 minutes
MAX_ANSWER_BYTES = 256 * 1024


@dataclass(frozen=True)
class LpAnswer:
    """Link Profiler's answer: its HTTP status (0 = it could not be reached) and its message."""

    status: int
    message: str
    body: object = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Transport(Protocol):
    @property
    def credentials_missing(self) -> str | None:
        """Why no bearer token can be had (credentials not configured), or None."""

    def post(self, path: str) -> LpAnswer: ...

    def describe(self) -> str: ...


def _message(body: object, fallback: str) -> str:
    """Link Profiler's own words in an answer: `detail` (FastAPI errors) or `message`."""
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if value:  # FastAPI's validation errors are a list of objects
                return json.dumps(value)[:500]
    return fallback


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim (epoch seconds) of a JWT, read without verifying it (we only need to
    know when to ask for a new one; Link Profiler verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp")
        return float(exp) if exp is not None else None
    except (IndexError, ValueError, TypeError, AttributeError):
        return None


class HttpLpApi:
    """Calls Link Profiler's API at `settings.lp_api_url` with the configured credentials."""

    def __init__(self, settings: CommandSettings, clock=time.time):
        if not settings.lp_api_url:
            raise ValueError("MC_LP_API_URL is not set")
        self.settings = settings
        self.base = settings.lp_api_url.rstrip("/")
        self.clock = clock
        self._token: str | None = None
        self._token_until = 0.0
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"Link Profiler's API at {self.base}"

    @property
    def credentials_missing(self) -> str | None:
        """Why no bearer token can be had, or None."""
        if self.settings.lp_api_credentials:
            return None
        return "MC_LP_API_USERNAME and MC_LP_API_PASSWORD (or MC_LP_API_TOKEN) are not set"

    # -- the token -------------------------------------------------------------------------
    def _bearer(self, renew: bool = False) -> tuple[str | None, LpAnswer | None]:
        """(token, None), or (None, the answer that says why there is none)."""
        s = self.settings
        if s.lp_api_token:
            return s.lp_api_token, None
        if self.credentials_missing:
            return None, LpAnswer(0, self.credentials_missing)
        with self._lock:
            if not renew and self._token and self.clock() < self._token_until:
                return self._token, None
            form = urllib.parse.urlencode({"username": s.lp_api_username, "password": s.lp_api_password}).encode()
            answer = self._send(TOKEN_PATH, form, {"Content-Type": "application/x-www-form-urlencoded"})
            token = answer.body.get("access_token") if isinstance(answer.body, dict) else None
            if not answer.ok or not isinstance(token, str) or not token:
                why = answer.message if not answer.ok else "its answer has no access_token"
                return None, LpAnswer(answer.status, f"sign-in to Link Profiler failed: {why}")
            exp = jwt_expiry(token)
            now = self.clock()
            self._token = token
            self._token_until = (exp - TOKEN_MARGIN_S) if exp else now + TOKEN_FALLBACK_S
            return token, None

    # -- calls -----------------------------------------------------------------------------
    def post(self, path: str) -> LpAnswer:
        """POST `path` with the bearer token; on a 401 with a cached token, sign in again once."""
        token, refusal = self._bearer()
        if refusal is not None:
            return refusal
        answer = self._send(path, b"", {"Authorization": f"Bearer {token}"})
        if answer.status == 401 and not self.settings.lp_api_token:
            token, refusal = self._bearer(renew=True)
            if refusal is not None:
                return refusal
            answer = self._send(path, b"", {"Authorization": f"Bearer {token}"})
        return answer

    def _send(self, path: str, data: bytes, headers: dict) -> LpAnswer:
        req = urllib.request.Request(self.base + path, data=data, method="POST", headers=headers)
        req.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.settings.lp_api_timeout_s) as resp:
                return self._answer(resp.status, resp.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as exc:
            with exc:
                return self._answer(exc.code, exc.read(MAX_ANSWER_BYTES))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            why = getattr(exc, "reason", None) or exc
            return LpAnswer(0, f"Link Profiler's API at {self.base} could not be reached: {why}")

    @staticmethod
    def _answer(status: int, raw: bytes) -> LpAnswer:
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            body = None
        text = raw.decode("utf-8", "replace")[:300].strip() if body is None else ""
        return LpAnswer(status, _message(body, text or f"HTTP {status}"), body)


class InProcessLpApi:
    """A Link Profiler API living in this process (the demo's stand-in): `handler.handle(path)`
    answers `(status, body)` as the HTTP API would, and is turned into the same `LpAnswer`."""

    def __init__(self, handler):
        self.handler = handler

    @property
    def credentials_missing(self) -> str | None:
        return None  # it needs none

    def describe(self) -> str:
        return self.handler.describe()

    def post(self, path: str) -> LpAnswer:
        status, body = self.handler.handle(path)
        return LpAnswer(status, _message(body, f"HTTP {status}"), body)
