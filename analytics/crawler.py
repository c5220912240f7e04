"""Page queries of crawler performance: satellite leaderboard, adaptive rate limiting,
resource allocation and bottleneck detection. They read the hourly fleet rollups, the small
crawl_jobs table (bounded) and the snapshot's fleet; never a scan of the performance log.

Recommended crawl delay (per target site), in the spirit of Scrapy's AutoThrottle: the delay
that keeps MC_CRAWL_TARGET_CONCURRENCY requests in flight at the site's current response time
(`latency / concurrency`), doubled while the site is slowing under our load, clamped to
[MC_CRAWL_DELAY_MIN, MC_CRAWL_DELAY_MAX]. "Slowing under our load": its mean response time over
the last 2 hours is at least SLOWING_FACTOR × its baseline (the 22 hours before), while we sent
it at least as many pages per hour as in the baseline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import exact_window
from analytics import tables as t
from analytics.dialect import frame, hour_key
from analytics.settings import AnalyticsSettings
from common.textsafe import db_text
from data.schema import SchemaInfo

SLOWING_FACTOR = 1.5
RECENT_H = 2
BASELINE_H = 22
# Bottleneck thresholds (evidence is shown with every finding).
CPU_PCT, MEMORY_PCT, NETWORK_MBPS = 90.0, 90.0, 100.0
ERROR_RATE_PCT, SUCCESS_PCT = 10.0, 80.0
QUEUE_WAIT_S, SLOW_TARGET_MS = 900.0, 2000.0
UNDERUSED_CPU_PCT = 30.0

LEADER_COLUMNS = [
    "rank",
    "satellite_id",
    "speed",
    "success_rate",
    "response_ms",
    "pages",
    "jobs_completed",
    "errors",
    "samples",
    "mark",
]


def _mean(s, n):
    s, n = pd.to_numeric(s).astype(float), pd.to_numeric(n).astype(float)
    return (s / n.where(n > 0)).round(1)


def leaderboard(
    mc: Engine, now: datetime, hours: int, lp: Engine | None = None, schema: SchemaInfo | None = None
) -> pd.DataFrame:
    """Per satellite over the last `hours` (exact with `lp` and `schema`, see `satellite_sums`):
    mean speed (pages/min), success rate %, response ms, pages, jobs completed, errors; ranked by
    speed, the first marked "best" and the last "worst" (LEADER_COLUMNS)."""
    agg = satellite_sums(mc, now, hours, lp, schema)
    if agg.empty:
        return pd.DataFrame(columns=LEADER_COLUMNS)
    jobs = frame(
        mc,
        "SELECT satellite_id, COUNT(*) AS jobs_completed FROM mc_rollup_satellite_jobs "
        "WHERE status = 'completed' AND completed_at >= :since GROUP BY satellite_id",
        {"since": now - timedelta(hours=hours)},
        columns=["satellite_id", "jobs_completed"],
    )
    out = agg.merge(jobs, on="satellite_id", how="left")
    out["speed"] = _mean(out["speed_sum"], out["speed_n"])
    out["success_rate"] = _mean(out["success_sum"], out["success_n"])
    out["response_ms"] = _mean(out["response_sum"], out["response_n"])
    for col in ("pages", "errors", "samples", "jobs_completed"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    out = out.sort_values(
        ["speed", "success_rate", "satellite_id"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    out["mark"] = ""
    if len(out) > 1:
        out.loc[0, "mark"] = "best"
        out.loc[len(out) - 1, "mark"] = "worst"
    return out[LEADER_COLUMNS]


RATE_COLUMNS = [
    "site",
    "response_ms",
    "baseline_ms",
    "change_pct",
    "pages_per_hour",
    "baseline_pages_per_hour",
    "recommended_delay_s",
    "slowing",
]


def rate_limits(mc: Engine, now: datetime, cfg: AnalyticsSettings) -> pd.DataFrame:
    """Per target site crawled in the last 24 h: recent vs baseline response time and load,
    the recommended delay and whether it is slowing under our load (RATE_COLUMNS), slowest first."""
    recent_from = hour_key(now - timedelta(hours=RECENT_H - 1))
    base_from = hour_key(now - timedelta(hours=RECENT_H + BASELINE_H - 1))
    rows = frame(
        mc,
        "SELECT site, CASE WHEN hour >= :r THEN 'recent' ELSE 'base' END AS part, "
        "SUM(response_sum) AS rs, SUM(response_n) AS rn, SUM(pages) AS pages, COUNT(DISTINCT hour) AS hours "
        "FROM mc_rollup_site_hourly WHERE hour >= :b GROUP BY site, "
        "CASE WHEN hour >= :r THEN 'recent' ELSE 'base' END",
        {"r": recent_from, "b": base_from},
    )
    if rows.empty:
        return pd.DataFrame(columns=RATE_COLUMNS)
    out = []
    for site, part in rows.groupby("site"):
        by = {p: r for p, r in zip(part["part"], part.to_dict("records"))}
        recent, base = by.get("recent"), by.get("base")
        resp = _ratio(recent, "rs", "rn")
        base_resp = _ratio(base, "rs", "rn")
        load = float(recent["pages"]) / RECENT_H if recent else 0.0
        base_load = float(base["pages"]) / BASELINE_H if base else None
        slowing = bool(
            resp is not None
            and base_resp
            and resp >= SLOWING_FACTOR * base_resp
            and base_load is not None
            and load >= base_load
        )
        out.append(
            {
                "site": str(site),
                "response_ms": _r(resp),
                "baseline_ms": _r(base_resp),
                "change_pct": _r((resp / base_resp - 1) * 100) if resp is not None and base_resp else None,
                "pages_per_hour": _r(load),
                "baseline_pages_per_hour": _r(base_load),
                "recommended_delay_s": recommended_delay(resp if resp is not None else base_resp, slowing, cfg),
                "slowing": slowing,
            }
        )
    frame_ = pd.DataFrame(out, columns=RATE_COLUMNS)
    return frame_.sort_values(
        ["slowing", "response_ms", "site"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)


def recommended_delay(response_ms: float | None, slowing: bool, cfg: AnalyticsSettings) -> float:
    """Seconds between requests to a site (see the module docstring)."""
    if response_ms is None:
        return round(cfg.delay_min_s, 2)
    delay = response_ms / 1000.0 / cfg.target_concurrency * (2.0 if slowing else 1.0)
    return round(min(cfg.delay_max_s, max(cfg.delay_min_s, delay)), 2)


def site_trend(mc: Engine, now: datetime, sites: list[str], hours: int = 24) -> pd.DataFrame:
    """Hourly mean response time of `sites`: hour, site, response_ms, pages."""
    if not sites:
        return pd.DataFrame(columns=["hour", "site", "response_ms", "pages"])
    from analytics.dialect import in_list

    marks, p = in_list("s", sites)
    out = frame(
        mc,
        f"SELECT hour, site, response_sum, response_n, pages FROM mc_rollup_site_hourly WHERE hour >= :h "
        f"AND site IN ({marks}) ORDER BY hour, site",
        {**p, "h": hour_key(now - timedelta(hours=hours - 1))},
        columns=["hour", "site", "response_sum", "response_n", "pages"],
    )
    out["response_ms"] = _mean(out["response_sum"], out["response_n"]) if not out.empty else []
    return out[["hour", "site", "response_ms", "pages"]]


def _ratio(row, s, n):
    if not row or not float(row[n] or 0):
        return None
    return float(row[s]) / float(row[n])


def _r(value, digits: int = 1):
    return None if value is None or value != value else round(float(value), digits)


# -- allocation and bottlenecks (need the live fleet from the snapshot) -------------------------
def queued_jobs(lp: Engine, limit: int = 20) -> pd.DataFrame:
    """The highest-priority waiting jobs (bounded; crawl_jobs is small): id, job_type, target_url,
    priority, created_at."""
    return frame(
        lp,
        "SELECT id, job_type, target_url, priority, created_at FROM crawl_jobs "
        "WHERE status IN ('queued', 'pending') ORDER BY priority DESC, created_at, id LIMIT :n",
        {"n": limit},
        columns=["id", "job_type", "target_url", "priority", "created_at"],
    )


def allocation(fleet: list[dict], jobs: pd.DataFrame) -> pd.DataFrame:
    """Which idle or under-used satellite should take which waiting job: the highest-priority
    job goes to the least busy alive satellite (idle before under-used, then lowest CPU).

    `fleet` rows are the snapshot's `mc.fleet` (status, current_job_id, cpu_usage …)."""
    cols = ["satellite_id", "state", "cpu_pct", "job_id", "job_type", "target_url", "priority", "reason"]
    free = []
    for s in fleet:
        status = str(s.get("status") or "")
        if status in ("unresponsive", "paused"):
            continue
        cpu = s.get("cpu_usage")
        cpu = None if cpu is None else float(cpu)
        if not s.get("current_job_id"):
            free.append((0, cpu if cpu is not None else 0.0, str(s.get("satellite_id")), "idle", cpu))
        elif cpu is not None and cpu < UNDERUSED_CPU_PCT:
            free.append((1, cpu, str(s.get("satellite_id")), "under-used", cpu))
    free.sort()
    rows = []
    for (rank, _k, sat, state, cpu), job in zip(free, jobs.to_dict("records")):
        why = "idle" if rank == 0 else f"CPU at {cpu:.0f}% while running a job"
        rows.append(
            {
                "satellite_id": sat,
                "state": state,
                "cpu_pct": _r(cpu),
                "job_id": str(job["id"]),
                "job_type": job["job_type"],
                "target_url": job["target_url"],
                "priority": job["priority"],
                "reason": f"{why}; job priority {job['priority']} is the highest waiting",
            }
        )
    return pd.DataFrame(rows, columns=cols)


def bottlenecks(
    mc: Engine,
    now: datetime,
    fleet: list[dict],
    jobs: pd.DataFrame,
    rates: pd.DataFrame,
    queue_depth: int | None = None,
) -> list[dict]:
    """Named bottlenecks with their evidence: [{cause, subject, severity, evidence}], where cause
    is one of cpu, memory, network, error_rate, queue_wait, slow_target."""
    found: list[dict] = []
    agg = frame(
        mc,
        "SELECT satellite_id, SUM(cpu_sum) AS cs, SUM(cpu_n) AS cn, SUM(memory_sum) AS ms, "
        "SUM(memory_n) AS mn, SUM(network_sum) AS ns, SUM(network_n) AS nn, SUM(pages) AS pages, "
        "SUM(errors) AS errors, SUM(success_sum) AS ss, SUM(success_n) AS sn FROM mc_rollup_satellite_hourly "
        "WHERE hour >= :h GROUP BY satellite_id ORDER BY satellite_id",
        {"h": hour_key(now - timedelta(hours=1))},
    )

    def add(cause, subject, severity, evidence):
        found.append({"cause": cause, "subject": subject, "severity": severity, "evidence": evidence})

    for r in agg.to_dict("records"):
        sat = str(r["satellite_id"])
        cpu, mem, net = _ratio(r, "cs", "cn"), _ratio(r, "ms", "mn"), _ratio(r, "ns", "nn")
        success = _ratio(r, "ss", "sn")
        if cpu is not None and cpu > CPU_PCT:
            add("cpu", sat, "warning", f"mean CPU {cpu:.0f}% over the last 2 h (limit {CPU_PCT:.0f}%)")
        if mem is not None and mem > MEMORY_PCT:
            add("memory", sat, "warning", f"mean memory {mem:.0f}% over the last 2 h (limit {MEMORY_PCT:.0f}%)")
        if net is not None and net > NETWORK_MBPS:
            add("network", sat, "warning", f"mean network I/O {net:.0f} Mbps (limit {NETWORK_MBPS:.0f} Mbps)")
        pages, errors = float(r["pages"] or 0), float(r["errors"] or 0)
        rate = errors / pages * 100 if pages else (100.0 if errors else 0.0)
        if rate > ERROR_RATE_PCT or (success is not None and success < SUCCESS_PCT):
            add(
                "error_rate",
                sat,
                "critical" if rate > 3 * ERROR_RATE_PCT else "warning",
                f"{int(errors)} errors for {int(pages)} pages ({rate:.0f}%), success rate "
                f"{'—' if success is None else f'{success:.0f}%'}",
            )
    if not jobs.empty:
        created = pd.to_datetime(jobs["created_at"], errors="coerce").dropna()
        if not created.empty:
            wait = (pd.Timestamp(now) - created.min()).total_seconds()
            idle = sum(
                1 for s in fleet if s.get("status") not in ("unresponsive", "paused") and not s.get("current_job_id")
            )
            if wait > QUEUE_WAIT_S:
                add(
                    "queue_wait",
                    "job queue",
                    "warning",
                    f"oldest waiting job queued {wait / 60:.0f} min ago; {len(jobs)} waiting"
                    + (f", queue depth {queue_depth}" if queue_depth is not None else "")
                    + f"; {idle} idle satellites",
                )
    for r in rates.to_dict("records"):
        if r["slowing"] or (r["response_ms"] is not None and r["response_ms"] > SLOW_TARGET_MS):
            base = "—" if r["baseline_ms"] is None else f"{r['baseline_ms']:.0f} ms"
            add(
                "slow_target",
                r["site"],
                "warning",
                f"responses {r['response_ms']:.0f} ms (baseline {base})"
                + (" and slowing under our load" if r["slowing"] else "")
                + f"; recommended delay {r['recommended_delay_s']} s",
            )
    return found


SATELLITE_SUMS = [
    "samples",
    "pages",
    "errors",
    "speed_sum",
    "speed_n",
    "success_sum",
    "success_n",
    "response_sum",
    "response_n",
]
SATELLITE_WIDTH = getattr(t.satellite_hourly.c.satellite_id.type, "length", None)


def satellite_sums(
    mc: Engine, now: datetime, hours: int, lp: Engine | None = None, schema: SchemaInfo | None = None
) -> pd.DataFrame:
    """Per satellite over the last `hours`: samples, pages, errors and the sums and counts of
    speed, success rate and response time (SATELLITE_SUMS).

    With Link Profiler's engine `lp` and `schema` the window is exact: whole hours from
    `mc_rollup_satellite_hourly`, the partial hours at both edges from
    `satellite_performance_logs` (analytics.exact_window). Without them (the benchmarks) whole
    clock hours: the current one and the `hours` − 1 before it."""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in SATELLITE_SUMS)
    if lp is None or schema is None or not schema.has("satellite_performance_logs"):
        return frame(
            mc,
            f"SELECT satellite_id, {sums} FROM mc_rollup_satellite_hourly WHERE hour >= :h GROUP BY satellite_id",
            {"h": hour_key(now - timedelta(hours=hours - 1))},
        )
    window = exact_window.split(now, hours, exact_window.fresh_until(mc, "fleet"))
    whole = frame(
        mc,
        f"SELECT satellite_id, {sums} FROM mc_rollup_satellite_hourly WHERE hour >= :h0 AND hour < :h1 "
        "GROUP BY satellite_id",
        window.hours,
        columns=["satellite_id", *SATELLITE_SUMS],
    )
    # The same aggregates the fleet rollup stores per hour (analytics.fleet_rollups).
    logged = ", ".join(
        f"COALESCE(SUM({col}), 0) AS {m}_sum, COUNT({col}) AS {m}_n"
        for m, col in (
            ("speed", "crawl_speed_pages_per_minute"),
            ("success", "success_rate_percentage"),
            ("response", "avg_response_time_ms"),
        )
    )
    edges = exact_window.storage_sums(
        lp,
        "SELECT satellite_id, COUNT(*) AS samples, COALESCE(SUM(pages_crawled), 0) AS pages, "
        f"COALESCE(SUM(errors_logged), 0) AS errors, {logged} FROM satellite_performance_logs "
        "WHERE {range} GROUP BY satellite_id",
        "timestamp",
        window,
        {},
        ["satellite_id", *SATELLITE_SUMS],
    )
    if not edges.empty:
        edges["satellite_id"] = [db_text(str(s), SATELLITE_WIDTH) for s in edges["satellite_id"]]
    return exact_window.combine([whole, edges], "satellite_id", SATELLITE_SUMS)
