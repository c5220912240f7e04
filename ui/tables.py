"""Plain-text tables and their CSV export: a DataTable with no markdown and no HTML (crawled
text stays text), rows made ready for it, and the CSV button with its download."""

from __future__ import annotations

import re
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dash_table, dcc

from common.csv_export import MAX_COLUMNS, MAX_ROWS, table_csv
from ui.inputs import table_rows
from ui.panel import analysis_panel

TABLE_STYLE = dict(
    style_table={"overflowX": "auto", "maxHeight": "360px", "overflowY": "auto"},
    style_header={"backgroundColor": "#0b1628", "color": "#6d7f99", "fontWeight": "600", "border": "none"},
    style_cell={
        "backgroundColor": "transparent",
        "color": "#c9d6ea",
        "border": "none",
        "fontSize": "12px",
        "fontFamily": "'DejaVu Sans Mono', monospace",
        "textAlign": "left",
        "maxWidth": "360px",
        "overflow": "hidden",
        "textOverflow": "ellipsis",
        "padding": "4px 8px",
    },
    style_data={"borderBottom": "1px solid #16263f"},
)

Columns = list[tuple[str, str]]


def fields(columns: Columns) -> list[str]:
    """The field names of [(field, header)] column specs."""
    return [c for c, _h in columns]


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?")


def records(frame, columns: list[str]) -> list[dict]:
    """DataFrame rows as JSON-ready dicts (timestamps as text, NaN as None)."""
    if frame is None or frame.empty:
        return []
    out = []
    for row in frame[columns].to_dict("records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            # NaT (a missing time) has isoformat too: it is a blank cell, never the text "NaT".
            if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
                clean[k] = None
            elif hasattr(v, "isoformat"):
                clean[k] = str(v)[:16]  # minutes are enough on screen; UTC like all stored times
            elif isinstance(v, str) and _TIMESTAMP.fullmatch(v):
                clean[k] = v[:16]  # SQLite hands timestamps back as text
            else:
                v = v.item() if hasattr(v, "item") else v  # numpy scalars to Python
                if isinstance(v, float):
                    v = round(v, 2)
                clean[k] = v if isinstance(v, (int, float, bool)) else str(v)
        out.append(clean)
    return out


def table(table_id: str, rows: list[dict], columns: Columns, **extra) -> Any:
    """A plain-text DataTable (no markdown, no HTML) of `rows` (from `records`) under `columns`."""
    # DataTable is generated when dash_table is imported, so mypy cannot see it.
    return dash_table.DataTable(  # type: ignore[attr-defined]
        id=table_id,
        columns=[{"name": h, "id": c} for c, h in columns],
        data=rows,
        page_action="none",
        sort_action="native",
        **TABLE_STYLE,
        **extra,
    )


def csv_button(table_id: str) -> str:
    """The id of a table's CSV export button."""
    return f"{table_id}-csv"


def csv_download(table_id: str) -> str:
    return f"{table_id}-download"


def export_tools(table_id: str) -> list:
    return [
        dbc.Button("CSV", id=csv_button(table_id), size="sm", className="ana-csv", n_clicks=0),
        dcc.Download(id=csv_download(table_id)),
    ]


def table_panel(
    title: str, table_id: str, rows: list[dict], columns: Columns, subtitle=None, panel_id: str | None = None, **extra
):
    """An analysis panel holding a plain-text table of `rows` with its CSV export button."""
    return analysis_panel(
        title, table(table_id, rows, columns, **extra), subtitle, export_tools(table_id), panel_id=panel_id
    )


def register_csv(app, table_id: str, filename: str) -> None:
    """The CSV button of `table_id` downloads the table's current rows and columns."""

    @app.callback(
        Output(csv_download(table_id), "data"),
        Input(csv_button(table_id), "n_clicks"),
        State(table_id, "data"),
        State(table_id, "columns"),
        prevent_initial_call=True,
    )
    def export(_clicks, data, columns):
        """Triggered by the CSV button: the rows the table holds, as the user sees them."""
        rows, names = table_rows("CSV export", data, columns or [], MAX_ROWS, MAX_COLUMNS)
        return {"content": table_csv(rows, names), "filename": filename, "type": "text/csv"}
