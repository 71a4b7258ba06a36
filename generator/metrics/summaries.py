"""Summaries the pages show, computed here so the page layer only formats (SPEC §5, §6).

Every function is pure: published metrics (after the privacy filter) or the quality report in, plain
values or DataFrames out. Money is in currency units, rates are fractions, counts are integers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.metrics import Metrics, rep_history_shown
from generator.metrics.compute import trailing_change
from generator.quality import WARNING, DatasetSummary

HEADLINE_FIGURES: tuple[tuple[str, bool], ...] = (
    ("revenue", False),
    ("won_deals", False),
    ("win_rate", True),
    ("new_clients", False),
    ("mean_client_ltv", False),
)
"""The company figures at the top of the overview, in order, and whether each changes in points."""

DATASET_COLUMNS = [
    "dataset",
    "files",
    "rows_read",
    "rows_used",
    "rows_excluded",
    "warnings",
    "latest",
]
"""Columns of ``dataset_usage`` (data/datasets.csv)."""

REASON_KEYS = ["severity", "dataset", "file", "column", "problem", "action"]
"""What makes two findings the same reason on /data-quality/."""


@dataclass(frozen=True)
class Headline:
    """One company figure of the reporting year beside the same span of last year."""

    figure: str
    """Registry name (``revenue``, ``win_rate``, …)."""
    value: float
    """The reporting year up to ``as_of``; NaN when it cannot be computed."""
    previous: float
    """The same span (up to the same day) of the previous year; NaN when unknown."""
    change: float
    """Relative change (0.1 = +10 %), or the difference in points for a rate; NaN when undefined."""
    in_points: bool
    """True for rates: ``change`` is ``value - previous``, not a relative change."""


@dataclass(frozen=True)
class Headlines:
    """The overview's headline figures and the median rep value ratio."""

    figures: tuple[Headline, ...]
    median_ratio: float | str | None
    """Median value ratio of the ranked reps (current, at least ``rankings.min_clients`` clients, see
    ``metrics.rankings``): a float, or the lower middle band when ratios are banded (never a mean of
    two bands); None or NaN when no rep is ranked."""
    reps_with_ratio: int
    """How many reps the median is over (the ranked reps)."""


def _field(row: pd.Series, name: str) -> float:
    return float(row[name]) if name in row and not pd.isna(row[name]) else float("nan")


def lower_median(values: pd.Series, key: Callable[[object], float]) -> object:
    """The lower middle of ``values`` sorted by ``key`` (missing values dropped); None when empty.

    For banded ratios: a band, never an interpolation between two bands."""
    present = sorted(values.dropna(), key=key)
    return present[(len(present) - 1) // 2] if present else None


def headline_figures(
    metrics: Metrics, *, banded: bool, rank: Callable[[object], float]
) -> Headlines:
    """The company's headline figures with their change on the same span of last year, and the
    median rep value ratio (``rank`` orders bands when ``banded``)."""
    now, before = metrics.company(metrics.period.year), metrics.company_previous
    figures = []
    for name, in_points in HEADLINE_FIGURES:
        current, previous = _field(now, name), _field(before, name)
        change = current - previous if in_points else trailing_change(current, previous)
        figures.append(Headline(name, current, previous, change, in_points))
    # Over the reps the rankings list, so the median and the rankings speak of the same people.
    ratios = metrics.reps.loc[metrics.reps["ranked"].astype(bool), "value_ratio"]
    median = lower_median(ratios, rank) if banded else ratios.median()
    return Headlines(tuple(figures), median, int(ratios.notna().sum()))  # type: ignore[arg-type]


def ranked_by_ratio(
    reps: pd.DataFrame, *, banded: bool, rank: Callable[[object], float]
) -> pd.DataFrame:
    """The ranked reps (``ranked``: current, at least ``rankings.min_clients`` clients, a value ratio;
    see ``metrics.rankings``), highest ratio first, with a ``rank`` column (the sort key). Ties: by
    rep id; with bands (many ties), by name then rep id. Former and few-client reps are never here."""
    ranked = reps[reps["ranked"].astype(bool) & reps["value_ratio"].notna()]
    ranked = ranked.assign(rank=ranked["value_ratio"].map(rank))
    return ranked.sort_values(
        ["rank", "name", "rep_id"] if banded else ["rank", "rep_id"],
        ascending=[False, True, True] if banded else [False, True],
    )


@dataclass(frozen=True)
class RepGaps:
    """Reps whose value ratio is empty, by reason (for the overview's alerts)."""

    without_cost: int
    """Reps with no cost record (0 when no cost data was provided at all)."""
    without_clients: int
    """Reps who have not acquired a client yet (a mean over no clients is undefined)."""


def rep_gaps(reps: pd.DataFrame, has_costs: bool) -> RepGaps:
    """How many reps lack a cost record or a client."""
    return RepGaps(
        without_cost=int(reps["annual_cost"].isna().sum()) if has_costs else 0,
        without_clients=int((reps["clients"] == 0).sum()),
    )


@dataclass(frozen=True)
class Unranked:
    """Reps with a value ratio that rankings leave out, by reason (for the overview's note)."""

    former: int
    """Reps not employed on as_of (left on or before it, or hired after it)."""
    few_clients: int
    """Current reps with fewer clients than ``rankings.min_clients``."""


def unranked(reps: pd.DataFrame, min_clients: int) -> Unranked:
    """How many reps with a value ratio are not ranked, and why (see ``metrics.rankings``)."""
    left_out = reps[reps["value_ratio"].notna() & ~reps["ranked"].astype(bool)]
    few = (left_out["status"] == "current") & (left_out["clients"] < min_clients)
    return Unranked(former=int((~few).sum()), few_clients=int(few.sum()))


def status_counts(reps: pd.DataFrame) -> tuple[int, int]:
    """(current, former) reps."""
    return int((reps["status"] == "current").sum()), int((reps["status"] == "former").sum())


NO_COST_DATA, NO_COST_RECORD, NO_CLIENTS, ZERO_COST = (
    "no_cost_data",
    "no_cost_record",
    "no_clients",
    "zero_cost",
)
"""Why a value ratio is empty (see ``missing_ratio``)."""


def missing_ratio(row: Mapping[Hashable, object], has_costs: bool) -> str | None:
    """Why one rep's (or team's) value ratio is empty; None when it has one."""
    if not pd.isna(row["value_ratio"]):  # type: ignore[call-overload]  # a float, a band or missing
        return None
    if not has_costs:
        return NO_COST_DATA
    if pd.isna(row["annual_cost"]):  # type: ignore[call-overload]
        return NO_COST_RECORD
    if not row["clients"]:
        return NO_CLIENTS
    return ZERO_COST


def rep_history(metrics: Metrics) -> pd.DataFrame:
    """The rows of ``rep_years`` that reps' histories show (see ``rep_history_shown``), index reset."""
    shown = rep_history_shown(metrics.rep_years, metrics.reps, metrics.period)
    return metrics.rep_years[shown].reset_index(drop=True)


def with_revenue_change(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (reps or teams) with ``revenue_change``: revenue over ``revenue_same_period_last_year``
    minus 1 (0.1 = +10 %), NaN when last year's span had no revenue."""
    changes = [
        trailing_change(now, before)
        for now, before in zip(
            frame["revenue"], frame["revenue_same_period_last_year"], strict=True
        )
    ]
    return frame.assign(revenue_change=pd.Series(changes, index=frame.index, dtype="float64"))


def team_figures(metrics: Metrics) -> pd.DataFrame:
    """``metrics.teams`` with the reporting year's ``clients`` from the team history (0 when the team
    has no row that year), ``revenue_same_period_last_year`` (``metrics.team_previous``: the team's
    deals then, by each deal's team when membership is dated) and
    ``revenue_change`` (see ``with_revenue_change``)."""
    years, year = metrics.team_years, metrics.period.year
    now = years[years["year"] == year]
    clients = dict(zip(now["team"], now["clients"], strict=True))
    same_span = metrics.team_previous.set_index("team")["revenue"]
    return with_revenue_change(
        metrics.teams.assign(
            clients=[int(clients.get(t, 0)) for t in metrics.teams["team"]],
            revenue_same_period_last_year=[
                float(same_span.get(t, 0.0)) for t in metrics.teams["team"]
            ],
        )
    )


def dataset_usage(summaries: tuple[DatasetSummary, ...], issues: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset: files, rows read, used and excluded, warnings found, latest date
    (columns ``DATASET_COLUMNS``)."""
    warnings = issues.loc[issues["severity"] == WARNING, "dataset"]
    return pd.DataFrame(
        [
            {
                "dataset": s.dataset,
                "files": ", ".join(s.files),
                "rows_read": s.rows_read,
                "rows_used": s.rows_used,
                "rows_excluded": s.rows_excluded,
                "warnings": int((warnings == s.dataset).sum()),
                "latest": s.latest,
            }
            for s in summaries
        ],
        columns=DATASET_COLUMNS,
    )


def findings_by_reason(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings grouped by ``REASON_KEYS`` with ``count`` (cells: a rule applied to many cells is one
    finding standing for ``count`` cells) and ``first_row``; most cells first, ties in input order."""
    return (
        issues.fillna({"file": "", "column": ""})
        .groupby(REASON_KEYS, dropna=False, sort=False)
        .agg(count=("count", "sum"), first_row=("row", "min"))
        .reset_index()
        .sort_values(["count"], ascending=False, kind="stable")
    )


def company_ratio(company: pd.DataFrame, year: int) -> float:
    """The company's value ratio in ``year`` from a table with ``year`` and ``value_ratio`` columns
    (segments' yardstick: a segment below it is flagged); NaN without one."""
    found = company.loc[company["year"] == year, "value_ratio"]
    return float(found.iloc[0]) if len(found) else float("nan")


def median_penetration(current: pd.DataFrame, has_market_size: bool) -> float:
    """Median market penetration (revenue ÷ market size, a fraction) over one dimension's segments;
    NaN when no market size is known."""
    return float(current["penetration"].median()) if has_market_size else float("nan")


def ranked_segments(table: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Segments with a value ratio, highest first (ties by name), with ``rank`` from 1."""
    ranked = table[table["value_ratio"].notna()].sort_values(
        ["value_ratio", dimension], ascending=[False, True]
    )
    return ranked.assign(rank=np.arange(1, len(ranked) + 1))


def segment_history_shown(history: pd.DataFrame) -> pd.DataFrame:
    """The years of a segment's history its page shows: those with a closed deal or a client; index reset."""
    active = (history["won_deals"] + history["lost_deals"] + history["clients"]) > 0
    return history[active].reset_index(drop=True)
