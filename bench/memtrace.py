"""tracemalloc snapshots of a running process, for bench/soak.py --trace-producer.

`start()` (called by bench/bench_site/sitecustomize.py in `python -m producer` when
MC_SOAK_TRACE_DIR is set) starts tracemalloc and a daemon thread that writes a snapshot every
MC_SOAK_TRACE_EVERY_S seconds to MC_SOAK_TRACE_DIR as `<pid>-<unix time>.snap`, with the gc
counts beside it (`.json`). `report(dir, since)` prints the allocation sites that grew most
between the first snapshot taken at or after `since` (unix time) and the last one.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
import tracemalloc
from pathlib import Path

FRAMES = 4


def _dump(out: Path) -> None:
    now = time.time()
    stem = out / f"{os.getpid()}-{now:.0f}"
    tracemalloc.take_snapshot().dump(str(stem) + ".snap")
    counts: dict[str, int] = {}
    for obj in gc.get_objects():
        name = type(obj).__name__
        counts[name] = counts.get(name, 0) + 1
    top = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:40])
    traced, peak = tracemalloc.get_traced_memory()
    Path(str(stem) + ".json").write_text(
        json.dumps({"t": now, "objects": sum(counts.values()), "types": top, "traced": traced, "peak": peak})
    )


def start() -> None:
    """Trace this process and dump a snapshot every MC_SOAK_TRACE_EVERY_S seconds."""
    out = Path(os.environ["MC_SOAK_TRACE_DIR"])
    every = float(os.environ.get("MC_SOAK_TRACE_EVERY_S", "600"))
    tracemalloc.start(FRAMES)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            _dump(out)

    threading.Thread(target=loop, name="mc-memtrace", daemon=True).start()


def report(trace_dir: Path, since: float, top: int = 15) -> None:
    """Print the growth between the first snapshot at/after `since` and the last, per process."""
    snaps = sorted(trace_dir.glob("*.snap"), key=lambda p: (p.stem.split("-")[0], float(p.stem.split("-")[1])))
    by_pid: dict[str, list[Path]] = {}
    for path in snaps:
        by_pid.setdefault(path.stem.split("-")[0], []).append(path)
    for pid, paths in by_pid.items():
        later = [p for p in paths if float(p.stem.split("-")[1]) >= since] or paths[-1:]
        first, last = later[0], paths[-1]
        if first == last:
            print(f"producer {pid}: one snapshot only ({first.name}); nothing to compare")
            continue
        a, b = (json.loads(p.with_suffix(".json").read_text()) for p in (first, last))
        print(
            f"producer {pid}: tracemalloc {first.name} → {last.name} ({(b['t'] - a['t']) / 60:.1f} min): traced "
            f"{a['traced'] / 2**20:.1f} → {b['traced'] / 2**20:.1f} MB, gc objects {a['objects']:,} → {b['objects']:,}"
        )
        grew = {k: b["types"].get(k, 0) - a["types"].get(k, 0) for k in set(a["types"]) | set(b["types"])}
        print(
            "    gc object types that grew: "
            + ", ".join(f"{k} {v:+,}" for k, v in sorted(grew.items(), key=lambda kv: -kv[1])[:8])
        )
        diff = tracemalloc.Snapshot.load(str(last)).compare_to(tracemalloc.Snapshot.load(str(first)), "traceback")
        for stat in diff[:top]:
            frame = stat.traceback.format()[-FRAMES * 2 :]
            print(
                f"    {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  "
                + " <- ".join(
                    line.strip() for line in frame if line.strip() and not line.strip().startswith(("File", "/"))
                )[:200]
                + "  "
                + " | ".join(str(f) for f in list(stat.traceback)[:2])
            )
