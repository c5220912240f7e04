"""The domain value score: a weighted sum of factors, each normalised to 0–100.

The breakdown (factor → points) always sums to the score, so an analyst can see why a domain
scores what it does. Weights are configuration (DOMAIN_VALUE_WEIGHTS, e.g.
`authority=0.3,trust=0.15`); they are normalised to sum 1, so the score stays on 0–100.

Factors (each 0–100):
- authority, trust: the domain's own scores (clipped);
- low_spam: 100 − spam score;
- referring_domains: distinct domains linking to it, log-scaled (1,000 = 100);
- referring_quality: the mean authority of the links pointing at it (their linking domains);
- age: years since registration, 10 years = 100;
- link_history: the share of the links ever found pointing at it that are not lost
  (a domain whose links fall away is worth less); 0 when no link to it was ever found.
"""

from __future__ import annotations

import math
from datetime import datetime

DEFAULT_WEIGHTS = {
    "authority": 0.30,
    "trust": 0.15,
    "low_spam": 0.10,
    "referring_domains": 0.15,
    "referring_quality": 0.10,
    "age": 0.10,
    "link_history": 0.10,
}
FACTORS = tuple(DEFAULT_WEIGHTS)
LABELS = {
    "authority": "authority",
    "trust": "trust",
    "low_spam": "low spam",
    "referring_domains": "referring domains",
    "referring_quality": "referring quality",
    "age": "age",
    "link_history": "link history",
}


def _clip(value, low=0.0, high=100.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    if v != v:
        return 0.0
    return max(low, min(high, v))


def factor_values(
    authority,
    trust,
    spam,
    referring_domains,
    registered: datetime | None,
    now: datetime,
    referring_quality=None,
    links_total=0,
    links_lost=0,
) -> dict[str, float]:
    """Each factor on a 0–100 scale (see the module docstring)."""
    age_years = 0.0 if registered is None else max(0.0, (now - registered).days / 365.25)
    try:
        rd = max(0.0, float(referring_domains or 0))
    except (TypeError, ValueError):
        rd = 0.0
    rd = 0.0 if rd != rd else rd
    total = max(0.0, float(links_total or 0))
    lost = min(total, max(0.0, float(links_lost or 0)))
    return {
        "authority": _clip(authority),
        "trust": _clip(trust),
        "low_spam": 100.0 - _clip(spam),
        "referring_domains": min(100.0, math.log10(1 + rd) / 3 * 100),
        "referring_quality": _clip(referring_quality),
        "age": min(100.0, age_years * 10),
        "link_history": (total - lost) / total * 100 if total else 0.0,
    }


def breakdown(factors: dict[str, float], weights: dict[str, float] = DEFAULT_WEIGHTS) -> dict[str, float]:
    """Points each factor contributes (factor × weight, 2 decimals); their sum is the score."""
    return {name: round(factors.get(name, 0.0) * w, 2) for name, w in weights.items()}


def score(factors: dict[str, float], weights: dict[str, float] = DEFAULT_WEIGHTS) -> float:
    """The sum of the breakdown (so breakdown and score can never disagree)."""
    return round(sum(breakdown(factors, weights).values()), 2)


def parse_weights(text: str | None) -> dict[str, float]:
    """`authority=0.3,trust=0.2,...` → weights normalised to sum 1; factors left out weigh 0.

    Empty text gives DEFAULT_WEIGHTS. Raises ValueError naming a bad part."""
    if not text or not text.strip():
        return dict(DEFAULT_WEIGHTS)
    raw: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in DEFAULT_WEIGHTS:
            raise ValueError(f"{part.strip()!r}: expected factor=weight with a factor among {', '.join(FACTORS)}")
        try:
            w = float(value)
        except ValueError:
            raise ValueError(f"{part.strip()!r}: the weight is not a number") from None
        if w < 0 or w != w:
            raise ValueError(f"{part.strip()!r}: a weight cannot be negative")
        raw[name] = w
    total = sum(raw.values())
    if total <= 0:
        raise ValueError("the weights sum to 0")
    return {name: raw.get(name, 0.0) / total for name in FACTORS}
