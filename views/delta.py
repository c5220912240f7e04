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

    def digests(self) -> dict:
        d = {"s": digest(self.full if self.structure is None else self.structure)}
        if self.parts:
            d["p"] = {_key(path): digest(v) for path, v in self.parts.items()}
        return d


def _key(path: Path) -> str:
    return ".".join(map(str, path))


def to_plain(value: Any) -> Any:
    """Figures to dicts so digests and Patches see plain JSON."""
    if hasattr(value, "to_plotly_json") and value.__class__.__module__.startswith("plotly"):
        return json.loads(value.to_json())
    return value


def update_for(render: Render, previous: dict | None) -> tuple[Any, dict]:
    """(what to send for this panel, its new digests) given the digests the viewer holds."""
    now = render.digests()
    if previous is None or previous.get("s") != now["s"]:
        return render.full, now
    changed = [path for path in render.parts if previous.get("p", {}).get(_key(path)) != now["p"][_key(path)]]
    if not changed:
        return no_update, previous
    patch = Patch()
    for path in changed:
        target = patch
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = render.parts[path]
    return patch, now
