"""Link Profiler's real-time response models, restated, and the strict check of our document.

The classes below restate `Link_Profiler/api/schemas.py` (branch main) of Link Profiler's
repository: `DashboardRealtimeUpdates` and the models it nests, field for field, with the same
names, types, `Optional`s and defaults (`Optional[T]` with no default: the key must be present,
the value may be null). `CrawlErrorResponse.severity` and `DashboardAlert.severity` are Link
Profiler's `AlertSeverity` enum (info, warning, critical), restated as a `Literal` of its values
(its models set `use_enum_values`, so the value is what travels). Extra keys are ignored, as in
Link Profiler's models (pydantic's default): our own fields under `mc` pass through.

How strict, and why this way (`strict_errors`):
- Link Profiler's UI reads the JSON text, so the check validates the JSON text itself, with
  `model_validate_json(text, strict=True)`. In strict *JSON* mode pydantic refuses a number sent
  as a string ("5" for an int or a float), null for a float, a float for an int (2.0) and a
  missing key, and still takes an RFC 3339 string for a `datetime` (JSON has no datetime type).
  Strict *Python* mode on the decoded dict (`model_validate(json.loads(text), strict=True)`)
  would refuse every ISO timestamp string, i.e. fail on what Link Profiler itself sends; lax
  mode would pass "5" where the UI calls `.toFixed`.
- pydantic's JSON parser accepts `NaN` and `Infinity`, which the browser's `JSON.parse` rejects
  (the UI would receive nothing): the text is therefore first parsed by `json.loads` with every
  non-standard constant refused.
- The contract's UI rules that the models cannot say: `alerts` and `api_quota_statuses` are
  lists (never null: the models already refuse null), and `api_name` is a unique list key.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

AlertSeverity = Literal["info", "warning", "critical"]


class CrawlErrorResponse(BaseModel):
    timestamp: datetime
    url: str
    error_type: str
    message: str
    details: str | None
    severity: AlertSeverity


class CrawlerMissionStatus(BaseModel):
    active_jobs_count: int
    queued_jobs_count: int
    completed_jobs_24h_count: int
    failed_jobs_24h_count: int
    total_pages_crawled_24h: int
    queue_depth: int
    active_satellites_count: int
    total_satellites_count: int
    satellite_utilization_percentage: float
    avg_job_completion_time_seconds: float
    recent_job_errors: list[CrawlErrorResponse]


class BacklinkDiscoveryMetrics(BaseModel):
    total_backlinks_discovered: int
    unique_domains_discovered: int
    new_backlinks_24h: int
    avg_authority_score: float
    top_linking_domains: list[str]
    top_target_urls: list[str]
    potential_spam_links_24h: int


class ApiPerformanceMetrics(BaseModel):
    total_calls: int
    successful_calls: int
    average_response_time_ms: float
    success_rate: float
    circuit_breaker_state: str = "CLOSED"


class ApiQuotaStatus(BaseModel):
    api_name: str
    limit: int
    used: int
    remaining: int | None
    reset_date: str
    percentage_used: float
    status: str
    predicted_exhaustion_date: str | None = None
    recommended_action: str | None = None
    performance: ApiPerformanceMetrics


class DomainIntelligenceMetrics(BaseModel):
    total_domains_analyzed: int
    valuable_expired_domains_found: int
    avg_domain_value_score: float
    new_domains_added_24h: int
    top_niches_identified: list[str]


class PerformanceOptimizationMetrics(BaseModel):
    avg_crawl_speed_pages_per_minute: float
    avg_success_rate_percentage: float
    avg_response_time_ms: float
    bottlenecks_detected: list[str]
    top_performing_satellites: list[str]
    worst_performing_satellites: list[str]


class DashboardAlert(BaseModel):
    type: str
    severity: AlertSeverity
    message: str
    timestamp: datetime
    affected_jobs: list[str] | None = None
    recommended_action: str | None = None
    details: dict[str, Any] | None = None


class SatelliteFleetStatus(BaseModel):
    satellite_id: str
    status: str
    last_heartbeat: datetime
    jobs_completed_24h: int
    errors_24h: int
    avg_job_duration_seconds: float | None = None
    current_job_id: str | None = None
    current_job_type: str | None = None
    current_job_progress: float | None = None


class DashboardRealtimeUpdates(BaseModel):
    timestamp: str
    crawler_mission_status: CrawlerMissionStatus
    backlink_discovery_metrics: BacklinkDiscoveryMetrics
    api_quota_statuses: list[ApiQuotaStatus]
    domain_intelligence_metrics: DomainIntelligenceMetrics
    performance_optimization_metrics: PerformanceOptimizationMetrics
    alerts: list[DashboardAlert]
    satellite_fleet_status: list[SatelliteFleetStatus]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (the browser's JSON.parse refuses it)")


def strict_errors(text: str | bytes) -> list[str]:
    """Every way `text` (one document as sent) fails Link Profiler's models in strict mode, as
    "location: message" lines; [] when it validates."""
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        return [f"(document): {exc}"]
    out = []
    try:
        DashboardRealtimeUpdates.model_validate_json(text, strict=True)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            out.append(f"{where}: {err['msg']} (got {err.get('input')!r:.80})")
    names = [q.get("api_name") for q in doc.get("api_quota_statuses") or [] if isinstance(q, dict)]
    if len(names) != len(set(names)):
        out.append(f"api_quota_statuses: api_name is a list key and repeats ({names})")
    return out


def assert_strict(text: str | bytes) -> dict:
    """The decoded document; fails the test with every strict error listed."""
    errors = strict_errors(text)
    assert not errors, f"{len(errors)} strict errors against Link Profiler's models:\n" + "\n".join(errors)
    return json.loads(text)
