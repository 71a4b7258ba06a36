"""Declared table contracts: what every table crossing a stage holds (issue 12).

- ``terms``: the column vocabulary (each name's kind and range, once);
- ``tables``: the contract of every table: ``INPUTS`` (load → metrics), ``METRICS`` (metrics →
  site) and ``PUBLISHED`` (site/data/*.csv and .json);
- ``validate``: the pandera checks, imported only when something is checked.

The tests check every contract on the bundled example and the hostile fixture. A build checks
them at its stage boundaries when ``SALESPERF_CHECK_CONTRACTS=1``; a failure raises
``ContractError`` (exit 1) listing every table, column and failing value.
"""

from __future__ import annotations

import os
from typing import TypeVar

ENV = "SALESPERF_CHECK_CONTRACTS"
"""Set to 1 to check every table at the build's stage boundaries (costs time; off by default)."""

Staged = TypeVar("Staged")


def enabled() -> bool:
    """True when ``SALESPERF_CHECK_CONTRACTS`` asks for the checks."""
    return os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on")


def checked(value: Staged) -> Staged:
    """``value`` (the ``Inputs`` or the ``Metrics`` of a build), checked against its contracts when
    enabled; raises ``ContractError`` naming every failure."""
    if not enabled():
        return value
    from generator.contracts import validate  # pandera is imported here, never on a plain build
    from generator.load.loader import Inputs

    if isinstance(value, Inputs):
        validate.check_inputs(value)
    else:
        validate.check_metrics(value)
    return value
