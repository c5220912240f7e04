"""Password hashes: argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile), PHC strings.

A stored hash carries its own parameters, so raising the cost later re-hashes each user on
their next successful sign-in (`needs_rehash`), never locking anyone out.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified against when a user does not exist, so an unknown name costs as long as a wrong
# password (the answer's timing does not tell which names exist).
_DUMMY = _HASHER.hash("no such user")
MIN_LENGTH = 8
MAX_LENGTH = 1024


def check_new(password: str) -> str:
    """`password` when acceptable as a new password, else ValueError saying why."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    """The argon2id PHC string of `password` (checked by `check_new`)."""
    return _HASHER.hash(check_new(password))


def is_hash(value: str) -> bool:
    """Whether `value` looks like an argon2 PHC string (what a users file line must hold)."""
    return value.startswith("$argon2")


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash` (None: no such user; still costs one verify)."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY, password[:MAX_LENGTH]) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def rehash(password: str) -> str:
    """A verified password's hash at today's cost (no length rule: it was accepted before)."""
    return _HASHER.hash(password)
