"""Run only the producer (no web server): `python -m producer`.

For deployments that want the producer loop in its own process (gunicorn.conf.py starts one
beside the web workers, which then only read: MC_PRODUCER=external); any number may run, the
Redis lease elects one. It runs the producer whatever MC_PRODUCER says (that setting is for web
processes). Stops cleanly on SIGTERM / Ctrl-C.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import sys
import threading

from config import cli_settings
from data.services import Services
from runtime.startup import attach_features, build_context, prepare_storage, start_background_work


def main() -> int:
    settings = dataclasses.replace(cli_settings(), producer_mode="inline")
    services = Services(settings)
    prepare_storage(services)
    ctx = build_context(settings, services)
    attach_features(ctx)
    start_background_work(ctx)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    ctx.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
