"""Link rollups on SQLite and PostgreSQL (variants M and O): hand-computed figures, the
incremental refresh equal to a full rebuild, and the advisory lock.

The world (tests/analytics_data.py, NOW = 2026-11-28 12:00 UTC), authority of the linking
domains a1 85 (bucket 8), a2 45 (4), a3 5 (0), a4 95 (9):
  mine.example  ← 1 a1 11:00 · 2 a1 10:00 · 3 a2 11-27 10:00 spam · 4 a3 11-25, inactive (re-checked 11-28 07:00)
                  · 5 a4 11-18, 404 (re-checked 11-26)
  rival.example ← 6 a1 11:30 · 7 a2 11-23 spam · 8 a4 10-19
  old-gem.example ← 20 a1 08-20 · 21 a2 10-09
"""

import pytest
from sqlalchemy import text

from analytics import discovery
from analytics.dialect import frame
from analytics.refresh import LOCK_KEY, Refresher
from analytics.settings import AnalyticsSettings
from analytics.tables import ROLLUP_TABLES
from tests import analytics_data as ad
from tests import lp_rows as lp
from tests.analytics_data import MINE, RIVAL
from tests.conftest import build_services
from tests.dataset import NOW

CFG = AnalyticsSettings(tracked_domains=(MINE,), competitor_domains=(RIVAL,))


@pytest.fixture
def loaded(services):
    ad.load(services)
    Refresher(services, CFG).refresh(NOW)
    return services


def test_radar_numbers(loaded):
    r = discovery.radar(loaded.mc_engine, NOW, [MINE, RIVAL]).set_index("target_domain")
    assert r.loc[MINE].to_dict() == {
        "backlinks": 5,
        "referring_domains": 4,
        "avg_authority": 63.0,
        "new_24h": 2,
        "spam_share_pct": 20.0,
    }
    assert r.loc[RIVAL].to_dict() == {
        "backlinks": 3,
        "referring_domains": 3,
        "avg_authority": 75.0,
        "new_24h": 1,
        "spam_share_pct": 33.3,
    }
    top = discovery.radar(loaded.mc_engine, NOW, top=2)
    assert list(top["target_domain"]) == [MINE, RIVAL]


def test_heatmap_cells(loaded):
    cells = discovery.heatmap(loaded.mc_engine, NOW, 7, [MINE, RIVAL])
    got = {(d, int(b)): int(n) for d, b, n in cells.itertuples(index=False)}
    assert got == {("2026-11-28", 8): 3, ("2026-11-27", 4): 1, ("2026-11-25", 0): 1, ("2026-11-23", 4): 1}


def test_velocity_new_lost_and_referring_growth(loaded):
    v = discovery.velocity(loaded.mc_engine, NOW, 7, [MINE]).set_index("day")
    assert list(v.index) == [f"2026-11-{d}" for d in range(22, 29)]
    assert v["new_links"].to_dict() == {
        "2026-11-22": 0,
        "2026-11-23": 0,
        "2026-11-24": 0,
        "2026-11-25": 1,
        "2026-11-26": 0,
        "2026-11-27": 1,
        "2026-11-28": 2,
    }
    assert v["lost_links"].to_dict() == {
        "2026-11-22": 0,
        "2026-11-23": 0,
        "2026-11-24": 0,
        "2026-11-25": 0,
        "2026-11-26": 1,
        "2026-11-27": 0,
        "2026-11-28": 1,
    }
    assert list(v["referring_domains"]) == [1, 1, 1, 2, 2, 3, 4]


def test_anchors_finds_and_competition(loaded):
    a = discovery.anchors(loaded.mc_engine, NOW, 30, [MINE])
    assert [tuple(x) for x in a.itertuples(index=False)] == [
        ("brand", 3, 60.0),
        ("best tools", 1, 20.0),
        ("click here", 1, 20.0),
    ]
    f = discovery.finds(loaded.mc_engine, NOW, 30)
    assert list(f["source_url"].str.extract(r"/p(\d+)-")[0].astype(int)) == [6, 1, 2, 5]
    assert list(f["authority"]) == [85.0, 85.0, 85.0, 95.0]
    c = discovery.competition(loaded.mc_engine, NOW, 7, [MINE, RIVAL]).set_index("domain")
    assert c.loc[MINE, ["referring_domains", "new_links", "lost_links"]].tolist() == [4, 4, 2]
    assert c.loc[RIVAL, ["referring_domains", "new_links", "lost_links"]].tolist() == [3, 2, 0]
    assert c.loc[MINE, ["mix_0", "mix_4", "mix_8", "mix_9"]].tolist() == [20.0, 20.0, 40.0, 20.0]
    assert c.loc[MINE, "new_per_day"] == round(4 / 7, 1)
    daily = discovery.competition_daily(loaded.mc_engine, NOW, 7, [MINE, RIVAL])
    assert int(daily[(daily["day"] == "2026-11-28") & (daily["domain"] == RIVAL)]["new_links"].iloc[0]) == 1


def test_drilldowns_show_the_links_behind_a_cell(loaded):
    for mc in (None, loaded.mc_engine):  # the direct query and the cell rollup agree
        found = discovery.links_found_on(loaded.engine, loaded.schema, "2026-11-28", [MINE], bucket=8, mc=mc)
        assert [u.split("/")[-1].split("-")[0] for u in found["source_url"]] == ["p1", "p2"]
        assert discovery.links_found_on(loaded.engine, loaded.schema, "2026-11-28", [MINE], bucket=0, mc=mc).empty
    lost = discovery.links_lost_on(loaded.engine, loaded.mc_engine, loaded.schema, "2026-11-26", [MINE])
    assert list(lost["reason"]) == ["not_found"] and lost["source_url"].iloc[0].startswith("https://a4.example/p5")


def test_main_screen_metrics_from_rollups(loaded):
    m = discovery.discovery_metrics(loaded.mc_engine, NOW)
    assert m["total_backlinks_discovered"] == 10
    assert m["unique_domains_discovered"] == 4
    assert m["new_backlinks_24h"] == 3 and m["potential_spam_links_24h"] == 0
    assert m["avg_authority_score"] == round((85 * 4 + 45 * 3 + 5 + 95 * 2) / 10, 2)
    assert m["top_linking_domains"][0] == {"domain": "a1.example", "backlinks": 4}
    assert m["top_target_urls"][0] == {"url": f"https://{MINE}/", "backlinks": 5}


def _tables(engine) -> dict:
    out = {}
    for table in ROLLUP_TABLES:
        if table.name == "mc_rollup_state":
            continue
        f = frame(engine, f"SELECT * FROM {table.name}")
        out[table.name] = sorted(map(repr, f.astype(str).itertuples(index=False)))
    return out


def test_incremental_refresh_equals_full_rebuild(services):
    """Refresh at 10:00 with part of the world; then links arrive (one committed 50 min late)
    and link 4 is found lost; a refresh at 12:00 must equal a rebuild from scratch."""
    early = NOW.replace(hour=10)
    lp.insert(services, "domains", ad.domains(services))
    # Back-dated rows (here the old-gem links) are only seen by a rebuild, so they come first.
    first = ad.links(services, [3, 4, 5, 7, 8])
    first[1]["is_active"], first[1]["crawl_timestamp"] = (
        True,
        first[1]["discovered_date" if services.schema.variant == "M" else "first_seen"],
    )
    lp.insert(services, "backlinks", first + ad.gem_links(services))
    refresher = Refresher(services, CFG)
    refresher.refresh(early)
    lp.insert(services, "backlinks", ad.links(services, [1, 2, 6]))
    with services.engine.begin() as conn:
        conn.execute(
            text("UPDATE backlinks SET is_active = :no, crawl_timestamp = :t WHERE id = 'link-4'"),
            {"no": False, "t": NOW - ad.H * 1.5},
        )
    refresher.refresh(NOW)
    refresher.refresh(NOW)  # a second run changes nothing
    incremental = _tables(services.mc_engine)
    Refresher(services, CFG).refresh(NOW, full=True)
    assert incremental == _tables(services.mc_engine)
    v = discovery.velocity(services.mc_engine, NOW, 7, [MINE]).set_index("day")
    assert v.loc["2026-11-28", "lost_links"] == 1 and v.loc["2026-11-28", "new_links"] == 2


def test_refresh_skips_while_another_producer_holds_the_lock(pg_url, redis_url):
    # The advisory lock is PostgreSQL's (on SQLite one process refreshes, under a process lock).
    services = build_services(pg_url, redis_url, "M")
    refresher = Refresher(services, CFG)
    refresher.ensure_tables()
    with services.mc_engine.connect() as conn:
        assert conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
        assert refresher.refresh(NOW) is None
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
    assert refresher.refresh(NOW) is not None
    services.dispose()
