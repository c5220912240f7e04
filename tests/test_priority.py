"""The analytics thread lowers its own priority, and only its own (common/priority.py)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from common.priority import lower_this_thread

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def test_only_the_calling_thread_is_lowered():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict = {}

    def lowered():
        seen["new"] = lower_this_thread(5)
        seen["read"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    t = threading.Thread(target=lowered)
    t.start()
    t.join()
    assert seen["new"] == seen["read"] == min(19, before + 5)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_zero_leaves_the_priority_alone():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert lower_this_thread(0) is None
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_the_producer_keeps_postgresql_to_its_parallel_worker_setting(pg_url, redis_url):
    """MC_ANALYTICS_PARALLEL_WORKERS reaches every session the producer opens, and stays after the
    pool rolls a session back (a SET inside psycopg2's implicit transaction would be undone)."""
    import sqlalchemy as sa
    from conftest import build_services

    from app import create_app
    from producer.loop import ProducerLoop

    plain = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with plain.connect() as conn:
        server_default = conn.execute(sa.text("SHOW max_parallel_workers_per_gather")).scalar()
    plain.dispose()
    wanted = 1 if server_default != "1" else 3  # differs from what the server would give
    services = build_services(pg_url, redis_url, analytics_parallel_workers=wanted)
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    loop = ProducerLoop(ctx)
    loop.start()
    try:
        for _ in range(2):  # a fresh session, then the same one back from the pool
            with services.engine.connect() as conn:
                assert conn.execute(sa.text("SHOW max_parallel_workers_per_gather")).scalar() == str(wanted)
                conn.rollback()
    finally:
        loop.stop()
        ctx.stop()
        services.dispose()
