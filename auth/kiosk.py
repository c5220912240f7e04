"""Kiosk tokens: read-only credentials for wall screens, carried in the wall's URL.

A token is 32 random bytes (URL-safe base64, 43 characters); only its SHA-256 is stored, so the
table cannot be replayed if it leaks. Every request carrying a token looks it up (no memory
between requests), so a revoked token stops working on the very next request. `last_used_at`
is written at most once a minute per token, so a wall's callbacks do not each cost a write.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from auth.tables import kiosk_tokens
from auth.users import now
from common.identity import Identity, Role

TOKEN_BYTES = 32
# A `kiosk=` value shorter than this is the wall's mode flag (`?kiosk=1`), not a token.
MIN_TOKEN_CHARS = 32
MAX_TOKEN_CHARS = 200
MAX_LABEL = 200
TOUCH_EVERY = timedelta(seconds=60)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str | None) -> bool:
    """Whether a `kiosk=` value is meant as a token (rather than the `?kiosk=1` mode flag)."""
    return value is not None and MIN_TOKEN_CHARS <= len(value) <= MAX_TOKEN_CHARS


def create(engine: sa.Engine, label: str, created_by: str) -> tuple[int, str]:
    """A new token for `label`: (its id, the token). The token is not stored and not shown again."""
    label = (label or "").strip()
    if not label:
        raise ValueError("a kiosk token needs a label (which screen it is for)")
    if len(label) > MAX_LABEL or not label.isprintable():
        raise ValueError(f"a label is at most {MAX_LABEL} printable characters")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with engine.begin() as conn:
        row = conn.execute(
            kiosk_tokens.insert()
            .values(token_sha256=digest(token), label=label, created_by=created_by[:200], created_at=now())
            .returning(kiosk_tokens.c.id)
        ).one()
    return int(row.id), token


def revoke(engine: sa.Engine, token_id: int) -> bool:
    """Revoke token `token_id`; False when there is no such token or it was already revoked."""
    with engine.begin() as conn:
        done = conn.execute(
            kiosk_tokens.update()
            .where(kiosk_tokens.c.id == token_id, kiosk_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
    return done.rowcount > 0


def listing(engine: sa.Engine) -> list[dict]:
    """Every token's record (never the token), newest first."""
    cols = [c for c in kiosk_tokens.c if c.name != "token_sha256"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(kiosk_tokens.c.id.desc()))
        return [dict(r._mapping) for r in rows]


def identity(engine: sa.Engine, token: str) -> Identity | None:
    """The viewer identity of a live token, or None (unknown or revoked)."""
    if not looks_like_token(token):
        return None
    at = now()
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(kiosk_tokens.c.id, kiosk_tokens.c.label, kiosk_tokens.c.last_used_at).where(
                kiosk_tokens.c.token_sha256 == digest(token), kiosk_tokens.c.revoked_at.is_(None)
            )
        ).first()
        if row is None:
            return None
        if row.last_used_at is None or at - row.last_used_at >= TOUCH_EVERY:
            conn.execute(kiosk_tokens.update().where(kiosk_tokens.c.id == row.id).values(last_used_at=at))
    return Identity(f"kiosk:{row.label}", Role.VIEWER, "kiosk")
