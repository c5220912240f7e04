"""The one validation layer for what a browser sends to a callback: a control's value is a
known choice or a bounded number, else `InvalidInput`, which the app answers with a 400 and
a one-line JSON message (never a 500 with a traceback, never a query with a made-up value).

Dash sends whatever the client puts in the request, not only what the controls offer, so
every callback input that reaches a model goes through one of these first.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any


class InvalidInput(ValueError):
    """A callback input outside what the control offers; the message is shown to the client."""


def choice(name: str, value: Any, choices: Collection, default: Any = None) -> Any:
    """`value` if it is one of `choices` (None → `default`), else InvalidInput."""
    if value is None and default is not None:
        return default
    for option in choices:
        if value == option and type(value) is not bool:
            return option
    shown = ", ".join(str(c) for c in list(choices)[:12])
    raise InvalidInput(f"{name} must be one of: {shown}")


def bounded_int(name: str, value: Any, low: int, high: int, default: int | None = None) -> int | None:
    """A whole number within [low, high] (None / '' → `default`), else InvalidInput.
    Accepts ints and numeric text ('30'); refuses NaN, infinities, fractions, booleans and text."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}")
    try:
        number = float(value) if isinstance(value, str) else value
        if not isinstance(number, (int, float)) or not math.isfinite(number) or number != int(number):
            raise ValueError
        whole = int(number)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}") from None
    if not low <= whole <= high:
        raise InvalidInput(f"{name} must be from {low} to {high}, not {whole}")
    return whole


def text(name: str, value: Any, max_length: int) -> str | None:
    """Free text (a search box) cut to `max_length`; a non-string is InvalidInput."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    return value[:max_length]


def clicked_point(name: str, click: Any) -> dict | None:
    """The first point of a graph's clickData ({"points": [{…}]}); None when nothing was clicked."""
    if click is None:
        return None
    points = click.get("points") if isinstance(click, dict) else None
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        raise InvalidInput(f"{name} must be a graph's click data")
    return points[0]


def table_rows(name: str, rows: Any, columns: Any, max_rows: int, max_columns: int) -> tuple[list[dict], list[str]]:
    """A DataTable's data and columns as a browser sent them: a list of row dicts and a list of
    {"id": text} column specs, within bounds (InvalidInput otherwise)."""
    if rows is None:
        rows = []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput(f"{name}: the rows must be a list of records")
    if not isinstance(columns, list) or not all(isinstance(c, dict) and isinstance(c.get("id"), str) for c in columns):
        raise InvalidInput(f"{name}: the columns must be a list of {{id, name}} specs")
    if len(rows) > max_rows or len(columns) > max_columns:
        raise InvalidInput(f"{name}: at most {max_rows} rows and {max_columns} columns")
    return rows, [c["id"] for c in columns]
