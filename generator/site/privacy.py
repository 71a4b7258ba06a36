"""What the site may publish (SPEC §3 privacy): the metrics as published, and the findings as published.

The metrics stage computes every figure exactly; this module decides what leaves the building:

- ``rep_value_ratios: band``: every figure of one rep's value ratio becomes a band (``1–2``), so a
  rep's annual cost cannot be divided out of mean client LTV ÷ ratio; figures that would give the
  exact ratio back (a goal's attainment on the ratio, a mean over one leaver) are withheld.
- ``show_compensation: false``: a team's, manager's, segment's or the company's ratio is withheld
  when fewer than ``min_group_size`` reps with cost data stand behind it (a team of one rep gives
  that rep's cost away), and no raw cell of the costs export, no coaching cost and no reward text
  reaches /data-quality/ or its files.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from generator.compensation import WITHHELD, private_findings
from generator.config import PrivacyConfig
from generator.metrics import Metrics

RATIO_BANDS: tuple[tuple[float, str], ...] = (
    (1.0, "<1"), (2.0, "1–2"), (3.0, "2–3"), (5.0, "3–5"), (10.0, "5–10"), (math.inf, "≥10"),
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
    return float("nan") if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _banded(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    banded = pd.Series([ratio_band(v) for v in frame[column]], index=frame.index, dtype="object")
    return frame.assign(**{column: banded})


def _withheld(frame: pd.DataFrame, count: str, columns: tuple[str, ...], min_count: int) -> pd.DataFrame:
    """``columns`` emptied on the rows with fewer than ``min_count`` in ``count``."""
    few = frame[count].fillna(0) < min_count
    present = [c for c in columns if c in frame.columns]
    if not few.any() or not present:
        return frame
    return frame.assign(**{c: frame[c].where(~few) for c in present})


GROUP_RATIO = ("value_ratio", "ratio_low", "ratio_high")


def publishable_metrics(metrics: Metrics, privacy: PrivacyConfig) -> Metrics:
    """The metrics as the site may show them under ``privacy`` (see the module docstring)."""
    changes: dict[str, object] = {}
    goals = metrics.goals
    managers = metrics.manager_history
    if not privacy.show_compensation:
        n = privacy.min_group_size

        def group(frame: pd.DataFrame) -> pd.DataFrame:
            return _withheld(frame, "reps_with_cost", GROUP_RATIO, n)

        segments = metrics.segments
        changes.update(
            teams=group(metrics.teams), team_years=group(metrics.team_years), managers=group(metrics.managers),
            company_years=group(metrics.company_years),
            segments=replace(segments, history={d: group(t) for d, t in segments.history.items()},
                             current={d: group(t) for d, t in segments.current.items()},
                             crosses={k: group(t) for k, t in segments.crosses.items()},
                             company=group(segments.company)),
        )
        managers = replace(managers, years=group(managers.years))
        team_ratio = (goals.goals["scope"] == "team") & (goals.goals["metric"] == "value_ratio")
        small = team_ratio & (goals.goals["members"].fillna(0) < n)
        attained = goals.team_attainment
        small_team = (attained["metric"] == "value_ratio") & (attained["members"].fillna(0) < n)
        goals = replace(goals, goals=goals.goals.assign(
            actual=goals.goals["actual"].where(~small), attainment=goals.goals["attainment"].where(~small),
            pace=goals.goals["pace"].where(~small)),
            team_attainment=attained.assign(actual=attained["actual"].where(~small_team),
                                            attainment=attained["attainment"].where(~small_team)))
    if privacy.rep_value_ratios == "band":
        changes.update(reps=_banded(metrics.reps, "value_ratio"), rep_years=_banded(metrics.rep_years, "value_ratio"))
        if metrics.activity is not None:
            changes["activity"] = replace(metrics.activity, reps=_banded(metrics.activity.reps, "value_ratio"))
        years = _withheld(managers.years, "leavers_with_ratio", ("leavers_mean_ratio",), privacy.min_group_size)
        years = _withheld(years, "reps_compared", ("mean_ratio_change",), privacy.min_group_size)
        managers = replace(managers, years=years, leavers=_banded(managers.leavers, "value_ratio_when_left"))
        rep_ratio = (goals.goals["scope"] == "rep") & (goals.goals["metric"] == "value_ratio")
        actual = goals.goals["actual"].astype("object").where(~rep_ratio, goals.goals["actual"].map(ratio_band))
        calibration = goals.calibration
        rep_rows = (calibration["scope"] == "rep") & (calibration["metric"] == "value_ratio")
        spread = ["median_attainment", "min_attainment", "max_attainment"]
        goals = replace(goals, goals=goals.goals.assign(
            actual=actual, attainment=goals.goals["attainment"].where(~rep_ratio),
            pace=goals.goals["pace"].where(~rep_ratio)),
            calibration=calibration.assign(**{c: calibration[c].where(~rep_rows) for c in spread}))
    changes.update(goals=goals, manager_history=managers)
    return replace(metrics, **changes)  # type: ignore[arg-type]


def publishable_findings(issues: pd.DataFrame, privacy: PrivacyConfig) -> pd.DataFrame:
    """The data-quality findings with every private cell withheld: file, row, column and reason stay."""
    if privacy.show_compensation or not len(issues):
        return issues
    private = private_findings(issues) & issues["value"].notna()
    return issues.assign(value=issues["value"].astype("object").where(~private, WITHHELD))
