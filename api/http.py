"""Request helpers shared by the JSON APIs: error bodies and JSON bodies.

Who may write is `auth.request.require` (roles; README "Sign-in and roles").
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from auth.request import require
from common.timestamps import to_datetime


# An error message says what is wrong in a sentence; one that quotes a huge input is cut here,
# the last line of defence behind the handlers' own short quotes.
MAX_MESSAGE = 1000


def error(status: int, message: str, **extra):
    """A JSON error response: {"error": message, ...} with `status`."""
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    resp = jsonify(error=message, **extra)
    resp.status_code = status
    return resp


def json_body() -> dict:
    """The request's JSON object; raises ValueError with a message for anything else."""
    body = request.get_json(silent=True)
    if body is None:
        raise ValueError("the body must be JSON (Content-Type: application/json)")
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def require_role(settings, role, what: str):
    """(the caller, None) when they may do `what`, else (None, the JSON refusal): a 401 with
    `WWW-Authenticate` when no valid credential came, a 403 naming the role that is missing."""
    try:
        return require(settings, role, what), None
    except HTTPException as exc:
        resp = error(exc.code or 403, exc.description or "not allowed")
        if exc.code == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="mission-control"'
        return None, resp


def query_choice(name: str, allowed, error: type[ValueError] = ValueError) -> str | None:
    """Query parameter `name`: None when absent or empty, else one of `allowed` (`error` otherwise)."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise error(f"'{name}' must be one of {', '.join(allowed)}, not {value[:100]!r}")
    return value


def query_time(name: str, error: type[ValueError] = ValueError) -> datetime | None:
    """Query parameter `name` as naive UTC: None when absent or empty, else an ISO-8601 time
    (`error` otherwise)."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    looks_like_time = len(value) >= 10 and value[:4].isdigit() and value[4] == "-"
    parsed = to_datetime(value) if looks_like_time else None
    if parsed is None:
        raise error(f"'{name}' must be an ISO-8601 time such as 2025-03-01T12:00:00Z, not {value[:100]!r}")
    return parsed
