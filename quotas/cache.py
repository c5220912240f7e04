"""The response cache: the same question is not paid for twice.

A question is a query type plus its parameters (canonical JSON); the answer is kept in Redis
under `mc:quota:cache:{query_type}:{sha256}` for the lifetime of the provider that answered
(BuiltWith 90 days, SERP positions a day), whichever provider that was.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

PREFIX = "mc:quota:cache:"


def question_key(query_type: str, params: Any) -> str:
    """The Redis key of a question; parameters are hashed, never stored in the key."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return f"{PREFIX}{query_type}:{hashlib.sha256(canonical.encode()).hexdigest()}"


class ResponseCache:
    """get/put JSON-serialisable answers with a per-provider lifetime."""

    def __init__(self, client):
        self.redis = client

    def get(self, query_type: str, params: Any) -> dict | None:
        """{"provider", "result", "at"} of a cached answer, or None."""
        raw = self.redis.get(question_key(query_type, params))
        return json.loads(raw) if raw else None

    def put(self, query_type: str, params: Any, provider: str, result: Any, ttl_s: int, at: str) -> None:
        if ttl_s <= 0:
            return
        payload = json.dumps({"provider": provider, "result": result, "at": at}, default=str)
        self.redis.set(question_key(query_type, params), payload, ex=int(ttl_s))
