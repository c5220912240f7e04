"""Provider configuration: defaults, QUOTA_* overrides, enabling by API key, masked keys."""

from __future__ import annotations

import json
import uuid

import pytest
from conftest import build_services

from config import ConfigError, load_settings
from quotas.manager import QuotaManager
from quotas.providers import DEFAULT_PROVIDERS, mask_key, with_keys


def test_defaults_match_the_free_tiers():
    p = load_settings({}, dotenv_path=None).quotas.providers
    assert {n: c.limit for n, c in p.items()} == {
        "serpstack": 1000,
        "valueserp": 100,
        "webscraping_ai": 1000,
        "hunter_io": 50,
        "builtwith": 200,
        "clearbit": 50,
        "securitytrails": 50,
    }
    assert p["builtwith"].cache_ttl_s == 90 * 86400
    assert p["serpstack"].fallback == ("valueserp",) and p["valueserp"].emergency_only
    assert not any(c.enabled for c in p.values())


def test_environment_overrides(tmp_path):
    env = {
        "QUOTA_SERPSTACK_LIMIT": "5000",
        "QUOTA_HUNTER_IO_RESET_DAY": "15",
        "LP_QUOTA_BUILTWITH_CACHE_DAYS": "30",
        "QUOTA_CLEARBIT_QUERY_TYPES": "company_enrichment",
        "QUOTA_VALUESERP_COST": "2",
    }
    (tmp_path / ".env").write_text("QUOTA_SECURITYTRAILS_LIMIT=75\n")
    settings = load_settings({**env, "SERPSTACK_API_KEY": "k"}, dotenv_path=tmp_path / ".env")
    p = with_keys(settings.quotas.providers, settings.api_keys)
    assert p["serpstack"].limit == 5000 and p["serpstack"].enabled
    assert p["hunter_io"].reset_day == 15
    assert p["builtwith"].cache_ttl_s == 30 * 86400
    assert p["clearbit"].query_types == ("company_enrichment",)
    assert p["valueserp"].cost_per_call == 2
    assert p["securitytrails"].limit == 75


@pytest.mark.parametrize(
    "env, message",
    [
        ({"QUOTA_SERPSTACK_LIMIT": "lots"}, "QUOTA_SERPSTACK_LIMIT='lots' is not a whole number"),
        ({"QUOTA_HUNTER_IO_RESET_DAY": "32"}, "QUOTA_HUNTER_IO_RESET_DAY=32 must be at most 31"),
        ({"QUOTA_SERPSTACK_FALLBACK": "bing"}, "QUOTA_SERPSTACK_FALLBACK names an unknown provider: bing"),
    ],
)
def test_bad_overrides_name_the_variable(env, message):
    with pytest.raises(ConfigError) as err:
        load_settings(env, dotenv_path=None)
    assert str(err.value) == message


def test_keys_are_masked_and_never_shown(tmp_path):
    assert mask_key("sk_live_abcdef1a2b") == "••••1a2b"
    assert mask_key("abc") == "••••"
    assert mask_key(None) is None
    secret = "sk_live_SECRET_9f3c"
    svc = build_services(
        f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", api_keys={"builtwith": secret}
    )
    mgr = QuotaManager(svc, providers=list(DEFAULT_PROVIDERS))
    statuses = {s["api_name"]: s for s in mgr.statuses()}
    assert statuses["builtwith"]["enabled"] is True and statuses["builtwith"]["masked_key"] == "••••9f3c"
    assert statuses["clearbit"]["enabled"] is False and statuses["clearbit"]["masked_key"] is None
    assert secret not in json.dumps(statuses) and "SECRET" not in repr(mgr.providers)
    svc.dispose()
