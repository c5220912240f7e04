"""Addresses of the parts of a figure that change tick to tick, by trace name rather than by
position: `trace_part("used", "x")` still finds the usage bars if a trace is added before them.
Pure (no Dash): the figure builders declare their parts with it, ui.delta resolves them."""

from __future__ import annotations

from typing import Any, NamedTuple


class TracePart(NamedTuple):
    """`path` inside the trace called `trace` (its `name`)."""

    trace: str
    path: tuple[Any, ...]


def trace_part(trace: str, *path: Any) -> TracePart:
    return TracePart(trace, tuple(path))


def trace_index(figure: dict, name: str) -> int:
    """The position of the trace called `name` in a plain figure dict; KeyError when absent,
    so a figure that changed shape under a declared part fails loudly, never patches the wrong trace."""
    for i, trace in enumerate(figure.get("data") or []):
        if trace.get("name") == name:
            return i
    raise KeyError(f"figure has no trace named {name!r}")
