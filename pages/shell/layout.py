"""The frame around every page: header (title, LIVE indicator, data age, clock, config),
page navigation, the shared live trigger (push notices, a slow fallback poll) and the page
container.

Modes come from the URL: `?kiosk=1` (wall monitor: no nav, larger type, no cursor) and
`?embed=1` (iframe in Link Profiler: no header chrome, transparent background).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from config import display_url
from pages.shell.ids import ShellIds as Shell
from pages.shell.model import caller, first_header, painted, push_config, wall_config
from ui.page import page_at, public_path


def _config_rows(ctx) -> list:
    """Non-secret settings for the config panel (keys are shown masked, never in clear)."""
    s = ctx.settings
    rows = [
        ("database", "embedded SQLite" if s.embedded_database else display_url(s.database_url)),
        ("redis", "in-process" if s.embedded_redis else display_url(s.redis_url)),
        ("schema variant", ctx.services.schema.variant or "unknown"),
        ("refresh", f"{s.refresh_rate_ms} ms"),
        ("analytics refresh", f"{s.cache_ttl_s} s"),
        ("heartbeat timeout", f"{s.heartbeat_timeout_s} s"),
        ("history retention", f"{s.history_retention_days} days"),
        ("archive", display_url(s.archive.url) if s.archive.url else "off (deleted past the retention)"),
        ("push stream", f"{'on' if s.websocket_enabled else 'off'} (max {s.max_websocket_connections})"),
        ("fallback poll", f"{s.fallback_poll_s} s"),
        ("simulator", "running" if s.simulator_enabled else "off"),
        ("URL prefix", s.url_prefix),
        ("may be framed by", " ".join(s.frame_ancestors)),
        ("API keys set", ", ".join(sorted(s.api_keys)) or "none"),
    ]
    return [html.Tr([html.Td(k, className="label"), html.Td(v, className="mono")]) for k, v in rows]


def user_box(ctx) -> html.Span:
    """Who is using the page and their role, with a sign-out button (a form POST carrying the
    session's CSRF token) or a "Sign in" link."""
    who = caller(ctx)
    if who is None:
        return html.Span(id=Shell.USER, className="mc-user")
    prefix = ctx.settings.url_prefix
    parts: list = [
        html.Span(who.name, className="mc-user-name mono"),
        html.Span(who.role, className="mc-user-role"),
    ]
    if who.signed_in:
        parts.append(
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=who.csrf),
                    html.Button("Sign out", id=Shell.SIGN_OUT, type="submit", className="mc-user-action"),
                ],
                action=public_path("/signout", prefix),
                method="POST",
                className="mc-user-form",
            )
        )
    elif who.may_sign_in:
        parts.append(
            html.A("Sign in", id=Shell.SIGN_IN, href=public_path("/signin", prefix), className="mc-user-action")
        )
    return html.Span(parts, id=Shell.USER, className="mc-user")


def layout(ctx, pages, path: str | None = None, content=None) -> html.Div:
    """The frame; with `content`, the page at `path` is painted with the first response."""
    # The painted snapshot's stamp: the header states the age of what the page shows from the
    # first paint on, and the browser's clock takes it from there (assets/wall.js).
    stamp, sources = painted(ctx)
    live_class, live_text, age_text = first_header(stamp, ctx.settings)
    nav = dbc.Nav(
        [
            dbc.NavLink(
                p.title, href=public_path(p.path, ctx.settings.url_prefix), active="exact", className="mc-navlink"
            )
            for p in pages
        ],
        id=Shell.NAV,
        className="mc-nav",
        pills=True,
    )
    header = html.Header(
        className="mc-header",
        children=[
            html.Div(
                className="mc-brand",
                children=[
                    html.Span(className="mc-logo"),
                    html.H1("LINK PROFILER MISSION CONTROL", className="mc-title"),
                ],
            ),
            nav,
            html.Div(
                className="mc-status",
                children=[
                    html.Span(sources, id=Shell.SOURCES, className="mc-sources"),
                    user_box(ctx),
                    html.Span(
                        id=Shell.LIVE,
                        className=live_class,
                        children=[
                            html.Span(className="live-dot"),
                            html.Span(live_text, id=Shell.LIVE_TEXT),
                        ],
                    ),
                    html.Span(["age ", html.Span(age_text, id=Shell.AGE, className="mono")], className="mc-age"),
                    html.Span(id=Shell.CLOCK, className="mc-clock mono"),
                    html.Button(
                        "UTC", id=Shell.TIME_ZONE_TOGGLE, className="mc-tz-toggle mono", title="time zone", n_clicks=0
                    ),
                    dbc.Button(
                        "⚙", id=Shell.CONFIG_BUTTON, className="mc-config-btn", title="configuration", n_clicks=0
                    ),
                ],
            ),
        ],
    )
    config = dbc.Offcanvas(
        html.Table(html.Tbody(_config_rows(ctx)), className="config-table"),
        id=Shell.CONFIG_PANEL,
        title="Configuration",
        placement="end",
        is_open=False,
        className="mc-offcanvas",
    )
    return html.Div(
        id=Shell.ROOT,
        className="mc-root",
        children=[
            dcc.Location(id=Shell.URL, refresh="callback-nav"),
            # Live updates (assets/push.js): each notice of the push stream sets VERSION, which
            # triggers the page's callback and the shell's; while the stream is not open the slow
            # POLL sets it instead (push.js disables POLL while the stream is open).
            dcc.Store(id=Shell.VERSION),
            dcc.Interval(id=Shell.POLL, interval=ctx.settings.fallback_poll_s * 1000, n_intervals=0),
            dcc.Store(id=Shell.PUSH, data=push_config(ctx.settings)),
            dcc.Store(id=Shell.BUILT_AT, data=stamp),
            # The wall (assets/wall.js): a clock that never waits for the server, its settings,
            # and the watermark it lays over a screen whose data stopped moving.
            dcc.Interval(id=Shell.WALL_CLOCK, interval=1000, n_intervals=0),
            dcc.Store(id=Shell.WALL_CONFIG, data=wall_config(ctx.settings, pages, stamp)),
            html.Div(
                html.Div(id=Shell.WATERMARK_TEXT, className="mc-watermark-text"),
                id=Shell.WATERMARK,
                className="mc-watermark",
                hidden=True,
                role="alert",
            ),
            dcc.Store(id=Shell.TIME_ZONE, storage_type="local"),
            dcc.Store(id=Shell.RENDERED, data=path if content is not None else None),
            header,
            config,
            html.Main(content, id=Shell.PAGE, className="mc-page container-fluid"),
            tab_bar(pages, ctx.settings.url_prefix),
        ],
    )


def tab_bar(pages, prefix: str = "/") -> html.Nav:
    """The pages as a tab bar at the bottom of a phone's screen (shown by CSS under 600 px;
    assets/swipe.js moves along it when the page is swiped left or right)."""
    return html.Nav(
        [dbc.NavLink(p.title, href=public_path(p.path, prefix), active="exact") for p in pages],
        id=Shell.TABBAR,
        className="mc-tabbar nav",
    )


def not_found(pathname: str | None) -> html.Div:
    """What the page container shows for a path no page serves."""
    return html.Div(
        className="panel panel-empty",
        children=[html.H2("Not found", className="panel-title"), html.P(f"No page at {pathname}")],
    )


def page_content(ctx, pages, path: str):
    """The layout of the page at `path` (a page path, without MC_URL_PREFIX: `ui.page.normal_path`),
    or the not-found panel."""
    page = page_at(path, pages)
    return not_found(public_path(path, ctx.settings.url_prefix)) if page is None else page.layout(ctx)
