"""A private PostgreSQL server that loads pg_cron, for the tests of the pg_cron refresh path.

pg_cron only works when `shared_preload_libraries` loads it at server start. Rather than
restart the machine's shared server with another configuration, the tests start their own
throwaway server (Debian's binaries, a temporary data folder, a free port on loopback) the way
a deployment would configure it: pg_cron in the `postgres` database, jobs run over libpq.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager

PG_BIN = os.environ.get("MC_TEST_PG_BIN") or next(
    iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), ""
)


class ServerUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; the Debian packages provide the postgres user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str]) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise ServerUnavailable(f"{os.path.basename(argv[0])} failed: {(done.stderr or done.stdout).strip()[-400:]}")


@contextmanager
def pg_cron_server():
    """Yield the URL of the `postgres` database of a running server with pg_cron created in it."""
    lib = os.path.join(os.path.dirname(PG_BIN), "lib", "pg_cron.so")
    if not PG_BIN or not os.path.exists(lib):
        raise ServerUnavailable(
            f"pg_cron is not installed ({lib or 'no PostgreSQL binaries'}): apt-get install postgresql-15-cron"
        )
    folder = tempfile.mkdtemp(prefix="mc-pgcron-")
    data, port = os.path.join(folder, "data"), _free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    options = " ".join(
        [
            f"-p {port}",
            "-c listen_addresses=127.0.0.1",
            f"-k {folder}",
            "-c shared_preload_libraries=pg_cron",
            "-c cron.database_name=postgres",
            # pg_cron opens a libpq session per job; the socket folder is where it finds the server.
            f"-c cron.host={folder}",
            "-c fsync=off",
        ]
    )
    try:
        _run([f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
        _run(
            [
                f"{PG_BIN}/pg_ctl",
                "-D",
                data,
                "-o",
                options,
                "-l",
                os.path.join(folder, "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        subprocess.run(["psql", url, "-qAtc", "CREATE EXTENSION pg_cron"], check=True, capture_output=True)
        yield url
    finally:
        subprocess.run(
            _as_server_user([f"{PG_BIN}/pg_ctl", "-D", data, "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
