"""One hold a push stream keeps while it is open (its place in the process, its deployment-wide
slot, its connection gauge): `release()` gives it back exactly once, from any thread, because a
stream's holds are released by whichever of close(), a failed write or the garbage collector
comes first."""

from __future__ import annotations

import threading
from collections.abc import Callable


class ReleaseOnce:
    """Calls `give_back` on the first `release()`; later calls do nothing."""

    def __init__(self, give_back: Callable[[], None]):
        self._give_back = give_back
        self._released = False
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        self._give_back()

    @property
    def released(self) -> bool:
        return self._released
