"""Started by every Python process of a bench/viewers.py run (its PYTHONPATH names this folder):
in `python -m producer` only, start bench.instrument's recorders (refresh times, statements), so
the producer is measured however it was started, without changing how. Other processes (the
gunicorn master must stay light before gevent patches its workers) are left alone."""

import os
import sys

if os.environ.get("MC_BENCH_DIR") and sys.orig_argv[1:3] == ["-m", "producer"]:
    from bench.instrument import start_recorders

    start_recorders()

if os.environ.get("MC_SOAK_TRACE_DIR") and sys.orig_argv[1:3] == ["-m", "producer"]:
    # bench/soak.py --trace-producer: tracemalloc snapshots of the producer process.
    from bench.memtrace import start as start_memtrace

    start_memtrace()
