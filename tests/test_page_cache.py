"""The analytics page cache: one computation per answer, however many viewers and workers ask
at once (no stampede when a rollup refresh invalidates everything)."""

import threading
import time

from analytics.page_cache import PageCache
from tests.conftest import make_settings


class _Services:
    def __init__(self, redis_url):
        from data.connections import make_redis

        self.settings = make_settings(redis_url=redis_url)
        self.redis = make_redis(redis_url)


def _stampede(cache_a, cache_b, threads=12):
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.3)  # a slow query
        return {"rows": 42}

    results = []
    workers = [
        threading.Thread(target=lambda c=c: results.append(c.get("panel", ["30d"], compute)))
        for c in [cache_a, cache_b] * (threads // 2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(10)
    return calls, results


def test_one_computation_across_two_workers_on_real_redis(redis_url):
    services = _Services(redis_url)
    calls, results = _stampede(PageCache(services), PageCache(services))  # two "workers"
    assert len(calls) == 1 and results == [{"rows": 42}] * 12


def test_one_computation_in_the_embedded_process(memory_redis_url):
    services = _Services(memory_redis_url)
    cache = PageCache(services)
    calls, results = _stampede(cache, cache)
    assert len(calls) == 1 and len(results) == 12
    # a new rollup version is a new key: computed again, once
    services.redis.incr("mc:analytics:version")
    calls_after, _ = _stampede(cache, cache, threads=4)
    assert len(calls_after) == 1
