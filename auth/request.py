"""The identity of the current Flask request, and the role gate.

Every write names its user: API handlers and page actions call `require(settings, role, what)`,
which returns the caller's `Identity` or raises a 403 (401 when no credential was offered and
one would help) whose description says why; `api.guards` turns it into the JSON error shape.

How an identity is found, first match wins (README "Sign-in and roles"):
1. `Authorization: Bearer <MC_API_TOKEN>`: the service credential, role MC_API_TOKEN_ROLE;
   `Authorization: Bearer <Link Profiler JWT>`: that Link Profiler user (auth/lp_jwt.py).
2. a kiosk token: `?kiosk=<token>` on the request, or on the page that sent it (the Referer of
   Dash's callbacks and the stream, same-origin only): a viewer (auth/kiosk.py).
3. the signed session cookie of a user who signed in at /signin (re-read within RECHECK_S,
   so a disabled user is out within seconds).
4. MC_AUTH_PROXY_HEADER, only from a MC_AUTH_TRUSTED_PROXIES peer: single sign-on by the proxy.
5. a request from loopback when nothing else is configured (no MC_API_TOKEN, no
   MC_AUTH_REQUIRED, no proxy header): the embedded demo's anonymous operator.
6. otherwise an anonymous viewer.
A credential that was offered and is wrong (a bearer token that is neither, a revoked or
unknown kiosk token) gives no identity at all: the request is refused with a 401 naming it,
rather than quietly served as someone else.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit

from flask import current_app, g, has_request_context, request, session
from werkzeug.exceptions import Forbidden, Unauthorized

from common.identity import ANONYMOUS, Identity, Role
from common.write_rule import is_loopback

SERVICE = "service"
LOOPBACK = "loopback"
# Where install() leaves the per-app state this module needs (auth.web.AuthState).
STATE_KEY = "mc_auth"
SESSION_USER = "user"


class BadCredential(Unauthorized):
    """A credential was offered and is not valid: a 401 naming which one."""


def _auth(settings):
    return getattr(settings, "auth", None)


def _service_identity(settings, authorization: str | None) -> Identity | None:
    token = getattr(settings, "api_token", None)
    if not token:
        return None
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    auth = _auth(settings)
    role = auth.api_token_role if auth is not None else getattr(settings, "api_token_role", None) or Role.OPERATOR
    return Identity(SERVICE, Role(role), "service_token")


def loopback_demo(settings) -> bool:
    """Whether a loopback peer is the demo's anonymous operator: nothing else is configured."""
    auth = _auth(settings)
    if getattr(settings, "api_token", None):
        return False
    return auth is None or not (auth.required or auth.proxy_header)


def identity_for(settings, authorization: str | None, remote_addr: str | None) -> Identity:
    """The identity of a request given only its Authorization header and peer address (the
    service token, the loopback demo or anonymous; no session, kiosk, proxy or JWT)."""
    service = _service_identity(settings, authorization)
    if service is not None:
        return service
    if loopback_demo(settings) and is_loopback(remote_addr):
        return Identity(f"{LOOPBACK}:{remote_addr}", Role.OPERATOR, LOOPBACK)
    return ANONYMOUS


def kiosk_token_offered() -> str | None:
    """The kiosk token of this request: `?kiosk=` here, or on the same-origin page that sent it."""
    from auth.kiosk import looks_like_token

    value = request.args.get("kiosk")
    if looks_like_token(value):
        return value
    referrer = request.headers.get("Referer")
    if not referrer:
        return None
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return None
    # Only the app's own pages: a foreign page's URL cannot lend its query to this request.
    if parts.netloc and parts.netloc.lower() != (request.host or "").lower():
        return None
    values = parse_qs(parts.query).get("kiosk") or []
    return values[0] if values and looks_like_token(values[0]) else None


def _bearer(authorization: str | None) -> str | None:
    scheme, _, given = (authorization or "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" and given.strip() else None


def _resolve(settings, state) -> Identity:
    from auth import kiosk, lp_jwt, proxy

    authorization = request.headers.get("Authorization")
    service = _service_identity(settings, authorization)
    if service is not None:
        return service
    bearer = _bearer(authorization)
    if bearer is not None:
        who = lp_jwt.identity(settings.auth, state.services.engine, bearer) if settings.auth.lp_jwt_secret else None
        if who is None:
            raise BadCredential("the bearer token is neither MC_API_TOKEN nor a valid, unexpired Link Profiler token")
        return who
    token = kiosk_token_offered()
    if token is not None:
        who = kiosk.identity(state.services.mc_engine, token)
        if who is None:
            raise BadCredential("this kiosk token is unknown or has been revoked; ask an admin for a new wall URL")
        return who
    name = session.get(SESSION_USER)
    if isinstance(name, str):
        user = state.users.find(name)
        if user is not None and not user.disabled:
            return Identity(user.name, user.role, "session")
        session.pop(SESSION_USER, None)  # deleted or disabled since: signed out
    who = proxy.identity(settings.auth, request.headers, request.remote_addr)
    if who is not None:
        return who
    return identity_for(settings, None, request.remote_addr)


def current_identity(settings) -> Identity:
    """The identity of the Flask request being served (found once per request).

    Raises `BadCredential` (401) when a credential was offered and is not valid."""
    cached = g.get("_mc_identity")
    if cached is not None and cached[0] is settings:
        return cached[1]
    state = current_app.extensions.get(STATE_KEY) if has_request_context() else None
    if state is None or _auth(settings) is None:
        # An app without sign-in installed (a bare Flask app in a test): the basic rule.
        who = identity_for(settings, request.headers.get("Authorization"), request.remote_addr)
    else:
        who = _resolve(settings, state)
    g._mc_identity = (settings, who)
    return who


def require(settings, needed: Role, what: str) -> Identity:
    """The current caller when they may do `what`; else raises 401 (nothing offered) or 403."""
    who = current_identity(settings)
    reason = who.refusal(needed, what)
    if reason is None:
        return who
    if who is ANONYMOUS:
        exc: Unauthorized | Forbidden = Unauthorized(f"{reason}; sign in or send a bearer token")
        raise exc
    raise Forbidden(reason)
