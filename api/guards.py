"""What every request to the server passes through: size limit, Host/Origin check on writes,
and one JSON error shape for every /api/ path.

- **Size**: bodies over `MC_MAX_REQUEST_BYTES` (default 4 MB) are refused with 413 before they
  are read (Flask's MAX_CONTENT_LENGTH, plus an early check of Content-Length).
- **Host/Origin on writes** (POST, PUT, PATCH, DELETE, Dash callbacks included): a browser page
  of another site can reach a dashboard on 127.0.0.1 by DNS rebinding (its name resolves to
  127.0.0.1, so the request comes from loopback and names the attacker's host), or post to it
  cross-site. So a write from a loopback peer must name an allowed Host, and a write carrying
  an Origin must come from an allowed origin or the host it is sent to. Allowed: loopback
  names, HOST, the host of MC_PUBLIC_URL, and MC_ALLOWED_HOSTS (comma-separated; "*" turns the
  check off, e.g. behind a proxy that already enforces it).
- **JSON errors**: under /api/ an unknown path is a JSON 404 (not the dashboard page Dash's
  catch-all route would serve), a wrong method a JSON 405 with Allow, a source that is down a
  JSON 503, anything else a JSON 500 without a traceback (logged server-side), and every answer
  carries `Cache-Control: no-store` unless it set its own.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from api.http import error
from common.write_rule import is_loopback

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
JSON_PREFIXES = ("/api/",)
_PROBE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _host_name(value: str | None) -> str | None:
    """The host name of a Host header or an origin URL, lower-case, without port or brackets."""
    if not value:
        return None
    try:
        netloc = urlsplit(value).netloc if "://" in value else value
        host = urlsplit(f"//{netloc}").hostname
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


def _is_loopback_name(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(settings) -> set[str]:
    """The configured host names writes may name (loopback names are always allowed)."""
    names = {h.lower() for h in getattr(settings, "allowed_hosts", ()) or ()}
    host = getattr(settings, "host", None)
    if host and host not in ("0.0.0.0", "::"):
        names.add(host.lower())
    public = _host_name(getattr(settings, "public_url", None))
    if public:
        names.add(public)
    return names


def _allowed(host: str | None, names: set[str]) -> bool:
    return host is not None and (_is_loopback_name(host) or host in names)


def host_refusal(
    settings, method: str, host_header: str | None, origin: str | None, remote_addr: str | None
) -> str | None:
    """None when the request may go on, else the reason it is refused (a 403)."""
    if method.upper() not in WRITE_METHODS:
        return None
    names = allowed_hosts(settings)
    if "*" in names:
        return None
    host = _host_name(host_header)
    if is_loopback(remote_addr) and not _allowed(host, names):
        return (
            f"writes from this host must address it by an allowed name, not {str(host_header)[:100]!r} "
            "(a page of another site may be reaching it by DNS rebinding); "
            "add the name to MC_ALLOWED_HOSTS or MC_PUBLIC_URL if it is yours"
        )
    if origin is not None and origin != "null":
        origin_host = _host_name(origin)
        if not (_allowed(origin_host, names) or (origin_host is not None and origin_host == host)):
            return (
                f"writes from pages of another site ({origin[:100]!r}) are refused; "
                "add its host to MC_ALLOWED_HOSTS if it is yours"
            )
    elif origin == "null":
        return "writes from an opaque origin (a sandboxed frame or a file) are refused"
    return None


def _wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _is_catch_all(rule) -> bool:
    # Dash serves its page for every unknown path through `/<path:path>`.
    return rule is None or rule.rule.startswith("/<path:")


def _methods_for(server: Flask, path: str) -> set[str]:
    """The methods of the routes (other than Dash's catch-all) that serve `path`."""
    adapter = server.url_map.bind("localhost")
    methods: set[str] = set()
    for method in _PROBE_METHODS:
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except HTTPException:
            continue
        except Exception:  # a redirect or routing quirk: not a method of a real route
            continue
        if not _is_catch_all(rule):
            methods.add(method)
    return methods


def _not_served(server: Flask):
    """The JSON 404 / 405 for an /api/ path no API route serves with this method."""
    methods = _methods_for(server, request.path)
    if methods:
        resp = error(405, f"{request.method} is not allowed here; use {', '.join(sorted(methods))}")
        resp.headers["Allow"] = ", ".join(sorted(methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())))
        return resp
    return error(404, f"no such API endpoint: {request.path[:200]}")


def _source_down(exc: BaseException) -> str | None:
    """The name of the data source an exception says is down, if it says so."""
    import redis
    import sqlalchemy as sa

    if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return "Redis"
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return "the database"
    return None


def register_guards(server: Flask, settings) -> None:
    """Install the size limit, the write Host/Origin check and the /api/ JSON errors on `server`."""
    limit = int(getattr(settings, "max_request_bytes", 4 * 1024 * 1024))
    server.config["MAX_CONTENT_LENGTH"] = limit

    @server.before_request
    def _guard():
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()
        reason = host_refusal(
            settings, request.method, request.headers.get("Host"), request.headers.get("Origin"), request.remote_addr
        )
        if reason is not None:
            return error(403, reason)
        if _wants_json() and _is_catch_all(request.url_rule):
            return _not_served(server)
        return None

    @server.after_request
    def _no_store(resp):
        if _wants_json():
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():
            return exc
        if isinstance(exc, (MethodNotAllowed, NotFound)):
            return _not_served(server)
        if isinstance(exc, RequestEntityTooLarge):
            return error(413, f"the request body is larger than {limit:,} bytes (MC_MAX_REQUEST_BYTES)")
        return error(exc.code or 500, exc.description or exc.name)

    @server.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return _http_error(exc)
        source = _source_down(exc)
        if not _wants_json():
            # Outside the API (Dash's own routes) keep Flask's plain 500 page, without details.
            log.exception("unhandled error on %s", request.path)
            if source is not None:
                return "a data source is offline", 503
            return "internal server error", 500
        if isinstance(exc, RecursionError):
            return error(400, "the request body is nested too deeply")
        if source is not None:
            log.warning("%s %s: %s is offline (%s)", request.method, request.path, source, type(exc).__name__)
            return error(503, f"{source} is offline; try again shortly")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, "internal error; the server log has the details")
