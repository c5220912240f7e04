"""The main screen in a real Chromium: it shows the database's numbers, updates live when
storage changes, renders crawled text as text, and logs no console errors."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell
from tests import dataset
from tests import lp_rows as lp
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=500)
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, loop):
        yield app, ctx, loop, services
    services.dispose()


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def wait_text(driver, element_id, expected, timeout=15):
    WebDriverWait(driver, timeout).until(
        lambda d: text_of(d, element_id) == expected, message=f"#{element_id} never showed {expected!r}"
    )


def test_main_screen_shows_storage_and_updates_live(live_app, chrome, serve):
    app, _, loop, services = live_app
    base = serve(app)
    chrome.get(base + "/")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    assert text_of(chrome, Main.KPI_FLEET) == "4/6"
    assert text_of(chrome, Main.KPI_QUEUE) == "3"
    assert text_of(chrome, Main.METRIC_PAGES) == "167"
    assert text_of(chrome, Main.METRIC_COMPLETION) == "15 m 00 s"
    assert text_of(chrome, Main.METRIC_UTIL) == "17%"
    board = chrome.find_element(By.ID, Main.BOARD)
    assert "sat-1" in board.text and "ETA ~5 m" in board.text  # 25 % in 100 s → 300 s to go
    rings = board.find_elements(By.CSS_SELECTOR, ".ring")
    # --p drives the ring and its CSS-drawn label
    assert [r.get_attribute("style") for r in rings] == ["--p: 25;", "--p: 0;"]
    tiles = chrome.find_elements(By.CSS_SELECTOR, f"#{Main.FLEET} .sat-tile")
    assert len(tiles) == 6 and len(chrome.find_elements(By.CSS_SELECTOR, ".sat-unresponsive")) == 2
    # Hostile crawled text is shown as text and never becomes markup.
    errors = chrome.find_element(By.ID, Main.ERRORS)
    assert dataset.HOSTILE in errors.text
    assert errors.find_elements(By.TAG_NAME, "script") == []
    assert chrome.find_element(By.ID, Shell.LIVE_TEXT).text in ("LIVE", "DELAYED", "STALE")

    # Storage changes; the producer ticks; the open page follows without a reload.
    lp.insert(
        services, "crawl_jobs", [lp.job("in_progress", started=NOW - 10 * dataset.S, progress=5.0) for _ in range(3)]
    )
    loop.tick(now=NOW)
    wait_text(chrome, Main.KPI_ACTIVE, "5")
    assert browser_errors(chrome) == []


def test_kiosk_and_embed_modes(live_app, chrome, serve):
    app, *_ = live_app
    base = serve(app)
    chrome.get(base + "/?kiosk=1")
    WebDriverWait(chrome, 15).until(lambda d: "kiosk" in d.find_element(By.ID, Shell.ROOT).get_attribute("class"))
    assert not chrome.find_element(By.ID, Shell.NAV).is_displayed()
    # On a wall screen kiosk mode zooms the graphs (their text included); a desktop tab of the
    # same size keeps them unzoomed (Plotly's hover does not follow a CSS zoom) but taller.
    chrome.set_window_size(3840, 2160)
    graph = f"getComputedStyle(document.getElementById('{Main.QUEUE_GAUGE}'))"
    WebDriverWait(chrome, 15).until(lambda d: d.execute_script(f"return {graph}.zoom") == "1.9")
    assert chrome.execute_script(f"return {graph}.height") == "200px"
    chrome.get(base + "/")
    WebDriverWait(chrome, 15).until(lambda d: d.find_elements(By.ID, Main.QUEUE_GAUGE))
    assert chrome.execute_script(f"return [{graph}.zoom, {graph}.height]") == ["1", "320px"]
    chrome.set_window_size(1600, 1000)
    chrome.get(base + "/?embed=1")
    WebDriverWait(chrome, 15).until(lambda d: "embed" in d.find_element(By.ID, Shell.ROOT).get_attribute("class"))
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    assert browser_errors(chrome) == []


def test_first_paint_and_navigation(live_app, chrome, serve):
    """The first response already holds the page; the nav then swaps pages without reloads."""
    app, *_ = live_app
    base = serve(app)
    chrome.get(base + "/")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    WebDriverWait(chrome, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{Main.QUEUE_GAUGE} .main-svg"))
    scripts = chrome.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    plotly = [s.split("?")[0].rsplit("/", 1)[-1] for s in scripts if "plotly" in s]
    assert plotly == ["05_plotly-mc.min.js"], "our small plotly.js bundle, never the full one as well"
    chrome.find_element(By.LINK_TEXT, "API quotas").click()
    WebDriverWait(chrome, 15).until(lambda d: "FREE-TIER USAGE" in d.find_element(By.ID, Shell.PAGE).text)
    assert chrome.find_elements(By.ID, Main.KPI_ACTIVE) == []
    chrome.find_element(By.LINK_TEXT, "Mission").click()
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    chrome.get(base + "/no-such-page")
    WebDriverWait(chrome, 15).until(lambda d: "No page at /no-such-page" in d.find_element(By.ID, Shell.PAGE).text)
    assert browser_errors(chrome) == []
