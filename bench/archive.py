"""The archive's figures: a day of minute snapshots, stored, archived to Parquet, replayed.

    python -m bench.archive [--url s3://bucket/prefix --s3-endpoint http://host:port]

The document is the embedded demo's (the simulator's fleet, seeded, one producer tick with the
analytics built), kept 1,440 times with per-minute figures, in a throwaway SQLite database. The
archive defaults to a throwaway directory (file://); with --url it goes to that S3-compatible
store (credentials from the standard AWS variables). Printed: the document's JSON and stored
(zlib) sizes, the day's Parquet object, the time to archive the day (write, read back, compare,
prune) and to replay one minute from the database and from the archive (cold: a fresh process
cache, the object's one hour row group read).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from archive.minutes import encode, insert_once
from archive.parquet_store import ParquetStore
from archive.service import Archive
from archive.tables import minutes
from config import ArchiveSettings, load_settings
from data.bootstrap import create_lp_tables
from data.connections import make_engine
from producer.loop import ProducerLoop

DAY = date(2026, 11, 28)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="archive URL (default: a throwaway file:// directory)")
    parser.add_argument("--s3-endpoint", help="an S3-compatible server's URL")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"file://{tmp}/archive"
        settings = load_settings(
            {"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "MC_SIMULATE": "on", "SIMULATOR_SEED": "7"},
            dotenv_path=None,
        )
        settings = dataclasses.replace(settings, archive=ArchiveSettings(url, args.s3_endpoint, days_per_pass=1))
        engine = make_engine(settings.database_url)
        create_lp_tables(engine, "M")  # a database of Link Profiler's for the simulator to fill
        engine.dispose()
        app = create_app(settings, start_background=False)
        ctx = app.server.extensions["mission_control"]
        try:
            assert ctx.simulator is not None and ctx.archive is not None
            ctx.simulator.seed_initial()
            now = datetime.now(UTC).replace(tzinfo=None)
            ProducerLoop(ctx).tick(now=now)
            _v, doc = ctx.snapshots.load()
            assert doc is not None
            run(ctx.archive, ctx.services.mc_engine, doc, url, args.s3_endpoint)
        finally:
            ctx.stop()
            ctx.services.dispose()
    return 0


def run(archive: Archive, engine, doc: dict, url: str, endpoint: str | None) -> None:
    raw = len(json.dumps(doc, separators=(",", ":")).encode())
    stored = len(encode(doc))
    start = datetime.combine(DAY, datetime.min.time())
    t0 = time.perf_counter()
    for i in range(1440):
        kept = copy.deepcopy(doc)
        kept["crawler_mission_status"]["total_pages_crawled_24h"] = 10_000 + i
        insert_once(engine, start + timedelta(minutes=i), i + 1, encode(kept))
    wrote = time.perf_counter() - t0
    at = start + timedelta(hours=3, minutes=12)

    t0 = time.perf_counter()
    from_db = archive.replay(at)
    replay_db = time.perf_counter() - t0
    assert from_db is not None and from_db.source == "database"

    t0 = time.perf_counter()
    report = archive.run_pass(start + timedelta(days=archive.retention_days + 2))
    passed = time.perf_counter() - t0
    assert report.error is None and report.archived == [(minutes.name, DAY, 1440)], report

    archive._replays.clear()  # cold: nothing of that minute in this process
    t0 = time.perf_counter()
    from_archive = archive.replay(at)
    replay_archive = time.perf_counter() - t0
    assert from_archive is not None and from_archive.source == "archive"
    assert from_archive.document["crawler_mission_status"]["total_pages_crawled_24h"] == 10_192

    store = ParquetStore(url, endpoint)
    size = store.fs.size(store.path(minutes.name, DAY))
    print(f"document: {raw:,} B JSON, {stored:,} B stored (zlib), {raw / stored:.1f}x")
    print(f"a day in the database: {1440 * stored / 1e6:.1f} MB; written in {wrote:.2f} s (1,440 inserts)")
    print(f"the day's Parquet object: {size / 1e6:.2f} MB ({url.split('://')[0]})")
    print(f"archive pass for the day (write, read back, compare, prune): {passed:.2f} s")
    print(
        f"replay 03:12: from the database {replay_db * 1000:.0f} ms, from the archive (cold) {replay_archive * 1000:.0f} ms"
    )


if __name__ == "__main__":
    raise SystemExit(main())
