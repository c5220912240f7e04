"""The fast built-in rules: pure functions of the snapshot document (no SQL, no Redis).

They run on every tick inside the producer, so each is a pass over lists the snapshot already
holds: the fleet, the queue depth, the quota statuses, the active jobs. Each returns the
`Condition`s that hold now; names, URLs and ids in messages are crawled text and are only
ever rendered as plain text by the channels and the page.
"""

from __future__ import annotations

from datetime import datetime

from alerts.conditions import Condition, fingerprint
from alerts.settings import AlertSettings
from common.timestamps import to_datetime


def _short(text, limit: int = 120) -> str:
    s = str(text or "")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(seconds)
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    return f"{s / 3600:.1f} h"


def satellite_failures(doc: dict, settings: AlertSettings, last_jobs: dict[str, str]) -> list[Condition]:
    """Satellites whose last heartbeat (within 24 h) is older than the timeout.

    `last_jobs`: {satellite id: job id it was running when last seen alive}; those jobs are
    named in the alert because the dead satellite can no longer say what it was doing.
    """
    cfg = settings.rule("satellite_failure")
    if not cfg.enabled:
        return []
    mc = doc.get("mc", {})
    timeout = cfg.threshold or mc.get("heartbeat_timeout_s") or 30
    jobs = {str(j.get("id")): j for j in mc.get("active_jobs", [])}
    out = []
    for sat in mc.get("fleet", []):
        age = sat.get("heartbeat_age_s")
        if sat.get("last_heartbeat") is None or age is None or age <= timeout:
            continue
        sat_id = str(sat.get("satellite_id"))
        job_id = last_jobs.get(sat_id) or None
        job = jobs.get(job_id) if job_id else None
        running = ""
        if job_id:
            running = f"; it was running job {job_id}"
            if job:
                running += f" ({job.get('job_type') or '?'} of {_short(job.get('target_url'), 80)}, {float(job.get('progress_percentage') or 0):.0f} %)"
        out.append(
            Condition(
                fingerprint=fingerprint("satellite_failure", sat_id),
                rule="satellite_failure",
                type="satellite_failure",
                severity=cfg.severity,
                for_s=cfg.for_s,
                message=f"Satellite {sat_id} has not sent a heartbeat for {_duration(age)} (timeout {_duration(timeout)}){running}",
                recommended_action="Check the satellite host and restart its crawler; re-queue the jobs it was running",
                affected_jobs=[job_id] if job_id else [],
                affected_satellites=[sat_id],
                details={
                    "satellite_id": sat_id,
                    "heartbeat_age_s": round(float(age), 1),
                    "timeout_s": timeout,
                    "last_heartbeat": sat.get("last_heartbeat"),
                    "jobs": [
                        {
                            "id": job_id,
                            "job_type": (job or {}).get("job_type"),
                            "target_url": (job or {}).get("target_url"),
                            "progress_percentage": (job or {}).get("progress_percentage"),
                        }
                    ]
                    if job_id
                    else [],
                },
                anomaly="satellite_failure",
                target=sat_id,
            )
        )
    return out


def queue_overflow(doc: dict, settings: AlertSettings) -> list[Condition]:
    """The job queue deeper than the threshold (default 1,000)."""
    cfg = settings.rule("queue_overflow")
    depth = doc.get("crawler_mission_status", {}).get("queue_depth")
    if not cfg.enabled or not isinstance(depth, (int, float)) or depth <= cfg.threshold:
        return []
    return [
        Condition(
            fingerprint=fingerprint("queue_overflow"),
            rule="queue_overflow",
            type="queue_overflow",
            severity=cfg.severity,
            for_s=cfg.for_s,
            message=f"Job queue holds {int(depth):,} jobs (threshold {int(cfg.threshold):,})",
            recommended_action="Scale up the satellite fleet",
            details={"queue_depth": int(depth), "threshold": cfg.threshold},
            anomaly="queue_overflow",
            target="crawl_jobs",
        )
    ]


def quota_alerts(doc: dict, settings: AlertSettings) -> list[Condition]:
    """Exhausted quotas (critical) and quotas predicted to run out before their reset (warning)."""
    exhausted, predicted = settings.rule("quota_exhausted"), settings.rule("quota_predicted")
    out = []
    for q in doc.get("api_quota_statuses", []) or []:
        if q.get("enabled") is False:
            continue
        name = str(q.get("api_name"))
        limit, remaining = q.get("limit"), q.get("remaining")
        reset = to_datetime(q.get("reset_date"))
        details = {
            k: q.get(k)
            for k in (
                "api_name",
                "limit",
                "used",
                "remaining",
                "reset_date",
                "percentage_used",
                "predicted_exhaustion_date",
            )
        }
        if (
            exhausted.enabled
            and isinstance(limit, (int, float))
            and limit > 0
            and isinstance(remaining, (int, float))
            and remaining <= 0
        ):
            out.append(
                Condition(
                    fingerprint=fingerprint("quota_exhausted", name),
                    rule="quota_exhausted",
                    type="api_quota_exhausted",
                    severity=exhausted.severity,
                    for_s=exhausted.for_s,
                    message=f"API quota {name} is exhausted: {q.get('used')}/{limit} used, resets {q.get('reset_date') or '?'}",
                    recommended_action=q.get("recommended_action")
                    or f"Route {name} queries to a backup provider until the reset",
                    details=details,
                    anomaly="quota_exhausted",
                    target=name,
                )
            )
            continue
        exhaust_at = to_datetime(q.get("predicted_exhaustion_date"))
        if predicted.enabled and exhaust_at is not None and reset is not None and exhaust_at < reset:
            out.append(
                Condition(
                    fingerprint=fingerprint("quota_predicted", name),
                    rule="quota_predicted",
                    type="api_quota_warning",
                    severity=predicted.severity,
                    for_s=predicted.for_s,
                    message=f"API quota {name} is predicted to run out at {q.get('predicted_exhaustion_date')}, before its reset at {q.get('reset_date')} ({q.get('percentage_used')} % used)",
                    recommended_action=q.get("recommended_action")
                    or f"Slow down {name} calls or enable a fallback provider",
                    details=details,
                    anomaly="quota_exhaustion_predicted",
                    target=name,
                )
            )
    return out


def track_progress(
    active_jobs: list[dict], seen: dict[str, tuple[float, float]], now_epoch: float
) -> tuple[dict, dict]:
    """Update the {job id: (progress, epoch it last changed)} memory from the active jobs.

    Returns (new memory, entries that changed and must be persisted). Jobs no longer active
    are dropped, so the memory stays as small as the active list.
    """
    memory, changed = {}, {}
    for job in active_jobs:
        jid = str(job.get("id"))
        progress = float(job.get("progress_percentage") or 0.0)
        prev = seen.get(jid)
        if prev is None or abs(prev[0] - progress) > 1e-9:
            memory[jid] = changed[jid] = (progress, now_epoch)
        else:
            memory[jid] = prev
    return memory, changed


def stalled_jobs(
    doc: dict, settings: AlertSettings, progress: dict[str, tuple[float, float]], now_epoch: float
) -> list[Condition]:
    """Jobs in progress whose progress has not moved for the threshold (default 15 min)."""
    cfg = settings.rule("stalled_job")
    if not cfg.enabled:
        return []
    out = []
    for job in doc.get("mc", {}).get("active_jobs", []):
        jid = str(job.get("id"))
        entry = progress.get(jid)
        if entry is None:
            continue
        still = now_epoch - entry[1]
        if still < cfg.threshold:
            continue
        sat = job.get("satellite_id")
        out.append(
            Condition(
                fingerprint=fingerprint("stalled_job", jid),
                rule="stalled_job",
                type="stalled_job",
                severity=cfg.severity,
                for_s=cfg.for_s,
                message=f"Job {jid} ({job.get('job_type') or '?'} of {_short(job.get('target_url'), 80)}) has been stuck at {entry[0]:.1f} % for {_duration(still)}",
                recommended_action="Check the satellite running it; cancel and re-queue the job if it does not recover",
                affected_jobs=[jid],
                affected_satellites=[str(sat)] if sat else [],
                details={
                    "job_id": jid,
                    "job_type": job.get("job_type"),
                    "target_url": job.get("target_url"),
                    "progress_percentage": entry[0],
                    "stalled_for_s": round(still),
                    "satellite_id": sat,
                },
                anomaly="stalled_job",
                target=str(job.get("target_url") or ""),
            )
        )
    return out


def failed_jobs(rows: list[dict], settings: AlertSettings, now: datetime) -> list[Condition]:
    """One event per job that failed within the hold window (rows from `jobs_rules.recent_jobs`)."""
    cfg = settings.rule("job_failure")
    if not cfg.enabled:
        return []
    out = []
    for r in rows:
        if r.get("status") != "failed":
            continue
        errors = r.get("errors") or []
        last = errors[-1] if errors else {}
        last = last if isinstance(last, dict) else {"message": str(last)}
        reason = str(last.get("message") or last.get("error") or "no error recorded")
        out.append(
            Condition(
                fingerprint=fingerprint("job_failure", r["id"]),
                rule="job_failure",
                type="job_failure",
                severity=cfg.severity,
                for_s=cfg.for_s,
                one_shot=True,
                message=f"Job {r['id']} ({r.get('job_type') or '?'} of {_short(r.get('target_url'), 80)}) failed: {_short(reason, 160)}",
                recommended_action="Look at the job's errors; re-run it once the cause is fixed",
                affected_jobs=[str(r["id"])],
                details={
                    "job_id": r["id"],
                    "job_type": r.get("job_type"),
                    "target_url": r.get("target_url"),
                    "completed_date": r.get("completed_date"),
                    "errors": len(errors),
                    "last_error": _short(reason, 300),
                },
                anomaly=None,
                target=str(r.get("target_url") or ""),
            )
        )
    return out
