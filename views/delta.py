"""The smallest update: digests of what a viewer already has, and Patches of what changed.

A panel renders to a `Render`: the full value (component, text or figure dict), a digest of
its structure, and `parts` — paths inside the full value whose contents change often (a ring's
percentage, a figure's y array). A viewer's browser keeps the digests it was sent (a few bytes
per panel); on each tick the callback compares and sends, per panel, nothing, a `dash.Patch`
of the changed parts, or the full value when the structure changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from dash import Patch, no_update

Path = tuple


def digest(value: Any) -> str:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=4).hexdigest()


@dataclass
class Render:
    """What one panel shows at one snapshot version."""

    full: Any
    structure: Any = None  # what, when it changes, forces a full re-send (default: full itself)
    parts: dict[Path, Any] = field(default_factory=dict)

    def digests(self) -> str | dict:
        """A short string for a panel without parts, else {"s": structure, "p": [one per part]}."""
        structure = digest(self.full if self.structure is None else self.structure)
        if not self.parts:
            return structure
        return {"s": structure, "p": [digest(v) for v in self.parts.values()]}


def to_plain(value: Any) -> Any:
    """Figures to dicts so digests and Patches see plain JSON."""
    if hasattr(value, "to_plotly_json") and value.__class__.__module__.startswith("plotly"):
        return json.loads(value.to_json())
    return value


def _structure_of(held) -> str | None:
    return held.get("s") if isinstance(held, dict) else held


def update_for(render: Render, held) -> tuple[Any, Any]:
    """(what to send for this panel, its new digests or None when the viewer is up to date),
    given the digests the viewer holds (None when it has nothing)."""
    now = render.digests()
    if held is None or _structure_of(held) != _structure_of(now):
        return render.full, now
    if not render.parts:
        return no_update, None
    old_parts = held.get("p", []) if isinstance(held, dict) else []
    changed = [i for i, d in enumerate(now["p"]) if i >= len(old_parts) or old_parts[i] != d]
    if not changed:
        return no_update, None
    patch = Patch()
    paths = list(render.parts)
    for i in changed:
        target = patch
        for step in paths[i][:-1]:
            target = target[step]
        target[paths[i][-1]] = render.parts[paths[i]]
    return patch, now
