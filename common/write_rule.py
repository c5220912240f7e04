"""Who may change things: the one write rule the HTTP API and the pages' buttons share.

With `MC_API_TOKEN` set, a write needs `Authorization: Bearer <token>`; without it, writes are
accepted from this host only (loopback), so the embedded demo works with no sign-in while
nothing on the network can change it.
"""

from __future__ import annotations

import hmac
import ipaddress


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def write_refusal(
    settings, authorization: str | None, remote_addr: str | None, what: str = "changes"
) -> tuple[int, str] | None:
    """None when a write is allowed, else (status, reason) under the write rule."""
    token = getattr(settings, "api_token", None)
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return 401, "a valid 'Authorization: Bearer <MC_API_TOKEN>' header is required"
        return None
    if not is_loopback(remote_addr):
        return 403, f"{what} are accepted only from this host unless MC_API_TOKEN is set"
    return None
