"""Link Profiler Mission Control: the Dash app factory and the embedded demo entry point.

    python app.py            # embedded demo: SQLite + in-process Redis + simulated fleet
    gunicorn app:server      # production: reads DATABASE_URL / REDIS_URL

`create_app(settings)` builds a fresh app each call (no global app state); `app` and `server`
exist only as lazy module attributes for WSGI servers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys

import dash
import flask

from config import DASH_PATH_VARIABLES, ConfigError, Settings, cli_settings, load_settings
from data.services import Services
from runtime.context import AppContext
from pages import PAGES
from pages.shell import callbacks as shell_callbacks
from pages.shell import layout as shell_layout
from pages.shell.model import embed_config
from ui import callback_requests, compress, invisible, page_load
from ui.inputs import InvalidInput
from ui.page import normal_path

log = logging.getLogger("mission_control")


def create_app(
    settings: Settings | None = None, *, services: Services | None = None, start_background: bool = True
) -> dash.Dash:
    """Build the Dash app for `settings` (default: from the environment).

    `start_background` starts the producer loop (and the simulator when enabled); tests that
    drive the producer by hand pass False. The `AppContext` is at `app.server.extensions["mission_control"]`.
    """
    from api import headers as security_headers
    from api import url_prefix
    from api.core import register_core_api
    from auth import web as auth_web
    from runtime.startup import (
        attach_features,
        build_context,
        prepare_storage,
        register_feature_apis,
        start_background_work,
    )

    settings = settings or load_settings()
    _leave_paths_to_settings()
    services = services or Services(settings)
    prepare_storage(services)
    ctx = build_context(settings, services)
    attach_features(ctx)

    app = dash.Dash(
        __name__,
        title="Link Profiler Mission Control",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        # Lazy chunks: with the page inside the first layout response (first_paint), Plotly
        # arrives right after it; eager loading also parsed MathJax, markdown, date pickers…
        # and measured no faster (~1.1–1.3 s to every panel filled either way, mostly Plotly
        # drawing six figures in a software-rendered headless Chromium).
        eager_loading=False,
        # Loaded after dcc's bundle by ui/page_load.py instead (it renders a dcc.Graph).
        assets_ignore=rf"^{re.escape(page_load.GRAPH_PRIME)}$",
        # Routes stay at "/" (api/url_prefix.py moves MC_URL_PREFIX out of the path before Flask
        # routes); the browser asks for everything under the public prefix.
        routes_pathname_prefix="/",
        requests_pathname_prefix=settings.url_prefix,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
            # Read by assets/embed.js before Dash renders: who may frame the page, and what a
            # parent may ask of it.
            {"name": "mc-embed", "content": json.dumps(embed_config(settings, PAGES), separators=(",", ":"))},
        ],
    )
    app.layout = lambda: first_paint(ctx, PAGES)
    page_load.install(app)
    shell_callbacks.register(app, ctx, PAGES)
    for page in PAGES:
        page.register(app, ctx)
    app.server.register_error_handler(InvalidInput, refuse_input)
    register_core_api(app.server, ctx)
    register_feature_apis(app.server, ctx)
    # Sign-in and roles: sessions, the gate (after the Host/Origin guard), /signin, kiosk tokens.
    auth_web.install(app.server, ctx)
    # After the API's guards (registered above), so a foreign Host or Origin is refused before
    # the request's shape is even looked at.
    callback_requests.install(app.server, app.config.routes_pathname_prefix)
    invisible.install(app.server, app.config.routes_pathname_prefix)
    compress.install(app.server, app.config.routes_pathname_prefix)
    # Last, once every inline script (clientside callbacks) is registered: their hashes are the
    # only inline scripts the Content-Security-Policy allows.
    security_headers.install(app.server, settings, app.csp_hashes())
    url_prefix.install(app.server, settings.url_prefix)
    app.server.extensions["mission_control"] = ctx
    if start_background:
        start_background_work(ctx)
    return app


def _leave_paths_to_settings() -> None:
    """Dash reads DASH_URL_BASE_PATHNAME & co. from the process environment itself, and they
    would contradict (or, with the explicit prefixes above, crash) the app's own reading:
    config.py has read them (an alias of MC_URL_PREFIX, or refused), so they go."""
    for name in DASH_PATH_VARIABLES:
        for variant in (name, name.lower()):
            os.environ.pop(variant, None)


def refuse_input(error: InvalidInput):
    """A callback input outside what its control offers: 400 with the reason, as JSON."""
    return flask.jsonify({"error": "invalid_input", "message": str(error)}), 400


def first_paint(ctx: AppContext, pages):
    """The shell with the requested page already inside it, so a viewer's first screen needs
    no second round trip. Dash asks for the layout from the page itself, so the page's path is
    the Referer of this request; without one, the route callback fills the page as usual."""
    from urllib.parse import urlsplit

    referrer = flask.request.referrer if flask.has_request_context() else None
    if not referrer:
        return shell_layout.layout(ctx, pages)
    path = normal_path(urlsplit(referrer).path, ctx.settings.url_prefix)
    return shell_layout.layout(ctx, pages, path, shell_layout.page_content(ctx, pages, path))


def __getattr__(name: str):
    # Lazy `app` / `server` for `gunicorn app:server`: built on first access, not at import.
    if name in ("app", "server"):
        try:
            settings = cli_settings()  # a bad setting: its one line on stderr
        except SystemExit:
            # 3 is gunicorn's "worker failed to boot": the master stops instead of respawning.
            raise SystemExit(3) from None
        try:
            built = create_app(settings)
        except ConfigError as exc:  # a setting that only the running server can check
            print(f"configuration error: {exc}", file=sys.stderr)
            raise SystemExit(3) from None
        globals().update(app=built, server=built.server)
        return globals()[name]
    raise AttributeError(name)


def main() -> int:
    settings = cli_settings()
    try:
        app = create_app(settings)
    except ConfigError as exc:  # a setting that only the running server can check
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    log.info(
        "Mission Control on %s (database: %s, redis: %s, simulator: %s)",
        settings.dashboard_url,
        "embedded SQLite" if settings.embedded_database else "configured",
        "in-process" if settings.embedded_redis else "configured",
        "on" if settings.simulator_enabled else "off",
    )
    # threaded: the push stream holds a connection per client.
    app.run(host=settings.host, port=settings.port, debug=False, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
