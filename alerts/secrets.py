"""Keep secrets out of logs, pages and stored errors.

Webhook URLs carry their secret in the path (Slack: /services/T…/B…/token) or the query, and
SMTP settings carry a password. Anything we log or store about a delivery goes through
`mask_url` / `scrub` first.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def mask_url(url: str | None) -> str:
    """`https://hooks.slack.com/services/T0/B0/abc` -> `https://hooks.slack.com/…` (never the path)."""
    if not url:
        return "(not set)"
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    return f"{parts.scheme}://{host}{port}/…"


def scrub(text: str | None, secrets) -> str:
    """`text` with every non-empty secret (and each URL's path and query) replaced by `***`."""
    out = str(text or "")
    for secret in secrets:
        if not secret:
            continue
        out = out.replace(secret, "***")
        try:
            parts = urlsplit(secret)
        except ValueError:
            continue
        for piece in (parts.path, parts.query):
            if piece and len(piece) > 3:
                out = out.replace(piece, "/***")
    return out[:1000]
