"""The page ships a plotly.js bundle with only the trace types we draw (assets/05_plotly-mc.min.js,
built by tools/plotly_bundle/build.sh). These checks fail when a figure builder starts using a
trace type the bundle lacks, or when plotly.py moves to another plotly.js than the bundle's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "assets" / "05_plotly-mc.min.js"
ENTRY = ROOT / "tools" / "plotly_bundle" / "entry.js"


def trace_types_used() -> set[str]:
    """Trace types of every `go.<Trace>(...)` in the figure builders."""
    used = set()
    for path in (ROOT / "figures").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "go"
            ):
                made = getattr(go, node.func.attr)()
                if node.func.attr not in ("Figure", "Layout"):  # everything else under go. is a trace
                    used.add(made.type)
    return used


def test_every_trace_type_we_draw_is_in_the_bundle():
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", ENTRY.read_text())) - {"core"}
    used = trace_types_used()
    assert {"bar", "heatmap", "indicator", "scatter", "scatterpolar", "waterfall"} <= used  # the scan works
    assert used <= registered | {"scatter"}, f"add {sorted(used - registered - {'scatter'})} to {ENTRY.name}"


def test_the_bundle_is_the_plotly_js_that_plotly_py_writes_for():
    banner = BUNDLE.read_text(encoding="utf-8")[:300]
    assert f"plotly.js v{plotly.offline.get_plotlyjs_version()}," in banner
    assert BUNDLE.stat().st_size < 2_000_000  # a partial bundle, not the 4.8 MB full one
