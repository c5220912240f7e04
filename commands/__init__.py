"""Operator commands, carried out through Link Profiler's own interfaces, and their audit log.

- Dispatch and jobs (pause / resume dispatch, cancel a job): Link Profiler's HTTP API
  (`lp_api`), which updates its own tables; we never write them.
- Satellites (pause / resume / restart / shut down one or all): its Redis control channels
  (`control`), in the JSON its coordinator publishes.
- Dead letters (inspect, retry, purge): its Redis dead-letter list (`dead_letters`), retried
  the way its debug endpoint does.

`runner.CommandRunner` runs each command: says whether it is available (and why not), carries
it out, records it in `mc_audit` whatever happens, and reports what was observed afterwards.
"""
