"""Who is ranked, and how sure each rep's value ratio is (SPEC §3 ``rankings``, §5 value ratio).

A ranking (highest and lowest value ratios, the headline median) lists only reps who are
*current* — employed on ``as_of``: hired on or before it (or no hiring date) and no leaving date on
or before it, the same rule as the reps table's ``status`` — with at least ``rankings.min_clients``
clients and a value ratio. A former rep's clients keep buying after the rep has left, so the
ratio keeps rising with nobody to credit; a mean over one or two clients is an anecdote. Both stay
in the tables, never in a ranking.

Pure: no clock, no files. The bootstrap is seeded from each rep's id, so rebuilds are identical.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from generator.metrics.segments import ratio_interval


def rep_ratio_intervals(reps: pd.DataFrame, clients: pd.DataFrame, resamples: int) -> pd.DataFrame:
    """``ratio_low`` and ``ratio_high`` per rep (index ``rep_id``, the order of ``reps``): the 95 %
    percentile bootstrap of the mean LTV of the rep's clients ÷ the rep's annual cost, resampling the
    clients (the segments' method, cost held fixed). Empty under two clients or without a ratio."""
    by_rep = {
        str(rep): group.to_numpy(dtype="float64")
        for rep, group in clients.dropna(subset=["acquirer"]).groupby("acquirer", sort=False)["ltv"]
    }
    bounds = []
    for rep, cost, value in zip(
        reps["rep_id"], reps["annual_cost"], reps["value_ratio"], strict=True
    ):
        ltv = by_rep.get(str(rep), np.empty(0))
        if pd.isna(value) or pd.isna(cost):
            bounds.append((np.nan, np.nan))
        else:
            bounds.append(ratio_interval(ltv, float(cost), resamples, f"rep:{rep}"))
    return pd.DataFrame(
        bounds,
        columns=["ratio_low", "ratio_high"],
        index=pd.Index(reps["rep_id"], name="rep_id"),
        dtype="float64",
    )


def employed_on(reps: pd.DataFrame, day: dt.date) -> pd.Series:
    """True for reps employed on ``day``: hired on or before it (or no hiring date) and not left on or
    before it (a rep leaving on ``as_of`` is former, as in the reps table's ``status``)."""
    at = pd.Timestamp(day)
    hired_ok = reps["hired"].isna() | (reps["hired"] <= at)
    left_ok = reps["left"].isna() | (reps["left"] > at)
    return (hired_ok & left_ok).astype(bool)


def ranked_reps(reps: pd.DataFrame, as_of: dt.date, min_clients: int) -> pd.Series:
    """True for the reps rankings list: employed on ``as_of``, at least ``min_clients`` clients and a
    value ratio (see the module docstring)."""
    current = reps["status"] == "current" if "status" in reps else True
    return (
        employed_on(reps, as_of)
        & current
        & (reps["clients"] >= min_clients)
        & reps["value_ratio"].notna()
    ).astype(bool)
