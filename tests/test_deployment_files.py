"""The deployment files agree with the code, without Docker: docker-compose.yml parses and wires
what the README says (PostgreSQL, Redis, two instances of the Dockerfile, nginx with this
repository's configuration), every variable the app reads is in .env.example, and the settings
this deployment added (DATABASE_READ_URL, the alert delivery claim) are checked at start-up.
tests/test_failover.py runs the nginx configuration for real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from config import API_KEY_VARIABLES, REDIS_KEY_VARIABLES, ConfigError, load_settings
from producer.loop import lease_ms_for, takeover_bound_s

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
# Every NAME=… line of .env.example, commented out or not.
DOCUMENTED = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.M))


def _names_read_by(path: Path, pattern: str) -> set[str]:
    return set(re.findall(pattern, path.read_text()))


def test_every_variable_the_app_reads_is_in_env_example():
    read = _names_read_by(ROOT / "config.py", r'src\.(?:text|integer|number|boolean|choice|get)\(\s*"([A-Z0-9_]+)"')
    read |= _names_read_by(ROOT / "gunicorn.conf.py", r'os\.environ\.get\(\s*["\']([A-Z0-9_]+)["\']')
    read |= set(REDIS_KEY_VARIABLES) | set(API_KEY_VARIABLES.values()) | {"PROMETHEUS_MULTIPROC_DIR"}
    assert len(read) > 60  # the patterns still find config.py's reads
    assert sorted(read - DOCUMENTED) == []
    # The per-rule and per-provider families are described by their pattern.
    for family in ("ALERT_<RULE>_THRESHOLD", "ALERT_<RULE>_FOR", "QUOTA_<NAME>_LIMIT", "_EMERGENCY_ONLY"):
        assert family in ENV_EXAMPLE


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _interpolated(env: dict) -> dict[str, str]:
    """`env` as compose sets it with nothing in the shell or .env: ${NAME:-default} -> default."""
    return {k: re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(v)) for k, v in env.items()}


def test_compose_runs_two_instances_behind_nginx_on_one_postgres_and_redis():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "mission-control-1", "mission-control-2", "nginx"}
    one, two = services["mission-control-1"], services["mission-control-2"]
    # Both instances are the Dockerfile with the same environment (the YAML anchor merged in).
    assert one["build"] == two["build"] == "." and (ROOT / "Dockerfile").is_file()
    assert one["environment"] == two["environment"]
    env = _interpolated(one["environment"])
    assert "postgres:5432" in env["DATABASE_URL"] and env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["MC_PRODUCER"] == "external"  # each instance's gunicorn runs a producer; the lease elects one
    assert env["PORT"] == "8050" and env["HOST"] == "0.0.0.0"
    # The app accepts that environment (MC_PUBLIC_URL's path and MC_URL_PREFIX agree, and so on).
    settings = load_settings(env, dotenv_path=None)
    assert settings.url_prefix == "/mc/" and settings.producer_mode == "external"
    # nginx publishes the only port and mounts this repository's files.
    assert [s for s, spec in services.items() if spec.get("ports")] == ["nginx"]
    nginx = services["nginx"]
    assert nginx["environment"]["MC_UPSTREAM"] == "mission_control"
    assert _interpolated(nginx["environment"])["MC_URL_PREFIX"] == env["MC_URL_PREFIX"]
    mounted = {v.split(":")[0] for v in nginx["volumes"]}
    assert mounted == {"./deploy/nginx/nginx.conf", "./deploy/nginx/mission-control.conf.template"}
    assert all((ROOT / m).is_file() for m in mounted)
    # nginx.conf's upstream names both instances by their service names, on the app's port.
    conf = (ROOT / "deploy/nginx/nginx.conf").read_text()
    upstream = re.search(r"upstream mission_control \{(.*?)\}", conf, re.S)
    assert upstream is not None
    assert re.findall(r"server ([\w.-]+):(\d+)", upstream[1]) == [
        ("mission-control-1", "8050"),
        ("mission-control-2", "8050"),
    ]
    assert nginx["environment"]["NGINX_ENVSUBST_OUTPUT_DIR"].rstrip("/") + "/*.conf" in conf


def test_every_variable_compose_substitutes_is_in_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    substituted = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    assert {"DATABASE_URL", "REDIS_URL", "MC_URL_PREFIX", "DATABASE_READ_URL"} <= substituted
    assert sorted(substituted - DOCUMENTED) == []


def test_the_producer_takes_over_within_five_seconds_at_the_default_refresh_rate():
    # README "Several instances": the bound the failover test measures against.
    assert lease_ms_for(1000) == 3000
    assert takeover_bound_s(1000) < 5.0
    assert lease_ms_for(5000) == 15000  # a slower refresh rate lengthens the lease with it


def test_database_read_url_is_checked_and_normalised():
    settings = load_settings({"DATABASE_READ_URL": "postgres://lp@replica:5432/lp"}, dotenv_path=None)
    assert settings.database_read_url == "postgresql://lp@replica:5432/lp"
    assert load_settings({}, dotenv_path=None).database_read_url is None
    with pytest.raises(ConfigError, match="DATABASE_READ_URL must start with"):
        load_settings({"DATABASE_READ_URL": "redis://replica"}, dotenv_path=None)
    assert "replica" not in repr(settings)  # it may carry a password


def test_the_delivery_claim_outlives_the_attempt():
    settings = load_settings({"ALERT_DELIVERY_TIMEOUT": "2", "ALERT_DELIVERY_LEASE": "5"}, dotenv_path=None)
    assert (settings.alerts.delivery_timeout_s, settings.alerts.delivery_lease_s) == (2.0, 5.0)
    with pytest.raises(ConfigError, match="ALERT_DELIVERY_LEASE=10 must be longer than ALERT_DELIVERY_TIMEOUT=10"):
        load_settings({"ALERT_DELIVERY_LEASE": "10"}, dotenv_path=None)
