"""The archive: Parquet objects on a filesystem path or an S3-compatible store (fsspec).

Layout, one object per table and UTC day (Hive-style partitions, readable by pyarrow.dataset,
DuckDB, Spark or Athena as they are):

    <MC_ARCHIVE_URL>/<table>/day=<YYYY-MM-DD>/<table>-<YYYY-MM-DD>.parquet

Writing a day again writes the same object: the rows already in it are merged with the new ones
(a row's primary key decides; the new copy wins), so a re-run, or rows of an old day that became
prunable later (an outbox row settled late), never lose what the object held.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, LargeBinary, Table

# Minutes are written an hour to a row group: a replay reads one group of a day's object.
ROW_GROUP_ROWS = 60


class ArchiveError(RuntimeError):
    """The archive could not be written, read or verified."""


def arrow_schema(table: Table) -> pa.Schema:
    """The Parquet schema of an mc_ table: one column per column, JSON columns as JSON text, so
    every day's object has the same schema (an all-null column is not left for pyarrow to guess)."""
    fields = []
    for col in table.columns:
        t = col.type
        if isinstance(t, (Integer, BigInteger)):
            kind = pa.int64()
        elif isinstance(t, Boolean):
            kind = pa.bool_()
        elif isinstance(t, DateTime):
            kind = pa.timestamp("us")
        elif isinstance(t, LargeBinary):
            kind = pa.binary()
        else:  # String, Text, JSON (as text)
            kind = pa.string()
        fields.append(pa.field(col.name, kind, nullable=True))
    return pa.schema(fields)


def json_columns(table: Table) -> list[str]:
    """The names of `table`'s JSON columns (stored as JSON text)."""
    return [c.name for c in table.columns if isinstance(c.type, JSON)]


class ParquetStore:
    """One archive location; nothing listed or read is cached (every call asks the store)."""

    def __init__(self, url: str, s3_endpoint: str | None = None):
        self.url = url.rstrip("/")
        options: dict = {"skip_instance_cache": True}
        if url.startswith("s3://"):
            # Credentials: the standard AWS variables (botocore reads them). One quick attempt per
            # call: the archive pass retries on its next cycle, a viewer's replay should not hang.
            options.update(
                use_listings_cache=False,
                config_kwargs={"connect_timeout": 5, "read_timeout": 30, "retries": {"max_attempts": 1}},
            )
            if s3_endpoint:
                options["client_kwargs"] = {"endpoint_url": s3_endpoint}
        else:
            options["auto_mkdir"] = True
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **options)
        self.local = self.url.startswith("file://")
        self.s3 = self.url.startswith("s3://")
        self.s3_endpoint = s3_endpoint
        self._native: Any = None  # Arrow's S3 client, for reads in a gevent worker (see read)

    def path(self, table: str, day: date) -> str:
        """The object of `table`'s rows of `day`."""
        return f"{self.root}/{table}/day={day.isoformat()}/{table}-{day.isoformat()}.parquet"

    def days(self, table: str) -> list[date]:
        """The days `table` has objects for, oldest first."""
        base = f"{self.root}/{table}"
        if not self.fs.exists(base):
            return []
        found = []
        for entry in self.fs.ls(base, detail=False):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            if name.startswith("day="):
                try:
                    found.append(date.fromisoformat(name[4:]))
                except ValueError:
                    continue  # not one of ours
        return sorted(found)

    def read(self, table: str, day: date, filters: Sequence | None = None) -> pa.Table | None:
        """The object's rows (only the row groups `filters` can match); None when there is none."""
        if self.s3 and green():
            # A gevent worker (gunicorn.conf.py) replaying from S3: s3fs cannot run there (its
            # asyncio loop would share the worker's OS thread), so Arrow's own S3 client reads,
            # on a native thread of gevent's pool, while the worker's other greenlets run.
            import gevent

            return gevent.get_hub().threadpool.apply(self._read_native, (table, day, filters))
        path = self.path(table, day)
        if not self.fs.exists(path):
            return None
        return pq.read_table(path, filesystem=self.fs, filters=filters)

    def _read_native(self, table: str, day: date, filters: Sequence | None) -> pa.Table | None:
        from pyarrow import fs as arrow_fs

        if self._native is None:
            endpoint = urlsplit(self.s3_endpoint) if self.s3_endpoint else None
            self._native = arrow_fs.S3FileSystem(
                endpoint_override=endpoint.netloc if endpoint else None,
                scheme=endpoint.scheme if endpoint else "https",
                region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                connect_timeout=5,
                request_timeout=30,
            )
        path = self.path(table, day)
        if self._native.get_file_info(path).type == arrow_fs.FileType.NotFound:
            return None
        return pq.read_table(path, filesystem=self._native, filters=filters)

    def write_day(self, table: str, day: date, rows: pa.Table, key: Sequence[str]) -> pa.Table:
        """Write `rows` as the day's object, merged with the rows it already holds (by `key`);
        returns what was written."""
        old = self.read(table, day)
        if old is not None and old.num_rows:
            old = old.select(rows.schema.names).cast(rows.schema)
            new_keys = set(zip(*(rows.column(k).to_pylist() for k in key), strict=True))
            kept = [
                i
                for i, k in enumerate(zip(*(old.column(k).to_pylist() for k in key), strict=True))
                if k not in new_keys
            ]
            rows = pa.concat_tables([old.take(kept), rows])
        rows = rows.sort_by([(k, "ascending") for k in key])
        buffer = io.BytesIO()
        pq.write_table(
            rows, buffer, compression="zstd", row_group_size=ROW_GROUP_ROWS if table.endswith("minutes") else None
        )
        path = self.path(table, day)
        # A local file is replaced whole (rename), so a crash mid-write never leaves half an
        # object where a good one was; an S3 PUT is atomic already.
        target = f"{path}.tmp" if self.local else path
        with self.fs.open(target, "wb") as f:
            f.write(buffer.getvalue())
        if self.local:
            self.fs.mv(target, path)
        return rows


def verify(written: pa.Table, expected: list[dict], key: Sequence[str]) -> None:
    """Raise ArchiveError unless every expected row is in `written`, equal in every column."""
    by_key = {tuple(r[k] for k in key): r for r in written.to_pylist()}
    for row in expected:
        k = tuple(row[c] for c in key)
        got = by_key.get(k)
        if got is None:
            raise ArchiveError(f"row {k} missing from the object read back")
        if got != row:
            raise ArchiveError(f"row {k} differs in the object read back")


def green() -> bool:
    """True in a process gevent has patched (gunicorn's gevent workers)."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    return bool(monkey.is_module_patched("threading"))
