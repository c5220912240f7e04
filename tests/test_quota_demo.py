"""The embedded demo's quota page in a real Chromium: within two minutes of `python app.py`
it shows usage, routing decisions, an emergency backup switch, and serpstack's breaker opening
and closing again, with simulated keys marked as such."""

from __future__ import annotations

import re
import time

import pytest

from pages.quotas.ids import QuotaIds as Ids
from pages.quotas.ids import provider_id
from tests.browser import text, wait_text_where
from tests.test_wall_state import AppProcess, _free_port

pytestmark = pytest.mark.browser

ALIVE_WITHIN_S = 120  # the promise, counted from the process start


def test_the_demo_quota_page_is_alive_within_two_minutes(tmp_path, chrome):
    app = AppProcess(tmp_path, _free_port())
    started = time.monotonic()
    try:
        app.start()
        app.wait_ready()
        chrome.get(app.base + "/quotas")

        def left() -> float:
            return max(ALIVE_WITHIN_S - (time.monotonic() - started), 1.0)

        events = wait_text_where(
            chrome,
            Ids.EVENTS,
            lambda t: all(k in t for k in ("CIRCUIT OPEN", "BACKUP", "CIRCUIT CLOSED")),
            timeout=left(),
            what="shows serpstack's breaker opening, a backup switch and the breaker closing",
        )
        assert "serpstack circuit opened" in events and "valueserp" in events
        decisions = text(chrome, Ids.DECISIONS)
        assert "serpstack" in decisions and "emergency backup" in decisions and "simulator" in decisions
        used = int(text(chrome, Ids.SUMMARY_USED).split("/")[0].replace(",", ""))
        assert used > 0
        card = text(chrome, provider_id(Ids.CARD, "serpstack"))
        assert "SIMULATED" in card and "simulated demo key" in card
        calls = int(text(chrome, provider_id(Ids.CALLS, "serpstack")).replace(",", ""))
        assert calls > 3
        assert re.fullmatch(r"\d+\.\d% ok", text(chrome, provider_id(Ids.SUCCESS, "serpstack")))
    finally:
        app.stop()
