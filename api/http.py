"""Request helpers shared by the JSON APIs: error bodies, JSON bodies, and the write rule.

The write rule: with `MC_API_TOKEN` set, a write needs `Authorization: Bearer <token>`;
without one, writes are accepted only from loopback, so an unconfigured dashboard cannot be
changed (or a quota drained) from the network.
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import jsonify, request


def error(status: int, message: str, **extra):
    """A JSON error response: {"error": message, ...} with `status`."""
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


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def write_refusal(
    settings, authorization: str | None, remote_addr: str | None, what: str = "changes"
) -> tuple[int, str] | None:
    """None when a write is allowed, else (status, reason) under the write rule."""
    token = getattr(settings, "api_token", None)
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return 401, "a valid 'Authorization: Bearer <MC_API_TOKEN>' header is required"
        return None
    if not is_loopback(remote_addr):
        return 403, f"{what} are accepted only from this host unless MC_API_TOKEN is set"
    return None


def refuse_write(settings, what: str = "changes"):
    """The refusal response for the current request, or None when the write is allowed."""
    refusal = write_refusal(settings, request.headers.get("Authorization"), request.remote_addr, what)
    if refusal is None:
        return None
    resp = error(*refusal)
    if refusal[0] == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="mission-control"'
    return resp
