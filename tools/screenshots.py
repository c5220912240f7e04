"""Screenshots of the screens people use: the wall, the desktop sizes and a phone.

    python tools/screenshots.py [--url http://host:port] [--out var/screenshots] [--settle 6]

Without `--url` it starts the embedded demo (`app.py` on a free loopback port, in a temporary
directory, so its SQLite file and the simulator's fleet are fresh) and stops it afterwards.
Writes PNGs of the main screen at 3840×2160 and 1920×1080 in kiosk mode, at 2560×1440,
1920×1080, 1366×768 and 390×844 (a phone: mobile emulation with touch), and of every page at
1920×1080. Drives Debian's headless Chromium through Selenium; the viewport is set exactly
with the DevTools device-metrics override (a headless window's size includes no chrome, but
this does not depend on that). Prints each file with the page's scroll size against the viewport.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("MC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MC_CHROMEDRIVER", "/usr/bin/chromedriver")
PAGES = ("/", "/discovery", "/quotas", "/domains", "/performance", "/alerts")
# (file name, path, width, height, mobile)
MAIN_SHOTS = (
    ("wall-3840x2160-kiosk", "/?kiosk=1", 3840, 2160, False),
    ("wall-1920x1080-kiosk", "/?kiosk=1", 1920, 1080, False),
    ("main-2560x1440", "/", 2560, 1440, False),
    ("main-1920x1080", "/", 1920, 1080, False),
    ("main-1366x768", "/", 1366, 768, False),
    ("main-390x844", "/", 390, 844, True),
)
MEASURE_JS = """
const d = document.documentElement;
return {sw: d.scrollWidth, sh: d.scrollHeight, w: innerWidth, h: innerHeight,
        graphs: document.querySelectorAll('.js-plotly-plot').length,
        drawn: [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.querySelector('.main-svg')).length};
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(workdir: str) -> tuple[subprocess.Popen, str]:
    """The embedded demo on a free port, its state under `workdir`; waits for /healthz."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1"}
    for name in ("DATABASE_URL", "REDIS_URL", "LP_DATABASE_URL", "LP_REDIS_URL"):
        env.pop(name, None)  # the embedded default, whatever this shell points at
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=workdir, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the demo exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the demo did not answer /healthz within 60 s")


def browser(console: bool = False):
    """Headless Chromium; with `console`, its console is kept for `driver.get_log("browser")`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
    ):
        opts.add_argument(flag)
    if console:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def shoot(driver, url: str, out: Path, width: int, height: int, mobile: bool, settle: float) -> str:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
    driver.get(url)
    deadline = time.time() + 30
    while time.time() < deadline:
        m = driver.execute_script(MEASURE_JS)
        if m["graphs"] == m["drawn"] and driver.find_elements("css selector", ".panel"):
            break
        time.sleep(0.3)
    time.sleep(settle)  # a few ticks: live values and the graphs' transitions settle
    m = driver.execute_script(MEASURE_JS)
    driver.save_screenshot(str(out))
    return f"{out.name}: viewport {m['w']}×{m['h']}, document {m['sw']}×{m['sh']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running dashboard (default: start the embedded demo)")
    parser.add_argument("--out", default=str(ROOT / "var" / "screenshots"), help="directory for the PNGs")
    parser.add_argument("--only", default="", help="shoot only the files whose name contains this")
    parser.add_argument("--settle", type=float, default=4.0, help="seconds to wait after the graphs are drawn")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mc-demo-") as workdir:
        proc, url = (None, args.url.rstrip("/")) if args.url else start_demo(workdir)
        driver = browser()
        try:
            if proc is not None:
                time.sleep(8)  # the simulator's fleet reports and crawls for a few ticks first
            shots = list(MAIN_SHOTS) + [
                (f"page-{p.strip('/') or 'mission'}-1920x1080", p, 1920, 1080, False) for p in PAGES
            ]
            for name, path, width, height, mobile in (s for s in shots if args.only in s[0]):
                print(shoot(driver, url + path, out / f"{name}.png", width, height, mobile, args.settle), flush=True)
        finally:
            driver.quit()
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
