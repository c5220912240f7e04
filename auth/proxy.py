"""Single sign-on by a trusted reverse proxy: it authenticates the person and names them in a
header (MC_AUTH_PROXY_HEADER, e.g. X-Forwarded-User), optionally with their role in another
(MC_AUTH_PROXY_ROLE_HEADER; absent or not a role name: MC_AUTH_PROXY_DEFAULT_ROLE).

The header is believed only when the request's peer address is one of MC_AUTH_TRUSTED_PROXIES:
anyone else could send it. The peer is the TCP peer (`remote_addr`), never X-Forwarded-For.
"""

from __future__ import annotations

import ipaddress

from common.identity import Identity, Role

MAX_NAME = 120


def trusted(auth, remote_addr: str | None) -> bool:
    try:
        address = ipaddress.ip_address((remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    return any(address in network for network in auth.trusted_proxies)


def identity(auth, headers, remote_addr: str | None) -> Identity | None:
    """The proxy-asserted identity of a request, or None (not configured, not from a trusted
    proxy, or no user named)."""
    if not auth.proxy_enabled or not trusted(auth, remote_addr):
        return None
    name = (headers.get(auth.proxy_header) or "").strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        return None
    role = auth.proxy_default_role
    if auth.proxy_role_header:
        try:
            role = Role.parse(headers.get(auth.proxy_role_header) or "")
        except ValueError:
            role = auth.proxy_default_role
    return Identity(name, role, "proxy")
