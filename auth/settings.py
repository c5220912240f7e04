"""Sign-in settings (`settings.auth`), pure data: config.py reads the environment into it.

README "Sign-in and roles" says what each one does; the variable names are in brackets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from common.identity import Role

# A network address or CIDR block (MC_AUTH_TRUSTED_PROXIES entries).
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AuthSettings:
    # Every page and /api/v1 read needs at least a viewer (MC_AUTH_REQUIRED); off: anonymous
    # visitors read, as in the embedded demo.
    required: bool = False
    # Signs the session cookie (MC_SECRET_KEY); None: one is generated and kept in mc_meta.
    secret_key: str | None = field(default=None, repr=False)
    # Extra users as `name:role:argon2hash` lines (MC_AUTH_USERS_FILE), beside the mc_users table.
    users_file: str | None = None
    # The role of the shared MC_API_TOKEN (MC_API_TOKEN_ROLE).
    api_token_role: Role = Role.OPERATOR
    # Single sign-on by a reverse proxy: the header naming the user (MC_AUTH_PROXY_HEADER), the
    # one naming its role (MC_AUTH_PROXY_ROLE_HEADER), the role without one
    # (MC_AUTH_PROXY_DEFAULT_ROLE), and the only peers they are believed from (MC_AUTH_TRUSTED_PROXIES).
    proxy_header: str | None = None
    proxy_role_header: str | None = None
    proxy_default_role: Role = Role.VIEWER
    trusted_proxies: tuple[Network, ...] = ()
    # Link Profiler's JWTs: its secret (MC_LP_JWT_SECRET, else LP_AUTH_SECRET_KEY), its
    # algorithm (MC_LP_JWT_ALGORITHM) and the role of a user who is not an admin there (MC_LP_JWT_ROLE).
    lp_jwt_secret: str | None = field(default=None, repr=False)
    lp_jwt_algorithm: str = "HS256"
    lp_jwt_role: Role = Role.VIEWER
    # Failed sign-ins: this many per user name (or 4x per address) within the window lock the
    # name (address) out for the rest of the window (MC_AUTH_MAX_FAILURES, MC_AUTH_LOCKOUT_S).
    max_failures: int = 5
    lockout_s: int = 900
    # How long a signed-in session lasts without signing in again (MC_AUTH_SESSION_HOURS).
    session_hours: int = 12

    @property
    def proxy_enabled(self) -> bool:
        return bool(self.proxy_header and self.trusted_proxies)


def parse_networks(value: str | None) -> tuple[Network, ...]:
    """`10.0.0.5, 10.1.0.0/16, ::1` -> networks; ValueError names the entry that is not one."""
    found = []
    for item in (value or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item[:80]!r} is not an IP address or CIDR block") from None
    return tuple(found)
