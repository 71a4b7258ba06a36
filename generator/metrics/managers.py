"""Management ability: per manager and fiscal year, the team's revenue and value ratio, how their
reps' value ratios moved on the year before, and who left (with their value ratio when they left).
Pure: no clock, no files. A rep counts under the manager the reps export names for them now (the
export keeps one manager per rep), for every year."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from generator.metrics.goals import TOLERANCE
from generator.metrics.period import Period, fiscal_year

MANAGER_YEAR_COLUMNS = [
    "manager", "year", "teams", "reps", "revenue", "reps_with_cost", "value_ratio",
    "reps_compared", "reps_improved", "mean_ratio_change", "reps_at_start", "reps_left", "retention",
    "leavers_with_ratio", "leavers_mean_ratio",
    "team_goals", "team_goal_attainment", "rep_goals", "rep_goals_met",
    "coaching_events", "coached_reps",
]
"""Columns of data/manager_history.csv."""

LEAVER_COLUMNS = ["manager", "team", "rep_id", "name", "year", "left", "value_ratio_when_left"]
"""Columns of data/manager_leavers.csv."""


@dataclass(frozen=True)
class ManagerHistory:
    """Per manager and year (``years``), and every rep who left, with their manager at the time."""

    years: pd.DataFrame
    leavers: pd.DataFrame


def manager_history(reps: pd.DataFrame, rep_years: pd.DataFrame, manager_years: pd.DataFrame,
                    period: Period, years: list[int], goals: pd.DataFrame | None = None,
                    coaching_events: pd.DataFrame | None = None) -> ManagerHistory:
    """Combine the manager's group figures (group_years by manager) with per-rep changes.

    - reps: reps employed at some point of the year (unknown hire or leave dates count as employed).
    - improvement: among the manager's reps employed and with a value ratio in both the year and
      the year before, how many rose and the mean change (this year's ratio − last year's).
    - retention: 1 − reps employed on the year's first day who left during it ÷ reps employed on its
      first day (a left date after as_of has not happened yet); every leaver's
      value ratio is their ratio in the year they left (lifetime value to then ÷ annual cost then).
    - goals (``goals``: the goals table of metrics.goals) and coaching (``coaching_events``: the
      engagements of metrics.coaching): see _with_goals_and_coaching.
    """
    people = reps.dropna(subset=["manager"])[["rep_id", "name", "team", "manager", "hired", "left"]]
    people = people.astype({"rep_id": "string", "manager": "string"}).assign(
        hired=pd.to_datetime(people["hired"]), left=pd.to_datetime(people["left"]))
    start = pd.to_datetime(pd.Series([period.start_of(y) for y in years])).to_numpy()
    end = pd.to_datetime(pd.Series([min(period.end_of(y), period.as_of) for y in years])).to_numpy()
    hired = people["hired"].to_numpy()[:, None]
    left = people["left"].to_numpy()[:, None]
    hired_known, left_known = ~pd.isna(hired), ~pd.isna(left)
    employed = (~hired_known | (hired <= end[None, :])) & (~left_known | (left >= start[None, :]))
    # Employed at some point of the year before (its end is the day before this year's start).
    prev_start = pd.to_datetime(pd.Series([period.start_of(y - 1) for y in years])).to_numpy()
    prev_end = start - np.timedelta64(1, "D")
    employed_before = (~hired_known | (hired <= prev_end[None, :])) & (~left_known | (left >= prev_start[None, :]))
    at_start = (~hired_known | (hired <= start[None, :])) & (~left_known | (left >= start[None, :]))
    left_year = fiscal_year(people["left"], period.fiscal_year_start).to_numpy(dtype="float64", na_value=np.nan)
    left_by_as_of = (left_known & (left <= np.datetime64(period.as_of))).ravel()
    gone = (left_year[:, None] == np.array(years)[None, :]) & employed & left_by_as_of[:, None]
    grid = pd.DataFrame({
        "manager": np.repeat(people["manager"].to_numpy(dtype=object), len(years)),
        "year": np.tile(years, len(people)),
        "rep_id": np.repeat(people["rep_id"].to_numpy(dtype=object), len(years)),
        "employed": employed.ravel(), "employed_before": employed_before.ravel(),
        "at_start": at_start.ravel(), "left": gone.ravel(),
        "left_from_start": (gone & at_start).ravel(),
    })
    ratios = rep_years.set_index(["rep_id", "year"])["value_ratio"]
    keys = pd.MultiIndex.from_arrays([grid["rep_id"].astype("string"), grid["year"].astype("int64")])
    # A Series maps by its index; pandas-stubs leave Series out of Index.map's mappers.
    grid["ratio"] = keys.map(ratios).astype("float64")  # type: ignore[arg-type]
    before = pd.MultiIndex.from_arrays([grid["rep_id"].astype("string"), grid["year"].astype("int64") - 1])
    grid["ratio_before"] = before.map(ratios).astype("float64")  # type: ignore[arg-type]
    # Only reps employed in both years: a former rep's ratio keeps moving as old clients buy more.
    grid["compared"] = (grid["ratio"].notna() & grid["ratio_before"].notna() & grid["employed"]
                        & grid["employed_before"])
    grid["change"] = (grid["ratio"] - grid["ratio_before"]).where(grid["compared"])
    grid["improved"] = grid["compared"] & (grid["change"] > 0)
    grid["leaver_ratio"] = grid["ratio"].where(grid["left"])
    per = grid.groupby(["manager", "year"]).agg(
        reps=("employed", "sum"), reps_compared=("compared", "sum"), reps_improved=("improved", "sum"),
        mean_ratio_change=("change", "mean"), reps_at_start=("at_start", "sum"), reps_left=("left", "sum"),
        left_from_start=("left_from_start", "sum"),
        leavers_with_ratio=("leaver_ratio", "count"), leavers_mean_ratio=("leaver_ratio", "mean"),
    ).reset_index()
    per["retention"] = (1 - per["left_from_start"] / per["reps_at_start"]).where(per["reps_at_start"] > 0)
    teams = people.dropna(subset=["team"]).groupby("manager")["team"].agg(lambda t: ", ".join(sorted(set(t))))
    per["teams"] = per["manager"].map(teams).astype("string")
    group = manager_years[["manager", "year", "revenue", "reps_with_cost", "value_ratio"]].astype(
        {"manager": "string", "year": "int64"})
    out = per.astype({"manager": "string", "year": "int64"}).merge(group, on=["manager", "year"], how="left")
    for column in ("reps", "reps_compared", "reps_improved", "reps_at_start", "reps_left", "leavers_with_ratio",
                   "reps_with_cost"):
        out[column] = out[column].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    out = out.sort_values(["manager", "year"]).reset_index(drop=True)
    out = _with_goals_and_coaching(out, people, goals, coaching_events, period)[MANAGER_YEAR_COLUMNS]

    leaving = grid[grid["left"]]
    info = people.set_index("rep_id")
    leavers = pd.DataFrame({
        "manager": leaving["manager"].to_numpy(), "team": info.loc[leaving["rep_id"], "team"].to_numpy(),
        "rep_id": leaving["rep_id"].to_numpy(), "name": info.loc[leaving["rep_id"], "name"].to_numpy(),
        "year": leaving["year"].to_numpy(dtype="int64"), "left": info.loc[leaving["rep_id"], "left"].to_numpy(),
        "value_ratio_when_left": leaving["ratio"].to_numpy(),
    }, columns=LEAVER_COLUMNS).astype({"manager": "string", "team": "string", "rep_id": "string", "name": "string"})
    return ManagerHistory(out, leavers.sort_values(["manager", "left", "rep_id"]).reset_index(drop=True))


def _with_goals_and_coaching(out: pd.DataFrame, people: pd.DataFrame, goals: pd.DataFrame | None,
                             events: pd.DataFrame | None, period: Period) -> pd.DataFrame:
    """Per manager and year, add goal attainment and the improvement after coaching.

    - team_goal_attainment = Σ actual ÷ Σ target over the revenue goals of the teams the manager
      leads (a team's manager: the most common manager of its reps), ``team_goals`` of them;
    - rep_goals_met of rep_goals: the manager's reps' goals (any metric) with an attainment, and how
      many reached 100 % (in the reporting year: so far);
    - coaching: the engagements of the manager's reps that started that year and could be measured
      (``coaching_events`` of them, over ``coached_reps`` reps). No effect is given here: a plain mean
      of a few engagements has none of the checks a verdict needs; the effect of the manager's
      coaching, checked and read like /coaching/, is metrics.coaching's ``by_manager``.
    """
    keys = ["manager", "year"]
    manager_of_rep = people.set_index("rep_id")["manager"]
    team_manager = (people.dropna(subset=["team"]).groupby("team")["manager"]
                    .agg(lambda m: m.mode().iloc[0]).astype("string"))
    parts = []
    if goals is not None and len(goals):
        team = goals[(goals["scope"] == "team") & (goals["metric"] == "revenue") & goals["attainment"].notna()]
        team = pd.DataFrame({"manager": team["id"].astype("string").map(team_manager),
                             "year": team["year"].astype("int64"), "target": team["target"], "actual": team["actual"]})
        team_sums = team.dropna(subset=["manager"]).groupby(keys).agg(
            team_goals=("target", "size"), target=("target", "sum"), actual=("actual", "sum"))
        team_sums["team_goal_attainment"] = (team_sums["actual"] / team_sums["target"]).where(team_sums["target"] > 0)
        parts.append(team_sums[["team_goals", "team_goal_attainment"]])
        rep = goals[(goals["scope"] == "rep") & goals["attainment"].notna()]
        rep = pd.DataFrame({"manager": rep["id"].astype("string").map(manager_of_rep),
                            "year": rep["year"].astype("int64"), "met": rep["attainment"] + TOLERANCE >= 1})
        parts.append(rep.dropna(subset=["manager"]).groupby(keys).agg(rep_goals=("met", "size"),
                                                                      rep_goals_met=("met", "sum")))
    if events is not None and len(events):
        done = events[events["included"].astype(bool)]
        done = pd.DataFrame({"manager": done["rep_id"].astype("string").map(manager_of_rep),
                             "year": fiscal_year(done["start"], period.fiscal_year_start).astype("int64"),
                             "rep_id": done["rep_id"]})
        parts.append(done.dropna(subset=["manager"]).groupby(keys).agg(
            coaching_events=("rep_id", "size"), coached_reps=("rep_id", "nunique")))
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
