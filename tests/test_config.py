"""Configuration: defaults, precedence (env > .env > LP_ fallback > default), clear errors."""

import subprocess
import sys
from pathlib import Path

import pytest

from config import EMBEDDED_DATABASE_URL, ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_are_the_embedded_demo():
    s = load_settings({}, dotenv_path=None)
    assert s.database_url == EMBEDDED_DATABASE_URL and s.redis_url == "memory://"
    assert (s.host, s.port, s.refresh_rate_ms, s.cache_ttl_s) == ("127.0.0.1", 8050, 1000, 60)
    assert (s.history_retention_days, s.max_websocket_connections, s.heartbeat_timeout_s) == (30, 100, 30)
    assert s.simulator_enabled and s.own_database_url == s.database_url
    assert s.redis_keys.job_queue == "crawl_jobs" and s.redis_keys.heartbeats == "crawler_heartbeats_sorted"


def test_lp_prefixed_names_are_fallbacks_and_own_names_win():
    env = {
        "LP_DATABASE_URL": "postgresql://lp@db/linkprofiler",
        "LP_REDIS_URL": "redis://cache:6379/0",
        "REDIS_URL": "redis://mine:6379/1",
        "LP_REDIS_JOB_QUEUE_KEY": "jobs_v2",
    }
    s = load_settings(env, dotenv_path=None)
    assert s.database_url == "postgresql://lp@db/linkprofiler"
    assert s.redis_url == "redis://mine:6379/1"
    assert s.redis_keys.job_queue == "jobs_v2"
    # A configured database never gets the simulator unless asked for.
    assert not s.simulator_enabled
    assert load_settings({**env, "MC_SIMULATE": "on"}, dotenv_path=None).simulator_enabled


def test_dotenv_is_read_below_the_environment(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nexport PORT=9000\nDASHBOARD_REFRESH_RATE='2500'\nSERPSTACK_API_KEY=abc123\n")
    s = load_settings({"PORT": "9100"}, dotenv_path=env_file)
    assert s.port == 9100 and s.refresh_rate_ms == 2500 and s.api_keys == {"serpstack": "abc123"}


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PORT": "abc"}, "PORT='abc' is not a whole number"),
        ({"DASHBOARD_REFRESH_RATE": "-5"}, "DASHBOARD_REFRESH_RATE=-5 must be at least"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start with"),
        ({"REDIS_URL": "redis://host:notaport/0"}, "REDIS_URL is not a valid URL"),
        ({"WEBSOCKET_ENABLED": "maybe"}, "WEBSOCKET_ENABLED='maybe' is not a boolean"),
        ({"ALERT_EMAIL_RECIPIENTS": "ops@example.com, nobody"}, "ALERT_EMAIL_RECIPIENTS contains 'nobody'"),
        ({"ALERT_SLACK_WEBHOOK": "ftp://hooks"}, "ALERT_SLACK_WEBHOOK must start with"),
    ],
)
def test_bad_values_name_the_variable(env, needle):
    with pytest.raises(ConfigError) as err:
        load_settings(env, dotenv_path=None)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_secrets_are_not_in_the_repr():
    s = load_settings(
        {
            "SMTP_PASSWORD": "hunter2",
            "ALERT_SLACK_WEBHOOK": "https://hooks.example/T/B/secret",
            "SERPSTACK_API_KEY": "k-123",
        },
        dotenv_path=None,
    )
    text = repr(s)
    assert "hunter2" not in text and "secret" not in text and "k-123" not in text


def test_start_up_with_a_bad_port_prints_one_line_and_exits(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PORT": "abc"},
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "configuration error: PORT='abc' is not a whole number"


@pytest.mark.parametrize(
    "variable, value, line",
    [
        ("ALERT_QUEUE_OVERFLOW_THRESHOLD", "lots", "ALERT_QUEUE_OVERFLOW_THRESHOLD='lots' is not a number"),
        ("MC_HIGH_AUTHORITY", "high", "MC_HIGH_AUTHORITY='high' is not a number"),
        ("QUOTA_SERPSTACK_LIMIT", "-3", "QUOTA_SERPSTACK_LIMIT=-3 must be at least 0"),
    ],
)
def test_a_bad_feature_setting_stops_start_up_with_one_line(tmp_path, variable, value, line):
    # The alert, analytics and quota packages read their own variables later, some on a thread;
    # start-up checks them first so the operator sees the same one line as for PORT.
    proc = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", variable: value},
        timeout=60,
    )
    assert (proc.returncode, proc.stderr.strip()) == (2, f"configuration error: {line}")


def test_gunicorn_stops_instead_of_respawning_on_a_bad_setting(tmp_path):
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(ROOT), "--bind", "127.0.0.1:0", "app:server"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "MC_HIGH_AUTHORITY": "high"},
    )
    assert proc.returncode == 3, proc.stderr[-500:]
    assert proc.stderr.count("configuration error: MC_HIGH_AUTHORITY='high' is not a number") == 1
    assert "Worker failed to boot" in proc.stderr


def test_drain_forecast_settings():
    s = load_settings({"MC_FORECAST_WINDOW": "30", "MC_FORECAST_ERROR_SAMPLES": "200"}, dotenv_path=None)
    assert (s.forecast_window_min, s.forecast_error_samples) == (30, 200)
    assert load_settings({}, dotenv_path=None).forecast_window_min == 15
    with pytest.raises(ConfigError, match="MC_FORECAST_WINDOW"):
        load_settings({"MC_FORECAST_WINDOW": "0"}, dotenv_path=None)
