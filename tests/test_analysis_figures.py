"""Pure checks of analysis figure builders where the drawing itself could mislead."""

import pandas as pd

from figures.performance import response_trend


def test_response_trend_runs_forward_in_time_for_every_site():
    # Site "late" is first seen at 18:00; on a category axis 17:00 would land after it.
    rows = pd.DataFrame(
        {
            "site": ["late", "late", "early", "early"],
            "hour": ["2026-11-28 19", "2026-11-28 18", "2026-11-28 18", "2026-11-28 17"],
            "response_ms": [300.0, 200.0, 150.0, 100.0],
        }
    )
    fig = response_trend(rows)
    assert fig.layout.xaxis.type == "date"
    assert [(t.name, list(t.x), list(t.y)) for t in fig.data] == [
        ("early", ["2026-11-28 17:00", "2026-11-28 18:00"], [100.0, 150.0]),
        ("late", ["2026-11-28 18:00", "2026-11-28 19:00"], [200.0, 300.0]),
    ]
