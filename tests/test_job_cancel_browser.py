"""Cancelling a job from its page in real Chromium, on PostgreSQL + Redis, against a stand-in of
Link Profiler's command API (a real HTTP server that checks the bearer token and, like Link
Profiler's coordinator, sets the job's status to cancelled): an operator signed in through the
form confirms the browser's own dialog (it names the job and its target, as text) and sees the
outcome and the job's status change without a reload; a viewer sees the button disabled with
the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from auth import users as auth_users
from commands import audit
from commands.settings import CommandSettings
from common.identity import Role
from pages.jobs.ids import JobIds as Jobs
from tests import lp_rows as lp
from tests.browser import act, read, wait_for, wait_text
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW
from tests.lp_command_api import PASSWORD as LP_PASSWORD
from tests.lp_command_api import USERNAME as LP_USERNAME
from tests.lp_command_api import LpCommandApi
from tests.test_auth import PASSWORD, auth_settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

JOB = "job-run-1"
# Crawled: markup, a bidi control and a line break that would fake a line of the dialog.
HOSTILE = '<img src=x id=pwned onerror="document.title=1">https://evil.example/\u202e\nGo ahead?'
SHOWN = '<img src=x id=pwned onerror="document.title=1">https://evil.example/ Go ahead?'


@pytest.fixture
def lp_api():
    api = LpCommandApi().up()
    yield api
    api.down()


@pytest.fixture
def cancel_world(pg_url, redis_url, lp_api):
    """Sign-in required, an operator and a viewer, a running job, Link Profiler's API stand-in."""
    commands = CommandSettings(
        lp_api_url=lp_api.url, lp_api_username=LP_USERNAME, lp_api_password=LP_PASSWORD, observe_s=5.0
    )
    services = build_services(pg_url, redis_url, "M", auth=auth_settings(), commands=commands)
    job = lp.job("in_progress", created=NOW - timedelta(minutes=30), started=NOW - timedelta(minutes=5), progress=40.0)
    lp.insert(services, "crawl_jobs", [{**job, "id": JOB, "target_url": HOSTILE}])

    def cancel(job_id: str) -> None:
        # What Link Profiler's coordinator does on cancel_job: the stand-in plays Link Profiler,
        # so it writes Link Profiler's table (Mission Control never does).
        with services.engine.begin() as conn:
            conn.execute(sa.text("UPDATE crawl_jobs SET status = 'cancelled' WHERE id = :id"), {"id": job_id})

    lp_api.on_cancel = cancel
    auth_users.add_user(services.mc_engine, "otto", PASSWORD, Role.OPERATOR)
    auth_users.add_user(services.mc_engine, "vera", PASSWORD, Role.VIEWER)
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield app, services
    services.dispose()


def _sign_in(driver, base: str, name: str, path: str) -> None:
    driver.get(base + path)
    wait_for(driver, lambda d: d.current_url, lambda u: "/signin" in u, message="the sign-in form")
    act(driver, lambda d: d.find_element(By.ID, "mc-signin-name").send_keys(name))
    act(driver, lambda d: d.find_element(By.ID, "mc-signin-password").send_keys(PASSWORD))
    act(driver, lambda d: d.find_element(By.ID, "mc-signin-submit").click())
    wait_for(driver, lambda d: d.current_url, lambda u: u == base + path, message=f"back on {path}")


def _cancel_button(driver):
    return driver.find_element(By.CSS_SELECTOR, f"#{Jobs.COMMANDS} button.cmd-job_cancel")


def test_an_operator_cancels_a_job_from_its_page_and_sees_its_status_change(cancel_world, lp_api, chrome, serve):
    app, services = cancel_world
    base = serve(app)
    _sign_in(chrome, base, "otto", f"/jobs?id={JOB}")
    wait_text(chrome, Jobs.JOB_STATUS, "in_progress")
    wait_for(chrome, lambda d: _cancel_button(d).is_enabled(), message="Cancel job enabled")
    act(chrome, lambda d: d.find_element(By.ID, "job-cmd-reason").send_keys("customer withdrew"))
    act(chrome, lambda d: _cancel_button(d).click())
    confirm = WebDriverWait(chrome, 10).until(expected_conditions.alert_is_present())
    # The browser's own dialog, plain text: the job, its target as one line of text, the effect.
    assert confirm.text.startswith(
        f"Cancel job {JOB} ({SHOWN})\n\nLink Profiler will cancel job {JOB}: remove it from the queues, "
        "set its status to cancelled"
    )
    confirm.accept()
    line = wait_for(
        chrome,
        lambda d: d.find_element(By.ID, "job-cmd-outcome").text,
        lambda t: t.startswith("✓"),
        message="the outcome line",
    )
    assert line == f"✓ Cancel job {JOB}: Link Profiler: Job {JOB} cancelled successfully. · seen: job status: cancelled"
    # The page re-reads the job: its status changes without a reload, and Cancel no longer applies.
    wait_text(chrome, Jobs.JOB_STATUS, "cancelled")
    wait_text(chrome, Jobs.COMMANDS, "no command applies to a job in this status")
    assert lp_api.paths() == ["/token", f"/api/queue/cancel_job/{JOB}"]
    [record] = audit.page(services.mc_engine, audit.AuditFilter())[0]
    assert (record["user"], record["action"], record["target"], record["reason"], record["result"]) == (
        "otto",
        "job_cancel",
        JOB,
        "customer withdrew",
        "ok",
    )
    assert read(chrome, lambda d: d.find_elements(By.ID, "pwned")) == []
    assert browser_errors(chrome) == []


def test_a_viewer_sees_the_cancel_button_disabled_with_the_reason(cancel_world, lp_api, chrome, serve):
    app, _services = cancel_world
    base = serve(app)
    _sign_in(chrome, base, "vera", f"/jobs?id={JOB}")
    wait_text(chrome, Jobs.JOB_STATUS, "in_progress")
    why = "cancel job (job_cancel) needs the operator role; vera (session) is a viewer"
    note = wait_for(
        chrome,
        lambda d: d.find_element(By.CSS_SELECTOR, f"#{Jobs.COMMANDS} .cmd-disabled-note").get_attribute("textContent"),
        lambda t: bool(t),
        message="the reason Cancel is disabled",
    )
    assert note == f"commands disabled: {why}"
    button = read(chrome, _cancel_button)
    assert button.is_enabled() is False
    assert button.get_attribute("title") == why
    assert lp_api.paths() == []
    assert browser_errors(chrome) == []
