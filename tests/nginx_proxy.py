"""Debian's nginx as a reverse proxy in front of the app, started by a test as the test's user.

The site configuration is the deployment's own template (deploy/nginx/mission-control.conf.template,
rendered as the official nginx image's envsubst would); around it a main configuration of the
test's: everything nginx writes (pid, logs, temporary files) in a folder of its own, `daemon off`
so the process is the test's child, a free loopback port. No root needed, and the machine's own
nginx (if any) is never touched.
"""

from __future__ import annotations

import os
import re
import socket
import string
import subprocess
import time
from pathlib import Path

from tests.app_process import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "mission-control.conf.template"
NGINX = os.environ.get("MC_NGINX", "/usr/sbin/nginx")

MAIN = """daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/mission-control.conf;
}}
"""


class NginxUnavailable(RuntimeError):
    pass


def render_site(prefix: str, upstream: str, listen: str, *, strip_prefix: bool = False) -> str:
    """The deployment template with its variables set; `strip_prefix` makes nginx take the
    prefix off the path (`proxy_pass http://upstream/;`), the other way proxies are set up."""
    text = string.Template(TEMPLATE.read_text()).safe_substitute(
        MC_URL_PREFIX=prefix, MC_UPSTREAM=upstream, MC_LISTEN=listen
    )
    if strip_prefix:
        # Every location passes the path on without the prefix (a rewrite, which regex
        # locations allow, where a URI part in proxy_pass is refused).
        passing = f"proxy_pass http://{upstream};"
        assert passing in text, "the template's proxy_pass line changed"
        text = text.replace(passing, f"rewrite ^{prefix}(.*)$ /$1 break; {passing}")
    return text


def compose_upstream(servers: list[str]) -> str:
    """deploy/nginx/nginx.conf's upstream block (its name and every parameter of its server
    lines: max_fails, fail_timeout) with the instances' addresses replaced by `servers`."""
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    block = re.search(r"upstream mission_control \{(.*?)\}", conf, re.S)
    assert block is not None, "nginx.conf has no upstream mission_control block"
    lines = re.findall(r"server [\w.-]+:\d+([^;]*);", block[1])
    assert len(lines) == len(servers), "nginx.conf's upstream names a different number of instances"
    body = "".join(f"    server {address}{params};\n" for address, params in zip(servers, lines))
    return f"upstream mission_control {{\n{body}}}\n"


class Nginx:
    """nginx in `folder` proxying `prefix` on a free loopback port to `upstream` (host:port)."""

    def __init__(self, folder: Path, prefix: str, upstream: str, *, strip_prefix: bool = False, http_block: str = ""):
        """`http_block`: more http-level configuration before the site (an upstream block)."""
        if not os.access(NGINX, os.X_OK):
            raise NginxUnavailable(f"{NGINX} is not installed (apt-get install nginx)")
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        site = http_block + render_site(prefix, upstream, f"127.0.0.1:{self.port}", strip_prefix=strip_prefix)
        (folder / "mission-control.conf").write_text(site)
        # Run as root (CI), nginx would hand its workers to `nobody`, who cannot enter the
        # test's folder; as any other user the directive does not apply.
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(MAIN.format(folder=folder, user=user))
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [
            NGINX,
            "-p",
            str(self.folder),
            "-c",
            str(self.folder / "nginx.conf"),
            "-e",
            str(self.folder / "error.log"),
        ]

    def start(self, timeout: float = 15) -> None:
        check = subprocess.run([*self.command(), "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode:
            raise AssertionError(f"nginx -t refused the configuration: {check.stderr.strip()[-800:]}")
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited with {self.proc.returncode}: {self.error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not listen on {self.port} within {timeout:.0f} s: {self.error_log()}")

    def error_log(self) -> str:
        log = self.folder / "error.log"
        return log.read_text()[-2000:] if log.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc)
