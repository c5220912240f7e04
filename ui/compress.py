"""Dash's JSON answers (the layout and each callback's update) gzipped for browsers that accept it.

A tick's update is mostly `dash.Patch` operations, which repeat the same keys and paths
(`{"operation":"Assign","location":[…,"props","children",…],"params":{"value":…}}`): gzip sends
a tick a fifth of its size, and the first layout a tenth. WSGI middleware rather than a Flask
hook, so it sees each body exactly as the browser would have (after every hook, the text sink
of ui/invisible.py included). Only those two paths: the push stream must never be buffered,
and static assets are another matter. No dependency: the standard library's gzip.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable

from ui.invisible import DASH_PATHS

# Below this a gzip header and trailer (18 bytes) gain little: "nothing changed" stays as it is.
MIN_BYTES = 256
LEVEL = 6


class GzipDashJson:
    """WSGI middleware: gzip the answers of `paths` when the client accepts gzip."""

    def __init__(self, app, paths):
        self.app = app
        self.paths = frozenset(paths)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") not in self.paths or "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", ""):
            return self.app(environ, start_response)
        held: dict = {}
        chunks: list[bytes] = []

        def hold(status: str, headers: list, exc_info=None) -> Callable:
            held.update(status=status, headers=headers, exc_info=exc_info)
            return chunks.append

        result = self.app(environ, hold)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        body = b"".join(chunks)
        headers = [(k, v) for k, v in held["headers"] if k.lower() != "content-length"]
        encoded = any(k.lower() == "content-encoding" for k, _ in headers)
        if held["status"].startswith("200") and not encoded and len(body) >= MIN_BYTES:
            body = gzip.compress(body, LEVEL)
            headers.append(("Content-Encoding", "gzip"))
            vary = [v for k, v in headers if k.lower() == "vary"] + ["Accept-Encoding"]
            headers = [(k, v) for k, v in headers if k.lower() != "vary"] + [("Vary", ", ".join(vary))]
        headers.append(("Content-Length", str(len(body))))
        start_response(held["status"], headers, held["exc_info"])
        return [body]


def install(server, prefix: str = "") -> None:
    """Gzip the Dash JSON answers of `server` (routes under `prefix`)."""
    server.wsgi_app = GzipDashJson(server.wsgi_app, {prefix.rstrip("/") + p for p in DASH_PATHS})
