"""Goals and rewards (SPEC §4 goals dataset): attainment, pacing against as_of, rewards, calibration.

Pure: no clock, no files, no printing; ``as_of`` comes in with the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import GoalsConfig
from generator.metrics.compute import ratio, reps_by_id
from generator.metrics.period import Period, fiscal_year_of
from generator.vocabulary import CUMULATIVE_GOAL_METRICS

TOLERANCE = 1e-9
"""Attainment is compared with a tier after allowing for float rounding: exactly 100 % earns the 100 % tier."""

GOAL_COLUMNS = [
    "scope",
    "id",
    "year",
    "metric",
    "target",
    "actual",
    "attainment",
    "members",
    "expected_share",
    "pace",
    "status",
    "tier_reward",
    "reward",
    "reward_earned",
    "file",
    "row",
]
"""Columns of the goals table (data/goals.csv)."""

TEAM_ATTAINMENT_COLUMNS = ["team", "year", "metric", "target", "actual", "attainment", "members"]
"""Columns of the per-team-per-year attainment table (reused by the managers pages)."""

CALIBRATION_COLUMNS = [
    "year",
    "scope",
    "metric",
    "goals",
    "met",
    "share_met",
    "median_attainment",
    "min_attainment",
    "max_attainment",
    "flag",
]

CUMULATIVE = CUMULATIVE_GOAL_METRICS

MET, MISSED, ON_TRACK, AT_RISK, BEHIND, NO_DATA, NOT_STARTED, LEFT = (
    "met",
    "missed",
    "on track",
    "at risk",
    "behind",
    "no data",
    "not started",
    "rep left",
)
"""Goal statuses. ``LEFT``: a rep goal not met whose rep left before the goal's year ended (and by
as_of): the rep did not have the year to reach it, so it is neither missed nor behind."""

CALIBRATION_MIN_GOALS = 3
"""Goals a (year, scope, metric) group needs before "nobody reaches" or "everybody beats" is flagged."""


@dataclass(frozen=True)
class Goals:
    """The goals pages' tables."""

    goals: pd.DataFrame
    """One row per goal (GOAL_COLUMNS), rep and team."""
    team_attainment: pd.DataFrame
    """One row per team goal: team, year, metric, target, actual, attainment, members."""
    calibration: pd.DataFrame
    """Per completed year, scope and metric: how many goals were met, and a flag."""
    expected_share: float
    """Share of a paced target due by as_of in the reporting year."""
    has_goals: bool
    year_complete: bool = False
    """as_of is the reporting year's last day (or later): its goals are met or missed, not paced."""


def expected_share(
    period: Period, config: GoalsConfig, hired: dt.date | pd.Timestamp | None = None
) -> float:
    """Share of a year's target due by ``as_of``: days elapsed ÷ days in the year (linear), or the
    weights of the fiscal quarters ended by ``as_of`` (quarterly).

    For a rep ``hired`` during the year, of the part of the year from the hiring day: days since
    hiring ÷ days from hiring to the year's end (linear), or the quarters' weights each counted for
    the share of its days the rep was employed (quarterly), those ended by as_of over all of them.
    0.0 when the rep starts after as_of."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    as_of = pd.Timestamp(period.as_of)
    first = max(start, pd.Timestamp(hired)) if hired is not None and not pd.isna(hired) else start
    if first > as_of:
        return 0.0
    if config.pacing == "linear":
        return ((as_of - first).days + 1) / ((end - first).days + 1)
    quarters = [
        (
            start + pd.DateOffset(months=3 * q),
            start + pd.DateOffset(months=3 * (q + 1)) - pd.Timedelta(days=1),
        )
        for q in range(4)
    ]
    # Each quarter's weight × the share of its days from ``first`` on (1 for a whole quarter).
    worked = [
        w * max(0, (q_end - max(q_start, first)).days + 1) / ((q_end - q_start).days + 1)
        for w, (q_start, q_end) in zip(config.quarter_weights, quarters, strict=True)
    ]
    total = sum(worked)
    due = sum(w for w, (_start, q_end) in zip(worked, quarters, strict=True) if q_end <= as_of)
    return float(due / total) if total > 0 else 0.0


def team_members(reps: pd.DataFrame, period: Period, years: list[int]) -> pd.DataFrame:
    """(team, rep_id, year) for every rep of a team employed at some point in that fiscal year
    (hired on or before its last day, not left before its first; unknown dates count as employed).
    The reps export gives one current team per rep, applied to every year."""
    listed = reps.loc[reps["team"].notna(), ["rep_id", "team", "hired", "left"]]
    grid = listed.merge(pd.DataFrame({"year": years}), how="cross")
    starts = pd.to_datetime(pd.Series([period.start_of(y) for y in years], index=years)).astype(
        "datetime64[s]"
    )
    ends = pd.to_datetime(
        pd.Series([min(period.end_of(y), period.as_of) for y in years], index=years)
    ).astype("datetime64[s]")
    first, last = grid["year"].map(starts), grid["year"].map(ends)
    active = (grid["hired"].isna() | (grid["hired"] <= last)) & (
        grid["left"].isna() | (grid["left"] >= first)
    )
    return grid.loc[active, ["team", "rep_id", "year"]].reset_index(drop=True)


def _actuals(
    rep_years: pd.DataFrame, members: pd.DataFrame, team_years: pd.DataFrame | None = None
) -> pd.DataFrame:
    """(scope, id, year, metric, actual, members) for every rep and team and year.

    A team's actual is the sum (ratio: the pooled ratio) of its ``members``' yearly figures, or, when
    ``team_years`` is given (dated membership), the team's own yearly figures, where each deal and
    client counts with the team its rep was in on the day; ``members`` then counts the reps in the
    team at some time of the year."""
    rep = rep_years.assign(scope="rep", id=rep_years["rep_id"], members=1)
    if team_years is not None:
        counts = members.groupby(["team", "year"]).size().rename("members")
        team = team_years.astype({"team": "string", "year": "int64"}).merge(
            counts.reset_index().astype({"team": "string", "year": "int64"}),
            on=["team", "year"],
            how="left",
        )
        team = team.assign(members=team["members"].fillna(0).astype("int64"))
        return _melted(rep, team.assign(scope="team", id=team["team"]))
    joined = members.astype({"rep_id": "string"}).merge(
        rep_years, on=["rep_id", "year"], how="left"
    )
    joined["ltv_sum"] = joined["mean_client_ltv"].fillna(0.0) * joined["clients"].fillna(0)
    team = (
        joined.groupby(["team", "year"])
        .agg(
            revenue=("revenue", "sum"),
            won_deals=("won_deals", "sum"),
            new_clients=("new_clients", "sum"),
            clients=("clients", "sum"),
            ltv_sum=("ltv_sum", "sum"),
            annual_cost=("annual_cost", "mean"),
            members=("rep_id", "size"),
        )
        .reset_index()
    )
    team["value_ratio"] = ratio(
        (team["ltv_sum"] / team["clients"]).where(team["clients"] > 0), team["annual_cost"]
    )
    return _melted(rep, team.assign(scope="team", id=team["team"]))


def _melted(rep: pd.DataFrame, team: pd.DataFrame) -> pd.DataFrame:
    """Rep and team yearly figures as one long table: scope, id, year, members, metric, actual."""
    keep = ["scope", "id", "year", "members", *CUMULATIVE, "value_ratio"]
    both = pd.concat([rep[keep], team[keep]], ignore_index=True)
    long = both.melt(
        id_vars=["scope", "id", "year", "members"], var_name="metric", value_name="actual"
    )
    return long.astype(
        {
            "scope": "string",
            "id": "string",
            "metric": "string",
            "year": "int64",
            "actual": "float64",
            "members": "int64",
        }
    )


def compute_goals(
    goals: pd.DataFrame | None,
    rep_years: pd.DataFrame,
    reps: pd.DataFrame,
    period: Period,
    config: GoalsConfig,
    dated_members: pd.DataFrame | None = None,
    dated_team_years: pd.DataFrame | None = None,
) -> Goals:
    """Attainment = actual ÷ target per goal; pacing, status, rewards and calibration (see methodology).

    With dated membership, ``dated_members`` (team, year, rep_id: ``history.team_member_years``) and
    ``dated_team_years`` (``compute.group_years`` by team over time) give a team goal's members and
    actual, so that a rep's deals count toward the goal of the team they were in when each closed;
    without them each rep counts in their current team for every year."""
    share = expected_share(period, config)
    complete = period.as_of >= period.end
    empty = Goals(
        pd.DataFrame(columns=GOAL_COLUMNS),
        pd.DataFrame(columns=TEAM_ATTAINMENT_COLUMNS),
        pd.DataFrame(columns=CALIBRATION_COLUMNS),
        share,
        False,
        complete,
    )
    if goals is None or not len(goals):
        return empty
    years = sorted(set(rep_years["year"].astype(int)) | set(goals["year"].dropna().astype(int)))
    if dated_members is not None and dated_team_years is not None:
        actuals = _actuals(rep_years, dated_members, dated_team_years)
    else:
        actuals = _actuals(
            rep_years, team_members(reps, period, [y for y in years if y <= period.year])
        )
    table = goals.rename(columns={"_file": "file", "_row": "row"})[
        ["scope", "id", "year", "metric", "target", "reward", "file", "row"]
    ]
    table = table.astype(
        {
            "scope": "string",
            "id": "string",
            "metric": "string",
            "year": "int64",
            "target": "float64",
            "reward": "string",
            "file": "string",
        }
    )
    table = table.merge(actuals, on=["scope", "id", "year", "metric"], how="left")
    future = table["year"] > period.year
    table.loc[future, "actual"] = np.nan
    table["members"] = table["members"].astype("Int64")
    table["attainment"] = ratio(table["actual"], table["target"])

    now = table["year"] == period.year
    table["expected_share"] = np.where(now, share, np.where(future, 0.0, 1.0))
    # A rep hired during the reporting year is paced from the hiring day.
    hired = _hired_in_year(table, reps, period)
    late = now & hired.notna()
    if late.any():  # one share per distinct hiring day, not per goal
        days = hired[late]
        shares = {day: expected_share(period, config, day) for day in days.unique()}
        table.loc[late, "expected_share"] = days.map(shares).astype("float64")
    paced = table["metric"].isin(CUMULATIVE)
    due = table["target"] * table["expected_share"].where(paced, 1.0)
    table["pace"] = ratio(table["actual"], due).where(now)
    # A reporting year that has ended is judged like any completed year: met or missed.
    table["status"] = _status(
        table, now & (not complete), future, _left_in_year(table, reps, period), config.at_risk_from
    )

    reached = table["attainment"] + TOLERANCE
    tier_reward = pd.Series(pd.NA, index=table.index, dtype="string")
    for tier in config.reward_tiers:  # sorted by attainment: the highest tier reached wins
        tier_reward = tier_reward.mask(reached >= tier.attainment, tier.reward)
    table["tier_reward"] = tier_reward
    table["reward_earned"] = table["reward"].where(reached >= 1.0)
    table = table.sort_values(
        ["year", "scope", "metric", "id"], ascending=[False, True, True, True]
    )
    table = table.reset_index(drop=True)[GOAL_COLUMNS]

    teams = table[table["scope"] == "team"].rename(columns={"id": "team"})[TEAM_ATTAINMENT_COLUMNS]
    last_complete = period.year if complete else period.year - 1
    return Goals(
        table,
        teams.reset_index(drop=True),
        _calibration(table, last_complete),
        share,
        True,
        complete,
    )


def _hired_in_year(table: pd.DataFrame, reps: pd.DataFrame, period: Period) -> pd.Series:
    """Per goal row: its rep's hiring date when it falls after the first day of the reporting year,
    else NaT (team goals, reps hired before, unknown dates)."""
    hired = reps_by_id(reps)["hired"].dropna()
    hired = hired[hired > pd.Timestamp(period.start)]
    if not len(hired):
        return pd.Series(pd.NaT, index=table.index, dtype="datetime64[s]")
    return pd.to_datetime(table["id"].map(hired).where(table["scope"] == "rep"))


def _left_in_year(table: pd.DataFrame, reps: pd.DataFrame, period: Period) -> pd.Series:
    """Mask of the rep goals whose rep left before the last day of the goal's fiscal year (in it or
    in an earlier year), on or before as_of (``reps.left``; an unknown date never counts as left).

    Left before year Y's last day ⇔ the day after leaving falls in year Y or earlier: compared as
    fiscal years, so that a goal for a year far ahead (9999) needs no date of its own."""
    left = reps_by_id(reps)["left"].dropna()
    left = left[left <= pd.Timestamp(period.as_of)]
    if not len(left):
        return pd.Series(False, index=table.index)
    first_year_gone = pd.Series(
        [
            fiscal_year_of((day + pd.Timedelta(days=1)).date(), period.fiscal_year_start)
            for day in left
        ],
        index=left.index,
        dtype="int64",
    )
    gone_from = table["id"].map(first_year_gone).where(table["scope"] == "rep")
    return (gone_from <= table["year"]).fillna(False).astype(bool)


def _status(
    table: pd.DataFrame,
    now: pd.Series,
    future: pd.Series,
    left: pd.Series,
    at_risk_from: float,
) -> pd.Series:
    """met / missed for completed years; met, on track, at risk or behind for the reporting year;
    not started for later years; "rep left" for a goal not met whose rep left before its year ended
    (``left``, from ``_left_in_year``), whatever the year."""
    attained = table["attainment"] + TOLERANCE >= 1.0
    pace = table["pace"]
    current = np.select(
        [
            table["actual"].isna(),
            attained,
            table["expected_share"] <= 0,
            pace + TOLERANCE >= 1.0,
            pace + TOLERANCE >= at_risk_from,
        ],
        [NO_DATA, MET, ON_TRACK, ON_TRACK, AT_RISK],
        BEHIND,
    )
    past = np.select([table["actual"].isna(), attained], [NO_DATA, MET], MISSED)
    status = np.where(future, NOT_STARTED, np.where(now, current, past))
    status = np.where(left.to_numpy() & ~attained.fillna(False).to_numpy(), LEFT, status)
    return pd.Series(status, index=table.index, dtype="string")


def _calibration(table: pd.DataFrame, last_complete: int) -> pd.DataFrame:
    """Completed years only (up to ``last_complete``): a goal nobody reaches, or everybody beats,
    sets no useful bar."""
    # A leaver's goal is left out: the rep did not have the year to reach it.
    done = table[
        (table["year"] <= last_complete) & table["attainment"].notna() & (table["status"] != LEFT)
    ]
    if not len(done):
        return pd.DataFrame(columns=CALIBRATION_COLUMNS)
    done = done.assign(met=(done["attainment"] + TOLERANCE >= 1.0).astype("int64"))
    out = (
        done.groupby(["year", "scope", "metric"])
        .agg(
            goals=("met", "size"),
            met=("met", "sum"),
            median_attainment=("attainment", "median"),
            min_attainment=("attainment", "min"),
            max_attainment=("attainment", "max"),
        )
        .reset_index()
    )
    out["share_met"] = out["met"] / out["goals"]
    enough = out["goals"] >= CALIBRATION_MIN_GOALS
    out["flag"] = pd.Series(
        np.select(
            [enough & (out["met"] == 0), enough & (out["met"] == out["goals"])],
            ["nobody reaches it", "everybody beats it"],
            "",
        ),
        dtype="string",
    )
    out["flag"] = out["flag"].mask(out["flag"] == "")
    return out.sort_values(["year", "scope", "metric"], ascending=[False, True, True]).reset_index(
        drop=True
    )[CALIBRATION_COLUMNS]
