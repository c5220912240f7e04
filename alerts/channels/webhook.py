"""The generic JSON webhook: the notice's events plus the alerts in the contract's shape.

The outbox row id goes in the `X-Notice-Id` header and the body, so a receiver can drop a
duplicate if a worker died between the receiver's 2xx and our record of it.
"""

from __future__ import annotations

from alerts.channels.http import post_json
from alerts.notice_text import alerts_link, title


def render(notice: dict) -> dict:
    events = notice.get("events") or []
    return {
        "id": notice.get("id"),
        "notice_id": notice.get("notice_id"),
        "created_at": notice.get("created_at"),
        "title": title(notice),
        "dashboard_url": alerts_link(notice),
        "events": [
            {
                k: ev.get(k)
                for k in ("event", "fingerprint", "state", "at", "since", "fired_at", "resolved_at", "comment")
            }
            | {
                "alert": {
                    "type": ev.get("type"),
                    "severity": ev.get("severity"),
                    "message": ev.get("message"),
                    "timestamp": ev.get("fired_at") or ev.get("since"),
                    "affected_jobs": ev.get("affected_jobs", []),
                    "recommended_action": ev.get("recommended_action"),
                    "details": ev.get("details", {}),
                    "affected_satellites": ev.get("affected_satellites", []),
                    "rule": ev.get("rule"),
                }
            }
            for ev in events
        ],
    }


def send(url: str, body: dict, notice_id: str | None, timeout: float) -> None:
    post_json(url, body, timeout, headers={"X-Notice-Id": str(notice_id or "")})
