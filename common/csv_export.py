"""CSV export of a page table: the rows and columns the table shows, within fixed bounds.

The rows come back from the browser (the table's data), so they are client input: at most
MAX_ROWS rows, MAX_COLUMNS columns and MAX_CELL characters a cell are written (the page's
tables hold far less), so a forged request cannot make the server build and echo megabytes.
Cells go through textsafe.csv_cell (formula escaping: crawled text is hostile, and a CSV is
often opened in Excel).
"""

from __future__ import annotations

import csv
import io

from common.textsafe import csv_cell

MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELL = 2_000


def _bounded(value):
    value = csv_cell(value)
    return value[:MAX_CELL] if isinstance(value, str) else value


def table_csv(rows: list[dict], columns: list[str]) -> str:
    """`rows` (DataTable data) as CSV text with a header of `columns`, in that order (bounded)."""
    columns = [str(c)[:MAX_CELL] for c in (columns or [])[:MAX_COLUMNS]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_bounded(c) for c in columns])
    for row in (rows or [])[:MAX_ROWS]:
        if isinstance(row, dict):
            writer.writerow([_bounded(row.get(c)) for c in columns])
    return out.getvalue()
