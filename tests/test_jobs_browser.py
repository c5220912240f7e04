"""The Jobs page in a real Chromium: the list fills, a target search narrows it, a click opens
the job's page with its status, a hostile target stays text; /jobs?id= opens a job directly;
the Queues and Capacity pages show their data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from pages.capacity.ids import CapacityIds as Cap
from pages.jobs.ids import JobIds as Jobs
from pages.queues.ids import QueueIds as Q
from tests import lp_rows as lp
from tests.browser import act, read, wait_cells, wait_text, wait_text_where
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser

M = timedelta(minutes=1)
HOSTILE = '<img src=x id=pwned onerror="document.title=1">https://evil.example/'


@pytest.fixture
def jobs_app(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=500)
    rows = [
        lp.job(
            "completed",
            created=NOW - (30 - i) * M,
            completed=NOW - (29 - i) * M,
            target=f"https://plain{i}.example/",
            job_id=f"job-{i:02d}",
        )
        for i in range(30)
    ]
    rows.append(
        lp.job(
            "in_progress",
            created=NOW - 40 * M,
            started=NOW - 5 * M,
            progress=55.0,
            target=HOSTILE,
            job_id="job-evil",
            job_type="technical_audit",
        )
    )
    lp.insert(services, "crawl_jobs", rows)
    services.redis.lpush(
        services.settings.redis_keys.dead_letter,
        json.dumps(
            {"job_id": "dead-1", "dead_letter_reason": HOSTILE, "dead_letter_timestamp": (NOW - 3 * M).isoformat()}
        ),
    )
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield app
    services.dispose()


def test_search_open_a_job_and_see_its_status(jobs_app, chrome, serve):
    base = serve(jobs_app)
    chrome.get(base + "/jobs")
    wait_text_where(chrome, Jobs.PAGE_TEXT, lambda t: t == "jobs 1–31 of 31", what="the whole list counted")
    box = read(chrome, lambda d: d.find_element(By.ID, Jobs.TARGET))
    box.send_keys("EVIL.example" + Keys.ENTER)
    cells = wait_cells(chrome, Jobs.LIST, lambda rows: len(rows) == 1)
    assert HOSTILE in cells[0]
    wait_text(chrome, Jobs.PAGE_TEXT, "jobs 1–1 of 1")
    # Click the row: the job's page below shows its status; the hostile target is text.
    act(chrome, lambda d: d.find_element(By.CSS_SELECTOR, f"#{Jobs.LIST} td[data-dash-column='status']").click())
    wait_text(chrome, Jobs.JOB_STATUS, "in_progress")
    wait_text(chrome, Jobs.JOB_TITLE, f"technical_audit · {HOSTILE}")
    assert read(chrome, lambda d: d.find_elements(By.ID, "pwned")) == []
    assert "Cancel job" in read(chrome, lambda d: d.find_element(By.ID, Jobs.COMMANDS).text)
    # The job's own address opens it directly.
    chrome.get(base + "/jobs?id=job-05")
    wait_text(chrome, Jobs.JOB_STATUS, "completed")
    assert browser_errors(chrome) == []


def test_queue_and_capacity_pages(jobs_app, chrome, serve):
    base = serve(jobs_app)
    chrome.get(base + "/queues")
    act(chrome, lambda d: d.find_element(By.CSS_SELECTOR, f"#{Q.QUEUE} input[value='dead_letter']").click())
    cells = wait_cells(chrome, Q.TABLE, lambda rows: len(rows) == 1)
    assert "dead-1" in cells[0] and HOSTILE in cells[0] and "3 m 00 s" in cells[0]
    wait_text(chrome, Q.KIND, "dead_letter_queue is a list, newest first")
    assert read(chrome, lambda d: d.find_elements(By.ID, "pwned")) == []
    chrome.get(base + "/capacity")
    wait_text_where(chrome, Cap.SENTENCE, lambda t: "the queue is empty" in t, what="the forecast sentence")
    assert browser_errors(chrome) == []
