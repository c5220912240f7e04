"""Slack incoming webhook: a Block Kit message with severity, what, where, since, the
recommended action and a button back to the dashboard.

Every text object is `plain_text`, so crawled text can never turn into Slack links or
mentions (`<http://x|click>`, `<!channel>`), whatever it contains. The top-level `text` (the
notification fallback) is mrkdwn, so it is escaped by textsafe.slack_mrkdwn; bidi and
zero-width characters are stripped everywhere.
"""

from __future__ import annotations

from alerts.channels.http import post_json
from alerts.notice_text import MAX_EVENTS, alerts_link, fields, headline, title
from common.textsafe import slack_mrkdwn, strip_invisible

SEVERITY_EMOJI = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}


def _plain(text: str, limit: int = 2900) -> dict:
    text = strip_invisible(text)
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…", "emoji": True}


def render(notice: dict) -> dict:
    """The webhook body (`text` is the fallback shown in notifications)."""
    events = notice.get("events") or []
    blocks: list[dict] = [{"type": "header", "text": _plain(title(notice), 150)}]
    for ev in events[:MAX_EVENTS]:
        blocks.append(
            {"type": "section", "text": _plain(f"{SEVERITY_EMOJI.get(ev.get('severity'), '')} {headline(ev)}".strip())}
        )
        blocks.append(
            {"type": "section", "fields": [_plain(f"{label}: {value}", 1900) for label, value in fields(ev)][:10]}
        )
        blocks.append({"type": "divider"})
    if len(events) > MAX_EVENTS:
        blocks.append({"type": "context", "elements": [_plain(f"and {len(events) - MAX_EVENTS} more")]})
    link = alerts_link(notice)
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": _plain("Open Mission Control"),
                        "url": link,
                        "action_id": "open_dashboard",
                    }
                ],
            }
        )
    blocks.append(
        {"type": "context", "elements": [_plain(f"notice {notice.get('notice_id')} · {notice.get('created_at')}")]}
    )
    return {"text": slack_mrkdwn(title(notice))[:3000], "blocks": blocks[:50]}


def send(url: str, body: dict, timeout: float) -> None:
    post_json(url, body, timeout)
