"""The quota page's headline figures, computed from statuses and events (pure)."""

from __future__ import annotations


def summarize(statuses: list[dict], events: list[dict]) -> dict:
    """{"enabled", "providers", "used", "limit", "efficiency", "backups", "critical", "warning",
    "calls", "successful_calls", "open_circuits"}.

    Totals cover enabled providers only (a provider without a key has no free tier to waste).
    Efficiency is the limit-weighted projected share of the free tiers used, leaving out
    emergency-only backups, whose unused quota is the point of having them.
    """
    enabled = [s for s in statuses if s.get("enabled")]
    regular = [s for s in enabled if not s.get("emergency_only")]
    limit = sum(s["limit"] for s in regular)
    projected = sum(s["limit"] * s.get("efficiency", 0) / 100 for s in regular)
    return {
        "enabled": len(enabled),
        "providers": len(statuses),
        "used": sum(s["used"] for s in enabled),
        "limit": sum(s["limit"] for s in enabled),
        "efficiency": round(projected / limit * 100, 1) if limit else None,
        "backups": sum(1 for e in events if e.get("kind") == "emergency_backup"),
        "critical": sum(1 for s in enabled if s.get("status") == "Critical"),
        "warning": sum(1 for s in enabled if s.get("status") == "Warning"),
        # Call records cover every provider: a call made is a call made.
        "calls": sum(_performance(s)["total_calls"] for s in statuses),
        "successful_calls": sum(_performance(s)["successful_calls"] for s in statuses),
        "open_circuits": sum(1 for s in statuses if _performance(s)["circuit_breaker_state"] != "CLOSED"),
    }


def _performance(status: dict) -> dict:
    return status.get("performance") or {"total_calls": 0, "successful_calls": 0, "circuit_breaker_state": "CLOSED"}
