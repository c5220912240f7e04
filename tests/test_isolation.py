"""The isolation between runs itself: Redis database claims are exclusive and a lost claim is
noticed; stale test databases of killed runs are dropped, live ones kept."""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from tests.conftest import (
    NAMESPACE,
    REDIS_SERVER_URL,
    REDIS_TEST_DBS,
    STALE_AFTER_S,
    RedisClaim,
    _admin_engine,
    _database_numbers,
    _drop_stale_databases,
)


def test_claims_are_exclusive_and_a_lost_claim_is_noticed(redis_claim):
    first = RedisClaim(REDIS_SERVER_URL, _database_numbers(REDIS_TEST_DBS))
    second = RedisClaim(REDIS_SERVER_URL, _database_numbers(REDIS_TEST_DBS))
    try:
        first.acquire(wait_s=10)
        second.acquire(wait_s=10)
        assert len({redis_claim.db, first.db, second.db}) == 3
        assert first.held() and second.held() and redis_claim.held()
        key = first.KEY.format(first.db)
        assert 0 < first.registry.ttl(key) <= first.TTL_S

        # Another process takes over the key (as after a lapse): the first claim knows it lost it.
        first.registry.set(key, "another-process", xx=True)
        assert first.held() is False
        first.release()  # does not remove someone else's claim
        assert first.registry.get(key) == "another-process"
        first.registry.delete(key)

        second.release()
        assert second.registry.get(second.KEY.format(second.db)) is None
    finally:
        first.release()
        second.release()


def test_stale_databases_are_dropped_and_recent_ones_kept(pg_database_url):  # the server is up
    old = f"{NAMESPACE}_{int(time.time() - STALE_AFTER_S - 60)}_test_{uuid.uuid4().hex[:8]}"
    recent = f"{NAMESPACE}_{int(time.time())}_test_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            for name in (old, recent):
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            _drop_stale_databases(conn)
            left = {r[0] for r in conn.execute(sa.text("SELECT datname FROM pg_database"))}
        assert old not in left and recent in left
    finally:
        with admin.connect() as conn:
            for name in (old, recent):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
