"""The one way a page's tick callback decides what to send.

A page names what its screen depends on with a cheap *key* (a snapshot version, a rollup
version and the hour, the controls' values). The browser keeps the key it shows in a
`dcc.Store`. On a tick:
- same key as the browser holds: nothing is sent (`PreventUpdate`), no model is read;
- otherwise the renders of the new key ({output id: Render}) come from a per-process cache
  shared by every viewer (the first viewer of a key pays for model + render, the others only
  compare), and each output gets `ui.delta.update_for(new, old)`: nothing, a `dash.Patch` of
  the changed parts, or the full value when the old key's renders are unknown.

With push, every viewer of a process asks within milliseconds of a new version, holding the
same old key. So both steps run once per process however many ask at once: a key is rendered
by the first viewer while the others wait for it (not each on its own), and the updates from
one old key to a new one are computed once and sent to every viewer that held the old key.

`RenderCache` can also warm itself: while viewers watch, a thread renders each new key as
soon as it exists, woken by the process's notice of a new snapshot version (the same notice the
browsers hear, so it starts before their requests arrive), and computes the update from the
previous key, which is what nearly every viewer holds: a viewer's request then only looks both
up. Without notices (no push stream) it looks every `pause_s`. `stop()` ends that thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from dash.exceptions import PreventUpdate

from runtime.context import VersionNotices
from ui.delta import Render, update_for

Renders = dict[str, Render]
KEPT_RENDERS = 12
# Updates kept per page: (old key, new key) pairs; viewers hold at most a few old keys.
KEPT_UPDATES = 32
WARM_WHILE_VIEWED_S = 60
# A viewer waiting for another's render of the same key gives up and renders itself after this.
WAIT_FOR_OTHER_S = 10.0
# The warmer's longest wait for a notice, so that it notices stop() and a stopped hub.
WAKE_TIMEOUT_S = 1.0


def key_text(key: Any) -> str:
    """A key as the browser stores it and the cache indexes it (JSON, so lists and tuples agree)."""
    return json.dumps(key, sort_keys=True, default=str, separators=(",", ":"))


class RenderCache:
    """Renders of the most recent keys of one page, shared by every viewer of a process."""

    def __init__(self, render: Callable[[Any], Renders], keep: int = KEPT_RENDERS):
        self._render = render
        self._keep = keep
        self._lock = threading.Lock()
        self._renders: OrderedDict[str, Renders] = OrderedDict()
        self._updates: OrderedDict[str, list] = OrderedDict()
        self._pending: dict[tuple[int, str], threading.Event] = {}
        self._last_viewer = 0.0
        self._warmer: threading.Thread | None = None
        self._stopped = threading.Event()
        # How many renders and update lists this cache computed (tests count them).
        self.rendered = 0
        self.diffed = 0

    def peek(self, key: Any) -> Renders | None:
        with self._lock:
            return self._renders.get(key_text(key))

    def get(self, key: Any, load: Callable[[], Any]) -> Renders | None:
        """The renders of `key`, rendering `load()` (the model) on a miss; None when load gives None."""

        def compute():
            model = load()
            if model is None:
                return None
            with self._lock:
                self.rendered += 1
            return self._render(model)

        return self._once(self._renders, key_text(key), compute, self._keep)

    def updates(self, old: Any, new: Any, compute: Callable[[], list]) -> list:
        """The updates from `old`'s renders to `new`'s, computed once for every viewer."""

        def counted():
            with self._lock:
                self.diffed += 1
            return compute()

        return self._once(self._updates, key_text([old, new]), counted, KEPT_UPDATES)

    def _once(self, table: OrderedDict, text: str, compute: Callable[[], Any], keep: int) -> Any:
        """`table[text]`, computed by one caller at a time: the others wait for its result (a
        None result is not kept, and the next caller computes again)."""
        while True:
            with self._lock:
                found = table.get(text)
                if found is not None:
                    return found
                pending = self._pending.get((id(table), text))
                if pending is None:
                    pending = self._pending[(id(table), text)] = threading.Event()
                    break
            if not pending.wait(WAIT_FOR_OTHER_S):
                return compute()  # the other caller is stuck: do not queue behind it
        try:
            value = compute()
            if value is not None:
                with self._lock:
                    table[text] = value
                    while len(table) > keep:
                        table.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop((id(table), text), None)
            pending.set()

    def renders(self, key: Any, model: Any) -> Renders:
        """The renders of `key` for a `model` already read (a page's first paint)."""
        found = self.get(key, lambda: model)
        return found if found is not None else self._render(model)

    def warm_while_viewed(
        self,
        latest: Callable[[], tuple[Any, Any] | None],
        pause_s: float,
        notices: VersionNotices | None = None,
        outputs: Sequence[str] = (),
    ) -> None:
        """Note a viewer's request; on first use start a thread that, for as long as viewers
        watch, renders `latest()`'s (key, model) at each of `notices`' new versions (every
        `pause_s` without notices) and the update from the previous key for `outputs`."""
        self._last_viewer = time.monotonic()
        if self._warmer is not None or self._stopped.is_set():
            return
        with self._lock:
            if self._warmer is None:
                self._warmer = threading.Thread(
                    target=self._warm,
                    args=(latest, pause_s, notices, tuple(outputs)),
                    name="mc-render-warmer",
                    daemon=True,
                )
                self._warmer.start()

    def _next_round(self, pause_s: float, notices: VersionNotices | None, held: list) -> bool:
        """Wait for the next round (a new version's notice, else `pause_s`); False when stopping
        or when a notice wait ended without a new version. `held` keeps the last version seen."""
        if notices is not None and not notices.stopped:
            notice = notices.wait(held[0], WAKE_TIMEOUT_S)
            if notice is None or self._stopped.is_set():
                return False
            held[0] = notice.version
            return True
        return not self._stopped.wait(pause_s)

    def _warm(
        self,
        latest: Callable[[], tuple[Any, Any] | None],
        pause_s: float,
        notices: VersionNotices | None,
        outputs: tuple[str, ...],
    ) -> None:
        held: list = [None]
        previous = None
        while not self._stopped.is_set():
            if not self._next_round(pause_s, notices, held):
                continue
            if time.monotonic() - self._last_viewer > WARM_WHILE_VIEWED_S:
                continue
            try:
                found = latest()
                if found is None:
                    continue
                key, model = found
                new = self.get(key, lambda: model)  # noqa: B023  (used at once, inside this iteration)
                old = self.peek(previous) if previous is not None and outputs else None
                if new is not None and old is not None and key_text(previous) != key_text(key):
                    self.updates(previous, key, lambda: diff(new, old, outputs))  # noqa: B023
                previous = key
            except Exception:  # a source is down: viewers' requests report it; keep warming later
                self._stopped.wait(1)

    def stop(self) -> None:
        """End the warming thread (if any) and wait for it."""
        self._stopped.set()
        warmer = self._warmer
        if warmer is not None and warmer is not threading.current_thread():
            warmer.join(timeout=5)


def diff(new: Renders, old: Renders, outputs: Sequence[str]) -> list:
    """The update of each output from `old`'s renders to `new`'s (nothing, a Patch, or whole)."""
    return [update_for(new[output], old[output]) for output in outputs]


def smallest_update(
    cache: RenderCache,
    held: dict | None,
    key: Any,
    load: Callable[[], Any],
    outputs: Sequence[str],
    load_old: Callable[[Any], Any] | None = None,
    field: str = "key",
) -> tuple[list, dict]:
    """What to send to a browser that shows `held["key"]` so that it shows `key`.

    Returns (one update per output, the new held value). Raises PreventUpdate when the browser
    already shows `key` or there is nothing to render. `load_old(old_key)` fetches the model
    of an old key that has left the cache (None: unknown, then full values are sent). `field`
    names where `held` keeps the key.
    """
    # The store comes back from the browser: anything but our own dict counts as "shows nothing".
    held = held if isinstance(held, dict) else {}
    shown = held.get(field)
    if shown is not None and key_text(shown) == key_text(key):
        raise PreventUpdate
    new = cache.get(key, load)
    if new is None:
        raise PreventUpdate
    old = None
    if shown is not None:
        old = cache.peek(shown)
        if old is None and load_old is not None:
            old = cache.get(shown, lambda: load_old(shown))
    if old is None:  # the browser's key is unknown here: whole values, nothing to share
        return [new[output].full for output in outputs], {**held, field: key}
    sent = cache.updates(shown, key, lambda: diff(new, old, outputs))
    return list(sent), {**held, field: key}


def page_renders(ctx, name: str, render: Callable[[Any], Renders]) -> RenderCache:
    """The app instance's render cache of page `name` (created on first use), shared by the
    page's layout (first paint) and its callbacks; `ctx.stop()` stops it."""
    caches = ctx.render_caches
    if name not in caches:
        caches[name] = RenderCache(render)
    return caches[name]
