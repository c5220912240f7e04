"""Panels a viewer can move and resize (issue 12): a dash-snap-grid `Grid` (react-grid-layout)
around a page's panels, the arrangement kept per browser and per page, and a reset button.

- A panel is dragged by its head (title bar) only, so its tables, graphs and tools stay usable;
  it is resized by the handle at its lower right corner. Graphs fill their panel and follow it.
- The arrangement lives in the browser (`dcc.Store(storage_type="local")`, one key per page) as
  `{"v": 1, "layout": [{"i", "x", "y", "w", "h"}, …]}`; it is merged into the page's default on
  load, so a panel added later appears at its default place and a panel removed is forgotten.
  The server never sees it.
- Only desktop screens (≥ 1,200 px, not kiosk) arrange: the wall (`?kiosk=1`), laptops, tablets
  and phones keep the fixed layouts of assets/screens.css. There the grid is static (no drag, no
  resize, set by `assets/arrange.js` on load) and CSS takes the grid's boxes out of the layout
  (`display: contents` in kiosk, a plain column below 1,200 px).

A page builds its default with `stack(...)` (rows of `(panel id, width of 12, height in rows)`,
the rows it drew before), puts `arrangeable(...)` in its layout and calls `register(...)` from
its callbacks with the same ids and default.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import dash_snap_grid
from dash import Input, Output, State, dcc, html

COLUMNS = 12
ROW_PX = 10  # a height unit; the script makes it 1.6 × on wall screens (≥ 2,500 px), like the type
GAP_PX = 16
LAYOUT_VERSION = 1
MIN_W = 2
MIN_H = 5

Layout = list[dict[str, Any]]


def stack(*rows: Sequence[tuple[str, int, int]]) -> Layout:
    """The default arrangement: each row's panels left to right `(id, width, height)`, widths out of
    12 and heights in grid rows (a panel of h rows is 26·h − 16 px tall), rows top to bottom."""
    layout: Layout = []
    y = 0
    for cells in rows:
        x = 0
        for panel_id, w, h in cells:
            layout.append({"i": str(panel_id), "x": x, "y": y, "w": w, "h": h, "minW": MIN_W, "minH": MIN_H})
            x += w
        if x > COLUMNS:
            raise ValueError(f"a row of {x} columns is wider than {COLUMNS}")
        y += max(h for _id, _w, h in cells)
    return layout


def arrangeable(grid_id: str, saved_id: str, reset_id: str, panels: Sequence[Any], default: Layout) -> html.Div:
    """The panels (each with an `id` that is a key of `default`) in a grid the viewer arranges,
    with the reset button above it and the store that keeps the arrangement."""
    ids = {getattr(p, "id", None) for p in panels}
    missing = {cell["i"] for cell in default} ^ {str(i) for i in ids}
    if missing:
        raise ValueError(f"panels and default layout differ: {sorted(missing)}")
    return html.Div(
        className="mc-arrange",
        children=[
            html.Div(
                className="mc-arrange-bar",
                children=[
                    html.Span("drag a panel by its title · resize from its corner", className="mc-arrange-hint"),
                    html.Button("reset layout", id=reset_id, n_clicks=0, className="mc-arrange-reset"),
                ],
            ),
            dcc.Store(id=saved_id, storage_type="local"),
            dash_snap_grid.Grid(
                id=grid_id,
                layout=default,
                cols=COLUMNS,
                rowHeight=ROW_PX,
                margin=[GAP_PX, GAP_PX],
                containerPadding=[0, 0],
                compactType="vertical",
                draggableHandle=".panel-head",
                draggableCancel=".ana-tools, button, a, input, select",
                resizeHandles=["se"],
                children=list(panels),
            ),
        ],
    )


def register(app, grid_id: str, saved_id: str, reset_id: str, default: Layout) -> None:
    """The browser keeps the arrangement: restore it on load, save each change, reset to
    `default`; static grid where the layout is fixed (all in assets/arrange.js, no server)."""
    fixed = json.dumps(default)
    app.clientside_callback(
        f"function(layout, resets, ts, saved) {{"
        f" return window.mcArrange.sync({json.dumps(grid_id)}, {fixed}, layout, saved); }}",
        Output(grid_id, "layout"),
        Output(saved_id, "data"),
        Output(grid_id, "isDraggable"),
        Output(grid_id, "isResizable"),
        Output(grid_id, "rowHeight"),
        Input(grid_id, "layout"),
        Input(reset_id, "n_clicks"),
        Input(saved_id, "modified_timestamp"),
        State(saved_id, "data"),
    )
