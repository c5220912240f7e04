"""The page's own actions and controls are held to the API's rules, written as the attacks:
a silence from the alert page with a huge, negative or HTML duration/type is refused and not
stored; a made-up domain pick is refused without running the page's queries; the ⚙ panel never
shows a password, not even one given as a URL query parameter."""

from __future__ import annotations

import uuid

import pytest

from pages.alerts import model as alert_page
from pages.domains import model as domain_page
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW
from ui.inputs import InvalidInput


@pytest.fixture
def app_ctx(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", "M")
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        yield app, ctx
    services.dispose()


LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.mark.parametrize(
    ("action", "target", "minutes", "refusal"),
    [
        (alert_page.SILENCE_TYPE, "job_failure", 1e9, "duration_minutes"),
        (alert_page.SILENCE_TYPE, "job_failure", -5, "duration_minutes"),
        (alert_page.SILENCE_TYPE, "<img src=x onerror=alert(1)>", 30, "'type' must be one of"),
        (alert_page.SILENCE, "x" * 65, 30, "fingerprint"),
    ],
)
def test_a_page_silence_outside_the_api_bounds_is_refused_and_not_stored(app_ctx, action, target, minutes, refusal):
    app, ctx = app_ctx
    before = len(ctx.alerts.store.load_silences())
    with app.server.test_request_context("/alerts", environ_base=LOOPBACK):  # the demo's operator
        said = alert_page.act(ctx, action, target, "testing", minutes)
    assert said.startswith("Not done: ") and refusal in said
    assert len(ctx.alerts.store.load_silences()) == before


def test_a_page_silence_within_bounds_is_stored(app_ctx):
    app, ctx = app_ctx
    before = len(ctx.alerts.store.load_silences())
    with app.server.test_request_context("/alerts", environ_base=LOOPBACK):
        said = alert_page.act(ctx, alert_page.SILENCE_TYPE, "job_failure", "maintenance", 30)
    assert said == "Every job_failure alert silenced for 30 min"
    assert len(ctx.alerts.store.load_silences()) == before + 1


def test_a_made_up_domain_pick_is_refused_without_a_cache_entry(app_ctx):
    _app, ctx = app_ctx
    calls = []
    real = ctx.analytics.cached
    ctx.analytics.cached = lambda name, args, compute: calls.append((name, repr(args))) or real(name, args, compute)
    made_up = "made-up-" + uuid.uuid4().hex + ".example"
    with pytest.raises(InvalidInput, match="no scored domain is called"):
        domain_page.model(ctx, None, made_up)
    # Only the page's shared entry (per window and hour) is read; nothing is keyed by the pick.
    assert [name for name, _args in calls] == ["domains"]
    assert all(made_up not in args for _name, args in calls)


def test_the_config_panel_never_shows_a_password(tmp_path):
    from config import ArchiveSettings
    from pages.shell.layout import layout

    class Context:
        class settings:
            embedded_database = embedded_redis = False
            database_url = "postgresql://mc:hunter2@db.example/lp?password=hunter3&sslmode=require"
            redis_url = "redis://:hunter4@cache.example:6379/0"
            refresh_rate_ms = cache_ttl_s = heartbeat_timeout_s = history_retention_days = 1
            websocket_enabled, max_websocket_connections, simulator_enabled, api_keys = True, 10, False, {}
            wall_frozen_after, wall_rotate_min_s, wall_health_every_s, wall_reload_hour = 10, 10, 5, 4
            url_prefix, frame_ancestors = "/", ("'self'",)
            fallback_poll_s, push_spread_ms = 15, 300
            archive = ArchiveSettings(url="s3://archive-bucket/mc")

        class services:
            class schema:
                variant = "M"

        class snapshots:  # no snapshot yet: the header paints NO DATA
            @staticmethod
            def load():
                return None, None

    shown = str(layout(Context(), []).to_plotly_json())
    assert "db.example" in shown and "cache.example" in shown and "s3://archive-bucket/mc" in shown
    for secret in ("hunter2", "hunter3", "hunter4"):
        assert secret not in shown
