"""Does coaching pay? Matched difference-in-differences of monthly revenue and win rate around each
coaching start, against reps not coached then whose own trajectory before was alike, with a pre-trend
check, a placebo at a fake start, an influence check (the most influential rep or team left out) and
a two-way cluster bootstrap interval (SPEC §4 coaching, §6 /coaching/). Pure: no clock, no files, no
printing."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import CoachingConfig
from generator.metrics.compute import reps_by_id
from generator.metrics.goals import LEFT
from generator.metrics.period import Period, fiscal_year

ALL_KINDS = "All kinds"
"""The row of the effect table that pools every coaching kind."""

BASE = 5
"""The base (the rep's own normal level) is the (BASE − 1) windows before the window before the start."""

BLOCK_CELLS = 1 << 20
"""Cells (rows × reps, or samples × matched reps) of each block of the large intermediate arrays: bounds
memory and keeps each block's temporaries small."""

UNSPECIFIED = "Unspecified"
"""The kind of a coaching row without one."""

NOT_ENOUGH = "not enough data yet"
ROSE, FELL, UNCLEAR = "revenue rose", "revenue fell", "no clear effect"
CHECK_FAILED = "no verdict: a check failed"

PANEL_COLUMNS = ["rep_id", "month", "revenue", "won_deals", "lost_deals"]

EFFECT_COLUMNS = [
    "kind",
    "coached_reps",
    "events",
    "rep_months",
    "control_reps",
    "clusters",
    "cluster_by",
    "pre_revenue_per_month",
    "counterfactual_per_month",
    "effect_per_month",
    "effect_low",
    "effect_high",
    "effect_pct",
    "effect_pct_low",
    "effect_pct_high",
    "pre_trend_reps",
    "pre_trend",
    "pre_trend_low",
    "pre_trend_high",
    "placebo_reps",
    "placebo_pct",
    "placebo_pct_low",
    "placebo_pct_high",
    "influence_by",
    "influence_left_out",
    "influence_pct",
    "influence_pct_low",
    "influence_pct_high",
    "checks",
    "win_rate_reps",
    "win_rate_effect",
    "win_rate_effect_low",
    "win_rate_effect_high",
    "mean_coaching_cost",
    "cost_per_point",
    "payback_months",
    "verdict",
    "verdict_reason",
]
"""Columns of data/coaching_effect.csv, in order."""

EVENT_COLUMNS = [
    "rep_id",
    "kind",
    "start",
    "end",
    "hours",
    "coaching_cost",
    "pre_months",
    "post_months",
    "base_revenue_per_month",
    "pre_revenue_per_month",
    "post_revenue_per_month",
    "control_change",
    "effect_per_month",
    "placebo_effect_per_month",
    "pre_trend_per_month",
    "pre_win_rate",
    "post_win_rate",
    "win_rate_effect",
    "control_group",
    "controls",
    "included",
    "note",
]
"""Columns of data/coaching_events.csv: one row per coaching engagement."""

MANAGER_COACHING_COLUMNS = [
    "manager",
    "coached_reps",
    "events",
    "effect_pct",
    "effect_pct_low",
    "effect_pct_high",
    "verdict",
    "verdict_reason",
    "checks",
]
"""Columns of data/coaching_by_manager.csv: every kind of coaching of each manager's reps, all years."""

MISSED_COLUMNS = [
    "rep_id",
    "year",
    "target",
    "revenue",
    "attainment",
    "kind",
    "start",
    "pre_revenue_per_month",
    "post_revenue_per_month",
    "effect_per_month",
    "next_year_attainment",
]
"""Columns of data/coaching_missed_goals.csv."""


@dataclass(frozen=True)
class CoachingEffect:
    """The coaching tables, computed once."""

    effects: pd.DataFrame
    """One row per kind, then ALL_KINDS: the pooled effect, its interval, the reps behind it, the verdict."""
    events: pd.DataFrame
    """One row per coaching engagement: the rep's own before/after figures (anecdotal)."""
    missed_goals: pd.DataFrame
    """Reps who missed a revenue goal and were coached that year or the next, and what followed."""
    by_manager: pd.DataFrame
    """Per manager, the pooled effect over their reps' engagements with the same checks and verdict."""


def rep_month_panel(
    counted: pd.DataFrame, reps: pd.DataFrame, last_month: pd.Timestamp
) -> pd.DataFrame:
    """Won revenue, won and lost deals of every rep in every month they were employed (0 when nothing
    closed), from the first month with a closed deal (or the hire month, if later) to ``last_month``
    (or the month they left). Months with a closed deal are always included."""
    empty = pd.DataFrame(
        {
            "rep_id": pd.Series(dtype="string"),
            "month": pd.Series(dtype="datetime64[s]"),
            "revenue": pd.Series(dtype="float64"),
            "won_deals": pd.Series(dtype="int64"),
            "lost_deals": pd.Series(dtype="int64"),
        }
    )
    if not len(counted):
        return empty
    sums = counted.groupby(["rep_id", "month"], observed=True)[["won_amount", "won", "lost"]].sum()
    deal_months = sums.index.to_frame(index=False).astype({"rep_id": "string"})
    data_start = pd.Timestamp(deal_months["month"].min())
    span = deal_months.groupby("rep_id")["month"].agg(["min", "max"])
    people = reps.set_index(reps["rep_id"].astype("string"))
    hired = people["hired"].reindex(span.index.union(people.index)).dt.to_period("M").dt.start_time
    left = people["left"].reindex(hired.index).dt.to_period("M").dt.start_time
    first = span["min"].reindex(hired.index)
    last = span["max"].reindex(hired.index)
    start = hired.fillna(first).clip(lower=data_start)
    start = start.where(first.isna() | (start <= first), first)
    end = left.fillna(pd.Timestamp(last_month)).clip(upper=pd.Timestamp(last_month))
    end = end.where(last.isna() | (end >= last), last)
    keep = start.notna() & end.notna() & (start <= end)
    start, end = start[keep], end[keep]

    def month_number(stamps: pd.Series) -> np.ndarray:
        return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype="int64")

    lo, hi = month_number(start), month_number(end)
    lengths = hi - lo + 1
    rep_index = np.repeat(np.arange(len(lo)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    number = lo[rep_index] + offsets
    months = pd.to_datetime({"year": number // 12, "month": number % 12 + 1, "day": 1}).astype(
        "datetime64[s]"
    )
    grid = pd.DataFrame(
        {"rep_id": pd.Series(start.index[rep_index], dtype="string"), "month": months}
    )
    sums.index = pd.MultiIndex.from_arrays(
        [
            sums.index.get_level_values(0).astype("string"),
            sums.index.get_level_values(1).astype("datetime64[s]"),
        ]
    )
    values = sums.reindex(pd.MultiIndex.from_frame(grid)).fillna(0.0)
    return pd.DataFrame(
        {
            "rep_id": grid["rep_id"],
            "month": grid["month"],
            "revenue": values["won_amount"].to_numpy(dtype="float64"),
            "won_deals": values["won"].to_numpy().astype("int64"),
            "lost_deals": values["lost"].to_numpy().astype("int64"),
        }
    )[PANEL_COLUMNS]


@dataclass(frozen=True)
class _Grid:
    """The panel as reps × months arrays, with running sums along the months for window sums."""

    rep_ids: pd.Index
    first_month: pd.Timestamp
    months: int
    revenue: np.ndarray
    """reps × months revenue, NaN in months the rep was not employed."""
    sums: dict[str, np.ndarray]
    """name → reps × (months + 1) running sums (column 0 is 0): observed, revenue, won, lost, and the month
    index times observed / revenue / index (for a window's least-squares slope)."""

    def month_of(self, days: pd.Series) -> np.ndarray:
        """Month index of dates in this grid (may fall outside 0 … months-1)."""
        stamps = days.dt.to_period("M").dt.start_time
        return (
            (stamps.dt.year - self.first_month.year) * 12 + stamps.dt.month - self.first_month.month
        ).to_numpy(dtype="int64")

    def window(self, name: str, begin: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Sums over months [begin, stop) for every start in ``begin``: shape (len(begin), reps)."""
        running = self.sums[name]
        a = np.clip(begin, 0, self.months)
        b = np.clip(np.maximum(stop, begin), 0, self.months)
        return (running[:, b] - running[:, a]).T


def _grid(panel: pd.DataFrame) -> _Grid:
    rep_ids = pd.Index(pd.unique(panel["rep_id"].astype("string"))).sort_values()
    first = pd.Timestamp(panel["month"].min())
    month = pd.to_datetime(panel["month"])
    col = ((month.dt.year - first.year) * 12 + month.dt.month - first.month).to_numpy(dtype="int64")
    row = rep_ids.get_indexer(pd.Index(panel["rep_id"].astype("string")))
    n_months = int(col.max()) + 1
    revenue = panel["revenue"].to_numpy(dtype="float64")
    index = col.astype("float64")
    sums = {}
    dense_revenue = np.full((len(rep_ids), n_months), np.nan)
    dense_revenue[row, col] = revenue
    for name, values in (
        ("observed", np.ones(len(panel))),
        ("revenue", revenue),
        ("won", panel["won_deals"].to_numpy(dtype="float64")),
        ("lost", panel["lost_deals"].to_numpy(dtype="float64")),
        ("m", index),
        ("mm", index * index),
        ("my", index * revenue),
    ):
        dense = np.zeros((len(rep_ids), n_months))
        dense[row, col] = values
        sums[name] = np.concatenate([np.zeros((len(rep_ids), 1)), np.cumsum(dense, axis=1)], axis=1)
    return _Grid(rep_ids, first, n_months, dense_revenue, sums)


def _rate(won: np.ndarray, lost: np.ndarray) -> np.ndarray:
    closed = won + lost
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(closed > 0, won / np.where(closed > 0, closed, 1), np.nan)


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)


@dataclass(frozen=True)
class _Matched:
    """One run of the matched estimator over every engagement (at the real start, or at the placebo's)."""

    effect: np.ndarray
    """Effect a month of each engagement (NaN when it cannot be estimated)."""
    treated_post: np.ndarray
    """The coached rep's mean monthly revenue in the after-window."""
    treated_pre: np.ndarray
    treated_base: np.ndarray
    pool: np.ndarray
    """Eligible comparison reps of each engagement."""
    treated_ok: np.ndarray
    """The coached rep has enough employed months in every window."""
    picked: np.ndarray
    """engagements × k: indices of the matched reps (−1 where fewer than k)."""
    adjusted: np.ndarray
    """engagements × k: each matched rep's change, bias-corrected to the coached rep's trajectory."""
    included: np.ndarray


def _slope(grid: _Grid, begin: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Least-squares slope of monthly revenue over months [begin, stop), per start × rep (a month)."""
    n = grid.window("observed", begin, stop)
    sx, sxx = grid.window("m", begin, stop), grid.window("mm", begin, stop)
    sy, sxy = grid.window("revenue", begin, stop), grid.window("my", begin, stop)
    denominator = n * sxx - sx * sx
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator > 0, (n * sxy - sx * sy) / np.where(denominator > 0, denominator, 1), 0.0
        )


def _nearest(distance: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` columns of each row's stable argsort (rows × k), without sorting whole rows:
    only the columns at or below the row's k-th smallest value are sorted (by value, then column)."""
    n = len(distance)
    kth = np.partition(distance, k - 1, axis=1)[:, k - 1]
    order = np.empty((n, k), dtype=np.intp)
    # NaN sorts last, so a NaN k-th leaves no column at or below it: those rows are sorted whole.
    whole = np.isnan(kth)
    if whole.any():
        order[whole] = np.argsort(distance[whole], axis=1, kind="stable")[:, :k]
    rows, cols = np.nonzero(distance <= kth[:, None])  # row by row, columns ascending
    # lexsort is stable: ties keep column order
    ranked = cols[np.lexsort((distance[rows, cols], rows))]
    counts = np.bincount(rows, minlength=n)
    first = np.cumsum(counts) - counts
    order[~whole] = ranked[first[~whole, None] + np.arange(k)]
    return order


def _pool_fit(
    features: np.ndarray,
    design: np.ndarray,
    target: np.ndarray,
    eligible: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over each pool of comparison reps (``eligible``: pools × reps; ``features``: pools × reps ×
    features; ``design``: pools × reps × 4, a 1 then the features, through np.nan_to_num; ``target``:
    pools × reps, the change, through np.nan_to_num), the spread of each feature (pools × features,
    1 where it is 0 or undefined) and the normal equations of the change regressed on the
    trajectory: gram (pools × 4 × 4) and moment (pools × 4)."""
    masked = np.where(eligible[:, :, None], features, np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(masked, axis=1)
    spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
    design = np.where(eligible[:, :, None], design, 0.0)
    target = np.where(eligible, target, 0.0)
    gram = np.einsum("erk,erl->ekl", design, design) + np.eye(design.shape[2]) * 1e-9
    moment = np.einsum("erk,er->ek", design, target)
    return spread, gram, moment


def _blocks(count: int, width: int) -> list[slice]:
    """Slices of ``count`` rows of a rows × ``width`` (× a few) array, each block about BLOCK_CELLS cells."""
    size = max(1, BLOCK_CELLS // max(width, 1))
    return [slice(i, min(i + size, count)) for i in range(0, count, size)]


def _matched(
    grid: _Grid,
    coached_sums: np.ndarray,
    rep: np.ndarray,
    start: np.ndarray,
    post_stop: np.ndarray,
    settings: CoachingConfig,
) -> _Matched:
    """Matched difference-in-differences of every engagement at the start months ``start``.

    Windows: base = [s − 2w, s − w), before = [s − w, s), after = [s + 1, post_stop). Comparison reps:
    employed in at least half of each window's months, never coached from the base window to the end
    of the after-window. Each engagement takes its ``match_k`` nearest comparison reps on the
    trajectory before (base level, level before, slope before, each standardised over the pool), and
    corrects what remains of the difference by a least-squares fit of the change on that trajectory
    over the whole pool (bias-corrected matching, Abadie & Imbens 2011).
    """
    w = settings.window_months
    events, reps = len(start), len(grid.rep_ids)
    # Engagements that start in the same month share their windows, so every rep's window figures,
    # its eligibility and its features are computed once per distinct window (windows × reps) and
    # looked up per engagement (``at``): the work grows with the reps, not engagements × reps.
    distinct, at = np.unique(np.stack([start, post_stop], axis=1), axis=0, return_inverse=True)
    at = at.reshape(-1)
    begin, stop = distinct[:, 0], distinct[:, 1]
    n_windows = len(distinct)
    windows = {
        "base": (begin - BASE * w, begin - w),
        "pre": (begin - w, begin),
        "post": (begin + 1, stop),
    }
    counts, means = {}, {}
    for name, (a, b) in windows.items():
        counts[name] = grid.window("observed", a, b)
        means[name] = _mean(grid.window("revenue", a, b), counts[name])
    lengths = {name: np.clip(b - a, 0, None) for name, (a, b) in windows.items()}
    ok = np.ones((n_windows, reps), dtype=bool)
    for name in windows:
        # The base needs one window's worth of months (it may run into months before the data).
        need = (
            np.maximum(np.ceil(lengths[name] / 2), 1) if name != "base" else np.full(n_windows, w)
        )[:, None]
        ok &= (counts[name] >= need) & (lengths[name][:, None] > 0)
    slope = _slope(grid, *windows["pre"]) * w
    half = math.ceil(w / 2)
    recent = _mean(
        grid.window("revenue", begin - half, begin), grid.window("observed", begin - half, begin)
    )
    a = np.clip(begin - BASE * w, 0, grid.months)
    b = np.clip(np.maximum(stop, begin + 1), 0, grid.months)
    uncoached = (coached_sums[:, b] - coached_sums[:, a]).T == 0
    # Every rep on the scale of its own base level: a multiplicative world (a big rep's bad month is a
    # big number) compares like with like, and a rep's dip is measured against its own normal.
    base = means["base"]
    ok &= base > 0
    scale = np.where(base > 0, base, 1.0)
    eligible = ok & uncoached  # windows × reps
    treated_ok = ok[at, rep]
    # windows × reps × features
    features = np.stack([means["pre"] / scale, recent / scale, slope / scale], axis=2)
    delta = (means["post"] - means["pre"]) / scale
    treated = features[at, rep]
    # The coached rep is never its own comparison. Where its window's pool holds it (not coached
    # in the window itself, as at a placebo's fake start), the engagement has a pool of its own: the
    # window's less that rep. Either way a pool's figures come from the same operations on the same
    # values as if computed per engagement, so they are the same to the last bit.
    own = eligible[at, rep]
    shared = np.unique(at[~own])
    pool_window = np.concatenate([shared, at[own]])
    left_out = np.concatenate([np.full(len(shared), -1), rep[own]])
    pool_of = np.empty(events, dtype=np.intp)
    pool_of[~own] = np.searchsorted(shared, at[~own])
    pool_of[own] = len(shared) + np.arange(own.sum())
    n_pools = len(pool_window)
    design = np.nan_to_num(np.concatenate([np.ones((n_windows, reps, 1)), features], axis=2))
    target = np.nan_to_num(delta)
    spread, pool = np.empty((n_pools, features.shape[2])), np.empty(n_pools, dtype=np.intp)
    gram, moment = np.empty((n_pools, 4, 4)), np.empty((n_pools, 4))
    for block in _blocks(n_pools, reps):
        window = pool_window[block]
        members = eligible[window]
        out = np.flatnonzero(left_out[block] >= 0)
        members[out, left_out[block][out]] = False
        pool[block] = members.sum(axis=1)
        spread[block], gram[block], moment[block] = _pool_fit(
            features[window], design[window], target[window], members
        )
    k = min(settings.match_k, reps)
    order = np.empty((events, k), dtype=np.intp)
    valid = np.empty((events, k), dtype=bool)
    by_feature = np.ascontiguousarray(features.transpose(0, 2, 1))  # windows × features × reps
    for block in _blocks(events, reps):
        members = eligible[at[block]]
        members[np.arange(len(members)), rep[block]] = False
        # The squared standardised differences, feature by feature, added in order (as a sum over
        # the last axis of three adds them), without an engagements × reps × features array.
        gaps = [
            (by_feature[at[block], f] - treated[block, f, None]) / spread[pool_of[block], f, None]
            for f in range(features.shape[2])
        ]
        distance = gaps[0] * gaps[0]
        for gap in gaps[1:]:
            distance += gap * gap
        order[block] = _nearest(np.where(members, distance, np.inf), k)
        valid[block] = np.take_along_axis(members, order[block], axis=1)
    picked = np.where(valid, order, -1)
    # The bias correction: the change regressed on the trajectory over the whole pool, per engagement
    # (solved once per pool; when a single engagement has a fit, by least squares on its matrix).
    fit = pool >= 4 * gram.shape[2]
    beta = np.zeros((n_pools, gram.shape[2]))
    if fit.any():
        beta[fit] = (
            np.linalg.lstsq(gram[fit][0], moment[fit][0], rcond=None)[0]
            if fit[pool_of].sum() == 1
            else np.linalg.solve(gram[fit], moment[fit][:, :, None])[:, :, 0]
        )
    beta = beta[pool_of]
    pool = pool[pool_of]
    safe = np.where(valid, order, 0)
    control_features = features[at[:, None], safe]  # events × k × features
    adjusted = delta[at[:, None], safe] + np.einsum(
        "ekf,ef->ek", treated[:, None, :] - control_features, beta[:, 1:]
    )
    own_scale = scale[at, rep]
    # back to the coached rep's money
    adjusted = np.where(valid, adjusted * own_scale[:, None], np.nan)
    included = treated_ok & (pool >= settings.min_controls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        counterfactual_change = np.nanmean(np.where(valid, adjusted, np.nan), axis=1)
    effect = np.where(included, delta[at, rep] * own_scale - counterfactual_change, np.nan)
    return _Matched(
        effect,
        means["post"][at, rep],
        means["pre"][at, rep],
        means["base"][at, rep],
        pool,
        treated_ok,
        picked,
        adjusted,
        included,
    )


def _pre_trend(
    grid: _Grid, rep: np.ndarray, start: np.ndarray, placebo: _Matched, settings: CoachingConfig
) -> np.ndarray:
    """Event study of the leads: month by month over the window before the start, the coached rep's
    revenue less the mean of the reps matched to it on the trajectory before *that* window (the
    placebo's comparisons, so nothing after the lead months chose them); returns the least-squares
    slope of that gap a month. A real start with no trend in its leads has a slope near 0."""
    w = settings.window_months
    leads = np.arange(-w, 0)
    months = start[:, None] + leads[None, :]  # events × leads
    inside = (months >= 0) & (months < grid.months)
    month_at = np.clip(months, 0, grid.months - 1)
    own = np.where(inside, grid.revenue[rep[:, None], month_at], np.nan)
    valid = placebo.picked >= 0
    safe = np.where(valid, placebo.picked, 0)
    theirs = grid.revenue[safe[:, :, None], month_at[:, None, :]]
    theirs = np.where(valid[:, :, None] & inside[:, None, :], theirs, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gap = own - np.nanmean(theirs, axis=1)  # events × leads
        x = np.where(np.isnan(gap), np.nan, leads[None, :].astype("float64"))
        xc = x - np.nanmean(x, axis=1, keepdims=True)
        yc = gap - np.nanmean(gap, axis=1, keepdims=True)
        slope = np.nansum(xc * yc, axis=1) / np.nansum(xc * xc, axis=1)
    enough = (~np.isnan(gap)).sum(axis=1) >= 2
    return np.where(placebo.included & enough, slope, np.nan)


@dataclass(frozen=True)
class Events:
    """The engagement table and, for each of its rows, the matched reps behind its estimates."""

    table: pd.DataFrame
    controls: np.ndarray
    """Boolean (engagements × reps): the comparison reps of each engagement."""
    picked: np.ndarray
    """engagements × k: the matched reps (−1 where fewer), for the bootstrap's control resampling."""
    adjusted: np.ndarray
    """engagements × k: their bias-corrected changes."""
    placebo_picked: np.ndarray
    placebo_adjusted: np.ndarray
    placebo_post: np.ndarray
    """The coached rep's mean monthly revenue in the placebo's after-window."""
    cluster: np.ndarray
    """Cluster of each engagement's coached rep (its team; reps without a team are clusters of one)."""
    cluster_label: np.ndarray
    """The name of that cluster: the team, or the rep's id when it has no team."""
    rep_name: np.ndarray
    """The coached rep's name (its id when the reps export has none), for the influence check's words."""
    win_rate_own: np.ndarray
    """The coached rep's change of win rate (after − before), NaN without closed deals in a window."""
    win_rate_controls: np.ndarray
    """engagements × k: the matched reps' changes of win rate (NaN where a window has no closed deal)."""


def coaching_events(
    panel: pd.DataFrame,
    reps: pd.DataFrame,
    coaching: pd.DataFrame,
    settings: CoachingConfig,
    as_of: pd.Timestamp | None = None,
) -> Events:
    """Each coaching engagement's matched difference-in-differences (one rep: anecdotal on its own),
    its placebo at a fake start ``window_months`` earlier, and its pre-trend (see ``_matched``).
    A rep who left (by ``as_of``, when given) within an engagement's after-window is noted on it."""
    window = settings.window_months
    rows = coaching.reset_index(drop=True)
    kind = rows["kind"].astype("string").str.strip().replace({"": pd.NA}).fillna(UNSPECIFIED)
    out = pd.DataFrame(
        {
            "rep_id": rows["rep_id"].astype("string"),
            "kind": kind,
            "start": rows["start"],
            "end": rows["end"],
            "hours": rows["hours"].astype("float64"),
            "coaching_cost": rows["cost"].astype("float64"),
        }
    )
    nan = np.full(len(out), np.nan)
    for column in EVENT_COLUMNS[6:]:
        out[column] = nan
    out["control_group"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["controls"] = 0
    out["included"] = False
    out["note"] = pd.Series("rep has no sales history", index=out.index, dtype="string")
    k = settings.match_k
    if not len(out) or not len(panel):
        empty = np.zeros((len(out), k))
        labels = out["rep_id"].to_numpy(dtype=object)
        return Events(
            out[EVENT_COLUMNS],
            np.zeros((len(out), 0), dtype=bool),
            empty - 1,
            empty,
            empty - 1,
            empty,
            nan,
            np.zeros(len(out), dtype="int64"),
            labels,
            labels,
            nan,
            empty + np.nan,
        )

    grid = _grid(panel)
    rep = grid.rep_ids.get_indexer(pd.Index(out["rep_id"]))
    start = grid.month_of(out["start"])
    stop = grid.month_of(out["end"].fillna(out["start"]))
    stop = np.maximum(stop, start)
    # Months in which each rep was being coached: a difference array, then a running count.
    known = rep >= 0
    active = np.zeros((len(grid.rep_ids), grid.months + 1))
    np.add.at(active, (rep[known], np.clip(start[known], 0, grid.months)), 1)
    np.add.at(active, (rep[known], np.clip(stop[known] + 1, 0, grid.months)), -1)
    coached_sums = np.concatenate(
        [
            np.zeros((len(grid.rep_ids), 1)),
            np.cumsum(np.cumsum(active, axis=1)[:, :-1] > 0, axis=1),
        ],
        axis=1,
    )

    ev = np.flatnonzero(known)
    r, s = rep[ev], start[ev]
    main = _matched(grid, coached_sums, r, s, s + 1 + window, settings)
    # The placebo: the same estimator at a fake start one window earlier, its after-window ending
    # before the real start month (no coaching inside it).
    placebo = _matched(grid, coached_sums, r, s - window, s, settings)
    trend = _pre_trend(grid, r, s, placebo, settings)
    # Win rate: the same matched reps, plain difference-in-differences of the window win rates.
    # Window figures depend on the start month alone: once per distinct month (months × reps).
    month, at = np.unique(s, return_inverse=True)
    at = at.reshape(-1)
    pre_wr = _rate(
        grid.window("won", month - window, month), grid.window("lost", month - window, month)
    )
    post_wr = _rate(
        grid.window("won", month + 1, month + 1 + window),
        grid.window("lost", month + 1, month + 1 + window),
    )
    wr_change = post_wr - pre_wr
    safe = np.where(main.picked >= 0, main.picked, 0)
    theirs = np.where(main.picked >= 0, wr_change[at[:, None], safe], np.nan)
    own_wr = wr_change[at, r]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        control_wr = np.nanmean(theirs, axis=1)
        control_change = np.nanmean(main.adjusted, axis=1)
    n_controls = (main.picked >= 0).sum(axis=1)
    included = main.included

    def put(column: str, values: np.ndarray) -> None:
        full = out[column].to_numpy(dtype="float64" if column != "controls" else "int64", copy=True)
        full[ev] = values
        out[column] = full

    pre_n = grid.window("observed", month - window, month)[at, r]
    post_n = grid.window("observed", month + 1, month + 1 + window)[at, r]
    put("pre_months", pre_n)
    put("post_months", post_n)
    put("base_revenue_per_month", main.treated_base)
    put("pre_revenue_per_month", main.treated_pre)
    put("post_revenue_per_month", main.treated_post)
    put("control_change", np.where(included, control_change, np.nan))
    put("effect_per_month", main.effect)
    put("placebo_effect_per_month", np.where(included, placebo.effect, np.nan))
    put("pre_trend_per_month", trend)
    put("pre_win_rate", pre_wr[at, r])
    put("post_win_rate", post_wr[at, r])
    put("win_rate_effect", np.where(included, own_wr - control_wr, np.nan))
    put("controls", np.where(included, n_controls, 0))
    out["pre_months"] = out["pre_months"].astype("Int64")
    out["post_months"] = out["post_months"].astype("Int64")
    flags = np.zeros(len(out), dtype=bool)
    flags[ev] = included
    out["included"] = flags
    groups = out["control_group"].to_numpy(dtype=object)
    # numpy's stubs refuse a bare None
    groups[ev] = np.where(included, "matched on trajectory", np.array(None))
    out["control_group"] = pd.array(groups, dtype="string")
    notes = out["note"].to_numpy(dtype=object)
    need = math.ceil(window / 2)
    notes[ev] = np.where(
        included,
        np.where(np.isnan(placebo.effect), "no placebo: too little history before", ""),
        np.where(
            ~main.treated_ok,
            f"fewer than {need} employed months in the {window} before or after the start, or fewer "
            f"than {window} in the {(BASE - 1) * window} before those (too early or too recent), or no "
            "revenue in those",
            f"fewer than {settings.min_controls} comparison reps employed and uncoached "
            "in the windows",
        ),
    )
    out["note"] = pd.array(notes, dtype="string").fillna("")
    out["note"] = _left_in_window(out, reps, window, as_of)
    matrix = np.zeros((len(out), len(grid.rep_ids)), dtype=bool)
    picked_rows = np.where(included[:, None], main.picked, -1)
    for j in range(picked_rows.shape[1]):
        hit = picked_rows[:, j] >= 0
        matrix[ev[hit], picked_rows[hit, j]] = True
    people = reps.set_index(reps["rep_id"].astype("string"))
    team = out["rep_id"].map(people["team"].astype("string").to_dict() if len(people) else {})
    codes, _ = pd.factorize(team.astype("string"), use_na_sentinel=True)
    alone = codes < 0
    cluster = np.where(alone, codes.max(initial=-1) + 1 + np.cumsum(alone), codes)
    cluster_label = team.astype("string").fillna(out["rep_id"]).to_numpy(dtype=object)
    names = people["name"].astype("string").to_dict() if len(people) and "name" in people else {}
    rep_name = (
        out["rep_id"].map(names).astype("string").fillna(out["rep_id"]).to_numpy(dtype=object)
    )

    def full(values: np.ndarray, fill: float) -> np.ndarray:
        result = np.full((len(out), values.shape[1]), fill)
        result[ev] = values
        return result

    order = np.lexsort((out["start"].to_numpy(), out["rep_id"].to_numpy(dtype=object)))
    return Events(
        out.iloc[order].reset_index(drop=True)[EVENT_COLUMNS],
        matrix[order],
        full(np.where(included[:, None], main.picked, -1), -1)[order].astype("int64"),
        full(main.adjusted, np.nan)[order],
        full(np.where(included[:, None], placebo.picked, -1), -1)[order].astype("int64"),
        full(placebo.adjusted, np.nan)[order],
        full(placebo.treated_post[:, None], np.nan)[order, 0],
        cluster[order],
        cluster_label[order],
        rep_name[order],
        full(np.where(included, own_wr, np.nan)[:, None], np.nan)[order, 0],
        full(np.where(included[:, None] & (main.picked >= 0), theirs, np.nan), np.nan)[order],
    )


def _interval(
    samples: np.ndarray, center: float | None = None, clusters: int = 0
) -> tuple[float, float]:
    """The 2.5th to 97.5th percentile of the resamples; with ``clusters``, their spread around
    ``center`` is widened by √(G / (G − 1)), the usual small-sample correction of a cluster bootstrap
    (a bootstrap over G clusters underestimates the variance by (G − 1) / G)."""
    finite = samples[np.isfinite(samples)]
    if len(finite) < len(samples) * 0.9 or not len(finite):
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [2.5, 97.5])
    if clusters >= 2 and center is not None and np.isfinite(center):
        factor = math.sqrt(clusters / (clusters - 1))
        low, high = center + factor * (low - center), center + factor * (high - center)
    return float(low), float(high)


def _cluster_weights(
    rng: np.random.Generator,
    clusters: np.ndarray,
    samples: int,
    settings: CoachingConfig,
) -> tuple[np.ndarray, str, int]:
    """Bootstrap weights of the coached reps (samples × reps): whole clusters (teams) drawn with
    replacement, or single reps when there are fewer than ``min_clusters`` teams."""
    labels, member = np.unique(clusters, return_inverse=True)
    by = "team"
    if len(labels) < settings.min_clusters:
        member, labels, by = np.arange(len(clusters)), np.arange(len(clusters)), "rep"
    draws = rng.integers(0, len(labels), size=(samples, len(labels)))
    cells = np.repeat(np.arange(samples), len(labels)) * len(labels) + draws.ravel()
    counts = (
        np.bincount(cells, minlength=samples * len(labels))
        .reshape(samples, len(labels))
        .astype("float64")
    )
    return counts[:, member], by, len(labels)


def _effect_samples(
    rng: np.random.Generator,
    picked: np.ndarray,
    adjusted: np.ndarray,
    own_change: np.ndarray,
    reps: int,
    samples: int,
) -> np.ndarray:
    """Each engagement's effect under resampled comparison reps (samples × engagements): a rep drawn
    twice counts twice in every engagement it serves, so shared comparisons move together."""
    # Without reps nothing is matched (every ``picked`` is −1): one column of zeros to point at.
    weights = (
        rng.multinomial(reps, np.full(reps, 1 / reps), size=samples)
        if reps
        else np.zeros((samples, 1), dtype="int64")
    )
    safe = np.where(picked >= 0, picked, 0)
    # A matched rep without a figure (a win rate with no closed deal) weighs nothing.
    used = (picked >= 0) & np.isfinite(adjusted)
    values = np.nan_to_num(adjusted)[None]
    total, mass = np.empty((samples, len(picked))), np.empty((samples, len(picked)))
    # Blocks of samples keep the samples × engagements × k weights small; the sums are the same.
    for block in _blocks(samples, picked.size):
        w = np.where(used, weights[block][:, safe], 0.0)
        total[block] = (w * values).sum(axis=2)
        mass[block] = w.sum(axis=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        plain = np.nanmean(adjusted, axis=1)
        counterfactual = np.where(mass > 0, total / np.where(mass > 0, mass, 1), plain[None])
    return own_change[None] - counterfactual


def _per_rep(values: np.ndarray, rep_codes: np.ndarray, reps: int) -> np.ndarray:
    """Mean over each rep's engagements of the last axis (… × engagements → … × reps)."""
    member = np.zeros((len(rep_codes), reps))
    member[np.arange(len(rep_codes)), rep_codes] = 1.0
    member /= member.sum(axis=0, keepdims=True)
    return values @ member


def _pooled(
    events: Events, mask: np.ndarray, kind: str, position: int, settings: CoachingConfig
) -> dict[str, object]:
    """One effect row: the mean over coached reps of each rep's mean effect, Effect % of the coached reps'
    counterfactual revenue after, and a two-way cluster bootstrap: whole teams of coached reps
    resampled, and the comparison reps resampled at the same time (seeded, all resamples at once)."""
    table = events.table
    used_mask = mask & table["included"].to_numpy(dtype=bool)
    used = table[used_mask]
    rep_codes, rep_names = pd.factorize(used["rep_id"], sort=True)
    n = len(rep_names)
    rng = np.random.default_rng([settings.seed, position])
    samples = settings.bootstrap_samples
    effect_e = used["effect_per_month"].to_numpy(dtype="float64")
    post_e = used["post_revenue_per_month"].to_numpy(dtype="float64")
    pre_e = used["pre_revenue_per_month"].to_numpy(dtype="float64")
    own_change = post_e - pre_e
    nan = float("nan")
    row: dict[str, object] = {
        "kind": kind,
        "coached_reps": n,
        "events": len(used),
        "rep_months": int((used["pre_months"] + used["post_months"]).sum()),
    }
    effect = _per_rep(effect_e, rep_codes, n) if n else np.array([])
    post = _per_rep(post_e, rep_codes, n) if n else np.array([])
    pre = _per_rep(pre_e, rep_codes, n) if n else np.array([])
    effect_per_month = float(effect.mean()) if n else nan
    counterfactual = float((post - effect).mean()) if n else nan
    row.update(
        pre_revenue_per_month=float(pre.mean()) if n else nan,
        counterfactual_per_month=counterfactual,
        effect_per_month=effect_per_month,
        effect_pct=effect_per_month / counterfactual if n and counterfactual > 0 else nan,
    )
    first = used.groupby("rep_id", sort=True).head(1)
    clusters = (
        events.cluster[used_mask][used.index.get_indexer(first.index)]
        if n
        else np.array([], dtype="int64")
    )
    reps_total = events.controls.shape[1]
    low = high = pct_low = pct_high = nan
    by, n_clusters = "team", 0
    weights = np.zeros((samples, n))
    if n >= 2:
        weights, by, n_clusters = _cluster_weights(rng, clusters, samples, settings)
        drawn = _effect_samples(
            rng,
            events.picked[used_mask],
            events.adjusted[used_mask],
            own_change,
            reps_total,
            samples,
        )
        effect_b = _per_rep(drawn, rep_codes, n)
        mass = weights.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_b = (weights * effect_b).sum(axis=1) / mass
            cf_b = (weights * (post[None] - effect_b)).sum(axis=1) / mass
            low, high = _interval(mean_b, effect_per_month, n_clusters)
            pct_low, pct_high = _interval(
                np.where(cf_b > 0, mean_b / cf_b, np.nan),
                float(row["effect_pct"]),  # type: ignore[arg-type]
                n_clusters,
            )
    row.update(
        effect_low=low,
        effect_high=high,
        effect_pct_low=pct_low,
        effect_pct_high=pct_high,
        clusters=n_clusters,
        cluster_by=by if n >= 2 else "",
    )
    # The influence check: the same estimate with the most influential rep (or team) left out.
    row.update(
        _influence(
            effect,
            post,
            effect_b if n >= 2 else np.zeros((samples, n)),
            weights,
            clusters,
            events.cluster_label[used_mask][used.index.get_indexer(first.index)] if n else clusters,
            events.rep_name[used_mask][used.index.get_indexer(first.index)] if n else clusters,
            by,
            n_clusters,
            (pct_low, pct_high),
            float(row["effect_pct"]),  # type: ignore[arg-type]
        )
    )
    # The placebo: the same estimate at the fake start, over the engagements that have one.
    placebo_e = used["placebo_effect_per_month"].to_numpy(dtype="float64")
    has = np.isfinite(placebo_e)
    row.update(
        placebo_reps=int(used["rep_id"][has].nunique()),
        placebo_pct=nan,
        placebo_pct_low=nan,
        placebo_pct_high=nan,
    )
    if has.sum():
        codes, names = pd.factorize(used["rep_id"][has], sort=True)
        own = _per_rep(placebo_e[has], codes, len(names))
        base = _per_rep(events.placebo_post[used_mask][has], codes, len(names))
        level = float((base - own).mean())
        row["placebo_pct"] = float(own.mean()) / level if level > 0 else nan
        if len(names) >= 2:
            at = rep_names.get_indexer(names)
            drawn = _effect_samples(
                rng,
                events.placebo_picked[used_mask][has],
                events.placebo_adjusted[used_mask][has],
                placebo_e[has] + np.nanmean(events.placebo_adjusted[used_mask][has], axis=1),
                reps_total,
                samples,
            )
            own_b = _per_rep(drawn, codes, len(names))
            w = weights[:, at]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_b = (w * own_b).sum(axis=1) / w.sum(axis=1)
                level_b = (w * (base[None] - own_b)).sum(axis=1) / w.sum(axis=1)
                row["placebo_pct_low"], row["placebo_pct_high"] = _interval(
                    np.where(level_b > 0, mean_b / level_b, np.nan),
                    float(row["placebo_pct"]),  # type: ignore[arg-type]
                    n_clusters,
                )
    # The pre-trend: the leads' slope a month, as a share of the coached reps' base revenue, times
    # the window: how far the gap drifted over the months before.
    trend_e = used["pre_trend_per_month"].to_numpy(dtype="float64")
    base_e = used["base_revenue_per_month"].to_numpy(dtype="float64")
    has = np.isfinite(trend_e)
    row.update(
        pre_trend_reps=int(used["rep_id"][has].nunique()),
        pre_trend=nan,
        pre_trend_low=nan,
        pre_trend_high=nan,
    )
    if has.sum():
        codes, names = pd.factorize(used["rep_id"][has], sort=True)
        trend = _per_rep(trend_e[has], codes, len(names)) * settings.window_months
        level_r = _per_rep(base_e[has], codes, len(names))
        level = float(level_r.mean())
        row["pre_trend"] = float(trend.mean()) / level if level > 0 else nan
        if len(names) >= 2:
            w = weights[:, rep_names.get_indexer(names)]
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = ((w * trend[None]).sum(axis=1) / w.sum(axis=1)) / (
                    (w * level_r[None]).sum(axis=1) / w.sum(axis=1)
                )
            row["pre_trend_low"], row["pre_trend_high"] = _interval(
                ratio,
                float(row["pre_trend"]),  # type: ignore[arg-type]
                n_clusters,
            )
    # The win-rate effect: the same two-way cluster bootstrap as revenue (teams of coached reps and
    # matched reps resampled together), over the coached reps with a win rate in both windows.
    wr_e = used["win_rate_effect"].to_numpy(dtype="float64")
    has = np.isfinite(wr_e)
    row.update(
        win_rate_reps=int(used["rep_id"][has].nunique()),
        win_rate_effect=nan,
        win_rate_effect_low=nan,
        win_rate_effect_high=nan,
    )
    if has.sum():
        codes, names = pd.factorize(used["rep_id"][has], sort=True)
        wr = _per_rep(wr_e[has], codes, len(names))
        row["win_rate_effect"] = float(wr.mean())
        if len(names) >= 2:
            drawn = _effect_samples(
                rng,
                events.picked[used_mask][has],
                events.win_rate_controls[used_mask][has],
                events.win_rate_own[used_mask][has],
                reps_total,
                samples,
            )
            own_b = _per_rep(drawn, codes, len(names))
            w = weights[:, rep_names.get_indexer(names)]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_b = (w * own_b).sum(axis=1) / w.sum(axis=1)
            row["win_rate_effect_low"], row["win_rate_effect_high"] = _interval(
                mean_b, float(wr.mean()), n_clusters
            )
    cost = used["coaching_cost"].dropna()
    mean_cost = float(cost.mean()) if len(cost) else nan
    outcomes = check_outcomes(row)
    reading, reason = verdict(
        n,
        pct_low,
        pct_high,
        settings,
        pre_trend=(row["pre_trend_low"], row["pre_trend_high"]),  # type: ignore[arg-type]
        placebo=(row["placebo_pct_low"], row["placebo_pct_high"]),  # type: ignore[arg-type]
        influence=(row["influence_pct_low"], row["influence_pct_high"]),  # type: ignore[arg-type]
        influence_unit=str(row["influence_by"]),
        influence_label=str(row["influence_left_out"]),
    )
    # What coaching costs per point and how soon it pays back only means something for an effect
    # the page reads as real: empty unless the verdict is "revenue rose".
    rose = reading == ROSE
    row.update(
        mean_coaching_cost=mean_cost,
        cost_per_point=mean_cost / (float(row["effect_pct"]) * 100) if rose else nan,  # type: ignore[arg-type]
        payback_months=mean_cost / effect_per_month if rose else nan,
        verdict=reading,
        verdict_reason=reason,
        checks="; ".join(words for _, _, words in outcomes),
    )
    return row


def _influence(
    effect: np.ndarray,
    post: np.ndarray,
    effect_b: np.ndarray,
    weights: np.ndarray,
    clusters: np.ndarray,
    cluster_labels: np.ndarray,
    rep_labels: np.ndarray,
    by: str,
    n_clusters: int,
    interval: tuple[float, float],
    effect_pct: float,
) -> dict[str, object]:
    """Leave-one-out: Effect % and its interval without the coached rep (and, when whole teams are
    resampled, without the team) that moves the estimate furthest toward 0 — the most influential;
    of the two, the one whose interval comes nearest to 0 (or crosses it). The same resamples as the
    full estimate, with the left-out reps weighing nothing.

    ``effect``, ``post``: each coached rep's effect and revenue after, a month; ``effect_b`` their
    resampled effects (samples × reps); ``weights`` the cluster bootstrap's weights of the reps."""
    nan = float("nan")
    found: dict[str, object] = {
        "influence_by": "",
        "influence_left_out": "",
        "influence_pct": nan,
        "influence_pct_low": nan,
        "influence_pct_high": nan,
    }
    expected = post - effect
    total_effect, total_expected = float(effect.sum()), float(expected.sum())
    if len(effect) < 3 or not total_expected > 0 or not np.isfinite(effect_pct):
        return found
    low, high = interval
    sign = 1.0 if low > 0 else -1.0 if high < 0 else (1.0 if effect_pct >= 0 else -1.0)
    units = [("rep", np.arange(len(effect)), rep_labels)]
    if by == "team":
        units.append(("team", clusters, cluster_labels))
    worst = math.inf
    for unit, member, labels in units:
        codes, _ = pd.factorize(member)
        if codes.max() < 1:
            continue  # one team only: nothing is left without it
        left_effect = total_effect - np.bincount(codes, effect)
        left_expected = total_expected - np.bincount(codes, expected)
        with np.errstate(invalid="ignore", divide="ignore"):
            without = np.where(left_expected > 0, left_effect / left_expected, np.nan)
        if not np.isfinite(without).any():
            continue
        group = int(np.nanargmin(sign * without))
        keep = (codes != group).astype("float64")
        w = weights * keep[None]
        with np.errstate(invalid="ignore", divide="ignore"):
            mass = w.sum(axis=1)
            mean_b = (w * effect_b).sum(axis=1) / mass
            expected_b = (w * (post[None] - effect_b)).sum(axis=1) / mass
            pct_b = np.where(expected_b > 0, mean_b / expected_b, np.nan)
        remaining = n_clusters - 1 if unit == by else n_clusters
        a, b = _interval(pct_b, float(without[group]), remaining)
        margin = (a if sign > 0 else -b) if np.isfinite(a) and np.isfinite(b) else -math.inf
        if margin < worst or not found["influence_by"]:
            worst = margin
            found = {
                "influence_by": unit,
                "influence_left_out": str(labels[np.flatnonzero(codes == group)[0]]),
                "influence_pct": float(without[group]),
                "influence_pct_low": a,
                "influence_pct_high": b,
            }
    return found


def _contains_zero(interval: tuple[float, float]) -> bool | None:
    low, high = interval
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    return bool(low <= 0 <= high)


PASSED, FAILED, NOT_RUN, NOT_NEEDED = "passed", "failed", "not run", "not needed"
"""The outcome of a check."""


def _influence_words(unit: str, label: str) -> tuple[str, str]:
    """How the influence check names what it left out: ("rep", "Ann") → ("one rep, Ann,", "them")."""
    return (f"one {unit or 'rep'}, {label},", "them" if unit != "team" else "it")


def check_outcomes(row: dict[str, object]) -> list[tuple[str, str, str]]:
    """Each check of an effect row (pre-trend, placebo, influence) as (name, outcome, plain words):
    always said, whatever the verdict, so a failed check is never silent beside "no clear effect"."""
    said = []

    def why_not(count: str) -> str:
        few = int(row.get(count, 2)) < 2  # type: ignore[call-overload]
        return (
            "fewer than 2 coached reps with enough history before the starts"
            if few
            else "too little history before the starts"
        )

    trend = (row["pre_trend_low"], row["pre_trend_high"])
    state = _contains_zero(trend)  # type: ignore[arg-type]
    if state is None:
        said.append(
            ("pre-trend", NOT_RUN, f"pre-trend could not be run ({why_not('pre_trend_reps')})")
        )
    elif state:
        said.append(
            (
                "pre-trend",
                PASSED,
                "pre-trend passed: no drift of the gap to the matched reps was found in "
                "the months before coaching",
            )
        )
    elif float(trend[1]) < 0:  # type: ignore[arg-type]
        said.append(
            (
                "pre-trend",
                FAILED,
                "pre-trend failed: coached reps were already falling behind comparable "
                "reps before coaching, so a change after may be regression to the mean",
            )
        )
    else:
        said.append(
            (
                "pre-trend",
                FAILED,
                "pre-trend failed: coached reps were already pulling ahead (recovering) "
                "before coaching, so a change after may be a trend that had already "
                "begun, not coaching",
            )
        )
    state = _contains_zero((row["placebo_pct_low"], row["placebo_pct_high"]))  # type: ignore[arg-type]
    if state is None:
        said.append(("placebo", NOT_RUN, f"placebo could not be run ({why_not('placebo_reps')})"))
    elif state:
        said.append(
            (
                "placebo",
                PASSED,
                "placebo passed: the same estimate at a fake start one window earlier "
                "finds no effect",
            )
        )
    else:
        said.append(
            (
                "placebo",
                FAILED,
                "placebo failed: the same estimate at a fake start one window earlier, "
                "before any coaching, finds an 'effect', so the method is misled at this "
                "moment of these reps' careers, e.g. reps picked after a bad spell who "
                "recover anyway: regression to the mean",
            )
        )
    low, high = row["effect_pct_low"], row["effect_pct_high"]
    unit, label = str(row["influence_by"]), str(row["influence_left_out"])
    who, them = _influence_words(unit, label)
    if not row["influence_by"]:
        said.append(
            (
                "influence",
                NOT_RUN,
                "influence could not be run (fewer than 3 coached reps, or no estimate)",
            )
        )
    elif _contains_zero((low, high)) is None:  # type: ignore[arg-type]
        said.append(("influence", NOT_RUN, "influence could not be run (no interval)"))
    elif _contains_zero((low, high)):  # type: ignore[arg-type]
        said.append(
            ("influence", NOT_NEEDED, "influence not needed: the interval already contains 0")
        )
    else:
        a, b = float(row["influence_pct_low"]), float(row["influence_pct_high"])  # type: ignore[arg-type]
        kept = (
            math.isfinite(a)
            and math.isfinite(b)
            and ((float(low) > 0 and a > 0) or (float(high) < 0 and b < 0))  # type: ignore[arg-type]
        )
        if kept:
            said.append(
                (
                    "influence",
                    PASSED,
                    f"influence passed: without the most influential {unit} ({label}) "
                    "the interval still excludes 0",
                )
            )
        else:
            side = "above" if float(low) > 0 else "below"  # type: ignore[arg-type]
            said.append(
                (
                    "influence",
                    FAILED,
                    f"influence failed: {who} drives the result: without {them} the 95 % "
                    f"interval is no longer all {side} 0",
                )
            )
    return said


def verdict(
    coached_reps: int,
    low: float,
    high: float,
    settings: CoachingConfig,
    pre_trend: tuple[float, float] = (float("nan"), float("nan")),
    placebo: tuple[float, float] = (float("nan"), float("nan")),
    influence: tuple[float, float] = (float("nan"), float("nan")),
    influence_unit: str = "rep",
    influence_label: str = "",
) -> tuple[str, str]:
    """The plain-language reading of an effect and the rule that gave it.

    Not enough data yet: fewer than ``min_reps`` coached reps, or a 95 % interval wider than
    ``max_interval_width``. An interval that contains 0 is "no clear effect". An interval on one side
    of 0 reads "rose" or "fell" only when every check passes: the pre-trend interval (drift of the gap
    to level-matched reps over the months before) and the placebo interval (the same estimate at a
    fake start one window earlier) both contain 0, and the interval with the most influential rep (or
    team) left out (``influence``) is still on the same side of 0. Otherwise CHECK_FAILED, saying which
    and why.
    """
    if coached_reps < settings.min_reps:
        return (
            NOT_ENOUGH,
            f"{coached_reps} coached rep(s) with both windows; at least {settings.min_reps} needed",
        )
    if not (np.isfinite(low) and np.isfinite(high)):
        return NOT_ENOUGH, "no interval could be computed"
    if high - low > settings.max_interval_width:
        return NOT_ENOUGH, (
            f"the 95 % interval spans {(high - low) * 100:.0f} % of the revenue expected "
            f"without coaching; at most {settings.max_interval_width * 100:.0f} % gives a verdict"
        )
    if low <= 0 <= high:
        return UNCLEAR, "the 95 % interval contains 0"
    way = "rise" if low > 0 else "fall"
    row = {
        "pre_trend_low": pre_trend[0],
        "pre_trend_high": pre_trend[1],
        "placebo_pct_low": placebo[0],
        "placebo_pct_high": placebo[1],
        "effect_pct_low": low,
        "effect_pct_high": high,
        "influence_by": influence_unit if influence_label else "",
        "influence_left_out": influence_label,
        "influence_pct_low": influence[0],
        "influence_pct_high": influence[1],
    }
    failed = [words for _, outcome, words in check_outcomes(row) if outcome in (FAILED, NOT_RUN)]
    if failed:
        return CHECK_FAILED, f"the 95 % interval excludes 0 (a {way}), but " + "; ".join(failed)
    return (
        (ROSE, "the whole 95 % interval is above 0; pre-trend, placebo and influence checks passed")
        if low > 0
        else (
            FELL,
            "the whole 95 % interval is below 0; pre-trend, placebo and influence checks passed",
        )
    )


def coaching_effects(events: Events, settings: CoachingConfig) -> pd.DataFrame:
    """The pooled effect per coaching kind (alphabetical), then over every kind (ALL_KINDS), with the
    number of distinct comparison reps behind each."""
    frame = events.table
    kinds = sorted(frame["kind"].dropna().unique()) if len(frame) else []
    rows = []
    for i, kind in enumerate([*kinds, ALL_KINDS]):
        mask = (
            (frame["kind"] == kind).to_numpy()
            if kind != ALL_KINDS
            else np.ones(len(frame), dtype=bool)
        )
        row = _pooled(events, mask, kind, 0 if kind == ALL_KINDS else i + 1, settings)
        row["control_reps"] = (
            int(events.controls[mask].any(axis=0).sum()) if events.controls.size else 0
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    table["kind"] = table["kind"].astype("string")
    for column in (
        "coached_reps",
        "events",
        "rep_months",
        "win_rate_reps",
        "clusters",
        "placebo_reps",
        "pre_trend_reps",
    ):
        table[column] = table[column].astype("int64")
    for column in (
        "verdict",
        "verdict_reason",
        "checks",
        "cluster_by",
        "influence_by",
        "influence_left_out",
    ):
        table[column] = table[column].astype("string")
    return table[EFFECT_COLUMNS]


def coaching_by_manager(
    events: Events, manager_of: pd.Series, settings: CoachingConfig
) -> pd.DataFrame:
    """Per manager (``manager_of``: rep id → the manager the reps export names now), every kind of
    coaching of their reps over all years, estimated, checked and read exactly like a row of the
    effect table; a manager with fewer than ``min_reps`` coached reps gets "not enough data yet"
    without running the bootstrap. Sorted by manager."""
    frame = events.table
    managers = frame["rep_id"].map(manager_of).astype("string")
    names = sorted(managers.dropna().unique())
    # Each engagement's manager and rep as numbers, and each manager's included engagements and
    # distinct coached reps counted at once (hundreds of managers at thousands of reps).
    position = (
        pd.Index(names, dtype="string").get_indexer(managers) if names else np.full(len(frame), -1)
    )
    included = frame["included"].to_numpy(dtype=bool)
    rep_codes, _ = pd.factorize(frame["rep_id"])
    counted = included & (position >= 0)
    n_events = np.bincount(position[counted], minlength=len(names))
    pairs = np.unique(np.stack([position, rep_codes])[:, counted & (rep_codes >= 0)], axis=1)
    n_reps = np.bincount(pairs[0], minlength=len(names))
    rows = []
    for i, manager in enumerate(names):
        mask = position == i
        reps = int(n_reps[i])
        if reps >= settings.min_reps:
            row = _pooled(events, mask, str(manager), 10_000 + i, settings)
        else:
            reading, reason = verdict(reps, float("nan"), float("nan"), settings)
            row = {
                "coached_reps": reps,
                "events": int(n_events[i]),
                "effect_pct": float("nan"),
                "effect_pct_low": float("nan"),
                "effect_pct_high": float("nan"),
                "verdict": reading,
                "verdict_reason": reason,
                "checks": "",
            }
        rows.append({"manager": manager, **{c: row[c] for c in MANAGER_COACHING_COLUMNS[1:]}})
    table = pd.DataFrame(rows, columns=MANAGER_COACHING_COLUMNS)
    for column in ("manager", "verdict", "verdict_reason", "checks"):
        table[column] = table[column].astype("string")
    for column in ("coached_reps", "events"):
        table[column] = table[column].astype("int64")
    for column in ("effect_pct", "effect_pct_low", "effect_pct_high"):
        table[column] = table[column].astype("float64")
    return table


def missed_revenue_goals(goals: pd.DataFrame, events: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Reps who missed a revenue goal in a finished fiscal year and were coached in that year or the
    next, with what followed: their before/after revenue and the next year's attainment.

    ``goals`` is the goals table of metrics.goals (attainment = actual ÷ target, SPEC §5 revenue).
    """
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in MISSED_COLUMNS})
    if not len(goals) or not len(events):
        return empty.astype(
            {"rep_id": "string", "kind": "string", "year": "int64", "start": "datetime64[s]"}
        )
    # A goal whose rep left before its year ended ("rep left") was not missed: left out.
    mine = goals[
        (goals["scope"] == "rep")
        & (goals["metric"] == "revenue")
        & goals["attainment"].notna()
        & (goals["status"] != LEFT)
    ]
    attained = pd.DataFrame(
        {
            "rep_id": mine["id"].astype("string"),
            "year": mine["year"].astype("int64"),
            "target": mine["target"].astype("float64"),
            "revenue": mine["actual"].astype("float64"),
            "attainment": mine["attainment"].astype("float64"),
        }
    )
    # Years before the reporting year, and the reporting year once as_of is its last day (compared
    # as years: a goal for a year far ahead, 9999, needs no date).
    finished = (attained["year"] < period.year) | (
        (attained["year"] == period.year) & (period.end <= period.as_of)
    )
    # Only a finished year's attainment: part of a year would read as a year missed.
    next_year = attained[finished].set_index(["rep_id", "year"])["attainment"]
    missed = attained[finished & (attained["attainment"] < 1)]
    coached = events.assign(
        coached_year=fiscal_year(events["start"], period.fiscal_year_start).astype("int64")
    )
    pairs = missed.merge(coached, on="rep_id")
    pairs = pairs[
        (pairs["coached_year"] == pairs["year"]) | (pairs["coached_year"] == pairs["year"] + 1)
    ]
    # A Series maps by its index; pandas-stubs leave Series out of Index.map's mappers.
    following = pd.MultiIndex.from_arrays([pairs["rep_id"], pairs["year"] + 1])
    pairs = pairs.assign(next_year_attainment=following.map(next_year).astype("float64"))  # type: ignore[arg-type]
    return pairs.sort_values(["rep_id", "year", "start"]).reset_index(drop=True)[MISSED_COLUMNS]


def _left_in_window(
    events: pd.DataFrame, reps: pd.DataFrame, window: int, as_of: pd.Timestamp | None = None
) -> pd.Series:
    """``events["note"]``, with a note on each included engagement whose rep left (on or before
    ``as_of``: a leaving date still ahead is no departure yet) within its ``window`` months after
    the start: its after-window is cut short, and sales often fall before a departure, so its
    effect may say more about leaving than about the coaching."""
    known = reps_by_id(reps)["left"].dropna()
    if as_of is not None:
        known = known[known <= as_of]
    if not len(known) or not len(events):
        return events["note"]
    left = pd.to_datetime(events["rep_id"].astype("string").map(known))
    window_end = events["start"] + pd.DateOffset(months=window)
    cut = events["included"].to_numpy(dtype=bool) & (left.notna() & (left < window_end)).to_numpy()
    if not cut.any():
        return events["note"]
    said = [
        f"rep left on {day:%Y-%m-%d}, {int(after)} of {window} months after the start: sales often "
        "fall before a departure, so this says more about leaving than about the coaching"
        for day, after in zip(left[cut], events.loc[cut, "post_months"], strict=True)
    ]
    notes = events["note"].astype("object").to_numpy(copy=True)
    notes[cut] = [
        f"{before}; {new}" if before else new for before, new in zip(notes[cut], said, strict=True)
    ]
    return pd.Series(pd.array(notes, dtype="string"), index=events.index)


def coaching_estimates(
    events: Events, reps: pd.DataFrame, settings: CoachingConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bootstrapped coaching tables ``(effects, by_manager)``, as ``CoachingEffect`` holds them
    (``coaching_effects``: one row per kind, then ALL_KINDS; ``coaching_by_manager``: one row per
    manager, as the reps export names them now, every kind pooled), from the engagements alone:
    most of the coaching time, about 1 s at 1,000 reps and 5 s at 5,000.

    The coaching tables are ``coaching_events``, then these estimates, then ``coaching_tables``.
    The estimates need neither the goals nor the managers' history, so a build makes them in
    another process while it computes those (``generator.metrics._dependent``)."""
    manager_of = (
        pd.Series(
            reps["manager"].to_numpy(), index=reps["rep_id"].astype("string").to_numpy()
        ).dropna()
        if "manager" in reps
        else pd.Series(dtype="string")
    )
    return coaching_effects(events, settings), coaching_by_manager(events, manager_of, settings)


def coaching_tables(
    events: Events,
    estimates: tuple[pd.DataFrame, pd.DataFrame],
    goals: pd.DataFrame,
    period: Period,
) -> CoachingEffect:
    """The coaching tables from the engagements, their ``coaching_estimates`` and the goals table."""
    effects, by_manager = estimates
    return CoachingEffect(
        effects=effects,
        events=events.table,
        missed_goals=missed_revenue_goals(goals, events.table, period),
        by_manager=by_manager,
    )
