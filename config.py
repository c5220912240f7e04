"""Mission Control settings: one frozen, validated object built from the environment.

Why one object: every part of the app (producer, callbacks, API, simulator) receives the same
`Settings` instance from `create_app`, so nothing reads `os.environ` behind anyone's back and
tests can build any configuration without touching the process environment.

Precedence for each setting: the process environment, then a `.env` file, then Link Profiler's
own `LP_`-prefixed name (so the dashboard can share Link Profiler's environment), then the
default. A bad value raises `ConfigError` whose message is one line naming the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from urllib.parse import urlsplit

EMBEDDED_DATABASE_URL = "sqlite:///var/mission_control.db"
EMBEDDED_REDIS_URL = "memory://"

# The free-tier providers Link Profiler calls; a provider is enabled when its key is set.
API_KEY_VARIABLES = {
    "serpstack": "SERPSTACK_API_KEY",
    "valueserp": "VALUESERP_API_KEY",
    "webscraping_ai": "WEBSCRAPING_AI_API_KEY",
    "hunter_io": "HUNTER_IO_API_KEY",
    "builtwith": "BUILTWITH_API_KEY",
    "clearbit": "CLEARBIT_API_KEY",
    "securitytrails": "SECURITYTRAILS_API_KEY",
}


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
class Settings:
    database_url: str = EMBEDDED_DATABASE_URL
    redis_url: str = EMBEDDED_REDIS_URL
    mc_database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    mission_control_enabled: bool = True
    websocket_enabled: bool = True
    refresh_rate_ms: int = 1000
    cache_ttl_s: int = 60
    history_retention_days: int = 30
    max_websocket_connections: int = 100
    heartbeat_timeout_s: int = 30
    alert_slack_webhook: str | None = field(default=None, repr=False)
    alert_webhook_url: str | None = field(default=None, repr=False)
    alert_email_recipients: tuple[str, ...] = ()
    smtp: SmtpSettings = SmtpSettings()
    api_keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    redis_keys: RedisKeys = RedisKeys()
    api_token: str | None = field(default=None, repr=False)
    public_url: str | None = None
    # Host names (besides loopback, HOST and MC_PUBLIC_URL's) that writes may name in Host/Origin.
    allowed_hosts: tuple[str, ...] = ()
    max_request_bytes: int = 4 * 1024 * 1024
    # "auto": simulate only on the embedded database; "on"/"off" force it.
    simulate: str = "auto"
    simulator_satellites: int = 6
    simulator_seed: int | None = None
    log_level: str = "INFO"

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
        return self.public_url or f"http://{self.host}:{self.port}"


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
    it with errors naming the variable. Shared by `Settings` and the feature packages' own settings."""

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


def _check_http_url(name: str, value: str | None) -> str | None:
    return None if value is None else _check_url(name, value, ("http", "https"))


# The feature packages read their own variables (ALERT_*, MC_* analytics, QUOTA_*) when their
# engines start, some on a background thread. A command checks them all up front, so a bad one
# stops it with the same one line as a bad PORT instead of a traceback later.
FEATURE_SETTINGS = (
    ("alerts.settings", "load_alert_settings", ()),
    ("analytics.settings", "load_analytics_settings", ()),
    ("quotas.providers", "load_providers", ({},)),  # API keys do not take part in validation
)


def check_feature_settings(environ: Mapping[str, str] | None = None, dotenv_path: str | None = ".env") -> None:
    """Load every feature package's settings; raises ConfigError naming the first bad variable."""
    import importlib

    for module, function, args in FEATURE_SETTINGS:
        getattr(importlib.import_module(module), function)(*args, environ=environ, dotenv_path=dotenv_path)


def cli_settings() -> Settings:
    """Settings for a command: a bad value (of ours or of a feature package) prints its
    one-line error and exits with status 2; logging is set up at the configured level."""
    import logging
    import sys

    try:
        settings = load_settings()
        check_feature_settings()
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

    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        mc_database_url=mc_database_url,
        host=src.text("HOST", "127.0.0.1"),
        port=src.integer("PORT", 8050, 1, 65535),
        mission_control_enabled=src.boolean("MISSION_CONTROL_ENABLED", True),
        websocket_enabled=src.boolean("WEBSOCKET_ENABLED", True),
        refresh_rate_ms=src.integer("DASHBOARD_REFRESH_RATE", 1000, 100, 3_600_000),
        cache_ttl_s=src.integer("MISSION_CONTROL_CACHE_TTL", 60, 1),
        history_retention_days=src.integer("DASHBOARD_HISTORY_RETENTION", 30, 1),
        max_websocket_connections=src.integer("MAX_WEBSOCKET_CONNECTIONS", 100, 0),
        heartbeat_timeout_s=src.integer("SATELLITE_HEARTBEAT_TIMEOUT", 30, 1),
        alert_slack_webhook=_check_http_url("ALERT_SLACK_WEBHOOK", src.text("ALERT_SLACK_WEBHOOK")),
        alert_webhook_url=_check_http_url("ALERT_WEBHOOK_URL", src.text("ALERT_WEBHOOK_URL")),
        alert_email_recipients=recipients,
        smtp=smtp,
        api_keys={p: v for p, var in API_KEY_VARIABLES.items() if (v := src.text(var))},
        redis_keys=keys,
        api_token=src.text("MC_API_TOKEN"),
        public_url=_check_http_url("MC_PUBLIC_URL", src.text("MC_PUBLIC_URL")),
        allowed_hosts=tuple(h.strip().lower() for h in (src.text("MC_ALLOWED_HOSTS") or "").split(",") if h.strip()),
        max_request_bytes=src.integer("MC_MAX_REQUEST_BYTES", 4 * 1024 * 1024, 1024, 1024**3),
        simulate=src.choice("MC_SIMULATE", "auto", ("auto", "on", "off")),
        simulator_satellites=src.integer("MC_SIMULATOR_SATELLITES", 6, 1, 500),
        simulator_seed=None if seed is None else src.integer("SIMULATOR_SEED", 0),
        log_level=src.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
    )
