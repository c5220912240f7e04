"""A hand-computable world for the analysis pages (links, lost links, domains, fleet logs,
mentions), written in either schema variant through tests.lp_rows. The expected figures are
worked out in the docstrings of tests/test_analytics_*.py."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests import lp_rows as lp
from tests.dataset import NOW

H = timedelta(hours=1)
D = timedelta(days=1)
MINE, RIVAL = "mine.example", "rival.example"
AUTH = {"a1.example": 85.0, "a2.example": 45.0, "a3.example": 5.0, "a4.example": 95.0}
HOSTILE_ANCHOR = "<img src=x onerror=alert(1)>"


def link(svc, n, source, target, first, *, spam="none", anchor="brand", active=True, http=200, checked=None):
    row = lp.backlink(
        svc, source, target, first, authority=AUTH.get(source), spam=spam, anchor=anchor, active=active, n=n
    )
    row["id"] = f"link-{n}"
    row["http_status"] = http
    row["crawl_timestamp"] = checked or first
    return row


def links(svc, which=None) -> list[dict]:
    """Links 1–8 (see test_analytics_discovery); `which` picks some by number."""
    rows = {
        1: link(svc, 1, "a1.example", MINE, NOW - H),
        2: link(svc, 2, "a1.example", MINE, NOW - 2 * H),
        3: link(svc, 3, "a2.example", MINE, NOW - 26 * H, spam="high", anchor="click here"),
        4: link(svc, 4, "a3.example", MINE, NOW - 3 * D, active=False, checked=NOW - 5 * H),
        5: link(svc, 5, "a4.example", MINE, NOW - 10 * D, anchor="best tools", http=404, checked=NOW - 2 * D),
        6: link(svc, 6, "a1.example", RIVAL, NOW - H / 2, anchor=HOSTILE_ANCHOR),
        7: link(svc, 7, "a2.example", RIVAL, NOW - 5 * D, spam="medium", anchor="rival"),
        8: link(svc, 8, "a4.example", RIVAL, NOW - 40 * D, anchor="x"),
    }
    return [rows[i] for i in (which or sorted(rows))]


def domains(svc) -> list[dict]:
    out = [lp.domain(svc, name, a) for name, a in AUTH.items()]
    out += [lp.domain(svc, MINE, 60.0), lp.domain(svc, RIVAL, 40.0)]
    # Expired (past expiry), unregistered, expiring in 5 days, healthy.
    out += [
        lp.domain(
            svc,
            "old-gem.example",
            70.0,
            trust=40.0,
            spam=10.0,
            expiration_date=NOW - 10 * D,
            registered_date=NOW - 3700 * D,
            ip_address="10.0.0.1",
        ),
        lp.domain(svc, "lapsed.example", 30.0, trust=20.0, spam=50.0, is_registered=False, ip_address="10.0.0.1"),
        lp.domain(svc, "soon.example", 50.0, expiration_date=NOW + 5 * D),
        lp.domain(svc, "fine.example", 20.0, expiration_date=NOW + 400 * D),
    ]
    # One executemany takes its columns from the first row: give every row the same keys.
    keys = {k for row in out for k in row}
    return [{k: row.get(k) for k in keys} for row in out]


def gem_links(svc) -> list[dict]:
    """Two links pointing at the expired old-gem.example (authority 85 and 45)."""
    return [
        link(svc, 20, "a1.example", "old-gem.example", NOW - 100 * D),
        link(svc, 21, "a2.example", "old-gem.example", NOW - 50 * D),
    ]


def load(svc) -> None:
    lp.insert(svc, "domains", domains(svc))
    lp.insert(svc, "backlinks", links(svc) + gem_links(svc))


def mentions() -> list[dict]:
    def m(platform, sentiment, at, engagement):
        return {
            "id": str(uuid.uuid4()),
            "query": "mine",
            "platform": platform,
            "mention_url": "https://x.example/1",
            "mention_text": "<b>hi</b>",
            "published_date": at,
            "sentiment": sentiment,
            "engagement_score": engagement,
        }

    return [
        m("twitter", "positive", NOW - H, 3.0),
        m("twitter", "positive", NOW - 2 * H, 1.0),
        m("reddit", "negative", NOW - D, 5.0),
    ]
