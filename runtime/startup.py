"""What `create_app` (and `python -m producer`) does around the Dash app: storage preparation,
the context, the features and the background work (producer loop, simulator), each failure
logged in one line, never fatal.

The features are an explicit list of imports (no module names looked up by string), so a
misspelt or missing feature fails at import, loudly, instead of silently dropping out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
from sqlalchemy import inspect

from alerts.engine import AlertEngine
from analytics.service import Analytics
from api.alerts import register_alert_api
from api.quotas import register_quota_api
from config import Settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.lp_tables import LP_TABLES
from data.services import Services
from producer.loop import ProducerLoop
from producer.snapshot_store import SnapshotStore
from quotas.manager import QuotaManager
from runtime.context import AppContext
from simulator import Simulator

log = logging.getLogger(__name__)

# The HTTP APIs of the features, mounted beside the core API.
FEATURE_APIS: tuple[Callable[[Flask, AppContext], None], ...] = (register_quota_api, register_alert_api)


def prepare_storage(services: Services) -> None:
    """Create the embedded demo database when it is empty, and the mc_ tables when missing.

    Link Profiler's tables are only created on the embedded default (never on a configured
    database). A database that is down is reported and retried later by the producer.
    """
    settings = services.settings
    try:
        if settings.embedded_database:
            present = set(inspect(services.engine).get_table_names())
            if not any(t in present for t in LP_TABLES):
                create_lp_tables(services.engine, "M")
                log.info("created the embedded Link Profiler database (variant M)")
        create_mc_tables(services.mc_engine)
        services.forget_schema()
    except Exception as exc:
        services.mark("database", False, exc)


def build_context(settings: Settings, services: Services) -> AppContext:
    """The app's context over `services`: snapshot store and analytics service; no features yet."""
    return AppContext(
        settings=settings,
        services=services,
        snapshots=SnapshotStore(services.redis, settings.snapshot_channel),
        analytics=Analytics(services, settings.analytics),
    )


def attach_features(ctx: AppContext) -> None:
    """Create the feature engines: quota manager, alert engine and (when enabled) the simulator."""
    quotas = ctx.quotas = QuotaManager(ctx.services)
    ctx.alerts = AlertEngine(ctx)
    if ctx.settings.simulator_enabled:

        def on_api_call(provider: str, units: int, query_type: str) -> None:
            quotas.consume(provider, units, query_type=query_type, caller="simulator")

        ctx.simulator = Simulator(
            ctx.services,
            satellites=ctx.settings.simulator_satellites,
            seed=ctx.settings.simulator_seed,
            on_api_call=on_api_call,
        )


def register_feature_apis(server: Flask, ctx: AppContext) -> None:
    """Mount the HTTP APIs of the features (quotas, alerts)."""
    for register in FEATURE_APIS:
        register(server, ctx)


def start_background_work(ctx: AppContext) -> None:
    """Seed and start the simulator (if any), then the producer loop."""
    if ctx.simulator is not None:
        try:
            ctx.simulator.seed_initial()
            ctx.simulator.start()
        except Exception:
            log.exception("the simulator could not start")
    if ctx.settings.mission_control_enabled:
        ctx.producer = ProducerLoop(ctx)
        ctx.producer.start()
