"""Helpers shared by the quota tests (no tests here): a settable clock and managers over known providers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quotas.manager import QuotaManager
from quotas.providers import DEFAULT_PROVIDERS

ALL_KEYS = {p.name: f"test-key-{p.name}-1a2b" for p in DEFAULT_PROVIDERS}


class FakeClock:
    """A clock the test moves by hand (aware UTC)."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def manager(services, clock=None, providers=DEFAULT_PROVIDERS) -> QuotaManager:
    """A manager over the default providers (never the process environment's overrides)."""
    return QuotaManager(services, providers=list(providers), clock=clock)


def process_manager(database_url: str, redis_url: str):
    """(services, manager) of a process a test spawned, over the test's storage."""
    from conftest import make_settings

    from data.services import Services

    svc = Services(make_settings(database_url=database_url, redis_url=redis_url, simulate="off", api_keys=ALL_KEYS))
    return svc, manager(svc)
