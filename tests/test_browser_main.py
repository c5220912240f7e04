"""The main screen in a real Chromium: it shows the database's numbers, updates live when
storage changes, renders crawled text as text, and logs no console errors."""

import pytest
from selenium.webdriver.common.by import By

from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell
from tests import dataset
from tests import lp_rows as lp
from tests.browser import act, read, wait_for, wait_text, wait_text_where
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


def test_main_screen_shows_storage_and_updates_live(live_app, chrome, serve):
    app, _, loop, services = live_app
    base = serve(app)
    chrome.get(base + "/")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    wait_text(chrome, Main.KPI_FLEET, "4/6")
    wait_text(chrome, Main.KPI_QUEUE, "3")
    wait_text(chrome, Main.METRIC_PAGES, "167")
    wait_text(chrome, Main.METRIC_COMPLETION, "15 m 00 s")
    wait_text(chrome, Main.METRIC_UTIL, "17%")
    # 25 % in 100 s → 300 s to go
    wait_text_where(chrome, Main.BOARD, lambda t: "sat-1" in t and "~5 m" in t, what="naming sat-1, ETA ~5 m")
    # The labels are drawn by CSS beside their values.
    labels = chrome.execute_script(
        "return [...document.querySelectorAll('#' + arguments[0] + ' :is(.mission-eta, .mission-sat)')]"
        ".slice(0, 2).map(e => [getComputedStyle(e, '::before').content, e.textContent])",
        Main.BOARD,
    )
    assert labels == [['"ETA "', "~5 m"], ['"SAT "', "sat-1"]]
    # --p drives the ring and its CSS-drawn label
    wait_for(
        chrome,
        lambda d: [
            d.execute_script("return getComputedStyle(arguments[0]).getPropertyValue('--p').trim()", r)
            for r in d.find_elements(By.CSS_SELECTOR, f"#{Main.BOARD} .ring")
        ],
        lambda values: values == ["25", "0"],
        message="the job rings",
    )
    wait_for(
        chrome,
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, f"#{Main.FLEET} .sat-tile")),
            len(d.find_elements(By.CSS_SELECTOR, ".sat-unresponsive")),
        ),
        lambda counts: counts == (6, 2),
        message="6 satellite tiles, 2 unresponsive",
    )
    # Hostile crawled text is shown as text and never becomes markup.
    wait_text_where(chrome, Main.ERRORS, lambda t: dataset.HOSTILE in t, what="showing the hostile text")
    assert read(chrome, lambda d: d.find_element(By.ID, Main.ERRORS).find_elements(By.TAG_NAME, "script")) == []
    wait_text_where(chrome, Shell.LIVE_TEXT, lambda t: t in ("LIVE", "DELAYED", "STALE"), what="a live state")

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
    wait_for(chrome, lambda d: "kiosk" in d.find_element(By.ID, Shell.ROOT).get_attribute("class"), message="kiosk")
    assert read(chrome, lambda d: d.find_element(By.ID, Shell.NAV).is_displayed()) is False
    # On a wall screen kiosk mode zooms the graphs (their text included); a desktop tab of the
    # same size keeps them unzoomed (Plotly's hover does not follow a CSS zoom) but taller.
    chrome.set_window_size(3840, 2160)
    graph = f"getComputedStyle(document.getElementById('{Main.QUEUE_GAUGE}'))"
    wait_for(chrome, lambda d: d.execute_script(f"return {graph}.zoom"), lambda z: z == "1.9", message="zoom")
    assert chrome.execute_script(f"return {graph}.height") == "200px"
    chrome.get(base + "/")
    wait_for(chrome, lambda d: d.find_elements(By.ID, Main.QUEUE_GAUGE), message="the queue gauge")
    assert chrome.execute_script(f"return [{graph}.zoom, {graph}.height]") == ["1", "320px"]
    chrome.set_window_size(1600, 1000)
    chrome.get(base + "/?embed=1")
    wait_for(chrome, lambda d: "embed" in d.find_element(By.ID, Shell.ROOT).get_attribute("class"), message="embed")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    assert browser_errors(chrome) == []


# Records every Graph placeholder the page ever shows: dcc's Suspense fallback is the element with
# the graph's id and class `dash-graph--pending` (the real graph marks only its inner, id-less div).
PLACEHOLDER_RECORDER = """
window.__mcPlaceholders = [];
new MutationObserver(records => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType !== 1) continue;
    for (const el of [n, ...n.querySelectorAll('[id].dash-graph--pending')]) {
      if (el.matches('[id].dash-graph.dash-graph--pending')) window.__mcPlaceholders.push(el.id);
    }
  }
}).observe(document, {childList: true, subtree: true});
"""
MAIN_GRAPHS = [
    Main.DISCOVERY_CHART,
    Main.DISCOVERY_RADAR,
    Main.QUOTA_CHART,
    Main.TIMELINE,
    Main.QUEUE_GAUGE,
    Main.QUEUE_TREND,
]


def test_first_load_asks_once_and_graphs_plot_as_they_mount(live_app, chrome, serve):
    """ui/page_load.py: the preloaded layout and callback graph are each fetched once (the
    renderer's own request is served from the preload), dcc's Graph chunk comes fingerprinted
    from the page itself, and no graph ever shows the empty placeholder of a lazy load."""
    app, *_ = live_app
    base = serve(app)
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PLACEHOLDER_RECORDER})
    chrome.get(base + "/")
    wait_for(
        chrome,
        lambda d: [bool(d.find_elements(By.CSS_SELECTOR, f"#{g} .main-svg")) for g in MAIN_GRAPHS],
        lambda drawn: all(drawn),
        message="the six graphs drawn",
    )
    names = chrome.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    paths = [n.split("?")[0].removeprefix(base) for n in names]
    assert paths.count("/_dash-layout") == 1 and paths.count("/_dash-dependencies") == 1, paths
    chunks = [p for p in paths if "async-graph" in p]
    assert len(chunks) == 1 and chunks[0].startswith("/_dash-component-suites/dash/dcc/async-graph.v"), chunks
    assert chrome.execute_script("return window.__mcPlaceholders") == []
    console = chrome.get_log("browser")
    assert [e["message"] for e in console if e.get("level") == "SEVERE"] == []
    assert [e["message"] for e in console if "preload" in e["message"]] == [], "a preload the page did not use"


def test_first_paint_and_navigation(live_app, chrome, serve):
    """The first response already holds the page; the nav then swaps pages without reloads."""
    app, *_ = live_app
    base = serve(app)
    chrome.get(base + "/")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    wait_for(chrome, lambda d: d.find_elements(By.CSS_SELECTOR, f"#{Main.QUEUE_GAUGE} .main-svg"), message="gauge")
    scripts = chrome.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    plotly = [s.split("?")[0].rsplit("/", 1)[-1] for s in scripts if "plotly" in s]
    assert plotly == ["05_plotly-mc.min.js"], "our small plotly.js bundle, never the full one as well"
    act(chrome, lambda d: d.find_element(By.LINK_TEXT, "API quotas").click())
    wait_text_where(chrome, Shell.PAGE, lambda t: "FREE-TIER USAGE" in t, what="the quota page")
    assert chrome.find_elements(By.ID, Main.KPI_ACTIVE) == []
    act(chrome, lambda d: d.find_element(By.LINK_TEXT, "Mission").click())
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    chrome.get(base + "/no-such-page")
    wait_text_where(chrome, Shell.PAGE, lambda t: "No page at /no-such-page" in t, what="the not-found page")
    assert browser_errors(chrome) == []
