"""The producer as a supervised child process of a web server's master (gunicorn.conf.py).

Why a child of gunicorn's master rather than a thread in every worker: the producer (snapshot
building, the heavy analytics in pandas, alert delivery) holds the interpreter for whole
seconds at a time; in a web worker every viewer's request waits behind it (issue 16). As its own
process it only shares the machine's cores, and web workers only read. As a child of the master
it needs no second command: one `gunicorn` starts both, stops both, and restarts the producer
when it dies (backoff 1 s doubling to 30 s, back to 1 s after a minute of running). The child
is killed with the master even if the master is killed (PR_SET_PDEATHSIG on Linux); any number
of them may run (the Redis lease elects one producer).

This module imports nothing of the app: the master must stay light (gevent patches the workers
after the fork, and whatever the master imported before is not patched).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from common.metrics_dir import process_dead

ROOT = Path(__file__).resolve().parent.parent
BACKOFF_S = (1.0, 30.0)
HEALTHY_AFTER_S = 60.0
STOP_WAIT_S = 15.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ProducerProcess:
    """`python -m producer`, restarted while `stop()` has not been called."""

    def __init__(self, log: logging.Logger | None = None, argv: list[str] | None = None, env: dict | None = None):
        self.log = log or logging.getLogger(__name__)
        self.argv = argv or [sys.executable, "-m", "producer"]
        self.env = env
        self.starts = 0
        self._proc: subprocess.Popen | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.returncode is None else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name="mc-producer-supervisor", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen | None:
        with self._lock:
            if self._stop.is_set():
                return None
            # The master's working directory (its .env), with the app's modules importable.
            env = dict(self.env if self.env is not None else os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
            self._proc = subprocess.Popen(self.argv, env=env, preexec_fn=_die_with_parent)
            self.starts += 1
        self.log.info("producer process started (pid %s)", self._proc.pid)
        return self._proc

    def _supervise(self) -> None:
        backoff = BACKOFF_S[0]
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                proc = self._spawn()
            except OSError as exc:
                self.log.error("producer process could not start: %s", exc)
                proc = None
            if proc is not None:
                # The master may reap it first (gunicorn reaps every child): wait() then says 0.
                code = proc.wait()
                # Its live gauges (the producer lease) leave /metrics (stdlib only: no app import).
                process_dead(proc.pid)
                if self._stop.is_set():
                    break
                self.log.error(
                    "producer process (pid %s) exited with %s; restarting in %.0f s", proc.pid, code, backoff
                )
            if time.monotonic() - started > HEALTHY_AFTER_S:
                backoff = BACKOFF_S[0]
            self._stop.wait(backoff)
            backoff = min(backoff * 2, BACKOFF_S[1])

    def stop(self) -> None:
        """Stop supervising and end the child (SIGTERM, then SIGKILL after STOP_WAIT_S)."""
        with self._lock:
            self._stop.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._thread is not None:
            self._thread.join(5)
