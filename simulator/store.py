"""Database writes of the simulator: batched inserts and keyed updates through SQLAlchemy Core.

The Table objects come from `data.lp_tables.build_metadata(variant)`, so jsonb / text[] on
PostgreSQL and JSON text on SQLite are handled by the column types. Columns the live database
lacks (an older deployment) are dropped from every row before writing, so a missing optional
column never breaks a tick.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from data.lp_tables import build_metadata
from data.services import Services


class Store:
    """Writes rows (dicts keyed by column name) into Link Profiler's tables for one variant."""

    def __init__(self, services: Services):
        schema = services.schema
        self.engine = services.engine
        self.variant = schema.variant or "M"
        self.dialect = self.engine.dialect.name
        self.tables = build_metadata(self.variant).tables
        # None = table not inspected; then keep every column the variant defines.
        self.present = {name: schema.columns.get(name) for name in self.tables}

    def _filter(self, table: str, rows: list[dict]) -> list[dict]:
        cols = self.present.get(table)
        if not cols:
            return rows
        return [{k: v for k, v in r.items() if k in cols} for r in rows]

    def insert(self, conn: Connection, table: str, rows: list[dict], ignore_conflicts: bool = False) -> None:
        """Insert `rows` in one executemany; `ignore_conflicts` skips rows whose key exists."""
        if not rows:
            return
        t = self.tables[table]
        rows = self._filter(table, rows)
        if not ignore_conflicts or self.dialect not in ("postgresql", "sqlite"):
            conn.execute(t.insert(), rows)
        elif self.dialect == "sqlite":
            # A domain or link seen before (by an earlier run, or Link Profiler itself) is not an error.
            conn.execute(sqlite_insert(t).on_conflict_do_nothing(), rows)
        else:
            # SQLAlchemy sends an ON CONFLICT executemany row by row, which is slow; conflicts are
            # rare (the pool knows existing names, ids are random), so try the batched plain
            # insert first and fall back only when a row already exists.
            try:
                with conn.begin_nested():
                    conn.execute(t.insert(), rows)
            except IntegrityError:
                conn.execute(pg_insert(t).on_conflict_do_nothing(), rows)

    def update(self, conn: Connection, table: str, rows: list[dict], key: str = "id") -> None:
        """Update rows by `key`; rows with the same set of columns go in one executemany."""
        t = self.tables[table]
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for row in self._filter(table, rows) if rows else []:
            groups[tuple(sorted(row))].append(row)
        for cols, group in groups.items():
            # Bind names must differ from column names in an UPDATE, hence the b_ prefix.
            stmt = (
                update(t)
                .where(t.c[key] == bindparam("b_" + key, type_=t.c[key].type))
                .values({c: bindparam("b_" + c, type_=t.c[c].type) for c in cols if c != key})
            )
            conn.execute(stmt, [{"b_" + k: v for k, v in row.items()} for row in group])

    def count(self, conn: Connection, table: str, *where) -> int:
        t = self.tables[table]
        return conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
