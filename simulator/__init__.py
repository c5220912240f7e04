"""A simulated Link Profiler fleet (coordinator + satellites) writing what Link Profiler writes.

    from simulator import Simulator, bulk_load_backlinks

`Simulator` runs tick by tick in-process (the embedded demo, tests); `bulk_load_backlinks`
loads millions of backlinks for benchmarks; `python -m simulator` is the command line.
"""

from simulator.bulk import bulk_load_backlinks
from simulator.world import Simulator

__all__ = ["Simulator", "bulk_load_backlinks"]
