"""Mission Control settings: one frozen, validated object built from the environment.

Why one object: every part of the app (producer, callbacks, API, simulator) receives the same
`Settings` instance from `create_app`, so nothing reads `os.environ` behind anyone's back and
tests can build any configuration without touching the process environment.

Feature tunables are sections of the same object (`settings.alerts`, `settings.analytics`,
`settings.quotas`): their types live beside the code that uses them (alerts/settings.py,
analytics/settings.py, quotas/settings.py, all pure data) and are built here, so this module is
the one place that reads the environment, and a bad feature variable stops start-up with the
same one line as a bad PORT.

Precedence for each setting: the process environment, then a `.env` file, then Link Profiler's
own `LP_`-prefixed name (so the dashboard can share Link Profiler's environment), then the
default. A bad value raises `ConfigError` whose message is one line naming the variable.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload
from urllib.parse import urlsplit

from alerts.settings import DEFAULT_RULES, SEVERITIES, AlertSettings, RuleSettings
from analytics.settings import AnalyticsSettings
from auth.settings import AuthSettings, parse_networks
from common.identity import Role
from commands.settings import CommandSettings
from quotas.providers import API_KEY_VARIABLES, DAY_S, DEFAULT_PROVIDERS
from quotas.settings import BreakerSettings, QuotaSettings
from scoring.domain_value import parse_weights

EMBEDDED_DATABASE_URL = "sqlite:///var/mission_control.db"
# The Dockerfile's `--threads ${THREADS:-16}`: a worker's request threads when nothing says otherwise.
DEFAULT_WORKER_THREADS = 16
# Threads of a worker that push streams may never take, so /healthz, pages and callbacks are
# answered while every stream is held: at least this many, and at least this share.
STREAM_RESERVE_MIN_THREADS = 4
STREAM_RESERVE_SHARE = 0.25
EMBEDDED_REDIS_URL = "memory://"
# The longest kiosk rotation period (`every=` is clamped to MC_WALL_ROTATE_MIN..this).
WALL_ROTATE_MAX_S = 3600


# Where the producer loop runs: beside the web server, or in a process of its own.
PRODUCER_MODES = ("inline", "external")


class ConfigError(ValueError):
    """A setting could not be used; the message is a single line naming the variable."""


@dataclass(frozen=True)
class RedisKeys:
    """Link Profiler's Redis key names (all configurable in Link Profiler, so here too)."""

    job_queue: str = "crawl_jobs"
    results: str = "crawl_results"
    dead_letter: str = "dead_letter_queue"
    scheduled: str = "scheduled_crawl_jobs"
    heartbeats: str = "crawler_heartbeats_sorted"
    details_prefix: str = "crawler_details:"
    control_prefix: str = "crawler_control:"
    dispatch_paused: str = "job_processing_paused"


# variable name -> RedisKeys field
REDIS_KEY_VARIABLES = {
    "REDIS_JOB_QUEUE_KEY": "job_queue",
    "REDIS_RESULT_QUEUE_KEY": "results",
    "REDIS_DEAD_LETTER_QUEUE_KEY": "dead_letter",
    "REDIS_SCHEDULED_JOBS_KEY": "scheduled",
    "REDIS_HEARTBEATS_KEY": "heartbeats",
    "REDIS_CRAWLER_DETAILS_PREFIX": "details_prefix",
    "REDIS_CRAWLER_CONTROL_PREFIX": "control_prefix",
    "REDIS_JOB_PAUSED_KEY": "dispatch_paused",
}


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "mission-control@localhost"
    starttls: bool = False
    use_ssl: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class ArchiveSettings:
    """The minute snapshots' cold archive (README "Archive and time travel"): Parquet, one
    object per table and UTC day, under `url` (`file:///var/lib/mc-archive` or
    `s3://bucket/prefix`); None = no archive (rows past the retention are deleted, as before).
    S3 credentials come from the standard AWS variables (AWS_ACCESS_KEY_ID, …), never from here."""

    url: str | None = None
    s3_endpoint: str | None = None  # MC_ARCHIVE_S3_ENDPOINT: an S3-compatible server (MinIO, Ceph…)
    days_per_pass: int = 2  # table-days archived per heavy cycle (bounds one pass's work)


@dataclass(frozen=True)
class Settings:
    database_url: str = EMBEDDED_DATABASE_URL
    redis_url: str = EMBEDDED_REDIS_URL
    mc_database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    mission_control_enabled: bool = True
    # MC_PRODUCER: "inline" = this process may run the producer loop (and the simulator, and
    # alert delivery) beside the web server; "external" = a web process that only reads: the
    # producer runs as its own process (`python -m producer`, started by gunicorn.conf.py).
    producer_mode: str = "inline"
    websocket_enabled: bool = True
    # The Redis pub/sub channel of snapshot notices (server-wide: one per deployment sharing a
    # Redis server).
    snapshot_channel: str = "mc:snapshot:notices"
    refresh_rate_ms: int = 1000
    cache_ttl_s: int = 60
    history_retention_days: int = 30
    max_websocket_connections: int = 100
    # Request threads per worker process (THREADS, the variable the Dockerfile passes to
    # gunicorn); None = unset. Under gunicorn its own --threads wins (api/stream_capacity.py).
    worker_threads: int | None = None
    # Push streams one worker process may hold (MC_STREAMS_PER_WORKER); None = threads - reserve.
    streams_per_worker: int | None = None
    heartbeat_timeout_s: int = 30
    # Queue-depth points the producer keeps (in Redis) and the main screen's trend draws.
    queue_trend_points: int = 120
    # The wall (README "The wall"): the browser turns the header DELAYED after 2 refresh
    # intervals and STALE after 5, and covers the screen with "DATA FROZEN SINCE …" after
    # this many; kiosk rotation's shortest `every=` (tests lower it, production keeps 10 s);
    # the kiosk's /healthz check period; the local hour of its daily reload.
    wall_frozen_after: int = 10
    wall_rotate_min_s: int = 10
    wall_health_every_s: int = 5
    wall_reload_hour: int = 4
    # The browser learns of each new snapshot from the push stream and only then asks for it;
    # while its stream is not open (a proxy blocks it, the deployment's stream cap is full, the
    # stream is disabled) it polls every this many seconds instead (MC_FALLBACK_POLL_S).
    fallback_poll_s: int = 15
    # A tab waits a random 0..this many ms after a version notice before it asks for the update,
    # so a new version does not bring every open tab's request in the same millisecond
    # (MC_PUSH_SPREAD_MS; 0 asks at once). 800 ms: with 100 tabs, 300 ms packed two requests
    # per tab into a third of each second and a gevent worker queued them (callback p95 74 ms);
    # 800 ms spreads the same work over most of the 1 s refresh (p95 16 ms), and a tab still
    # shows each version before the next one is published.
    push_spread_ms: int = 800
    # The heavy analytics thread's nice increment (MC_ANALYTICS_NICE; 0 keeps the priority).
    analytics_nice: int = 10
    # PostgreSQL parallel workers per query for the producer's sessions
    # (MC_ANALYTICS_PARALLEL_WORKERS; PostgreSQL's own default is 2). The analytics refresh is
    # background work: a parallel plan would let its aggregates take every core of a small
    # machine while the viewers' browsers and web workers wait; 0 keeps a refresh to one core.
    analytics_parallel_workers: int = 0
    alert_slack_webhook: str | None = field(default=None, repr=False)
    alert_webhook_url: str | None = field(default=None, repr=False)
    alert_email_recipients: tuple[str, ...] = ()
    smtp: SmtpSettings = SmtpSettings()
    api_keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    redis_keys: RedisKeys = RedisKeys()
    api_token: str | None = field(default=None, repr=False)
    public_url: str | None = None
    # The path the dashboard is served under behind a reverse proxy (MC_URL_PREFIX), "/" or
    # "/mc/": always starting and ending with "/" (api/url_prefix.py).
    url_prefix: str = "/"
    # Origins allowed to frame the dashboard (CSP frame-ancestors; MC_FRAME_ANCESTORS), and the
    # only parents the embedded page talks to (assets/embed.js): "'self'", "'none'" or origins.
    frame_ancestors: tuple[str, ...] = ("'self'",)
    # Host names (besides loopback, HOST and MC_PUBLIC_URL's) that writes may name in Host/Origin.
    allowed_hosts: tuple[str, ...] = ()
    max_request_bytes: int = 4 * 1024 * 1024
    # "auto": simulate only on the embedded database; "on"/"off" force it.
    simulate: str = "auto"
    simulator_satellites: int = 6
    simulator_seed: int | None = None
    log_level: str = "INFO"
    alerts: AlertSettings = field(default_factory=AlertSettings)
    analytics: AnalyticsSettings = field(default_factory=AnalyticsSettings)
    quotas: QuotaSettings = field(default_factory=QuotaSettings)
    # -- deployment (README "Deployment") --
    # A read replica of Link Profiler's database (DATABASE_READ_URL): the producer's reads of
    # Link Profiler's tables go there; mc_ tables and everything written stay on the primary.
    database_read_url: str | None = field(default=None, repr=False)
    auth: AuthSettings = field(default_factory=AuthSettings)
    archive: ArchiveSettings = ArchiveSettings()
    # Jobs, queues and capacity planning (README): the window (minutes) over which the drain
    # forecast measures throughput and arrivals, and how many recent forecasts its error is over.
    forecast_window_min: int = 15
    forecast_error_samples: int = 60
    commands: CommandSettings = field(default_factory=CommandSettings)

    @property
    def embedded_database(self) -> bool:
        return self.database_url == EMBEDDED_DATABASE_URL

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url.startswith("memory://")

    @property
    def own_database_url(self) -> str:
        """Where Mission Control's `mc_` tables live (default: Link Profiler's database)."""
        return self.mc_database_url or self.database_url

    @property
    def simulator_enabled(self) -> bool:
        # We never write into a real Link Profiler database unless explicitly asked to.
        if self.simulate == "auto":
            return self.embedded_database and self.embedded_redis
        return self.simulate == "on"

    @property
    def dashboard_url(self) -> str:
        """The dashboard's address for links in notices: MC_PUBLIC_URL (else http://HOST:PORT)
        under MC_URL_PREFIX, without a trailing slash (`https://lp.example.org/mc`)."""
        if self.public_url is None:
            return f"http://{self.host}:{self.port}{self.url_prefix.rstrip('/')}"
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}{self.url_prefix.rstrip('/')}"


SECRET_QUERY_KEYS = ("password", "passwd", "pass", "pwd", "secret", "token", "key", "auth", "sslpassword")


def display_url(url: str | None) -> str:
    """A connection URL fit to show: no password, in the user part or in the query string
    (`?password=…` is accepted by libpq and redis-py), and nothing from an unparsable URL."""
    from urllib.parse import parse_qsl, urlencode

    if not url:
        return "(not set)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "(unparsable URL)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    user = parts.username
    netloc = (f"{user}:***@" if parts.password is not None else f"{user}@") if user else ""
    netloc += host + (f":{port}" if port else "")
    query = urlencode(
        [(k, "***" if any(s in k.lower() for s in SECRET_QUERY_KEYS) else v) for k, v in parse_qsl(parts.query, True)],
        safe="*",
    )
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def read_dotenv(path: str | os.PathLike) -> dict[str, str]:
    """Parse a `.env` file (KEY=VALUE lines, `#` comments, optional quotes, `export `)."""
    values: dict[str, str] = {}
    p = Path(path)
    if not p.is_file():
        return values
    for number, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        if "=" not in line:
            raise ConfigError(f"{p.name} line {number}: expected KEY=VALUE, got {line[:40]!r}")
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


class EnvSource:
    """Looks a variable up: environment, then .env, then the `LP_` fallback; parses and range-checks
    it with errors naming the variable. `load_settings` builds every section through one of these."""

    def __init__(self, environ: Mapping[str, str], dotenv: Mapping[str, str]):
        self.environ = environ
        self.dotenv = dotenv

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike | None = ".env"
    ) -> EnvSource:
        """The process environment (or `environ`) over the `.env` file at `dotenv_path` (None: none)."""
        return cls(os.environ if environ is None else environ, read_dotenv(dotenv_path) if dotenv_path else {})

    def get(self, name: str) -> str | None:
        for candidate in (name, f"LP_{name}"):
            for layer in (self.environ, self.dotenv):
                value = layer.get(candidate)
                if value is not None and value.strip() != "":
                    return value.strip()
        return None

    @overload
    def text(self, name: str, default: str) -> str: ...
    @overload
    def text(self, name: str, default: None = None) -> str | None: ...
    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.get(name)
        return default if value is None else value

    def _bounded(self, name: str, default, parse, what: str, minimum, maximum=None):
        value = self.get(name)
        if value is None:
            return default
        try:
            number = parse(value)
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not {what}") from None
        if number < minimum:
            raise ConfigError(f"{name}={number} must be at least {minimum}")
        if maximum is not None and number > maximum:
            raise ConfigError(f"{name}={number} must be at most {maximum}")
        return number

    def integer(self, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
        return self._bounded(name, default, int, "a whole number", minimum, maximum)

    def number(self, name: str, default: float, minimum: float = 0.0) -> float:
        return self._bounded(name, default, float, "a number", minimum)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name}={value!r} is not a boolean (use true or false)")

    def choice(self, name: str, default: str, options: tuple[str, ...]) -> str:
        value = (self.get(name) or default).lower()
        if value not in options:
            raise ConfigError(f"{name}={value!r} must be one of {', '.join(options)}")
        return value


def stream_reserve(threads: int) -> int:
    """Threads of a `threads`-thread worker kept for ordinary requests: max(4, ceil(25 %))."""
    return max(STREAM_RESERVE_MIN_THREADS, math.ceil(threads * STREAM_RESERVE_SHARE))


def streams_per_worker(
    threads: int, explicit: int | None = None, source: str = "THREADS", unit: str = "threads"
) -> int:
    """The push streams a worker serving `threads` requests at once (threads of a pool, or a gevent
    worker's connections: `unit`) may hold: `explicit` (MC_STREAMS_PER_WORKER) when given, else
    threads - reserve (never below 0). Raises ConfigError when `explicit` would take what the
    reserve keeps for other requests."""
    most = max(0, threads - stream_reserve(threads))
    if explicit is None:
        return most
    if explicit > most:
        raise ConfigError(
            f"MC_STREAMS_PER_WORKER={explicit} must be at most {most}: a worker with {threads} {unit} "
            f"({source}) keeps {stream_reserve(threads)} for requests other than streams"
        )
    return explicit


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a non-numeric port
    except ValueError:
        # Never quote the parser's message: for `u:hun#ter2@h` it names part of the password.
        raise ConfigError(
            f"{name} is not a valid URL (its host:port part does not parse; percent-encode "
            "'#', '/', '?', '@' and ':' inside a user name or password)"
        ) from None
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in schemes:
        raise ConfigError(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}")
    if scheme not in {"sqlite", "memory"} and not parts.hostname:
        raise ConfigError(f"{name} has no host name")
    return value


def _channel(value: str) -> str:
    """A Redis channel name of ours: under `mc:`, printable, no spaces, at most 200 characters."""
    if not value.startswith("mc:") or len(value) > 200 or not value.isprintable() or " " in value:
        raise ConfigError(
            f"MC_SNAPSHOT_CHANNEL={value[:40]!r} must start with 'mc:' and hold no spaces (≤ 200 characters)"
        )
    return value


def _check_http_url(name: str, value: str | None) -> str | None:
    return None if value is None else _check_url(name, value, ("http", "https"))


# Characters a URL prefix may hold: path segments of letters, digits and -._~ (no "..", no
# query or fragment, nothing to escape), so it can be written into HTML, CSS and nginx as is.
_PREFIX_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")
# Dash reads these itself; they would contradict MC_URL_PREFIX (app.py removes them once read).
DASH_PATH_VARIABLES = ("DASH_URL_BASE_PATHNAME", "DASH_ROUTES_PATHNAME_PREFIX", "DASH_REQUESTS_PATHNAME_PREFIX")


def url_prefix(name: str, value: str | None) -> str:
    """`value` as a URL prefix "/a/b/" ("/" when unset); ConfigError naming `name` otherwise."""
    if value is None or value.strip("/") == "":
        return "/"
    segments = value.strip("/").split("/")
    if not value.startswith("/") or not all(_PREFIX_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments):
        raise ConfigError(f"{name}={value[:80]!r} must be a path such as /mc/ (segments of letters, digits and -._~)")
    return "/" + "/".join(segments) + "/"


def _url_prefix_setting(src: EnvSource, public_url: str | None) -> str:
    """MC_URL_PREFIX, or its alias DASH_URL_BASE_PATHNAME (Dash's own name for it); Dash's
    separate routes/requests prefixes are refused (the app serves its routes prefix-agnostic)."""
    for name in DASH_PATH_VARIABLES[1:]:
        if src.get(name) is not None:
            raise ConfigError(f"{name} is not supported: set MC_URL_PREFIX (e.g. /mc/) instead")
    prefix = url_prefix("MC_URL_PREFIX", src.text("MC_URL_PREFIX"))
    alias = src.text("DASH_URL_BASE_PATHNAME")
    if alias is not None:
        aliased = url_prefix("DASH_URL_BASE_PATHNAME", alias)
        if src.text("MC_URL_PREFIX") is not None and aliased != prefix:
            raise ConfigError(
                f"DASH_URL_BASE_PATHNAME={alias!r} contradicts MC_URL_PREFIX={prefix!r}; set only MC_URL_PREFIX"
            )
        prefix = aliased
    public_path = urlsplit(public_url).path.rstrip("/") if public_url else ""
    if public_path and public_path + "/" != prefix:
        raise ConfigError(
            f"MC_PUBLIC_URL's path {public_path!r} must be empty or MC_URL_PREFIX ({prefix!r}); "
            "set MC_URL_PREFIX to the path the dashboard is served under"
        )
    return prefix


def frame_ancestors(value: str | None) -> tuple[str, ...]:
    """MC_FRAME_ANCESTORS: space-separated "'self'", http(s) origins (scheme://host[:port],
    nothing after it), or "'none'" alone. Origins are lower-cased and lose a default port, so
    they compare equal to a browser's `MessageEvent.origin`. Wildcards are refused: the
    embedded page posts to its parent only when the parent is one of these exactly."""
    name = "MC_FRAME_ANCESTORS"
    tokens = (value or "").split()
    if not tokens:
        return ("'self'",)
    if "'none'" in tokens:
        if len(tokens) > 1:
            raise ConfigError(f"{name}: 'none' cannot be combined with other sources")
        return ("'none'",)
    found: list[str] = []
    for token in tokens:
        if token == "'self'":
            origin = token
        else:
            try:
                parts = urlsplit(token)
                port = parts.port
            except ValueError:
                raise ConfigError(f"{name}: {token[:80]!r} is not an origin") from None
            host = parts.hostname or ""
            if (
                parts.scheme.lower() not in ("http", "https")
                or not host
                or "*" in token
                or parts.path not in ("", "/")
                or parts.query
                or parts.fragment
                or parts.username is not None
            ):
                raise ConfigError(
                    f"{name}: {token[:80]!r} must be 'self' or an origin such as https://lp.example.org "
                    "(scheme, host and optional port; no path, no wildcard)"
                )
            scheme = parts.scheme.lower()
            default = {"http": 80, "https": 443}[scheme]
            shown = f"[{host}]" if ":" in host else host
            origin = f"{scheme}://{shown}" + (f":{port}" if port not in (None, default) else "")
        if origin not in found:
            found.append(origin)
    return tuple(found)


def cli_settings() -> Settings:
    """Settings for a command: a bad value (any section) prints its one-line error and exits
    with status 2; logging is set up at the configured level."""
    import logging
    import sys

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return settings


def load_settings(environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike | None = ".env") -> Settings:
    """Build `Settings` from `environ` (default `os.environ`) and an optional `.env` file.

    Raises `ConfigError` with a one-line message naming the offending variable.
    """
    src = EnvSource.load(environ, dotenv_path)

    database_url = _check_url(
        "DATABASE_URL", src.text("DATABASE_URL", EMBEDDED_DATABASE_URL), ("postgresql", "postgres", "sqlite")
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://") :]
    mc_database_url = src.text("MC_DATABASE_URL")
    if mc_database_url:
        _check_url("MC_DATABASE_URL", mc_database_url, ("postgresql", "sqlite"))
    redis_url = _check_url(
        "REDIS_URL", src.text("REDIS_URL", EMBEDDED_REDIS_URL), ("redis", "rediss", "unix", "memory")
    )

    recipients = tuple(r.strip() for r in (src.text("ALERT_EMAIL_RECIPIENTS") or "").split(",") if r.strip())
    for r in recipients:
        if "@" not in r:
            raise ConfigError(f"ALERT_EMAIL_RECIPIENTS contains {r!r}, which is not an e-mail address")

    smtp = SmtpSettings(
        host=src.text("SMTP_HOST"),
        port=src.integer("SMTP_PORT", 25, 1, 65535),
        username=src.text("SMTP_USERNAME"),
        password=src.text("SMTP_PASSWORD"),
        sender=src.text("SMTP_FROM", "mission-control@localhost"),
        starttls=src.boolean("SMTP_STARTTLS", False),
        use_ssl=src.boolean("SMTP_SSL", False),
    )
    keys = RedisKeys(**{f: src.text(var, getattr(RedisKeys(), f)) for var, f in REDIS_KEY_VARIABLES.items()})
    seed = src.get("SIMULATOR_SEED")
    public_url = _check_http_url("MC_PUBLIC_URL", src.text("MC_PUBLIC_URL"))
    threads = None if src.get("THREADS") is None else src.integer("THREADS", DEFAULT_WORKER_THREADS, 1, 10_000)
    per_worker = None if src.get("MC_STREAMS_PER_WORKER") is None else src.integer("MC_STREAMS_PER_WORKER", 0, 0)
    if per_worker is not None and threads is not None:
        # Checked again at app start against the thread count the server really runs (gunicorn's).
        streams_per_worker(threads, per_worker)

    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        mc_database_url=mc_database_url,
        host=src.text("HOST", "127.0.0.1"),
        port=src.integer("PORT", 8050, 1, 65535),
        mission_control_enabled=src.boolean("MISSION_CONTROL_ENABLED", True),
        producer_mode=src.choice("MC_PRODUCER", "inline", PRODUCER_MODES),
        websocket_enabled=src.boolean("WEBSOCKET_ENABLED", True),
        snapshot_channel=_channel(src.text("MC_SNAPSHOT_CHANNEL", "mc:snapshot:notices")),
        refresh_rate_ms=src.integer("DASHBOARD_REFRESH_RATE", 1000, 100, 3_600_000),
        cache_ttl_s=src.integer("MISSION_CONTROL_CACHE_TTL", 60, 1),
        history_retention_days=src.integer("DASHBOARD_HISTORY_RETENTION", 30, 1),
        max_websocket_connections=src.integer("MAX_WEBSOCKET_CONNECTIONS", 100, 0),
        worker_threads=threads,
        streams_per_worker=per_worker,
        heartbeat_timeout_s=src.integer("SATELLITE_HEARTBEAT_TIMEOUT", 30, 1),
        queue_trend_points=src.integer("MC_QUEUE_TREND_POINTS", 120, 2, 10_000),
        # Above the STALE threshold (5 intervals), so the header has turned red before the watermark.
        wall_frozen_after=src.integer("MC_WALL_FROZEN_AFTER", 10, 6, 10_000),
        wall_rotate_min_s=src.integer("MC_WALL_ROTATE_MIN", 10, 1, WALL_ROTATE_MAX_S),
        wall_health_every_s=src.integer("MC_WALL_HEALTH_EVERY", 5, 1, 3600),
        wall_reload_hour=src.integer("MC_WALL_RELOAD_HOUR", 4, 0, 23),
        fallback_poll_s=src.integer("MC_FALLBACK_POLL_S", 15, 1, 3600),
        push_spread_ms=src.integer("MC_PUSH_SPREAD_MS", 800, 0, 10_000),
        analytics_nice=src.integer("MC_ANALYTICS_NICE", 10, 0, 19),
        analytics_parallel_workers=src.integer("MC_ANALYTICS_PARALLEL_WORKERS", 0, 0, 64),
        alert_slack_webhook=_check_http_url("ALERT_SLACK_WEBHOOK", src.text("ALERT_SLACK_WEBHOOK")),
        alert_webhook_url=_check_http_url("ALERT_WEBHOOK_URL", src.text("ALERT_WEBHOOK_URL")),
        alert_email_recipients=recipients,
        smtp=smtp,
        api_keys={p: v for p, var in API_KEY_VARIABLES.items() if (v := src.text(var))},
        redis_keys=keys,
        api_token=src.text("MC_API_TOKEN"),
        public_url=public_url,
        url_prefix=_url_prefix_setting(src, public_url),
        frame_ancestors=frame_ancestors(src.text("MC_FRAME_ANCESTORS")),
        allowed_hosts=tuple(h.strip().lower() for h in (src.text("MC_ALLOWED_HOSTS") or "").split(",") if h.strip()),
        max_request_bytes=src.integer("MC_MAX_REQUEST_BYTES", 4 * 1024 * 1024, 1024, 1024**3),
        simulate=src.choice("MC_SIMULATE", "auto", ("auto", "on", "off")),
        simulator_satellites=src.integer("MC_SIMULATOR_SATELLITES", 6, 1, 500),
        simulator_seed=None if seed is None else src.integer("SIMULATOR_SEED", 0),
        log_level=src.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
        forecast_window_min=src.integer("MC_FORECAST_WINDOW", 15, 1, 24 * 60),
        forecast_error_samples=src.integer("MC_FORECAST_ERROR_SAMPLES", 60, 1, 1000),
        alerts=_alert_settings(src),
        analytics=_analytics_settings(src),
        quotas=_quota_settings(src),
        **_deployment_settings(src),
        auth=_auth_settings(src),
        archive=_archive_settings(src),
        commands=_command_settings(src),
    )


def _archive_settings(src: EnvSource) -> ArchiveSettings:
    """MC_ARCHIVE_URL (file:// or s3:// only), MC_ARCHIVE_S3_ENDPOINT, MC_ARCHIVE_DAYS_PER_PASS."""
    url = src.text("MC_ARCHIVE_URL")
    if url and urlsplit(url).scheme not in ("file", "s3"):
        raise ConfigError(f"MC_ARCHIVE_URL: {url[:80]!r} must start with file:// or s3://")
    endpoint = _check_http_url("MC_ARCHIVE_S3_ENDPOINT", src.text("MC_ARCHIVE_S3_ENDPOINT"))
    return ArchiveSettings(
        url=url.rstrip("/") if url else None,
        s3_endpoint=endpoint,
        days_per_pass=src.integer("MC_ARCHIVE_DAYS_PER_PASS", ArchiveSettings.days_per_pass, 1, 365),
    )


# -- deployment (README "Deployment") ----------------------------------------------------------
def _deployment_settings(src: EnvSource) -> dict:
    """DATABASE_READ_URL (a replica for the producer's reads of Link Profiler's tables)."""
    read_url = src.text("DATABASE_READ_URL")
    if read_url:
        _check_url("DATABASE_READ_URL", read_url, ("postgresql", "postgres"))
        if read_url.startswith("postgres://"):
            read_url = "postgresql://" + read_url[len("postgres://") :]
    return {"database_read_url": read_url}


# -- feature sections ------------------------------------------------------------------------
def _alert_settings(src: EnvSource) -> AlertSettings:
    """`ALERT_<RULE>_THRESHOLD|_SEVERITY|_FOR|_ENABLED` per built-in rule, plus the engine's
    intervals and windows (alerts/settings.py says what each means)."""
    rules = {}
    for name, default in DEFAULT_RULES.items():
        prefix = f"ALERT_{name.upper()}_"
        severity = src.choice(prefix + "SEVERITY", default.severity, SEVERITIES)
        rules[name] = RuleSettings(
            enabled=src.boolean(prefix + "ENABLED", default.enabled),
            threshold=src.number(prefix + "THRESHOLD", default.threshold),
            severity=severity,
            for_s=src.number(prefix + "FOR", default.for_s),
        )
    base = AlertSettings()
    return AlertSettings(
        rules=rules,
        backlink_interval_s=src.number("ALERT_BACKLINK_INTERVAL", base.backlink_interval_s, 1.0),
        job_interval_s=src.number("ALERT_JOB_INTERVAL", base.job_interval_s, 0.0),
        lp_rules_refresh_s=src.number("ALERT_LP_RULES_REFRESH", base.lp_rules_refresh_s, 1.0),
        event_hold_s=src.number("ALERT_EVENT_HOLD", base.event_hold_s, 1.0),
        spam_window_s=src.number("ALERT_SPAM_WINDOW", base.spam_window_s, 60.0),
        spam_baseline_days=int(src.number("ALERT_SPAM_BASELINE_DAYS", base.spam_baseline_days, 1)),
        spam_min_links=int(src.number("ALERT_SPAM_MIN_LINKS", base.spam_min_links, 1)),
        lost_window_s=src.number("ALERT_LOST_WINDOW", base.lost_window_s, 60.0),
        repeat_interval_s=src.number("ALERT_REPEAT_INTERVAL", base.repeat_interval_s, 60.0),
        flap_window_s=src.number("ALERT_FLAP_WINDOW", base.flap_window_s, 10.0),
        flap_threshold=int(src.number("ALERT_FLAP_THRESHOLD", base.flap_threshold, 2)),
        delivery_max_age_s=src.number("ALERT_DELIVERY_MAX_AGE", base.delivery_max_age_s, 60.0),
        **_delivery_claim(src, base),
        competitor_domains=tuple(
            d.strip().lower() for d in (src.text("ALERT_COMPETITOR_DOMAINS") or "").split(",") if d.strip()
        ),
    )


def _delivery_claim(src: EnvSource, base: AlertSettings) -> dict:
    """ALERT_DELIVERY_TIMEOUT and ALERT_DELIVERY_LEASE (seconds). A claim must outlive the
    attempt it covers, or a second deliverer could take a row whose first attempt is still
    going (a duplicate); how long a notice whose deliverer died waits is the lease."""
    timeout = src.number("ALERT_DELIVERY_TIMEOUT", base.delivery_timeout_s, 1.0)
    lease = src.number("ALERT_DELIVERY_LEASE", base.delivery_lease_s, 2.0)
    if lease <= timeout:
        raise ConfigError(f"ALERT_DELIVERY_LEASE={lease:g} must be longer than ALERT_DELIVERY_TIMEOUT={timeout:g}")
    return {"delivery_timeout_s": timeout, "delivery_lease_s": lease}


def _domain_list(text: str | None) -> tuple[str, ...]:
    """A comma list of domain names: trimmed, lower-cased, duplicates dropped (order kept)."""
    return tuple(dict.fromkeys(d.strip().lower() for d in (text or "").split(",") if d.strip()))


def _analytics_settings(src: EnvSource) -> AnalyticsSettings:
    """The analysis pages' tunables (analytics/settings.py lists the variables)."""
    base = AnalyticsSettings()
    try:
        weights = parse_weights(src.text("DOMAIN_VALUE_WEIGHTS"))
    except ValueError as exc:
        raise ConfigError(f"DOMAIN_VALUE_WEIGHTS: {exc}") from None
    delay_min = src.number("MC_CRAWL_DELAY_MIN", base.delay_min_s)
    delay_max = src.number("MC_CRAWL_DELAY_MAX", base.delay_max_s)
    if delay_max < delay_min:
        raise ConfigError(f"MC_CRAWL_DELAY_MAX={delay_max} must be at least MC_CRAWL_DELAY_MIN={delay_min}")
    return AnalyticsSettings(
        tracked_domains=_domain_list(src.text("MC_TRACKED_DOMAINS")),
        competitor_domains=_domain_list(src.text("MC_COMPETITOR_DOMAINS") or src.text("ALERT_COMPETITOR_DOMAINS")),
        value_weights=weights,
        high_authority=src.number("MC_HIGH_AUTHORITY", base.high_authority),
        late_s=src.number("MC_ROLLUP_LATE_S", base.late_s),
        domain_value_refresh_s=src.number("MC_DOMAIN_VALUE_REFRESH_S", base.domain_value_refresh_s),
        rollup_chunk_links=src.integer("MC_ROLLUP_CHUNK_LINKS", base.rollup_chunk_links, 0),
        target_concurrency=src.number("MC_CRAWL_TARGET_CONCURRENCY", base.target_concurrency, 0.1),
        delay_min_s=delay_min,
        delay_max_s=delay_max,
    )


def _names(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def _role(src: EnvSource, name: str, default: Role) -> Role:
    value = src.get(name)
    if value is None:
        return default
    try:
        return Role.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


# Link Profiler's own placeholder for an unset secret (its config.yaml): never a key.
LP_SECRET_PLACEHOLDER = "PLACEHOLDER_MUST_SET_LP_AUTH_SECRET_KEY"


def _auth_settings(src: EnvSource) -> AuthSettings:
    """Sign-in and roles (auth/settings.py; README "Sign-in and roles")."""
    try:
        proxies = parse_networks(src.text("MC_AUTH_TRUSTED_PROXIES"))
    except ValueError as exc:
        raise ConfigError(f"MC_AUTH_TRUSTED_PROXIES: {exc}") from None
    proxy_header = src.text("MC_AUTH_PROXY_HEADER")
    if proxy_header and not proxies:
        raise ConfigError(
            "MC_AUTH_PROXY_HEADER needs MC_AUTH_TRUSTED_PROXIES: the proxies' addresses it is believed from"
        )
    lp_secret = src.text("MC_LP_JWT_SECRET") or src.text("AUTH_SECRET_KEY")  # AUTH_… also reads LP_AUTH_SECRET_KEY
    if lp_secret == LP_SECRET_PLACEHOLDER:
        lp_secret = None
    algorithm = src.text("MC_LP_JWT_ALGORITHM", "HS256").upper()
    if algorithm not in ("HS256", "HS384", "HS512"):
        raise ConfigError(
            f"MC_LP_JWT_ALGORITHM={algorithm!r} must be HS256, HS384 or HS512 (Link Profiler signs with its shared secret)"
        )
    secret = src.text("MC_SECRET_KEY")
    if secret is not None and len(secret) < 32:
        raise ConfigError(
            "MC_SECRET_KEY must be at least 32 characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return AuthSettings(
        required=src.boolean("MC_AUTH_REQUIRED", False),
        secret_key=secret,
        users_file=src.text("MC_AUTH_USERS_FILE"),
        api_token_role=_role(src, "MC_API_TOKEN_ROLE", Role.OPERATOR),
        proxy_header=proxy_header,
        proxy_role_header=src.text("MC_AUTH_PROXY_ROLE_HEADER"),
        proxy_default_role=_role(src, "MC_AUTH_PROXY_DEFAULT_ROLE", Role.VIEWER),
        trusted_proxies=proxies,
        lp_jwt_secret=lp_secret,
        lp_jwt_algorithm=algorithm,
        lp_jwt_role=_role(src, "MC_LP_JWT_ROLE", Role.VIEWER),
        max_failures=src.integer("MC_AUTH_MAX_FAILURES", 5, 1, 1000),
        lockout_s=src.integer("MC_AUTH_LOCKOUT_S", 900, 1, 7 * 86400),
        session_hours=src.integer("MC_AUTH_SESSION_HOURS", 12, 1, 24 * 90),
    )


def _quota_settings(src: EnvSource) -> QuotaSettings:
    """Every provider with its `QUOTA_<NAME>_*` overrides: LIMIT, RESET_DAY (1-31), QUALITY,
    COST, CACHE_DAYS, QUERY_TYPES and FALLBACK (comma lists), EMERGENCY_ONLY (bool); and the
    call records' breaker: QUOTA_BREAKER_FAILURES, _COOLDOWN_S, _TRIAL_S, QUOTA_CALL_WINDOW_S."""
    providers = {}
    for base in DEFAULT_PROVIDERS:
        p = f"QUOTA_{base.name.upper()}_"
        changes: dict[str, object] = dict(
            limit=src.integer(p + "LIMIT", base.limit, 0),
            reset_day=src.integer(p + "RESET_DAY", base.reset_day, 1, 31),
            quality=src.integer(p + "QUALITY", base.quality, 1, 100),
            cost_per_call=src.integer(p + "COST", base.cost_per_call, 1),
            cache_ttl_s=src.integer(p + "CACHE_DAYS", base.cache_ttl_s // DAY_S, 0) * DAY_S,
            emergency_only=src.boolean(p + "EMERGENCY_ONLY", base.emergency_only),
        )
        if (qt := src.get(p + "QUERY_TYPES")) is not None:
            changes["query_types"] = _names(qt)
        if (fb := src.get(p + "FALLBACK")) is not None:
            changes["fallback"] = _names(fb)
        providers[base.name] = dataclasses.replace(base, **changes)  # type: ignore[arg-type]  # fields checked above
    for cfg in providers.values():
        unknown = [f for f in cfg.fallback if f not in providers or f == cfg.name]
        if unknown:
            raise ConfigError(f"QUOTA_{cfg.name.upper()}_FALLBACK names an unknown provider: {', '.join(unknown)}")
    base_breaker = BreakerSettings()
    breaker = BreakerSettings(
        failures=src.integer("QUOTA_BREAKER_FAILURES", base_breaker.failures, 1, 1000),
        cooldown_s=src.number("QUOTA_BREAKER_COOLDOWN_S", base_breaker.cooldown_s, 1.0),
        trial_s=src.number("QUOTA_BREAKER_TRIAL_S", base_breaker.trial_s, 1.0),
        window_s=src.integer("QUOTA_CALL_WINDOW_S", base_breaker.window_s, 60, 30 * DAY_S),
    )
    return QuotaSettings(providers=providers, breaker=breaker)


def _command_settings(src: EnvSource) -> CommandSettings:
    """Operator commands (commands/settings.py): Link Profiler's API and how to sign in to it."""
    base = CommandSettings()
    return CommandSettings(
        lp_api_url=_check_http_url("MC_LP_API_URL", src.text("MC_LP_API_URL")),
        lp_api_username=src.text("MC_LP_API_USERNAME"),
        lp_api_password=src.text("MC_LP_API_PASSWORD"),
        lp_api_token=src.text("MC_LP_API_TOKEN"),
        lp_api_timeout_s=src.number("MC_LP_API_TIMEOUT", base.lp_api_timeout_s, 0.1),
        observe_s=src.number("MC_COMMAND_OBSERVE_S", base.observe_s, 0.0),
        empty_queue_type=src.choice("MC_LP_EMPTY_QUEUE_TYPE", base.empty_queue_type, ("zset", "list")),
    )
