"""The users who sign in with a password: the `mc_users` table and, optionally, a users file.

Where users come from (README "Sign-in and roles"):
- `mc_users`, managed by `python -m auth users add|set-role|passwd|disable|enable|list`.
- MC_AUTH_USERS_FILE: lines `name:role:argon2hash` (blank lines and `#` comments ignored), for
  deployments that keep users in configuration management. It is re-read when it changes. A
  name in both places is the file's: the file is the operator's explicit statement.
A disabled user, or one whose role is not viewer/operator/admin, cannot sign in.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from auth import passwords
from auth.tables import users
from common.identity import Role

log = logging.getLogger(__name__)

MAX_NAME = 120
# How long a user's record is believed by this process before it is read again: a role change
# or a disabled account reaches signed-in sessions within this many seconds, while a signed-in
# tab's callbacks do not each cost a query.
RECHECK_S = 5.0


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str
    disabled: bool
    source: str  # "table" | "file"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_name(name: str) -> str:
    """`name` stripped, when usable as a user name; ValueError says why not."""
    name = (name or "").strip()
    if not name:
        raise ValueError("a user name is required")
    if len(name) > MAX_NAME:
        raise ValueError(f"a user name has at most {MAX_NAME} characters")
    if ":" in name or any(c.isspace() or not c.isprintable() for c in name):
        raise ValueError("a user name has no spaces, colons or control characters")
    return name


# -- the table ---------------------------------------------------------------------------------
def add_user(engine: sa.Engine, name: str, password: str, role: Role) -> User:
    """Create `name` with `password` (stored as its argon2 hash) and `role`; ValueError if taken."""
    name = check_name(name)
    digest = passwords.hash_password(password)
    at = now()
    try:
        with engine.begin() as conn:
            conn.execute(
                users.insert().values(
                    name=name, password_hash=digest, role=role.label, disabled=False, created_at=at, updated_at=at
                )
            )
    except sa.exc.IntegrityError:
        raise ValueError(f"a user named {name!r} already exists") from None
    return User(name, role, digest, False, "table")


def _update(engine: sa.Engine, name: str, **values) -> None:
    with engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.name == check_name(name)).values(updated_at=now(), **values))
    if done.rowcount == 0:
        raise ValueError(f"no user named {name!r}")


def set_role(engine: sa.Engine, name: str, role: Role) -> None:
    _update(engine, name, role=role.label)


def set_password(engine: sa.Engine, name: str, password: str) -> None:
    _update(engine, name, password_hash=passwords.hash_password(password))


def set_disabled(engine: sa.Engine, name: str, disabled: bool = True) -> None:
    _update(engine, name, disabled=disabled)


def table_users(engine: sa.Engine) -> list[dict]:
    """Every row of mc_users without its hash, by name."""
    cols = [users.c.name, users.c.role, users.c.disabled, users.c.created_at, users.c.updated_at]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(*cols).order_by(users.c.name))]


def _table_user(engine: sa.Engine, name: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    if row is None:
        return None
    try:
        role = Role.parse(row.role)
    except ValueError:
        log.warning("mc_users: %r has an unknown role %r; it cannot sign in", name, row.role)
        return None
    return User(row.name, role, row.password_hash, bool(row.disabled), "table")


# -- the file ----------------------------------------------------------------------------------
def parse_users_file(text: str, path: str = "users file") -> dict[str, User]:
    """`name:role:argon2hash` lines -> users by name; ValueError names the first bad line."""
    found: dict[str, User] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition(":")
        role_text, _, digest = rest.partition(":")
        try:
            name = check_name(name)
            role = Role.parse(role_text)
        except ValueError as exc:
            raise ValueError(f"{path} line {number}: {exc}") from None
        if not passwords.is_hash(digest):
            raise ValueError(f"{path} line {number}: the third field must be an argon2 hash ($argon2id$…)")
        found[name] = User(name, role, digest, False, "file")
    return found


class UserDirectory:
    """Finds users in the file and the table, with a short per-process memory (RECHECK_S)."""

    def __init__(self, engine: sa.Engine, users_file: str | None = None, clock=time.monotonic):
        self.engine = engine
        self.users_file = users_file
        self.clock = clock
        self._lock = threading.Lock()
        self._file_stamp: tuple[float, int] | None = None
        self._file_users: dict[str, User] = {}
        self._recent: dict[str, tuple[float, User | None]] = {}

    def _from_file(self, name: str) -> User | None:
        if not self.users_file:
            return None
        try:
            st = os.stat(self.users_file)
            stamp = (st.st_mtime, st.st_size)
            if stamp != self._file_stamp:
                with open(self.users_file, encoding="utf-8") as fh:
                    self._file_users = parse_users_file(fh.read(), self.users_file)
                self._file_stamp = stamp
        except (OSError, ValueError) as exc:
            # The file's users cannot sign in until it is fixed; the table's still can.
            log.error("MC_AUTH_USERS_FILE not used: %s", exc)
            self._file_users, self._file_stamp = {}, None
        return self._file_users.get(name)

    def find(self, name: str, fresh: bool = False) -> User | None:
        """The user called `name`, or None. `fresh` skips the memory (sign-in does)."""
        try:
            name = check_name(name)
        except ValueError:
            return None
        t = self.clock()
        with self._lock:
            remembered = self._recent.get(name)
            if not fresh and remembered is not None and t - remembered[0] < RECHECK_S:
                return remembered[1]
            user = self._from_file(name) or _table_user(self.engine, name)
            if len(self._recent) > 10_000:
                self._recent.clear()
            self._recent[name] = (t, user)
            return user

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when `password` is theirs and they may sign in, else None."""
        user = self.find(name, fresh=True)
        ok = passwords.verify(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled:
            return None
        if user.source == "table" and passwords.needs_rehash(user.password_hash):
            # The stored cost is out of date: store this (correct) password at today's cost.
            _update(self.engine, user.name, password_hash=passwords.rehash(password))
        return user
