"""Link Profiler's own `alert_rules`, evaluated as Link Profiler users wrote them.

Semantics follow Link Profiler's AlertService:
- `job_status_change`: a job (matching `job_type_filter` exactly and `target_url_pattern` by
  `re.search`) whose status became `metric_name`. Link Profiler never fires a rule whose
  metric_name is empty; the rules users leave empty mean "a job failed" (that is what the
  descriptions say), so we read an empty metric_name as "failed".
- `metric_threshold`: `metric_name` compared with `threshold_value` by `comparison_operator`.
  Link Profiler compares job metrics (progress_percentage ...); deployments also name fleet
  and queue metrics (success_rate_percentage, queue_depth), so the metric is looked up, in
  order, on each active job, each satellite, each API quota, then the snapshot's sections
  (or a dotted path into the snapshot, e.g. `crawler_mission_status.queue_depth`).
- `anomaly_detected`: a job's `anomalies_detected` entry containing `anomaly_type_filter`
  (variant M), or one of Mission Control's own detections of that type (spam_influx,
  competitor_surge, lost_backlinks, satellite_failure, queue_overflow, stalled_job,
  quota_exhausted) when `job_type_filter` is empty or "custom_anomaly".
Channels come from `channels` (M) or `notification_channels` (O): slack, email and webhook
notify; `dashboard` only lists. E-mail addresses in `notification_recipients` (O) receive the
e-mails too; URLs there are ignored, because posting to addresses read from the database would
let anyone who can write a rule make the dashboard call arbitrary hosts. We never write to
alert_rules (not even last_triggered_at): our own state is in mc_alerts.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from alerts.conditions import ALL_CHANNELS, Condition, fingerprint
from common.timestamps import to_datetime
from data.frames import as_list, query_frame
from data.schema import SchemaInfo

OPERATORS = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
JOB_METRICS = ("progress_percentage", "urls_crawled", "links_found", "eta_seconds", "priority")
SATELLITE_METRICS = {
    "success_rate_percentage": "success_rate",
    "success_rate": "success_rate",
    "crawl_speed_pages_per_minute": "crawl_speed",
    "crawl_speed": "crawl_speed",
    "avg_response_time_ms": "avg_response_time_ms",
    "cpu_utilization_percent": "cpu_usage",
    "cpu_usage": "cpu_usage",
    "memory_utilization_percent": "memory_usage",
    "memory_usage": "memory_usage",
    "heartbeat_age_s": "heartbeat_age_s",
}
QUOTA_METRICS = ("percentage_used", "used", "remaining")
GLOBAL_SECTIONS = (
    "crawler_mission_status",
    "backlink_discovery_metrics",
    "performance_optimization_metrics",
    "domain_intelligence_metrics",
)
SEVERITIES = ("info", "warning", "critical")
MAX_MATCH_LEN = 2048  # a pattern is only ever run on this much of a URL


@dataclass
class LpRule:
    id: str
    name: str
    trigger_type: str
    job_type_filter: str | None = None
    pattern: re.Pattern | None = None
    metric_name: str | None = None
    threshold: float | None = None
    op: str | None = None
    anomaly_filter: str | None = None
    severity: str = "warning"
    channels: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    problem: str | None = None  # why the rule cannot be evaluated (shown on the page)
    raw: dict = field(default_factory=dict)

    def matches_job(self, job_type, target_url) -> bool:
        if self.job_type_filter and self.job_type_filter != job_type:
            return False
        return self.matches_target(target_url)

    def matches_target(self, target) -> bool:
        return self.pattern is None or bool(self.pattern.search(str(target or "")[:MAX_MATCH_LEN]))

    def describe(self) -> dict:
        """JSON-ready summary for the page and the API."""
        return {
            "id": self.id,
            "name": self.name,
            "trigger_type": self.trigger_type,
            "metric_name": self.metric_name,
            "comparison_operator": self.op,
            "threshold_value": self.threshold,
            "job_type_filter": self.job_type_filter,
            "anomaly_type_filter": self.anomaly_filter,
            "target_url_pattern": self.pattern.pattern if self.pattern else _text(self.raw.get("target_url_pattern")),
            "severity": self.severity,
            "channels": list(self.channels),
            "problem": self.problem,
        }


def load_rules(engine: Engine, schema: SchemaInfo) -> list[LpRule]:
    """The active rows of alert_rules as `LpRule`s (a bad row gets a `problem`, never raises)."""
    if not schema.has("alert_rules"):
        return []
    channel_col = "notification_channels" if schema.has("alert_rules", "notification_channels") else "channels"
    recipients = ", notification_recipients" if schema.has("alert_rules", "notification_recipients") else ""
    frame = query_frame(
        engine,
        "SELECT id, name, trigger_type, job_type_filter, target_url_pattern, metric_name, threshold_value, "
        f"comparison_operator, anomaly_type_filter, severity, {channel_col} AS channels{recipients} "
        "FROM alert_rules WHERE is_active = :yes ORDER BY name LIMIT 500",
        {"yes": True},
    )
    return [parse_rule(r) for r in frame.to_dict("records")]


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    s = str(value).strip()
    return s or None


def parse_rule(row: dict) -> LpRule:
    """One alert_rules row as an `LpRule`."""
    rule = LpRule(
        id=str(row.get("id")),
        name=_text(row.get("name")) or str(row.get("id")),
        trigger_type=(_text(row.get("trigger_type")) or "").lower(),
        raw=dict(row),
    )
    rule.job_type_filter = _text(row.get("job_type_filter"))
    rule.metric_name = _text(row.get("metric_name"))
    rule.anomaly_filter = _text(row.get("anomaly_type_filter"))
    rule.op = _text(row.get("comparison_operator"))
    threshold = row.get("threshold_value")
    rule.threshold = None if threshold is None or threshold != threshold else float(threshold)
    severity = (_text(row.get("severity")) or "warning").lower()
    rule.severity = severity if severity in SEVERITIES else "warning"
    channels = [c.lower() for c in as_list(row.get("channels"))]
    rule.channels = tuple(c for c in ALL_CHANNELS if c in channels)
    rule.recipients = tuple(r for r in as_list(row.get("notification_recipients")) if "@" in r and "/" not in r)
    pattern = _text(row.get("target_url_pattern"))
    if pattern:
        try:
            rule.pattern = re.compile(pattern)
        except re.error as exc:
            rule.problem = f"target_url_pattern is not a valid regular expression ({exc})"
    if rule.trigger_type not in ("job_status_change", "metric_threshold", "anomaly_detected"):
        rule.problem = f"unknown trigger_type {rule.trigger_type!r}"
    elif rule.trigger_type == "metric_threshold":
        if rule.metric_name is None or rule.threshold is None:
            rule.problem = "metric_threshold needs metric_name and threshold_value"
        elif rule.op not in OPERATORS:
            rule.problem = f"unsupported comparison_operator {rule.op!r}"
    return rule


def _condition(
    rule: LpRule, entity, message: str, *, one_shot: bool, jobs=(), satellites=(), details=None, target=None
) -> Condition:
    return Condition(
        fingerprint=fingerprint("lp_rule", rule.id, entity),
        rule=f"lp_rule:{rule.id}",
        type="lp_rule",
        severity=rule.severity,
        message=f"Rule '{rule.name}': {message}",
        recommended_action=f"Follow up as Link Profiler rule '{rule.name}' intends",
        affected_jobs=[str(j) for j in jobs if j],
        affected_satellites=[str(s) for s in satellites if s],
        details={"rule_id": rule.id, "rule_name": rule.name, "trigger_type": rule.trigger_type, **(details or {})},
        one_shot=one_shot,
        channels=rule.channels,
        target=target,
        recipients=rule.recipients,
    )


def evaluate(
    rules: list[LpRule], doc: dict, jobs: list[dict], builtin: list[Condition], now, hold_s: float
) -> list[Condition]:
    """Conditions of every valid rule: `jobs` are recent transitions (`job_events.recent_jobs`),
    `builtin` the conditions Mission Control's own rules found this tick."""
    out: list[Condition] = []
    for rule in rules:
        if rule.problem:
            continue
        if rule.trigger_type == "job_status_change":
            out += _status_changes(rule, doc, jobs, now, hold_s)
        elif rule.trigger_type == "metric_threshold":
            out += _thresholds(rule, doc)
        else:
            out += _anomalies(rule, jobs, builtin)
    return out


def _status_changes(rule: LpRule, doc: dict, jobs: list[dict], now, hold_s: float) -> list[Condition]:
    wanted = (rule.metric_name or "failed").lower()
    candidates = [j for j in jobs if str(j.get("status") or "").lower() == wanted]
    if wanted == "in_progress":
        for j in doc.get("mc", {}).get("active_jobs", []):
            started = to_datetime(j.get("started_date"))
            if started is not None and (now - started).total_seconds() <= hold_s:
                candidates.append({**j, "id": str(j.get("id")), "status": "in_progress"})
    out = []
    for j in candidates:
        if not rule.matches_job(j.get("job_type"), j.get("target_url")):
            continue
        out.append(
            _condition(
                rule,
                j["id"],
                f"job {j['id']} ({j.get('job_type') or '?'} of {j.get('target_url')}) changed status to {wanted}",
                one_shot=True,
                jobs=[j["id"]],
                target=j.get("target_url"),
                details={
                    "job_id": j["id"],
                    "status": wanted,
                    "job_type": j.get("job_type"),
                    "target_url": j.get("target_url"),
                },
            )
        )
    return out


def _compare(rule: LpRule, value) -> bool:
    try:
        return value is not None and OPERATORS[rule.op](float(value), rule.threshold)
    except (TypeError, ValueError):
        return False


def _fmt(value) -> str:
    try:
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    except (TypeError, ValueError):
        return str(value)


def _thresholds(rule: LpRule, doc: dict) -> list[Condition]:
    metric = rule.metric_name
    mc = doc.get("mc", {})
    cmp = f"{rule.op} {_fmt(rule.threshold)}"
    out = []
    if metric in JOB_METRICS:
        for j in mc.get("active_jobs", []):
            if rule.matches_job(j.get("job_type"), j.get("target_url")) and _compare(rule, j.get(metric)):
                jid = str(j.get("id"))
                out.append(
                    _condition(
                        rule,
                        f"job:{jid}",
                        f"{metric} of job {jid} ({j.get('target_url')}) is {_fmt(j.get(metric))} ({cmp})",
                        one_shot=False,
                        jobs=[jid],
                        satellites=[j.get("satellite_id")],
                        details={"metric": metric, "value": j.get(metric), "job_id": jid},
                        target=j.get("target_url"),
                    )
                )
        return out
    if metric in SATELLITE_METRICS:
        column = SATELLITE_METRICS[metric]
        for s in mc.get("fleet", []):
            if s.get("alive") is False and column != "heartbeat_age_s":
                continue  # a dead satellite's last figures are not news; satellite_failure covers it
            if _compare(rule, s.get(column)):
                sid = str(s.get("satellite_id"))
                out.append(
                    _condition(
                        rule,
                        f"satellite:{sid}",
                        f"{metric} of satellite {sid} is {_fmt(s.get(column))} ({cmp})",
                        one_shot=False,
                        satellites=[sid],
                        jobs=[s.get("current_job_id")],
                        details={"metric": metric, "value": s.get(column), "satellite_id": sid},
                        target=sid,
                    )
                )
        return out
    if metric in QUOTA_METRICS:
        for q in doc.get("api_quota_statuses", []) or []:
            name = str(q.get("api_name"))
            if rule.matches_target(name) and _compare(rule, q.get(metric)):
                out.append(
                    _condition(
                        rule,
                        f"quota:{name}",
                        f"{metric} of API quota {name} is {_fmt(q.get(metric))} ({cmp})",
                        one_shot=False,
                        details={"metric": metric, "value": q.get(metric), "api_name": name},
                        target=name,
                    )
                )
        return out
    value = _global_metric(doc, metric)
    if _compare(rule, value):
        out.append(
            _condition(
                rule,
                f"metric:{metric}",
                f"{metric} is {_fmt(value)} ({cmp})",
                one_shot=False,
                details={"metric": metric, "value": value},
            )
        )
    return out


def _global_metric(doc: dict, metric: str):
    """The snapshot's value of `metric` (a dotted path, or a key of a global section); None
    for a contract float the producer sent as 0 only because nothing was measured."""
    mc = doc.get("mc", {})
    unmeasured = set(mc.get("unmeasured") or [])
    if "." in metric:
        node = doc
        for part in metric.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        if metric in unmeasured:
            return None
        return node if isinstance(node, (int, float)) and not isinstance(node, bool) else None
    sections = [(s, doc.get(s)) for s in GLOBAL_SECTIONS] + [("", mc.get("fleet_summary")), ("", mc.get("queues"))]
    for name, section in sections:
        if isinstance(section, dict):
            value = section.get(metric)
            if f"{name}.{metric}" in unmeasured:
                return None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
    return None


def _anomalies(rule: LpRule, jobs: list[dict], builtin: list[Condition]) -> list[Condition]:
    wanted = rule.anomaly_filter
    out = []
    for j in jobs:
        found = [a for a in j.get("anomalies", []) if wanted is None or wanted in a]
        if found and rule.matches_job(j.get("job_type"), j.get("target_url")):
            out.append(
                _condition(
                    rule,
                    f"job:{j['id']}",
                    f"job {j['id']} ({j.get('job_type') or '?'} of {j.get('target_url')}) detected anomalies: {', '.join(found)}",
                    one_shot=True,
                    jobs=[j["id"]],
                    target=j.get("target_url"),
                    details={"job_id": j["id"], "anomalies": found},
                )
            )
    if rule.job_type_filter not in (None, "custom_anomaly"):
        return out
    for c in builtin:
        if c.anomaly is None or (wanted is not None and wanted != c.anomaly and wanted not in c.anomaly):
            continue
        if not rule.matches_target(c.target):
            continue
        cond = _condition(
            rule,
            f"anomaly:{c.fingerprint}",
            f"anomaly {c.anomaly}: {c.message}",
            one_shot=c.one_shot,
            jobs=c.affected_jobs,
            satellites=c.affected_satellites,
            details={"anomaly": c.anomaly, "source_alert": c.fingerprint},
            target=c.target,
        )
        cond.recommended_action = c.recommended_action
        out.append(cond)
    return out
