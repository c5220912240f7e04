"""Vocabulary of the simulated world: satellite ids, domain names, URLs, anchors, error texts.

Every function takes the caller's `random.Random` so a seeded run produces the same names. A
small share of the crawled text is deliberately hostile (script tags, `javascript:` URLs),
because the web Link Profiler crawls contains such text and the dashboard must show it as
text; the UI tests rely on finding some of it.
"""

from __future__ import annotations

import random
import uuid
import zlib

REGIONS = ("eu", "us", "ap", "sa")

# The sites the Link Profiler user monitors, and the competitors they watch.
TARGET_DOMAINS = (
    "example-target.com",
    "example-target-shop.com",
    "example-target-blog.net",
    "example-target.co.uk",
    "example-target.io",
)
COMPETITOR_DOMAINS = (
    "competitor-alpha.com",
    "competitor-beta.net",
    "rival-gamma.io",
    "rival-delta.com",
    "market-epsilon.org",
)

_WORDS = (
    "blue",
    "river",
    "pixel",
    "garden",
    "metro",
    "nova",
    "craft",
    "harbor",
    "summit",
    "alpine",
    "urban",
    "cedar",
    "atlas",
    "signal",
    "orbit",
    "bright",
    "daily",
    "green",
    "quick",
    "smart",
    "north",
    "solar",
    "prime",
    "silver",
    "open",
    "rapid",
    "clear",
    "swift",
    "happy",
    "golden",
    "tech",
    "media",
    "travel",
    "health",
    "finance",
    "food",
    "home",
    "auto",
    "games",
    "books",
    "review",
    "guide",
    "news",
    "hub",
    "lab",
    "works",
    "zone",
    "point",
    "base",
    "world",
)
_TLDS = ("com", "com", "com", "net", "org", "io", "co.uk", "de", "fr", "info", "biz", "xyz")
_SPAM_WORDS = ("casino", "bet", "pills", "loans", "crypto", "replica", "seo-links", "free-money", "vip-bonus")
_SPAM_TLDS = ("xyz", "top", "click", "win", "loan", "ru", "info")
_PATHS = ("blog", "news", "articles", "resources", "reviews", "guides", "partners", "links", "forum", "wiki")
_TARGET_PATHS = (
    "",
    "pricing",
    "blog/seo-basics",
    "products/widget",
    "about",
    "guides/link-building",
    "tools/checker",
    "case-studies/acme",
    "docs/api",
    "blog/2024/annual-report",
)
_ANCHORS = (
    "click here",
    "read more",
    "this guide",
    "official site",
    "source",
    "homepage",
    "learn more",
    "best seo tools",
    "link building tips",
    "widget review",
    "great resource",
    "see details",
    "example target",
    "pricing page",
    "according to this study",
    "visit website",
    "www.example-target.com",
)
_SPAM_ANCHORS = (
    "cheap pills online",
    "best casino bonus",
    "payday loans fast",
    "buy backlinks now",
    "crypto x100",
    "replica watches",
    "free money click",
    "vip bonus 500%",
)

# Hostile strings as found in the wild; the UI must render them inertly.
HOSTILE_TEXT = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(document.domain)>',
    "[click me](javascript:alert(1))",
    "{{constructor.constructor('alert(1)')()}}",
)
HOSTILE_URL = "javascript:alert(document.cookie)"

COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "NL", "CA", "AU", "IN", "BR", "JP", "ES", "IT", "SE")
REGISTRARS = ("GoDaddy", "Namecheap", "Tucows", "Gandi", "Google Domains", "OVH", "IONOS", "Porkbun")
# Niches a domain's `seo_metrics.category` names (the domain-intelligence panel's top niches).
NICHES = ("SEO Tools", "Digital Marketing", "Link Building", "Content Creation", "E-commerce", "Web Hosting", "Finance")

ERROR_KINDS = (
    ("timeout", "Read timed out after 30s"),
    ("connection_error", "Connection refused by remote host"),
    ("http_error", "HTTP 503 Service Unavailable"),
    ("http_error", "HTTP 429 Too Many Requests"),
    ("robots_blocked", "Disallowed by robots.txt"),
    ("dns_error", "Name or service not known"),
    ("parse_error", "Malformed HTML near <script>alert(1)</script>"),
    ("ssl_error", "certificate verify failed: unable to get local issuer certificate"),
)


def niche_of(domain: str) -> str:
    """A domain's niche, fixed by its name (no draw from the rng: seeded worlds stay the same)."""
    return NICHES[zlib.crc32(domain.encode()) % len(NICHES)]


def satellite_id(index: int) -> str:
    """`index` 0.. -> "satellite-eu-1", "satellite-us-1", ..., "satellite-eu-2", ..."""
    return f"satellite-{REGIONS[index % len(REGIONS)]}-{index // len(REGIONS) + 1}"


def new_uuid(rng: random.Random) -> str:
    """A uuid4-shaped text id drawn from `rng` (uuid.uuid4() would break seeded runs)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def token(rng: random.Random) -> str:
    """A short random path segment that keeps (source_url, target_url) unique."""
    return f"{rng.getrandbits(40):010x}"


def source_domain(rng: random.Random, spammy: bool = False) -> str:
    """A plausible linking domain name; `spammy` gives the kind seen in link-spam attacks."""
    if spammy:
        return f"{rng.choice(_SPAM_WORDS)}-{rng.randrange(10, 9999)}.{rng.choice(_SPAM_TLDS)}"
    a, b = rng.sample(_WORDS, 2)
    suffix = "" if rng.random() < 0.6 else str(rng.randrange(2, 99))
    return f"{a}{b}{suffix}.{rng.choice(_TLDS)}"


def target_url(rng: random.Random, domain: str) -> str:
    """A page on one of the monitored sites (they answer on www.)."""
    return f"https://www.{domain}/{rng.choice(_TARGET_PATHS)}"


def source_url(rng: random.Random, domain: str, hostile: bool = False) -> str:
    """A page of `domain` that links out; `hostile` gives a `javascript:` URL as crawled."""
    if hostile:
        return f"{HOSTILE_URL}//{token(rng)}"
    return f"https://{domain}/{rng.choice(_PATHS)}/{token(rng)}"


def anchor(rng: random.Random, spammy: bool = False, hostile: bool = False) -> str:
    if hostile:
        return rng.choice(HOSTILE_TEXT)
    return rng.choice(_SPAM_ANCHORS if spammy else _ANCHORS)


def context(rng: random.Random, anchor_text: str) -> str:
    return f"... as covered in {anchor_text} and elsewhere ..."


def job_error(rng: random.Random, url: str, when_iso: str) -> dict:
    """One entry of crawl_jobs.errors as Link Profiler records it."""
    kind, message = rng.choice(ERROR_KINDS)
    return {"type": kind, "message": message, "url": url, "timestamp": when_iso}
