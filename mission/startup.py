"""What `create_app` does around the Dash app: storage preparation, optional features and the
background work (producer loop, simulator), each failure logged in one line, never fatal."""

from __future__ import annotations

import importlib
import logging

from sqlalchemy import inspect

from data.bootstrap import create_lp_tables, create_mc_tables
from data.lp_tables import LP_TABLES
from data.services import Services
from mission.context import AppContext

log = logging.getLogger(__name__)


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


def _feature(module: str, factory: str):
    try:
        return getattr(importlib.import_module(module), factory)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def attach_features(ctx: AppContext) -> None:
    """Create the optional feature engines (quota manager, alert engine, simulator)."""
    quota_manager = _feature("quotas.manager", "QuotaManager")
    if quota_manager is not None:
        ctx.quotas = quota_manager(ctx.services)
    alert_engine = _feature("alerts.engine", "AlertEngine")
    if alert_engine is not None:
        ctx.alerts = alert_engine(ctx)
    if ctx.settings.simulator_enabled:
        simulator = _feature("simulator", "Simulator")
        if simulator is not None:
            on_api_call = None
            if ctx.quotas is not None:

                def on_api_call(provider, units, query_type):
                    ctx.quotas.consume(provider, units, query_type=query_type, caller="simulator")

            ctx.simulator = simulator(
                ctx.services,
                satellites=ctx.settings.simulator_satellites,
                seed=ctx.settings.simulator_seed,
                on_api_call=on_api_call,
            )


def register_feature_apis(server, ctx: AppContext) -> None:
    """Mount the HTTP APIs of the features that are installed (quotas, alerts)."""
    for module, function in (("api.quotas", "register_quota_api"), ("api.alerts", "register_alert_api")):
        register = _feature(module, function)
        if register is not None:
            register(server, ctx)


def start_background_work(ctx: AppContext) -> None:
    """Seed and start the simulator (if any), then the producer loop."""
    from mission.loop import MissionLoop

    if ctx.simulator is not None:
        try:
            ctx.simulator.seed_initial()
            ctx.simulator.start()
        except Exception:
            log.exception("the simulator could not start")
    if ctx.settings.mission_control_enabled:
        ctx.producer = MissionLoop(ctx)
        ctx.producer.start()
