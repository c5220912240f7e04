"""The identity of the current Flask request, and the role gate.

Every write names its user: API handlers and page actions call `require(settings, role, what)`,
which returns the caller's `Identity` or raises a 403 (401 when no credential was offered and
one would help) whose description says why; `api.guards` turns it into the JSON error shape.

How an identity is found, first match wins:
1. `Authorization: Bearer <MC_API_TOKEN>`: the service credential, role `MC_API_TOKEN_ROLE`.
2. a request from loopback when no sign-in is configured: the embedded demo's anonymous
   operator (nothing on the network can act; the demo needs no sign-in).
3. otherwise an anonymous viewer.
"""

from __future__ import annotations

import hmac

from flask import request
from werkzeug.exceptions import Forbidden, Unauthorized

from common.identity import ANONYMOUS, Identity, Role
from common.write_rule import is_loopback

SERVICE = "service"
LOOPBACK = "loopback"


def _service_identity(settings, authorization: str | None) -> Identity | None:
    token = getattr(settings, "api_token", None)
    if not token:
        return None
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    role = getattr(settings, "api_token_role", None) or Role.OPERATOR
    return Identity(SERVICE, Role(role), "service_token")


def identity_for(settings, authorization: str | None, remote_addr: str | None) -> Identity:
    """The identity of a request given its Authorization header and peer address."""
    service = _service_identity(settings, authorization)
    if service is not None:
        return service
    if not getattr(settings, "api_token", None) and is_loopback(remote_addr):
        return Identity(f"{LOOPBACK}:{remote_addr}", Role.OPERATOR, LOOPBACK)
    return ANONYMOUS


def current_identity(settings) -> Identity:
    """The identity of the Flask request being served."""
    return identity_for(settings, request.headers.get("Authorization"), request.remote_addr)


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
