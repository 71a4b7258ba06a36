"""Consistent history: the SPEC §5 performance figures per fiscal year and fiscal quarter, for any
grouping of the counted deals (rep, team, manager, region, company), with one definition for every
period. Pure: no clock, no files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.metrics.compute import PERFORMANCE_COLUMNS, finish_performance
from generator.metrics.period import Period

QUARTER_COLUMNS = ["year", "quarter", "period", *PERFORMANCE_COLUMNS]
"""Columns of a quarterly history table, after the group key."""

HISTORY_COLUMNS = [
    "level", "id", "year", "quarter", "period", *PERFORMANCE_COLUMNS,
    "clients", "mean_client_ltv", "new_clients", "annual_cost", "value_ratio",
]
"""Columns of data/history.csv: one row per entity and period (quarter empty on a year's row)."""

YEAR_ONLY = ["clients", "mean_client_ltv", "new_clients", "annual_cost", "value_ratio"]
"""Figures that exist per year only: lifetime value and cost are yearly definitions (SPEC §5)."""


def fiscal_quarter(closed: pd.Series, fiscal_year_start: int) -> pd.Series:
    """Quarter (1-4) of the fiscal year that each date falls in."""
    return (((closed.dt.month - fiscal_year_start) % 12) // 3 + 1).astype("int64")


def quarter_label(year: int, quarter: int, fiscal_year_start: int) -> str:
    """How the site names a quarter: 2025 Q1, or FY2025 Q1 for a fiscal year not starting in January."""
    return f"{year} Q{quarter}" if fiscal_year_start == 1 else f"FY{year} Q{quarter}"


def current_quarter(period: Period) -> int:
    """The fiscal quarter that contains as_of."""
    return (period.as_of.month - period.fiscal_year_start) % 12 // 3 + 1


def quarterly_performance(counted: pd.DataFrame, labels: pd.Series | None, key: str,
                          period: Period) -> pd.DataFrame:
    """Per group and fiscal quarter: revenue, won and lost deals, win rate, average deal size and
    median sales cycle (the SPEC §5 definitions applied to the quarter instead of the year).

    ``labels`` gives each counted deal's group (aligned with ``counted``; None: one group, the
    company). Every quarter from the group's first closed deal to the quarter of as_of is listed;
    a quarter without a closed deal has revenue 0, no deals and an empty win rate.
    """
    group = labels if labels is not None else pd.Series("Company", index=counted.index)
    frame = pd.DataFrame({
        key: group.astype("string").to_numpy(),
        "q": (counted["fiscal_year"].astype("int64") * 4
              + fiscal_quarter(counted["closed"], period.fiscal_year_start) - 1).to_numpy(),
        "won_amount": counted["won_amount"].to_numpy(), "won": counted["won"].to_numpy(),
        "lost": counted["lost"].to_numpy(), "cycle": counted["cycle"].to_numpy(),
    }).dropna(subset=[key])
    columns = [key, *QUARTER_COLUMNS]
    if not len(frame):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {key: "string", "year": "int64", "quarter": "int64", "period": "string"})
    grouped = frame.groupby([key, "q"], sort=True).agg(
        revenue=("won_amount", "sum"), won_deals=("won", "sum"), lost_deals=("lost", "sum"),
        sales_cycle_days=("cycle", "median"))
    first = frame.groupby(key)["q"].min()
    last = period.year * 4 + current_quarter(period) - 1
    # The full grid of (group, quarter) from each group's first quarter on, built with numpy.
    counts = np.maximum(last - first.to_numpy() + 1, 0)
    keys = np.repeat(first.index.to_numpy(dtype=object), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    quarters = np.repeat(first.to_numpy(), counts) + offsets
    grid = pd.MultiIndex.from_arrays([pd.Index(keys, dtype="string"), quarters], names=[key, "q"])
    grouped.index = grouped.index.set_levels(grouped.index.levels[0].astype("string"), level=0)
    full = grouped.reindex(grid).fillna({"revenue": 0.0, "won_deals": 0, "lost_deals": 0})
    out = finish_performance(full).reset_index()
    out["year"] = (out["q"] // 4).astype("int64")
    out["quarter"] = (out["q"] % 4 + 1).astype("int64")
    labels_of = {q: quarter_label(q // 4, q % 4 + 1, period.fiscal_year_start) for q in np.unique(quarters)}
    out["period"] = out["q"].map(labels_of).astype("string")
    return out[columns]


def yearly_performance(counted: pd.DataFrame, labels: pd.Series, key: str, years: list[int]) -> pd.DataFrame:
    """Per group and fiscal year: the SPEC §5 performance figures, every year from the first listed
    (for groups that are not sets of reps, such as regions, where lifetime value and cost do not apply)."""
    frame = pd.DataFrame({
        key: labels.astype("string").to_numpy(), "year": counted["fiscal_year"].astype("int64").to_numpy(),
        "won_amount": counted["won_amount"].to_numpy(), "won": counted["won"].to_numpy(),
        "lost": counted["lost"].to_numpy(), "cycle": counted["cycle"].to_numpy(),
    }).dropna(subset=[key])
    grouped = frame.groupby([key, "year"], sort=True).agg(
        revenue=("won_amount", "sum"), won_deals=("won", "sum"), lost_deals=("lost", "sum"),
        sales_cycle_days=("cycle", "median"))
    groups = pd.Index(sorted(frame[key].unique()), dtype="string", name=key)
    grid = pd.MultiIndex.from_product([groups, years], names=[key, "year"])
    full = grouped.reindex(grid).fillna({"revenue": 0.0, "won_deals": 0, "lost_deals": 0})
    return finish_performance(full).reset_index()


@dataclass(frozen=True)
class History:
    """Quarterly performance of reps, teams, managers and the company, and yearly and quarterly
    performance of regions (group by the deal's region, SPEC §4)."""

    rep_quarters: pd.DataFrame
    team_quarters: pd.DataFrame
    manager_quarters: pd.DataFrame
    company_quarters: pd.DataFrame
    region_years: pd.DataFrame
    region_quarters: pd.DataFrame


def compute_history(counted: pd.DataFrame, team_of: pd.Series, manager_of: pd.Series, period: Period,
                    years: list[int]) -> History:
    """Every quarterly table; ``team_of`` and ``manager_of`` map rep_id to the rep's current team and
    manager (one per rep in the reps export, so a rep's whole history counts with the current team)."""
    rep = counted["rep_id"].astype("string")
    region = counted["region"].astype("string")
    return History(
        rep_quarters=quarterly_performance(counted, rep, "rep_id", period),
        team_quarters=quarterly_performance(counted, rep.map(team_of), "team", period),
        manager_quarters=quarterly_performance(counted, rep.map(manager_of), "manager", period),
        company_quarters=quarterly_performance(counted, None, "company", period).drop(columns="company"),
        region_years=yearly_performance(counted, region, "region", years),
        region_quarters=quarterly_performance(counted, region, "region", period),
    )


def long_history(levels: dict[str, tuple[pd.DataFrame, pd.DataFrame | None, str | None]],
                 fiscal_year_start: int) -> pd.DataFrame:
    """data/history.csv: every level's years and quarters in one long table with the same columns.

    ``levels`` maps a level name to (yearly table, quarterly table, key column; None for the company).
    """
    parts = []
    for level, (years, quarters, key) in levels.items():
        for table, is_year in ((years, True), (quarters, False)):
            if table is None or not len(table):
                continue
            part = table.copy()
            part["id"] = part[key].astype("string") if key else pd.Series("Company", index=part.index, dtype="string")
            part["level"] = level
            if is_year:
                part["quarter"] = pd.NA
                part["period"] = [str(y) if fiscal_year_start == 1 else f"FY{y}" for y in part["year"]]
            for column in HISTORY_COLUMNS:
                if column not in part:
                    part[column] = np.nan
            parts.append(part[HISTORY_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    out = out.astype({"level": "string", "id": "string", "year": "int64", "quarter": "Int64", "period": "string"})
    for column in ("won_deals", "lost_deals", "clients", "new_clients"):
        out[column] = out[column].astype("Int64")
    return out
