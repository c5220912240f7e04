"""`python app.py` (the embedded demo: SQLite, in-process Redis, the simulated fleet) as a
process of its own, in a directory of the test's, on a free port, for browser tests that need
the whole app running as it is deployed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFRESH_S = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    """`python app.py` in `cwd` (its embedded SQLite file lives there) on `port`, with a clean
    environment: nothing of the caller's configuration, only the settings given."""

    def __init__(self, cwd: Path, port: int, **settings: str):
        self.cwd, self.port = cwd, port
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(cwd),
            "PYTHONUNBUFFERED": "1",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DASHBOARD_REFRESH_RATE": str(int(REFRESH_S * 1000)),
            "LOG_LEVEL": "warning",
            **settings,
        }
        self.proc: subprocess.Popen | None = None
        self.log = cwd / "app.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py")], cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60, path: str = "/api/v1/snapshot") -> None:
        """Until the app serves a snapshot (the producer has published one) at `path`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail(f"the app exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"the app did not serve a snapshot within {timeout:.0f} s: {self.log.read_text()[-2000:]}")

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # a paused process does not act on SIGTERM
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen | None, timeout: float = 10) -> None:
    """Terminate a child the test started (SIGTERM, then SIGKILL after `timeout`) and reap it."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)
