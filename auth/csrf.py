"""CSRF tokens: one random token per browser session, required on every state-changing request
that a cookie authenticates.

A browser sends cookies with a request another site's page makes it send; the token is what
that page cannot know. It lives in the signed session (the server's copy) and in a readable
cookie `_csrf_token`, which Dash's renderer already copies into an `X-CSRFToken` header on
every callback request (dash-renderer's `csrf_token_name` / `csrf_header_name` defaults), and
which assets/load_beacon.js copies too. HTML forms carry it in a hidden `csrf_token` field.
Requests authenticated by a bearer token (service token, Link Profiler JWT) carry no ambient
credential and are exempt; so is the loopback demo, whose writes the Host/Origin guard
(api/guards.py) already keeps to this host's own pages.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

SESSION_KEY = "csrf"
COOKIE = "_csrf_token"
HEADER = "X-CSRFToken"
FIELD = "csrf_token"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Identities carried by something the browser sends on its own (the session cookie; the
# proxy's own cookie or login behind MC_AUTH_PROXY_HEADER).
AMBIENT = frozenset({"session", "proxy"})


def token() -> str:
    """This session's token, created on first use."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or len(value) < 32:
        value = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return value


def offered() -> str:
    """The token the request carries: the header, else the form field."""
    return request.headers.get(HEADER) or (request.form.get(FIELD) if request.mimetype in _FORMS else "") or ""


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def valid() -> bool:
    """Whether the request carries this session's token."""
    expected = session.get(SESSION_KEY)
    given = offered()
    return isinstance(expected, str) and bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def refusal(method: str, via: str) -> str | None:
    """Why this request must be refused for its CSRF token, or None."""
    if method not in WRITE_METHODS or via not in AMBIENT:
        return None
    if valid():
        return None
    return "missing or wrong CSRF token: reload the page and try again"
