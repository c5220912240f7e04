"""The multiprocess directory of prometheus-client (PROMETHEUS_MULTIPROC_DIR), for gunicorn.conf.py.

prometheus-client decides once, when it is first imported, whether a process writes its metrics
to files in that directory; so the gunicorn master sets the variable when it reads its config,
before any worker or the producer process exists, and every one of them inherits it. This
module does not import prometheus-client at import time for that reason.

- One directory per deployment: the one the operator names in PROMETHEUS_MULTIPROC_DIR, emptied
  of its metric files at master start (a previous run's counters would otherwise be added to
  this one's), or else a fresh temporary one, removed when the master exits.
- A process that ends (a worker recycled or killed, the producer restarted) is marked dead: its
  live gauges (the stream connections it held) leave the sums at once; its counters and
  histograms stay, as Prometheus expects of counters.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(environ: dict | None = None) -> tuple[Path, bool]:
    """Set up the directory for this deployment and put it in the environment; returns (path,
    created): `created` when it is a temporary one that `cleanup` should remove."""
    env = os.environ if environ is None else environ
    given = (env.get(MULTIPROCESS_ENV) or "").strip()
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # only prometheus-client's files: the directory may hold others
            stale.unlink(missing_ok=True)
        return path, False
    path = Path(tempfile.mkdtemp(prefix="mc-prometheus-"))
    env[MULTIPROCESS_ENV] = str(path)
    return path, True


def process_dead(pid: int) -> None:
    """Drop the live gauges of the ended process `pid` (gunicorn's child_exit): what
    prometheus_client.multiprocess.mark_process_dead does, without importing prometheus-client
    into the master (gevent workers forked later must import it themselves, after patching)."""
    given = (os.environ.get(MULTIPROCESS_ENV) or "").strip()
    if given:
        for live in Path(given).glob(f"gauge_live*_{int(pid)}.db"):
            live.unlink(missing_ok=True)


def cleanup(path: Path, created: bool) -> None:
    """Remove a temporary directory `prepare` made (the master exits)."""
    if created:
        shutil.rmtree(path, ignore_errors=True)
