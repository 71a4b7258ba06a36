"""What the site may publish (SPEC §3 privacy): the metrics as published, and the findings as published.

The metrics stage computes every figure exactly; this module decides what leaves the building:

- ``rep_value_ratios: band``: every figure of one rep's value ratio becomes a band (``1–2``), so a
  rep's annual cost cannot be divided out of mean client LTV ÷ ratio; figures that would give the
  exact ratio back (a goal's attainment on the ratio, a mean over one leaver) are withheld.
- ``show_compensation: false``: a team's, manager's, segment's or the company's ratio is withheld
  when fewer than ``min_group_size`` reps with cost data stand behind it (a team of one rep gives
  that rep's cost away), and no raw cell of the costs export, no coaching cost and no reward text
  reaches /data-quality/ or its files.
- Secondary suppression (the same setting): a group's total cost is ``reps_with_cost ×
  mean_client_ltv ÷ value_ratio``, so the published groups of a year subtracted from their total
  (the company, or a segment for the cells of a heatmap) give the withheld groups' cost together.
  Within each such partition, the withheld part must hold at least ``min_group_size`` reps with cost
  data; otherwise further groups are withheld, smallest first (ties by name). See
  ``suppressed_groups``; what this does not protect is said on the methodology page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from generator.compensation import WITHHELD, private_findings
from generator.config import PrivacyConfig
from generator.metrics import Metrics
from generator.site.text import missing

RATIO_BANDS: tuple[tuple[float, str], ...] = (
    (1.0, "<1"),
    (2.0, "1–2"),
    (3.0, "2–3"),
    (5.0, "3–5"),
    (10.0, "5–10"),
    (math.inf, "≥10"),
)
"""Upper bound (exclusive) and label of each value-ratio band: a ratio of exactly 2 is in ``2–3``."""

BAND_ORDER = {label: index for index, (_upper, label) in enumerate(RATIO_BANDS)}
"""Band label → rank, for sorting rankings by band."""


def ratio_band(value: object) -> str | None:
    """The band of a value ratio (``1–2``); None when there is no ratio."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value)  # type: ignore[arg-type]
    return next(label for upper, label in RATIO_BANDS if number < upper)


def band_rank(value: object) -> float:
    """A sort key that orders bands and exact ratios alike (missing last when sorting descending)."""
    if isinstance(value, str):
        return float(BAND_ORDER.get(value, -1))
    return float("nan") if missing(value) else float(value)  # type: ignore[arg-type]


def _banded(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    banded = pd.Series([ratio_band(v) for v in frame[column]], index=frame.index, dtype="object")
    return frame.assign(**{column: banded})


def _withheld(
    frame: pd.DataFrame, count: str, columns: tuple[str, ...], min_count: int
) -> pd.DataFrame:
    """``columns`` emptied on the rows with fewer than ``min_count`` in ``count``."""
    few = frame[count].fillna(0) < min_count
    present = [c for c in columns if c in frame.columns]
    if not few.any() or not present:
        return frame
    return frame.assign(**{c: frame[c].where(~few) for c in present})


GROUP_RATIO = ("value_ratio", "ratio_low", "ratio_high")

GroupKey = tuple[str, str, int]
"""A published group figure: (kind, name, year). Kinds: ``company``, ``team``, ``manager``,
``segments`` (the company as one segment), a segment dimension, or a heatmap ``region×category``."""


@dataclass(frozen=True)
class Partition:
    """Groups of one year whose total cost adds up to (disjoint) or covers (overlapping) the ``total``'s."""

    total: GroupKey
    groups: tuple[GroupKey, ...]
    disjoint: bool
    """True when every rep counts in at most one group (teams, managers); False for segments, where a
    rep's cost is split across the segments it sold in, so it counts in each."""


def _exposed(
    counts: Mapping[GroupKey, int], partition: Partition, withheld: set[GroupKey], least: int
) -> bool:
    """True when the withheld part of ``partition`` holds fewer than ``least`` reps, but some.

    The withheld part is what subtracting the published groups from the total leaves: with disjoint
    groups, exactly ``total − Σ published`` reps (reps in no group included); with overlapping ones at
    least the larger of that and the biggest withheld group (a rep may be counted in several).
    """
    shown = sum(counts[g] for g in partition.groups if g not in withheld)
    rest = counts[partition.total] - shown
    if partition.disjoint:
        return 0 < rest < least
    hidden = [counts[g] for g in partition.groups if g in withheld and counts[g] > 0]
    return bool(hidden) and max(rest, *hidden) < least


def suppressed_groups(
    counts: Mapping[GroupKey, int], partitions: Iterable[Partition], least: int
) -> frozenset[GroupKey]:
    """The group figures to withhold: primary (fewer than ``least`` reps with cost data) and secondary.

    Secondary (standard statistical disclosure control): for every partition whose total is
    published, the withheld part must hold at least ``least`` reps, else the smallest published
    group (ties by name) is withheld too, and so on. Then an audit solves the partitions of each
    year together as linear equations (a heatmap cell sits in a row, a column and the whole map):
    a withheld figure they determine exactly loses the smallest published group beside it. Both
    repeat until nothing changes. If every group is withheld and the part is still too small, the
    total is withheld.
    """
    withheld = {key for key, n in counts.items() if n < least}
    todo = list(partitions)
    changed = True
    while changed:
        changed = False
        for partition in todo:
            while partition.total not in withheld and _exposed(counts, partition, withheld, least):
                withheld.add(_smallest(counts, partition.groups, withheld) or partition.total)
                changed = True
        for year in sorted({p.total[2] for p in todo}):
            solved = _determined(counts, [p for p in todo if p.total[2] == year], withheld, least)
            victim = (
                None
                if solved is None
                else _smallest(
                    counts,
                    [g for g in solved.groups if g not in withheld]
                    or [g for p in todo if p.total[2] == year for g in p.groups],
                    withheld,
                )
            )
            if victim is not None:
                withheld.add(victim)
                changed = True
    return frozenset(withheld)


def _smallest(
    counts: Mapping[GroupKey, int], groups: Iterable[GroupKey], withheld: set[GroupKey]
) -> GroupKey | None:
    """The published group with the fewest reps with cost data, ties by name (None: all withheld)."""
    shown = [g for g in groups if g not in withheld]
    return min(shown, key=lambda g: (counts[g], g[1], g)) if shown else None


def _determined(
    counts: Mapping[GroupKey, int], partitions: list[Partition], withheld: set[GroupKey], least: int
) -> Partition | None:
    """A partition holding a withheld figure of fewer than ``least`` reps (or its reps in no group)
    that the published figures determine exactly; None when there is none.

    Each partition is an equation on total costs: total − Σ groups (− its reps in no group, when
    disjoint) = 0. The unknowns are the withheld figures with reps behind them; one is determined
    when its unit vector lies in the span of the equations (its projection onto that span is itself).
    """
    index: dict[object, int] = {}
    size: list[int] = []
    home: list[Partition] = []
    rows: list[list[tuple[int, float]]] = []

    def unknown(key: object, n: int, partition: Partition) -> int:
        if key not in index:
            index[key] = len(index)
            size.append(n)
            home.append(partition)
        return index[key]

    for p in partitions:
        row = []
        for key, sign in ((p.total, -1.0), *((g, 1.0) for g in p.groups)):
            if key in withheld and counts[key] > 0:
                row.append((unknown(key, counts[key], p), sign))
        rest = counts[p.total] - sum(counts[g] for g in p.groups)
        if p.disjoint and rest > 0:
            row.append((unknown(("rest", p), rest, p), 1.0))
        rows.append(row)
    if not index:
        return None
    matrix = np.zeros((len(rows), len(index)))
    for r, row in enumerate(rows):
        for at, sign in row:
            matrix[r, at] = sign
    _u, sigma, vt = np.linalg.svd(matrix, full_matrices=False)
    reach = (vt[sigma > 1e-9] ** 2).sum(axis=0)
    for at in np.flatnonzero(reach > 1.0 - 1e-9).tolist():
        if size[at] < least:
            return home[at]
    return None


def _keys(
    frame: pd.DataFrame, kind: str, name: str | None, year: int | None = None
) -> list[GroupKey]:
    """The GroupKey of each row: ``name`` is the group's column (None: the company), ``year`` fixed or per row."""
    names = frame[name].astype("string").fillna("") if name else pd.Series("", index=frame.index)
    years = frame["year"] if year is None else pd.Series(year, index=frame.index)
    return [(kind, str(n), int(y)) for n, y in zip(names, years, strict=True)]


def _counts(frame: pd.DataFrame, keys: list[GroupKey]) -> dict[GroupKey, int]:
    return dict(zip(keys, frame["reps_with_cost"].fillna(0).astype("int64").tolist(), strict=True))


def _cell_name(first: object, second: object) -> str:
    return f"{first}\u241f{second}"  # a separator no label can hold: SYMBOL FOR UNIT SEPARATOR


def group_suppression(metrics: Metrics, least: int) -> frozenset[GroupKey]:
    """Every group figure of ``metrics`` to withhold when pay is hidden (see suppressed_groups)."""
    counts: dict[GroupKey, int] = {}
    partitions: list[Partition] = []
    company = _keys(metrics.company_years, "company", None)
    counts.update(_counts(metrics.company_years, company))
    for kind, frame, key in (
        ("team", metrics.team_years, "team"),
        ("manager", metrics.manager_history.years, "manager"),
    ):
        keys = _keys(frame, kind, key)
        counts.update(_counts(frame, keys))
        for total in company:
            partitions.append(
                Partition(total, tuple(k for k in keys if k[2] == total[2]), disjoint=True)
            )
    segments = metrics.segments
    whole = _keys(segments.company, "segments", None)
    counts.update(_counts(segments.company, whole))
    for dim, frame in segments.history.items():
        keys = _keys(frame, dim, dim)
        counts.update(_counts(frame, keys))
        for total in whole:
            partitions.append(
                Partition(total, tuple(k for k in keys if k[2] == total[2]), disjoint=False)
            )
    year = metrics.period.year
    for (first, second), cells in segments.crosses.items():
        kind = f"{first}×{second}"
        names = [_cell_name(a, b) for a, b in zip(cells[first], cells[second], strict=True)]
        keys = [(kind, n, year) for n in names]
        counts.update(_counts(cells, keys))
        partitions.append(Partition(("segments", "", year), tuple(keys), disjoint=False))
        for dim in (first, second):
            for value, rows in cells.groupby(dim, sort=True).indices.items():
                partitions.append(
                    Partition((dim, str(value), year), tuple(keys[i] for i in rows), disjoint=False)
                )
    for partition in partitions:  # a total a table does not have (no such row) counts as withheld
        counts.setdefault(partition.total, 0)
    return suppressed_groups(counts, partitions, least)


def _withhold_keys(
    frame: pd.DataFrame,
    keys: list[GroupKey],
    withheld: frozenset[GroupKey],
    columns: tuple[str, ...] = GROUP_RATIO,
) -> pd.DataFrame:
    """``columns`` emptied on the rows whose key is withheld."""
    hide = pd.Series([k in withheld for k in keys], index=frame.index, dtype="bool")
    present = [c for c in columns if c in frame.columns]
    if not hide.any() or not present:
        return frame
    return frame.assign(**{c: frame[c].where(~hide) for c in present})


def publishable_metrics(metrics: Metrics, privacy: PrivacyConfig) -> Metrics:
    """The metrics as the site may show them under ``privacy`` (see the module docstring)."""
    changes: dict[str, object] = {}
    goals = metrics.goals
    managers = metrics.manager_history
    if not privacy.show_compensation:
        n = privacy.min_group_size
        withheld = group_suppression(metrics, n)
        year = metrics.period.year

        def group(
            frame: pd.DataFrame, kind: str, name: str | None, at: int | None = None
        ) -> pd.DataFrame:
            return _withhold_keys(frame, _keys(frame, kind, name, at), withheld)

        segments = metrics.segments
        changes.update(
            teams=group(metrics.teams, "team", "team", year),
            team_years=group(metrics.team_years, "team", "team"),
            managers=group(metrics.managers, "manager", "manager", year),
            company_years=group(metrics.company_years, "company", None),
            segments=replace(
                segments,
                history={d: group(t, d, d) for d, t in segments.history.items()},
                current={d: group(t, d, d, year) for d, t in segments.current.items()},
                crosses={
                    k: _withhold_keys(
                        t,
                        [
                            (f"{k[0]}×{k[1]}", _cell_name(a, b), year)
                            for a, b in zip(t[k[0]], t[k[1]], strict=True)
                        ],
                        withheld,
                    )
                    for k, t in segments.crosses.items()
                },
                company=group(segments.company, "segments", None),
            ),
        )
        managers = replace(managers, years=group(managers.years, "manager", "manager"))
        # A team goal on the value ratio is the team's ratio by another count: withheld with it.
        table = goals.goals
        team_ratio = (table["scope"] == "team") & (table["metric"] == "value_ratio")
        hidden = pd.Series(
            [
                ("team", str(t), int(y)) in withheld
                for t, y in zip(table["id"], table["year"], strict=True)
            ],
            index=table.index,
            dtype="bool",
        )
        small = team_ratio & ((table["members"].fillna(0) < n) | hidden)
        attained = goals.team_attainment
        hidden = pd.Series(
            [
                ("team", str(t), int(y)) in withheld
                for t, y in zip(attained["team"], attained["year"], strict=True)
            ],
            index=attained.index,
            dtype="bool",
        )
        small_team = (attained["metric"] == "value_ratio") & (
            (attained["members"].fillna(0) < n) | hidden
        )
        goals = replace(
            goals,
            goals=table.assign(
                actual=table["actual"].where(~small),
                attainment=table["attainment"].where(~small),
                pace=table["pace"].where(~small),
            ),
            team_attainment=attained.assign(
                actual=attained["actual"].where(~small_team),
                attainment=attained["attainment"].where(~small_team),
            ),
        )
    if privacy.rep_value_ratios == "band":
        # A rep's interval is the exact ratio's neighbourhood (and cost = LTV ÷ ratio): withheld with it.
        reps = _banded(metrics.reps, "value_ratio").assign(ratio_low=np.nan, ratio_high=np.nan)
        changes.update(reps=reps, rep_years=_banded(metrics.rep_years, "value_ratio"))
        if metrics.activity is not None:
            changes["activity"] = replace(
                metrics.activity, reps=_banded(metrics.activity.reps, "value_ratio")
            )
        years = _withheld(
            managers.years, "leavers_with_ratio", ("leavers_mean_ratio",), privacy.min_group_size
        )
        years = _withheld(years, "reps_compared", ("mean_ratio_change",), privacy.min_group_size)
        managers = replace(
            managers, years=years, leavers=_banded(managers.leavers, "value_ratio_when_left")
        )
        rep_ratio = (goals.goals["scope"] == "rep") & (goals.goals["metric"] == "value_ratio")
        actual = (
            goals.goals["actual"]
            .astype("object")
            .where(~rep_ratio, goals.goals["actual"].map(ratio_band))
        )
        calibration = goals.calibration
        rep_rows = (calibration["scope"] == "rep") & (calibration["metric"] == "value_ratio")
        spread = ["median_attainment", "min_attainment", "max_attainment"]
        goals = replace(
            goals,
            goals=goals.goals.assign(
                actual=actual,
                attainment=goals.goals["attainment"].where(~rep_ratio),
                pace=goals.goals["pace"].where(~rep_ratio),
            ),
            calibration=calibration.assign(**{c: calibration[c].where(~rep_rows) for c in spread}),
        )
    changes.update(goals=goals, manager_history=managers)
    return replace(metrics, **changes)  # type: ignore[arg-type]


def publishable_findings(issues: pd.DataFrame, privacy: PrivacyConfig) -> pd.DataFrame:
    """The data-quality findings with every private cell withheld: file, row, column and reason stay."""
    if privacy.show_compensation or not len(issues):
        return issues
    private = private_findings(issues) & issues["value"].notna()
    return issues.assign(value=issues["value"].astype("object").where(~private, WITHHELD))
