"""A full rollup build in chunks of whole days (analytics.link_rollups.build_new_links, lost links
streamed) writes exactly the rows of the one-pass build, on PostgreSQL (variants M and O).

The data: 3,000 links from the simulator's bulk loader over 60 days (some inactive or 404, so
lost links exist), plus the hand-made world of tests/analytics_data. The chunk size is forced
small (at least three chunks) and the streamed results are cut into parts of 50 rows, so pairs,
per-key counts and lost links are merged across chunks and across parts."""

import dataclasses

import pytest

from analytics.dialect import frame
from analytics.tables import ROLLUP_TABLES

from analytics import link_rollups
from analytics.refresh import Refresher
from analytics.settings import AnalyticsSettings
from simulator.bulk import bulk_load_backlinks
from tests import analytics_data as ad
from tests.analytics_data import MINE, RIVAL
from tests.conftest import build_services
from tests.dataset import NOW

CFG = AnalyticsSettings(tracked_domains=(MINE,), competitor_domains=(RIVAL,))


def _tables(engine) -> dict[str, list[tuple]]:
    """Every rollup table's rows, sorted; floats to 9 places: PostgreSQL sums a day's
    authorities in the order its plan reads them (a sequential scan for the whole table, an
    index range for a chunk), and 20.0 may come back as 20.000000000000004."""
    out: dict[str, list[tuple]] = {}
    for table in ROLLUP_TABLES:
        if table.name == "mc_rollup_state":
            continue
        rows = frame(engine, f"SELECT * FROM {table.name}").itertuples(index=False)
        out[table.name] = sorted((tuple(_cell(v) for v in row) for row in rows), key=repr)
    return out


def _cell(value):
    if isinstance(value, float):
        return None if value != value else round(value, 9)  # NaN (NULL) equals NaN here
    return str(value)


@pytest.mark.parametrize("variant", ["M", "O"])
def test_chunked_full_build_equals_one_pass(pg_url, redis_url, variant, monkeypatch):
    services = build_services(pg_url, redis_url, variant)
    try:
        ad.load(services)
        hand_made = len(ad.links(services)) + len(ad.gem_links(services))
        bulk_load_backlinks(services, 3000, seed=5, days=60, domains=400, now=NOW)
        one_pass = Refresher(services, dataclasses.replace(CFG, rollup_chunk_links=0)).refresh(NOW, full=True)
        expected = _tables(services.mc_engine)

        with services.engine.connect() as conn:
            chunks = link_rollups.day_chunks(conn, services.schema, 1000)
        assert len(chunks) >= 3
        monkeypatch.setattr(link_rollups, "STREAM_ROWS", 50)
        chunked = Refresher(services, dataclasses.replace(CFG, rollup_chunk_links=1000)).refresh(NOW, full=True)
        assert chunked is not None and chunked["links"]["chunks"] == len(chunks)
        assert "chunks" not in one_pass["links"]
        got = _tables(services.mc_engine)
    finally:
        services.dispose()

    # The rows a page reads, not only their number: every table the build writes holds rows.
    for name in (
        "mc_rollup_links_daily",
        "mc_rollup_ref_domains",
        "mc_rollup_ref_domains_daily",
        "mc_rollup_counts",
        "mc_rollup_count_tail",
        "mc_rollup_anchors_daily",
        "mc_rollup_top_links",
        "mc_rollup_cell_links",
        "mc_rollup_lost_links",
        "mc_rollup_lost_daily",
        "mc_rollup_links_hourly",
    ):
        assert expected[name], name
    assert got == expected
    assert one_pass["links"]["links"] == chunked["links"]["links"] == 3000 + hand_made
