"""The wall's settings and the data-age rules the first paint applies (the browser applies the
same numbers, handed over by `wall_config`; tests/test_wall_state.py checks it in Chromium)."""

import pytest

from config import ConfigError, load_settings
from pages import PAGES
from pages.shell.model import data_state, first_header, wall_config


def test_wall_settings_default_and_bounds():
    s = load_settings({}, dotenv_path=None)
    assert (s.wall_frozen_after, s.wall_rotate_min_s, s.wall_health_every_s, s.wall_reload_hour) == (10, 10, 5, 4)
    assert s.fallback_poll_s == 15 and load_settings({"MC_FALLBACK_POLL_S": "1"}, None).fallback_poll_s == 1
    s = load_settings({"MC_WALL_FROZEN_AFTER": "30", "MC_WALL_ROTATE_MIN": "1", "MC_WALL_RELOAD_HOUR": "0"}, None)
    assert (s.wall_frozen_after, s.wall_rotate_min_s, s.wall_reload_hour) == (30, 1, 0)


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        # The watermark must come after STALE (5 intervals).
        ({"MC_WALL_FROZEN_AFTER": "5"}, "MC_WALL_FROZEN_AFTER=5 must be at least 6"),
        ({"MC_WALL_ROTATE_MIN": "0"}, "MC_WALL_ROTATE_MIN=0 must be at least 1"),
        ({"MC_WALL_ROTATE_MIN": "3601"}, "MC_WALL_ROTATE_MIN=3601 must be at most 3600"),
        ({"MC_WALL_HEALTH_EVERY": "soon"}, "MC_WALL_HEALTH_EVERY='soon' is not a whole number"),
        ({"MC_WALL_RELOAD_HOUR": "24"}, "MC_WALL_RELOAD_HOUR=24 must be at most 23"),
        ({"MC_FALLBACK_POLL_S": "0"}, "MC_FALLBACK_POLL_S=0 must be at least 1"),
    ],
)
def test_bad_wall_settings_name_the_variable(env, needle):
    with pytest.raises(ConfigError, match=needle):
        load_settings(env, dotenv_path=None)


def _stamp(age, r=1000):
    return {"v": 7, "t": 1000.0, "r": r, "now": 1000.0 + age}


@pytest.mark.parametrize(
    ("age", "state"),
    [(0, "live"), (2.9, "live"), (3.1, "delayed"), (5.9, "delayed"), (6.1, "stale"), (10.9, "stale"), (11.1, "frozen")],
)
def test_data_state_by_age_in_refresh_intervals(age, state):
    # 1 s refresh: DELAYED after 2 intervals + 1 s grace, STALE after 5, frozen after N=10.
    assert data_state(_stamp(age), 1000, 10) == (state, pytest.approx(age))


def test_data_state_uses_the_slower_of_producer_and_poll_and_knows_no_data():
    assert data_state(_stamp(8, r=5000), 1000, 10)[0] == "live"  # a 5 s producer: 8 s is fresh
    assert data_state(_stamp(8, r=500), 2000, 10)[0] == "delayed"  # polled every 2 s
    assert data_state(None, 1000, 10) == ("nodata", None)
    assert data_state({"v": None, "t": None, "r": None, "now": 5.0}, 1000, 10) == ("nodata", None)


def test_first_header_and_the_browser_config():
    s = load_settings({}, dotenv_path=None)
    assert first_header(_stamp(0.4), s) == ("mc-live live-ok", "LIVE", "0 s")
    assert first_header(_stamp(4000), s) == ("mc-live live-stale live-frozen", "STALE", "67 min")
    assert first_header(None, s) == ("mc-live live-stale", "NO DATA", "—")
    config = wall_config(s, PAGES, _stamp(1))
    assert config["pages"] == {
        "mission": "/",
        "discovery": "/discovery",
        "quotas": "/quotas",
        "domains": "/domains",
        "performance": "/performance",
        "alerts": "/alerts",
        "jobs": "/jobs",
        "queues": "/queues",
        "capacity": "/capacity",
        "audit": "/audit",
    }
    assert (config["delayed_after"], config["stale_after"], config["frozen_after"]) == (2, 5, 10)
    assert (config["rotate_min_s"], config["rotate_max_s"], config["painted"]["v"]) == (10, 3600, 7)
    assert config["poll_ms"] == 15000  # the wall widens its intervals to this while the page polls
