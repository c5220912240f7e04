"""Security headers on every response, and the session cookie's attributes.

- **Content-Security-Policy** for the app itself: scripts only from the app (`'self'`) plus the
  hashes of Dash's inline scripts (`app.csp_hashes()`: the renderer's start-up line and any
  inline clientside callback), no `eval` (neither Dash's renderer, its components nor our
  plotly.js bundle need it: `tests/test_security_headers.py` loads every page in Chromium and
  finds no violation); styles from the app, plus inline styles, because Plotly and the React
  components write `style` attributes and `<style>` rules at run time (style injection cannot
  run script); images from the app and `data:` (Bootstrap's form icons, Plotly's PNG export);
  `connect-src 'self'`, which covers the same-origin callbacks, the SSE stream and the
  WebSocket (CSP 3: `'self'` matches ws:/wss: to the page's own host and port); no plugins,
  `<base>` and form posts only to the app.
- **frame-ancestors** from MC_FRAME_ANCESTORS (default `'self'`): the sites that may show the
  dashboard in an iframe (`?embed=1`). No X-Frame-Options: it cannot list origins, and a
  browser that knows frame-ancestors ignores it anyway; sending both invites a contradiction.
- **X-Content-Type-Options: nosniff**: a CSV export or an API answer is never run as script.
- **Referrer-Policy: same-origin**: the app's own requests carry the page's URL (the first
  paint reads the page's path from the layout request's Referer), while a click on a crawled
  link tells that site nothing of the dashboard's address or its query.
- **Cookies**: the sign-in session (`mc_session`) and its readable CSRF twin (`_csrf_token`,
  auth/web.py copies these attributes) are configured here: when a foreign origin may frame the dashboard, `SameSite=None; Secure;
  Partitioned` (a cookie in a third-party iframe needs SameSite=None, which needs Secure, i.e.
  HTTPS; Partitioned keeps it to that embedding site, which browsers blocking third-party
  cookies still accept); otherwise `SameSite=Lax`.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

REFERRER_POLICY = "same-origin"


def content_security_policy(script_hashes: Iterable[str], frame_ancestors: Iterable[str]) -> str:
    """The policy for every response: the app's own sources, the inline scripts' hashes, and
    the origins that may frame it."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": list(frame_ancestors),
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def embeds_foreign_origins(frame_ancestors: Iterable[str]) -> bool:
    """Whether a site other than the app's own may frame it (its cookies are then third-party)."""
    return any(a not in ("'self'", "'none'") for a in frame_ancestors)


def install(server: Flask, settings, script_hashes: Iterable[str]) -> None:
    """Send the headers on every response of `server`; set the session cookie's attributes."""
    policy = content_security_policy(script_hashes, settings.frame_ancestors)
    if embeds_foreign_origins(settings.frame_ancestors):
        server.config.update(
            SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True, SESSION_COOKIE_PARTITIONED=True
        )
    else:
        server.config.update(SESSION_COOKIE_SAMESITE="Lax")

    @server.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = REFERRER_POLICY
        response.headers.pop("X-Frame-Options", None)
        return response
