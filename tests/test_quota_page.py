"""The quota page in a real headless Chromium shows the ledger's numbers, live."""

from __future__ import annotations

import threading
import uuid

import pytest
from conftest import make_settings
from selenium.webdriver.common.by import By
from werkzeug.serving import make_server

from pages.quotas.ids import QuotaIds, provider_id
from tests.browser import read, wait_for

pytestmark = pytest.mark.browser

KEYS = {"serpstack": "sk-test-00001a2b", "valueserp": "vs-test-0000c3d4", "builtwith": "bw-test-0000e5f6"}


@pytest.fixture
def running_app(tmp_path):
    """The full app (create_app) on a free loopback port: fresh SQLite, in-process Redis."""
    from app import create_app

    settings = make_settings(
        database_url=f"sqlite:///{tmp_path / 'lp.db'}",
        redis_url=f"memory://{uuid.uuid4().hex}",
        simulate="off",
        refresh_rate_ms=500,
        api_keys=KEYS,
    )
    app = create_app(settings)
    ctx = app.server.extensions["mission_control"]
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ctx
    server.shutdown()
    ctx.stop()
    ctx.services.dispose()


@pytest.fixture
def browser(chrome):
    """The shared headless Chromium (conftest's `chrome`), tall enough for every provider card."""
    chrome.set_window_size(1600, 1400)
    return chrome


def text_of(driver, element_id: str, timeout: float = 15, equals: str | None = None) -> str:
    """The text of `#element_id` once it shows any text (or exactly `equals`), looked up afresh
    on every poll: the page redraws sections between finding an element and reading it."""
    return wait_for(
        driver,
        lambda d: d.find_element(By.ID, element_id).text.strip(),
        lambda value: bool(value) if equals is None else value == equals,
        timeout,
        f"#{element_id} showing {equals!r}" if equals is not None else f"#{element_id} showing text",
    )


def test_quota_page_shows_the_ledger(running_app, browser):
    url, ctx = running_app
    ctx.quotas.consume("serpstack", 437, query_type="serp_positions", caller="rank-tracker")
    ctx.quotas.consume("builtwith", 23, query_type="technology_stack")
    ctx.quotas.consume("valueserp", 40)
    decision = ctx.quotas.route("technology_stack", "high", caller="prospector")
    ledger = {s["api_name"]: s for s in ctx.quotas.statuses()}

    browser.get(url + "/quotas")
    for name in ("serpstack", "builtwith", "valueserp", "hunter_io"):
        s = ledger[name]
        assert text_of(browser, provider_id(QuotaIds.USED, name)) == f"{s['used']:,}"
        assert text_of(browser, provider_id(QuotaIds.LIMIT, name)) == f"{s['limit']:,}"
        assert text_of(browser, provider_id(QuotaIds.REMAINING, name)) == f"{s['remaining']:,}"
        assert text_of(browser, provider_id(QuotaIds.RESET, name)) == s["reset_date"][:10]
    assert text_of(browser, provider_id(QuotaIds.USED, "serpstack")) == "437"
    assert text_of(browser, provider_id(QuotaIds.REMAINING, "serpstack")) == "563"
    assert text_of(browser, provider_id(QuotaIds.STATUS, "serpstack")) == ledger["serpstack"]["status"]
    # a provider without a key is greyed out and says so; keys only ever appear masked
    assert text_of(browser, provider_id(QuotaIds.KEY, "hunter_io")) == "no API key"
    card_class = read(
        browser, lambda d: d.find_element(By.ID, provider_id(QuotaIds.CARD, "hunter_io")).get_attribute("class")
    )
    assert "quota-disabled" in card_class
    assert text_of(browser, provider_id(QuotaIds.KEY, "serpstack")) == "••••1a2b"
    assert "sk-test-00001a2b" not in browser.page_source
    assert text_of(browser, QuotaIds.SUMMARY_USED) == f"{437 + 23 + 40:,} / {1000 + 100 + 200:,}"
    assert decision["provider"] in text_of(browser, QuotaIds.DECISIONS)
    assert "prospector" in text_of(browser, QuotaIds.DECISIONS)

    # live: usage recorded after the page loaded appears on the next ticks
    ctx.quotas.consume("serpstack", 63)
    assert text_of(browser, provider_id(QuotaIds.USED, "serpstack"), equals="500") == "500"
    assert text_of(browser, provider_id(QuotaIds.REMAINING, "serpstack"), equals="500") == "500"
    ctx.quotas.consume("serpstack", 500)
    ctx.quotas.route("serp_positions", "low", caller="batch")  # serpstack is out: emergency backup
    assert text_of(browser, QuotaIds.SUMMARY_BACKUPS, equals="1") == "1"
    assert text_of(browser, provider_id(QuotaIds.STATUS, "serpstack"), equals="Critical") == "Critical"
    assert text_of(browser, provider_id(QuotaIds.REMAINING, "serpstack"), equals="0") == "0"
    events = text_of(browser, QuotaIds.EVENTS)
    assert "BACKUP" in events and "serpstack exhausted" in events
