"""SQL pieces that differ between PostgreSQL and SQLite, and typed parameter binding.

Day / hour keys are text ('YYYY-MM-DD', 'YYYY-MM-DD HH') on both, so a rollup built on one
compares exactly like one built on the other. Timestamps are bound as SQLAlchemy DateTime so
SQLite compares them in the format SQLAlchemy stored them in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from data.schema import SchemaInfo
from common.textsafe import fit_rows

SPAM_SQL = "CASE WHEN b.spam_level IN ('medium', 'high') THEN 1 ELSE 0 END"
# A lost link: deactivated, or its page gone. Literals (not parameters) so the opt-in partial
# index `mc_backlinks_lost` (same predicate) can serve it. Turning nofollow is not counted:
# one row cannot tell a link that became nofollow from one that always was.
LOST_SQL = "(b.is_active = false OR b.http_status IN (404, 410))"


def day_sql(dialect: str, expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM-DD')" if dialect == "postgresql" else f"date({expr})"


def hour_sql(dialect: str, expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM-DD HH24')" if dialect == "postgresql" else f"strftime('%Y-%m-%d %H', {expr})"


def bucket_sql(dialect: str, expr: str) -> str:
    """Authority → bucket 0 (0–10) … 9 (90–100); -1 when unknown."""
    tenth = f"FLOOR({expr} / 10)" if dialect == "postgresql" else f"({expr} / 10)"
    return (
        f"CASE WHEN {expr} IS NULL THEN -1 WHEN {expr} >= 90 THEN 9 WHEN {expr} < 0 THEN 0 "
        f"ELSE CAST({tenth} AS INTEGER) END"
    )


def authority_source(schema: SchemaInfo) -> tuple[str, str]:
    """(FROM clause, authority expression) for backlinks `b` with their linking domain's authority
    (variant O: on the row; M: `domains.authority_score` of the linking domain)."""
    if schema.variant == "O" and schema.has("backlinks", "source_domain_authority"):
        return "backlinks b", "b.source_domain_authority"
    if schema.has("domains"):
        return "backlinks b LEFT JOIN domains d ON d.name = b.source_domain_name", "d.authority_score"
    return "backlinks b", "CAST(NULL AS FLOAT)"


def day_key(value: datetime | date) -> str:
    return value.strftime("%Y-%m-%d")


def hour_key(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H")


def day_start(value: datetime) -> datetime:
    return datetime(value.year, value.month, value.day)


def days_back(now: datetime, days: int) -> str:
    """The first day key of a window of `days` days ending today (today included)."""
    return day_key(day_start(now) - timedelta(days=days - 1))


def bound(sql: str, params: dict | None):
    """A text() clause whose datetime parameters are typed DateTime."""
    clause = text(sql)
    typed = [bindparam(k, type_=DateTime) for k, v in (params or {}).items() if isinstance(v, datetime)]
    return clause.bindparams(*typed) if typed else clause


def frame(
    conn: Engine | Connection, sql: str, params: dict | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """Run a parameterised SELECT into a DataFrame (on an engine or an open connection)."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return frame(c, sql, params, columns)
    result = conn.execute(bound(sql, params), params or {})
    rows = result.fetchall()
    out = pd.DataFrame(rows, columns=list(result.keys()))
    if columns is not None and out.empty:
        return pd.DataFrame(columns=columns)
    return out


def execute(conn: Connection, sql: str, params: dict | None = None):
    return conn.execute(bound(sql, params), params or {})


def in_list(prefix: str, values) -> tuple[str, dict]:
    """(':p0, :p1, …', {p0: v0, …}) for an IN clause that never formats values into SQL."""
    params = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return ", ".join(":" + k for k in params) or "NULL", params


# Bound parameters per multi-row INSERT (PostgreSQL allows 65,535).
MULTI_ROW_PARAMS = 8000


def upsert(conn: Connection, table, rows: list[dict], keys: list[str], merge: dict | None = None) -> None:
    """INSERT rows; on a key conflict do nothing, or set columns with `merge(excluded, table)`.

    `merge` maps column → fn(existing column, excluded column, dialect) giving the new value."""
    if not rows:
        return
    # Crawled values (a 5,000-character domain name) must fit the mc_ key columns: see tables.py.
    rows = fit_rows(table, rows)
    dialect = conn.dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    def conflict(stmt):
        if merge:
            return stmt.on_conflict_do_update(
                index_elements=keys,
                set_={col: fn(table.c[col], stmt.excluded[col], dialect) for col, fn in merge.items()},
            )
        return stmt.on_conflict_do_nothing(index_elements=keys)

    stmt = conflict(ins)
    # PostgreSQL: one multi-row INSERT … ON CONFLICT per batch (psycopg2 sends an executemany
    # of it one row at a time: 5 s for 20,000 pairs). A batch that holds a key twice keeps the
    # row-at-a-time path (ON CONFLICT DO UPDATE cannot touch a row twice in one statement).
    per_batch = max(1, MULTI_ROW_PARAMS // max(1, len(rows[0])))
    for i in range(0, len(rows), 5000):
        batch = rows[i : i + 5000]
        if dialect == "postgresql" and len({tuple(r[k] for k in keys) for r in batch}) == len(batch):
            for j in range(0, len(batch), per_batch):
                conn.execute(conflict(ins.values(batch[j : j + per_batch])))
        else:
            conn.execute(stmt, batch)


def insert_rows(conn: Connection, table, rows: list[dict]) -> None:
    rows = fit_rows(table, rows)
    for i in range(0, len(rows), 5000):
        if rows[i : i + 5000]:
            conn.execute(table.insert(), rows[i : i + 5000])


def ts(value) -> datetime | None:
    """A timestamp cell as a naive UTC datetime; None for NULL, NaN and NaT."""
    from common.timestamps import to_datetime

    try:
        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return to_datetime(value)
