"""CSV export of a page table: exactly the rows and columns the table shows.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are prefixed
with a quote: crawled text is hostile, and a CSV is often opened in Excel (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_csv(rows: list[dict], columns: list[str]) -> str:
    """`rows` (DataTable data) as CSV text with a header of `columns`, in that order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows or []:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()
