"""Metrics stage: typed inputs in, frozen tables out (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from generator.config import Config
from generator.load.loader import Inputs
from generator.metrics.activity import ActivityTables, compute_activity
from generator.metrics.coaching import (
    CoachingEffect,
    coaching_estimates,
    coaching_events,
    coaching_tables,
    rep_month_panel,
)
from generator.metrics.compute import (
    ClientValue,
    annual_costs,
    client_value_by_year,
    client_values,
    counted_deals,
    deal_segments,
    group_years,
    monthly_revenue,
    performance,
    rep_years,
    reps_by_id,
    with_id_categories,
)
from generator.metrics.forecast import Forecast, compute_forecast
from generator.metrics.goals import Goals, compute_goals
from generator.metrics.history import (
    History,
    compute_history,
    fiscal_quarter,
    team_member_years,
)
from generator.metrics.managers import ManagerHistory, manager_history
from generator.metrics.membership import (
    Membership,
    manager_membership,
    membership_spells,
    team_membership,
)
from generator.metrics.period import Period, fiscal_year
from generator.metrics.rankings import ranked_reps, rep_ratio_intervals
from generator.metrics.segments import Segments, compute_segments
from generator.parallel import in_background
from generator.vocabulary import OPEN, WON

REP_COLUMNS = [
    "rep_id",
    "name",
    "team",
    "region",
    "clients",
    "mean_client_ltv",
    "annual_cost",
    "value_ratio",
    "revenue",
    "won_deals",
    "lost_deals",
    "win_rate",
]
"""The pinned columns of data/reps.csv (SPEC §6), in order."""

REP_EXTRA_COLUMNS = [
    "manager",
    "status",
    "hired",
    "left",
    "new_clients",
    "avg_deal_size",
    "sales_cycle_days",
    "revenue_same_period_last_year",
    "open_deals",
    "open_pipeline",
    "ratio_low",
    "ratio_high",
    "ranked",
]
"""Further columns of the reps table, after the pinned ones."""

COMPANY = "Company"


@dataclass(frozen=True)
class Metrics:
    """Everything the site shows, computed once. Tables are never mutated after this stage."""

    period: Period
    reps: pd.DataFrame
    rep_years: pd.DataFrame
    teams: pd.DataFrame
    team_years: pd.DataFrame
    managers: pd.DataFrame
    company_years: pd.DataFrame
    company_previous: pd.Series
    """The company over the same span of the previous year (up to the same day), for changes."""
    clients: pd.DataFrame
    rep_monthly: pd.DataFrame
    team_monthly: pd.DataFrame
    company_monthly: pd.DataFrame
    has_costs: bool
    segments: Segments
    """Regions, categories and channels: per segment and year, cost allocated by revenue share (SPEC §5)."""
    goals: Goals
    """Goal attainment, pacing, rewards and calibration; ``goals.team_attainment`` per team and year."""
    history: History
    """Quarterly figures of reps, teams, managers and the company; regions by year and quarter."""
    manager_history: ManagerHistory
    forecast: Forecast
    team_previous: pd.DataFrame
    """team, revenue: each team over the same span of the previous year (deals by the team of their
    rep on the close date, with dated membership), for the teams' revenue change."""
    dated_teams: bool
    """Whether team and manager figures follow each rep over time (a memberships export with rows);
    False: each rep counts in their current team for every year."""
    team_members: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Who was in each team each year and what they sold there (``history.TEAM_MEMBER_COLUMNS``): by
    each year's membership with a memberships export, else each employed rep in their current team
    with the full year; the team pages list it only with memberships (``dated_teams``)."""
    coaching: CoachingEffect | None = None
    """Coaching effect tables (None without a coaching dataset)."""
    activity: ActivityTables | None = None
    """Activity versus performance tables (None without an activities dataset)."""

    def company(self, year: int) -> pd.Series:
        """The company row of one year."""
        rows = self.company_years[self.company_years["year"] == year]
        return rows.iloc[0] if len(rows) else pd.Series(dtype="object")


def _current(table: pd.DataFrame, key: str, year: int) -> pd.DataFrame:
    return table[table["year"] == year].drop(columns="year").set_index(key)


def compute_metrics(inputs: Inputs, config: Config) -> Metrics:
    """Compute every table the site needs from loaded inputs.

    The tables nothing else needs are computed in worker processes (``generator.parallel``) while
    this one computes the rest: the segments, the quarterly history and the monthly revenue as soon
    as the counted deals are known (``_Trends``); the reps' ratio intervals, the projections and last
    year's company figures once the reps and teams tables are (``_Outlook``); the coaching
    bootstraps once the engagements are matched (``coaching_estimates``, in ``_dependent``). The
    tables are the same as in one process.
    """
    period = Period.containing(inputs.as_of, config.report.fiscal_year_start)
    reps = inputs.reps
    deals = deal_segments(with_id_categories(inputs.deals), inputs.clients, reps)
    counted = counted_deals(deals, period)
    first = int(counted["fiscal_year"].min()) if len(counted) else period.year
    years = list(range(min(first, period.year), period.year + 1))
    costs = annual_costs(
        inputs.costs,
        inputs.coaching,
        years,
        config.report.fiscal_year_start,
        config.metrics.include_coaching_cost,
    )
    # Year-on-year changes compare the same span: the previous year up to the same day.
    earlier = same_day_last_year(period.as_of)
    # A year's membership is read on its last day (as_of in the reporting year), for yearly costs.
    year_ends = {y: pd.Timestamp(min(period.end_of(y), period.as_of)) for y in years}
    teams_over_time = team_membership(reps, inputs.memberships, year_ends)
    managers_over_time = manager_membership(reps, inputs.memberships, year_ends)
    team_of = pd.Series(reps["team"].to_numpy(), index=reps["rep_id"].to_numpy()).dropna()

    def trends() -> _Trends:
        last_month = pd.Timestamp(period.as_of).to_period("M").start_time
        return _Trends(
            segments=compute_segments(
                counted,
                inputs.clients,
                costs,
                years,
                period.year,
                pd.Timestamp(earlier),
                config.metrics.gross_margin,
                config.segments.min_deals,
                config.segments.bootstrap_resamples,
                pd.Index(reps.loc[_active(reps, period, period.year), "rep_id"]),
            ),
            history=compute_history(counted, teams_over_time, managers_over_time, period, years),
            rep_monthly=monthly_revenue(counted, "rep_id", last_month),
            team_monthly=monthly_revenue(
                counted.assign(
                    team=teams_over_time.on(counted["rep_id"], counted["closed"])
                    if teams_over_time.dated
                    else counted["rep_id"].map(team_of)
                ).dropna(subset=["team"]),
                "team",
                last_month,
            ),
            company_monthly=monthly_revenue(counted, None, last_month),
        )

    with in_background(trends, "computing metrics") as pending_trends:
        values = client_values(
            counted, inputs.clients, config.metrics.gross_margin, config.metrics.attribution
        )
        credited = client_value_by_year(counted, values, config.metrics.gross_margin)
        by_rep = rep_years(counted, reps, credited, costs, years)
        last_year = counted[
            (counted["fiscal_year"] == period.year - 1)
            & (counted["closed"] <= pd.Timestamp(earlier))
        ]
        rep_table = _rep_table(
            reps, by_rep, deals, period, performance(last_year, ["rep_id"]).set_index("rep_id")
        )
        team_years = group_years(
            counted,
            credited,
            costs,
            teams_over_time if teams_over_time.dated else team_of,
            "team",
            years,
        )
        team_table = _team_table(reps, team_years, period, inputs.memberships)

        def outlook() -> _Outlook:
            current_reps = pd.Index(
                reps.loc[
                    ~(reps["left"].notna() & (reps["left"] <= pd.Timestamp(period.as_of))), "rep_id"
                ]
            ).astype("string")
            return _Outlook(
                intervals=rep_ratio_intervals(
                    rep_table, values, config.segments.bootstrap_resamples
                ),
                company_previous=_company_summary(
                    last_year,
                    counted[counted["closed"] <= pd.Timestamp(earlier)],
                    values,
                    period.year - 1,
                    earlier,
                    config.metrics.gross_margin,
                ),
                forecast=compute_forecast(
                    counted,
                    deals[deals["status"] == OPEN],
                    team_of,
                    pd.Timestamp(period.as_of),
                    period.year,
                    pd.Timestamp(period.end),
                    current_reps,
                    pd.Index(team_table["team"]).astype("string"),
                ),
            )

        with in_background(outlook, "computing metrics") as pending_outlook:
            rest = _dependent(
                inputs,
                config,
                period,
                counted,
                years,
                credited,
                costs,
                by_rep,
                last_year,
                year_ends,
                teams_over_time,
                managers_over_time,
                team_of,
                team_years,
            )
            side = pending_outlook.result()
        timeline = pending_trends.result()
    rep_table = _with_rankings(rep_table, side.intervals, period, config.rankings.min_clients)
    panel = rest.panel
    return Metrics(
        period=period,
        reps=rep_table,
        rep_years=by_rep,
        teams=_head_count(team_table, rest.team_members, period.year),
        team_years=team_years,
        managers=rest.managers,
        company_years=rest.company_years,
        company_previous=side.company_previous,
        clients=values,
        rep_monthly=timeline.rep_monthly,
        team_monthly=timeline.team_monthly,
        company_monthly=timeline.company_monthly,
        has_costs=inputs.costs is not None and len(inputs.costs) > 0,
        segments=timeline.segments,
        goals=rest.goals,
        coaching=rest.coaching,
        activity=compute_activity(inputs.activities, panel, rep_table, period)
        if panel is not None
        else None,
        history=timeline.history,
        manager_history=rest.manager_history,
        team_members=rest.team_members,
        forecast=side.forecast,
        team_previous=rest.team_previous,
        dated_teams=teams_over_time.dated,
    )


@dataclass(frozen=True)
class _Trends:
    """Segments by year, the quarterly history and monthly revenue: computed in a worker process as
    soon as the counted deals are known (see ``compute_metrics``)."""

    segments: Segments
    history: History
    rep_monthly: pd.DataFrame
    team_monthly: pd.DataFrame
    company_monthly: pd.DataFrame


@dataclass(frozen=True)
class _Outlook:
    """The reps' ratio intervals, the projections and last year's company figures: computed in a
    worker process once the reps and teams tables are known (see ``compute_metrics``)."""

    intervals: pd.DataFrame
    company_previous: pd.Series
    forecast: Forecast


@dataclass(frozen=True)
class _Dependent:
    """The tables ``compute_metrics`` computes in its own process while another computes the rest."""

    team_previous: pd.DataFrame
    managers: pd.DataFrame
    company_years: pd.DataFrame
    team_members: pd.DataFrame
    goals: Goals
    panel: pd.DataFrame | None
    coaching: CoachingEffect | None
    manager_history: ManagerHistory


def _dependent(
    inputs: Inputs,
    config: Config,
    period: Period,
    counted: pd.DataFrame,
    years: list[int],
    credited: ClientValue,
    costs: pd.DataFrame,
    by_rep: pd.DataFrame,
    last_year: pd.DataFrame,
    year_ends: dict[int, pd.Timestamp],
    teams_over_time: Membership,
    managers_over_time: Membership,
    team_of: pd.Series,
    team_years: pd.DataFrame,
) -> _Dependent:
    """Manager and company tables, team members, goals and coaching (see ``compute_metrics``)."""
    reps = inputs.reps
    last_month = pd.Timestamp(period.as_of).to_period("M").start_time
    # Every rep's employed months with their revenue: the base of the coaching and activity tables.
    panel = (
        rep_month_panel(counted, reps, last_month)
        if inputs.coaching is not None or inputs.activities is not None
        else None
    )
    events = (
        coaching_events(panel, reps, inputs.coaching, config.coaching, pd.Timestamp(period.as_of))
        if panel is not None and inputs.coaching is not None
        else None
    )
    with ExitStack() as side:
        # The coaching bootstraps need only the engagements: made by another process meanwhile,
        # started first because they take longest.
        estimates = (
            side.enter_context(
                in_background(
                    partial(coaching_estimates, events, reps, config.coaching), "computing metrics"
                )
            )
            if events is not None
            else None
        )
        last_year_team = (
            teams_over_time.on(last_year["rep_id"], last_year["closed"])
            if teams_over_time.dated
            else last_year["rep_id"].astype("string").map(team_of)
        )
        team_previous = performance(
            last_year.assign(team=last_year_team).dropna(subset=["team"]), ["team"]
        )[["team", "revenue"]].astype({"team": "string"})
        manager_of = pd.Series(reps["manager"].to_numpy(), index=reps["rep_id"].to_numpy()).dropna()
        manager_years = group_years(
            counted,
            credited,
            costs,
            managers_over_time if managers_over_time.dated else manager_of,
            "manager",
            years,
        )
        company_of = pd.Series(COMPANY, index=reps["rep_id"].to_numpy())
        company_years = group_years(counted, credited, costs, company_of, "company", years).drop(
            columns="company"
        )
        company_years["reps"] = [int(_active(reps, period, y).sum()) for y in company_years["year"]]
        spans = {y: (pd.Timestamp(period.start_of(y)), year_ends[y]) for y in years}
        spells = membership_spells(reps, teams_over_time, managers_over_time, spans)
        team_members = team_member_years(counted, spells, teams_over_time)
        managers = _current(manager_years, "manager", period.year).reset_index()
        managers["teams"] = managers["manager"].map(
            reps.dropna(subset=["manager", "team"])
            .groupby("manager")["team"]
            .agg(lambda t: ", ".join(sorted(set(t))))
        )
        if managers_over_time.dated:
            # The teams of the manager's reps in the reporting year, by membership.
            now = spells[(spells["year"] == period.year)].dropna(subset=["manager", "team"])
            led = now.groupby("manager")["team"].agg(lambda t: ", ".join(sorted(set(t))))
            managers["teams"] = managers["manager"].map(led).astype("string")
        goals = compute_goals(
            inputs.goals,
            by_rep,
            reps,
            period,
            config.goals,
            *((team_members, team_years) if teams_over_time.dated else (None, None)),
        )
        history = manager_history(
            reps,
            by_rep,
            manager_years,
            period,
            years,
            goals.goals,
            events.table if events is not None else None,
            spells,
            managers_over_time,
            min_clients=config.rankings.min_clients,
        )
        coaching = (
            coaching_tables(events, estimates.result(), goals.goals, period)
            if events is not None and estimates is not None
            else None
        )
    return _Dependent(
        team_previous=team_previous,
        managers=managers,
        company_years=company_years,
        team_members=team_members,
        goals=goals,
        panel=panel,
        coaching=coaching,
        manager_history=history,
    )


def same_day_last_year(day: dt.date) -> dt.date:
    """The same calendar day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _company_summary(
    span: pd.DataFrame,
    upto: pd.DataFrame,
    values: pd.DataFrame,
    year: int,
    end: dt.date,
    gross_margin: float,
) -> pd.Series:
    """Company figures of the span of ``year`` ending on ``end``: performance, clients acquired in
    it, and the mean client LTV as it stood on ``end``."""
    perf = performance(span.assign(all="all"), ["all"]).drop(columns="all")
    row = (
        perf.iloc[0].copy()
        if len(perf)
        else pd.Series({"revenue": 0.0, "won_deals": 0, "lost_deals": 0})
    )
    acquired = (values["acquired_year"] == year) & (values["acquired"] <= pd.Timestamp(end))
    row["new_clients"] = int(acquired.sum())
    won = upto.loc[(upto["status"] == WON) & upto["client_id"].notna(), ["client_id", "amount"]]
    per_client = won.groupby("client_id", observed=True)["amount"].sum()
    row["mean_client_ltv"] = per_client.mean() * gross_margin if len(per_client) else float("nan")
    return row


def rep_history_shown(rep_years: pd.DataFrame, reps: pd.DataFrame, period: Period) -> np.ndarray:
    """Which rows of rep_years a rep's history shows: years the rep was employed (unknown dates count
    as employed) with a closed deal, a client or a cost, and any year with a closed deal. A former
    rep's ratio keeps moving after they leave (their clients still buy): those years are not theirs."""
    people = reps_by_id(reps)
    ids = rep_years["rep_id"].astype("string")
    hired = ids.map(people["hired"]).astype("datetime64[s]")
    left = ids.map(people["left"]).astype("datetime64[s]")
    starts = (
        rep_years["year"]
        .map(lambda y: pd.Timestamp(period.start_of(int(y))))
        .astype("datetime64[s]")
    )
    ends = (
        rep_years["year"].map(lambda y: pd.Timestamp(period.end_of(int(y)))).astype("datetime64[s]")
    )
    employed = (hired.isna() | (hired <= ends)) & (left.isna() | (left >= starts))
    dealt = rep_years["won_deals"] + rep_years["lost_deals"] > 0
    has_value = (rep_years["clients"] > 0) | rep_years["annual_cost"].notna()
    return (dealt | (employed & has_value)).to_numpy()


def rep_quarters_shown(
    rep_quarters: pd.DataFrame, reps: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """``rep_quarters`` (history.rep_quarters: rep_id, year, quarter, …) without a former rep's run
    of quarters after both the quarter they left in and their last closed deal: as
    ``rep_history_shown`` leaves out a former rep's later years, empty quarters after leaving are
    not the rep's history (a deal closed after leaving keeps the quarters up to it)."""
    left = reps_by_id(reps)["left"].dropna().astype("datetime64[s]")
    if not len(left) or not len(rep_quarters):
        return rep_quarters
    left_slot = (
        fiscal_year(left, period.fiscal_year_start).astype("int64") * 4
        + fiscal_quarter(left, period.fiscal_year_start)
        - 1
    )
    ids = rep_quarters["rep_id"].astype("string")
    slot = rep_quarters["year"].astype("int64") * 4 + rep_quarters["quarter"].astype("int64") - 1
    dealt = rep_quarters["won_deals"].fillna(0) + rep_quarters["lost_deals"].fillna(0) > 0
    last_deal = slot.where(dealt).groupby(ids).max()
    gone = ids.map(left_slot).to_numpy(dtype="float64")
    # fmax: a rep with no deal at all keeps the quarters up to leaving
    last = np.fmax(gone, ids.map(last_deal).to_numpy(dtype="float64"))
    keep = np.isnan(gone) | (slot.to_numpy() <= last)
    return rep_quarters[keep].reset_index(drop=True)


def _active(reps: pd.DataFrame, period: Period, year: int) -> pd.Series:
    """Reps employed at some point in a fiscal year (unknown dates count as employed)."""
    start, end = (
        pd.Timestamp(period.start_of(year)),
        pd.Timestamp(min(period.end_of(year), period.as_of)),
    )
    hired_ok = reps["hired"].isna() | (reps["hired"] <= end)
    left_ok = reps["left"].isna() | (reps["left"] >= start)
    return hired_ok & left_ok


def _rep_table(
    reps: pd.DataFrame,
    by_rep: pd.DataFrame,
    deals: pd.DataFrame,
    period: Period,
    previous: pd.DataFrame,
) -> pd.DataFrame:
    """One row per rep, current and former: the reporting year's figures."""
    now = _current(by_rep, "rep_id", period.year)
    table = reps.set_index("rep_id")[["name", "team", "region", "manager", "hired", "left"]]
    table = table.join(now, how="left")
    # Empty for a rep not employed at any time of that span (hired after it, or left before it):
    # there was nothing to sell then, not nothing sold.
    before = previous["revenue"].reindex(table.index)
    span_start = pd.Timestamp(period.start_of(period.year - 1))
    span_end = pd.Timestamp(same_day_last_year(period.as_of))
    employed_then = (table["hired"].isna() | (table["hired"] <= span_end)) & (
        table["left"].isna() | (table["left"] >= span_start)
    )
    table["revenue_same_period_last_year"] = before.fillna(0.0).where(
        employed_then | before.notna()
    )
    as_of = pd.Timestamp(period.as_of)
    table["status"] = pd.Series("current", index=table.index, dtype="string").mask(
        table["left"].notna() & (table["left"] <= as_of) | ~_listed_or_active(reps, deals, period),
        "former",
    )
    open_deals = (
        deals[deals["status"] == OPEN]
        .groupby("rep_id")
        .agg(open_deals=("deal_id", "size"), open_pipeline=("amount", "sum"))
    )
    table = table.join(open_deals, how="left")
    for column in ("clients", "won_deals", "lost_deals", "new_clients", "open_deals"):
        table[column] = table[column].fillna(0).astype("int64")
    table["revenue"] = table["revenue"].fillna(0.0)
    table["open_pipeline"] = table["open_pipeline"].fillna(0.0)
    table = table.reset_index()
    return table[[c for c in REP_COLUMNS + REP_EXTRA_COLUMNS if c not in _RANKING_COLUMNS]]


def _listed_or_active(reps: pd.DataFrame, deals: pd.DataFrame, period: Period) -> pd.Series:
    """True (by rep_id) for reps of the reps export, and for reps known only from the deals that closed
    or created a deal in the reporting year. Many HR exports list active staff only: a rep missing from
    it with no deal this year has most likely left (no leaving date is known), and is never ranked."""
    start, end = pd.Timestamp(period.start_of(period.year)), pd.Timestamp(period.as_of)
    this_year = deals["closed"].between(start, end)
    if "created" in deals:
        this_year |= deals["created"].between(start, end)
    active = pd.Index(deals.loc[this_year, "rep_id"].dropna().unique())
    listed = reps["in_reps_file"].to_numpy(dtype=bool) if "in_reps_file" in reps else False
    return pd.Series(
        listed | reps["rep_id"].isin(active).to_numpy(), index=pd.Index(reps["rep_id"])
    )


_RANKING_COLUMNS = ("ratio_low", "ratio_high", "ranked")


def _with_rankings(
    table: pd.DataFrame, bounds: pd.DataFrame, period: Period, min_clients: int
) -> pd.DataFrame:
    """The reps table with each ratio's 95 % interval (``bounds``, from ``rep_ratio_intervals``) and
    ``ranked`` (see ``metrics.rankings``)."""
    table = table.assign(
        ratio_low=bounds["ratio_low"].to_numpy(),
        ratio_high=bounds["ratio_high"].to_numpy(),
        ranked=ranked_reps(table, period.as_of, min_clients).to_numpy(),
    )
    return table[REP_COLUMNS + REP_EXTRA_COLUMNS]


def _team_table(
    reps: pd.DataFrame,
    team_years: pd.DataFrame,
    period: Period,
    memberships: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per team: the reporting year's figures and its manager (its head count is set from
    the year's members, see ``_head_count``).

    The manager is the most common manager of the team's reps in the reps export; for a team none
    of them is in (or whose reps have no manager), that of its rows in the memberships export that
    name one (``_membership_managers``)."""
    current = _current(team_years, "team", period.year)
    members = reps.dropna(subset=["team"]).groupby("team")
    # pandas-stubs refuse <NA> as an aggregate's result; pandas takes it (a team without a known manager).
    current["manager"] = members["manager"].agg(  # type: ignore[type-var]
        lambda m: m.mode().iloc[0] if m.notna().any() else pd.NA
    )
    if memberships is not None and "manager" in memberships and len(current):
        current["manager"] = (
            current["manager"]
            .astype("string")
            .fillna(_membership_managers(memberships, pd.Timestamp(period.as_of)))
        )
    return current.reset_index()


def _membership_managers(memberships: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Team → manager from the memberships export's rows that name one: the most common manager of
    the team's periods open on ``as_of``, else of its periods that started last (a team nobody is
    in any more: its last manager). Ties go to the first name in sort order."""
    named = memberships.dropna(subset=["team", "manager"])
    if not len(named):
        return pd.Series(dtype="string")
    named = named.assign(
        team=named["team"].astype("string"), manager=named["manager"].astype("string")
    )
    open_now = (named["start"] <= as_of) & (named["end"].isna() | (named["end"] >= as_of))
    started = named[named["start"] <= as_of]
    latest = started[started["start"] == started.groupby("team")["start"].transform("max")]
    chosen = pd.concat([named[open_now], latest[~latest["team"].isin(named.loc[open_now, "team"])]])
    return chosen.groupby("team")["manager"].agg(lambda m: m.mode().iloc[0]).astype("string")


def _head_count(teams: pd.DataFrame, team_members: pd.DataFrame, year: int) -> pd.DataFrame:
    """``teams`` with ``reps``: how many reps were members of each team in ``year`` (the members its
    page lists: employed in it, with dated memberships in it at some point of the year; a rep who
    left before the year is none, one who moved mid-year counts in both teams)."""
    now = team_members[team_members["year"] == year]
    count = now.groupby("team")["rep_id"].nunique()
    count.index = count.index.astype("string")
    return teams.assign(reps=teams["team"].map(count).fillna(0).astype("int64"))
