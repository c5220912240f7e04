"""The alert center in a real Chromium on PostgreSQL + Redis: firing alerts grouped by severity
with a hostile satellite name shown as text, acknowledge (a comment is required) recorded with
who and why, a type silence made and ended from the page, and the history listing it all."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from app import create_app
from pages.alerts.ids import AlertIds
from tests.browser import act, wait_for, wait_text, wait_text_where
from tests.conftest import browser_errors, build_services
from tests.test_alert_support import FAST, at, fleet_doc, make_engine

pytestmark = pytest.mark.browser

HOSTILE = "sat-<img src=x onerror=alert(1)>"


@pytest.fixture
def alert_app(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=400)
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    make_engine(ctx, FAST)
    yield app, ctx
    ctx.stop()
    services.dispose()


def publish(ctx, t: float, **fleet) -> None:
    """One producer tick at test time `t`: evaluate the rules on a snapshot and publish it. The
    engine's clock (used by the page's actions) then reads `t` too."""
    ctx.alerts.clock = lambda: at(t)
    doc = fleet_doc(**fleet)
    doc["alerts"] = ctx.alerts.evaluate(doc, at(t))
    ctx.snapshots.publish(doc)


# The panels are redrawn under the test's feet, so cards are read and buttons clicked in one
# script each (no element reference survives a redraw).
CARDS_JS = f"""
const out = {{}};
for (const card of document.querySelectorAll('#{AlertIds.FIRING} .ac-card')) {{
  out[card.querySelector('.ac-type').textContent] = card.innerText;
}}
return out;
"""
BUTTON_JS = f"""
const [kind, label, click] = arguments;
for (const card of document.querySelectorAll('#{AlertIds.FIRING} .ac-card')) {{
  if (card.querySelector('.ac-type').textContent !== kind) continue;
  const button = [...card.querySelectorAll('button')].find(b => b.textContent === label);
  if (!button) return null;
  if (click) button.click();
  return !button.disabled;
}}
return null;
"""


def cards(driver) -> dict[str, str]:
    """{alert type: card text} of the firing panel."""
    return driver.execute_script(CARDS_JS)


def click(driver, kind: str, label: str) -> None:
    assert driver.execute_script(BUTTON_JS, kind, label, True) is not None, f"no {label!r} on the {kind} card"


def enabled(driver, kind: str, label: str) -> bool | None:
    return driver.execute_script(BUTTON_JS, kind, label, False)


def status_becomes(driver, text: str) -> None:
    wait_text(driver, AlertIds.STATUS, text)


def card_shows(driver, kind: str, check, what: str) -> str:
    """Wait until the firing panel's `kind` card passes `check` (re-read on every poll)."""
    return wait_for(
        driver, lambda d: cards(d).get(kind), lambda t: t is not None and check(t), message=f"{kind} {what}"
    )


def test_alert_center_acknowledge_and_silence(alert_app, chrome, serve):
    app, ctx = alert_app
    publish(ctx, 0)
    publish(ctx, 1, dead=(HOSTILE,), queue_depth=4000)
    chrome.get(serve(app) + "/alerts")
    wait_for(chrome, cards, lambda c: set(c) == {"satellite_failure", "queue_overflow"}, 20, "the two firing cards")
    wait_for(
        chrome,
        lambda d: [g.text for g in d.find_elements(By.CSS_SELECTOR, f"#{AlertIds.FIRING} .ac-group")],
        lambda groups: groups == ["CRITICAL · 1", "WARNING · 1"],
        message="the severity groups",
    )
    failure = cards(chrome)["satellite_failure"]
    assert HOSTILE in failure, "the crawled name is shown as text"
    assert chrome.execute_script(f"return document.querySelectorAll('#{AlertIds.FIRING} img').length") == 0

    click(chrome, "satellite_failure", "Acknowledge")
    status_becomes(chrome, "Write a comment first: say what is being done about the alert")
    assert ctx.alerts.store.history(event="acknowledged") == []
    act(chrome, lambda d: d.find_element(By.ID, AlertIds.COMMENT).send_keys("rebooting the host"))
    click(chrome, "satellite_failure", "Acknowledge")
    status_becomes(chrome, "Acknowledged")
    [row] = ctx.alerts.store.history(event="acknowledged")
    assert (row["comment"], row["actor"]) == ("rebooting the host", "loopback:127.0.0.1")

    publish(ctx, 2, dead=(HOSTILE,), queue_depth=4000)  # the producer applies it on its next tick
    card_shows(chrome, "satellite_failure", lambda t: "loopback:127.0.0.1: rebooting the host" in t, "with the ack")
    assert "ACK" in cards(chrome)["satellite_failure"].split("\n")[:3]
    assert enabled(chrome, "satellite_failure", "Acknowledge") is False

    click(chrome, "queue_overflow", "Silence all queue_overflow")
    status_becomes(chrome, "Every queue_overflow alert silenced for 60 min")
    publish(ctx, 3, dead=(HOSTILE,), queue_depth=4000)
    wait_text_where(chrome, AlertIds.SILENCES, lambda t: "all queue_overflow" in t, what="listing the silence")
    card_shows(chrome, "queue_overflow", lambda t: "SILENCED" in t, "silenced")
    chrome.execute_script(f"document.querySelector('#{AlertIds.SILENCES} button').click()")
    status_becomes(chrome, "Silence ended")
    publish(ctx, 4, dead=(HOSTILE,), queue_depth=4000)
    wait_text(chrome, AlertIds.SILENCES, "No active silence")
    card_shows(chrome, "queue_overflow", lambda t: "SILENCED" not in t, "no longer silenced")

    events = [e["event"] for e in ctx.alerts.store.history()]
    assert events.count("acknowledged") == 1 and events.count("firing") == 2
    assert browser_errors(chrome) == []
