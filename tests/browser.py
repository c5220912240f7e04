"""Reading a live page in Selenium without holding on to its elements.

Dash redraws sections while a test reads them; an element found a moment ago may be gone
(StaleElementReferenceException) or not there yet (NoSuchElementException). Every read here
looks the element up afresh on each attempt and tries again until the expected value appears or
the timeout passes; then it fails with the last value it read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 15.0
_MISSING = object()
# Text each page (its path) shows once it is filled: a panel title drawn with the page's data.
FILLED_PAGE_TEXT = {
    "/": "ACTIVE MISSIONS",
    "/discovery": "DISCOVERY RADAR",
    "/quotas": "FREE-TIER USAGE",
    "/domains": "EXPIRED DOMAIN HUNTER",
    "/performance": "SATELLITE LEADERBOARD",
    "/alerts": "CHANNELS",
    "/jobs": "JOBS",
    "/queues": "QUEUE CONTENTS",
    "/capacity": "DRAIN FORECAST",
    "/audit": "AUDIT LOG",
}
# Installed before any page script (Page.addScriptToEvaluateOnNewDocument): every
# Content-Security-Policy violation the page meets, in window.__csp.
CSP_VIOLATION_RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def wait_for(
    driver,
    read: Callable[[Any], Any],
    until: Callable[[Any], bool] | None = None,
    timeout: float = TIMEOUT,
    message: str = "",
):
    """Call `read(driver)` until `until(value)` holds (by default: until `value` is truthy) and
    return that value. A read that meets a stale or missing element is simply repeated."""
    last: list[Any] = [_MISSING]

    def attempt(d):
        value = read(d)
        last[0] = value
        return (value,) if (until(value) if until else value) else False

    try:
        return WebDriverWait(
            driver,
            timeout,
            poll_frequency=0.1,
            ignored_exceptions=(StaleElementReferenceException, NoSuchElementException),
        ).until(attempt)[0]
    except TimeoutException:
        seen = "nothing readable" if last[0] is _MISSING else repr(last[0])
        raise AssertionError(f"{message or 'condition'} not met within {timeout:.0f} s; last read {seen}") from None


def read(driver, read: Callable[[Any], Any], timeout: float = TIMEOUT):
    """One value read from the page, read again while its elements are stale or missing."""
    return wait_for(driver, read, until=lambda _: True, timeout=timeout, message="a readable page")


def text(driver, element_id: str, timeout: float = TIMEOUT) -> str:
    """The visible text of `#element_id` as it is now (looked up afresh)."""
    return read(driver, lambda d: d.find_element(By.ID, element_id).text, timeout)


def wait_text(driver, element_id: str, expected: str, timeout: float = TIMEOUT) -> str:
    """Wait until `#element_id` shows exactly `expected`."""
    return wait_for(
        driver,
        lambda d: d.find_element(By.ID, element_id).text,
        lambda value: value == expected,
        timeout,
        f"#{element_id} showing {expected!r}",
    )


def wait_text_where(driver, element_id: str, check: Callable[[str], bool], timeout: float = TIMEOUT, what: str = ""):
    """Wait until the text of `#element_id` passes `check`; return that text."""
    return wait_for(
        driver, lambda d: d.find_element(By.ID, element_id).text, check, timeout, f"#{element_id} {what}".strip()
    )


def act(driver, action: Callable[[Any], Any], timeout: float = TIMEOUT):
    """Run `action(driver)` (find an element and click or type), again if the element went stale
    before the browser acted on it."""
    return read(driver, action, timeout)


def table_cells(driver, table_id: str) -> list[list[str]]:
    """The text of a DataTable's cells, row by row, read in one go (an exception if the table is
    redrawn meanwhile: use through `read` / `wait_for`)."""
    return [
        [td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")
        if tr.find_elements(By.TAG_NAME, "td")
    ]


def wait_cells(driver, table_id: str, check: Callable[[list[list[str]]], bool], timeout: float = TIMEOUT):
    """Wait until the cells of DataTable `#table_id` pass `check`; return them."""
    return wait_for(driver, lambda d: table_cells(d, table_id), check, timeout, f"table #{table_id}")


def csp_problems(driver) -> list[str]:
    """CSP violations the page met: the console's reports and CSP_VIOLATION_RECORDER's."""
    logged = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    return logged + (driver.execute_script("return window.__csp || []") or [])


def wait_filled(driver, path: str, label: str = "", timeout: float = 30) -> None:
    """Until the page at `path` (a page path) shows its data and its graphs are drawn."""
    wait_for(
        driver,
        lambda d: FILLED_PAGE_TEXT[path] in d.find_element(By.ID, "mc-page").text,
        timeout=timeout,
        message=f"{label or path} filled",
    )
    wait_for(
        driver,
        lambda d: d.execute_script(
            "return [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"
        ),
        timeout=timeout,
        message=f"{label or path}: graphs drawn",
    )
