"""What a navigation fetches: asked for early, and asked for once.

- **The layout and the callback graph are preloaded** from the page's `<head>`. Dash's renderer
  asks for `_dash-layout` and `_dash-dependencies` only after every script has been parsed and
  run (~150–350 ms into a navigation), and the layout is the slowest answer of the load (the
  first paint renders the page for the current snapshot version: p50 33 ms, p95 107 ms while
  the analytics run). `<link rel=preload as=fetch crossorigin>` starts both with the HTML, so
  the server's time overlaps the scripts' instead of following it; the renderer's own `fetch`
  (same URL, CORS mode, same-origin credentials) is then served from the preload, so each is
  still asked for once (tests/test_browser_main.py counts them). The preload carries the page's
  URL as Referer like the renderer's request does, which the first paint and kiosk tokens read.
- **dcc.Graph's code is on the page before the layout.** dcc loads the Graph's real component
  (`async-graph.js`, 13 KB) only when React first renders a Graph, so every graph first
  rendered an empty placeholder and plotted a render later (200–300 ms on the main screen, in
  in-page marks). The chunk is a plain script tag here, after dcc's bundle (whose webpack
  runtime then finds it registered and asks for nothing), followed by assets/graph_prime.js,
  which resolves the lazy component before the renderer asks for the layout, so the layout's
  first render mounts and plots every graph. Without the chunk file (another dcc), neither is
  added and graphs load as before.
- **Fingerprinted assets are cached for good.** Dash names every asset with its file's mtime
  (`/assets/x.js?m=…`) and its component bundles with their version, but serves assets with
  Flask's default (revalidate every time): each navigation sent ~25 conditional requests that
  queued six at a time ahead of the page's own. An asset asked for with `m` is immutable; the
  bare path keeps revalidating. deploy/nginx does the same in front of the app.
"""

from __future__ import annotations

import os
from html import escape

import flask
from dash import dcc
from dash.fingerprint import build_fingerprint

PRELOADED = ("_dash-layout", "_dash-dependencies")
IMMUTABLE = "public, max-age=31536000, immutable"


def preload_links(requests_prefix: str) -> str:
    """`<link rel=preload>` tags for the renderer's first two requests, under the public prefix."""
    return "".join(
        f'<link rel="preload" href="{escape(requests_prefix + name)}" as="fetch" crossorigin="anonymous">'
        for name in PRELOADED
    )


# Kept out of the assets Dash loads before the component bundles (app.py's assets_ignore):
# it needs dcc, and runs from the tag graph_scripts() places after dcc.
GRAPH_PRIME = "graph_prime.js"


def graph_scripts(app) -> str:
    """Script tags for dcc's Graph chunk, fingerprinted the way Dash names its bundles (so Dash
    serves it with a year's caching), then the prime; "" when this dcc has no such chunk."""
    chunk = os.path.join(os.path.dirname(dcc.__file__), "async-graph.js")
    prime = os.path.join(app.config.assets_folder, GRAPH_PRIME)
    if not os.path.exists(chunk) or not os.path.exists(prime):
        return ""
    name = build_fingerprint("dcc/async-graph.js", dcc.__version__, int(os.stat(chunk).st_mtime))
    chunk_url = f"{app.config.requests_pathname_prefix}_dash-component-suites/dash/{name}"
    prime_url = f"{app.get_asset_url(GRAPH_PRIME)}?m={int(os.stat(prime).st_mtime)}"
    return "".join(f'<script src="{escape(url)}"></script>' for url in (chunk_url, prime_url))


def install(app) -> None:
    """Preload the renderer's first requests and put dcc's Graph chunk in `app`'s index page;
    cache fingerprinted assets."""
    prefix = app.config.requests_pathname_prefix
    links = preload_links(prefix)
    graphs = graph_scripts(app)
    render_index = app.interpolate_index

    def interpolate_index(**parts):
        # The preloads before the stylesheets: the fetches start as soon as the head is parsed.
        # The Graph scripts after Dash's (dcc's bundle among them), before the renderer starts.
        return render_index(
            **{**parts, "css": links + parts.get("css", ""), "scripts": parts.get("scripts", "") + graphs}
        )

    app.interpolate_index = interpolate_index
    assets_path = app.config.routes_pathname_prefix + "assets/"

    @app.server.after_request
    def cache_fingerprinted_assets(response):
        request = flask.request
        if request.path.startswith(assets_path) and request.args.get("m") and response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
