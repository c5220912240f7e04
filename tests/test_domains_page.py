"""The domain intelligence page in a real Chromium: the hunter lists expired domains by value,
the calculator's breakdown sums to the score shown, portfolios show referring domains, the
expiring-within filter works, and the console stays clean."""

import pytest
from selenium.webdriver.common.by import By

from analytics import domains as q
from pages.domains.ids import DomainIds as Dom
from scoring.domain_value import DEFAULT_WEIGHTS
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.browser import act, wait_cells, wait_text
from tests.conftest import browser_errors
from tests.test_discovery_page import page_app  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.browser


def test_domains_page(page_app, chrome, serve):  # noqa: F811
    app, ctx = page_app
    lp.insert(ctx.services, "social_mentions", ad.mentions())
    chrome.get(serve(app) + "/domains")
    hunter = wait_cells(chrome, Dom.HUNTER, lambda rows: len(rows) == 2, 20)
    assert [r[0] for r in hunter] == ["old-gem.example", "lapsed.example"]
    assert hunter[0][4:7] == ["2", "65", "2"]  # links to it, their avg authority, referring domains
    expected = q.value_breakdown(ctx.services.mc_engine, "old-gem.example", DEFAULT_WEIGHTS)
    wait_text(chrome, Dom.SCORE, f"old-gem.example: {expected['value']:.2f}")
    points = [float(r[3]) for r in wait_cells(chrome, Dom.BREAKDOWN_TABLE, bool)]
    assert sum(points) == pytest.approx(expected["value"])
    rows = wait_cells(chrome, Dom.PORTFOLIOS, lambda rows: {ad.MINE, ad.RIVAL} <= {r[0] for r in rows})
    portfolios = {r[0]: r for r in rows}
    assert portfolios[ad.MINE][1] == "4" and portfolios[ad.RIVAL][1] == "3"
    act(chrome, lambda d: d.find_element(By.ID, Dom.WITHIN).send_keys("7\n"))
    wait_cells(chrome, Dom.HUNTER, lambda rows: [r[0] for r in rows] == ["soon.example"])
    assert browser_errors(chrome) == []
