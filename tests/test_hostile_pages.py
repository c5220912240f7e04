"""Every page in a real Chromium over a PostgreSQL + Redis deployment whose crawled text is hostile.

The attack (issue 15): strangers write everything Link Profiler crawls. Rows carry, in every
crawled text column we read (domain names, URLs, anchors, registrars, WHOIS and SEO JSON, job
ids / targets / error messages / results / anomalies, satellite ids, bottlenecks, Link
Profiler's alert rules, social mentions, Redis heartbeats, satellite details, queue entries,
dead letters) and in a quota caller: HTML that would run script or draw a link, bidi overrides
and zero-width characters, 5,000-character strings and non-NUL binary junk. The analytics
refresh must complete; every page must show the payloads as text (so the test can see them)
while no element is created from them, in the DOM or in Plotly's SVG; and a normal link stored
afterwards must still reach the figures.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from analytics.settings import AnalyticsSettings
from pages.alerts.ids import AlertIds
from pages.discovery.ids import DiscoveryIds as Disc
from pages.domains.ids import DomainIds as Dom
from pages.mission.ids import MissionIds as Main
from pages.performance.ids import PerformanceIds as Perf
from pages.quotas.ids import QuotaIds
from tests import analytics_data as ad
from tests import dataset
from tests import lp_rows as lp
from tests.browser import wait_cells, wait_for
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser

S = timedelta(seconds=1)
# The payloads. Each would create an element if any sink interpreted it; "CLICK ME" and
# "PWN-TEXT" are what a viewer must read instead.
IMG = '<img src=x onerror="window.__pwned=1">'
LINK = '<a href="https://evil.example/phish">CLICK ME</a>'
SCRIPT = "<script>window.__pwned=1</script>"
MARKUP = '<b>PWN-TEXT</b><i>PWN-TEXT</i><iframe src="https://evil.example/frame"></iframe>'
RLO, ZWSP = "\u202e", "\u200b"
PAYLOAD = f"{RLO}{LINK}{ZWSP}{IMG}{SCRIPT}{MARKUP}"


def _long(prefix: str, suffix: str = ".example") -> str:
    """A 5,000-character string that starts with the payload (so it can be seen) and `prefix`."""
    head = f"{PAYLOAD}{prefix}"
    return head + "x" * (5000 - len(head) - len(suffix)) + suffix


def _junk(seed: int, length: int = 5000) -> str:
    """Random bytes other than NUL, read as latin-1 text (C0/C1 controls, '<', '&', quotes …)."""
    rng = random.Random(seed)
    return bytes(rng.randrange(1, 256) for _ in range(length)).decode("latin-1")


H_DOMAIN = f"{PAYLOAD}.example"
LONG_DOMAIN = _long("long-")
# Link Profiler's own unique indexes (domains.name; backlinks' source/target URLs in variant M)
# refuse an index row over 2,704 bytes, and random junk does not compress: this is about the
# longest junk name its database can hold at all. Long junk goes in the unindexed columns.
JUNK_DOMAIN = _junk(1, 1000)
HOSTILE_DOMAINS = (H_DOMAIN, LONG_DOMAIN, JUNK_DOMAIN)
H_SAT = f"sat-{PAYLOAD}"
LONG_SAT = _long("sat-", "")
JUNK_SAT = "sat-" + _junk(2, 300)
H_JOB = f"job-{PAYLOAD}"
FRESH = "fresh.example"  # the normal link that arrives after the hostile ones
# Each page, and the panels on it that must show the payload as text (read from crawled rows,
# Redis keys or, on /quotas, a client's caller label).
PAGES = {
    "/": (Main.BOARD, Main.FLEET, Main.ERRORS),
    "/discovery": (Disc.FINDS,),
    "/domains": (Dom.HUNTER,),
    "/performance": (Perf.LEADERBOARD,),
    "/quotas": (QuotaIds.DECISIONS,),
    "/alerts": (AlertIds.FIRING, AlertIds.RULES),
}
# Pages whose Plotly figures draw crawled text (target domains, job targets, anchors).
PLOTLY_PAGES = ("/", "/discovery")


def _domains(svc) -> list[dict]:
    whois = {"registrant_organization": PAYLOAD, "raw": _junk(3)}
    rows = [
        lp.domain(
            svc,
            name,
            70.0,
            is_registered=False,  # available: the hunter lists them
            expiration_date=NOW - timedelta(days=3),
            registrar=PAYLOAD,
            ip_address=_long("ip-", ""),
            country=PAYLOAD,
            whois_raw=json.dumps(whois) if svc.schema.variant == "O" else whois,
            dns_records={"a": [PAYLOAD]},
            seo_metrics={"niche": PAYLOAD, "category": _junk(4, 200)},
        )
        for name in HOSTILE_DOMAINS
    ]
    rows.append(lp.domain(svc, FRESH, 90.0))
    if svc.schema.variant == "O":
        rows[0]["spam_score"] = PAYLOAD  # a varchar in variant O
    return _same_keys(rows)


def _same_keys(rows: list[dict]) -> list[dict]:
    """One executemany takes its columns from the first row: give every row the same keys."""
    keys = {k for row in rows for k in row}
    return [{k: row.get(k) for k in keys} for row in rows]


def _backlinks(svc) -> list[dict]:
    rows = []
    for n, (source, anchor) in enumerate(
        [(H_DOMAIN, PAYLOAD), (LONG_DOMAIN, _long("anchor-", "")), (JUNK_DOMAIN, _junk(5))], start=100
    ):
        row = lp.backlink(svc, source, ad.MINE, NOW - n * S, authority=80.0, anchor=anchor, n=n)
        row.update(
            link_type=PAYLOAD if n == 100 else "dofollow",
            spam_level=PAYLOAD if n == 101 else "none",
            rel_attributes=[PAYLOAD, _junk(6, 100)],
            context_text=_long("context-", ""),
            alt_text=PAYLOAD,
            source_domain_metrics={"note": PAYLOAD},
            target_url=f"https://{ad.MINE}/{_long('path-', '')}",
        )
        if svc.schema.variant == "O":
            row["position_on_page"] = PAYLOAD
        rows.append(row)
    # A link *to* each hostile domain (their referring domains in the hunter and the radar).
    rows += [
        lp.backlink(svc, "a1.example", target, NOW - 2 * S, authority=85.0, anchor=PAYLOAD, n=110 + i)
        for i, target in enumerate(HOSTILE_DOMAINS)
    ]
    return _same_keys(rows)


def _jobs(svc) -> list[dict]:
    m = svc.schema.variant == "M"
    error = {"type": PAYLOAD, "message": _long("error-", ""), "url": f"javascript:{PAYLOAD}"}
    jobs = [
        lp.job(
            "in_progress",
            started=NOW - 60 * S,
            progress=40.0,
            urls=5,
            job_id=H_JOB,
            target=f"https://{LONG_DOMAIN}/",
            job_type=PAYLOAD,
        ),
        lp.job(
            "failed",
            started=NOW - 9 * 60 * S,
            completed=NOW - 3 * 60 * S,
            urls=3,
            progress=10.0,
            target=f"https://{H_DOMAIN}/{_junk(7, 500)}",
            errors=[error, {"message": _junk(8)}],
        ),
        lp.job("queued", created=NOW - 5 * S, target=_long("https://queued-"), job_id=_long("job-", "")),
    ]
    for job in jobs:
        job["cron_schedule"] = PAYLOAD
        if m:
            job.update(config={"seed": PAYLOAD}, results={"error": PAYLOAD}, anomalies_detected=[PAYLOAD, _junk(9, 64)])
    return _same_keys(jobs)


def _perf_logs(svc) -> list[dict]:
    rows = [lp.perf_log(svc, sat, NOW - 60 * S, speed=12.0, errors=1) for sat in (H_SAT, LONG_SAT, JUNK_SAT)]
    for row in rows:
        if svc.schema.variant == "M":
            row["bottlenecks_detected"] = [PAYLOAD, _junk(10, 80)]
        else:
            row.update(current_job_id=H_JOB, current_job_type=PAYLOAD, current_job_progress=40.0)
    return _same_keys(rows)


def _rules(svc) -> list[dict]:
    m = svc.schema.variant == "M"
    rule = {
        "id": f"rule-{PAYLOAD}",
        "name": f"rule {PAYLOAD}",
        "description": _long("rule-", ""),
        "is_active": True,
        "trigger_type": "job_status_change",
        "job_type_filter": None,
        "target_url_pattern": "evil|CLICK",  # fires on the hostile failed job
        "metric_name": "failed",
        "severity": "critical",
        "created_at": NOW - timedelta(days=1),
    }
    rule["channels" if m else "notification_channels"] = ["dashboard"]
    if not m:
        rule["notification_recipients"] = [PAYLOAD]
    return [rule]


def _mentions() -> list[dict]:
    return [
        {
            "id": str(uuid.uuid4()),
            "query": PAYLOAD,
            "platform": PAYLOAD,
            "mention_url": f"javascript:{PAYLOAD}",
            "mention_text": _long("mention-", ""),
            "published_date": NOW - timedelta(hours=2),
            "sentiment": PAYLOAD,
            "engagement_score": 2.0,
        }
    ]


def load_hostile(svc) -> None:
    """The hostile rows and keys, beside the hand-computable worlds of the other page tests."""
    lp.insert(svc, "domains", _domains(svc))
    lp.insert(svc, "backlinks", _backlinks(svc))
    lp.insert(svc, "crawl_jobs", _jobs(svc))
    lp.insert(svc, "satellite_performance_logs", _perf_logs(svc))
    lp.insert(svc, "alert_rules", _rules(svc))
    lp.insert(svc, "social_mentions", _mentions())
    history = {"domain_name": H_DOMAIN, "snapshot_date": NOW - timedelta(days=1), "authority_score": 50.0}
    lp.insert(svc, "domain_history", [{"id": 1 if svc.schema.variant == "M" else "h1", **history}])
    lp.heartbeat(svc, H_SAT, NOW - 2 * S, job_id=H_JOB, status=PAYLOAD)
    lp.heartbeat(svc, JUNK_SAT, NOW - 3 * S, job_id=_junk(11, 100))
    lp.heartbeat(svc, LONG_SAT, NOW - 120 * S, details=False)  # dead: a satellite_failure alert names it
    keys, r = svc.settings.redis_keys, svc.redis
    r.set(
        f"{keys.details_prefix}{H_SAT}",
        json.dumps({"id": PAYLOAD, "status": PAYLOAD, "current_job_id": H_JOB, "code_version": PAYLOAD}),
        ex=600,
    )
    r.lpush(keys.job_queue, json.dumps({"job_id": PAYLOAD, "target_url": _long("q-"), "priority": 3}), _junk(12))
    r.rpush(keys.dead_letter, json.dumps({"dead_letter_reason": PAYLOAD, "job": _junk(13)}))


@pytest.fixture(params=["M", "O"])
def hostile_app(request, pg_url, redis_url, caplog):
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    svc = build_services(
        pg_url, redis_url, request.param, refresh_rate_ms=500, analytics=watch, api_keys={"serpstack": "sk-test-0001"}
    )
    dataset.load(svc)
    ad.load(svc)
    load_hostile(svc)
    caplog.set_level(logging.WARNING)
    with ticked_app(svc, NOW) as (app, ctx, loop):
        ctx.quotas.consume("serpstack", 5, caller=PAYLOAD)
        ctx.quotas.route("serp_positions", "normal", caller=PAYLOAD)
        yield app, ctx, loop
    svc.dispose()


# One script per check, so no element reference outlives a redraw.
PAGE_STATE_JS = """
const panels = {};
for (const id of arguments[0]) {
  const el = document.getElementById(id);
  panels[id] = el ? el.innerText : null;
}
const svgText = [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n');
const graphs = [...document.querySelectorAll('.js-plotly-plot')];
const made = [...document.querySelectorAll(
  'a[href*="evil"], img, iframe, [onerror], [src="x"], svg a, .main-svg a, b, i, script'
)].filter(e => e.tagName !== 'SCRIPT' || /__pwned/.test(e.textContent))
  .filter(e => !['B', 'I'].includes(e.tagName) || /PWN-TEXT/.test(e.textContent))
  .map(e => e.outerHTML.slice(0, 120));
return {
  panels: panels,
  pwned: typeof window.__pwned,
  text: document.body.innerText,
  svgText: svgText,
  made: made,
  graphs: graphs.length,
  drawn: graphs.filter(g => g.querySelector('.main-svg')).length,
  svgLinks: document.querySelectorAll('svg a').length,
  boldTspans: [...document.querySelectorAll('svg tspan')].filter(t => /PWN-TEXT/.test(t.textContent)
    && (t.getAttribute('style') || '').includes('font')).length,
};
"""


def page_state(driver, panels=()) -> dict:
    return driver.execute_script(PAGE_STATE_JS, list(panels))


def shown(state: dict) -> bool:
    """Every named panel shows the payload as text, and every graph has drawn."""
    return (
        all(text and "CLICK ME" in text for text in state["panels"].values())
        and state["graphs"] > 0
        and state["drawn"] == state["graphs"]
    )


def test_hostile_text_is_inert_on_every_page_and_later_links_still_count(hostile_app, chrome, serve, caplog):
    app, ctx, loop = hostile_app
    # The first tick ran the analytics inline: every step completed, nothing failed on the way.
    report = loop.state.heavy.get("analytics")
    assert report is not None and report.get("links"), f"the analytics refresh did not complete: {report!r}"
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []
    # The alert engine stored and published its alerts: Link Profiler's hostile rule fired on the
    # hostile failed job, and the dead satellite with the 5,000-character id was noticed.
    _version, doc = ctx.snapshots.load()
    fired = {(a["type"], a["message"][:60]) for a in doc["alerts"]}
    assert {"lp_rule", "satellite_failure"} <= {kind for kind, _ in fired}, fired

    base = serve(app)
    for path, panels in PAGES.items():
        chrome.get(base + path)
        state = wait_for(
            chrome,
            lambda d, panels=panels: page_state(d, panels),
            shown,
            20,
            f"{path}: the payload shown as text in {panels}, every graph drawn",
        )
        if path in PLOTLY_PAGES:  # drawn by Plotly, as text
            assert "CLICK ME" in state["svgText"], path
        everything = state["text"] + state["svgText"]
        assert state["pwned"] == "undefined", path
        assert state["made"] == [] and state["svgLinks"] == 0 and state["boldTspans"] == 0, (path, state["made"])
        assert "evil.example" in everything, path
        assert RLO not in everything and ZWSP not in everything, path
        assert browser_errors(chrome) == [], path

    # A normal link stored after the hostile ones reaches the board and the finds.
    chrome.get(base + "/discovery")
    before = {row[0]: row for row in wait_cells(chrome, Disc.BOARD, lambda rows: len(rows) == 2, 20)}
    lp.insert(
        ctx.services, "backlinks", [lp.backlink(ctx.services, FRESH, ad.MINE, NOW - 30 * S, authority=90.0, n=999)]
    )
    loop.refresh_heavy(NOW + timedelta(minutes=1))
    loop.tick(now=NOW + timedelta(minutes=1))
    mine_before = [int(v) for v in before[ad.MINE][1:3]]
    # One more referring domain (fresh.example) and one more new link in the window.
    wait_cells(
        chrome,
        Disc.BOARD,
        lambda rows: [[int(v) for v in r[1:3]] for r in rows if r[0] == ad.MINE] == [[n + 1 for n in mine_before]],
        20,
    )
    wait_for(chrome, lambda d: FRESH in d.find_element(By.ID, Disc.FINDS).text, message="the fresh link in the finds")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert browser_errors(chrome) == []
