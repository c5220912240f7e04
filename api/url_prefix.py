"""Serving under a URL prefix (MC_URL_PREFIX, e.g. /mc/) behind a reverse proxy.

Every Flask route is registered without the prefix (Dash with `routes_pathname_prefix="/"`, the
API, the stream, /healthz): routes other features add need to know nothing of it. This WSGI
middleware moves the prefix from PATH_INFO to SCRIPT_NAME when the request still carries it (a
proxy that passes the path through) and sets SCRIPT_NAME to it when the proxy stripped it, so in
both cases Flask matches the bare path and every URL it builds (redirects, `url_for`) is the
public one. The browser is told the public prefix through Dash's `requests_pathname_prefix`
(the page's `_dash-config`), the one source of it for scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class UrlPrefix:
    """WSGI middleware: `/mc/x` and `/x` both reach the app as PATH_INFO `/x`, SCRIPT_NAME `/mc`."""

    def __init__(self, app: Callable[..., Iterable[bytes]], prefix: str):
        self.app = app
        # "/mc/" -> "/mc"; "/" -> "" (no prefix: the middleware is not installed then).
        self.prefix = prefix.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or ""
        if path == self.prefix or path.startswith(self.prefix + "/"):
            path = path[len(self.prefix) :] or "/"
        environ["PATH_INFO"] = path
        # A proxy that strips the prefix may already say so in SCRIPT_NAME; never add it twice.
        script = (environ.get("SCRIPT_NAME", "") or "").rstrip("/")
        if not script.endswith(self.prefix):
            environ["SCRIPT_NAME"] = script + self.prefix
        return self.app(environ, start_response)


def install(server, prefix: str) -> None:
    """Serve `server` (a Flask app) under `prefix`, with or without the proxy stripping it."""
    if prefix.strip("/"):
        server.wsgi_app = UrlPrefix(server.wsgi_app, prefix)
