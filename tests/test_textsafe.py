"""Crawled text per sink (textsafe) and secrets in configuration text, as the attacks."""

from __future__ import annotations

import csv
import io

import plotly.graph_objects as go
import pytest

from alerts.channels import email, slack
from common.csv_export import MAX_CELL, MAX_ROWS, table_csv
from config import ConfigError, display_url, load_settings
from common.textsafe import csv_cell, db_text, email_header, plotly_text, slack_mrkdwn, strip_invisible

PHISH = '<a href="https://evil.example/phish">CLICK ME</a>'
BIDI = "\u202eexe.live\u202c\u2066x\u2069\u200bzero\u200dwidth\ufeff"


def test_plotly_text_makes_plotlys_html_subset_inert():
    out = plotly_text(PHISH + " & <b>bold</b><br>")
    assert "<" not in out and ">" not in out
    assert (
        out == '&lt;a href="https://evil.example/phish"&gt;CLICK ME&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;&lt;br&gt;'
    )
    # The escaped text is what a figure carries: no tag reaches Plotly's label renderer.
    fig = go.Figure(go.Bar(x=[plotly_text(PHISH)], y=[1], hovertext=[plotly_text(PHISH)]))
    assert "<a" not in fig.to_json()
    assert plotly_text(None) == "" and plotly_text(42) == "42"


def test_every_sink_strips_bidi_and_zero_width_characters():
    assert strip_invisible(BIDI) == "exe.livexzerowidth"
    for sink in (plotly_text, slack_mrkdwn, email_header, csv_cell):
        out = sink(BIDI)
        assert not any(ch in out for ch in "\u202e\u202c\u2066\u2069\u200b\u200d\ufeff"), sink.__name__


def test_slack_mrkdwn_neutralises_mentions_and_links():
    out = slack_mrkdwn("<!channel> <https://evil|click> <@U123> a & b")
    assert out == "&lt;!channel&gt; &lt;https://evil|click&gt; &lt;@U123&gt; a &amp; b"


def test_email_header_is_one_line_without_injection():
    assert email_header("Alert\r\nBcc: victim@example.com\n\u202eX") == "Alert Bcc: victim@example.com X"
    assert len(email_header("x" * 5000)) == 200


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\u200b=cmd|' /C calc'!A0"])
def test_csv_cell_escapes_formulas_even_behind_invisible_characters(value):
    assert csv_cell(value).startswith("'")


def test_db_text_fits_and_keeps_long_values_distinct():
    a, b = "a" * 5000, "a" * 4999 + "b"
    assert len(db_text(a, 255)) == 255 and db_text(a, 255) != db_text(b, 255)
    assert db_text(a, 255) == db_text(a, 255) and db_text("short", 255) == "short"
    assert db_text("nul\x00", None) == "nul\ufffd" and db_text(5, 10) == 5
    assert len(db_text(a, 10)) == 10


def test_slack_fallback_text_and_email_subject_are_made_safe():
    notice = {
        "kind": "firing",
        "notice_id": "n1",
        "created_at": "2026-01-01T00:00:00Z",
        "events": [
            {
                "severity": "critical",
                "message": "<!channel> <https://evil|click> \u202eevil",
                "type": "satellite_failure",
            }
        ],
    }
    body = slack.render(notice)
    assert "<!channel>" not in body["text"] and "<https://evil|click>" not in body["text"]
    assert "\u202e" not in str(body)
    msg = email.render({**notice, "id": "n1"}, "mc@example.com", ["ops@example.com"])
    assert "\n" not in msg["Subject"] and "\u202e" not in msg.as_string()


def test_csv_export_does_not_echo_megabytes_of_client_rows():
    rows = [{"a": "x" * 50_000, "b": "=cmd"} for _ in range(MAX_ROWS + 500)]
    out = table_csv(rows, ["a", "b"] + [f"c{i}" for i in range(200)])
    parsed = list(csv.reader(io.StringIO(out)))
    assert len(parsed) == MAX_ROWS + 1 and len(parsed[0]) == 50
    assert len(parsed[1][0]) == MAX_CELL and parsed[1][1] == "'=cmd"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://lp@db/lp?password=hunter3&sslmode=require",
            "postgresql://lp@db/lp?password=***&sslmode=require",
        ),
        ("postgresql://lp:hunter2@db:5432/lp", "postgresql://lp:***@db:5432/lp"),
        ("redis://cache:6379/0?password=hunter3", "redis://cache:6379/0?password=***"),
        ("postgresql://u:hun#ter2@h/db", "(unparsable URL)"),
    ],
)
def test_display_url_hides_passwords_in_user_part_and_query(url, shown):
    assert display_url(url) == shown
    assert "hunter" not in display_url(url) and "hun" not in display_url(url).replace("(unparsable URL)", "")


def test_an_unparsable_database_url_does_not_echo_part_of_the_password():
    with pytest.raises(ConfigError) as err:
        load_settings({"DATABASE_URL": "postgresql://u:hun#ter2@h/db"}, dotenv_path=None)
    assert "hun" not in str(err.value) and "ter2" not in str(err.value)
    assert "DATABASE_URL" in str(err.value) and "percent-encode" in str(err.value)
