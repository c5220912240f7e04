"""Health, the snapshot document, the push streams (api/streams.py) and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, jsonify

from api.guards import register_guards
from api.openapi import register_openapi
from api.streams import register_streams
from runtime.context import AppContext

log = logging.getLogger(__name__)


def register_core_api(server: Flask, ctx: AppContext) -> None:
    """Add /healthz, /readyz, /api/v1/snapshot, the stream, /metrics and /api/v1/openapi.json to
    `server`, and the request guards (size limit, Host/Origin on writes, JSON errors under /api/)."""
    register_guards(server, ctx.settings)
    register_openapi(server)

    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz():
        svc = ctx.services
        checks = {"database": svc.ping_database(), "redis": svc.ping_redis()}
        down = [name for name, ok in checks.items() if not ok]
        body = {name: ("ok" if ok else f"down: {svc.health[name].error}") for name, ok in checks.items()}
        if down:
            body["status"] = (
                "not ready: " + " and ".join(down) + (" does not answer" if len(down) == 1 else " do not answer")
            )
            return jsonify(body), 503
        body["status"] = "ready"
        return jsonify(body)

    @server.get("/api/v1/snapshot")
    def snapshot():
        try:
            version, doc = ctx.snapshots.load()
        except Exception as exc:
            ctx.services.mark("redis", False, exc)
            return jsonify(error="the snapshot store (Redis) is offline"), 503
        if doc is None:
            return jsonify(error="no snapshot yet: the producer has not published one"), 503
        resp = Response(json.dumps(doc, separators=(",", ":")), mimetype="application/json")
        resp.headers["ETag"] = f'"{version}"'
        resp.headers["Cache-Control"] = "no-store"
        return resp

    register_streams(server, ctx)
    gate = server.extensions["mc_stream_gate"]
    hub = server.extensions["mc_notice_hub"]

    @server.get("/metrics")
    def metrics():
        lines = [
            f"mc_stream_clients_here {gate.live}",
            f"mc_stream_capacity_here {gate.limit}",
            f"mc_notice_subscribed {1 if hub.subscribed else 0}",
            f"mc_notice_documents_loaded_total {hub.documents_loaded}",
        ]
        return Response(_metrics_text(ctx) + "\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def _metrics_text(ctx: AppContext) -> str:
    lines = []
    try:
        version, doc = ctx.snapshots.load()
    except Exception:
        version, doc = 0, None
    built = (doc or {}).get("mc", {}).get("built_at")
    lines.append(f"mc_snapshot_version {version}")
    if built:
        lines.append(f"mc_snapshot_age_seconds {max(0.0, time.time() - built):.3f}")
    producer = ctx.producer
    lines.append(f"mc_producer_leader {1 if producer is not None and producer.leader else 0}")
    for name, h in ctx.services.health.items():
        lines.append(f'mc_source_up{{source="{name}"}} {1 if h.online else 0}')
    status = (doc or {}).get("crawler_mission_status", {})
    for key in ("active_jobs_count", "queue_depth", "active_satellites_count", "total_satellites_count"):
        if isinstance(status.get(key), (int, float)):
            lines.append(f"mc_{key} {status[key]}")
    return "\n".join(lines) + "\n"
