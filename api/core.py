"""Health, the snapshot document, the push streams (api/streams.py) and Prometheus metrics."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, jsonify

from api.guards import register_guards
from api.metrics import register_metrics
from api.openapi import register_openapi
from api.streams import register_streams
from common import metrics
from runtime.context import AppContext

log = logging.getLogger(__name__)


def register_core_api(server: Flask, ctx: AppContext) -> None:
    """Add /healthz, /readyz, /api/v1/snapshot, the stream, /metrics (api/metrics.py) and /api/v1/openapi.json to
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
        metrics.observe_snapshot_age(doc)
        resp = Response(json.dumps(doc, separators=(",", ":")), mimetype="application/json")
        resp.headers["ETag"] = f'"{version}"'
        resp.headers["Cache-Control"] = "no-store"
        return resp

    register_streams(server, ctx)
    register_metrics(server, ctx)
