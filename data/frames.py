"""Small helpers shared by the query modules: run SQL into a DataFrame, parse JSON cells."""

from __future__ import annotations


import json

import pandas as pd

from common.timestamps import to_datetime
from sqlalchemy import text
from sqlalchemy.engine import Engine


def query_frame(engine: Engine, sql: str, params: dict | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Run a parameterised SELECT and return its rows as a DataFrame (never formats input into SQL)."""
    with engine.connect() as conn:
        result = conn.execute(text(sql), params or {})
        rows = result.fetchall()
        names = list(result.keys())
    frame = pd.DataFrame(rows, columns=names)
    if columns is not None and frame.empty:
        return pd.DataFrame(columns=columns)
    return frame


def scalar(engine: Engine, sql: str, params: dict | None = None):
    with engine.connect() as conn:
        return conn.execute(text(sql), params or {}).scalar()


def parse_json(value):
    """A JSON cell as Python: PostgreSQL hands us objects, SQLite hands us text; junk → None."""
    if value is None or isinstance(value, (list, dict)):
        return value
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def as_list(value) -> list:
    """A text[] / JSON-list cell as a list of strings."""
    parsed = parse_json(value) if not isinstance(value, (list, tuple)) else list(value)
    if isinstance(parsed, list):
        return [str(v) for v in parsed if v is not None]
    return []


def iso(value) -> str | None:
    """ISO-8601 text with a Z for a naive UTC timestamp, None for missing."""
    dt = to_datetime(value)
    return None if dt is None else dt.replace(microsecond=0).isoformat() + "Z"
