"""The benchmarks' PostgreSQL: one server URL (MC_BENCH_PG_URL) and databases created on demand."""

from __future__ import annotations

import os

import sqlalchemy as sa

PG_SERVER = os.environ.get("MC_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str) -> sa.engine.URL:
    """URL of database `name` on the benchmark server, created if it does not exist (kept
    between runs so a 10M-row load is paid once)."""
    admin = sa.create_engine(
        PG_SERVER.replace("postgresql://", "postgresql+psycopg2://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(PG_SERVER).set(database=name)
