"""The quota ledger over HTTP, for Link Profiler's API clients in other processes and hosts.

    GET  /api/v1/quotas          the contract's `api_quota_statuses` list (live, not cached)
    POST /api/v1/quotas/route    {"query_type", "priority"} -> {"provider", "reason", ...} | 429
    POST /api/v1/quotas/consume  {"provider", "units", "query_type"?, "caller"?}
                                 -> 200 {"granted": true, "used", "remaining"} | 429 {"granted": false, ...}
    POST /api/v1/quotas/calls    {"provider", "ok", "response_time_ms"} -> 200 {"circuit_breaker_state", ...}
                                 (the outcome of a call the client made: feeds `performance` and the breaker)

Writes need `Authorization: Bearer <MC_API_TOKEN>` when a token is configured; without one they
are accepted only from loopback, so an unconfigured dashboard cannot be drained from the
network. Reads are open: they show masked keys only. Errors are JSON {"error": "..."}:
400 for bad input, 401/403 for auth, 429 when no quota is left, 503 when the ledger is down.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Flask, jsonify

from api.http import error, json_body, require_role
from common.identity import Role
from quotas.errors import NoQuotaLeft, QuotaUnavailable, UnknownProvider, UnknownQueryType
from quotas.router import PRIORITIES

BLUEPRINT = "mc_quota_api"


def register_quota_api(server: Flask, ctx) -> None:
    """Add the four quota routes to `server` (once per app; a second call does nothing).

    `ctx` needs `.settings.api_token` and `.quotas` (a QuotaManager, or None: 503).
    """
    if BLUEPRINT in server.blueprints:
        return
    bp = Blueprint(BLUEPRINT, __name__)

    def writes_allowed(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            _who, refusal = require_role(ctx.settings, Role.OPERATOR, "quota writes")
            if refusal is not None:
                return refusal
            if ctx.quotas is None:
                return error(503, "the quota manager is not running")
            return view(*args, **kwargs)

        return guarded

    @bp.get("/api/v1/quotas")
    def quota_statuses():
        if ctx.quotas is None:
            return error(503, "the quota manager is not running")
        try:
            return jsonify(ctx.quotas.statuses())
        except QuotaUnavailable as exc:
            return error(503, str(exc))

    @bp.post("/api/v1/quotas/route")
    @writes_allowed
    def quota_route():
        try:
            body = json_body()
            query_type = body.get("query_type")
            priority = body.get("priority", "normal")
            if not isinstance(query_type, str) or not query_type:
                raise ValueError("'query_type' is required (a string such as 'serp_positions')")
            if not isinstance(priority, str) or priority not in PRIORITIES:
                raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, not {str(priority)[:40]!r}")
            _storable("query_type", query_type)
            return jsonify(ctx.quotas.route(query_type, priority, caller=_caller(body)))
        except NoQuotaLeft as exc:
            return error(429, str(exc), provider=None)
        except (UnknownQueryType, ValueError) as exc:
            return error(400, str(exc))
        except QuotaUnavailable as exc:
            return error(503, str(exc))

    @bp.post("/api/v1/quotas/consume")
    @writes_allowed
    def quota_consume():
        try:
            body = json_body()
            provider = _provider(body)
            units = body.get("units", 1)
            query_type = body.get("query_type")
            if query_type is not None and not isinstance(query_type, str):
                raise ValueError("'query_type' must be a string")
            _storable("query_type", query_type)
            result = ctx.quotas.consume(provider, units, query_type=query_type, caller=_caller(body))
        except UnknownProvider as exc:
            return error(400, str(exc))
        except ValueError as exc:
            return error(400, str(exc))
        except QuotaUnavailable as exc:
            return error(503, str(exc))
        if not result["granted"]:
            resp = jsonify(result)
            resp.status_code = 429
            return resp
        return jsonify(result)

    @bp.post("/api/v1/quotas/calls")
    @writes_allowed
    def quota_call_outcome():
        try:
            body = json_body()
            provider = _provider(body)
            ok = body.get("ok")
            if not isinstance(ok, bool):
                raise ValueError("'ok' is required: true when the provider answered, false when the call failed")
            if "response_time_ms" not in body:
                raise ValueError("'response_time_ms' is required (the call's duration in milliseconds)")
            return jsonify(ctx.quotas.record(provider, ok, body["response_time_ms"]))
        except ValueError as exc:  # UnknownProvider is one
            return error(400, str(exc))
        except QuotaUnavailable as exc:
            return error(503, str(exc))

    server.register_blueprint(bp)


# The longest value each free-text field can have: its column in the usage log / decisions.
MAX_LENGTHS = {"provider": 50, "query_type": 100}


def _storable(name: str, value: str | None) -> None:
    """Refuse a value the usage log could not keep: too long for its column, or with NUL
    (PostgreSQL cannot store NUL in text). The length bound also keeps the error messages that
    quote it short; the caller label has none, it is cut to 120 characters instead."""
    if value is None:
        return
    if name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
        raise ValueError(f"'{name}' is longer than {MAX_LENGTHS[name]} characters")
    if "\x00" in value:
        raise ValueError(f"'{name}' must not contain NUL characters")


def _provider(body: dict) -> str:
    provider = body.get("provider")
    if not isinstance(provider, str) or not provider:
        raise ValueError("'provider' is required (a string such as 'serpstack')")
    _storable("provider", provider)
    return provider


def _caller(body: dict) -> str:
    # The caller label is free text from the client: keep it short and mark where it came from.
    given = body.get("caller")
    if given is not None and not isinstance(given, str):
        raise ValueError("'caller' must be a string (a label for the usage log)")
    _storable("caller", given)
    label = given.strip() if given and given.strip() else "client"
    return f"http:{label[:120]}"
