"""The domain intelligence page in a real Chromium: the hunter lists expired domains by value,
the calculator's breakdown sums to the score shown, portfolios show referring domains, the
expiring-within filter works, and the console stays clean."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from analytics import domains as q
from pages.domains.ids import DomainIds as Dom
from scoring.domain_value import DEFAULT_WEIGHTS
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.conftest import browser_errors
from tests.test_discovery_page import cells, page_app  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.browser


def test_domains_page(page_app, chrome, serve):  # noqa: F811
    app, ctx = page_app
    lp.insert(ctx.services, "social_mentions", ad.mentions())
    chrome.get(serve(app) + "/domains")
    WebDriverWait(chrome, 20).until(lambda d: len(cells(d, Dom.HUNTER)) == 2)
    hunter = cells(chrome, Dom.HUNTER)
    assert [r[0] for r in hunter] == ["old-gem.example", "lapsed.example"]
    assert hunter[0][4:7] == ["2", "65", "2"]  # links to it, their avg authority, referring domains
    expected = q.value_breakdown(ctx.services.mc_engine, "old-gem.example", DEFAULT_WEIGHTS)
    assert chrome.find_element(By.ID, Dom.SCORE).text == f"old-gem.example: {expected['value']:.2f}"
    points = [float(r[3]) for r in cells(chrome, Dom.BREAKDOWN_TABLE)]
    assert sum(points) == pytest.approx(expected["value"])
    portfolios = {r[0]: r for r in cells(chrome, Dom.PORTFOLIOS)}
    assert portfolios[ad.MINE][1] == "4" and portfolios[ad.RIVAL][1] == "3"
    box = chrome.find_element(By.ID, Dom.WITHIN)
    box.send_keys("7\n")
    WebDriverWait(chrome, 15).until(lambda d: [r[0] for r in cells(d, Dom.HUNTER)] == ["soon.example"])
    assert browser_errors(chrome) == []
