"""Whether a peer address is this host (loopback): the embedded demo's anonymous operator
(auth.request) and the API's Host check against DNS rebinding (api.guards) both ask."""

from __future__ import annotations

import ipaddress


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False
