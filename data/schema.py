"""Which Link Profiler schema variant a database holds, found by inspecting its columns.

Variant M (Alembic migration) has `backlinks.discovered_date`; variant O (ORM create_all) has
`backlinks.first_seen`. A missing table is recorded, never fatal: panels that need it show
"no data" and the rest of the dashboard works.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from data.lp_tables import LP_TABLES


@dataclass(frozen=True)
class SchemaInfo:
    """What the database holds: the variant and the columns of each Link Profiler table found."""

    variant: str | None  # "M", "O" or None when undecidable (no backlinks table)
    columns: dict[str, frozenset[str]] = field(default_factory=dict)
    dialect: str = "sqlite"

    @property
    def missing_tables(self) -> tuple[str, ...]:
        return tuple(t for t in LP_TABLES if t not in self.columns)

    def has(self, table: str, column: str | None = None) -> bool:
        cols = self.columns.get(table)
        if cols is None:
            return False
        return column is None or column in cols

    # Column names that differ between variants, resolved once here so queries stay readable.
    @property
    def link_first_seen(self) -> str:
        return "first_seen" if self.variant == "O" else "discovered_date"

    @property
    def link_last_seen(self) -> str:
        return "last_seen" if self.variant == "O" else "last_seen_date"


def detect_schema(engine: Engine) -> SchemaInfo:
    """Inspect `engine` and return its `SchemaInfo`; raises only if the database is unreachable."""
    insp = inspect(engine)
    present = set(insp.get_table_names())
    columns = {t: frozenset(c["name"] for c in insp.get_columns(t)) for t in LP_TABLES if t in present}
    variant = None
    link_cols = columns.get("backlinks", frozenset())
    if "discovered_date" in link_cols:
        variant = "M"
    elif "first_seen" in link_cols or "current_job_id" in columns.get("satellite_performance_logs", frozenset()):
        variant = "O"
    elif columns:
        variant = "M"
    return SchemaInfo(variant=variant, columns=columns, dialect=engine.dialect.name)
