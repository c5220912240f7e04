"""The read model on every backend (SQLite + in-process Redis, PostgreSQL + Redis in variants
M and O): each figure equals what the hand-computed dataset says."""

import pandas as pd
import pytest

from data import backlinks, fleet, jobs, queues
from data.schema import detect_schema
from tests import dataset
from tests import lp_rows as lp
from tests.dataset import EXPECTED, NOW


def test_jobs_figures(services):
    dataset.load(services)
    engine = services.engine
    assert jobs.job_status_counts(engine) == EXPECTED["counts"]
    active = jobs.active_jobs(engine, NOW).set_index("id")
    assert list(active.index) == [dataset.JOB_A, dataset.JOB_B]  # priority order
    assert active.loc[dataset.JOB_A, "eta_seconds"] == pytest.approx(EXPECTED["eta_a"])
    assert pd.isna(active.loc[dataset.JOB_B, "eta_seconds"])  # no progress yet: no ETA
    day = jobs.jobs_last_24h(engine, NOW)
    assert day == {
        "completed": EXPECTED["completed_24h"],
        "failed": EXPECTED["failed_24h"],
        "pages_crawled": EXPECTED["pages_24h"],
        "avg_completion_seconds": EXPECTED["avg_completion"],
    }
    errors = jobs.recent_job_errors(engine, NOW)
    assert list(errors["message"]) == [dataset.HOSTILE]
    assert list(errors["error_type"]) == ["timeout"]


def test_fleet_status_and_utilisation(services):
    dataset.load(services)
    frame, problems = fleet.read_fleet(
        services.redis, services.settings.redis_keys, services.engine, services.schema, NOW, lp.epoch(NOW), 30
    )
    assert dict(zip(frame["satellite_id"], frame["status"])) == EXPECTED["fleet"]
    assert frame.set_index("satellite_id").loc["sat-1", "current_job_id"] == dataset.JOB_A
    assert problems == ["crawler_details:sat-6 is not valid JSON"]
    summary = fleet.utilisation(frame)
    assert (summary["alive"], summary["busy"], summary["total"]) == (
        EXPECTED["alive"],
        EXPECTED["busy"],
        EXPECTED["total"],
    )
    assert summary["utilisation_pct"] == EXPECTED["utilisation"]


@pytest.mark.parametrize("queue_type", ["list", "zset"])
def test_queue_depths_for_both_queue_types(services, queue_type):
    dataset.fill_queues(services, queue_type)
    q = queues.queue_depths(services.redis, services.settings.redis_keys, lp.epoch(NOW))
    assert q["types"]["job_queue"] == queue_type
    assert (q["job_queue"], q["dead_letter"], q["results"], q["scheduled"], q["scheduled_due"]) == (3, 2, 1, 3, 1)
    assert q["dispatch_paused"] is True and q["problems"] == []


def test_wrongtype_queue_key_is_reported_not_fatal(services):
    keys = services.settings.redis_keys
    services.redis.hset(keys.job_queue, "oops", "1")
    services.redis.set(keys.heartbeats, "not a zset")
    q = queues.queue_depths(services.redis, keys, lp.epoch(NOW))
    assert q["job_queue"] is None and q["problems"] == ["crawl_jobs holds a hash, which is not a queue"]
    frame, problems = fleet.read_fleet(services.redis, keys, None, services.schema, NOW, lp.epoch(NOW), 30)
    assert frame.empty and problems == ["crawler_heartbeats_sorted holds a string, not a sorted set"]


def test_backlink_summary(services):
    dataset.load(services)
    s = backlinks.discovery_summary(services.engine, services.schema, NOW)
    assert s["total_backlinks_discovered"] == EXPECTED["backlinks_total"]
    assert s["new_backlinks_24h"] == EXPECTED["backlinks_new_24h"]
    assert s["potential_spam_links_24h"] == EXPECTED["spam_24h"]
    assert s["unique_domains_discovered"] == EXPECTED["referring_domains"]
    # mean authority of the linking domains over the six links: (80+80+20+50+20+50)/6
    assert s["avg_authority_score"] == pytest.approx(50.0)
    assert s["top_linking_domains"][0] == {"domain": "alpha.example", "backlinks": 2}
    radar = backlinks.discovery_by_target(services.engine, services.schema, NOW)
    row = radar.iloc[0]
    assert (row["target_domain"], row["backlinks"], row["referring_domains"], row["new_24h"]) == (
        "target.example",
        6,
        3,
        4,
    )
    assert row["spam_share_pct"] == pytest.approx(33.3)


def test_schema_detection_reports_variant_and_missing_tables(services):
    info = detect_schema(services.engine)
    assert info.variant in ("M", "O") and info.missing_tables == ()
    expected_first_seen = "first_seen" if info.variant == "O" else "discovered_date"
    assert info.link_first_seen == expected_first_seen
