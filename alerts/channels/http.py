"""POST JSON with the standard library (no extra dependency), errors without secrets."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from alerts.channels import DeliveryError
from alerts.secrets import mask_url, scrub


def post_json(url: str, body: dict, timeout: float, headers: dict | None = None) -> int:
    """POST `body` as JSON to `url`; returns the status, raises `DeliveryError` unless 2xx."""
    data = json.dumps(body, separators=(",", ":")).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "link-profiler-mission-control", **(headers or {})},
    )
    try:
        # The URL comes from settings (checked to be http/https at start-up), never from crawled data.
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            resp.read(2048)
            return resp.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{mask_url(url)} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{mask_url(url)} unreachable: {scrub(str(reason), [url])}") from None
