"""What the shell shows of the data: the snapshot's version and time, and offline sources;
and the settings the browser needs to judge the data's age and run the wall."""

from __future__ import annotations

import time

from dataclasses import dataclass

from auth import csrf
from auth.request import BadCredential, current_identity
from config import WALL_ROTATE_MAX_S
from pages.snapshot import latest
from ui.page import public_path

# The data's state by its age, in refresh intervals (the larger of the producer's and the
# browser's poll): DELAYED after 2, STALE after 5, FROZEN (the watermark) after
# MC_WALL_FROZEN_AFTER. The grace covers what a healthy page shows anyway: a snapshot up to one
# interval old when fetched, kept up to one more, plus the producer's step and the round trip.
# The browser applies the same numbers (sent in `wall_config`); the first paint applies them here.
DELAYED_AFTER = 2
STALE_AFTER = 5
GRACE_S = 1.0
# state -> (LIVE indicator class, its text); "frozen" also shows the watermark.
LOOKS = {
    "nodata": ("mc-live live-stale", "NO DATA"),
    "live": ("mc-live live-ok", "LIVE"),
    "delayed": ("mc-live live-late", "DELAYED"),
    "stale": ("mc-live live-stale", "STALE"),
    "frozen": ("mc-live live-stale live-frozen", "STALE"),
}
# Consecutive fast failures of /healthz (refused, network error, HTTP error) after which a
# kiosk reloads once the server answers again.
HEALTH_FAILURES = 3
# The push stream's version notices (api/core.py), relative to the app's URL prefix.
STREAM_PATH = "api/v1/stream?only=version"
# The rotation name of the page served at "/" (every other page is named by its path).
ROOT_PAGE_NAME = "mission"


def stamp(version: int | None, doc: dict | None, last_t: float | None = None) -> dict:
    """What the browser keeps of a snapshot: {"v": version, "t": its build time (epoch s, the
    producer's clock), "r": the producer's refresh (ms), "now": this server's clock}. The
    browser compares "t" with its own clock corrected by "now" (clock skew); without a
    snapshot "t" is `last_t`, the time of the data the page still shows."""
    mc = (doc or {}).get("mc", {})
    return {"v": version, "t": mc.get("built_at", last_t), "r": mc.get("refresh_rate_ms"), "now": time.time()}


def painted(ctx) -> tuple[dict | None, str]:
    """The stamp of the snapshot a first paint shows (None when there is none or Redis does not
    answer: the header then says NO DATA until the first callback) and its offline sources.
    Read just after the page's own layout read it, so at most one refresh newer than what the
    panels show. The sources are painted too: no callback has to run for them after load."""
    try:
        version, doc = latest(ctx)
    except Exception as exc:
        ctx.services.mark("redis", False, exc)
        return None, "REDIS OFFLINE"
    if doc is None:
        return None, "WAITING FOR PRODUCER"
    return stamp(version, doc), offline_sources(doc)


def data_state(stamp: dict | None, refresh_ms: int, frozen_after: int) -> tuple[str, float | None]:
    """(state, age in s) of the data `stamp` describes, on the server's clock: one of LOOKS."""
    if not stamp or not isinstance(stamp.get("t"), int | float):
        return "nodata", None
    age = max(0.0, float(stamp["now"]) - float(stamp["t"]))
    interval = max(stamp.get("r") or 0, refresh_ms, 100) / 1000
    late = (age - GRACE_S) / interval
    if late > frozen_after:
        return "frozen", age
    if late > STALE_AFTER:
        return "stale", age
    return ("delayed" if late > DELAYED_AFTER else "live"), age


def first_header(stamp: dict | None, settings) -> tuple[str, str, str]:
    """(LIVE class, LIVE text, age text) the first paint shows for the data it paints; the
    browser takes over on its first tick (assets/wall.js formats the same way)."""
    state, age = data_state(stamp, settings.refresh_rate_ms, settings.wall_frozen_after)
    cls, text = LOOKS[state]
    return cls, text, "—" if age is None else age_text(age)


def age_text(age_s: float) -> str:
    """'42 s', '5 min', '3 h', '2 d': the header's age, as assets/wall.js writes it."""
    for limit, unit, size in ((120, "s", 1), (7200, "min", 60), (172800, "h", 3600)):
        if age_s < limit:
            return f"{age_s / size:.0f} {unit}"
    return f"{age_s / 86400:.0f} d"


def offline_sources(doc: dict) -> str:
    """'DATABASE OFFLINE · …' for each source the producer found offline; '' when all answer."""
    sources = doc.get("mc", {}).get("sources", {})
    return " · ".join(name.upper() + " OFFLINE" for name, health in sources.items() if not health.get("online", True))


def rotation_name(path: str) -> str:
    """The name a page has in `?rotate=`: its path without slashes; `mission` for "/"."""
    return path.strip("/") or ROOT_PAGE_NAME


def push_config(settings) -> dict:
    """What assets/push.js needs: whether the stream is served, and where (below Dash's
    requests_pathname_prefix, which push.js reads from the page), and how widely to spread the
    requests that follow a notice (MC_PUSH_SPREAD_MS)."""
    return {"stream": settings.websocket_enabled, "path": STREAM_PATH, "spread_ms": settings.push_spread_ms}


def wall_config(settings, pages, painted: dict | None = None) -> dict:
    """The settings the browser's wall logic reads (assets/wall.js): staleness thresholds,
    rotation bounds and page names, the health check and the daily reload; and `painted`, the
    first paint's stamp (in a store no server callback writes, so the browser's clock can judge
    it even when no server callback ever answers)."""
    return {
        "painted": painted,
        "refresh_ms": settings.refresh_rate_ms,
        # While its push stream is not open the browser polls at this pace, so data up to one
        # poll old is what a healthy page shows then (assets/wall.js widens its intervals).
        "poll_ms": settings.fallback_poll_s * 1000,
        "delayed_after": DELAYED_AFTER,
        "stale_after": STALE_AFTER,
        "grace_s": GRACE_S,
        "frozen_after": settings.wall_frozen_after,
        "rotate_min_s": settings.wall_rotate_min_s,
        "rotate_max_s": WALL_ROTATE_MAX_S,
        "health_every_s": settings.wall_health_every_s,
        "health_failures": HEALTH_FAILURES,
        "reload_hour": settings.wall_reload_hour,
        # Public paths (under MC_URL_PREFIX): what the browser's location shows and is set to.
        "pages": {rotation_name(p.path): public_path(p.path, settings.url_prefix) for p in pages},
    }


def embed_config(settings, pages) -> dict:
    """What an embedded page (`?embed=1`, assets/embed.js) needs before anything else runs, in
    the index page's `mc-embed` meta tag: the origins that may frame it (its only possible
    parents: it talks to no other), the pages a parent may switch to (public paths, by rotation
    name), and the controls a parent may set, by message, with the values each accepts."""
    controls: dict[str, dict] = {}
    for page in pages:
        for message, control in page.embed_controls.items():
            values = None if control.values is None else {str(k): v for k, v in control.values.items()}
            controls.setdefault(message, {})[str(control.component)] = {"values": values, "unset": control.unset}
    return {
        "ancestors": list(settings.frame_ancestors),
        "pages": {rotation_name(p.path): public_path(p.path, settings.url_prefix) for p in pages},
        "controls": controls,
    }


@dataclass(frozen=True)
class Caller:
    """Who the header says is using the page: `name` and `role` as shown, whether they signed
    in here (then sign-out needs `csrf`), and whether a "Sign in" link helps."""

    name: str
    role: str
    signed_in: bool
    may_sign_in: bool
    csrf: str = ""


# How each way in is named beside the role in the header.
_VIA_LABELS = {"loopback": "this host (demo)", "anonymous": "anonymous", "kiosk": "kiosk"}


def caller(ctx) -> Caller | None:
    """The header's user for the request being served (None outside a request, e.g. a
    layout built for a test)."""
    from flask import has_request_context

    if not has_request_context():
        return None
    try:
        who = current_identity(ctx.settings)
    except BadCredential:
        return None
    name = _VIA_LABELS.get(who.via, who.name) if who.via in ("loopback", "anonymous") else who.name
    if who.via == "session":
        return Caller(name, who.role.label, True, False, csrf.token())
    return Caller(name, who.role.label, False, who.via in ("loopback", "anonymous"))
