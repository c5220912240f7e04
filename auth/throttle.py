"""Failed sign-ins, counted in Redis so every worker process shares the count.

`mc:auth:failures:user:<name>` and `mc:auth:failures:addr:<address>` count failures within a
window of MC_AUTH_LOCKOUT_S seconds (the window starts at the first failure). A name with
MC_AUTH_MAX_FAILURES failures, or an address with four times as many (one address trying many
names), is refused until its window ends, even with the right password, so guessing gets
nowhere. A successful sign-in clears its name's count (not its address's).
"""

from __future__ import annotations

import hashlib

ADDRESS_FACTOR = 4


def _keys(name: str, address: str | None) -> tuple[str, str]:
    # The name is hashed: the key stays short whatever was typed, and holds no stray bytes.
    user = hashlib.sha256(name.strip().lower().encode()).hexdigest()[:32]
    return f"mc:auth:failures:user:{user}", f"mc:auth:failures:addr:{address or '?'}"


def locked_for(redis, auth, name: str, address: str | None) -> int:
    """Seconds until `name` from `address` may try again (0: now)."""
    user_key, addr_key = _keys(name, address)
    pipe = redis.pipeline()
    pipe.get(user_key)
    pipe.ttl(user_key)
    pipe.get(addr_key)
    pipe.ttl(addr_key)
    user_n, user_ttl, addr_n, addr_ttl = pipe.execute()
    wait = 0
    if int(user_n or 0) >= auth.max_failures:
        wait = max(wait, int(user_ttl or 0), 1)
    if int(addr_n or 0) >= auth.max_failures * ADDRESS_FACTOR:
        wait = max(wait, int(addr_ttl or 0), 1)
    return wait


def record_failure(redis, auth, name: str, address: str | None) -> None:
    for key in _keys(name, address):
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, auth.lockout_s, nx=True)
        pipe.execute()


def clear(redis, name: str, address: str | None) -> None:
    redis.delete(_keys(name, address)[0])
