"""Mission Control's sign-in tables (declared on MC_METADATA, created by data.bootstrap).

- `mc_users`: people who sign in with a password: name, argon2 hash (never the password),
  role, disabled flag. Managed by `python -m auth users …`.
- `mc_kiosk_tokens`: read-only tokens for wall screens, stored as the SHA-256 of the token
  (the token itself is shown once, when created), with who made it and when it was last used
  or revoked. Managed by `python -m auth kiosk …` and the admin API.
Times are naive UTC, like every other mc_ timestamp.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text

from data.mc_tables import MC_METADATA

users = Table(
    "mc_users",
    MC_METADATA,
    Column("name", String(120), primary_key=True),
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("role", String(20), nullable=False),  # viewer | operator | admin
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

kiosk_tokens = Table(
    "mc_kiosk_tokens",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
)
