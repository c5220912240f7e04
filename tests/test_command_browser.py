"""The mission page's command controls in real Chromium, on PostgreSQL + Redis, against a
stand-in of Link Profiler's command API: an operator pauses dispatch (the browser's own
confirmation says what will happen) and sees the outcome Link Profiler answered and what was
observed; a viewer sees the buttons disabled with the reason."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from app import create_app
from commands import audit
from commands.settings import CommandSettings
from tests.browser import wait_for
from tests.conftest import browser_errors, build_services
from tests.lp_command_api import PASSWORD, USERNAME, LpCommandApi

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
def lp_api():
    api = LpCommandApi().up()
    yield api
    api.down()


def _app(pg_url, redis_url, lp_api, **overrides):
    commands = CommandSettings(lp_api_url=lp_api.url, lp_api_username=USERNAME, lp_api_password=PASSWORD, observe_s=2.0)
    services = build_services(pg_url, redis_url, "M", commands=commands, **overrides)
    paused = services.settings.redis_keys.dispatch_paused
    lp_api.effects["/api/queue/pause_processing"] = lambda: services.redis.set(paused, "true")
    return services, create_app(services.settings, services=services, start_background=False)


def _button(driver, name: str):
    return driver.find_element(By.CSS_SELECTOR, f"button.cmd-{name}")


def _click(driver, element) -> bool:
    """Scroll `element` to the middle and click it; False while something still covers it (the
    arranged grid settles its panels after the first paint)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        return False
    return True


def test_an_operator_pauses_dispatch_and_sees_the_outcome(pg_url, redis_url, lp_api, chrome, serve):
    services, app = _app(pg_url, redis_url, lp_api)  # no MC_API_TOKEN: this host's browser is an operator
    try:
        chrome.get(serve(app) + "/")
        wait_for(chrome, lambda d: _button(d, "dispatch_pause").is_enabled(), message="Pause dispatch enabled")
        reason = chrome.find_element(By.ID, "queue-cmd-reason")
        chrome.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", reason)
        reason.send_keys("database maintenance")
        wait_for(chrome, lambda d: _click(d, _button(d, "dispatch_pause")), message="Pause dispatch clicked")
        confirm = WebDriverWait(chrome, 10).until(expected_conditions.alert_is_present())
        assert confirm.text.startswith("Link Profiler's coordinator will stop dispatching jobs")
        confirm.accept()
        line = wait_for(
            chrome,
            lambda d: d.find_element(By.ID, "queue-cmd-outcome").text,
            lambda t: t.startswith("✓"),
            message="the outcome line",
        )
        assert line == (
            "✓ Pause dispatch: Link Profiler: Job processing paused successfully. · seen: "
            "job_processing_paused is set: dispatch is paused"
        )
        assert lp_api.paths() == ["/token", "/api/queue/pause_processing"]
        [record] = audit.page(services.mc_engine, audit.AuditFilter())[0]
        assert (record["user"], record["action"], record["reason"], record["result"]) == (
            "loopback:127.0.0.1",
            "dispatch_pause",
            "database maintenance",
            "ok",
        )
        assert browser_errors(chrome) == []
    finally:
        app.server.extensions["mission_control"].stop()
        services.dispose()


def test_a_viewer_sees_the_buttons_disabled_with_the_reason(pg_url, redis_url, lp_api, chrome, serve):
    services, app = _app(pg_url, redis_url, lp_api, api_token="only-services-may-act")
    try:
        chrome.get(serve(app) + "/")
        note = wait_for(
            chrome,
            lambda d: d.find_element(By.CSS_SELECTOR, "#main-panel-queue .cmd-disabled-note").get_attribute(
                "textContent"
            ),
            message="the reason the queue commands are disabled",
        )
        assert note == (
            "commands disabled: pause dispatch (dispatch_pause) needs the operator role; anonymous (anonymous) "
            "is a viewer; resume dispatch (dispatch_resume) needs the operator role; anonymous (anonymous) is a viewer"
        )
        for name in ("dispatch_pause", "satellite_shutdown"):
            assert _button(chrome, name).is_enabled() is False
            assert "needs the operator role" in _button(chrome, name).get_attribute("title")
        assert lp_api.paths() == []
    finally:
        app.server.extensions["mission_control"].stop()
        services.dispose()
