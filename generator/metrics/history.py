"""Consistent history: the SPEC §5 performance figures per fiscal year and fiscal quarter, for any
grouping of the counted deals (rep, team, manager, region, company), with one definition for every
period. Pure: no clock, no files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.metrics.compute import PERFORMANCE_COLUMNS, finish_performance, performance
from generator.metrics.membership import Membership
from generator.metrics.period import Period
from generator.metrics.segments import segment_labels
from generator.vocabulary import DIMENSIONS

QUARTER_COLUMNS = ["year", "quarter", "period", *PERFORMANCE_COLUMNS]
"""Columns of a quarterly history table, after the group key."""

HISTORY_COLUMNS = [
    "level",
    "id",
    "year",
    "quarter",
    "period",
    *PERFORMANCE_COLUMNS,
    "clients",
    "mean_client_ltv",
    "new_clients",
    "annual_cost",
    "value_ratio",
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


@dataclass(frozen=True)
class Grouping:
    """Each row's group as an integer code (−1: no group) and the groups' names: grouping a million
    deals by integer codes is many times faster than by text."""

    codes: np.ndarray
    names: pd.Index


def grouping(ids: pd.Series, member_of: pd.Series | None = None) -> Grouping:
    """Group rows by ``ids`` (rep ids, regions), or by ``member_of[id]`` (a rep's team or manager),
    mapping each distinct id once rather than every row."""
    cat = ids if isinstance(ids.dtype, pd.CategoricalDtype) else ids.astype("category")
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    categories = pd.Index(cat.cat.categories.astype("string"))
    if member_of is None:
        return Grouping(codes, categories)
    mapped = pd.Series(categories.to_numpy(dtype=object)).map(member_of)
    group_codes, names = pd.factorize(mapped.to_numpy(dtype=object), use_na_sentinel=True)
    per_row = (
        np.where(codes >= 0, group_codes[np.maximum(codes, 0)], -1)
        if len(group_codes)
        else np.full(len(codes), -1)
    )
    return Grouping(per_row.astype(np.int64), pd.Index(names).astype("string"))


def one_group(rows: int, name: str = "Company") -> Grouping:
    """Every row in one group (the company)."""
    return Grouping(np.zeros(rows, dtype=np.int64), pd.Index([name], dtype="string"))


def _sums(counted: pd.DataFrame, groups: Grouping, slot: np.ndarray, slots: int) -> pd.DataFrame:
    """Revenue, won, lost and median cycle per (group, slot), for groups with a closed deal."""
    keep = groups.codes >= 0
    key = groups.codes[keep] * slots + slot[keep]
    size = len(groups.names) * slots
    revenue = np.bincount(key, weights=counted["won_amount"].to_numpy()[keep], minlength=size)
    won = np.bincount(key, weights=counted["won"].to_numpy()[keep], minlength=size)
    lost = np.bincount(key, weights=counted["lost"].to_numpy()[keep], minlength=size)
    cycle = pd.Series(counted["cycle"].to_numpy()[keep]).groupby(key).median()
    frame = pd.DataFrame({"revenue": revenue, "won_deals": won, "lost_deals": lost})
    frame["sales_cycle_days"] = cycle.reindex(np.arange(size)).to_numpy()
    frame["group"] = np.repeat(np.arange(len(groups.names)), slots)
    frame["slot"] = np.tile(np.arange(slots), len(groups.names))
    frame["closed"] = np.bincount(key, minlength=size) > 0
    return frame


def quarterly_performance(
    counted: pd.DataFrame, groups: Grouping, key: str, period: Period
) -> pd.DataFrame:
    """Per group and fiscal quarter: revenue, won and lost deals, win rate, average deal size and
    median sales cycle (the SPEC §5 definitions applied to the quarter instead of the year).

    Every quarter from the group's first closed deal to the quarter of as_of is listed; a quarter
    without a closed deal has revenue 0, no deals and an empty win rate.
    """
    columns = [key, *QUARTER_COLUMNS]
    quarter = (
        counted["fiscal_year"].to_numpy(dtype="int64") * 4
        + fiscal_quarter(counted["closed"], period.fiscal_year_start).to_numpy()
        - 1
    )
    last = period.year * 4 + current_quarter(period) - 1
    if not len(counted) or not (groups.codes >= 0).any():
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {key: "string", "year": "int64", "quarter": "int64", "period": "string"}
        )
    first_q = int(quarter.min())
    frame = _sums(counted, groups, quarter - first_q, last - first_q + 1)
    # From each group's first quarter with a closed deal on.
    started = frame.groupby("group")["closed"].cummax()
    frame = frame[started].reset_index(drop=True)
    out = finish_performance(frame)
    q = frame["slot"].to_numpy() + first_q
    out[key] = groups.names[frame["group"].to_numpy()]
    out["year"] = (q // 4).astype("int64")
    out["quarter"] = (q % 4 + 1).astype("int64")
    labels_of = {
        v: quarter_label(v // 4, v % 4 + 1, period.fiscal_year_start) for v in np.unique(q)
    }
    out["period"] = pd.Series(q).map(labels_of).astype("string").to_numpy()
    return out.astype({key: "string"})[columns].reset_index(drop=True)


def yearly_performance(
    counted: pd.DataFrame, groups: Grouping, key: str, years: list[int]
) -> pd.DataFrame:
    """Per group and fiscal year: the SPEC §5 performance figures, every year listed (for groups that
    are not sets of reps, such as regions, where lifetime value and cost do not apply)."""
    year = counted["fiscal_year"].to_numpy(dtype="int64") - years[0]
    inside = (year >= 0) & (year < len(years))
    frame = _sums(
        counted[inside], Grouping(groups.codes[inside], groups.names), year[inside], len(years)
    )
    frame = frame[frame.groupby("group")["closed"].transform("any")].reset_index(drop=True)
    out = finish_performance(frame)
    out.insert(0, "year", (frame["slot"].to_numpy() + years[0]).astype("int64"))
    out.insert(0, key, groups.names[frame["group"].to_numpy()])
    return out.astype({key: "string"}).reset_index(drop=True)


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
    segment_quarters: dict[str, pd.DataFrame]
    """dimension (region, category, channel) → one row per segment and quarter, segments named as on
    their pages (blank and placeholder values as "Unknown")."""


def member_grouping(counted: pd.DataFrame, member: Membership) -> Grouping:
    """Each deal's group: its rep's group on the close date with dated membership, else the rep's
    current group (mapped once per rep, not per deal)."""
    if member.dated:
        return grouping(member.on(counted["rep_id"], counted["closed"]))
    return grouping(counted["rep_id"], member.current)


def compute_history(
    counted: pd.DataFrame, teams: Membership, managers: Membership, period: Period, years: list[int]
) -> History:
    """Every quarterly table; a deal counts in the team and with the manager of its rep on its close
    date (``teams``, ``managers``; without a memberships export the rep's current team and manager)."""
    region = grouping(counted["region"])
    return History(
        rep_quarters=quarterly_performance(counted, grouping(counted["rep_id"]), "rep_id", period),
        team_quarters=quarterly_performance(
            counted, member_grouping(counted, teams), "team", period
        ),
        manager_quarters=quarterly_performance(
            counted, member_grouping(counted, managers), "manager", period
        ),
        company_quarters=quarterly_performance(
            counted, one_group(len(counted)), "company", period
        ).drop(columns="company"),
        region_years=yearly_performance(counted, region, "region", years),
        region_quarters=quarterly_performance(counted, region, "region", period),
        segment_quarters={
            dim: quarterly_performance(
                counted, grouping(segment_labels(counted[column])), dim, period
            )
            for dim, column in ((dim, d.deal_field) for dim, d in DIMENSIONS.items())
        },
    )


TEAM_MEMBER_COLUMNS = ["team", "year", "rep_id", "revenue", "won_deals", "lost_deals", "win_rate"]
"""Columns of data/team_members.csv (with a memberships export): one row per team, year and rep."""


def team_member_years(
    counted: pd.DataFrame, spells: pd.DataFrame, teams: Membership
) -> pd.DataFrame:
    """Who was in each team each fiscal year, and what they sold while there (``TEAM_MEMBER_COLUMNS``).

    A rep is a member of a team in a year when a stretch of ``spells`` (``membership_spells``) puts
    them there, or when a deal closed that year counts with the team (its rep's team on its close
    date: a deal closed outside the known employment dates); revenue (currency units), won and lost
    deals are those of the rep's deals counted with that team, so a team's members add up to the
    team's figures. A rep who moves mid-year is a member of both teams, with each part of the year's
    deals.
    """
    deals = counted.assign(
        team=teams.on(counted["rep_id"], counted["closed"]).to_numpy(),
        year=counted["fiscal_year"].astype("int64").to_numpy(),
        rep_id=counted["rep_id"].astype("string").to_numpy(),
    ).dropna(subset=["team"])
    sold = performance(deals, ["team", "year", "rep_id"])
    stays = spells.dropna(subset=["team"])[["team", "year", "rep_id"]].drop_duplicates()
    keys = ["team", "year", "rep_id"]
    types = {"team": "string", "year": "int64", "rep_id": "string"}
    out = pd.concat([stays.astype(types), sold[keys].astype(types)]).drop_duplicates()
    out = out.merge(sold.astype(types), on=keys, how="left")
    out["revenue"] = out["revenue"].fillna(0.0)
    for column in ("won_deals", "lost_deals"):
        out[column] = out[column].fillna(0).astype("int64")
    return out.sort_values(keys).reset_index(drop=True)[TEAM_MEMBER_COLUMNS]


def long_history(
    levels: dict[str, tuple[pd.DataFrame, pd.DataFrame | None, str | None]], fiscal_year_start: int
) -> pd.DataFrame:
    """data/history.csv: every level's years and quarters in one long table with the same columns.

    ``levels`` maps a level name to (yearly table, quarterly table, key column; None for the company).
    """
    parts = []
    for level, (years, quarters, key) in levels.items():
        for table, is_year in ((years, True), (quarters, False)):
            if table is None or not len(table):
                continue
            part = table.copy()
            part["id"] = (
                part[key].astype("string")
                if key
                else pd.Series("Company", index=part.index, dtype="string")
            )
            part["level"] = level
            if is_year:
                part["quarter"] = pd.NA
                part["period"] = [
                    str(y) if fiscal_year_start == 1 else f"FY{y}" for y in part["year"]
                ]
            for column in HISTORY_COLUMNS:
                if column not in part:
                    part[column] = np.nan
            parts.append(part[HISTORY_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    out = out.astype(
        {"level": "string", "id": "string", "year": "int64", "quarter": "Int64", "period": "string"}
    )
    for column in ("won_deals", "lost_deals", "clients", "new_clients"):
        out[column] = out[column].astype("Int64")
    return out
