"""Times leave the server in UTC, marked for the browser (ui/format.py, ui/times.py): the text,
the instant the browser converts, the UTC title, and headers and exports that say UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from alerts.export import COLUMNS, PAGE_HEADER, history_csv
from pages.alerts.render import alert_card, history_table, silences_panel
from pages.discovery import render as discovery
from pages.domains import render as domains
from pages.performance import render as performance
from pages.quotas.render import _utc_date, _utc_time
from ui import format as fmt
from ui.times import TIME_CLASS, ZONE_CLASS, when, zone_name

INSTANT = datetime(2026, 11, 29, 22, 0, 5)


def props(component) -> dict:
    return component.to_plotly_json()["props"]


def _spans(tree) -> list[dict]:
    """The props of every marked time span in a component tree."""
    found = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            p = props(node)
            if "data-utc" in p:
                found.append(p)
            walk(p.get("children"))

    walk(tree)
    return found


def text_of(node) -> str:
    """The text a component tree shows (as sent, before the browser converts it)."""
    if isinstance(node, (list, tuple)):
        return "".join(text_of(child) for child in node)
    if hasattr(node, "to_plotly_json"):
        return text_of(props(node).get("children"))
    return "" if node is None else str(node)


@pytest.mark.parametrize(
    "value",
    [
        INSTANT,
        "2026-11-29T22:00:05Z",
        "2026-11-29 22:00:05",
        "2026-11-30T03:30:05+05:30",
        INSTANT.replace(tzinfo=UTC),
        datetime(2026, 11, 29, 17, 0, 5, tzinfo=timezone(timedelta(hours=-5))),
        pd.Timestamp("2026-11-29 22:00:05.250"),
    ],
)
def test_every_form_of_an_instant_is_the_same_utc_time(value):
    assert fmt.utc_iso(value) == "2026-11-29T22:00:05Z"
    assert fmt.utc_text(value) == "2026-11-29 22:00"
    assert fmt.utc_text(value, "second") == "2026-11-29 22:00:05"
    assert fmt.utc_text(value, "date") == "2026-11-29"
    assert fmt.utc_text(value, "recent") == "11-29 22:00:05"


@pytest.mark.parametrize("value", [None, "", "not a time", float("nan"), pd.NaT])
def test_unknown_times_are_a_dash(value):
    assert fmt.utc_iso(value) is None
    assert fmt.utc_text(value) == "—"
    assert props(when(value))["children"] == "—"


def test_a_time_span_carries_the_instant_and_shows_utc_until_the_browser_converts_it():
    span = props(when("2026-11-29T22:00:05Z", "second"))
    assert span["children"] == "2026-11-29 22:00:05 UTC"
    assert span["data-utc"] == "2026-11-29T22:00:05Z"
    assert (span["data-unit"], span["data-zone"]) == ("second", "1")
    assert span["title"] == "2026-11-29 22:00:05 UTC"
    assert TIME_CLASS in span["className"].split()
    bare = props(when(INSTANT, zone=False))
    assert (bare["children"], bare["data-zone"]) == ("2026-11-29 22:00", "0")
    assert props(zone_name()) == {"children": "UTC", "className": ZONE_CLASS}


def test_alert_times_are_marked_utc_spans():
    card = alert_card(
        {
            "severity": "critical",
            "type": "t",
            "timestamp": "2026-11-29T22:00:05Z",
            "age_s": 3,
            "silenced_until": "2026-11-29T23:00:00Z",
        }
    )
    assert [(s["data-utc"], s["children"]) for s in _spans(card)] == [
        ("2026-11-29T22:00:05Z", "2026-11-29 22:00:05 UTC"),
        ("2026-11-29T23:00:00Z", "2026-11-29 23:00 UTC"),
    ]
    [table] = history_table([{"at": "2026-11-29T22:00:05Z", "event": "firing"}])
    assert [s["children"] for s in _spans(table)] == ["2026-11-29 22:00:05"]
    [silences] = silences_panel([{"id": 1, "alert_type": "t", "expires_at": "2026-11-29T23:00:00Z"}])
    assert [s["children"] for s in _spans(silences)] == ["2026-11-29 23:00"]
    # The headers name the zone the browser shows (UTC as sent).
    assert text_of(table).startswith("time (UTC)event")
    assert text_of(silences).startswith("silencesuntil (UTC)by")


def test_quota_times_are_marked_utc_spans():
    assert _spans(_utc_date("2026-12-01T00:00:00Z"))[0]["children"] == "2026-12-01"
    assert _spans(_utc_time("2026-11-29T22:00:05Z"))[0]["children"] == "11-29 22:00:05"


TIME_FIELDS = ("at", "timestamp", "since", "until", "hour", "day")


def is_time(field: str) -> bool:
    return field in TIME_FIELDS or field.endswith(("_date", "_at", "_seen", "_time", "_until"))


@pytest.mark.parametrize(
    "columns",
    [
        discovery.FINDS_COLUMNS,
        discovery.DRILL_COLUMNS,
        discovery.BOARD_COLUMNS,
        domains.HUNTER_COLUMNS,
        domains.PORTFOLIO_COLUMNS,
        domains.GAP_COLUMNS,
        performance.LEADER_COLUMNS,
        performance.RATE_COLUMNS,
        performance.ALLOCATION_COLUMNS,
        performance.SUMMARY_COLUMNS,
    ],
)
def test_every_table_time_column_says_utc(columns):
    """The browser converts a DataTable column by its header, and the CSV export keeps the header:
    a time column without ' (UTC)' would be shown in UTC unlabelled and exported unlabelled."""
    for field, header in columns:
        if is_time(field):
            assert header.endswith(fmt.UTC_MARK), (field, header)
        else:
            assert not header.endswith(fmt.UTC_MARK), (field, header)


def test_the_pages_history_export_says_utc_and_the_apis_keeps_its_field_names():
    rows = [{"at": INSTANT, "event": "firing", "affected_jobs": []}]
    page = history_csv(rows, PAGE_HEADER).splitlines()
    assert page[0].startswith("at (UTC),event,severity") and page[1].startswith("2026-11-29T22:00:05Z,firing")
    assert history_csv(rows).splitlines()[0] == ",".join(COLUMNS)
