"""Is busy productive? Activity per month next to revenue, quadrants at the medians, and the
correlation of each activity kind with revenue (SPEC §4 activities, §6 /activity/). Activity is
not performance: nothing here ranks reps by it. Pure: no clock, no files, no printing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from generator.metrics.period import Period

ALL_ACTIVITIES = "All activities"
"""The correlation row of every activity kind added together."""

BUSY_PRODUCTIVE, BUSY_UNPRODUCTIVE = "busy & productive", "busy & unproductive"
QUIET_PRODUCTIVE, QUIET_UNPRODUCTIVE = "quiet & productive", "quiet & unproductive"
QUADRANTS = (BUSY_PRODUCTIVE, BUSY_UNPRODUCTIVE, QUIET_PRODUCTIVE, QUIET_UNPRODUCTIVE)

ACTIVITY_COLUMNS = [
    "rep_id",
    "name",
    "team",
    "region",
    "months",
    "activities",
    "activities_per_month",
    "revenue",
    "revenue_per_month",
    "win_rate",
    "value_ratio",
    "quadrant",
]
"""Columns of data/activity.csv: one row per rep employed in the reporting year, in rep id order."""

MIX_COLUMNS = ["rep_id", "kind", "count", "per_month", "share", "median_rep_per_month"]
"""Columns of data/activity_mix.csv: each rep's activity by kind in the reporting year."""

CORRELATION_COLUMNS = ["kind", "reps", "correlation", "correlation_low", "correlation_high"]
"""Columns of data/activity_correlation.csv."""

Z_95 = 1.959963984540054
"""The 97.5th percentile of the standard normal distribution."""


@dataclass(frozen=True)
class ActivityTables:
    """The activity tables of the reporting year, computed once."""

    reps: pd.DataFrame
    mix: pd.DataFrame
    correlation: pd.DataFrame
    medians: pd.DataFrame
    """One row: the median activities_per_month and revenue_per_month that split the quadrants."""


def correlation_interval(r: float, n: int) -> tuple[float, float]:
    """95 % interval of a Pearson correlation by Fisher's z: tanh(atanh(r) ± 1.96 / √(n − 3));
    empty below 4 observations or when r is missing."""
    if n < 4 or not np.isfinite(r):
        return float("nan"), float("nan")
    if abs(r) >= 1:
        return float(r), float(r)
    z, half = math.atanh(r), Z_95 / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def quadrant(
    activity: pd.Series, revenue: pd.Series, activity_median: float, revenue_median: float
) -> pd.Series:
    """Busy means at or above the median activity per month; productive, at or above the median
    revenue per month. Empty where either figure is."""
    busy, productive = activity >= activity_median, revenue >= revenue_median
    labels = np.select(
        [busy & productive, busy & ~productive, ~busy & productive],
        [BUSY_PRODUCTIVE, BUSY_UNPRODUCTIVE, QUIET_PRODUCTIVE],
        QUIET_UNPRODUCTIVE,
    )
    known = activity.notna() & revenue.notna()
    return pd.Series(labels, index=activity.index, dtype="string").where(known)


def compute_activity(
    activities: pd.DataFrame | None, panel: pd.DataFrame, rep_table: pd.DataFrame, period: Period
) -> ActivityTables | None:
    """Activity per month and per kind of every rep in the reporting year (up to as_of), next to
    revenue per month, win rate and value ratio; quadrants and correlations across the reps that
    logged any activity. None without an activities dataset."""
    if activities is None:
        return None
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.as_of)
    months_in_year = panel[(panel["month"] >= start) & (panel["month"] <= end)]
    employed = months_in_year.groupby("rep_id")["month"].size()
    logged = activities[(activities["date"] >= start) & (activities["date"] <= end)]
    logged = logged.assign(
        rep_id=logged["rep_id"].astype("string"),
        kind=logged["kind"].astype("string").str.strip(),
        count=logged["count"].astype("int64"),
    )
    by_kind = logged.groupby(["rep_id", "kind"])["count"].sum().unstack(fill_value=0)
    by_kind = by_kind.reindex(columns=sorted(by_kind.columns))
    logged_months = (
        logged.assign(m=logged["date"].dt.to_period("M")).groupby("rep_id")["m"].nunique()
    )

    people = rep_table.set_index(rep_table["rep_id"].astype("string"))
    ids = employed.index.union(by_kind.index).sort_values()
    months = employed.reindex(ids).fillna(0).astype("int64")
    months = months.where(months > 0, logged_months.reindex(ids).fillna(0).astype("int64"))
    total = by_kind.sum(axis=1).reindex(ids)
    revenue = people["revenue"].reindex(ids).fillna(0.0).astype("float64")
    per_month = (total / months).where((months > 0) & total.notna())
    revenue_per_month = (revenue / months).where(months > 0)
    table = pd.DataFrame(
        {
            "rep_id": pd.Series(ids, dtype="string"),
            "name": people["name"].reindex(ids).to_numpy(),
            "team": people["team"].reindex(ids).to_numpy(),
            "region": people["region"].reindex(ids).to_numpy(),
            "months": months.to_numpy(),
            "activities": total.astype("Int64").to_numpy(),
            "activities_per_month": per_month.astype("float64").to_numpy(),
            "revenue": revenue.to_numpy(),
            "revenue_per_month": revenue_per_month.astype("float64").to_numpy(),
            "win_rate": people["win_rate"].reindex(ids).astype("float64").to_numpy(),
            "value_ratio": people["value_ratio"].reindex(ids).astype("float64").to_numpy(),
        }
    ).astype({"name": "string", "team": "string", "region": "string"})
    both = table["activities_per_month"].notna() & table["revenue_per_month"].notna()
    activity_median = (
        float(table.loc[both, "activities_per_month"].median()) if both.any() else float("nan")
    )
    revenue_median = (
        float(table.loc[both, "revenue_per_month"].median()) if both.any() else float("nan")
    )
    table["quadrant"] = quadrant(
        table["activities_per_month"].where(both),
        table["revenue_per_month"].where(both),
        activity_median,
        revenue_median,
    )

    # Each kind per month, for every rep that logged anything (0 for a kind it never logged).
    rates = by_kind.div(months.reindex(by_kind.index).where(lambda m: m > 0), axis=0)
    # One level of columns stacks to a Series (pandas-stubs also allow a DataFrame).
    long = cast(pd.Series, rates.stack()).rename("per_month").reset_index()
    counts = cast(pd.Series, by_kind.stack()).rename("count").reset_index()
    mix = counts.merge(long, on=["rep_id", "kind"])
    # float64 even when nothing was logged (an empty map keeps the ids' string dtype).
    rep_total = mix["rep_id"].map(total).astype("float64")
    mix["share"] = (mix["count"] / rep_total).where(rep_total > 0)
    mix["median_rep_per_month"] = mix["kind"].map(rates.median(axis=0))
    mix = mix.astype({"rep_id": "string", "kind": "string", "count": "int64"})
    mix = (
        mix[mix["rep_id"].isin(table["rep_id"])]
        .sort_values(["rep_id", "kind"])
        .reset_index(drop=True)[MIX_COLUMNS]
    )

    rows = []
    target = (
        table.set_index("rep_id").loc[both.to_numpy(), "revenue_per_month"]
        if both.any()
        else pd.Series(dtype="float64")
    )
    kinds = [*by_kind.columns, ALL_ACTIVITIES]
    for kind in kinds:
        x = (rates.sum(axis=1) if kind == ALL_ACTIVITIES else rates[kind]).reindex(target.index)
        ok = x.notna()
        r = _pearson(x[ok].to_numpy(), target[ok].to_numpy())
        low, high = correlation_interval(r, int(ok.sum()))
        rows.append(
            {
                "kind": kind,
                "reps": int(ok.sum()),
                "correlation": r,
                "correlation_low": low,
                "correlation_high": high,
            }
        )
    correlation = pd.DataFrame(rows, columns=CORRELATION_COLUMNS).astype(
        {"kind": "string", "reps": "int64"}
    )
    medians = pd.DataFrame(
        {
            "activities_per_month": [activity_median],
            "revenue_per_month": [revenue_median],
            "reps": [int(both.sum())],
        }
    )
    return ActivityTables(
        reps=table[ACTIVITY_COLUMNS], mix=mix, correlation=correlation, medians=medians
    )
