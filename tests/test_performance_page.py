"""The crawler performance page in a real Chromium: leaderboard with best / worst, the slowing
site flagged with its recommended delay, the idle satellite given the top waiting job, named
bottlenecks with evidence, and a clean console."""

import pytest
from selenium.webdriver.common.by import By

from analytics.settings import AnalyticsSettings
from pages.performance.ids import PerformanceIds as Perf
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.browser import act, wait_cells, wait_text_where
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW
from tests.test_analytics_intel import load_fleet

pytestmark = pytest.mark.browser


@pytest.fixture
def fleet_app(pg_url, redis_url):
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,))
    services = build_services(pg_url, redis_url, "O", refresh_rate_ms=500, analytics=watch)
    load_fleet(services)
    lp.heartbeat(services, "sat-B", NOW - 2 * ad.H / 3600, cpu=95.0)
    with ticked_app(services, NOW) as (app, _ctx, loop):
        loop.refresh_heavy(NOW)  # bottlenecks read the first snapshot's fleet
        loop.tick(now=NOW)
        yield app
    services.dispose()


def test_performance_page(fleet_app, chrome, serve):
    chrome.get(serve(fleet_app) + "/performance")
    board = wait_cells(chrome, Perf.LEADERBOARD, lambda rows: len(rows) == 2, 20)
    assert [r[1:3] for r in board] == [["best", "sat-A"], ["worst", "sat-B"]]
    assert board[0][3:7] == ["25", "95", "400", "1"]  # pages/min, success %, response ms, jobs done
    rates = {r[0]: r for r in wait_cells(chrome, Perf.RATES, lambda rows: "slow.example" in {r[0] for r in rows})}
    assert rates["slow.example"][1:4] == ["600", "200", "200"] and rates["slow.example"][6:] == ["0.6", "SLOWING"]
    allocation = wait_cells(chrome, Perf.ALLOCATION, bool)
    assert [r[0] for r in allocation] == ["sat-B"] and allocation[0][2] == "q-high"
    wait_text_where(
        chrome,
        Perf.BOTTLENECKS,
        lambda t: "5 errors for 10 pages (50%)" in t and "slowing under our load" in t,
        what="naming the error rate and the slowing site",
    )
    act(chrome, lambda d: d.find_element(By.CSS_SELECTOR, f"#{Perf.WINDOW} input[value='168']").click())
    wait_cells(chrome, Perf.LEADERBOARD, lambda rows: [r[2] for r in rows] == ["sat-C", "sat-A", "sat-B"])
    assert browser_errors(chrome) == []


def test_the_snapshot_names_the_same_bottlenecks_it_lists(fleet_app):
    """One finding per cycle feeds both the snapshot's list and the contract's names."""
    _, doc = fleet_app.server.extensions["mission_control"].snapshots.load()
    found = doc["mc"]["bottlenecks"]
    assert {f["cause"] for f in found} >= {"cpu", "error_rate"}
    named = doc["performance_optimization_metrics"]["bottlenecks_detected"]
    assert named[: len(found)] == [f"{f['cause']}: {f['subject']} — {f['evidence']}" for f in found]
