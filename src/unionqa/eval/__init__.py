"""``unionqa eval``: metrics, the naive baseline, the run, regression gates and the report."""
