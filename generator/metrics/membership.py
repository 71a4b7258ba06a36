"""Team and manager over time: which group a rep belonged to on a given day, from the memberships
export when there is one, else the reps export's current team for every day. Pure: no clock, no files."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CURRENT_TEAM_NOTE = ("Team membership over time is not in the exports: each rep counts in their current team "
                     "for every year.")
"""What every team and manager page says when there is no memberships export."""

DATED_TEAM_NOTE = ("Team membership over time comes from the memberships export: each deal counts with the team "
                   "and manager its rep belonged to on the deal's close date.")
"""What every team and manager page says with a memberships export."""


@dataclass(frozen=True)
class Membership:
    """Rep → group (team or manager) on a given day.

    ``current`` maps rep_id to the group in the reps export; ``periods`` (rep_id, group, start, end;
    end inclusive, empty while open) are the dated memberships. A day that no period covers, or a rep
    without periods, falls back to ``current``; where periods overlap the later start counts.
    """

    current: pd.Series
    periods: pd.DataFrame | None = None
    year_ends: dict[int, pd.Timestamp] = field(default_factory=dict)
    """Fiscal year → the day a year's membership is read on (year end, or as_of in the reporting year)."""

    @property
    def dated(self) -> bool:
        """Whether membership over time is known (a memberships export with rows)."""
        return self.periods is not None and len(self.periods) > 0

    def groups(self) -> pd.Index:
        """Every group a rep belongs to at some time, current or dated."""
        names = self.current.dropna().astype("string")
        if self.dated:
            assert self.periods is not None
            names = pd.concat([names, self.periods["group"].dropna().astype("string")])
        return pd.Index(names.unique()).astype("string")

    def on(self, rep_ids: pd.Series, days: pd.Series) -> pd.Series:
        """The group of each rep on each day (text, <NA> when none), aligned with ``rep_ids``."""
        ids = rep_ids.astype("string")
        fallback = ids.map(self.current).astype("string")
        if not self.dated or not len(ids):
            return fallback
        assert self.periods is not None
        # One text dtype on both sides: merge_asof refuses to join str with string.
        rows = pd.DataFrame({"rep_id": ids.to_numpy(), "day": pd.to_datetime(days).to_numpy().astype("datetime64[ns]"),
                             "row": range(len(ids))}).astype({"rep_id": "string"})
        rows = rows.dropna(subset=["rep_id", "day"]).sort_values("day", kind="stable")
        periods = self.periods.assign(rep_id=self.periods["rep_id"].astype("string"),
                                      start=pd.to_datetime(self.periods["start"]).astype("datetime64[ns]"),
                                      end=pd.to_datetime(self.periods["end"]).astype("datetime64[ns]"))
        periods = periods.sort_values(["start"], kind="stable")[["rep_id", "start", "end", "group"]]
        dated = pd.Series(pd.NA, index=range(len(ids)), dtype="string")
        # The latest period starting on or before the day counts if it has not ended by then; else
        # the one starting before it, and so on (overlapping periods: a long one around a short one).
        pending = rows.assign(limit=rows["day"])
        while len(pending):
            found = pd.merge_asof(pending, periods, left_on="limit", right_on="start", by="rep_id",
                                  direction="backward")
            started = found["start"].notna()
            covers = started & (found["end"].isna() | (found["end"] >= found["day"]))
            hit = found[covers.to_numpy()]
            dated.iloc[hit["row"].to_numpy()] = hit["group"].astype("string").to_numpy()
            pending = found.loc[(started & ~covers).to_numpy(), ["rep_id", "day", "row", "start"]]
            pending = (pending.assign(limit=pending["start"] - pd.Timedelta(1, "ns")).drop(columns="start")
                       .sort_values("limit", kind="stable"))
        out = pd.Series(dated.to_numpy(), index=ids.index, dtype="string")
        return out.fillna(fallback)

    def in_year(self, rep_ids: pd.Series, years: pd.Series) -> pd.Series:
        """The group of each rep for a yearly figure (cost): the group on the year's last day (as_of
        in the reporting year)."""
        if not self.dated:
            return rep_ids.astype("string").map(self.current).astype("string")
        days = years.astype("int64").map(self.year_ends)
        return self.on(rep_ids, days)


def team_membership(reps: pd.DataFrame, memberships: pd.DataFrame | None,
                    year_ends: dict[int, pd.Timestamp]) -> Membership:
    """Teams over time: the memberships export's team, else the reps export's current team."""
    current = pd.Series(reps["team"].to_numpy(), index=reps["rep_id"].astype("string").to_numpy()).dropna()
    periods = None
    if memberships is not None and len(memberships):
        periods = memberships.assign(group=memberships["team"])[["rep_id", "group", "start", "end"]]
    return Membership(current.astype("string"), periods, year_ends)


def manager_membership(reps: pd.DataFrame, memberships: pd.DataFrame | None,
                       year_ends: dict[int, pd.Timestamp]) -> Membership:
    """Managers over time: the memberships export's manager, else the manager of that period's team
    (the most common manager of the team's reps in the reps export), else the reps export's manager."""
    current = pd.Series(reps["manager"].to_numpy(), index=reps["rep_id"].astype("string").to_numpy()).dropna()
    periods = None
    if memberships is not None and len(memberships):
        team_manager = (reps.dropna(subset=["team", "manager"]).groupby("team")["manager"]
                        .agg(lambda m: m.mode().iloc[0]))
        manager = memberships["manager"].astype("string").fillna(
            memberships["team"].map(team_manager).astype("string"))
        periods = memberships.assign(group=manager)[["rep_id", "group", "start", "end"]].dropna(subset=["group"])
    return Membership(current.astype("string"), periods, year_ends)
