"""The drain forecast replayed over a recorded simulator day: how far off is it, in minutes?

    python -m bench.drain_forecast [--hours 24] [--seed 7] [--satellites 6] [--window 15]
                                   [--record FILE] [--database-url URL]

1. Record: the built-in simulator (simulator/, the same fleet the embedded demo runs) lives a
   day in 15-second ticks on a throwaway SQLite file (or the PostgreSQL server given: a
   throwaway database there) and an in-process Redis. New jobs arrive at a working day's
   rate (`load`: 40 % of the fleet's capacity at 03:00, 100 % at 15:00, where the simulator's
   own coordinator keeps a flat 85 %). Bulk submissions like the flood switch
   of the demo (`Simulator.flood_queue`) come at random times (every 1–3 h, 20–100 jobs),
   and one satellite is down for an hour mid-day, so the queue builds up and drains again.
   Each simulated minute the queue's depth and the satellites running are recorded (the job
   completions are in crawl_jobs, as Link Profiler would have them); `--record` keeps them.
2. Replay: at every recorded minute with jobs queued, the forecast is made exactly as the
   producer makes it (capacity.measure over crawl_jobs up to that minute, capacity.forecast),
   and compared with the first later minute at which the recorded queue was empty.
   Printed: the median and p90 absolute error in minutes, how many forecasts said "not
   emptying" although the queue emptied, and how many were made before a backlog the day
   never drained (not scored). The same for a forecast that ignores arrivals, for comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from capacity.forecast import error_minutes, first_empty, forecast, summarise
from capacity.measure import measure
from config import load_settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.services import Services
from simulator.world import Simulator

TICK = timedelta(seconds=15)
START = datetime(2026, 11, 2, 0, 0)


def load(at: datetime) -> float:
    """The fleet's offered load (1 = its capacity) at `at`: 0.4 at 03:00, 1.0 at 15:00."""
    hour = at.hour + at.minute / 60.0
    return 0.7 + 0.3 * math.sin(2 * math.pi * (hour - 9.0) / 24.0)


def record_day(services: Services, hours: float, seed: int, satellites: int) -> list[dict]:
    """Run the simulator for `hours` from START; one {"t", "depth", "running"} per minute."""
    rng = random.Random(f"{seed}:bench")
    sim = Simulator(services, satellites=satellites, seed=seed)
    now = START
    sim.seed_initial(now)
    # A working day's load instead of the simulator's flat 85 %: quiet at night, over the
    # fleet's capacity in the afternoon, so backlogs build and drain within the day.
    steady = sim.coordinator.arrivals
    clock = {"now": now}

    def arrivals(dt: float, sats: int) -> int:
        return steady(dt * load(clock["now"]) / 0.85, sats)

    sim.coordinator.arrivals = arrivals  # type: ignore[method-assign]
    end = START + timedelta(hours=hours)
    next_flood = START + timedelta(minutes=rng.randrange(30, 90))
    down_from, down_until = START + timedelta(hours=hours * 0.5), START + timedelta(hours=hours * 0.5 + 1)
    killed: str | None = None
    series: list[dict] = []
    next_minute = START
    while now < end:
        now += TICK
        if now >= next_flood:
            sim.flood_queue(rng.randrange(20, 100), now)
            next_flood = now + timedelta(minutes=rng.randrange(60, 180))
        if killed is None and down_from <= now < down_until:
            killed = sim.kill_satellite()
        elif killed and now >= down_until:
            sim.revive_satellite(killed)
            killed = ""  # once a day
        clock["now"] = now
        sim.step(now)
        if now >= next_minute:
            running = sum(1 for s in sim.fleet if s.alive and not s.paused)
            series.append({"t": now.isoformat(), "depth": int(sim.queue.depth()), "running": running})
            next_minute += timedelta(minutes=1)
    return series


def replay(services: Services, series: list[dict], window_min: float) -> dict:
    """Forecast at every recorded minute with jobs queued; errors against the recorded drain."""
    points = [(datetime.fromisoformat(p["t"]), int(p["depth"])) for p in series]
    start = points[0][0] + timedelta(minutes=window_min)  # a full window of history first
    errors, blind_errors = [], []
    missed = unscored = made = 0
    for (at, depth), p in zip(points, series):
        if at < start or depth <= 0:
            continue
        made += 1
        actual = first_empty(points, at)
        rates = measure(services.engine, at, window_min, p["running"])
        fc = forecast(at, depth, rates.per_satellite, p["running"], rates.arrivals)
        blind = forecast(at, depth, rates.per_satellite, p["running"], 0.0)
        if actual is None:
            unscored += 1
            continue
        if fc.empty_at is None:
            missed += 1
        else:
            errors.append(error_minutes(fc.empty_at, actual))
        if blind.empty_at is not None:
            blind_errors.append(error_minutes(blind.empty_at, actual))
    return {
        "forecasts": made,
        "scored": summarise(errors),
        "missed": missed,
        "unscored": unscored,
        "throughput_only": summarise(blind_errors),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.drain_forecast", description=__doc__.split("\n")[0])
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--satellites", type=int, default=6)
    p.add_argument("--window", type=float, default=15.0, help="minutes of history per forecast (MC_FORECAST_WINDOW)")
    p.add_argument("--record", help="write the recorded minutes (JSON) here")
    p.add_argument("--database-url", help="a PostgreSQL server URL: a throwaway database is made there")
    args = p.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="mc-drain-")
    database_url = f"sqlite:///{Path(tmp.name) / 'lp.db'}"
    throwaway = None
    if args.database_url:
        import sqlalchemy as sa

        throwaway = f"mc_bench_drain_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{throwaway}"')
        database_url = sa.engine.make_url(args.database_url).set(database=throwaway).render_as_string(False)
    settings = dataclasses.replace(
        load_settings({}, dotenv_path=None),
        database_url=database_url,
        redis_url=f"memory://{uuid.uuid4().hex}",
        simulate="off",
    )
    services = Services(settings)
    try:
        create_lp_tables(services.engine, "M")
        create_mc_tables(services.mc_engine)
        services.forget_schema()
        started = time.perf_counter()
        series = record_day(services, args.hours, args.seed, args.satellites)
        recorded_s = time.perf_counter() - started
        if args.record:
            Path(args.record).write_text(json.dumps(series))
        result = replay(services, series, args.window)
    finally:
        services.dispose()
        if throwaway:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{throwaway}"')
        tmp.cleanup()
    depths = [p["depth"] for p in series]
    s, blind = result["scored"], result["throughput_only"]
    print(
        f"recorded {len(series)} simulated minutes in {recorded_s:.0f} s (seed {args.seed}, {args.satellites} satellites)"
    )
    print(f"queue depth: max {max(depths)}, empty in {sum(1 for d in depths if d == 0) / len(depths):.0%} of minutes")
    print(
        f"forecasts made (queue not empty): {result['forecasts']}, scored {s.n}, "
        f"said 'not emptying' yet it emptied {result['missed']}, before a backlog the day never drained {result['unscored']}"
    )

    def fmt(x):
        return "—" if x is None else f"{x:.1f}"

    print(
        f"drain forecast absolute error: median {fmt(s.median)} min, p90 {fmt(s.p90)} min (window {args.window:g} min)"
    )
    print(f"  ignoring arrivals instead:      median {fmt(blind.median)} min, p90 {fmt(blind.p90)} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
