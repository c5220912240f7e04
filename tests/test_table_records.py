"""ui.tables.records: what a table cell shows for missing values (a blank, never "NaT" or "nan")."""

from __future__ import annotations

import pandas as pd

from ui.tables import records


def test_missing_times_and_numbers_are_blank_cells():
    frame = pd.DataFrame(
        {"predicted": [pd.NaT, pd.Timestamp("2026-11-30 08:59:41")], "error_min": [1.234, float("nan")]}
    )
    assert records(frame, ["predicted", "error_min"]) == [
        {"predicted": None, "error_min": 1.23},
        {"predicted": "2026-11-30 08:59", "error_min": None},
    ]
