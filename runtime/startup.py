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
from archive.service import Archive
from api.alerts import register_alert_api
from api.commands import register_command_api
from api.quotas import register_quota_api
from commands.lp_api import HttpLpApi, InProcessLpApi, Transport
from commands.runner import CommandRunner
from config import Settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.lp_tables import LP_TABLES
from data.services import Services
from producer.loop import ProducerLoop
from producer.snapshot_store import SnapshotStore
from quotas.errors import QuotaError
from quotas.manager import QuotaManager
from runtime.context import AppContext
from simulator import Simulator
from simulator.apis import ApiCall
from simulator.lp_api import SimulatedLpApi

log = logging.getLogger(__name__)

# The HTTP APIs of the features, mounted beside the core API.
FEATURE_APIS: tuple[Callable[[Flask, AppContext], None], ...] = (
    register_quota_api,
    register_alert_api,
    register_command_api,
)


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


def simulated_api_calls(quotas: QuotaManager) -> ApiCall:
    """The simulator's `on_api_call`: its fleet calls providers through the quota router, so
    usage, routing decisions, call records and breakers are the real ones; only the providers'
    answers are simulated. A call the router refuses (no quota left) is part of the demo."""

    def on_api_call(query_type: str, priority: str, fetch, timer) -> None:
        try:
            quotas.call(query_type, fetch, priority, caller="simulator", timer=timer)
        except QuotaError as exc:
            log.debug("simulated %s call not made: %s", query_type, exc)

    return on_api_call


def attach_features(ctx: AppContext) -> None:
    """Create the feature engines: quota manager, alert engine and (when enabled) the simulator.

    With the simulator and no API key configured at all, every provider gets a simulated key
    (shown as such): the embedded demo's quota page is fed by the simulated fleet's calls. A
    deployment with any real key never gets simulated ones: its real clients route through the
    same router and must never be sent to a provider they hold no key for."""
    simulating = ctx.settings.simulator_enabled
    quotas = ctx.quotas = QuotaManager(ctx.services, demo_keys=simulating and not ctx.settings.api_keys)
    ctx.alerts = AlertEngine(ctx)
    ctx.archive = Archive(ctx.services, ctx.settings)
    ctx.tick_hooks.append(ctx.archive.annotate)
    if simulating:
        ctx.simulator = Simulator(
            ctx.services,
            satellites=ctx.settings.simulator_satellites,
            seed=ctx.settings.simulator_seed,
            on_api_call=simulated_api_calls(quotas),
        )
    ctx.commands = command_runner(ctx)


def command_runner(ctx: AppContext) -> CommandRunner:
    """The operator commands' runner: Link Profiler's HTTP API when MC_LP_API_URL is set; in the
    demo (simulator on, no URL) the in-process stand-in acting on the simulated fleet; else
    none, and the API commands say MC_LP_API_URL is not set."""
    settings, sim = ctx.settings, ctx.simulator
    lp: Transport | None = None
    if settings.commands.lp_api_url:
        lp = HttpLpApi(settings.commands)
    elif sim is not None:
        lp = InProcessLpApi(SimulatedLpApi(sim))

    def queue_type() -> str | None:
        # The simulated coordinator's queue type, so a retried dead letter lands where it pops.
        return sim.queue.type if sim is not None and sim.queue is not None else None

    return CommandRunner(settings, ctx.services, lp, queue_type_hint=queue_type)


def register_feature_apis(server: Flask, ctx: AppContext) -> None:
    """Mount the HTTP APIs of the features (quotas, alerts)."""
    for register in FEATURE_APIS:
        register(server, ctx)


def start_background_work(ctx: AppContext) -> None:
    """Seed and start the simulator (if any), then the producer loop; nothing in a web process
    that only reads (MC_PRODUCER=external: the producer process does all of it)."""
    if ctx.settings.producer_mode == "external":
        log.info("this process only reads: the producer runs in a process of its own (MC_PRODUCER=external)")
        return
    if ctx.simulator is not None:
        try:
            ctx.simulator.seed_initial()
            ctx.simulator.start()
        except Exception:
            log.exception("the simulator could not start")
    if ctx.settings.mission_control_enabled:
        ctx.producer = ProducerLoop(ctx)
        ctx.producer.start()
