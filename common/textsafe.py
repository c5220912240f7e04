"""Crawled text made safe for each place it is written to: one function per sink.

Everything Link Profiler crawls (domain names, URLs, anchors, error messages, satellite ids)
is written by strangers. Each sink interprets a different syntax, so each gets its own
function here, and every caller goes through this module instead of escaping by hand:

- `plotly_text`   Plotly's label/hover/title text, which renders a subset of HTML (<a>, <b>, <br>…)
- `slack_mrkdwn`  Slack's mrkdwn (the top-level `text` of a webhook, shown in notifications)
- `email_header`  a single-line e-mail header value (Subject)
- `csv_cell`      a spreadsheet cell (formula injection, OWASP "CSV injection")
- `db_text`       a value for a bounded database column (fits the width, stays unique);
                  `fit_rows` applies it to rows bound for a table

All of them first apply `strip_invisible`: bidi overrides can make `moc.live` read as
`evil.com` and zero-width characters make two different names look identical, in any sink.
This module is pure (standard library only) so figures, alerts, APIs and storage can all use it.
"""

from __future__ import annotations

import hashlib
import re

# Bidi embeddings/overrides (U+202A–U+202E), bidi isolates (U+2066–U+2069), zero-width space,
# joiners and direction marks (U+200B–U+200F) and the BOM / zero-width no-break space (U+FEFF).
INVISIBLE_CHARACTERS = "\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff"  # a character-class body
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")
# C0/C1 controls other than tab and newline: never meaningful in crawled text, and some sinks
# (terminals, PostgreSQL for NUL) react to them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    return "" if value is None else str(value)


def strip_invisible(value) -> str:
    """`value` as text without bidi controls, zero-width characters and C0/C1 controls."""
    return _CONTROLS.sub("", _INVISIBLE.sub("", _text(value)))


def plotly_text(value) -> str:
    """Text for a Plotly label, tick, hover or title: its HTML subset made inert.

    Plotly turns `<a href=…>`, `<b>`, `<br>` … in these strings into SVG elements; escaping
    `&`, `<` and `>` makes it draw them as the characters they are."""
    text = strip_invisible(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(value) -> str:
    """Text for Slack mrkdwn: `<!channel>`, `<https://x|click>` and `<@U123>` become inert.

    Slack's rule: escape exactly `&`, `<` and `>` as HTML entities, and nothing else."""
    return plotly_text(value)


def email_header(value, limit: int = 200) -> str:
    """A single-line header value: no CR/LF (header injection), no bidi, at most `limit` chars."""
    return " ".join(strip_invisible(value).split())[:limit]


def csv_cell(value):
    """A value for a CSV cell: text a spreadsheet would run as a formula gets a leading quote.

    Lists are joined with spaces; numbers and booleans pass through unchanged."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = " ".join(map(str, value))
    if not isinstance(value, str):
        return value
    text = strip_invisible(value)
    return "'" + text if text.startswith(FORMULA_START) or value.startswith(FORMULA_START) else text


def db_text(value, length: int | None):
    """`value` fitted to a column of `length` characters (None: unbounded), unique per input.

    A longer string keeps its first characters and ends with a hash of the whole, so two long
    names never collide and the same name always maps to the same key (rollups merge on it).
    NUL is replaced (PostgreSQL text cannot hold it). Non-strings pass through."""
    if not isinstance(value, str):
        return value
    text = value.replace("\x00", "\ufffd")
    if length is None or len(text) <= length:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return text[: max(length - 18, 0)] + "…#" + digest[: max(min(16, length - 2), 0)]


def fit_rows(table, rows: list[dict]) -> list[dict]:
    """`rows` for `table` (a SQLAlchemy Table) with every string passed through `db_text` at
    its column's width: the one place rows of crawled or client text are fitted for storage."""
    widths = {c.name: getattr(c.type, "length", None) for c in table.columns}
    return [{k: db_text(v, widths.get(k)) for k, v in row.items()} for row in rows]
