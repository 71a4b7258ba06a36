"""Team and manager over time: which group a rep belonged to on a given day, from the memberships
export when there is one, else the reps export's current team for every day. Pure: no clock, no files."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CURRENT_TEAM_NOTE = (
    "Team membership over time is not in the exports: each rep counts in their current team "
    "for every year."
)
"""What every team and manager page says when there is no memberships export."""

DATED_TEAM_NOTE = (
    "Team membership over time comes from the memberships export: each deal counts with the team "
    "and manager its rep belonged to on the deal's close date."
)
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
        rows = pd.DataFrame(
            {
                "rep_id": ids.to_numpy(),
                "day": pd.to_datetime(days).to_numpy().astype("datetime64[ns]"),
                "row": range(len(ids)),
            }
        ).astype({"rep_id": "string"})
        rows = rows.dropna(subset=["rep_id", "day"]).sort_values("day", kind="stable")
        periods = self.periods.assign(
            rep_id=self.periods["rep_id"].astype("string"),
            start=pd.to_datetime(self.periods["start"]).astype("datetime64[ns]"),
            end=pd.to_datetime(self.periods["end"]).astype("datetime64[ns]"),
        )
        periods = periods.sort_values(["start"], kind="stable")[["rep_id", "start", "end", "group"]]
        dated = pd.Series(pd.NA, index=range(len(ids)), dtype="string")
        # The latest period starting on or before the day counts if it has not ended by then; else
        # the one starting before it, and so on (overlapping periods: a long one around a short one).
        pending = rows.assign(limit=rows["day"])
        while len(pending):
            found = pd.merge_asof(
                pending,
                periods,
                left_on="limit",
                right_on="start",
                by="rep_id",
                direction="backward",
            )
            started = found["start"].notna()
            covers = started & (found["end"].isna() | (found["end"] >= found["day"]))
            hit = found[covers.to_numpy()]
            dated.iloc[hit["row"].to_numpy()] = hit["group"].astype("string").to_numpy()
            pending = found.loc[(started & ~covers).to_numpy(), ["rep_id", "day", "row", "start"]]
            pending = (
                pending.assign(limit=pending["start"] - pd.Timedelta(1, "ns"))
                .drop(columns="start")
                .sort_values("limit", kind="stable")
            )
        out = pd.Series(dated.to_numpy(), index=ids.index, dtype="string")
        return out.fillna(fallback)

    def in_year(self, rep_ids: pd.Series, years: pd.Series) -> pd.Series:
        """The group of each rep for a yearly figure (cost): the group on the year's last day (as_of
        in the reporting year)."""
        if not self.dated:
            return rep_ids.astype("string").map(self.current).astype("string")
        days = years.astype("int64").map(self.year_ends)
        return self.on(rep_ids, days)


def team_membership(
    reps: pd.DataFrame, memberships: pd.DataFrame | None, year_ends: dict[int, pd.Timestamp]
) -> Membership:
    """Teams over time: the memberships export's team, else the reps export's current team."""
    current = pd.Series(
        reps["team"].to_numpy(), index=reps["rep_id"].astype("string").to_numpy()
    ).dropna()
    periods = None
    if memberships is not None and len(memberships):
        periods = memberships.assign(group=memberships["team"])[["rep_id", "group", "start", "end"]]
    return Membership(current.astype("string"), periods, year_ends)


def manager_membership(
    reps: pd.DataFrame, memberships: pd.DataFrame | None, year_ends: dict[int, pd.Timestamp]
) -> Membership:
    """Managers over time: the memberships export's manager, else the manager of that period's team
    (the most common manager of the team's reps in the reps export), else the reps export's manager."""
    current = pd.Series(
        reps["manager"].to_numpy(), index=reps["rep_id"].astype("string").to_numpy()
    ).dropna()
    periods = None
    if memberships is not None and len(memberships):
        team_manager = (
            reps.dropna(subset=["team", "manager"])
            .groupby("team")["manager"]
            .agg(lambda m: m.mode().iloc[0])
        )
        manager = (
            memberships["manager"]
            .astype("string")
            .fillna(memberships["team"].map(team_manager).astype("string"))
        )
        periods = memberships.assign(group=manager)[["rep_id", "group", "start", "end"]].dropna(
            subset=["group"]
        )
    return Membership(current.astype("string"), periods, year_ends)


SPELL_COLUMNS = ["rep_id", "year", "day", "team", "manager", "at_start", "at_end"]
"""Columns of ``membership_spells``: one row per stretch of a fiscal year a rep spent employed in one
team under one manager; ``day`` is the stretch's first day."""


def membership_spells(
    reps: pd.DataFrame,
    teams: Membership,
    managers: Membership,
    year_spans: dict[int, tuple[pd.Timestamp, pd.Timestamp]],
) -> pd.DataFrame:
    """Each rep's team and manager through each fiscal year, as stretches (``SPELL_COLUMNS``).

    ``year_spans`` maps a fiscal year to its first and last day (as_of in the reporting year). A rep
    counts in a year while employed in it (hired on or before the last day, not left before the first;
    unknown dates count as employed), from max(first day, hired) to min(last day, left). A stretch
    starts on that first employed day and on every day a membership period starts or ends the day
    before; consecutive stretches with the same team and manager are merged. ``at_start``: the
    stretch holds the year's first day (the rep was there when the year began); ``at_end``: the
    stretch holds the rep's last employed day of the year (year end, as_of or the leave date).
    Without dated membership every employed rep-year is one stretch in the current team and manager.
    Team or manager is <NA> when not known.
    """
    people = pd.DataFrame(
        {
            "rep_id": reps["rep_id"].astype("string").to_numpy(),
            "hired": pd.to_datetime(reps["hired"]).astype("datetime64[ns]").to_numpy(),
            "left": pd.to_datetime(reps["left"]).astype("datetime64[ns]").to_numpy(),
        }
    )
    spans = pd.DataFrame(
        {
            "year": list(year_spans),
            "start": pd.to_datetime([s for s, _ in year_spans.values()]).astype("datetime64[ns]"),
            "end": pd.to_datetime([e for _, e in year_spans.values()]).astype("datetime64[ns]"),
        }
    )
    grid = people.merge(spans, how="cross")
    grid["first"] = grid["start"].where(
        grid["hired"].isna() | (grid["hired"] <= grid["start"]), grid["hired"]
    )
    grid["last"] = grid["end"].where(
        grid["left"].isna() | (grid["left"] >= grid["end"]), grid["left"]
    )
    grid = grid[grid["first"] <= grid["last"]]
    days = [grid[["rep_id", "year", "first"]].rename(columns={"first": "day"})]
    bounds = [m.periods for m in (teams, managers) if m.dated and m.periods is not None]
    if bounds:
        periods = pd.concat(bounds, ignore_index=True)
        # A stretch starts where a period starts and the day after one ends.
        starts_ends = pd.concat(
            [
                pd.to_datetime(periods["start"]),
                pd.to_datetime(periods["end"]) + pd.Timedelta(days=1),
            ]
        ).astype("datetime64[ns]")
        changes = (
            pd.DataFrame(
                {
                    "rep_id": pd.concat([periods["rep_id"]] * 2).astype("string").to_numpy(),
                    "day": starts_ends.to_numpy(),
                }
            )
            .dropna()
            .drop_duplicates()
        )
        inside = grid[["rep_id", "year", "first", "last"]].merge(changes, on="rep_id")
        inside = inside[(inside["day"] > inside["first"]) & (inside["day"] <= inside["last"])]
        days.append(inside[["rep_id", "year", "day"]])
    out = (
        pd.concat(days, ignore_index=True)
        .drop_duplicates()
        .sort_values(["rep_id", "year", "day"], kind="stable")
    )
    out = out.reset_index(drop=True)
    out["team"] = teams.on(out["rep_id"], out["day"]).to_numpy()
    out["manager"] = managers.on(out["rep_id"], out["day"]).to_numpy()
    out = out.astype({"rep_id": "string", "year": "int64", "team": "string", "manager": "string"})
    key = (out["rep_id"] + "\x00" + out["year"].astype("string")).fillna("")
    same = (
        (key == key.shift().fillna(""))
        & (out["team"].fillna("\x00") == out["team"].shift().fillna("\x00"))
        & (out["manager"].fillna("\x00") == out["manager"].shift().fillna("\x00"))
    )
    out = out[~same.to_numpy(dtype=bool)].reset_index(drop=True)
    key = (out["rep_id"] + "\x00" + out["year"].astype("string")).fillna("")
    out["at_start"] = (out["day"] == out["year"].map(spans.set_index("year")["start"])).to_numpy(
        dtype=bool
    )
    out["at_end"] = (key != key.shift(-1).fillna("")).to_numpy(dtype=bool)
    return out[SPELL_COLUMNS]
