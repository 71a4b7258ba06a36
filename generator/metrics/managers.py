"""Management ability: per manager and fiscal year, the team's revenue and value ratio, how their
reps' value ratios moved on the year before, and who left (with their value ratio when they left).
Pure: no clock, no files. Without a memberships export a rep counts under the manager the reps export
names for them now (the export keeps one manager per rep), for every year; with one, under each
manager they had that year (``membership.membership_spells``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from generator.metrics.goals import LEFT, TOLERANCE
from generator.metrics.membership import Membership
from generator.metrics.period import Period, fiscal_year

MANAGER_YEAR_COLUMNS = [
    "manager",
    "year",
    "teams",
    "reps",
    "revenue",
    "reps_with_cost",
    "value_ratio",
    "reps_compared",
    "reps_improved",
    "mean_ratio_change",
    "reps_at_start",
    "reps_left",
    "retention",
    "leavers_with_ratio",
    "leavers_mean_ratio",
    "team_goals",
    "team_goal_attainment",
    "rep_goals",
    "rep_goals_met",
    "coaching_events",
    "coached_reps",
]
"""Columns of data/manager_history.csv."""

LEAVER_COLUMNS = ["manager", "team", "rep_id", "name", "year", "left", "value_ratio_when_left"]
"""Columns of data/manager_leavers.csv."""


@dataclass(frozen=True)
class ManagerHistory:
    """Per manager and year (``years``), and every rep who left, with their manager at the time."""

    years: pd.DataFrame
    leavers: pd.DataFrame


def manager_history(
    reps: pd.DataFrame,
    rep_years: pd.DataFrame,
    manager_years: pd.DataFrame,
    period: Period,
    years: list[int],
    goals: pd.DataFrame | None = None,
    coaching_events: pd.DataFrame | None = None,
    spells: pd.DataFrame | None = None,
    managers_over_time: Membership | None = None,
    *,
    min_clients: int = 3,
) -> ManagerHistory:
    """Combine the manager's group figures (group_years by manager) with per-rep changes.

    - reps: reps employed at some point of the year (unknown hire or leave dates count as employed).
    - improvement: among the manager's reps employed and with a value ratio over at least
      ``min_clients`` clients (rankings.min_clients) in both the year and the year before, and who did
      not leave during the year, how many rose and the mean change (this year's ratio − last year's):
      the rankings' rule, so a former rep whose old clients keep buying, or a one-client rep whose
      ratio doubles with one purchase, never moves a manager's figure.
    - retention: 1 − reps employed on the year's first day who left during it ÷ reps employed on its
      first day (a left date after as_of has not happened yet); every leaver's
      value ratio is their ratio in the year they left (lifetime value to then ÷ annual cost then).
    - goals (``goals``: the goals table of metrics.goals) and coaching (``coaching_events``: the
      engagements of metrics.coaching): see _with_goals_and_coaching.

    With dated membership (``spells``: ``membership.membership_spells``; ``managers_over_time``: the
    managers' ``Membership``) every count follows the manager of the time: a rep counts under each
    manager they had while employed that year; at the start under the manager of the year's first
    day; as a leaver under the manager of the leave date (a rep who moves to another manager has not
    left); in the ratio improvement under the manager they ended the year with; ``teams`` are the
    teams of the manager's reps that year.
    """
    # The ratios a change is measured on: over enough clients to be compared (the rankings' rule).
    steady = rep_years.assign(
        value_ratio=rep_years["value_ratio"].where(rep_years["clients"] >= min_clients)
    )
    if spells is not None and managers_over_time is not None and managers_over_time.dated:
        return _dated_manager_history(
            reps,
            rep_years,
            manager_years,
            period,
            years,
            goals,
            coaching_events,
            spells,
            managers_over_time,
            steady,
        )
    people = reps.dropna(subset=["manager"])[["rep_id", "name", "team", "manager", "hired", "left"]]
    people = people.astype({"rep_id": "string", "manager": "string"}).assign(
        hired=pd.to_datetime(people["hired"]), left=pd.to_datetime(people["left"])
    )
    start = pd.to_datetime(pd.Series([period.start_of(y) for y in years])).to_numpy()
    end = pd.to_datetime(pd.Series([min(period.end_of(y), period.as_of) for y in years])).to_numpy()
    hired = people["hired"].to_numpy()[:, None]
    left = people["left"].to_numpy()[:, None]
    hired_known, left_known = ~pd.isna(hired), ~pd.isna(left)
    employed = (~hired_known | (hired <= end[None, :])) & (~left_known | (left >= start[None, :]))
    # Employed at some point of the year before (its end is the day before this year's start).
    prev_start = pd.to_datetime(pd.Series([period.start_of(y - 1) for y in years])).to_numpy()
    prev_end = start - np.timedelta64(1, "D")
    employed_before = (~hired_known | (hired <= prev_end[None, :])) & (
        ~left_known | (left >= prev_start[None, :])
    )
    at_start = (~hired_known | (hired <= start[None, :])) & (~left_known | (left >= start[None, :]))
    left_year = fiscal_year(people["left"], period.fiscal_year_start).to_numpy(
        dtype="float64", na_value=np.nan
    )
    left_by_as_of = (left_known & (left <= np.datetime64(period.as_of))).ravel()
    gone = (left_year[:, None] == np.array(years)[None, :]) & employed & left_by_as_of[:, None]
    grid = pd.DataFrame(
        {
            "manager": np.repeat(people["manager"].to_numpy(dtype=object), len(years)),
            "year": np.tile(years, len(people)),
            "rep_id": np.repeat(people["rep_id"].to_numpy(dtype=object), len(years)),
            "employed": employed.ravel(),
            "employed_before": employed_before.ravel(),
            "at_start": at_start.ravel(),
            "left": gone.ravel(),
            "left_from_start": (gone & at_start).ravel(),
        }
    )
    # Only reps employed in both years and still there at its end: a former rep's ratio keeps moving
    # as old clients buy more.
    grid = _ratio_changes(grid, rep_years, steady, grid["employed"] & grid["employed_before"])
    per = (
        grid.groupby(["manager", "year"])
        .agg(
            reps=("employed", "sum"),
            reps_compared=("compared", "sum"),
            reps_improved=("improved", "sum"),
            mean_ratio_change=("change", "mean"),
            reps_at_start=("at_start", "sum"),
            reps_left=("left", "sum"),
            left_from_start=("left_from_start", "sum"),
            leavers_with_ratio=("leaver_ratio", "count"),
            leavers_mean_ratio=("leaver_ratio", "mean"),
        )
        .reset_index()
    )
    per["retention"] = (1 - per["left_from_start"] / per["reps_at_start"]).where(
        per["reps_at_start"] > 0
    )
    teams = (
        people.dropna(subset=["team"])
        .groupby("manager")["team"]
        .agg(lambda t: ", ".join(sorted(set(t))))
    )
    per["teams"] = per["manager"].map(teams).astype("string")
    group = manager_years[["manager", "year", "revenue", "reps_with_cost", "value_ratio"]].astype(
        {"manager": "string", "year": "int64"}
    )
    out = per.astype({"manager": "string", "year": "int64"}).merge(
        group, on=["manager", "year"], how="left"
    )
    for column in (
        "reps",
        "reps_compared",
        "reps_improved",
        "reps_at_start",
        "reps_left",
        "leavers_with_ratio",
        "reps_with_cost",
    ):
        out[column] = out[column].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    out = out.sort_values(["manager", "year"]).reset_index(drop=True)
    out = _with_goals_and_coaching(out, people, goals, coaching_events, period)[
        MANAGER_YEAR_COLUMNS
    ]

    leaving = grid[grid["left"]]
    info = people.set_index("rep_id")
    leavers = pd.DataFrame(
        {
            "manager": leaving["manager"].to_numpy(),
            "team": info.loc[leaving["rep_id"], "team"].to_numpy(),
            "rep_id": leaving["rep_id"].to_numpy(),
            "name": info.loc[leaving["rep_id"], "name"].to_numpy(),
            "year": leaving["year"].to_numpy(dtype="int64"),
            "left": info.loc[leaving["rep_id"], "left"].to_numpy(),
            "value_ratio_when_left": leaving["ratio"].to_numpy(),
        },
        columns=LEAVER_COLUMNS,
    ).astype({"manager": "string", "team": "string", "rep_id": "string", "name": "string"})
    return ManagerHistory(
        out, leavers.sort_values(["manager", "left", "rep_id"]).reset_index(drop=True)
    )


def _with_goals_and_coaching(
    out: pd.DataFrame,
    people: pd.DataFrame,
    goals: pd.DataFrame | None,
    events: pd.DataFrame | None,
    period: Period,
    spells: pd.DataFrame | None = None,
    managers_over_time: Membership | None = None,
) -> pd.DataFrame:
    """Per manager and year, add goal attainment and the improvement after coaching.

    - team_goal_attainment = Σ actual ÷ Σ target over the revenue goals of the teams the manager
      leads (a team's manager: the most common manager of its reps), ``team_goals`` of them;
    - rep_goals_met of rep_goals: the manager's reps' goals (any metric) with an attainment, and how
      many reached 100 % (in the reporting year: so far);
    - coaching: the engagements of the manager's reps that started that year and could be measured
      (``coaching_events`` of them, over ``coached_reps`` reps). No effect is given here: a plain mean
      of a few engagements has none of the checks a verdict needs; the effect of the manager's
      coaching, checked and read like /coaching/, is metrics.coaching's ``by_manager``.

    With dated membership (``spells``, ``managers_over_time``) a team's manager is that year's (the
    most common manager of its reps' stretches that year), a rep goal counts under the manager the
    rep ended the year with, and an engagement under the rep's manager on its start date.
    """
    keys = ["manager", "year"]
    dated = spells is not None and managers_over_time is not None
    manager_of_rep = people.set_index("rep_id")["manager"]
    team_manager = (
        people.dropna(subset=["team"])
        .groupby("team")["manager"]
        .agg(lambda m: m.mode().iloc[0])
        .astype("string")
    )
    if dated:
        assert spells is not None
        known = spells.dropna(subset=["manager"])
        stretches = known.dropna(subset=["team"]).drop_duplicates(
            ["team", "year", "rep_id", "manager"]
        )
        team_year_manager = stretches.groupby(["team", "year"])["manager"].agg(
            lambda m: m.mode().iloc[0]
        )
        rep_year_manager = (
            known[known["at_end"]]
            .drop_duplicates(["rep_id", "year"])
            .set_index(["rep_id", "year"])["manager"]
        )
    parts = []
    if goals is not None and len(goals):
        team = goals[
            (goals["scope"] == "team")
            & (goals["metric"] == "revenue")
            & goals["attainment"].notna()
        ]
        team_ids = team["id"].astype("string")
        if dated:
            team_keys = pd.MultiIndex.from_arrays([team_ids, team["year"].astype("int64")])
            leader = pd.Series(team_keys.map(team_year_manager), index=team.index, dtype="string")  # type: ignore[arg-type]
        else:
            leader = team_ids.map(team_manager)
        team = pd.DataFrame(
            {
                "manager": leader,
                "year": team["year"].astype("int64"),
                "target": team["target"],
                "actual": team["actual"],
            }
        )
        team_sums = (
            team.dropna(subset=["manager"])
            .groupby(keys)
            .agg(team_goals=("target", "size"), target=("target", "sum"), actual=("actual", "sum"))
        )
        team_sums["team_goal_attainment"] = (team_sums["actual"] / team_sums["target"]).where(
            team_sums["target"] > 0
        )
        parts.append(team_sums[["team_goals", "team_goal_attainment"]])
        # A goal not met whose rep left before its year ended ("rep left") is not counted.
        rep = goals[
            (goals["scope"] == "rep") & goals["attainment"].notna() & (goals["status"] != LEFT)
        ]
        if dated:
            rep_keys = pd.MultiIndex.from_arrays(
                [rep["id"].astype("string"), rep["year"].astype("int64")]
            )
            rep_manager = pd.Series(rep_keys.map(rep_year_manager), index=rep.index, dtype="string")  # type: ignore[arg-type]
        else:
            rep_manager = rep["id"].astype("string").map(manager_of_rep)
        rep = pd.DataFrame(
            {
                "manager": rep_manager,
                "year": rep["year"].astype("int64"),
                "met": rep["attainment"] + TOLERANCE >= 1,
            }
        )
        parts.append(
            rep.dropna(subset=["manager"])
            .groupby(keys)
            .agg(rep_goals=("met", "size"), rep_goals_met=("met", "sum"))
        )
    if events is not None and len(events):
        done = events[events["included"].astype(bool)]
        coach = (
            managers_over_time.on(done["rep_id"], done["start"])
            if dated and managers_over_time is not None
            else done["rep_id"].astype("string").map(manager_of_rep)
        )
        done = pd.DataFrame(
            {
                "manager": coach,
                "year": fiscal_year(done["start"], period.fiscal_year_start).astype("int64"),
                "rep_id": done["rep_id"],
            }
        )
        parts.append(
            done.dropna(subset=["manager"])
            .groupby(keys)
            .agg(coaching_events=("rep_id", "size"), coached_reps=("rep_id", "nunique"))
        )
    for part in parts:
        # Grouped by two keys: a MultiIndex (pandas-stubs type every DataFrame.index as Index, and
        # refuse an Index as a level's new values).
        grouped = cast(pd.MultiIndex, part.index)
        levels = [grouped.levels[0].astype("string"), grouped.levels[1].astype("int64")]
        part.index = grouped.set_levels(levels)  # type: ignore[arg-type]
        out = out.merge(part.reset_index(), on=keys, how="left")
    for column in ("team_goals", "rep_goals", "rep_goals_met", "coaching_events", "coached_reps"):
        out[column] = out[column].fillna(0).astype("int64") if column in out else 0
    for column in ("team_goal_attainment",):
        if column not in out:
            out[column] = np.nan
    return out


def _dated_manager_history(
    reps: pd.DataFrame,
    rep_years: pd.DataFrame,
    manager_years: pd.DataFrame,
    period: Period,
    years: list[int],
    goals: pd.DataFrame | None,
    events: pd.DataFrame | None,
    spells: pd.DataFrame,
    managers_over_time: Membership,
    steady: pd.DataFrame,
) -> ManagerHistory:
    """``manager_history`` with dated membership: one row per (manager, year, rep) the rep spent some
    of the year under that manager (see ``manager_history`` for the rules)."""
    people = reps[["rep_id", "name", "team", "manager", "hired", "left"]]
    people = people.astype({"rep_id": "string", "manager": "string"}).assign(
        hired=pd.to_datetime(people["hired"]), left=pd.to_datetime(people["left"])
    )
    info = people.drop_duplicates("rep_id").set_index("rep_id")
    under = spells.dropna(subset=["manager"]).astype(
        {"manager": "string", "rep_id": "string", "year": "int64"}
    )
    grid = (
        under.groupby(["manager", "year", "rep_id"])
        .agg(at_start=("at_start", "any"), at_end=("at_end", "any"))
        .reset_index()
    )
    hired = grid["rep_id"].map(info["hired"])
    left = grid["rep_id"].map(info["left"])
    year_start = pd.to_datetime(grid["year"].map(lambda y: period.start_of(int(y))))
    prev_start = pd.to_datetime(grid["year"].map(lambda y: period.start_of(int(y) - 1)))
    prev_end = year_start - pd.Timedelta(days=1)
    grid["employed"] = True
    grid["employed_before"] = (
        (hired.isna() | (hired <= prev_end)) & (left.isna() | (left >= prev_start))
    ).to_numpy()
    left_year = fiscal_year(left, period.fiscal_year_start)
    gone = left.notna() & (left <= pd.Timestamp(period.as_of)) & (left_year == grid["year"])
    # The leave date is the rep's last employed day: the stretch holding it is the manager they left.
    grid["left"] = (gone.fillna(False).to_numpy(dtype=bool)) & grid["at_end"].to_numpy(dtype=bool)
    grid["left_from_start"] = grid["left"] & grid["at_start"]
    # A rep's change of ratio over the year is credited once: to the manager they ended it with, and
    # only when the rep is still there at its end.
    grid = _ratio_changes(grid, rep_years, steady, grid["employed_before"] & grid["at_end"])
    per = grid.groupby(["manager", "year"]).agg(
        reps=("employed", "sum"),
        reps_compared=("compared", "sum"),
        reps_improved=("improved", "sum"),
        mean_ratio_change=("change", "mean"),
        reps_at_start=("at_start", "sum"),
        reps_left=("left", "sum"),
        left_from_start=("left_from_start", "sum"),
        leavers_with_ratio=("leaver_ratio", "count"),
        leavers_mean_ratio=("leaver_ratio", "mean"),
    )
    # Every manager known (now or from the memberships) has a row for every year, as without them.
    everyone = pd.MultiIndex.from_product(
        [managers_over_time.groups(), years], names=["manager", "year"]
    )
    per = per.reindex(per.index.union(everyone)).reset_index()
    for column in (
        "reps",
        "reps_compared",
        "reps_improved",
        "reps_at_start",
        "reps_left",
        "left_from_start",
    ):
        per[column] = per[column].fillna(0).astype("int64")
    per["retention"] = (1 - per["left_from_start"] / per["reps_at_start"]).where(
        per["reps_at_start"] > 0
    )
    teams = (
        under.dropna(subset=["team"])
        .groupby(["manager", "year"])["team"]
        .agg(lambda t: ", ".join(sorted(set(t))))
    )
    team_keys = pd.MultiIndex.from_arrays(
        [per["manager"].astype("string"), per["year"].astype("int64")]
    )
    per["teams"] = pd.Series(team_keys.map(teams), index=per.index, dtype="string")  # type: ignore[arg-type]
    group = manager_years[["manager", "year", "revenue", "reps_with_cost", "value_ratio"]].astype(
        {"manager": "string", "year": "int64"}
    )
    out = per.astype({"manager": "string", "year": "int64"}).merge(
        group, on=["manager", "year"], how="left"
    )
    for column in ("leavers_with_ratio", "reps_with_cost"):
        out[column] = out[column].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    out = out.sort_values(["manager", "year"]).reset_index(drop=True)
    out = _with_goals_and_coaching(
        out, people.dropna(subset=["manager"]), goals, events, period, spells, managers_over_time
    )[MANAGER_YEAR_COLUMNS]

    leaving = grid[grid["left"]]
    last = (
        under[under["at_end"]]
        .drop_duplicates(["rep_id", "year"])
        .set_index(["rep_id", "year"])["team"]
    )
    leaving_keys = pd.MultiIndex.from_arrays(
        [leaving["rep_id"].astype("string"), leaving["year"].astype("int64")]
    )
    leavers = pd.DataFrame(
        {
            "manager": leaving["manager"].to_numpy(),
            "team": leaving_keys.map(last).to_numpy(),  # type: ignore[arg-type]
            "rep_id": leaving["rep_id"].to_numpy(),
            "name": info.loc[leaving["rep_id"], "name"].to_numpy(),
            "year": leaving["year"].to_numpy(dtype="int64"),
            "left": info.loc[leaving["rep_id"], "left"].to_numpy(),
            "value_ratio_when_left": leaving["ratio"].to_numpy(),
        },
        columns=LEAVER_COLUMNS,
    ).astype({"manager": "string", "team": "string", "rep_id": "string", "name": "string"})
    return ManagerHistory(
        out, leavers.sort_values(["manager", "left", "rep_id"]).reset_index(drop=True)
    )


def _ratio_changes(
    grid: pd.DataFrame, rep_years: pd.DataFrame, steady: pd.DataFrame, eligible: pd.Series
) -> pd.DataFrame:
    """``grid`` (rep_id, year, left, one row per manager, year and rep) with ``ratio``,
    ``ratio_before``, ``compared`` (``eligible``, not left that year, and a ratio over enough clients
    in both years: ``steady``), ``change``, ``improved`` and ``leaver_ratio``."""
    ratios = rep_years.set_index(["rep_id", "year"])["value_ratio"]
    keys = pd.MultiIndex.from_arrays(
        [grid["rep_id"].astype("string"), grid["year"].astype("int64")]
    )
    before = pd.MultiIndex.from_arrays(
        [grid["rep_id"].astype("string"), grid["year"].astype("int64") - 1]
    )
    # A Series maps by its index; pandas-stubs leave Series out of Index.map's mappers.
    steady_ratios = steady.set_index(["rep_id", "year"])["value_ratio"]
    steady_now = pd.Series(
        keys.map(steady_ratios).to_numpy(dtype="float64"),  # type: ignore[arg-type]
        index=grid.index,
    ).notna()
    steady_before = pd.Series(
        before.map(steady_ratios).to_numpy(dtype="float64"),  # type: ignore[arg-type]
        index=grid.index,
    ).notna()
    grid = grid.assign(
        ratio=keys.map(ratios).astype("float64"),  # type: ignore[arg-type]
        ratio_before=before.map(ratios).astype("float64"),  # type: ignore[arg-type]
    )
    grid["compared"] = steady_now & steady_before & eligible & ~grid["left"].astype(bool)
    grid["change"] = (grid["ratio"] - grid["ratio_before"]).where(grid["compared"])
    grid["improved"] = grid["compared"] & (grid["change"] > 0)
    grid["leaver_ratio"] = grid["ratio"].where(grid["left"])
    return grid
