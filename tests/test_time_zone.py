"""Times in the viewer's zone, in a real Chromium whose zone is Asia/Kolkata (UTC+05:30, no DST).

The server sends UTC (its renders are shared by every viewer); the browser shows an alert card's
time, the alert history's times, a DataTable time column and a chart's date axis shifted by
+05:30, with UTC on hover; the header's toggle switches everything to UTC, and the choice
survives a reload. The world: tests/analytics_data.py (links found at known UTC times) and two
alert evaluations at 2026-11-28 12:00:00 and 12:00:01 UTC."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from selenium.webdriver.common.by import By

from analytics.settings import AnalyticsSettings
from pages.alerts.ids import AlertIds
from pages.discovery.ids import DiscoveryIds as Disc
from pages.shell.ids import ShellIds as Shell
from tests import analytics_data as ad
from tests.browser import act, read, wait_for, wait_text
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW
from tests.test_alert_support import FAST, fleet_doc, make_engine

pytestmark = pytest.mark.browser

ZONE = "Asia/Kolkata"
OFFSET = timedelta(hours=5, minutes=30)
ZONE_NAME = "GMT+5:30"  # Chromium's short name of the zone (en-US)


@pytest.fixture
def zone_app(pg_url, redis_url):
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=400, analytics=watch)
    ad.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        ctx.alerts.stop()  # the producer's engine (it delivered the tick's notices); ours replaces it
        make_engine(ctx, FAST)
        # The producer's alerts fired at NOW; these fire a second later (one hour of history).
        for t, dead in ((0, ()), (1, ("sat-down",))):
            ctx.alerts.clock = lambda t=t: NOW + timedelta(seconds=t)
            doc = fleet_doc(dead=dead)
            doc["alerts"] = ctx.alerts.evaluate(doc, NOW + timedelta(seconds=t))
            ctx.snapshots.publish(doc)
        yield app
    services.dispose()


@pytest.fixture
def kolkata(chrome):
    """The suite's Chromium, its zone overridden (the override holds across reloads)."""
    chrome.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ZONE})
    assert chrome.execute_script("return new Date(0).getTimezoneOffset()") == -330
    return chrome


def shifted(utc_text: str, shape: str, offset: timedelta = OFFSET) -> str:
    return (datetime.strptime(utc_text, shape) + offset).strftime(shape)


TIMES_JS = """
return [...document.querySelectorAll('#' + arguments[0] + ' .mc-time[data-utc]')]
  .map(e => [e.getAttribute('data-utc'), e.textContent, e.title]);
"""


def times(driver, element_id: str) -> list[list[str]]:
    """[UTC ISO, text shown, title] of the marked times inside `#element_id`."""
    return driver.execute_script(TIMES_JS, element_id)


def all_shown_in(spans, offset: timedelta, shape: str, suffix: str = "") -> bool:
    """Every span shows its UTC instant moved by `offset`, in `shape`, then `suffix`; UTC on hover."""

    def shown(iso: str, text: str, title: str) -> bool:
        instant = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
        return (
            text == (instant + offset).strftime(shape) + suffix
            and title == instant.strftime("%Y-%m-%d %H:%M:%S") + " UTC"
        )

    return bool(spans) and all(shown(*span) for span in spans)


TICKS_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
return gd ? [...gd.querySelectorAll('.xtick text')].map(t => t.textContent) : [];
"""


def tick_hours(driver, graph_id: str) -> set[int]:
    """The hours of the date axis' tick labels that read HH:MM."""
    return {int(m.group(1)) for t in driver.execute_script(TICKS_JS, graph_id) if (m := re.match(r"(\d\d):\d\d", t))}


def found_column(driver) -> list[list[str]]:
    """[text, title] of the finds table's first column (found)."""
    return driver.execute_script(
        f"return [...document.querySelectorAll('#{Disc.FINDS} td[data-dash-column=first_seen] .dash-cell-value')]"
        ".map(c => [c.textContent, c.title]);"
    )


def found_header(driver) -> str:
    return read(
        driver,
        lambda d: (
            d.find_element(By.CSS_SELECTOR, f"#{Disc.FINDS} th[data-dash-column=first_seen] .column-header-name").text
        ),
    )


def column_in(cells, offset: timedelta) -> bool:
    shape = "%Y-%m-%d %H:%M"
    return bool(cells) and all(
        title.endswith(" UTC") and text == shifted(title[: -len(" UTC")], shape, offset) for text, title in cells
    )


def check_alerts(driver, offset: timedelta, zone: str, hours: set[int]) -> None:
    # The firing card: its time in the zone, named, with the UTC instant on hover.
    wait_for(
        driver,
        lambda d: times(d, AlertIds.FIRING),
        lambda spans: all_shown_in(spans, offset, "%Y-%m-%d %H:%M:%S", " " + zone),
        message=f"the firing card's time in {zone}",
    )
    # The history table: times in the zone, its header naming it.
    wait_for(
        driver,
        lambda d: times(d, AlertIds.HISTORY),
        lambda spans: all_shown_in(spans, offset, "%Y-%m-%d %H:%M:%S"),
        message=f"the history's times in {zone}",
    )
    wait_for(
        driver,
        lambda d: d.execute_script(f"return document.querySelector('#{AlertIds.HISTORY} th').textContent"),
        lambda head: head == f"time ({zone})",
        message="the history's time header",
    )
    # The chart: the alerts fired in the hour from 12:00 UTC; its axis reads that hour in the zone.
    wait_for(driver, lambda d: tick_hours(d, AlertIds.HISTORY_CHART), lambda h: bool(h) and h <= hours, 20, "ticks")


def test_times_in_the_viewers_zone_with_a_utc_toggle(zone_app, kolkata, serve):
    driver = kolkata
    base = serve(zone_app)

    driver.get(base + "/discovery")
    # A DataTable time column: 11:30 UTC (link 6, half an hour before NOW) shows as 17:00.
    cells = wait_for(driver, found_column, lambda c: column_in(c, OFFSET), 20, "the finds' times at +05:30")
    assert ["2026-11-28 17:00", "2026-11-28 11:30 UTC"] in cells
    assert found_header(driver) == f"found ({ZONE_NAME})"
    wait_text(driver, Shell.TIME_ZONE_TOGGLE, ZONE_NAME)

    driver.get(base + "/alerts")
    check_alerts(driver, OFFSET, ZONE_NAME, {17, 18})
    # The header clock: the viewer's time, UTC on hover.
    wait_for(
        driver,
        lambda d: d.find_element(By.ID, Shell.CLOCK).get_attribute("title"),
        lambda title: bool(re.fullmatch(r"UTC \d\d:\d\d:\d\d", title or "")),
        message="the clock's UTC title",
    )

    # The toggle: everything in UTC, the header says so.
    act(driver, lambda d: d.find_element(By.ID, Shell.TIME_ZONE_TOGGLE).click())
    wait_text(driver, Shell.TIME_ZONE_TOGGLE, "UTC")
    check_alerts(driver, timedelta(0), "UTC", {11, 12})

    # The choice survives a reload (localStorage), and holds on every page.
    driver.refresh()
    wait_text(driver, Shell.TIME_ZONE_TOGGLE, "UTC")
    check_alerts(driver, timedelta(0), "UTC", {11, 12})
    wait_for(driver, lambda d: d.find_element(By.ID, Shell.CLOCK).text, lambda t: t.endswith(" UTC"), message="clock")
    driver.get(base + "/discovery")
    wait_for(driver, found_column, lambda c: column_in(c, timedelta(0)), 20, "the finds' times in UTC")
    assert ["2026-11-28 11:30", "2026-11-28 11:30 UTC"] in found_column(driver)
    assert found_header(driver) == "found (UTC)"

    # And back to the viewer's zone without a reload.
    act(driver, lambda d: d.find_element(By.ID, Shell.TIME_ZONE_TOGGLE).click())
    wait_for(driver, found_column, lambda c: column_in(c, OFFSET), message="the finds' times at +05:30 again")
    assert found_header(driver) == f"found ({ZONE_NAME})"
    assert browser_errors(driver) == []
