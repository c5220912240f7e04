"""The "links lost on a day" drill-down (a click on a velocity chart's lost bar): which rows it
shows, on each backend, and the mc_ indexes it reads by on a database made by an older release.

The world (NOW = 2026-11-28 12:00 UTC): on 11-27 mine.example lost links 100, 102, …, 128 (15,
even numbers) and rival.example 101, 103, …, 109 (5, odd numbers); on 11-26 mine.example lost
link 200. Link 100 came back (active again) after the rollup recorded it.
"""

from datetime import timedelta

from sqlalchemy import inspect, text

from analytics import discovery
from analytics.refresh import Refresher
from analytics.settings import AnalyticsSettings
from data.bootstrap import create_mc_tables
from data.mc_migrate import sync_mc_indexes
from data.mc_tables import load_feature_tables
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.analytics_data import MINE, RIVAL
from tests.dataset import NOW

D = timedelta(days=1)
CFG = AnalyticsSettings(tracked_domains=(MINE,), competitor_domains=(RIVAL,))
MINE_LOST = list(range(100, 130, 2))
RIVAL_LOST = list(range(101, 111, 2))
DAY = "2026-11-27"


def _load(svc) -> None:
    rows = [ad.link(svc, n, "a1.example", MINE, NOW - 30 * D, active=False, checked=NOW - D) for n in MINE_LOST]
    rows += [ad.link(svc, n, "a2.example", RIVAL, NOW - 30 * D, http=410, checked=NOW - D) for n in RIVAL_LOST]
    rows += [ad.link(svc, 200, "a4.example", MINE, NOW - 30 * D, http=404, checked=NOW - 2 * D)]
    rows += [ad.link(svc, 300, "a1.example", MINE, NOW - 30 * D, checked=NOW - D)]  # checked, not lost
    lp.insert(svc, "domains", ad.domains(svc))
    lp.insert(svc, "backlinks", rows)
    Refresher(svc, CFG).refresh(NOW)
    with svc.engine.begin() as conn:
        conn.execute(text("UPDATE backlinks SET is_active = true WHERE id = 'link-100'"))


def _numbers(frame) -> list[int]:
    """The links' numbers, from their source URLs (https://aN.example/p<number>-…), in row order."""
    return [int(u.split("/p")[1].split("-")[0]) for u in frame["source_url"]]


def test_lost_on_a_day_shows_the_first_links_by_id(services):
    _load(services)

    def lost(scope, limit=discovery.DRILL_LIMIT):
        return discovery.links_lost_on(services.engine, services.mc_engine, services.schema, DAY, scope, limit)

    mine = lost([MINE])
    assert _numbers(mine) == MINE_LOST[1:]  # 100 came back: recorded as lost, no longer shown
    assert set(mine["reason"]) == {"inactive"}
    assert list(mine["authority"]) == [85.0] * len(MINE_LOST[1:])
    assert mine["source_url"].str.startswith("https://a1.example/").all()
    assert _numbers(lost([RIVAL])) == RIVAL_LOST and set(lost([RIVAL])["reason"]) == {"not_found"}
    # The first 6 ids of the day (100–105), then the one that came back is left out.
    assert _numbers(lost(None, limit=6)) == [101, 102, 103, 104, 105]
    assert _numbers(lost([MINE, RIVAL], limit=6)) == [101, 102, 103, 104, 105]
    assert _numbers(lost([RIVAL, MINE, RIVAL], limit=6)) == [101, 102, 103, 104, 105]
    assert _numbers(lost([MINE], limit=3)) == [102, 104]
    assert _numbers(lost(None)) == sorted(MINE_LOST[1:] + RIVAL_LOST)
    assert lost(["nobody.example"]).empty
    other = discovery.links_lost_on(services.engine, services.mc_engine, services.schema, "2026-11-26", [MINE])
    assert _numbers(other) == [200] and list(other["reason"]) == ["not_found"]


def test_an_older_release_s_lost_link_index_is_replaced(services):
    mc = services.mc_engine
    with mc.begin() as conn:
        conn.execute(text("DROP INDEX mc_rollup_lost_links_day_target_id"))
        conn.execute(text("DROP INDEX mc_rollup_lost_links_day_id"))
        conn.execute(text("CREATE INDEX mc_rollup_lost_links_day ON mc_rollup_lost_links (lost_day, target_domain)"))
    create_mc_tables(mc)
    indexes = {i["name"]: i["column_names"] for i in inspect(mc).get_indexes("mc_rollup_lost_links")}
    assert indexes == {
        "mc_rollup_lost_links_day_target_id": ["lost_day", "target_domain", "link_id"],
        "mc_rollup_lost_links_day_id": ["lost_day", "link_id"],
    }
    assert sync_mc_indexes(mc, load_feature_tables()) == []  # nothing left to change
