"""Link Profiler's own mission-control UI, fed by our /ws/mission-control, in headless Chromium.

    python tools/lp_ui_screenshot.py [--source GIT_URL_OR_DIR] [--ref main] [--mc-url URL]
                                     [--out DIR] [--paths /,/dashboard] [--timeout 90]

1. Clones Link Profiler's repository (`--source`, default its GitHub repository; a local clone
   or mirror works too) at `--ref` into a temporary directory, copies its UI
   (`Link_Profiler/static/mission-control-dashboard`), replaces `src/pages/Settings.tsx` with a
   stub (at branch main the file is a leftover fragment and `tsc` refuses it; the realtime pages
   never show it), and builds it: `npm install`, `npm run build`. Everything, node_modules and
   the build included, stays in the temporary directory.
2. Serves the build on a free loopback port, the way Link Profiler's backend would on its own
   origin: `/ws/mission-control` is passed byte for byte to Mission Control (`--mc-url`; by
   default the embedded demo, `app.py` on a free port with its simulated fleet), and `/token`
   and `/users/me` answer for a stand-in admin user, because the UI's router shows only its
   login form until `/users/me` names a user (its realtime data needs no credentials).
3. Opens each of `--paths` in headless Chromium with a token in localStorage, waits until the
   panels show the stream's data (the fleet list names a satellite), saves
   `lp-ui<path>.png` in `--out` (the whole page) and prints every error of the browser's
   console. Exits 1 when the panels never filled or the console had an error.

Needs git, Node.js with npm (and its registry), Chromium and ChromeDriver.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from screenshots import ROOT, browser, free_port, start_demo

UPSTREAM = "https://github.com/altommo/Link_Profiler_Repo.git"
UI_DIR = "Link_Profiler/static/mission-control-dashboard"
SETTINGS_STUB = """import React from 'react';

// Stub: at branch main src/pages/Settings.tsx is a leftover fragment that does not compile.
const Settings: React.FC = () => <div>Settings</div>;

export default Settings;
"""
TOKEN = "mc-screenshot"
USER = {
    "id": "mc-screenshot",
    "username": "mission-control",
    "email": "mission-control@localhost",
    "is_active": True,
    "is_admin": True,
    "created_at": "2026-01-01T00:00:00Z",
}
# The panels show the stream's data once the fleet list names a satellite ("<id> - <status>
# (Last Seen: <time>)", rendered from satellite_fleet_status).
FILLED_JS = """
const text = document.body.innerText;
const bottoms = [...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().bottom + scrollY);
return {filled: !text.includes('Loading dashboard data') && text.includes('(Last Seen:'),
        text: text.slice(0, 3000), bottom: Math.ceil(Math.max(0, ...bottoms))};
"""
WIDTH, HEIGHT = 1600, 1000


def build_ui(source: str, ref: str, workdir: Path) -> Path:
    """Clone, stub and build Link Profiler's UI under `workdir`; returns its `dist` directory."""
    checkout = workdir / "link-profiler"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", ref, source, str(checkout)], check=True)
    ui = workdir / "ui"
    shutil.copytree(checkout / UI_DIR, ui)
    (ui / "src" / "pages" / "Settings.tsx").write_text(SETTINGS_STUB)
    for step in (["npm", "install", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
        subprocess.run(step, cwd=ui, check=True)
    return ui / "dist"


class UiServer:
    """The built UI on a loopback port: static files (the app's routes fall back to index.html),
    the stand-in auth endpoints, and /ws/mission-control tunnelled to Mission Control."""

    def __init__(self, dist: Path, mc_url: str):
        self.dist = dist.resolve()
        mc = urlsplit(mc_url)
        self.upstream = (mc.hostname or "127.0.0.1", mc.port or 80)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    def start(self) -> str:
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.ready.set()
        self.loop.run_forever()  # a daemon thread: it ends with the tool

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            path = urlsplit(target).path
            if path == "/ws/mission-control":
                await self._tunnel(head, reader, writer)
                return
            if path == "/token" and method == "POST":
                self._send(writer, 200, "application/json", json.dumps({"access_token": TOKEN, "token_type": "bearer"}))
            elif path == "/users/me":
                self._send(writer, 200, "application/json", json.dumps(USER))
            elif path == "/favicon.ico":
                self._send(writer, 204, "image/x-icon", b"")  # the UI has none; Chromium asks anyway
            else:
                self._static(writer, path)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    def _static(self, writer: asyncio.StreamWriter, path: str) -> None:
        file = (self.dist / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.dist) or not file.is_file():
            if "." in path.rsplit("/", 1)[-1]:
                self._send(writer, 404, "text/plain", b"not found")
                return
            file = self.dist / "index.html"  # a route of the app (/dashboard)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        self._send(writer, 200, kind, file.read_bytes())

    @staticmethod
    def _send(writer: asyncio.StreamWriter, status: int, kind: str, body: str | bytes) -> None:
        data = body.encode() if isinstance(body, str) else body
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {len(data)}\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n".encode()
            + data
        )

    async def _tunnel(self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Pass the upgrade request and then every byte both ways, as a reverse proxy does."""
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        up_writer.write(head)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while chunk := await src.read(65536):
                    dst.write(chunk)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def shoot(driver, url: str, out: Path, timeout_s: float) -> tuple[bool, str]:
    """Load `url`, wait for the stream's data in the panels, screenshot the page down to its
    last panel (the layout's columns stretch to the window, so the window is set to the content)."""
    metrics = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get(url)
    deadline = time.time() + timeout_s
    state = driver.execute_script(FILLED_JS)
    while not state["filled"] and time.time() < deadline:
        time.sleep(0.5)
        state = driver.execute_script(FILLED_JS)
    time.sleep(3)  # a few more frames: the UI re-renders on each
    state = driver.execute_script(FILLED_JS)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**metrics, "height": max(HEIGHT, state["bottom"] + 40)}
    )
    time.sleep(0.5)
    driver.save_screenshot(str(out))
    return state["filled"], state["text"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default=UPSTREAM, help="Link Profiler's repository (URL or local clone)")
    parser.add_argument("--ref", default="main", help="branch or tag to build")
    parser.add_argument("--mc-url", help="a running Mission Control (default: start the embedded demo)")
    parser.add_argument("--out", default=str(ROOT / "var" / "screenshots"), help="directory for the PNGs")
    parser.add_argument("--paths", default="/,/dashboard", help="the UI's pages to shoot, comma-separated")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the panels to fill")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lp-ui-") as workdir:
        dist = build_ui(args.source, args.ref, Path(workdir))
        proc, mc_url = (None, args.mc_url.rstrip("/")) if args.mc_url else start_demo(workdir)
        ui = UiServer(dist, mc_url).start()
        driver = browser(console=True)
        failed = False
        try:
            driver.get(ui + "/login")
            driver.execute_script("localStorage.setItem('access_token', arguments[0])", TOKEN)
            driver.get_log("browser")  # what the login page logged is not the dashboard's
            for path in [p.strip() for p in args.paths.split(",") if p.strip()]:
                name = "lp-ui" + (path.replace("/", "-").rstrip("-") or "-overview") + ".png"
                filled, text = shoot(driver, ui + path, out / name, args.timeout)
                errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
                print(f"{out / name}: panels {'filled' if filled else 'NOT filled'}; console errors: {len(errors)}")
                for e in errors:
                    print("  console error:", e[:300])
                if not filled:
                    print("  page text:", " | ".join(text.splitlines()[:30]))
                failed = failed or not filled or bool(errors)
        finally:
            driver.quit()
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
