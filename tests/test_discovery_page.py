"""The discovery page in a real Chromium: the competition board and the finds show the rollups'
numbers, hostile anchors stay text, a heat-map click lists the links behind the cell, and the
console stays clean."""

import pytest
from selenium.webdriver.common.by import By

from analytics.settings import AnalyticsSettings
from pages.discovery.ids import DiscoveryIds as Disc
from tests import analytics_data as ad
from tests.browser import read, wait_cells, wait_for, wait_text_where
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser


@pytest.fixture
def page_app(pg_url, redis_url):
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=500, analytics=watch)
    ad.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        yield app, ctx
    services.dispose()


def test_discovery_page(page_app, chrome, serve):
    app, _ctx = page_app
    chrome.get(serve(app) + "/discovery")
    board = {row[0]: row[1:] for row in wait_cells(chrome, Disc.BOARD, lambda rows: len(rows) == 2, 20)}
    # 30 days: mine has 4 referring domains, 5 new links (1–5), 2 lost; rival 3, 2 new (6, 7).
    assert board[ad.MINE][:3] == ["4", "5", "2"] and board[ad.RIVAL][:3] == ["3", "2", "0"]
    wait_text_where(chrome, Disc.FINDS, lambda t: ad.HOSTILE_ANCHOR in t, what="showing the hostile anchor")
    assert read(chrome, lambda d: d.find_element(By.ID, Disc.FINDS).find_elements(By.TAG_NAME, "img")) == []
    wait_for(
        chrome,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, f"#{Disc.RADAR} .scatterlayer, #{Disc.RADAR} .scatterpolar, #{Disc.RADAR} g.trace"
        ),
        message="the radar's traces",
    )
    # A heat-map click (as Plotly reports it) lists the links of that day and bucket.
    chrome.execute_script(
        "const el = document.getElementById(arguments[0]).querySelector('.js-plotly-plot');"
        "el.emit('plotly_click', {points: [{x: '2026-11-28', y: '80–90', curveNumber: 0, pointNumber: [8, 0]}]});",
        Disc.HEATMAP,
    )
    wait_cells(chrome, Disc.DRILL, lambda rows: len(rows) == 3)
    wait_text_where(chrome, Disc.DRILL_TITLE, lambda t: "80–90" in t, what="naming the bucket")
    assert browser_errors(chrome) == []
