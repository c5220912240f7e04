"""Lower the scheduling priority of the calling thread (Linux: each thread is its own task).

The producer's heavy analytics share two cores with the web workers and the viewers' browsers
on a small machine; under contention the kernel should give the CPU to whoever a viewer is
waiting for. Only this thread is lowered: the fast snapshot tick keeps its priority.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


def lower_this_thread(increment: int) -> int | None:
    """Raise this thread's nice value by `increment` (0: leave it); returns the new value, or
    None where the platform cannot set a thread's priority."""
    if increment <= 0 or not hasattr(os, "setpriority"):
        return None
    tid = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + increment))
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError as exc:  # a sandbox that forbids it: run at the normal priority
        log.info("analytics thread priority left unchanged: %s", exc)
        return None
