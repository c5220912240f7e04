"""A stand-in of Link Profiler's command API for the embedded demo, acting on the simulated world.

With no MC_LP_API_URL and the simulator on, the app hands the command runner this object
instead of an HTTP client (runtime.startup), so dispatch and job commands work in the demo.
It does what Link Profiler's coordinator does behind each route (queue_system/job_coordinator.py):

- `POST /api/queue/pause_processing`: SET job_processing_paused "true", broadcast PAUSE on
  crawler_control:all; `resume_processing`: DELETE it, broadcast RESUME.
- `POST /api/queue/cancel_job/{job_id}`: remove the job from the job queue and the scheduled
  queue, set its row to cancelled (completed_date now), broadcast CANCEL_JOB {"job_id": …}.

and answers with its words (`{"message": …}`, or `{"detail": …}` with 404/500). It works
through Redis and the database, so it also drives a simulator running in another process
(MC_PRODUCER=external); in this process it holds the simulator's lock so a tick never writes
between its steps.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import unquote

from sqlalchemy import text

from simulator.world import Simulator, utc_now

PAUSE, RESUME, CANCEL = "/api/queue/pause_processing", "/api/queue/resume_processing", "/api/queue/cancel_job/"


class SimulatedLpApi:
    """`handle(path) -> (status, body)` for the three command routes, on `sim`'s storage."""

    def __init__(self, sim: Simulator):
        self.sim = sim
        self.keys = sim.keys

    def describe(self) -> str:
        return "the demo's stand-in of Link Profiler's API (acting on the simulated fleet)"

    def _broadcast(self, command: str, payload: dict | None = None) -> None:
        message = json.dumps({"command": command, "payload": payload or {}})
        self.sim.redis.publish(self.keys.control_prefix + "all", message)

    def handle(self, path: str) -> tuple[int, dict]:
        with self.sim._lock:
            if path == PAUSE:
                self.sim.redis.set(self.keys.dispatch_paused, "true")
                self._broadcast("PAUSE")
                return 200, {"message": "Job processing paused successfully."}
            if path == RESUME:
                self.sim.redis.delete(self.keys.dispatch_paused)
                self._broadcast("RESUME")
                return 200, {"message": "Job processing resumed successfully."}
            if path.startswith(CANCEL):
                return self._cancel(unquote(path[len(CANCEL) :]), utc_now())
        return 404, {"detail": "Not Found"}

    def _cancel(self, job_id: str, now: datetime) -> tuple[int, dict]:
        engine = self.sim.services.engine
        with engine.begin() as conn:
            found = conn.execute(text("SELECT status FROM crawl_jobs WHERE id = :id"), {"id": job_id}).scalar()
            if found is None:
                return 500, {"detail": f"Failed to cancel job {job_id}."}
            conn.execute(
                text("UPDATE crawl_jobs SET status = 'cancelled', completed_date = :now WHERE id = :id"),
                {"id": job_id, "now": now},
            )
        self._unqueue(job_id)
        self._broadcast("CANCEL_JOB", {"job_id": job_id})
        return 200, {"message": f"Job {job_id} cancelled successfully."}

    def _unqueue(self, job_id: str) -> None:
        """Remove the job's entries from the job queue (either type) and the scheduled queue.
        Link Profiler removes the exact JSON it would have queued; ours is matched by id."""
        client, keys = self.sim.redis, self.keys
        kind = client.type(keys.job_queue)
        if kind == "list":
            members = client.lrange(keys.job_queue, 0, -1)
            for member in members:
                if _job_id(member) == job_id:
                    client.lrem(keys.job_queue, 0, member)
        elif kind == "zset":
            gone = [m for m in client.zrange(keys.job_queue, 0, -1) if _job_id(m) == job_id]
            if gone:
                client.zrem(keys.job_queue, *gone)
        gone = [m for m in client.zrange(keys.scheduled, 0, -1) if _job_id(m) == job_id]
        if gone:
            client.zrem(keys.scheduled, *gone)


def _job_id(member: str) -> str | None:
    try:
        doc = json.loads(member)
    except ValueError:
        return None
    return doc.get("id") if isinstance(doc, dict) else None
