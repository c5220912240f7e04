"""Rendered main-screen panels of recent snapshot versions, one cache per app instance,
shared by the page layout (first paint) and the live callback (deltas)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from runtime.context import AppContext
from views.delta import Render
from views.mission import render_all

KEPT_RENDERS = 12
WARM_WHILE_VIEWED_S = 60


class RenderCache:
    """Rendered panels of recent snapshot versions, shared by every viewer of a process.

    While viewers are polling, a background thread renders each new version as soon as it is
    published, so no viewer's request pays for rendering (it only compares and sends);
    `stop()` ends it (the AppContext calls it on shutdown).
    """

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self._lock = threading.Lock()
        self._renders: OrderedDict[int, dict[str, Render]] = OrderedDict()
        self._last_viewer = 0.0
        self._warmer: threading.Thread | None = None
        self._stop = threading.Event()

    def viewer_seen(self) -> None:
        """Note a viewer's poll; starts the warming thread on first use."""
        self._last_viewer = time.monotonic()
        if self._warmer is None and not self._stop.is_set():
            with self._lock:
                if self._warmer is None and not self._stop.is_set():
                    self._warmer = threading.Thread(target=self._warm, name="mc-render-warmer", daemon=True)
                    self._warmer.start()

    def _warm(self) -> None:
        pause = max(0.05, self.ctx.settings.refresh_rate_ms / 4000)
        while not self._stop.wait(pause):
            if time.monotonic() - self._last_viewer > WARM_WHILE_VIEWED_S:
                continue
            try:
                version, doc = self.ctx.snapshots.load()
                if doc is not None:
                    self.get(version, doc)
            except Exception:  # Redis down: viewers' requests report it; keep warming later
                self._stop.wait(1)

    def stop(self, timeout: float = 10.0) -> None:
        """End the warming thread (renders stay readable; no new thread starts afterwards)."""
        self._stop.set()
        warmer = self._warmer
        if warmer is not None:
            warmer.join(timeout)

    def get(self, version: int, doc: dict | None = None) -> dict[str, Render] | None:
        """Renders of `version` (loading an older version's document from Redis if needed)."""
        with self._lock:
            if version in self._renders:
                return self._renders[version]
        if doc is None:
            doc = self.ctx.snapshots.load_version(version)
            if doc is None:
                return None
        renders = render_all(doc)
        with self._lock:
            self._renders[version] = renders
            while len(self._renders) > KEPT_RENDERS:
                self._renders.popitem(last=False)
        return renders


def render_cache(ctx: AppContext) -> RenderCache:
    """The app instance's cache (created on first use)."""
    if ctx.render_cache is None:
        ctx.render_cache = RenderCache(ctx)
    return ctx.render_cache
