"""Bring existing mc_ tables up to the declared column widths (ours only, never Link Profiler's).

`create_all` makes missing tables but never changes a table that exists, so a deployment whose
mc_ tables were created by an older release keeps its short VARCHAR columns, and crawled text
that the new definitions accept would still fail there. `widen_mc_columns` compares each
declared string column with the live one and widens it (VARCHAR(n) → longer VARCHAR or TEXT).
Widening a VARCHAR is a catalogue-only change in PostgreSQL (no table rewrite), so it is cheap
to run at every start-up. SQLite ignores VARCHAR lengths, so there is nothing to do there.

For the same reason an index declared on an existing mc_ table (a new one, or one replaced by a
wider one) is never built by `create_all`: `sync_mc_indexes` builds the declared indexes that
are missing and drops the ones a table names in `info["retired_indexes"]`. The mc_ tables that
carry indexes are rollups (bounded sizes), so building one at start-up takes a moment.
"""

from __future__ import annotations

import logging

from sqlalchemy import String, inspect
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

PREFIX = "mc_"


def _width(type_) -> int | None:
    """The character width of a string type; None = unbounded (TEXT, VARCHAR without length)."""
    return getattr(type_, "length", None) if isinstance(type_, String) else None


def needed_widenings(engine: Engine, metadata) -> list[tuple[str, str, int | None]]:
    """(table, column, new width or None for TEXT) for each live mc_ column narrower than declared."""
    if engine.dialect.name != "postgresql":
        return []
    insp = inspect(engine)
    present = set(insp.get_table_names())
    out = []
    for table in metadata.tables.values():
        if not table.name.startswith(PREFIX) or table.name not in present:
            continue
        live = {c["name"]: c["type"] for c in insp.get_columns(table.name)}
        for column in table.columns:
            if not isinstance(column.type, String) or column.name not in live:
                continue
            if not isinstance(live[column.name], String):
                continue
            want, have = _width(column.type), _width(live[column.name])
            if have is not None and (want is None or want > have):
                out.append((table.name, column.name, want))
    return out


def widen_mc_columns(engine: Engine, metadata) -> list[str]:
    """Widen every narrower mc_ string column; returns "table.column" for each one changed."""
    changes = needed_widenings(engine, metadata)
    if not changes:
        return []
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        for table, column, width in changes:
            assert table.startswith(PREFIX)  # never touch Link Profiler's tables
            new_type = "TEXT" if width is None else f"VARCHAR({int(width)})"
            conn.exec_driver_sql(
                f"ALTER TABLE {preparer.quote(table)} ALTER COLUMN {preparer.quote(column)} TYPE {new_type}"
            )
    done = [f"{t}.{c}" for t, c, _ in changes]
    log.info("widened mc_ columns to their declared widths: %s", ", ".join(done))
    return done


def sync_mc_indexes(engine: Engine, metadata) -> list[str]:
    """Create each declared index missing on an existing mc_ table and drop the retired ones
    (`table.info["retired_indexes"]`); returns "created/dropped name" for each change."""
    insp = inspect(engine)
    present = set(insp.get_table_names())
    done: list[str] = []
    with engine.begin() as conn:
        for table in metadata.tables.values():
            if not table.name.startswith(PREFIX) or table.name not in present:
                continue
            live = {i["name"] for i in insp.get_indexes(table.name)}
            for name in table.info.get("retired_indexes", ()):
                if name in live:
                    conn.exec_driver_sql(f"DROP INDEX {engine.dialect.identifier_preparer.quote(name)}")
                    done.append(f"dropped {name}")
            for index in table.indexes:
                if index.name not in live:
                    index.create(conn)
                    done.append(f"created {index.name}")
    if done:
        log.info("mc_ indexes brought up to date: %s", ", ".join(done))
    return done
