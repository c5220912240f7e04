"""The words of a notice, shared by every channel: title, one headline per event, and the
what / where / since / action fields. Plain text only; each channel escapes for its medium."""

from __future__ import annotations

from alerts.conditions import SEVERITY_ORDER

EVENT_WORDS = {
    "firing": "FIRING",
    "repeat": "STILL FIRING",
    "resolved": "RESOLVED",
    "flapping": "FLAPPING",
    "flap_ended": "STABLE AGAIN",
    "silence_ended": "SILENCE ENDED, STILL FIRING",
}
MAX_EVENTS = 20  # a notice lists at most this many events, then "and N more"


def _clean(text, limit: int = 400) -> str:
    # One line: crawled text may hold newlines or control characters.
    s = " ".join(str(text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def headline(ev: dict) -> str:
    word = EVENT_WORDS.get(ev.get("event"), str(ev.get("event", "")).upper())
    if ev.get("event") == "flap_ended":
        word += f" (now {ev.get('state')})"
    return f"[{str(ev.get('severity', '')).upper()}] {word}: {_clean(ev.get('message'), 300)}"


def title(notice: dict) -> str:
    """The subject line: the single event's headline, or a count by severity for a group."""
    events = notice.get("events") or []
    if len(events) == 1:
        return _clean(headline(events[0]), 200)
    worst = min((SEVERITY_ORDER.get(e.get("severity"), 9) for e in events), default=9)
    sev = next((s for s, o in SEVERITY_ORDER.items() if o == worst), "info").upper()
    kinds = sorted({EVENT_WORDS.get(e.get("event"), e.get("event")) for e in events})
    return f"[{sev}] {len(events)} alert notices: {', '.join(kinds)}"


def where(ev: dict) -> str:
    parts = []
    if ev.get("affected_satellites"):
        parts.append("satellites " + ", ".join(map(str, ev["affected_satellites"][:10])))
    if ev.get("affected_jobs"):
        jobs = ev["affected_jobs"]
        parts.append("jobs " + ", ".join(map(str, jobs[:10])) + (f" (+{len(jobs) - 10})" if len(jobs) > 10 else ""))
    details = ev.get("details") or {}
    for key in ("domain", "target_domain", "api_name", "target_url"):
        if details.get(key):
            parts.append(f"{key.replace('_', ' ')} {details[key]}")
            break
    return _clean("; ".join(parts) or "deployment-wide", 500)


def fields(ev: dict) -> list[tuple[str, str]]:
    """(label, value) pairs: severity, what, where, since, recommended action."""
    since = ev.get("fired_at") or ev.get("since") or ev.get("at")
    out = [
        ("Severity", str(ev.get("severity", "")).upper()),
        ("What", _clean(ev.get("type"))),
        ("Where", where(ev)),
        ("Since", f"{since} (UTC)" if since else "?"),
    ]
    if ev.get("event") == "resolved" and ev.get("resolved_at"):
        out.append(("Resolved", f"{ev['resolved_at']} (UTC)"))
    if ev.get("recommended_action"):
        out.append(("Recommended action", _clean(ev["recommended_action"])))
    if ev.get("event") == "flapping":
        out.append(("Note", "changing state too often; further notices are held until it is stable"))
    if ev.get("comment"):
        out.append(("Comment", _clean(ev["comment"])))
    return out


def alerts_link(notice: dict) -> str | None:
    """The dashboard's alert page, only if it is an http(s) URL."""
    base = str(notice.get("dashboard_url") or "")
    if not base.startswith(("http://", "https://")):
        return None
    return base.rstrip("/") + "/alerts"
