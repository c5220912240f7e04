"""The analysis modules (issue 6): backlink discovery operations, domain intelligence and
crawler performance, kept fast on tens of millions of backlinks by incremental `mc_` rollups.

- `tables`: the rollup tables (Mission Control's own, never Link Profiler's).
- `refresh`: the producer's incremental refresh under an advisory lock (`Refresher`).
- `link_rollups`, `fleet_rollups`, `domain_rollups`: what each refresh step computes.
- `discovery`, `domains`, `crawler`: the page queries; they read rollups and small bounded
  queries only, memoised in `page_cache` and keyed by the rollup version.
- `setup`: the explicit, opt-in setup command (indexes, the materialized view, pg_cron).
"""
