"""Capacity planning: the job queue's drain forecast (pure math in `forecast`), its inputs
measured from Link Profiler's storage (`measure`), and the record of every forecast against what
happened (`record`, table `mc_drain_forecasts`)."""
