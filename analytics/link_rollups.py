"""Incremental rollups of `backlinks`: links found per day / hour, referring-domain pairs,
anchors, high-authority finds, and lost links.

New links are captured from a watermark on the first-seen column (`discovered_date` M /
`first_seen` O): each refresh re-aggregates whole days from the day of (watermark − late)
onwards and *replaces* those days' rows, so a refresh is idempotent and a row that commits up
to MC_ROLLUP_LATE_S late is still counted. With the opt-in index on the first-seen column this
reads only the last day or two; without it the database scans, and the answer is the same.

Lost links change old rows, so they are captured separately: rows that are lost now
(`is_active` false or HTTP 404/410) and were re-checked (`crawl_timestamp`) since the lost
watermark − late. Each lost link is recorded once, by id, on the day it was first seen lost
(its crawl_timestamp; last-seen, then first-seen, when that is empty), so re-checking a lost
link again never counts it twice. A lost link that comes back stays counted as lost on that
day (the history of losses does not change).

Reads run on Link Profiler's engine; writes go to Mission Control's (possibly another
database), so nothing here needs the two to share a server.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func
from sqlalchemy.engine import Engine

from analytics import tables as t
from analytics.dialect import (
    ts,
    LOST_SQL,
    SPAM_SQL,
    authority_source,
    bound,
    bucket_sql,
    day_key,
    day_sql,
    day_start,
    execute,
    frame,
    hour_key,
    hour_sql,
    in_list,
    insert_rows,
    upsert,
)

from data.schema import SchemaInfo

ANCHORS_PER_DAY = 25
OTHER_ANCHOR = "(other anchors)"
TOP_LINKS_PER_DAY = 100
# Newest links kept per heat-map cell (day × target × authority bucket) for its click-through.
CELL_LINKS = 50
HOURLY_KEEP_H = 72
# A (target, linking domain) pair seen again: keep its earliest first day and latest last day.
_PAIR_MERGE = {
    "first_day": lambda old, new, d: (func.least if d == "postgresql" else func.min)(old, new),
    "last_day": lambda old, new, d: (func.greatest if d == "postgresql" else func.max)(old, new),
}


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for row in df.to_dict("records"):
        out.append(
            {
                k: (
                    None
                    if (not isinstance(v, str) and v is not None and pd.isna(v))
                    else (v.item() if hasattr(v, "item") else v)
                )
                for k, v in row.items()
            }
        )
    return out


def refresh_new_links(
    lp: Engine,
    mc: Engine,
    schema: SchemaInfo,
    now: datetime,
    watermark: datetime | None,
    late_s: float,
    high_authority: float,
    chunk_links: int | None = None,
) -> tuple[datetime | None, dict]:
    """Re-aggregate the days from (watermark − late) (everything when None); returns the new
    watermark and counts of what was written.

    With no watermark and `chunk_links`, everything is built in chunks of whole days of about
    that many links each (`build_new_links`), so the memory it takes does not grow with the table;
    without `chunk_links` in one pass (the rows are the same)."""
    if watermark is None and chunk_links:
        return build_new_links(lp, mc, schema, now, late_s, high_authority, chunk_links)
    dialect = lp.dialect.name
    first = f"b.{schema.link_first_seen}"
    start = None if watermark is None else day_start(min(watermark, now) - timedelta(seconds=late_s))
    where, params = (f"{first} IS NOT NULL", {}) if start is None else (f"{first} >= :start", {"start": start})
    day = day_sql(dialect, first)
    with lp.connect() as conn:
        daily, anchors, finds = _day_partitioned(conn, schema, where, params, high_authority)
        cells = frame(conn, _cells_sql(schema, dialect, where), params)
        hour_from = day_start(now - timedelta(hours=HOURLY_KEEP_H))
        hour_from = hour_from if start is None else max(start, hour_from)
        hourly = _hourly(conn, dialect, first, hour_from)
        pairs = frame(
            conn,
            (
                f"SELECT COALESCE(b.target_domain_name, '') AS target_domain, b.source_domain_name AS source_domain, "
                f"MIN({day}) AS first_day, MAX({day}) AS last_day FROM backlinks b "
                f"WHERE {where} AND b.source_domain_name IS NOT NULL GROUP BY 1, 2"
            ),
            params,
        )
        # Per-key link counts: whole days before the settle day are summed once, later days
        # stay in the tail (re-aggregated every refresh until they settle).
        if start is None:
            top = ts(frame(conn, f"SELECT MAX({first}) AS m FROM backlinks b")["m"].iloc[0])
            settle = day_start(min(top or now, now) - timedelta(seconds=late_s))
            settled = _key_counts(conn, dialect, first, f"{first} < :settle", {"settle": settle}, by_day=False)
        else:
            settle, settled = start, pd.DataFrame()
        tail = _key_counts(conn, dialect, first, f"{first} >= :settle", {"settle": settle}, by_day=True)

    newest = [v for v in (ts(x) for x in daily.get("newest", [])) if v is not None]
    new_mark = min(max(newest), now) if newest else (watermark or now)
    start_key = None if start is None else day_key(start)
    anchors_rows = _with_other_anchors(anchors, daily)
    since = "" if start_key is None else " WHERE day >= :d"
    with mc.begin() as conn:
        execute(conn, f"DELETE FROM mc_rollup_links_daily{since}", {"d": start_key})
        insert_rows(conn, t.links_daily, _records(daily.drop(columns=["newest"], errors="ignore")))
        execute(
            conn,
            "DELETE FROM mc_rollup_links_hourly WHERE hour >= :h OR hour < :old",
            {"h": hour_key(hour_from), "old": hour_key(now - timedelta(hours=HOURLY_KEEP_H))},
        )
        insert_rows(conn, t.links_hourly, _records(hourly))
        upsert(
            conn,
            t.ref_domains,
            _records(pairs),
            ["target_domain", "source_domain"],
            merge=_PAIR_MERGE,
        )
        # A pair's first day only moves within the re-aggregated days, so recounting those is exact.
        execute(conn, f"DELETE FROM mc_rollup_ref_domains_daily{since}", {"d": start_key})
        execute(
            conn,
            "INSERT INTO mc_rollup_ref_domains_daily (day, target_domain, new_ref_domains) "
            "SELECT first_day, target_domain, COUNT(*) FROM mc_rollup_ref_domains"
            + ("" if start_key is None else " WHERE first_day >= :d")
            + " GROUP BY first_day, target_domain",
            {"d": start_key},
        )
        _store_counts(conn, settled, tail, day_key(settle))
        execute(conn, f"DELETE FROM mc_rollup_anchors_daily{since}", {"d": start_key})
        insert_rows(conn, t.anchors_daily, anchors_rows)
        execute(conn, f"DELETE FROM mc_rollup_top_links{since}", {"d": start_key})
        finds["first_seen"] = [ts(v) for v in finds["first_seen"]] if not finds.empty else []
        insert_rows(conn, t.top_links, _records(finds))
        execute(conn, f"DELETE FROM mc_rollup_cell_links{since}", {"d": start_key})
        cells["first_seen"] = [ts(v) for v in cells["first_seen"]] if not cells.empty else []
        insert_rows(conn, t.cell_links, _records(cells))
    return new_mark, {
        "days": int(daily["day"].nunique()) if not daily.empty else 0,
        "pairs": len(pairs),
        "links": int(daily["links"].sum()) if not daily.empty else 0,
    }


# Rows fetched from the database at a time when a result is streamed (pairs, key counts, lost links).
STREAM_ROWS = 20_000


def _streamed(conn, sql: str, params: dict | None = None):
    """Yield a SELECT's rows as DataFrames of at most STREAM_ROWS rows.

    PostgreSQL: a server-side cursor, so the whole result never sits in this process. SQLite
    (the embedded default, small data): fetched whole, then sliced, so no read stays open on the
    file while the caller writes to it."""
    if conn.dialect.name == "postgresql":
        result = conn.execution_options(stream_results=True, max_row_buffer=STREAM_ROWS).execute(
            bound(sql, params), params or {}
        )
        columns = list(result.keys())
        for part in result.partitions(STREAM_ROWS):
            yield pd.DataFrame(part, columns=columns)
        return
    whole = frame(conn, sql, params)
    for i in range(0, len(whole), STREAM_ROWS):
        yield whole.iloc[i : i + STREAM_ROWS]


def day_chunks(conn, schema: SchemaInfo, chunk_links: int) -> list[tuple[str, str]]:
    """Consecutive whole days grouped into [first day, last day] ranges of at most `chunk_links`
    links each (a day with more links is a range of its own). One small GROUP BY day."""
    first = f"b.{schema.link_first_seen}"
    per_day = frame(
        conn,
        f"SELECT {day_sql(conn.dialect.name, first)} AS day, COUNT(*) AS n FROM backlinks b "
        f"WHERE {first} IS NOT NULL GROUP BY 1 ORDER BY 1",
    )
    chunks: list[tuple[str, str]] = []
    lo: str | None = None
    hi = ""
    size = 0
    for day, n in zip(per_day["day"], per_day["n"]):
        if lo is not None and size + int(n) > chunk_links:
            chunks.append((lo, hi))
            lo, size = None, 0
        lo = str(day) if lo is None else lo
        hi, size = str(day), size + int(n)
    if lo is not None:
        chunks.append((lo, hi))
    return chunks


def _day_bounds(lo: str, hi: str) -> dict:
    """[start of day lo, start of the day after hi) as datetimes, for a range on the first-seen column."""
    start = datetime.strptime(lo, "%Y-%m-%d")
    return {"lo": start, "hi": datetime.strptime(hi, "%Y-%m-%d") + timedelta(days=1)}


def build_new_links(
    lp: Engine, mc: Engine, schema: SchemaInfo, now: datetime, late_s: float, high_authority: float, chunk_links: int
) -> tuple[datetime | None, dict]:
    """`refresh_new_links` from nothing, in chunks of whole days (`day_chunks`): each chunk's
    per-day aggregates are computed in SQL and written before the next chunk is read, and the
    results about as long as the links themselves (heat-map cell samples; the pairs and per-key
    counts, aggregated over the whole table) are streamed, so the peak memory is one chunk's
    daily counts, anchors and finds plus STREAM_ROWS rows, whatever the table holds.

    The rows equal the one-pass build's: daily counts, anchors, finds and cell samples are per
    day (each day lies in one chunk); pairs and counts are the same queries, streamed. Each chunk commits on its own; a
    failed build leaves no watermark, so the next run starts over (clearing what it adds to)."""
    dialect = lp.dialect.name
    first = f"b.{schema.link_first_seen}"
    with lp.connect() as conn:
        chunks = day_chunks(conn, schema, chunk_links)
        top = ts(frame(conn, f"SELECT MAX({first}) AS m FROM backlinks b")["m"].iloc[0])
    settle = day_start(min(top or now, now) - timedelta(seconds=late_s))
    with mc.begin() as out:
        for table in (
            "links_daily",
            "ref_domains_daily",
            "anchors_daily",
            "top_links",
            "cell_links",
            "counts",
            "count_tail",
        ):
            execute(out, f"DELETE FROM mc_rollup_{table}")
    newest: list[datetime] = []
    days = links = 0
    for lo, hi in chunks:
        where, params = f"{first} >= :lo AND {first} < :hi", _day_bounds(lo, hi)
        with lp.connect() as conn:
            daily, anchors, finds = _day_partitioned(conn, schema, where, params, high_authority)
        newest += [v for v in (ts(x) for x in daily.get("newest", [])) if v is not None]
        days += int(daily["day"].nunique()) if not daily.empty else 0
        links += int(daily["links"].sum()) if not daily.empty else 0
        anchors_rows = _with_other_anchors(anchors, daily)
        with mc.begin() as out:
            _insert_frame(out, t.links_daily, daily.drop(columns=["newest"], errors="ignore"))
            insert_rows(out, t.anchors_daily, anchors_rows)
            finds["first_seen"] = [ts(v) for v in finds["first_seen"]] if not finds.empty else []
            _insert_frame(out, t.top_links, finds)
        del daily, anchors, finds, anchors_rows
        _stream_cells(lp, mc, schema, where, params)
    # Pairs and per-key counts are not per day: each is one GROUP BY over the whole table,
    # streamed (PostgreSQL aggregates, this process holds STREAM_ROWS rows at a time), and
    # written once rather than merged again for every chunk.
    everything = f"{first} IS NOT NULL"
    pairs_n = _merge_pairs(lp, mc, dialect, first, everything, {})
    _merge_counts(lp, mc, dialect, first, everything, {}, settle)
    hour_from = day_start(now - timedelta(hours=HOURLY_KEEP_H))
    with lp.connect() as conn:
        hourly = _hourly(conn, dialect, first, hour_from)
    with mc.begin() as out:
        execute(out, "DELETE FROM mc_rollup_links_hourly")
        insert_rows(out, t.links_hourly, _records(hourly))
        execute(
            out,
            "INSERT INTO mc_rollup_ref_domains_daily (day, target_domain, new_ref_domains) "
            "SELECT first_day, target_domain, COUNT(*) FROM mc_rollup_ref_domains GROUP BY first_day, target_domain",
        )
    new_mark = min(max(newest), now) if newest else now
    return new_mark, {"days": days, "pairs": pairs_n, "links": links, "chunks": len(chunks)}


def _hourly(conn, dialect: str, first: str, hour_from: datetime) -> pd.DataFrame:
    """Links and spam links per hour and target since `hour_from` (the hourly rollup's rows)."""
    return frame(
        conn,
        (
            f"SELECT {hour_sql(dialect, first)} AS hour, COALESCE(b.target_domain_name, '') AS target_domain, "
            f"COUNT(*) AS links, SUM({SPAM_SQL}) AS spam_links FROM backlinks b "
            f"WHERE {first} >= :hour_from GROUP BY 1, 2"
        ),
        {"hour_from": hour_from},
    )


def _stream_cells(lp: Engine, mc: Engine, schema: SchemaInfo, where: str, params: dict) -> None:
    """One chunk's heat-map cell samples (about one row per link: the largest result of a
    chunk), ranked in SQL and streamed into mc_rollup_cell_links."""
    with lp.connect() as conn:
        for part in _streamed(conn, _cells_sql(schema, lp.dialect.name, where), params):
            part = part.assign(first_seen=[ts(v) for v in part["first_seen"]])
            with mc.begin() as out:
                insert_rows(out, t.cell_links, _records(part))


def _insert_frame(conn, table, df: pd.DataFrame, rows: int = 5000) -> None:
    """Insert a DataFrame a slice at a time (never the whole frame as Python dicts at once)."""
    for i in range(0, len(df), rows):
        insert_rows(conn, table, _records(df.iloc[i : i + rows]))


def _merge_pairs(lp: Engine, mc: Engine, dialect: str, first: str, where: str, params: dict) -> int:
    """Merge the (target, linking domain) first and last days of the links matching `where` into
    mc_rollup_ref_domains (streamed); returns the number of pairs read."""
    day = day_sql(dialect, first)
    n = 0
    with lp.connect() as conn:
        parts = _streamed(
            conn,
            (
                f"SELECT COALESCE(b.target_domain_name, '') AS target_domain, b.source_domain_name AS source_domain, "
                f"MIN({day}) AS first_day, MAX({day}) AS last_day FROM backlinks b "
                f"WHERE {where} AND b.source_domain_name IS NOT NULL GROUP BY 1, 2"
            ),
            params,
        )
        for part in parts:
            with mc.begin() as out:
                upsert(out, t.ref_domains, _records(part), ["target_domain", "source_domain"], merge=_PAIR_MERGE)
            n += len(part)
    return n


def _merge_counts(lp: Engine, mc: Engine, dialect: str, first: str, where: str, params: dict, settle: datetime) -> None:
    """The per-key link counts of the links matching `where` (streamed): days before `settle`
    added to the totals, later days into the per-day tail."""
    with lp.connect() as conn:
        for part in _streamed_counts(
            conn, dialect, first, f"{where} AND {first} < :settle", {**params, "settle": settle}, False
        ):
            with mc.begin() as out:
                _add_counts(out, _records(part))
        for part in _streamed_counts(
            conn, dialect, first, f"{where} AND {first} >= :settle", {**params, "settle": settle}, True
        ):
            with mc.begin() as out:
                insert_rows(out, t.count_tail, _records(part))


def _day_partitioned(
    conn, schema: SchemaInfo, where: str, params: dict, high_authority: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The aggregates partitioned by day (daily counts, top anchors, finds) of the links matching
    `where`: exact for every day the condition holds whole (the heat-map cell samples are too:
    `_cells_sql`)."""
    dialect = conn.dialect.name
    first = f"b.{schema.link_first_seen}"
    source, authority = authority_source(schema)
    day = day_sql(dialect, first)
    daily = frame(
        conn,
        (
            f"SELECT {day} AS day, COALESCE(b.target_domain_name, '') AS target_domain, "
            f"{bucket_sql(dialect, authority)} AS authority_bucket, COUNT(*) AS links, SUM({SPAM_SQL}) AS spam_links, "
            f"SUM(CASE WHEN b.link_type = 'dofollow' THEN 1 ELSE 0 END) AS dofollow_links, "
            f"COALESCE(SUM({authority}), 0) AS authority_sum, COUNT({authority}) AS authority_n, MAX({first}) AS newest "
            f"FROM {source} WHERE {where} GROUP BY 1, 2, 3"
        ),
        params,
    )
    anchors = frame(
        conn,
        (
            f"SELECT day, target_domain, anchor, links FROM (SELECT {day} AS day, "
            f"COALESCE(b.target_domain_name, '') AS target_domain, SUBSTR(COALESCE(b.anchor_text, ''), 1, 200) AS anchor, "
            f"COUNT(*) AS links, ROW_NUMBER() OVER (PARTITION BY {day}, COALESCE(b.target_domain_name, '') "
            f"ORDER BY COUNT(*) DESC, SUBSTR(COALESCE(b.anchor_text, ''), 1, 200)) AS rn "
            f"FROM backlinks b WHERE {where} GROUP BY 1, 2, 3) ranked WHERE rn <= {ANCHORS_PER_DAY}"
        ),
        params,
    )
    finds = frame(
        conn,
        (
            f"SELECT link_id, day, first_seen, target_domain, source_domain, source_url, target_url, anchor_text, "
            f"link_type, spam_level, authority FROM (SELECT b.id AS link_id, {day} AS day, {first} AS first_seen, "
            f"COALESCE(b.target_domain_name, '') AS target_domain, b.source_domain_name AS source_domain, "
            f"b.source_url, b.target_url, b.anchor_text, b.link_type, b.spam_level, {authority} AS authority, "
            f"ROW_NUMBER() OVER (PARTITION BY {day} ORDER BY {authority} DESC, {first} DESC, b.id) AS rn "
            f"FROM {source} WHERE {where} AND {authority} >= :ha) ranked WHERE rn <= {TOP_LINKS_PER_DAY}"
        ),
        {**params, "ha": high_authority},
    )
    return daily, anchors, finds


def _cells_sql(schema: SchemaInfo, dialect: str, where: str) -> str:
    """The newest CELL_LINKS links of each heat-map cell (day × target × authority bucket)."""
    first = f"b.{schema.link_first_seen}"
    source, authority = authority_source(schema)
    day, bucket = day_sql(dialect, first), bucket_sql(dialect, authority)
    target = "COALESCE(b.target_domain_name, '')"
    return (
        f"SELECT link_id, day, target_domain, authority_bucket, first_seen FROM (SELECT b.id AS link_id, "
        f"{day} AS day, {target} AS target_domain, {bucket} AS authority_bucket, {first} AS first_seen, "
        f"ROW_NUMBER() OVER (PARTITION BY {day}, {target}, {bucket} ORDER BY {first} DESC, b.id) AS rn "
        f"FROM {source} WHERE {where}) ranked WHERE rn <= {CELL_LINKS}"
    )


def _key_counts(conn, dialect: str, first: str, where: str, params: dict, by_day: bool) -> pd.DataFrame:
    """Links per linking domain ('source') and per target URL ('target_url'), per day or in total."""
    return frame(conn, _key_counts_sql(dialect, first, where, by_day), params)


def _streamed_counts(conn, dialect: str, first: str, where: str, params: dict, by_day: bool):
    """`_key_counts` as a stream of DataFrames (`_streamed`)."""
    return _streamed(conn, _key_counts_sql(dialect, first, where, by_day), params)


def _key_counts_sql(dialect: str, first: str, where: str, by_day: bool) -> str:
    day = f"{day_sql(dialect, first)} AS day, " if by_day else ""
    group = "1, 2, 3" if by_day else "1, 2"
    return (
        f"SELECT {day}'source' AS kind, b.source_domain_name AS key, COUNT(*) AS links FROM backlinks b "
        f"WHERE {where} AND b.source_domain_name IS NOT NULL GROUP BY {group} UNION ALL "
        f"SELECT {day}'target_url' AS kind, SUBSTR(b.target_url, 1, 1000) AS key, COUNT(*) AS links FROM backlinks b "
        f"WHERE {where} AND b.target_url IS NOT NULL GROUP BY {group}"
    )


def _add_counts(conn, rows: list[dict]) -> None:
    upsert(conn, t.counts, rows, ["kind", "key"], merge={"links": lambda old, new, _d: old + new})


def _store_counts(conn, settled: pd.DataFrame, tail: pd.DataFrame, settle_key: str) -> None:
    """Move tail days before `settle_key` into the totals (once), then replace the tail."""
    if not settled.empty:
        execute(conn, "DELETE FROM mc_rollup_counts")
        execute(conn, "DELETE FROM mc_rollup_count_tail")
        _add_counts(conn, _records(settled))
    old = frame(
        conn,
        "SELECT kind, key, SUM(links) AS links FROM mc_rollup_count_tail WHERE day < :d GROUP BY kind, key",
        {"d": settle_key},
    )
    _add_counts(conn, _records(old))
    execute(conn, "DELETE FROM mc_rollup_count_tail")
    insert_rows(conn, t.count_tail, _records(tail))


def _with_other_anchors(anchors: pd.DataFrame, daily: pd.DataFrame) -> list[dict]:
    """The top anchors of each (day, target) plus one OTHER_ANCHOR row for the rest of its links."""
    rows = _records(anchors[["day", "target_domain", "anchor", "links"]]) if not anchors.empty else []
    if daily.empty:
        return rows
    totals = daily.groupby(["day", "target_domain"])["links"].sum()
    shown = anchors.groupby(["day", "target_domain"])["links"].sum().to_dict() if not anchors.empty else {}
    # An anchor literally equal to the marker is merged into it rather than colliding (looked up
    # by key: a scan of every row per (day, target) took minutes on a first build).
    markers = {(r["day"], r["target_domain"]): r for r in rows if r["anchor"] == OTHER_ANCHOR}
    for key, total in totals.items():
        rest = int(total) - int(shown.get(key, 0))
        if rest > 0:
            existing = markers.get(key)
            if existing:
                existing["links"] += rest
            else:
                rows.append({"day": key[0], "target_domain": key[1], "anchor": OTHER_ANCHOR, "links": rest})
    return rows


def refresh_lost_links(
    lp: Engine, mc: Engine, schema: SchemaInfo, now: datetime, watermark: datetime | None, late_s: float
) -> tuple[datetime | None, dict]:
    """Record links seen lost since (watermark − late) (all lost links when None) and recount
    lost-per-day for the days they fall on."""
    dialect = lp.dialect.name
    first, last = f"b.{schema.link_first_seen}", f"b.{schema.link_last_seen}"
    lost_at = f"COALESCE(b.crawl_timestamp, {last}, {first})"
    where, params = (
        (LOST_SQL, {})
        if watermark is None
        else (f"{LOST_SQL} AND b.crawl_timestamp >= :since", {"since": min(watermark, now) - timedelta(seconds=late_s)})
    )
    sql = (
        f"SELECT b.id AS link_id, COALESCE(b.target_domain_name, '') AS target_domain, "
        f"b.source_domain_name AS source_domain, {day_sql(dialect, lost_at)} AS lost_day, "
        f"CASE WHEN b.is_active = false THEN 'inactive' ELSE 'not_found' END AS reason, "
        f"b.crawl_timestamp AS checked FROM backlinks b WHERE {where}"
    )
    # Streamed (a first build over 10M links meets every lost link at once) and merged by id a
    # part at a time; a run that fails midway saves no watermark, so the next one reads the same
    # links again (already recorded ones are skipped) and recounts their days.
    newest: datetime | None = None
    days: set[str] = set()
    n = 0
    with lp.connect() as conn:
        for part in _streamed(conn, sql, params):
            part = part[part["lost_day"].notna()]
            checked = [v for v in (ts(x) for x in part["checked"]) if v is not None]
            if checked:
                newest = max(checked) if newest is None else max(newest, *checked)
            if part.empty:
                continue
            days.update(part["lost_day"])
            with mc.begin() as out:
                upsert(out, t.lost_links, _records(part.drop(columns=["checked"])), ["link_id"])
            n += len(part)
    new_mark = min(newest, now) if newest is not None else (watermark or now)
    if not n:
        return new_mark, {"lost": 0}
    ordered = sorted(days)
    with mc.begin() as out:
        for i in range(0, len(ordered), 500):
            marks, p = in_list("d", ordered[i : i + 500])
            execute(out, f"DELETE FROM mc_rollup_lost_daily WHERE day IN ({marks})", p)
            execute(
                out,
                "INSERT INTO mc_rollup_lost_daily (day, target_domain, lost_links) SELECT lost_day, "
                f"target_domain, COUNT(*) FROM mc_rollup_lost_links WHERE lost_day IN ({marks}) "
                "GROUP BY lost_day, target_domain",
                p,
            )
    return new_mark, {"lost": n}


TOP_REFERRERS = 10


def refresh_overlap(mc: Engine, watched: list[str]) -> None:
    """Shared referring domains between every two watched domains (the competition overlap),
    and each watched domain's strongest linking domains (authority from mc_domain_values)."""
    with mc.begin() as conn:
        execute(conn, "DELETE FROM mc_rollup_top_referrers")
        for d in watched:
            top = frame(
                conn,
                "SELECT r.source_domain, v.authority FROM mc_rollup_ref_domains r LEFT JOIN mc_domain_values v "
                "ON v.name = r.source_domain WHERE r.target_domain = :d AND v.authority IS NOT NULL "
                "ORDER BY v.authority DESC, r.source_domain LIMIT :n",
                {"d": d, "n": TOP_REFERRERS},
            )
            insert_rows(
                conn,
                t.top_referrers,
                [
                    {"target_domain": d, "rank": i, "source_domain": str(s), "authority": a}
                    for i, (s, a) in enumerate(zip(top["source_domain"], top["authority"]))
                ],
            )
        execute(conn, "DELETE FROM mc_rollup_overlap")
        if len(watched) < 2:
            return
        marks_a, pa = in_list("a", watched)
        marks_b, pb = in_list("b", watched)
        execute(
            conn,
            (
                "INSERT INTO mc_rollup_overlap (domain_a, domain_b, shared) SELECT a.target_domain, b.target_domain, "
                "COUNT(*) FROM mc_rollup_ref_domains a JOIN mc_rollup_ref_domains b ON b.source_domain = a.source_domain "
                f"AND a.target_domain < b.target_domain WHERE a.target_domain IN ({marks_a}) AND b.target_domain IN ({marks_b}) "
                "GROUP BY a.target_domain, b.target_domain"
            ),
            {**pa, **pb},
        )
