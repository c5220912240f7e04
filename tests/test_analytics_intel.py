"""Domain intelligence and crawler performance figures against hand-computed values, on SQLite
and PostgreSQL (M and O); the score breakdown sums to the score; CSV export equals the table.

Fleet (NOW = 12:00): sat-A runs job-1 on www.slow.example (started 20 h ago, completed 10 min
ago) and logs at 02:00 and 07:00 (200 ms, 10 pages each) then 11:20 and 11:40 (600 ms, 30
pages); sat-B logs at 11:30 (10 pages, 5 errors, CPU 95 %); sat-C last logged 30 h ago.
"""

import math
from datetime import timedelta

import pandas as pd
import pytest

from analytics import crawler, domains
from common.csv_export import table_csv
from analytics.refresh import Refresher
from analytics.settings import AnalyticsSettings
from scoring.domain_value import DEFAULT_WEIGHTS, parse_weights
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.analytics_data import MINE, RIVAL
from tests.dataset import NOW

CFG = AnalyticsSettings(tracked_domains=(MINE,), competitor_domains=(RIVAL,))
M = timedelta(minutes=1)


def load_fleet(svc):
    lp.insert(
        svc,
        "crawl_jobs",
        [
            lp.job(
                "completed",
                started=NOW - 20 * ad.H,
                completed=NOW - 10 * M,
                target="https://www.slow.example/a",
                job_id="job-1",
            ),
            lp.job("queued", created=NOW - 20 * M, priority=9, job_id="q-high"),
            lp.job("queued", created=NOW - 5 * M, priority=3, job_id="q-low"),
        ],
    )
    logs = [
        lp.perf_log(svc, "sat-A", NOW - 10 * ad.H, speed=20.0, response=200.0, pages=10, success=100.0),
        lp.perf_log(svc, "sat-A", NOW - 5 * ad.H, speed=20.0, response=200.0, pages=10, success=100.0),
        lp.perf_log(svc, "sat-A", NOW - 40 * M, speed=30.0, response=600.0, pages=30, success=90.0),
        lp.perf_log(svc, "sat-A", NOW - 20 * M, speed=30.0, response=600.0, pages=30, success=90.0),
        lp.perf_log(svc, "sat-B", NOW - 30 * M, speed=10.0, pages=10, errors=5, cpu=95.0),
        lp.perf_log(svc, "sat-C", NOW - 30 * ad.H, speed=50.0),
    ]
    lp.insert(svc, "satellite_performance_logs", logs)
    svc.redis.hset("mc:job_satellite:" + NOW.strftime("%Y%m%d"), mapping={"job-1": "sat-A"})


@pytest.fixture
def world(services):
    ad.load(services)
    lp.insert(services, "social_mentions", ad.mentions())
    load_fleet(services)
    Refresher(services, CFG).refresh(NOW)
    return services


def test_expired_hunter_and_expiring_soon(world):
    hunt = domains.expired_domains(world.mc_engine, NOW)
    assert list(hunt["name"]) == ["old-gem.example", "lapsed.example"]
    gem = hunt.iloc[0]
    assert (gem["inbound_links"], gem["inbound_avg_authority"], gem["referring_domains"]) == (2, 65.0, 2)
    assert list(hunt["status"]) == ["expired", "unregistered"]
    soon = domains.expired_domains(world.mc_engine, NOW, within_days=7)
    assert list(soon["name"]) == ["soon.example"]
    assert domains.expired_domains(world.mc_engine, NOW, within_days=3).empty


def test_value_breakdown_sums_to_the_score(world):
    b = domains.value_breakdown(world.mc_engine, "old-gem.example", DEFAULT_WEIGHTS)
    factors = {r["factor"]: r["value"] for r in b["rows"]}
    assert factors["authority"] == 70.0 and factors["trust"] == 40.0 and factors["low_spam"] == 90.0
    assert factors["referring_domains"] == round(math.log10(3) / 3 * 100, 1)
    assert factors["referring_quality"] == 65.0 and factors["link_history"] == 100.0
    assert factors["age"] == 100.0  # registered over ten years ago
    assert sum(r["points"] for r in b["rows"]) == pytest.approx(b["value"], abs=1e-9)
    weights = parse_weights("authority=1,trust=1")
    other = domains.value_breakdown(world.mc_engine, "old-gem.example", weights)
    assert other["value"] == 55.0 and sum(r["points"] for r in other["rows"]) == pytest.approx(55.0)


def test_portfolios_overlaps_and_gap(world):
    p = domains.portfolios(world.mc_engine, [MINE, RIVAL]).set_index("domain")
    assert p.loc[MINE, "referring_domains"] == 4 and p.loc[RIVAL, "referring_domains"] == 3
    assert p.loc[MINE, "top_linking_domains"] == "a4.example, a1.example, a2.example, a3.example"
    own = domains.portfolios(world.mc_engine, ["old-gem.example"]).iloc[0]
    assert own["owned_domains"] == "lapsed.example"  # same IP address
    o = domains.overlaps(world.mc_engine, [MINE, RIVAL])
    assert o.to_dict("records") == [{"domain_a": MINE, "domain_b": RIVAL, "shared": 3}]
    assert domains.link_gap(world.mc_engine, [RIVAL], [MINE])["source_domain"].tolist() == ["a3.example"]


def test_brand_mentions(world):
    m = domains.mentions(world.mc_engine, NOW, 7)
    got = {(r.day, r.platform, r.sentiment): (int(r.mentions), float(r.engagement)) for r in m.itertuples()}
    assert got == {("2026-11-28", "twitter", "positive"): (2, 4.0), ("2026-11-27", "reddit", "negative"): (1, 5.0)}


def test_leaderboard_24h_and_7d(world):
    day = crawler.leaderboard(world.mc_engine, NOW, 24)
    assert list(day["satellite_id"]) == ["sat-A", "sat-B"] and list(day["mark"]) == ["best", "worst"]
    a = day.iloc[0]
    assert (a["speed"], a["success_rate"], a["response_ms"], a["pages"], a["jobs_completed"]) == (
        25.0,
        95.0,
        400.0,
        80,
        1,
    )
    assert day.iloc[1]["errors"] == 5
    week = crawler.leaderboard(world.mc_engine, NOW, 168)
    assert list(week["satellite_id"]) == ["sat-C", "sat-A", "sat-B"]


def test_rate_limits_flag_a_site_slowing_under_load(world):
    r = crawler.rate_limits(world.mc_engine, NOW, CFG).set_index("site")
    s = r.loc["slow.example"]
    assert (s["response_ms"], s["baseline_ms"], s["change_pct"]) == (600.0, 200.0, 200.0)
    assert (s["pages_per_hour"], s["baseline_pages_per_hour"]) == (30.0, round(20 / 22, 1))
    assert bool(s["slowing"]) and s["recommended_delay_s"] == 0.6  # 0.6 s / 2 in flight × 2 (slowing)
    assert crawler.recommended_delay(100.0, False, CFG) == 0.5  # clamped to the minimum


def test_allocation_and_bottlenecks(world):
    fleet = [
        {"satellite_id": "sat-A", "status": "running", "current_job_id": "job-x", "cpu_usage": 20.0},
        {"satellite_id": "sat-B", "status": "running", "current_job_id": None, "cpu_usage": 95.0},
        {"satellite_id": "sat-C", "status": "unresponsive", "current_job_id": None},
    ]
    jobs = crawler.queued_jobs(world.engine)
    plan = crawler.allocation(fleet, jobs)
    assert plan[["satellite_id", "job_id"]].values.tolist() == [["sat-B", "q-high"], ["sat-A", "q-low"]]
    rates = crawler.rate_limits(world.mc_engine, NOW, CFG)
    found = crawler.bottlenecks(world.mc_engine, NOW, fleet, jobs, rates, queue_depth=2)
    causes = {(f["cause"], f["subject"]) for f in found}
    assert causes == {
        ("cpu", "sat-B"),
        ("error_rate", "sat-B"),
        ("queue_wait", "job queue"),
        ("slow_target", "slow.example"),
    }
    assert "5 errors for 10 pages (50%)" in next(f["evidence"] for f in found if f["cause"] == "error_rate")


def test_csv_export_matches_the_table(world):
    hunt = domains.expired_domains(world.mc_engine, NOW)
    columns = list(hunt.columns)
    rows = hunt.astype(object).where(hunt.notna(), None).to_dict("records")
    csv_text = table_csv(rows, columns)
    back = pd.read_csv(pd.io.common.StringIO(csv_text))
    assert list(back.columns) == columns and len(back) == len(rows)
    assert list(back["name"]) == list(hunt["name"]) and list(back["value"]) == list(hunt["value"])
    assert table_csv([{"a": "=cmd()", "b": 1}], ["a", "b"]).splitlines()[1] == "'=cmd(),1"
