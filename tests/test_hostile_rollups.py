"""Hostile crawled text against the analytics refresh, on the real PostgreSQL (both variants).

The attack: Link Profiler stores a domain and a backlink whose linking domain is 5,000
characters long (plus a long anchor, bidi overrides and HTML). Before the fix the refresh died
with StringDataRightTruncation and its session-level advisory lock stayed held by a pooled
connection, so every later refresh was skipped until a restart.
"""

from datetime import timedelta

import pytest
from sqlalchemy import text

from analytics import discovery
from analytics import link_rollups
from analytics.refresh import Refresher
from analytics.settings import AnalyticsSettings
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.analytics_data import MINE
from tests.conftest import build_services
from tests.dataset import NOW

CFG = AnalyticsSettings(tracked_domains=(MINE,), competitor_domains=())
LONG = "x" * 4980 + ".example"  # 4,988 characters
# Random-looking junk does not compress, so an index on the full value would overflow.
JUNK = "".join(chr(0x21 + (i * 7919) % 0x5D) for i in range(5000)) + ".example"
HOSTILE = '\u202eelpmaxe.live<a href="https://evil.example/phish">CLICK ME</a>\u200b'


@pytest.fixture(params=["M", "O"])
def pg_services(request, pg_url, redis_url):
    services = build_services(pg_url, redis_url, request.param)
    yield services
    services.dispose()


def _advisory_locks(engine) -> int:
    with engine.connect() as conn:
        # This database's only: a simultaneous run holds its own in another database.
        sql = "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()"
        return conn.execute(text(sql)).scalar()


def test_five_thousand_character_domains_refresh_and_a_later_refresh_still_runs(pg_services):
    svc = pg_services
    lp.insert(svc, "domains", ad.domains(svc))
    hostile = [lp.domain(svc, name, 50.0, registrar=name, registrant=name) for name in (LONG, JUNK, HOSTILE)]
    keys = {k for row in hostile for k in row}
    lp.insert(svc, "domains", [{k: row.get(k) for k in keys} for row in hostile])
    lp.insert(
        svc,
        "backlinks",
        [
            lp.backlink(svc, LONG, MINE, NOW - timedelta(hours=1), anchor=LONG, n=1),
            lp.backlink(svc, JUNK, MINE, NOW - timedelta(hours=1), anchor=JUNK, n=2),
            lp.backlink(svc, HOSTILE, MINE, NOW - timedelta(hours=1), anchor=HOSTILE, n=3),
        ],
    )
    refresher = Refresher(svc, CFG)
    first = refresher.refresh(NOW)
    assert first is not None and first["links"]  # completed, every step
    with svc.mc_engine.connect() as conn:
        stored = {
            r[0]
            for r in conn.execute(
                text("SELECT source_domain FROM mc_rollup_ref_domains WHERE target_domain = :t"), {"t": MINE}
            )
        }
        names = {r[0] for r in conn.execute(text("SELECT name FROM mc_domain_values"))}
    assert HOSTILE in stored and len(stored) == 3  # the two long names stay distinct
    assert all(len(s) <= 255 for s in stored) and any(s.startswith("xxxx") for s in stored)
    assert HOSTILE in names and len([n for n in names if len(n) == 255]) == 2
    assert _advisory_locks(svc.mc_engine) == 0

    # A normal link arriving later still reaches the figures: the refresh is not frozen.
    before = discovery.radar(svc.mc_engine, NOW, [MINE]).set_index("target_domain").loc[MINE, "backlinks"]
    lp.insert(svc, "backlinks", [lp.backlink(svc, "a1.example", MINE, NOW - timedelta(minutes=5), n=9)])
    assert refresher.refresh(NOW + timedelta(minutes=1)) is not None
    after = discovery.radar(svc.mc_engine, NOW, [MINE]).set_index("target_domain").loc[MINE, "backlinks"]
    assert after == before + 1


def test_a_failed_refresh_leaves_no_lock_behind(pg_url, redis_url, monkeypatch):
    svc = build_services(pg_url, redis_url, "M")
    refresher = Refresher(svc, CFG)

    def boom(*_a, **_k):
        raise RuntimeError("a step failed half way")

    monkeypatch.setattr(link_rollups, "refresh_new_links", boom)
    with pytest.raises(RuntimeError):
        refresher.refresh(NOW)
    assert _advisory_locks(svc.mc_engine) == 0
    monkeypatch.undo()
    assert refresher.refresh(NOW) is not None  # the next run is not "another producer"
    svc.dispose()


def test_older_narrow_mc_columns_are_widened_and_link_profilers_are_not(pg_url, redis_url):
    svc = build_services(pg_url, redis_url, "M")
    with svc.mc_engine.begin() as conn:  # an mc_ schema from an older release
        conn.execute(text("ALTER TABLE mc_rollup_ref_domains ALTER COLUMN source_domain TYPE VARCHAR(100)"))
        conn.execute(text("ALTER TABLE mc_domain_values ALTER COLUMN registrar TYPE VARCHAR(255)"))
    lp_before = _column_types(svc.engine, "backlinks")
    Refresher(svc, CFG).ensure_tables()
    assert _column_types(svc.mc_engine, "mc_rollup_ref_domains")["source_domain"] == ("character varying", 255)
    assert _column_types(svc.mc_engine, "mc_domain_values")["registrar"] == ("text", None)
    assert _column_types(svc.engine, "backlinks") == lp_before
    svc.dispose()


def _column_types(engine, table: str) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns "
                "WHERE table_name = :t"
            ),
            {"t": table},
        )
        return {name: (kind, width) for name, kind, width in rows}
