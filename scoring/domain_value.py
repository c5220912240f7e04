"""The domain value score: a weighted sum of factors, each normalised to 0–100.

The breakdown (factor → points) always sums to the score, so an analyst can see why a domain
scores what it does. Weights are configuration (DOMAIN_VALUE_WEIGHTS); they sum to 1.
"""

from __future__ import annotations

import math
from datetime import datetime

DEFAULT_WEIGHTS = {
    "authority": 0.35,
    "trust": 0.20,
    "low_spam": 0.15,
    "referring_domains": 0.20,
    "age": 0.10,
}


def _clip(value, low=0.0, high=100.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    if v != v:
        return 0.0
    return max(low, min(high, v))


def factor_values(authority, trust, spam, referring_domains, registered: datetime | None, now: datetime) -> dict[str, float]:
    """Each factor on a 0–100 scale. Spam is inverted; referring domains are log-scaled
    (1,000 referring domains = 100); age reaches 100 at 10 years."""
    age_years = 0.0 if registered is None else max(0.0, (now - registered).days / 365.25)
    rd = max(0.0, float(referring_domains or 0))
    return {
        "authority": _clip(authority),
        "trust": _clip(trust),
        "low_spam": 100.0 - _clip(spam),
        "referring_domains": min(100.0, math.log10(1 + rd) / 3 * 100),
        "age": min(100.0, age_years * 10),
    }


def breakdown(factors: dict[str, float], weights: dict[str, float] = DEFAULT_WEIGHTS) -> dict[str, float]:
    """Points each factor contributes; their sum is the score."""
    return {name: round(factors.get(name, 0.0) * w, 2) for name, w in weights.items()}


def score(factors: dict[str, float], weights: dict[str, float] = DEFAULT_WEIGHTS) -> float:
    return round(sum(breakdown(factors, weights).values()), 2)
