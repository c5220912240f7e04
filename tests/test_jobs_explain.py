"""On PostgreSQL with many jobs, the jobs list and the drain forecast's counts are served by the
opt-in indexes (`python -m analytics.setup --create-indexes`), never by scanning crawl_jobs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, text

from analytics import setup
from data.job_search import COUNT_CAP, JobFilter, list_statements
from tests.conftest import build_services
from tests.dataset import NOW

JOBS = 200_000


@pytest.fixture
def big(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    with services.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO crawl_jobs (id, target_url, job_type, status, created_at, completed_date, priority) "
                "SELECT 'job-' || g, 'https://site' || (g % 5000) || '.example/p' || g, "
                "(ARRAY['backlink_discovery','technical_audit','domain_analysis'])[1 + g % 3], "
                "(ARRAY['completed','completed','completed','failed','queued','in_progress'])[1 + g % 6], "
                ":now - make_interval(secs => g * 10), :now - make_interval(secs => g * 10 - 5), 5 "
                "FROM generate_series(1, :n) AS g"
            ),
            {"now": NOW, "n": JOBS},
        )
        conn.execute(text("UPDATE crawl_jobs SET status = 'paused' WHERE id IN ('job-7', 'job-70000')"))
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    services.forget_schema()
    statements = setup.create_indexes(services)
    assert any("mc_crawl_jobs_target_trgm" in s for s in statements)
    with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE crawl_jobs"))
    yield services
    services.dispose()


def plan(engine, sql: str, params: dict, expanding: bool = False) -> tuple[set[str], set[str]]:
    """(node types, index names) of the plan PostgreSQL chooses for `sql`."""
    stmt = text("EXPLAIN (FORMAT JSON) " + sql)
    if expanding:
        stmt = stmt.bindparams(bindparam("ids", expanding=True))
    with engine.connect() as conn:
        doc = conn.execute(stmt, params).scalar()
    doc = json.loads(doc) if isinstance(doc, str) else doc
    nodes, indexes = set(), set()

    def walk(node):
        nodes.add(node["Node Type"] + (":" + node["Relation Name"] if "Relation Name" in node else ""))
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(doc[0]["Plan"])
    return nodes, indexes


# (filter, the index the plan must use; None: any of ours). A common status or type is served
# as well by walking created_at and filtering (the planner's choice); a rare one needs its own.
CASES = [
    (JobFilter(), "mc_crawl_jobs_created"),
    (JobFilter(newest_first=False), "mc_crawl_jobs_created"),
    (JobFilter(status="failed"), None),
    (JobFilter(status="paused"), "mc_crawl_jobs_status_created"),
    (JobFilter(job_type="technical_audit"), None),
    (JobFilter(target="site4321.example"), "mc_crawl_jobs_target_trgm"),
    (JobFilter(created_from=NOW - timedelta(days=2), created_to=NOW - timedelta(days=1)), "mc_crawl_jobs_created"),
]


def test_jobs_list_pages_and_counts_use_indexes(big):
    # One database for every plan (filling it is the slow part).
    for f, index in CASES:
        page_sql, _count, params, _ = list_statements(big.engine, f)
        nodes, indexes = plan(big.engine, page_sql, {**params, "lim": 50, "off": 100})
        ours = {i for i in indexes if i.startswith("mc_crawl_jobs_")}
        assert (index in indexes if index else ours) and "Seq Scan:crawl_jobs" not in nodes, (f, nodes, indexes)
    # A selective count is served by an index; a broad one stops at the cap.
    _page, count_sql, params, _ = list_statements(big.engine, JobFilter(status="paused"))
    nodes, indexes = plan(big.engine, count_sql, {**params, "cap": COUNT_CAP + 1})
    assert "mc_crawl_jobs_status_created" in indexes and "Seq Scan:crawl_jobs" not in nodes
    _page, count_sql, params, _ = list_statements(big.engine, JobFilter())
    nodes, _ = plan(big.engine, count_sql, {**params, "cap": COUNT_CAP + 1})
    assert "Limit" in nodes  # a broad filter reads at most COUNT_CAP + 1 rows
    # The drain forecast's two range counts.
    since, until = NOW - timedelta(minutes=15), NOW
    _nodes, indexes = plan(
        big.engine,
        "SELECT COUNT(*) FROM crawl_jobs WHERE completed_date > :since AND completed_date <= :until "
        "AND status IN ('completed', 'failed')",
        {"since": since, "until": until},
    )
    assert "mc_crawl_jobs_completed" in indexes
    _nodes, indexes = plan(
        big.engine,
        "SELECT COUNT(*) FROM crawl_jobs WHERE created_at > :since AND created_at <= :until "
        "AND (status IS NULL OR status <> 'pending')",
        {"since": since, "until": until},
    )
    assert indexes & {"mc_crawl_jobs_created", "mc_crawl_jobs_status_created"}
