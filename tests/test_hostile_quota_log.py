"""A huge `units` against the quota API and the usage log, on PostgreSQL + Redis and SQLite.

The attack: `{"units": 1e29}` written as an integer was answered 429, but its log row overflowed
the column and was retried ahead of every later row forever ("N rows pending").
"""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import flask
import pytest
import sqlalchemy as sa
from conftest import build_services
from test_quota_support import ALL_KEYS, manager

from api.quotas import register_quota_api
from data.mc_tables import dead_rows
from quotas import tables


@pytest.fixture(params=["sqlite-memory", "pg-redis"])
def any_services(request, tmp_path):
    if request.param == "pg-redis":
        svc = build_services(request.getfixturevalue("pg_url"), request.getfixturevalue("redis_url"), api_keys=ALL_KEYS)
    else:
        svc = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", api_keys=ALL_KEYS)
    yield svc
    svc.dispose()


def _log_rows(svc) -> list[tuple]:
    t = tables.usage_log
    with svc.mc_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.c.provider, t.c.units, t.c.granted).order_by(t.c.id))]


def _dead(svc) -> list[dict]:
    with svc.mc_engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(dead_rows))]


@pytest.mark.parametrize("units", [10**29, 2**31, -5, 0, 1.5, "7", True, None, [1]])
def test_bad_units_are_a_400_that_says_why_and_write_nothing(any_services, units):
    ctx = SimpleNamespace(settings=SimpleNamespace(api_token=None), quotas=manager(any_services))
    app = flask.Flask("quota-hostile")
    register_quota_api(app, ctx)
    resp = app.test_client().post(
        "/api/v1/quotas/consume",
        data=json.dumps({"provider": "serpstack", "units": units}),
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert "units must be a whole number from 1 to 1,000,000" in resp.get_json()["error"]
    assert _log_rows(any_services) == []


def test_an_unstorable_log_row_is_set_aside_and_the_log_keeps_flowing(any_services):
    mgr = manager(any_services)
    ledger = mgr.ledger
    cfg = mgr.provider("serpstack")
    # A caller that skips the manager's validation (or an older release's pending row).
    granted, _ = ledger.grant(cfg, 10**29, "serp_positions", "batch", None)
    assert granted is False
    assert mgr.consume("serpstack", 3)["granted"] is True
    assert mgr.consume("serpstack", 2, query_type="q" * 5000)["granted"] is True  # long text fits
    assert _log_rows(any_services) == [("serpstack", 3, True), ("serpstack", 2, True)]
    assert ledger._pending == [] and ledger.rows_set_aside == 1
    dead = _dead(any_services)
    assert len(dead) == 1 and dead[0]["destination"] == "mc_quota_usage_log"
    assert json.loads(dead[0]["row"])["units"] == 10**29 and dead[0]["error"]


def test_a_poisoned_pending_row_does_not_block_a_rebuild_from_the_log(any_services):
    mgr = manager(any_services)
    ledger = mgr.ledger
    mgr.consume("serpstack", 4)
    bad = dict(_log_rows_template(), units=10**29)
    ledger._pending = [bad]  # held back while the database was down, now unstorable
    ledger.redis.flushdb()  # Redis lost its counters: the rebuild reads the log first
    status = {s["api_name"]: s for s in mgr.statuses()}
    assert status["serpstack"]["used"] == 4
    assert ledger._pending == [] and ledger.rows_set_aside == 1


def _log_rows_template() -> dict:
    from datetime import datetime

    return dict(
        at=datetime(2026, 1, 1),
        provider="serpstack",
        units=1,
        query_type=None,
        caller=None,
        granted=False,
        used_after=None,
    )
