"""Exact "last 24 h" figures from the hourly rollups (analytics.exact_window), on PostgreSQL,
both schema variants, at an hour boundary and mid-hour.

The world: 200 links first seen in the last 24 h, one every 7.2 minutes from exactly 24 h ago
(so some fall in the partial hour at each edge), every 8th spam, two target domains; links just
outside the window (1 s and 40 min before it); 20 regular linking domains that linked long ago;
and linking domains whose first link falls at the window's start, on its first day before it
starts, on that day after it starts, and today. A satellite logged every 10 minutes for 26 h.
Every expected figure is counted from that list in Python, and the whole-clock-hours answer
(what the rollups gave before) is shown to differ mid-hour, so the test can fail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analytics import crawler, discovery, domains
from analytics.exact_window import split
from analytics.refresh import Refresher
from tests import lp_rows as lp
from tests.conftest import build_services, ticked_app

BOUNDARY = datetime(2026, 11, 28, 12, 0, 0)
MID_HOUR = datetime(2026, 11, 28, 12, 37, 30)
TARGETS = ("mine.example", "rival.example")
REGULAR = [f"reg{i}.example" for i in range(20)]
H = timedelta(hours=1)
STEP = timedelta(hours=24) / 200


@pytest.fixture(params=["M", "O"], ids=["pg-M", "pg-O"])
def pg_services(request, pg_url, redis_url):
    svc = build_services(pg_url, redis_url, request.param)
    yield svc
    svc.dispose()


def world(now: datetime) -> list[tuple[str, str, datetime, str]]:
    """(linking domain, target domain, first seen, spam level) of every link."""
    since = now - 24 * H
    special = {0: "exact-start.example", 3: "edge-after.example", 50: "edge-before.example", 197: "today.example"}
    out = []
    for i in range(200):
        source = special.get(i, REGULAR[i % len(REGULAR)])
        out.append((source, TARGETS[i % 2], since + i * STEP, "high" if i % 8 == 0 else "none"))
    out += [(REGULAR[0], TARGETS[0], since - timedelta(seconds=1), "high")]
    out += [(REGULAR[1], TARGETS[1], since - 40 * timedelta(minutes=1), "none")]
    out += [(d, TARGETS[0], now - timedelta(days=10), "none") for d in REGULAR]
    # First linked on the window's first day, before the window: not new, though it links again inside.
    out += [("edge-before.example", TARGETS[1], since - 2 * H, "none")]
    out += [("two-days-ago.example", TARGETS[0], now - timedelta(hours=47), "none")]
    return out


def load(services, now: datetime) -> list[tuple[str, str, datetime, str]]:
    links = world(now)
    names = sorted({s for s, *_ in links} | set(TARGETS))
    lp.insert(services, "domains", [lp.domain(services, n, 50.0) for n in names])
    lp.insert(
        services,
        "backlinks",
        [lp.backlink(services, s, t, at, authority=50.0, spam=spam, n=i) for i, (s, t, at, spam) in enumerate(links)],
    )
    logs = [now - 26 * H + i * timedelta(minutes=10) for i in range(26 * 6 + 1)]
    lp.insert(
        services, "satellite_performance_logs", [lp.perf_log(services, "sat-a", at, pages=10, errors=1) for at in logs]
    )
    return links


def expected(links, now: datetime) -> dict:
    since = now - 24 * H
    inside = [x for x in links if x[2] >= since]
    first = {}
    for s, _t, at, _spam in links:
        first[s] = min(first.get(s, at), at)
    return {
        "links": len(inside),
        "spam": sum(1 for x in inside if x[3] in ("medium", "high")),
        "by_target": {t: sum(1 for x in inside if x[1] == t) for t in TARGETS},
        "new_domains": sorted(s for s, at in first.items() if at >= since),
    }


@pytest.mark.parametrize("now", [BOUNDARY, MID_HOUR], ids=["hour-boundary", "mid-hour"])
def test_last_24h_counts_are_exact(pg_services, now):
    links = load(pg_services, now)
    want = expected(links, now)
    assert want["links"] == 200 and want["spam"] == 25
    assert want["by_target"] == {"mine.example": 100, "rival.example": 100}
    assert want["new_domains"] == ["edge-after.example", "exact-start.example", "today.example"]

    with ticked_app(pg_services, now) as (_app, ctx, _loop):
        _, doc = ctx.snapshots.load()
    found = doc["backlink_discovery_metrics"]
    assert (found["new_backlinks_24h"], found["potential_spam_links_24h"]) == (200, 25)
    assert {r["target_domain"]: r["new_24h"] for r in doc["mc"]["discovery_by_target"]} == want["by_target"]
    assert doc["domain_intelligence_metrics"]["new_domains_added_24h"] == 3

    # The Performance page's 24 h leaderboard: the 145 logs from exactly 24 h ago to now.
    board = crawler.leaderboard(pg_services.mc_engine, now, 24, pg_services.engine, pg_services.schema)
    row = board.set_index("satellite_id").loc["sat-a"]
    assert (row["samples"], row["pages"], row["errors"]) == (145, 1450, 145)

    # Whole clock hours alone (the rollups' old answer: the current hour and the 23 before it)
    # miss the start of the window: mid-hour its partial hour (12:37:30, 12:44:42, 12:51:54 and
    # 12:59:06 yesterday), at the boundary a whole hour (12:00 to 12:57:36 yesterday, 9 links).
    mc = pg_services.mc_engine
    assert int(discovery.new_links(mc, now)["links"].sum()) == (196 if now == MID_HOUR else 191)
    assert domains.new_linking_domains(mc, now) == 4  # whole days: edge-before counted as new


def test_a_stale_rollup_reads_the_hours_since_its_refresh_from_storage(pg_services):
    now = MID_HOUR
    links = load(pg_services, now)
    # The rollups were last refreshed 90 minutes ago (another producer, or a slow cycle).
    Refresher(pg_services).refresh(now - 90 * timedelta(minutes=1))
    window = split(now, 24, now - 90 * timedelta(minutes=1))
    assert window.rollup_end == datetime(2026, 11, 28, 11, 0)  # 11:00 on comes from storage
    mc, lp_engine, schema = pg_services.mc_engine, pg_services.engine, pg_services.schema
    metrics = discovery.discovery_metrics(mc, now, lp=lp_engine, schema=schema)
    assert (metrics["new_backlinks_24h"], metrics["potential_spam_links_24h"]) == (200, 25)
    assert domains.new_linking_domains(mc, now, lp_engine, schema) == len(expected(links, now)["new_domains"])
    row = crawler.leaderboard(mc, now, 24, lp_engine, schema).set_index("satellite_id").loc["sat-a"]
    assert row["pages"] == 1450


def test_the_split_of_a_window():
    w = split(MID_HOUR, 24, MID_HOUR)
    assert w.since == datetime(2026, 11, 27, 12, 37, 30) and w.first_hour == datetime(2026, 11, 27, 13)
    assert w.hours == {"h0": "2026-11-27 13", "h1": "2026-11-28 12"}
    assert w.storage_ranges == [(w.since, w.first_hour), (datetime(2026, 11, 28, 12), None)]
    at_hour = split(BOUNDARY, 24, BOUNDARY)
    assert at_hour.storage_ranges == [(BOUNDARY, None)]  # no partial hour at the old edge
    never = split(MID_HOUR, 24, None)  # a rollup never refreshed: all from storage
    assert never.storage_ranges == [(never.since, never.first_hour), (never.first_hour, None)]
