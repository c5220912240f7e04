"""Figures whose crawled text Plotly draws as text, never as markup.

Plotly renders a subset of HTML (<a href>, <b>, <i>, <span style>, <br>) in tick labels,
category values, hover text, trace names, titles and annotations, so an anchor text
`<a href="https://evil.example">CLICK</a>` would become a live SVG link. Rather than trusting
every builder to escape every crawled value, `inert_figure` escapes every string a figure will
draw (through `textsafe.plotly_text`, the one Plotly sink function) at the one place figures
leave for the browser (ui.delta.to_plain). Plotly decodes the entities back when drawing, so
the user reads `<a href=…>` as typed.

The one tag our own builders write is `<br>` (wrapped radar labels, two-line factor names); it
is put back after escaping. A crawled `<br>` therefore still breaks a line, which is inert.
"""

from __future__ import annotations

from typing import Any

from common.textsafe import plotly_text

# Trace attributes whose strings Plotly draws (as tick/category labels, text, hover).
TRACE_TEXT = ("x", "y", "z", "text", "hovertext", "customdata", "theta", "labels", "name", "ids")
LINE_BREAK, ESCAPED_BREAK = "<br>", plotly_text("<br>")


def _inert(value: Any) -> Any:
    if isinstance(value, str):
        return plotly_text(value).replace(ESCAPED_BREAK, LINE_BREAK)
    if isinstance(value, list):
        return [_inert(v) for v in value]
    if isinstance(value, dict):
        return {k: _inert(v) for k, v in value.items()}
    return value


def _inert_title(holder: dict) -> None:
    title = holder.get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        title["text"] = _inert(title["text"])
    elif isinstance(title, str):
        holder["title"] = _inert(title)


def inert_figure(figure: dict) -> dict:
    """`figure` (a plain dict, as from `go.Figure.to_plotly_json`) with every drawn string escaped, in place."""
    for trace in figure.get("data") or []:
        for key in TRACE_TEXT:
            if key in trace:
                trace[key] = _inert(trace[key])
    layout = figure.get("layout") or {}
    _inert_title(layout)
    for annotation in layout.get("annotations") or []:
        if isinstance(annotation.get("text"), str):
            annotation["text"] = _inert(annotation["text"])
    for name, axis in layout.items():
        if isinstance(axis, dict) and (name.startswith(("xaxis", "yaxis", "polar")) or name == "coloraxis"):
            _inert_title(axis)
            if "ticktext" in axis:
                axis["ticktext"] = _inert(axis["ticktext"])
            for inner in ("angularaxis", "radialaxis"):
                if isinstance(axis.get(inner), dict) and "ticktext" in axis[inner]:
                    axis[inner]["ticktext"] = _inert(axis[inner]["ticktext"])
    return figure
