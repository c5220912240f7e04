"""The OpenAPI 3.1 description of the HTTP API, served at `/api/v1/openapi.json`.

Kept as a Python document rather than a YAML/JSON file so its bounds and choices are the ones
the handlers enforce (MAX_UNITS, MAX_SILENCE_MINUTES, ALERT_TYPES, …): a bound changed in code
changes here too. `tests/test_openapi.py` fails when a route under /api/v1 has no description,
and a schemathesis run checks every answer against it (no 5xx, schema and content type).

Every error under /api/ has one shape, `Error` ({"error": "<what is wrong>", …}); the stream
endpoints are described as `text/event-stream` and left out of the schemathesis run.
"""

from __future__ import annotations

import copy

from flask import Flask, jsonify

from alerts.actions import MAX_SILENCE_MINUTES
from alerts.conditions import ALERT_TYPES
from alerts.store import HISTORY_EVENTS
from quotas.calls import BREAKER_STATES
from quotas.manager import MAX_RESPONSE_MS, MAX_UNITS
from quotas.router import PRIORITIES

OPENAPI_PATH = "/api/v1/openapi.json"
SEVERITIES = ("critical", "warning", "info")
ALERT_STATES = ("firing", "pending", "history")
MAX_HISTORY_LIMIT = 5000

# -- building blocks --------------------------------------------------------------------------


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = _nullable(TIME)
NULLABLE_STRING = {"type": ["string", "null"]}
NUMBER = {"type": "number"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
STRINGS = {"type": "array", "items": {"type": "string"}}
# Stored text may not contain NUL (PostgreSQL cannot store it): such a value is a 400.
NO_NUL = "^[^\\u0000]*$"

# A provider's name in a request body (the usage log's column is 50 characters).
PROVIDER_NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": 50,
    "pattern": NO_NUL,
    "description": "e.g. `serpstack`",
    "examples": ["serpstack", "hunter_io"],
}

# The answers every write may give besides its own.
WRITE_ERRORS = {
    "400": _error("bad input: the message says which field and what it must be"),
    "401": _error(
        "no valid credential: sign in, or send `Authorization: Bearer <MC_API_TOKEN or a Link Profiler JWT>`"
    ),
    "403": _error(
        "the caller's role is too low (the message names the role needed), a missing CSRF token, or the Host/Origin check"
    ),
    "413": _error("the body is larger than MC_MAX_REQUEST_BYTES"),
    "503": _error("a source (Redis, the database) or the engine behind the endpoint is not available"),
}
READ_ERRORS = {
    "400": _error("bad query parameter: the message says which and what it must be"),
    "503": _error("a source (Redis, the database) or the engine behind the endpoint is not available"),
}

COUNT = {"type": "integer", "minimum": 0}
# The contract's sections in Link Profiler's exact types (its `api/schemas.py`): integers are
# JSON integers, floats JSON numbers and never null, names lists of strings.
SNAPSHOT_SECTIONS: dict = {
    "CrawlerMissionStatus": {
        "type": "object",
        "required": [
            "active_jobs_count",
            "queued_jobs_count",
            "completed_jobs_24h_count",
            "failed_jobs_24h_count",
            "total_pages_crawled_24h",
            "queue_depth",
            "active_satellites_count",
            "total_satellites_count",
            "satellite_utilization_percentage",
            "avg_job_completion_time_seconds",
            "recent_job_errors",
        ],
        "properties": {
            "active_jobs_count": COUNT,
            "queued_jobs_count": COUNT,
            "completed_jobs_24h_count": COUNT,
            "failed_jobs_24h_count": COUNT,
            "total_pages_crawled_24h": COUNT,
            "queue_depth": COUNT,
            "active_satellites_count": COUNT,
            "total_satellites_count": COUNT,
            "satellite_utilization_percentage": NUMBER,
            "avg_job_completion_time_seconds": NUMBER,
            "recent_job_errors": {"type": "array", "items": _ref("CrawlError")},
        },
    },
    "CrawlError": {
        "type": "object",
        "required": ["timestamp", "url", "error_type", "message", "details", "severity"],
        "properties": {
            "timestamp": TIME,
            "url": {"type": "string"},
            "error_type": {"type": "string"},
            "message": {"type": "string"},
            "details": NULLABLE_STRING,
            "severity": {"enum": list(SEVERITIES)},
            "job_id": {"type": "string", "description": "ours: the failed job"},
            "job_type": NULLABLE_STRING,
        },
    },
    "BacklinkDiscoveryMetrics": {
        "type": "object",
        "required": [
            "total_backlinks_discovered",
            "unique_domains_discovered",
            "new_backlinks_24h",
            "avg_authority_score",
            "top_linking_domains",
            "top_target_urls",
            "potential_spam_links_24h",
        ],
        "properties": {
            "total_backlinks_discovered": COUNT,
            "unique_domains_discovered": COUNT,
            "new_backlinks_24h": COUNT,
            "avg_authority_score": NUMBER,
            "top_linking_domains": STRINGS,
            "top_target_urls": STRINGS,
            "potential_spam_links_24h": COUNT,
        },
    },
    "DomainIntelligenceMetrics": {
        "type": "object",
        "required": [
            "total_domains_analyzed",
            "valuable_expired_domains_found",
            "avg_domain_value_score",
            "new_domains_added_24h",
            "top_niches_identified",
        ],
        "properties": {
            "total_domains_analyzed": COUNT,
            "valuable_expired_domains_found": COUNT,
            "avg_domain_value_score": NUMBER,
            "new_domains_added_24h": COUNT,
            "top_niches_identified": STRINGS,
        },
    },
    "PerformanceOptimizationMetrics": {
        "type": "object",
        "required": [
            "avg_crawl_speed_pages_per_minute",
            "avg_success_rate_percentage",
            "avg_response_time_ms",
            "bottlenecks_detected",
            "top_performing_satellites",
            "worst_performing_satellites",
        ],
        "properties": {
            "avg_crawl_speed_pages_per_minute": NUMBER,
            "avg_success_rate_percentage": NUMBER,
            "avg_response_time_ms": NUMBER,
            "bottlenecks_detected": STRINGS,
            "top_performing_satellites": STRINGS,
            "worst_performing_satellites": STRINGS,
        },
    },
    "SatelliteFleetStatus": {
        "type": "object",
        "required": ["satellite_id", "status", "last_heartbeat", "jobs_completed_24h", "errors_24h"],
        "properties": {
            "satellite_id": {"type": "string"},
            "status": {"enum": ["active", "idle", "unresponsive"]},
            "last_heartbeat": TIME,
            "jobs_completed_24h": COUNT,
            "errors_24h": COUNT,
            "avg_job_duration_seconds": NULLABLE_NUMBER,
            "current_job_id": NULLABLE_STRING,
            "current_job_type": NULLABLE_STRING,
            "current_job_progress": NULLABLE_NUMBER,
        },
    },
}

SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "description": "The one error shape of every /api/ path: a message saying what is wrong "
        "(never a traceback); some errors add fields (e.g. `provider: null` on a 429 from /quotas/route).",
        "required": ["error"],
        "properties": {"error": {"type": "string", "minLength": 1}},
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"const": "ok"}},
    },
    "Readiness": {
        "type": "object",
        "required": ["status", "database", "redis"],
        "properties": {
            "status": {"type": "string", "description": "`ready`, or which source does not answer"},
            "database": {"type": "string", "description": "`ok` or `down: <reason>`"},
            "redis": {"type": "string", "description": "`ok` or `down: <reason>`"},
        },
    },
    "Snapshot": {
        "type": "object",
        "description": "The document Link Profiler's UI reads (LINK_PROFILER_CONTRACT.md), plus `mc`.",
        "required": [
            "timestamp",
            "crawler_mission_status",
            "backlink_discovery_metrics",
            "api_quota_statuses",
            "domain_intelligence_metrics",
            "performance_optimization_metrics",
            "alerts",
            "satellite_fleet_status",
        ],
        "properties": {
            "timestamp": TIME,
            "crawler_mission_status": _ref("CrawlerMissionStatus"),
            "backlink_discovery_metrics": _ref("BacklinkDiscoveryMetrics"),
            "api_quota_statuses": {"type": "array", "items": _ref("QuotaStatus")},
            "domain_intelligence_metrics": _ref("DomainIntelligenceMetrics"),
            "performance_optimization_metrics": _ref("PerformanceOptimizationMetrics"),
            "alerts": {"type": "array", "items": _ref("Alert")},
            "satellite_fleet_status": {"type": "array", "items": _ref("SatelliteFleetStatus")},
            "mc": {
                "type": "object",
                "description": "Mission Control's own extras (not in the contract); `unmeasured` lists the "
                "contract floats (`section.key`) sent as 0 only because nothing was measured",
            },
            "version": {"type": "integer"},
        },
    },
    **SNAPSHOT_SECTIONS,
    "QuotaStatus": {
        "type": "object",
        "required": [
            "api_name",
            "limit",
            "used",
            "remaining",
            "reset_date",
            "percentage_used",
            "status",
            "predicted_exhaustion_date",
            "recommended_action",
        ],
        "properties": {
            "api_name": {"type": "string"},
            "limit": {"type": "integer", "minimum": 0},
            "used": {"type": "integer", "minimum": 0},
            "remaining": {"type": "integer", "minimum": 0},
            "reset_date": TIME,
            "percentage_used": {"type": "number", "minimum": 0},
            "status": {"type": "string"},
            "predicted_exhaustion_date": NULLABLE_TIME,
            "recommended_action": NULLABLE_STRING,
            "enabled": {"type": "boolean"},
            "masked_key": NULLABLE_STRING,
            "simulated": {
                "type": "boolean",
                "description": "enabled by the embedded demo's simulated key: its calls are answered by the simulator",
            },
            "performance": _ref("QuotaPerformance"),
            "circuit_breaker": _ref("CircuitBreaker"),
            "calls_window_s": {"type": "integer", "description": "the rolling window `performance` covers (seconds)"},
        },
    },
    "QuotaPerformance": {
        "type": "object",
        "description": (
            "The provider's recorded calls over the last `calls_window_s` seconds (the contract's "
            "`performance`); with no calls every figure is 0"
        ),
        "required": [
            "total_calls",
            "successful_calls",
            "average_response_time_ms",
            "success_rate",
            "circuit_breaker_state",
        ],
        "properties": {
            "total_calls": {"type": "integer", "minimum": 0},
            "successful_calls": {"type": "integer", "minimum": 0},
            "average_response_time_ms": {"type": "number", "minimum": 0, "description": "mean over every call"},
            "success_rate": {"type": "number", "minimum": 0, "maximum": 1, "description": "a fraction, not percent"},
            "circuit_breaker_state": {"enum": list(BREAKER_STATES), "default": "CLOSED"},
        },
    },
    "CircuitBreaker": {
        "type": "object",
        "required": ["state", "consecutive_failures", "opened_at", "half_open_at"],
        "properties": {
            "state": {"enum": list(BREAKER_STATES)},
            "consecutive_failures": {"type": "integer", "minimum": 0},
            "opened_at": NULLABLE_TIME,
            "half_open_at": {
                **NULLABLE_TIME,
                "description": "when an open breaker lets one trial call through (QUOTA_BREAKER_COOLDOWN_S after opening)",
            },
        },
    },
    "LoadTime": {
        "type": "object",
        "required": ["seconds"],
        "properties": {
            "seconds": {"type": "number", "minimum": 0, "maximum": 600, "description": "navigation start to filled"}
        },
    },
    "CallOutcome": {
        "type": "object",
        "required": ["provider", "ok", "response_time_ms"],
        "properties": {
            "provider": {**PROVIDER_NAME, "description": "the provider called, e.g. `serpstack`"},
            "ok": {"type": "boolean", "description": "true when the provider answered, false when the call failed"},
            "response_time_ms": {"type": "number", "minimum": 0, "maximum": MAX_RESPONSE_MS},
        },
    },
    "BreakerAfter": {
        "type": "object",
        "required": ["provider", "circuit_breaker_state", "consecutive_failures", "half_open_at"],
        "properties": {
            "provider": {"type": "string"},
            "circuit_breaker_state": {"enum": list(BREAKER_STATES)},
            "consecutive_failures": {"type": "integer", "minimum": 0},
            "half_open_at": NULLABLE_TIME,
        },
    },
    "RouteRequest": {
        "type": "object",
        "required": ["query_type"],
        "properties": {
            "query_type": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "pattern": NO_NUL,
                "description": "e.g. `serp_positions`",
                "examples": ["serp_positions", "contact_discovery"],
            },
            "priority": {"enum": list(PRIORITIES), "default": "normal"},
            "caller": {
                "type": ["string", "null"],
                "pattern": NO_NUL,
                "description": "a free label kept with the decision (first 120 characters)",
            },
        },
    },
    "RouteDecision": {
        "type": "object",
        "required": ["provider", "reason", "emergency_backup"],
        "properties": {
            "provider": {"type": "string"},
            "reason": {"type": "string"},
            "emergency_backup": {"type": "boolean"},
        },
    },
    "ConsumeRequest": {
        "type": "object",
        "required": ["provider"],
        "properties": {
            "provider": PROVIDER_NAME,
            "units": {"type": "integer", "minimum": 1, "maximum": MAX_UNITS, "default": 1},
            "query_type": {"type": ["string", "null"], "maxLength": 100, "pattern": NO_NUL},
            "caller": {
                "type": ["string", "null"],
                "pattern": NO_NUL,
                "description": "a free label kept in the usage log (first 120 characters)",
            },
        },
    },
    "ConsumeResult": {
        "type": "object",
        "required": ["granted", "used", "remaining"],
        "properties": {
            "granted": {"type": "boolean"},
            "used": {"type": "integer", "minimum": 0},
            "remaining": {"type": "integer", "minimum": 0},
        },
    },
    "Alert": {
        "type": "object",
        "required": ["fingerprint", "type", "severity", "message", "timestamp"],
        "properties": {
            "fingerprint": {"type": "string"},
            "type": {"type": "string"},
            "severity": {"enum": list(SEVERITIES)},
            "message": {"type": "string"},
            "timestamp": NULLABLE_TIME,
            "state": {"type": "string"},
            "acknowledged": {"type": "boolean"},
            "silenced": {"type": "boolean"},
            "affected_jobs": STRINGS,
            "affected_satellites": STRINGS,
        },
    },
    "AlertList": {
        "type": "object",
        "required": ["state", "timestamp", "alerts"],
        "properties": {
            "state": {"enum": ["firing", "pending"]},
            "timestamp": NULLABLE_TIME,
            "alerts": {"type": "array", "items": _ref("Alert")},
        },
    },
    "HistoryEvent": {
        "type": "object",
        "required": ["at", "event", "fingerprint"],
        "properties": {
            "at": TIME,
            "event": {"enum": list(HISTORY_EVENTS)},
            "fingerprint": {"type": "string"},
            "type": NULLABLE_STRING,
            "severity": _nullable({"enum": list(SEVERITIES)}),
            "message": NULLABLE_STRING,
            "actor": NULLABLE_STRING,
            "comment": NULLABLE_STRING,
            "rule": NULLABLE_STRING,
            "affected_jobs": STRINGS,
            "affected_satellites": STRINGS,
        },
    },
    "AlertHistory": {
        "type": "object",
        "required": ["state", "events"],
        "properties": {
            "state": {"const": "history"},
            "events": {"type": "array", "items": _ref("HistoryEvent")},
        },
    },
    "Silence": {
        "type": "object",
        "required": ["id", "fingerprint", "alert_type", "created_at", "expires_at", "ended_at", "created_by"],
        "properties": {
            "id": {"type": "string"},
            "fingerprint": NULLABLE_STRING,
            "alert_type": NULLABLE_STRING,
            "created_at": TIME,
            "expires_at": TIME,
            "ended_at": NULLABLE_TIME,
            "created_by": NULLABLE_STRING,
            "comment": NULLABLE_STRING,
        },
    },
    "SilenceRequest": {
        "type": "object",
        "description": "Exactly one of `fingerprint` (one alert) or `type` (every alert of a type). "
        "An optional field that is null or blank counts as not given.",
        "oneOf": [
            {"required": ["fingerprint"], "properties": {"fingerprint": {"type": "string", "pattern": r"\S"}}},
            {"required": ["type"], "properties": {"type": {"type": "string"}}},
        ],
        "required": ["duration_minutes"],
        "properties": {
            "fingerprint": {"type": ["string", "null"], "maxLength": 64, "pattern": NO_NUL},
            "type": {"enum": [*ALERT_TYPES, None]},
            "duration_minutes": {"type": "number", "minimum": 1, "maximum": MAX_SILENCE_MINUTES},
            "comment": {"type": ["string", "null"], "maxLength": 1000, "pattern": NO_NUL},
            "by": {"type": ["string", "null"], "maxLength": 120, "pattern": NO_NUL},
        },
    },
    "SilenceCreated": {
        "type": "object",
        "required": ["id", "fingerprint", "type", "expires_at", "created_by", "comment"],
        "properties": {
            "id": {"type": "string"},
            "fingerprint": NULLABLE_STRING,
            "type": NULLABLE_STRING,
            "expires_at": TIME,
            "created_by": {"type": "string"},
            "comment": NULLABLE_STRING,
        },
    },
    "AckRequest": {
        "type": "object",
        "required": ["comment"],
        "properties": {
            "comment": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1000,
                "pattern": r"^[^\u0000]*\S[^\u0000]*$",
                "description": "what is being done about the alert (required, not blank)",
            },
            "by": {"type": ["string", "null"], "maxLength": 120, "pattern": NO_NUL},
        },
    },
    "Acknowledged": {
        "type": "object",
        "required": ["fingerprint", "acknowledged_at", "acknowledged_by", "comment"],
        "properties": {
            "fingerprint": {"type": "string"},
            "acknowledged_at": TIME,
            "acknowledged_by": {"type": "string"},
            "comment": {"type": "string"},
        },
    },
    "SilenceEnded": {
        "type": "object",
        "required": ["id", "ended"],
        "properties": {"id": {"type": "string"}, "ended": {"const": True}},
    },
    "KioskTokenRequest": {
        "type": "object",
        "required": ["label"],
        "properties": {
            "label": {"type": "string", "minLength": 1, "maxLength": 200, "description": "which screen it is for"}
        },
    },
    "KioskTokenCreated": {
        "type": "object",
        "required": ["id", "label", "token", "url"],
        "properties": {
            "id": {"type": "integer"},
            "label": {"type": "string"},
            "token": {"type": "string", "description": "shown once; only its SHA-256 is stored"},
            "url": {"type": "string", "description": "the wall's URL with `?kiosk=<token>`"},
        },
    },
    "KioskTokenList": {
        "type": "object",
        "required": ["tokens"],
        "properties": {
            "tokens": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label", "created_by", "created_at", "last_used_at", "revoked_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "label": {"type": "string"},
                        "created_by": {"type": "string"},
                        "created_at": TIME,
                        "last_used_at": _nullable(TIME),
                        "revoked_at": _nullable(TIME),
                    },
                },
            }
        },
    },
    "KioskTokenRevoked": {"type": "object", "required": ["revoked"], "properties": {"revoked": {"type": "integer"}}},
}


def _query(name: str, schema: dict, description: str) -> dict:
    # An empty value means "not given" (what an HTML form sends for an untouched field).
    return {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "schema": schema,
        "description": description,
    }


def _path(name: str, description: str, max_length: int) -> dict:
    # Any non-empty segment reaches the handler; longer ones are cut to `max_length` (never stored).
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": max_length},
        "description": description,
    }


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


PATHS: dict = {
    "/healthz": {
        "get": {
            "operationId": "healthz",
            "summary": "200 while the process is alive",
            "responses": {"200": _json(_ref("Health"), "alive")},
        }
    },
    "/readyz": {
        "get": {
            "operationId": "readyz",
            "summary": "200 when PostgreSQL and Redis answer, else 503 naming which does not",
            "responses": {
                "200": _json(_ref("Readiness"), "ready"),
                "503": _json(_ref("Readiness"), "not ready: `status` names the source that does not answer"),
            },
        }
    },
    "/metrics": {
        "get": {
            "operationId": "metrics",
            "summary": (
                "Prometheus text (all processes in multiprocess mode): stream connections, dashboard load "
                "time, refresh rate, alert delivery latency, quota efficiency, producer tick time, snapshot "
                "age, fleet counts and queue depth, source health"
            ),
            "responses": {
                "200": {
                    "description": "Prometheus exposition format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/api/v1/metrics/load-time": {
        "post": {
            "operationId": "load_time_beacon",
            "summary": (
                "A browser reports how long its page took from navigation start to filled "
                "(assets/load_beacon.js, once per page load); feeds mc_dashboard_load_seconds"
            ),
            "requestBody": _body("LoadTime"),
            "responses": {
                "204": {"description": "counted"},
                "400": _error("`seconds` missing or not a number from 0 to 600"),
                "403": _error("refused by the Host/Origin check"),
                "413": _error("the body is larger than MC_MAX_REQUEST_BYTES"),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
                "200": _json({"type": "object", "required": ["openapi", "paths"]}, "the OpenAPI description")
            },
        }
    },
    "/api/v1/snapshot": {
        "get": {
            "operationId": "snapshot",
            "summary": "The latest snapshot; `ETag` is its version",
            "responses": {
                "200": _json(_ref("Snapshot"), "the snapshot"),
                "503": _error("no snapshot yet, or the snapshot store (Redis) is offline"),
            },
        }
    },
    "/api/v1/stream": {
        "get": {
            "operationId": "stream",
            "summary": (
                "Server-Sent Events: one `snapshot` event (the whole document) per new version; with "
                "`only=version`, one `version` event ({version, built_at, published_at}) per new version, "
                "the current one first"
            ),
            "x-stream": True,
            "parameters": [
                _query("only", {"type": "string", "enum": ["version"]}, "`version`: notices only, no documents")
            ],
            "responses": {
                "200": {
                    "description": "an endless event stream; `HEAD` answers its headers without taking a slot",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "400": _error("`only` is not `version`"),
                "404": _error("the push stream is disabled (WEBSOCKET_ENABLED=false)"),
                "503": _error(
                    "this worker's stream capacity is full or every deployment-wide slot is in use "
                    "(both with Retry-After), or the slot registry is offline"
                ),
            },
        }
    },
    "/ws/mission-control": {
        "get": {
            "operationId": "stream_ws",
            "summary": (
                "The WebSocket Link Profiler's UI speaks: connection_established, the whole document per new "
                "version, a heartbeat after 5 s without a frame; over the cap an `error` frame and close 1013, "
                "disabled: `error` and close 1011"
            ),
            "x-stream": True,
            "responses": {
                "101": {"description": "switching to the WebSocket protocol"},
                "426": _error("not a WebSocket request (Server-Sent Events are at /api/v1/stream)"),
            },
        }
    },
    "/api/v1/quotas": {
        "get": {
            "operationId": "quota_statuses",
            "summary": "The contract's `api_quota_statuses` list, live",
            "responses": {
                "200": _json({"type": "array", "items": _ref("QuotaStatus")}, "one status per provider"),
                "503": READ_ERRORS["503"],
            },
        }
    },
    "/api/v1/quotas/route": {
        "post": {
            "operationId": "quota_route",
            "summary": "Choose the provider for a query type and priority",
            "requestBody": _body("RouteRequest"),
            "responses": {
                "200": _json(_ref("RouteDecision"), "the chosen provider"),
                **WRITE_ERRORS,
                "429": _error(
                    "no provider for the query type has quota (or a key) left, or every one left has its "
                    "circuit breaker open; `provider` is null"
                ),
            },
        }
    },
    "/api/v1/quotas/consume": {
        "post": {
            "operationId": "quota_consume",
            "summary": "Count units against a provider if they fit under its limit (all or nothing)",
            "requestBody": _body("ConsumeRequest"),
            "responses": {
                "200": _json(_ref("ConsumeResult"), "granted"),
                **WRITE_ERRORS,
                "429": _json(_ref("ConsumeResult"), "not granted: the units do not fit under the limit"),
            },
        }
    },
    "/api/v1/quotas/calls": {
        "post": {
            "operationId": "quota_call_outcome",
            "summary": (
                "Record the outcome of a call made to a provider: feeds its `performance` and its circuit "
                "breaker (QUOTA_BREAKER_FAILURES failed calls in a row open it; the router then passes it by "
                "until a trial call after QUOTA_BREAKER_COOLDOWN_S succeeds)"
            ),
            "requestBody": _body("CallOutcome"),
            "responses": {
                "200": _json(_ref("BreakerAfter"), "recorded; the provider's breaker after it"),
                **WRITE_ERRORS,
            },
        }
    },
    "/api/v1/alerts": {
        "get": {
            "operationId": "alerts",
            "summary": "Firing or pending alerts (from the snapshot), or the alert history (JSON or CSV)",
            "parameters": [
                _query("state", {"enum": list(ALERT_STATES), "default": "firing"}, "which alerts"),
                _query("severity", {"enum": list(SEVERITIES)}, "only this severity"),
                _query("type", {"enum": list(ALERT_TYPES)}, "only this alert type"),
                _query("event", {"enum": list(HISTORY_EVENTS)}, "history only: only this event"),
                _query("since", TIME, "only alerts/events at or after this time"),
                _query("until", TIME, "only alerts/events before this time"),
                _query("q", {"type": "string"}, "history only: text to look for"),
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": MAX_HISTORY_LIMIT, "default": 200},
                    "at most this many",
                ),
                _query("format", {"enum": ["json", "csv"], "default": "json"}, "history only: CSV download"),
            ],
            "responses": {
                "200": {
                    "description": "the alerts, or the history (`format=csv`: a CSV file)",
                    "content": {
                        "application/json": {"schema": {"oneOf": [_ref("AlertList"), _ref("AlertHistory")]}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **READ_ERRORS,
            },
        }
    },
    "/api/v1/alerts/silences": {
        "get": {
            "operationId": "silences",
            "summary": "Active silences",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["silences"],
                        "properties": {"silences": {"type": "array", "items": _ref("Silence")}},
                    },
                    "the active silences",
                ),
                "503": READ_ERRORS["503"],
            },
        },
        "post": {
            "operationId": "add_silence",
            "summary": "Silence one alert or every alert of a type for a while",
            "requestBody": _body("SilenceRequest"),
            "responses": {"201": _json(_ref("SilenceCreated"), "the silence"), **WRITE_ERRORS},
        },
    },
    "/api/v1/alerts/{fingerprint}/ack": {
        "post": {
            "operationId": "acknowledge",
            "summary": "Acknowledge a pending or firing alert",
            "parameters": [_path("fingerprint", "the alert's fingerprint", 64)],
            "requestBody": _body("AckRequest"),
            "responses": {
                "200": _json(_ref("Acknowledged"), "acknowledged"),
                **WRITE_ERRORS,
                "404": _error("no pending or firing alert has this fingerprint"),
            },
        }
    },
    "/api/v1/alerts/silences/{silence_id}/end": {
        "post": {
            "operationId": "end_silence",
            "summary": "End an active silence",
            "parameters": [_path("silence_id", "the silence's id", 36)],
            "responses": {
                "200": _json(_ref("SilenceEnded"), "ended"),
                **{k: v for k, v in WRITE_ERRORS.items() if k != "400"},
                "404": _error("no active silence has this id"),
            },
        }
    },
    "/api/v1/kiosk-tokens": {
        "get": {
            "operationId": "list_kiosk_tokens",
            "summary": "Every kiosk token's record (never the token); admin only",
            "responses": {
                "200": _json(_ref("KioskTokenList"), "the tokens, newest first"),
                **{k: v for k, v in WRITE_ERRORS.items() if k in ("401", "403", "503")},
            },
        },
        "post": {
            "operationId": "create_kiosk_token",
            "summary": "Create a read-only kiosk token for a wall screen; admin only",
            "requestBody": _body("KioskTokenRequest"),
            "responses": {"201": _json(_ref("KioskTokenCreated"), "the token, shown this once"), **WRITE_ERRORS},
        },
    },
    "/api/v1/kiosk-tokens/{token_id}": {
        "delete": {
            "operationId": "revoke_kiosk_token",
            "summary": "Revoke a kiosk token (it stops working on the next request); admin only",
            "parameters": [
                {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
            ],
            "responses": {
                "200": _json(_ref("KioskTokenRevoked"), "revoked"),
                **{k: v for k, v in WRITE_ERRORS.items() if k != "400"},
                "404": _error("no live kiosk token has this id"),
            },
        }
    },
}

# -- operator commands and the audit log (api/commands.py) -------------------------------------
COMMAND_NAMES = (
    "dispatch_pause",
    "dispatch_resume",
    "job_cancel",
    "satellite_pause",
    "satellite_resume",
    "satellite_restart",
    "satellite_shutdown",
    "dead_letters_retry",
    "dead_letters_purge",
)
AUDIT_RESULTS = ("ok", "failed", "refused")
COMMAND_ANSWERS = {
    "200": _json(_ref("CommandOutcome"), "carried out; `observed` says what was seen afterwards"),
    "400": _error("bad input: the message says which field and what it must be"),
    "401": _error("no credential was offered and commands need the operator role"),
    "403": _error("the caller's role may not run commands (the reason names it), or the Host/Origin check"),
    "404": _error("no such command (a verb the path does not offer)"),
    "409": _json(_ref("CommandOutcome"), "not available here: `error` says why (e.g. MC_LP_API_URL is not set)"),
    "413": _error("the body is larger than MC_MAX_REQUEST_BYTES"),
    "424": _json(_ref("CommandOutcome"), "Link Profiler refused or could not be reached: `error` is its reason"),
    "503": _error("a source (Redis, the database) is not available"),
}
GATED_READ_ERRORS = {
    **READ_ERRORS,
    "401": _error("the caller must sign in to read this"),
    "403": _error("the caller's role may not read this"),
}
SCHEMAS.update(
    {
        "CommandRequest": {
            "type": "object",
            "description": "Optional body of every command.",
            "properties": {
                "reason": {"type": ["string", "null"], "maxLength": 1000, "pattern": NO_NUL},
                "wait": {"type": "boolean", "default": True},
                "position": {"type": ["integer", "null"], "minimum": 0},
            },
        },
        "CommandOutcome": {
            "type": "object",
            "required": ["command", "target", "result", "detail", "observed", "audit_id", "lp_status"],
            "properties": {
                "error": {"type": "string"},
                "command": {"enum": list(COMMAND_NAMES)},
                "target": NULLABLE_STRING,
                "result": {"enum": list(AUDIT_RESULTS)},
                "detail": {"type": "string"},
                "observed": NULLABLE_STRING,
                "audit_id": {"type": ["integer", "null"]},
                "lp_status": {"type": ["integer", "null"]},
            },
        },
        "CommandList": {
            "type": "object",
            "required": ["identity", "lp_api", "commands"],
            "properties": {
                "identity": {"type": "object"},
                "lp_api": {"type": "string"},
                "commands": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "label", "target", "via", "available", "reason"],
                        "properties": {
                            "name": {"enum": list(COMMAND_NAMES)},
                            "label": {"type": "string"},
                            "target": {"type": "string"},
                            "via": {"type": "string"},
                            "available": {"type": "boolean"},
                            "reason": NULLABLE_STRING,
                        },
                    },
                },
            },
        },
        "DeadLetterPage": {
            "type": "object",
            "required": ["key", "type", "total", "offset", "problem", "entries"],
            "properties": {
                "key": {"type": "string"},
                "type": {"type": "string"},
                "total": {"type": "integer"},
                "offset": {"type": "integer"},
                "problem": NULLABLE_STRING,
                "entries": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["position", "id", "job_id", "target_url", "reason", "died_at", "age_s", "raw"],
                        "properties": {
                            "position": {"type": "integer"},
                            "id": {"type": "string"},
                            "job_id": NULLABLE_STRING,
                            "target_url": NULLABLE_STRING,
                            "reason": NULLABLE_STRING,
                            "died_at": NULLABLE_TIME,
                            "age_s": NULLABLE_NUMBER,
                            "raw": {"type": "string"},
                        },
                    },
                },
            },
        },
        "AuditRecord": {
            "type": "object",
            "required": ["id", "at", "user", "role", "via", "action", "target", "result", "detail"],
            "properties": {
                "id": {"type": "integer"},
                "at": TIME,
                "user": {"type": "string"},
                "role": {"type": "string"},
                "via": {"type": "string"},
                "action": {"type": "string"},
                "target": NULLABLE_STRING,
                "params": {"type": ["object", "null"]},
                "reason": NULLABLE_STRING,
                "result": {"enum": list(AUDIT_RESULTS)},
                "detail": NULLABLE_STRING,
                "observed": NULLABLE_STRING,
            },
        },
        "AuditPage": {
            "type": "object",
            "required": ["total", "offset", "records"],
            "properties": {
                "total": {"type": "integer"},
                "offset": {"type": "integer"},
                "records": {"type": "array", "items": _ref("AuditRecord")},
            },
        },
    }
)
_COMMAND_BODY = {"required": False, "content": {"application/json": {"schema": _ref("CommandRequest")}}}
_AUDIT_FILTERS = [
    _query("user", {"type": "string", "maxLength": 200, "pattern": NO_NUL}, "only this user"),
    _query("action", {"enum": list(COMMAND_NAMES)}, "only this command"),
    _query("result", {"enum": list(AUDIT_RESULTS)}, "only this result"),
    _query("since", TIME, "only records at or after this time"),
    _query("until", TIME, "only records before this time"),
    _query("q", {"type": "string", "maxLength": 200, "pattern": NO_NUL}, "text in target, reason, detail or user"),
]


def _command(operation: str, summary: str, parameters: list | None = None) -> dict:
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "parameters": parameters or [],
            "requestBody": _COMMAND_BODY,
            "responses": COMMAND_ANSWERS,
        }
    }


PATHS.update(
    {
        "/api/v1/commands": {
            "get": {
                "operationId": "commands",
                "summary": "Every operator command, and whether the caller may run it here (the reason when not)",
                "responses": {"200": _json(_ref("CommandList"), "the commands"), "503": READ_ERRORS["503"]},
            }
        },
        "/api/v1/commands/dispatch/{verb}": _command(
            "dispatch_command",
            "Pause or resume job dispatch through Link Profiler's API (POST /api/queue/pause_processing, resume_processing)",
            [{"name": "verb", "in": "path", "required": True, "schema": {"enum": ["pause", "resume"]}}],
        ),
        "/api/v1/commands/jobs/{job_id}/cancel": _command(
            "cancel_job",
            "Cancel a job through Link Profiler's API (POST /api/queue/cancel_job/{job_id}); observes its status",
            [_path("job_id", "the job's id", 200)],
        ),
        "/api/v1/commands/satellites/{satellite}/{verb}": _command(
            "satellite_command",
            "PAUSE / RESUME / RESTART / SHUTDOWN one satellite or `all`, on Link Profiler's control channels; "
            "observes the next heartbeat",
            [
                _path("satellite", "a satellite id, or `all`", 200),
                {
                    "name": "verb",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["pause", "resume", "restart", "shutdown"]},
                },
            ],
        ),
        "/api/v1/commands/dead-letters": {
            "get": {
                "operationId": "dead_letters",
                "summary": "A page of Link Profiler's dead-letter queue: each entry's id, job, reason and age",
                "parameters": [
                    _query("offset", {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0}, "skip"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "at most"),
                ],
                "responses": {"200": _json(_ref("DeadLetterPage"), "the page"), **GATED_READ_ERRORS},
            }
        },
        "/api/v1/commands/dead-letters/{entry}/{verb}": _command(
            "dead_letter_command",
            "Retry (back onto the job queue without its dead-letter fields, Link Profiler's way) or purge one "
            "dead letter (its id) or `all`",
            [
                _path("entry", "a dead letter's id (from the page), or `all`", 200),
                {"name": "verb", "in": "path", "required": True, "schema": {"enum": ["retry", "purge"]}},
            ],
        ),
        "/api/v1/audit": {
            "get": {
                "operationId": "audit",
                "summary": "The audit log of commands, newest first (paged, filtered)",
                "parameters": [
                    *_AUDIT_FILTERS,
                    _query("offset", {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0}, "skip"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "at most"),
                ],
                "responses": {"200": _json(_ref("AuditPage"), "the records"), **GATED_READ_ERRORS},
            }
        },
        "/api/v1/audit.csv": {
            "get": {
                "operationId": "audit_csv",
                "summary": "The filtered audit log as CSV (formula-safe cells, at most 10,000 records)",
                "parameters": _AUDIT_FILTERS,
                "responses": {
                    "200": {"description": "a CSV file", "content": {"text/csv": {"schema": {"type": "string"}}}},
                    **GATED_READ_ERRORS,
                },
            }
        },
    }
)

DOCUMENT: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Link Profiler Mission Control",
        "version": "1",
        "description": (
            "The snapshot, its push stream, the quota ledger and the alert center over HTTP. Every /api/ "
            "answer is JSON with `Cache-Control: no-store`, errors included (`Error`); 404 for an unknown "
            '/api/ path, 405 with `Allow` for a wrong method. Writes need a role (README "Sign-in and roles"): '
            "a signed-in user's session (with its CSRF token), `Authorization: Bearer <MC_API_TOKEN>` (role "
            "MC_API_TOKEN_ROLE) or a Link Profiler JWT, or, with nothing configured, a request from this host."
        ),
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


def document() -> dict:
    """A copy of the OpenAPI document (callers may change it freely)."""
    return copy.deepcopy(DOCUMENT)


def register_openapi(server: Flask) -> None:
    """Serve the document at OPENAPI_PATH."""

    @server.get(OPENAPI_PATH)
    def openapi_document():
        return jsonify(DOCUMENT)
