"""Link Profiler's own JWTs: a user signed in to Link Profiler is signed in here.

Read from Link Profiler's code (services/auth_service.py, api/auth.py): `POST /token` issues
`jwt.encode({"sub": username, "exp": …}, LP_AUTH_SECRET_KEY, algorithm=auth.algorithm)`
(HS256 by default) and nothing else; `is_admin` and `is_active` are columns of its `users`
table, not claims. So a token is verified with the same secret and algorithm, its `exp` and
`sub` required, and the role comes from that user's row (read, never written): `is_admin` ->
admin, otherwise MC_LP_JWT_ROLE; a user who is missing there or inactive is refused, as Link
Profiler refuses them. Where Mission Control's database has no `users` table (its own
database, the embedded demo), an `is_admin` claim is used if a token carries one.

Its UI keeps the token in localStorage and sends it only as `Authorization: Bearer`; it frames
nothing with a token in the URL or a cookie, so that header is the one way it is accepted here.
"""

from __future__ import annotations

import logging

import jwt
import sqlalchemy as sa

from common.identity import Identity, Role

log = logging.getLogger(__name__)

_USER = sa.text("SELECT is_admin, is_active FROM users WHERE username = :name")


def claims(auth, token: str) -> dict | None:
    """The verified claims of `token` under `auth` (AuthSettings), or None (bad signature,
    expired, no `sub`, or no secret configured)."""
    if not auth.lp_jwt_secret:
        return None
    try:
        found = jwt.decode(
            token,
            auth.lp_jwt_secret,
            algorithms=[auth.lp_jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    return found if isinstance(found.get("sub"), str) and found["sub"].strip() else None


def _lp_user(engine: sa.Engine, name: str) -> tuple[bool, bool] | bool | None:
    """(is_admin, is_active) from Link Profiler's users table; None: no such user; False: no table."""
    try:
        with engine.connect() as conn:
            row = conn.execute(_USER, {"name": name}).first()
    except sa.exc.ProgrammingError:
        return False  # no users table here (PostgreSQL)
    except sa.exc.OperationalError as exc:
        if "no such table" in str(exc):
            return False  # SQLite
        raise
    if row is None:
        return None
    return bool(row.is_admin), row.is_active is None or bool(row.is_active)


def identity(auth, engine: sa.Engine, token: str) -> Identity | None:
    """The identity a Link Profiler JWT establishes, or None when it establishes none."""
    found = claims(auth, token)
    if found is None:
        return None
    name = found["sub"].strip()[:120]
    row = _lp_user(engine, name)
    if row is None:
        return None
    if row is False:
        admin = found.get("is_admin") is True
    else:
        admin, active = row  # type: ignore[misc]
        if not active:
            return None
    return Identity(f"lp:{name}", Role.ADMIN if admin else auth.lp_jwt_role, "lp_jwt")
