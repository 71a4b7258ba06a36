"""salesperf: turn sales data exports into a static site that measures reps, teams and segments in money."""

__version__ = "0.1.0"
