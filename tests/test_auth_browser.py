"""Signing in through the form in a real Chromium (PostgreSQL + Redis): the header then shows
the user and their role, the page's own Dash callback writes pass with the CSRF token the
renderer copies from its cookie (an acknowledgement recorded under the user's name), and
signing out leads back to the sign-in form."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from app import create_app
from auth import users as auth_users
from common.identity import Role
from pages.alerts.ids import AlertIds
from pages.shell.ids import ShellIds as Shell
from tests.browser import act, wait_for, wait_text, wait_text_where
from tests.conftest import browser_errors, build_services
from tests.test_alert_page import cards, click
from tests.test_alert_support import FAST, at, fleet_doc, make_engine
from tests.test_auth import PASSWORD, auth_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_app(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=400, auth=auth_settings())
    auth_users.add_user(services.mc_engine, "otto", PASSWORD, Role.OPERATOR)
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    make_engine(ctx, FAST)
    ctx.alerts.clock = lambda: at(1)
    doc = fleet_doc(dead=("sat-a",))
    doc["alerts"] = ctx.alerts.evaluate(doc, at(1))
    ctx.snapshots.publish(doc)
    yield app, ctx
    ctx.stop()
    services.dispose()


def test_sign_in_through_the_form_shows_the_user_and_page_writes_work(signed_app, chrome, serve):
    app, ctx = signed_app
    base = serve(app)
    chrome.get(base + "/alerts")
    # Sign-in is required: the page sends the browser to the form, which brings it back after.
    wait_for(chrome, lambda d: d.current_url, lambda u: "/signin?next=/alerts" in u, message="the sign-in form")
    act(chrome, lambda d: d.find_element(By.ID, "mc-signin-name").send_keys("otto"))
    act(chrome, lambda d: d.find_element(By.ID, "mc-signin-password").send_keys(PASSWORD))
    act(chrome, lambda d: d.find_element(By.ID, "mc-signin-submit").click())
    wait_for(chrome, lambda d: d.current_url, lambda u: u == base + "/alerts", message="back on the alert center")
    header = wait_text_where(chrome, Shell.USER, lambda t: "otto" in t, what="the signed-in user")
    assert header.replace("\n", " ").split()[:2] == ["otto", "OPERATOR"]  # the role is shown in capitals
    assert chrome.find_element(By.ID, Shell.SIGN_OUT).text == "Sign out"

    # A Dash callback write from the page: the renderer sends X-CSRFToken from the cookie.
    wait_for(chrome, cards, lambda c: "satellite_failure" in c, 20, "the firing card")
    act(chrome, lambda d: d.find_element(By.ID, AlertIds.COMMENT).send_keys("rebooting the host"))
    click(chrome, "satellite_failure", "Acknowledge")
    wait_text(chrome, AlertIds.STATUS, "Acknowledged")
    [row] = ctx.alerts.store.history(event="acknowledged")
    assert (row["actor"], row["comment"]) == ("otto", "rebooting the host")
    assert browser_errors(chrome) == []

    act(chrome, lambda d: d.find_element(By.ID, Shell.SIGN_OUT).click())
    chrome.get(base + "/alerts")
    wait_for(chrome, lambda d: d.current_url, lambda u: "/signin" in u, message="signed out: the form again")
