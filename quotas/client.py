"""A small client Link Profiler's own API clients can import: route, consume, cached_call.

    from quotas.client import connect
    quota = connect("http://mission-control:8050", token=os.environ.get("MC_API_TOKEN"))
    # or, inside the dashboard's process: quota = connect(ctx.quotas)
    answer = quota.cached_call("technology_stack", {"domain": "example.com"},
                               lambda provider: builtwith_lookup("example.com"))
    answer = quota.call("dns_history", lambda provider: lookup(provider, "example.com"))

`call` and `cached_call` time each fetch and record its outcome (a fetch that raises is a
failed call, raised again), which feeds the provider's circuit breaker: after repeated
failures the router passes the provider by until a trial call succeeds.

Both variants raise `NoQuotaLeft` when nothing is left and `UnknownProvider` / `ValueError` for
bad input. The HTTP variant uses only the standard library (urllib) and keeps its answer cache
in the process, with each provider's lifetime taken from `GET /api/v1/quotas`.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from quotas.cache import question_key
from quotas.errors import NoQuotaLeft, QuotaError, QuotaUnavailable, UnknownProvider


class LocalQuotaClient:
    """In-process: calls a QuotaManager directly (the shared Redis cache included)."""

    def __init__(self, manager, caller: str | None = None):
        self.manager = manager
        self.caller = caller

    def route(self, query_type: str, priority: str = "normal") -> dict:
        return self.manager.route(query_type, priority, caller=self.caller)

    def consume(self, provider: str, units: int = 1, query_type: str | None = None) -> dict:
        return self.manager.consume(provider, units, query_type=query_type, caller=self.caller)

    def cached_call(self, query_type: str, params: Any, fetch: Callable[[str], Any], priority: str = "normal") -> dict:
        """{"result", "provider", "cached"}; `fetch(provider)` runs only on a cache miss."""
        return self.manager.cached_call(query_type, params, fetch, priority, caller=self.caller)

    def call(self, query_type: str, fetch: Callable[[str], Any], priority: str = "normal") -> dict:
        """{"result", "provider", "cached": False, "response_time_ms", ...}: routed, counted, timed, recorded."""
        return self.manager.call(query_type, fetch, priority, caller=self.caller)

    def record(self, provider: str, ok: bool, response_ms: float) -> dict:
        return self.manager.record(provider, ok, response_ms)

    def statuses(self) -> list[dict]:
        return self.manager.statuses()


class HttpQuotaClient:
    """Over Mission Control's HTTP API (`base_url` like "http://127.0.0.1:8050")."""

    def __init__(self, base_url: str, token: str | None = None, caller: str | None = None, timeout: float = 5.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.caller = caller
        self.timeout = timeout
        self._cache: dict[str, tuple[float, dict]] = {}
        self._ttl: dict[str, int] = {}
        self._cost: dict[str, int] = {}
        self._lock = threading.Lock()

    def _request(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # the scheme is checked in __init__
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            try:
                payload = json.loads(err.read() or b"null")
            except ValueError:
                payload = {"error": err.reason}
            return err.code, payload
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise QuotaUnavailable(f"Mission Control unreachable at {self.base_url}: {exc}") from exc

    @staticmethod
    def _raise(status: int, payload: Any) -> None:
        message = payload.get("error", "") if isinstance(payload, dict) else str(payload)
        if status == 400:
            raise (UnknownProvider if "unknown provider" in message else ValueError)(message)
        if status == 429:
            raise NoQuotaLeft(message)
        if status == 503:
            raise QuotaUnavailable(message)
        raise QuotaError(f"HTTP {status}: {message}")

    def statuses(self) -> list[dict]:
        status, payload = self._request("GET", "/api/v1/quotas")
        if status != 200:
            self._raise(status, payload)
        with self._lock:
            self._ttl = {s["api_name"]: int(s.get("cache_ttl_s", 0)) for s in payload}
            self._cost = {s["api_name"]: int(s.get("cost_per_call", 1)) for s in payload}
        return payload

    def route(self, query_type: str, priority: str = "normal") -> dict:
        status, payload = self._request(
            "POST", "/api/v1/quotas/route", {"query_type": query_type, "priority": priority, "caller": self.caller}
        )
        if status != 200:
            self._raise(status, payload)
        return payload

    def consume(self, provider: str, units: int = 1, query_type: str | None = None) -> dict:
        """{"granted", "used", "remaining"}; a refusal is an answer, not an exception."""
        status, payload = self._request(
            "POST",
            "/api/v1/quotas/consume",
            {"provider": provider, "units": units, "query_type": query_type, "caller": self.caller},
        )
        if status == 429 and isinstance(payload, dict) and "granted" in payload:
            return payload
        if status != 200:
            self._raise(status, payload)
        return payload

    def record(self, provider: str, ok: bool, response_ms: float) -> dict:
        """Report one call's outcome; {"provider", "circuit_breaker_state", ...}."""
        status, payload = self._request(
            "POST", "/api/v1/quotas/calls", {"provider": provider, "ok": ok, "response_time_ms": response_ms}
        )
        if status != 200:
            self._raise(status, payload)
        return payload

    def call(self, query_type: str, fetch: Callable[[str], Any], priority: str = "normal") -> dict:
        """Route + consume + `fetch(provider)`, timed here and reported with `record`.

        A fetch that raises is reported as a failed call and raised again. A report that
        cannot be delivered is dropped (the answer matters more than its record).
        """
        if not self._ttl:
            self.statuses()
        for _ in range(len(self._ttl) + 1):
            choice = self.route(query_type, priority)
            provider = choice["provider"]
            if not self.consume(provider, self._cost.get(provider, 1), query_type)["granted"]:
                continue
            started = time.perf_counter()
            try:
                result = fetch(provider)
            except Exception:
                self._report(provider, False, started)
                raise
            elapsed_ms = self._report(provider, True, started)
            return {
                "result": result,
                "provider": provider,
                "cached": False,
                "response_time_ms": elapsed_ms,
                "emergency_backup": bool(choice.get("emergency_backup")),
            }
        raise NoQuotaLeft(f"quota for {query_type!r} ran out while routing")

    def _report(self, provider: str, ok: bool, started: float) -> float:
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        # Mission Control unreachable or refusing the report: the call's own outcome still stands.
        with contextlib.suppress(QuotaError, ValueError):
            self.record(provider, ok, elapsed_ms)
        return elapsed_ms

    def cached_call(self, query_type: str, params: Any, fetch: Callable[[str], Any], priority: str = "normal") -> dict:
        """{"result", "provider", "cached"}: the process-local cache, else `call` and cache it."""
        key = question_key(query_type, params)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > now:
                return {**hit[1], "cached": True}
        answer = self.call(query_type, fetch, priority)
        provider, result = answer["provider"], answer["result"]
        ttl = self._ttl.get(provider, 0)
        if ttl > 0:
            with self._lock:
                self._cache[key] = (now + ttl, {"result": result, "provider": provider})
        return {"result": result, "provider": provider, "cached": False}


def connect(target, token: str | None = None, caller: str | None = None):
    """A client for `target`: a base URL string (HTTP) or a QuotaManager (in-process)."""
    if isinstance(target, str):
        return HttpQuotaClient(target, token=token, caller=caller)
    return LocalQuotaClient(target, caller=caller)
