"""The overview's dashboard: the yearly series behind each headline card, and what needs attention.

Pure: published metrics (after the privacy filter, so a withheld group ratio stays withheld) and
plain settings in, frozen dataclasses out. Money is in currency units, ratios and rates as fractions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from generator.metrics import Metrics
from generator.metrics.coaching import ALL_KINDS, FELL, ROSE
from generator.metrics.goals import AT_RISK, BEHIND, MISSED
from generator.metrics.rankings import employed_on
from generator.metrics.segments import UNKNOWN
from generator.metrics.summaries import RepGaps, company_ratio, median_penetration

NAN = float("nan")

GOAL_CONCERNS = (MISSED, BEHIND, AT_RISK)
"""Goal statuses the overview lists, worst first: missed (the year is over), behind, at risk."""

UNTAPPED, CUT_LOSSES = "untapped market", "cut losses"
"""The two readings of a weak segment (the segment pages' words); market penetration may lean to one."""


def _number(value: object) -> float:
    """A float, or NaN for a missing value or a band (a banded ratio is not a number)."""
    if value is None or isinstance(value, str):
        return NAN
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return NAN
    return number


@dataclass(frozen=True)
class YearPoint:
    """One point of a card's sparkline."""

    year: int
    """Fiscal year (the reporting year last; it runs up to ``as_of``)."""
    value: float
    """The figure that year; NaN when it cannot be computed."""


def company_series(metrics: Metrics, name: str) -> tuple[YearPoint, ...]:
    """``name`` (a column of ``company_years``: revenue, won_deals, win_rate, …) per fiscal year, oldest first."""
    years = metrics.company_years.sort_values("year")
    return tuple(
        YearPoint(int(y), _number(v)) for y, v in zip(years["year"], years[name], strict=True)
    )


def median_ratio_series(metrics: Metrics, min_clients: int) -> tuple[YearPoint, ...]:
    """The median value ratio per fiscal year over the reps rankings would have listed at that year's
    end: employed on its last day (``as_of`` for the reporting year), at least ``min_clients`` clients
    by then and a ratio. The reporting year's point is the headline median; empty with banded ratios."""
    years = metrics.rep_years
    if not len(years) or years["value_ratio"].map(lambda v: isinstance(v, str)).any():
        return ()
    out = []
    for year in sorted(int(y) for y in years["year"].unique()):
        day = min(metrics.period.end_of(year), metrics.period.as_of)
        staff = set(metrics.reps.loc[employed_on(metrics.reps, day), "rep_id"].astype(str))
        rows = years[
            (years["year"] == year)
            & years["rep_id"].astype(str).isin(staff)
            & (years["clients"] >= min_clients)
        ]
        ratios = pd.to_numeric(rows["value_ratio"], errors="coerce").dropna()
        out.append(YearPoint(year, float(ratios.median()) if len(ratios) else NAN))
    return tuple(out)


@dataclass(frozen=True)
class Flag:
    """One rep, team, segment, goal or coaching kind that needs attention, with the figure behind it."""

    kind: str
    """``rep``, ``team``, ``region``, ``category``, ``channel`` or ``coaching``."""
    key: str
    """Its id: rep_id, team, segment, coaching kind."""
    name: str
    """How the page names it (a rep's name, else the id)."""
    value: float
    """The figure it is flagged on: value ratio, attainment (missed) or pace (behind, at risk), the
    coaching effect on revenue (0.1 = +10 %)."""
    reference: float = NAN
    """What ``value`` is read against: last year's ratio (teams), the company ratio (segments)."""
    change: float = NAN
    """Segments: revenue change on the same span last year (0.1 = +10 %)."""
    status: str = ""
    """Goals: missed, behind or at risk; segments: the reading penetration leans to ("" when it cannot
    tell); coaching: the verdict."""
    metric: str = ""
    """Goals: the goal's metric (revenue, new_clients, …)."""


@dataclass(frozen=True)
class Attention:
    """What the overview's "Needs attention" list says, computed from the published metrics."""

    below_break_even: tuple[Flag, ...]
    """Ranked reps (current, at least ``min_clients`` clients) with a value ratio below 1, lowest first."""
    goals: tuple[Flag, ...]
    """Goals of the reporting year missed, behind or at risk (team goals, current reps' goals): worst
    status first, then lowest figure."""
    weak_segments: tuple[Flag, ...]
    """Weak segments (whole ratio interval below the company's, or revenue down), by dimension,
    lowest ratio first."""
    falling_teams: tuple[Flag, ...]
    """Teams whose value ratio is lower than last year's, largest fall first."""
    coaching: tuple[Flag, ...]
    """Coaching verdicts that passed their checks (revenue rose or fell), the pooled row first."""
    warnings: int
    """Data-quality warnings in the inputs."""
    gaps: RepGaps
    """Reps without a cost record or without a client (no value ratio)."""
    min_clients: int
    """rankings.min_clients."""
    goals_year_complete: bool
    """The reporting year is over: its goals are met or missed, not paced."""


def _below_one(value: object) -> bool:
    return not math.isnan(_number(value)) and _number(value) < 1.0


def below_break_even(
    reps: pd.DataFrame, below: Callable[[object], bool] = _below_one
) -> tuple[Flag, ...]:
    """Ranked reps whose value ratio is below 1 (``below`` says so for a band), lowest first (ties by id)."""
    ranked = reps[reps["ranked"].astype(bool)]
    low = ranked[[below(v) for v in ranked["value_ratio"]]]
    flags = [
        Flag(
            "rep",
            str(r["rep_id"]),
            str(r["name"]) if isinstance(r["name"], str) else str(r["rep_id"]),
            _number(r["value_ratio"]),
        )
        for r in low.to_dict("records")
    ]
    return tuple(sorted(flags, key=lambda f: (math.isnan(f.value), f.value, f.key)))


def goal_concerns(metrics: Metrics) -> tuple[Flag, ...]:
    """The reporting year's goals missed, behind or at risk: team goals, and the goals of current reps
    (employed on ``as_of``) named by the rep's name."""
    table = metrics.goals.goals
    if not len(table):
        return ()
    now = table[(table["year"] == metrics.period.year) & table["status"].isin(GOAL_CONCERNS)]
    names = dict(zip(metrics.reps["rep_id"].astype(str), metrics.reps["name"], strict=True))
    # A rep who has left cannot act on a goal: the goals page still lists it.
    current = set(
        metrics.reps.loc[employed_on(metrics.reps, metrics.period.as_of), "rep_id"].astype(str)
    )
    flags = []
    for row in now.to_dict("records"):
        key = str(row["id"])
        if row["scope"] == "rep" and key not in current:
            continue
        name = names.get(key) if row["scope"] == "rep" else key
        figure = row["attainment"] if row["status"] == MISSED else row["pace"]
        flags.append(
            Flag(
                str(row["scope"]),
                key,
                name if isinstance(name, str) else key,
                _number(figure),
                status=str(row["status"]),
                metric=str(row["metric"]),
            )
        )
    order = {status: i for i, status in enumerate(GOAL_CONCERNS)}
    return tuple(sorted(flags, key=lambda f: (order[f.status], f.value, f.kind, f.key, f.metric)))


def weak_segments(metrics: Metrics) -> tuple[Flag, ...]:
    """Each dimension's weak segments (the segment pages' rule: the value ratio's whole 95 % interval below the company's, or
    revenue down on the same span last year), "Unknown" left out, with the reading market penetration
    leans to: below the dimension's median → untapped market, at or above → cut losses."""
    segments = metrics.segments
    yardstick = company_ratio(segments.company, metrics.period.year)
    flags = []
    for dim, table in segments.current.items():
        median = median_penetration(table, segments.has_market_size)
        weak = table[table["weak"].astype(bool) & (table[dim].astype(str) != UNKNOWN)]
        mine = []
        for row in weak.to_dict("records"):
            penetration = _number(row.get("penetration")) if segments.has_market_size else NAN
            lean = (
                ""
                if math.isnan(penetration) or math.isnan(median)
                else (UNTAPPED if penetration < median else CUT_LOSSES)
            )
            mine.append(
                Flag(
                    dim,
                    str(row[dim]),
                    str(row[dim]),
                    _number(row["value_ratio"]),
                    yardstick,
                    _number(row["revenue_change"]),
                    lean,
                )
            )
        flags += sorted(mine, key=lambda f: (math.isnan(f.value), f.value, f.key))
    return tuple(flags)


def falling_teams(metrics: Metrics) -> tuple[Flag, ...]:
    """Teams whose value ratio in the reporting year is below their ratio of the year before (both
    known; a withheld ratio is never compared), largest fall first."""
    years = metrics.team_years
    year = metrics.period.year
    now = years[years["year"] == year].set_index("team")["value_ratio"]
    before = years[years["year"] == year - 1].set_index("team")["value_ratio"]
    flags = []
    for team, value in now.items():
        current, previous = _number(value), _number(before.get(team))
        if not (math.isnan(current) or math.isnan(previous)) and current < previous:
            flags.append(Flag("team", str(team), str(team), current, previous))
    return tuple(sorted(flags, key=lambda f: (f.value - f.reference, f.key)))


def coaching_verdicts(metrics: Metrics) -> tuple[Flag, ...]:
    """Coaching kinds whose effect got a verdict (revenue rose or fell: the interval excludes 0 and the
    pre-trend and placebo checks passed); the pooled "All kinds" row first."""
    if metrics.coaching is None:
        return ()
    effects = metrics.coaching.effects
    passed = effects[effects["verdict"].isin([ROSE, FELL])]
    flags = [
        Flag(
            "coaching",
            str(r["kind"]),
            str(r["kind"]),
            _number(r["effect_pct"]),
            status=str(r["verdict"]),
        )
        for r in passed.to_dict("records")
    ]
    return tuple(sorted(flags, key=lambda f: (f.key != ALL_KINDS, f.key)))


def needs_attention(
    metrics: Metrics,
    *,
    warnings: int,
    gaps: RepGaps,
    min_clients: int,
    below: Callable[[object], bool] = _below_one,
) -> Attention:
    """Everything the overview's "Needs attention" list names. ``metrics``: the published metrics;
    ``warnings``: data-quality warnings; ``below``: whether a rep's ratio (a number, or a band with
    privacy.rep_value_ratios: band) is below break-even."""
    return Attention(
        below_break_even=below_break_even(metrics.reps, below),
        goals=goal_concerns(metrics),
        weak_segments=weak_segments(metrics),
        falling_teams=falling_teams(metrics),
        coaching=coaching_verdicts(metrics),
        warnings=warnings,
        gaps=gaps,
        min_clients=min_clients,
        goals_year_complete=metrics.goals.year_complete,
    )
