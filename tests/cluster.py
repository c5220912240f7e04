"""Parts of a real several-instance deployment for tests: an instance is `gunicorn -c
gunicorn.conf.py` (gevent workers and its own supervised producer process) in a session of its
own, so a test can kill the whole instance at once as a crashed host would die; a webhook
receiver is a local HTTP server recording every notice it is sent."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.app_process import stop_process

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def wait_for(what: str, check, timeout_s: float, explain=lambda: ""):
    """`check()`'s first truthy value, polled until `timeout_s`; fails with `what` otherwise."""
    deadline = time.monotonic() + timeout_s
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout_s:.0f} s\n{explain()}")
        time.sleep(0.05)
    return value


class Instance:
    """One Mission Control instance: gunicorn with gunicorn.conf.py, its log in `folder`."""

    def __init__(self, name: str, folder: Path, env: dict[str, str]):
        self.name = name
        self.log_path = folder / f"{name}.log"
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        # Port 0: gunicorn binds once in the master and logs the port it got (no race).
        argv = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT), "--bind", "127.0.0.1:0"]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=self.log_path.parent,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_listening(self, timeout_s: float = 90) -> int:
        def listening():
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log())
            return found and int(found[1])

        self.port = wait_for(f"{self.name} listening", listening, timeout_s, lambda: self.log()[-3000:])
        return self.port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def owns(self, pid: int) -> bool:
        """True when process `pid` belongs to this instance (its session: master, workers, producer)."""
        assert self.proc is not None
        try:
            return os.getsid(pid) == self.proc.pid
        except ProcessLookupError:
            return False

    def kill(self) -> float:
        """SIGKILL the whole instance (every process of its session); returns the wall-clock time."""
        assert self.proc is not None
        at = time.time()
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        return at

    def stop(self) -> None:
        stop_process(self.proc, timeout=40)


class WebhookReceiver:
    """A local HTTP endpoint for ALERT_WEBHOOK_URL. Records every POST as (X-Notice-Id, alert
    types, outcome): "answered" (200 sent), or "interrupted" when it was held by `hold_first`
    (the first notice carrying that alert type) until `release()` and could then not be answered
    to the sender, who is gone."""

    def __init__(self, hold_first: str | None = None):
        self.records: list[dict] = []
        self.hold_first = hold_first
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                record = {
                    "notice": self.headers.get("X-Notice-Id"),
                    "types": sorted({e["alert"]["type"] for e in body.get("events", [])}),
                    "events": [e.get("event") for e in body.get("events", [])],
                }
                with receiver._lock:
                    hold = receiver.hold_first in record["types"] and not receiver.held.is_set()
                    if hold:
                        receiver.held.set()
                if hold:
                    receiver._release.wait(60)
                    record["outcome"] = "interrupted"
                    with receiver._lock:
                        receiver.records.append(record)
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                record["outcome"] = "answered"
                with receiver._lock:
                    receiver.records.append(record)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._release.set()

    def of_type(self, alert_type: str) -> list[dict]:
        with self._lock:
            return [r for r in self.records if alert_type in r["types"]]

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def tcp_connections_to(pid: int, port: int) -> int:
    """How many TCP connections process `pid` holds to a remote `port` (Linux /proc)."""
    remote = f":{port:04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[2].endswith(remote) and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
    return len(inodes & _socket_inodes(pid))
