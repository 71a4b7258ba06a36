"""Metrics stage: typed inputs in, frozen tables out (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.config import Config
from generator.load.loader import Inputs
from generator.metrics.compute import (
    annual_costs,
    client_ltv_by_year,
    client_values,
    counted_deals,
    deal_segments,
    group_years,
    monthly_revenue,
    rep_years,
)
from generator.metrics.period import Period

REP_COLUMNS = [
    "rep_id", "name", "team", "region", "clients", "mean_client_ltv", "annual_cost", "value_ratio",
    "revenue", "won_deals", "lost_deals", "win_rate",
]
"""The pinned columns of data/reps.csv (SPEC §6), in order."""

REP_EXTRA_COLUMNS = [
    "manager", "status", "hired", "left", "new_clients", "avg_deal_size", "sales_cycle_days",
    "revenue_previous_year", "open_deals", "open_pipeline",
]
"""Further columns of the reps table, after the pinned ones."""

COMPANY = "Company"


@dataclass(frozen=True)
class Metrics:
    """Everything the site shows, computed once. Tables are never mutated after this stage."""

    period: Period
    years: tuple[int, ...]
    reps: pd.DataFrame
    rep_years: pd.DataFrame
    teams: pd.DataFrame
    team_years: pd.DataFrame
    managers: pd.DataFrame
    company_years: pd.DataFrame
    clients: pd.DataFrame
    rep_monthly: pd.DataFrame
    team_monthly: pd.DataFrame
    company_monthly: pd.DataFrame
    has_costs: bool
    has_reps_file: bool
    has_clients: bool

    def company(self, year: int) -> pd.Series:
        """The company row of one year."""
        rows = self.company_years[self.company_years["year"] == year]
        return rows.iloc[0] if len(rows) else pd.Series(dtype="object")


def _current(table: pd.DataFrame, key: str, year: int) -> pd.DataFrame:
    return table[table["year"] == year].drop(columns="year").set_index(key)


def compute_metrics(inputs: Inputs, config: Config) -> Metrics:
    """Compute every table the site needs from loaded inputs."""
    period = Period.containing(inputs.as_of, config.report.fiscal_year_start)
    reps = inputs.reps
    deals = deal_segments(inputs.deals, inputs.clients, reps)
    counted = counted_deals(deals, period)
    first = int(counted["fiscal_year"].min()) if len(counted) else period.year
    years = list(range(min(first, period.year), period.year + 1))
    values = client_values(counted, inputs.clients, config.metrics.gross_margin, config.metrics.attribution)
    ltv_years = client_ltv_by_year(counted, values, years, config.metrics.gross_margin)
    costs = annual_costs(inputs.costs, inputs.coaching, years, config.report.fiscal_year_start,
                         config.metrics.include_coaching_cost)

    by_rep = rep_years(counted, reps, ltv_years, costs, years)
    rep_table = _rep_table(reps, by_rep, deals, period)

    team_of = pd.Series(reps["team"].to_numpy(), index=reps["rep_id"].to_numpy()).dropna()
    team_years = group_years(counted, ltv_years, costs, team_of, "team", years)
    team_table = _team_table(reps, team_years, period.year)
    manager_of = pd.Series(reps["manager"].to_numpy(), index=reps["rep_id"].to_numpy()).dropna()
    manager_years = group_years(counted, ltv_years, costs, manager_of, "manager", years)
    company_of = pd.Series(COMPANY, index=reps["rep_id"].to_numpy())
    company_years = group_years(counted, ltv_years, costs, company_of, "company", years).drop(columns="company")
    company_years["reps"] = [int(_active(reps, period, y).sum()) for y in company_years["year"]]

    managers = _current(manager_years, "manager", period.year).reset_index()
    managers["teams"] = managers["manager"].map(
        reps.dropna(subset=["manager", "team"]).groupby("manager")["team"].agg(lambda t: ", ".join(sorted(set(t))))
    )
    return Metrics(
        period=period,
        years=tuple(years),
        reps=rep_table,
        rep_years=by_rep,
        teams=team_table,
        team_years=team_years,
        managers=managers,
        company_years=company_years,
        clients=values,
        rep_monthly=monthly_revenue(counted, "rep_id"),
        team_monthly=monthly_revenue(counted.assign(team=counted["rep_id"].map(team_of)).dropna(subset=["team"]), "team"),
        company_monthly=monthly_revenue(counted, None),
        has_costs=inputs.costs is not None and len(inputs.costs) > 0,
        has_reps_file=inputs.has("reps"),
        has_clients=inputs.has("clients"),
    )


def _active(reps: pd.DataFrame, period: Period, year: int) -> pd.Series:
    """Reps employed at some point in a fiscal year (unknown dates count as employed)."""
    start, end = pd.Timestamp(period.start_of(year)), pd.Timestamp(min(period.end_of(year), period.as_of))
    hired_ok = reps["hired"].isna() | (reps["hired"] <= end)
    left_ok = reps["left"].isna() | (reps["left"] >= start)
    return hired_ok & left_ok


def _rep_table(reps: pd.DataFrame, by_rep: pd.DataFrame, deals: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One row per rep, current and former: the reporting year's figures."""
    now = _current(by_rep, "rep_id", period.year)
    before = _current(by_rep, "rep_id", period.year - 1)
    table = reps.set_index("rep_id")[["name", "team", "region", "manager", "hired", "left"]]
    table = table.join(now, how="left")
    table["revenue_previous_year"] = before["revenue"].reindex(table.index)
    as_of = pd.Timestamp(period.as_of)
    table["status"] = pd.Series("current", index=table.index, dtype="string").mask(
        table["left"].notna() & (table["left"] <= as_of), "former")
    open_deals = deals[deals["status"] == "open"].groupby("rep_id").agg(
        open_deals=("deal_id", "size"), open_pipeline=("amount", "sum"))
    table = table.join(open_deals, how="left")
    for column in ("clients", "won_deals", "lost_deals", "new_clients", "open_deals"):
        table[column] = table[column].fillna(0).astype("int64")
    table["revenue"] = table["revenue"].fillna(0.0)
    table["open_pipeline"] = table["open_pipeline"].fillna(0.0)
    table = table.reset_index()
    return table[REP_COLUMNS + REP_EXTRA_COLUMNS]


def _team_table(reps: pd.DataFrame, team_years: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per team: the reporting year's figures, its manager and head count."""
    current = _current(team_years, "team", year)
    members = reps.dropna(subset=["team"]).groupby("team")
    current["manager"] = members["manager"].agg(lambda m: m.mode().iloc[0] if m.notna().any() else pd.NA)
    current["reps"] = members.size()
    return current.reset_index()
