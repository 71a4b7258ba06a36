"""Does coaching pay? Difference-in-differences of monthly revenue and win rate around each coaching
start, against comparable reps not coached in that window, with a bootstrap interval (SPEC §4
coaching, §6 /coaching/). Pure: no clock, no files, no printing."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import CoachingConfig
from generator.metrics.period import Period, fiscal_year

ALL_KINDS = "All kinds"
"""The row of the effect table that pools every coaching kind."""

UNSPECIFIED = "Unspecified"
"""The kind of a coaching row without one."""

NOT_ENOUGH = "not enough data yet"
ROSE, FELL, UNCLEAR = "revenue rose", "revenue fell", "no clear effect"

PANEL_COLUMNS = ["rep_id", "month", "revenue", "won_deals", "lost_deals"]

EFFECT_COLUMNS = [
    "kind", "coached_reps", "events", "rep_months", "control_reps",
    "pre_revenue_per_month", "effect_per_month", "effect_low", "effect_high",
    "effect_pct", "effect_pct_low", "effect_pct_high",
    "win_rate_reps", "win_rate_effect", "win_rate_effect_low", "win_rate_effect_high",
    "mean_coaching_cost", "cost_per_point", "payback_months", "verdict", "verdict_reason",
]
"""Columns of data/coaching_effect.csv, in order."""

EVENT_COLUMNS = [
    "rep_id", "kind", "start", "end", "hours", "coaching_cost", "pre_months", "post_months",
    "pre_revenue_per_month", "post_revenue_per_month", "control_change", "effect_per_month",
    "pre_win_rate", "post_win_rate", "win_rate_effect", "control_group", "controls", "included", "note",
]
"""Columns of data/coaching_events.csv: one row per coaching engagement."""

MISSED_COLUMNS = [
    "rep_id", "year", "target", "revenue", "attainment", "kind", "start",
    "pre_revenue_per_month", "post_revenue_per_month", "effect_per_month", "next_year_attainment",
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


def rep_month_panel(counted: pd.DataFrame, reps: pd.DataFrame, last_month: pd.Timestamp) -> pd.DataFrame:
    """Won revenue, won and lost deals of every rep in every month they were employed (0 when nothing
    closed), from the first month with a closed deal (or the hire month, if later) to ``last_month``
    (or the month they left). Months with a closed deal are always included."""
    empty = pd.DataFrame({"rep_id": pd.Series(dtype="string"), "month": pd.Series(dtype="datetime64[s]"),
                          "revenue": pd.Series(dtype="float64"), "won_deals": pd.Series(dtype="int64"),
                          "lost_deals": pd.Series(dtype="int64")})
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
    months = pd.to_datetime({"year": number // 12, "month": number % 12 + 1, "day": 1}).astype("datetime64[s]")
    grid = pd.DataFrame({"rep_id": pd.Series(start.index[rep_index], dtype="string"), "month": months})
    sums.index = pd.MultiIndex.from_arrays([sums.index.get_level_values(0).astype("string"),
                                            sums.index.get_level_values(1).astype("datetime64[s]")])
    values = sums.reindex(pd.MultiIndex.from_frame(grid)).fillna(0.0)
    return pd.DataFrame({
        "rep_id": grid["rep_id"],
        "month": grid["month"],
        "revenue": values["won_amount"].to_numpy(dtype="float64"),
        "won_deals": values["won"].to_numpy().astype("int64"),
        "lost_deals": values["lost"].to_numpy().astype("int64"),
    })[PANEL_COLUMNS]


@dataclass(frozen=True)
class _Grid:
    """The panel as reps × months arrays, with running sums along the months for window sums."""

    rep_ids: pd.Index
    first_month: pd.Timestamp
    months: int
    sums: dict[str, np.ndarray]
    """name → reps × (months + 1) running sums (column 0 is 0): observed, revenue, won, lost."""

    def month_of(self, days: pd.Series) -> np.ndarray:
        """Month index of dates in this grid (may fall outside 0 … months-1)."""
        stamps = days.dt.to_period("M").dt.start_time
        return ((stamps.dt.year - self.first_month.year) * 12 + stamps.dt.month - self.first_month.month).to_numpy(
            dtype="int64")

    def window(self, name: str, begin: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Sums over months [begin, stop) for every start in ``begin``: shape (len(begin), reps)."""
        running = self.sums[name]
        a = np.clip(begin, 0, self.months)
        b = np.clip(stop, 0, self.months)
        return (running[:, b] - running[:, a]).T


def _grid(panel: pd.DataFrame) -> _Grid:
    rep_ids = pd.Index(pd.unique(panel["rep_id"].astype("string"))).sort_values()
    first = pd.Timestamp(panel["month"].min())
    month = pd.to_datetime(panel["month"])
    col = ((month.dt.year - first.year) * 12 + month.dt.month - first.month).to_numpy(dtype="int64")
    row = rep_ids.get_indexer(pd.Index(panel["rep_id"].astype("string")))
    n_months = int(col.max()) + 1
    sums = {}
    for name, values in (("observed", np.ones(len(panel))), ("revenue", panel["revenue"].to_numpy(dtype="float64")),
                         ("won", panel["won_deals"].to_numpy(dtype="float64")),
                         ("lost", panel["lost_deals"].to_numpy(dtype="float64"))):
        dense = np.zeros((len(rep_ids), n_months))
        dense[row, col] = values
        sums[name] = np.concatenate([np.zeros((len(rep_ids), 1)), np.cumsum(dense, axis=1)], axis=1)
    return _Grid(rep_ids, first, n_months, sums)


def _rate(won: np.ndarray, lost: np.ndarray) -> np.ndarray:
    closed = won + lost
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(closed > 0, won / np.where(closed > 0, closed, 1), np.nan)


def _codes(values: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(values.astype("string"), use_na_sentinel=True)
    return codes


@dataclass(frozen=True)
class Events:
    """The engagement table and, for each of its rows, which reps it was compared with."""

    table: pd.DataFrame
    controls: np.ndarray
    """Boolean (engagements × reps): the comparison reps of each engagement."""


def coaching_events(panel: pd.DataFrame, reps: pd.DataFrame, coaching: pd.DataFrame,
                    settings: CoachingConfig) -> Events:
    """Each coaching engagement's difference-in-differences (one rep: anecdotal on its own).

    Window: the ``window_months`` months before the start month and the ``window_months`` after it
    (the start month itself is in neither). A rep's window counts when at least half its months
    were employed months. Effect = (after − before of the coached rep) − mean(after − before) of the
    comparison reps: employed in both windows, not coached at any time in the whole window, from the
    same team when at least ``min_controls`` qualify, else the same region, else every such rep.
    """
    window = settings.window_months
    need = math.ceil(window / 2)
    rows = coaching.reset_index(drop=True)
    kind = rows["kind"].astype("string").str.strip().replace({"": pd.NA}).fillna(UNSPECIFIED)
    out = pd.DataFrame({
        "rep_id": rows["rep_id"].astype("string"),
        "kind": kind,
        "start": rows["start"],
        "end": rows["end"],
        "hours": rows["hours"].astype("float64"),
        "coaching_cost": rows["cost"].astype("float64"),
    })
    nan = np.full(len(out), np.nan)
    for column in EVENT_COLUMNS[6:]:
        out[column] = nan
    out["control_group"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["controls"] = 0
    out["included"] = False
    out["note"] = pd.Series("rep has no sales history", index=out.index, dtype="string")
    if not len(out) or not len(panel):
        return Events(out[EVENT_COLUMNS], np.zeros((len(out), 0), dtype=bool))

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
    coached_sums = np.concatenate([np.zeros((len(grid.rep_ids), 1)),
                                   np.cumsum(np.cumsum(active, axis=1)[:, :-1] > 0, axis=1)], axis=1)

    starts, slot = np.unique(start, return_inverse=True)

    def window_sums(name: str, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
        return grid.window(name, begin, end)

    pre_n = window_sums("observed", starts - window, starts)
    post_n = window_sums("observed", starts + 1, starts + 1 + window)
    pre_rev = window_sums("revenue", starts - window, starts)
    post_rev = window_sums("revenue", starts + 1, starts + 1 + window)
    pre_wr = _rate(window_sums("won", starts - window, starts), window_sums("lost", starts - window, starts))
    post_wr = _rate(window_sums("won", starts + 1, starts + 1 + window),
                    window_sums("lost", starts + 1, starts + 1 + window))
    covered = (pre_n >= need) & (post_n >= need)
    with np.errstate(invalid="ignore", divide="ignore"):
        pre_mean = np.where(pre_n > 0, pre_rev / np.where(pre_n > 0, pre_n, 1), np.nan)
        post_mean = np.where(post_n > 0, post_rev / np.where(post_n > 0, post_n, 1), np.nan)
    change = np.where(covered, post_mean - pre_mean, np.nan)
    wr_change = np.where(covered, post_wr - pre_wr, np.nan)
    a = np.clip(starts - window, 0, grid.months)
    b = np.clip(starts + 1 + window, 0, grid.months)
    uncoached = (coached_sums[:, b] - coached_sums[:, a]).T == 0
    eligible = covered & uncoached  # (distinct starts × reps)

    ev = np.flatnonzero(known)
    s = slot[ev]
    r = rep[ev]
    base = eligible[s].copy()
    base[np.arange(len(ev)), r] = False
    people = reps.set_index(reps["rep_id"].astype("string")).reindex(grid.rep_ids)
    team, region = _codes(people["team"]), _codes(people["region"])
    same_team = (team[r][:, None] == team[None, :]) & (team[r][:, None] >= 0)
    same_region = (region[r][:, None] == region[None, :]) & (region[r][:, None] >= 0)
    n_team = (base & same_team).sum(axis=1)
    n_region = (base & same_region).sum(axis=1)
    use_team = n_team >= settings.min_controls
    use_region = ~use_team & (n_region >= settings.min_controls)
    chosen = np.where(use_team[:, None], base & same_team, np.where(use_region[:, None], base & same_region, base))
    group = np.where(use_team, "team", np.where(use_region, "region", "all"))
    n_controls = chosen.sum(axis=1)
    control_change = np.where(n_controls > 0, (np.where(chosen, np.nan_to_num(change[s]), 0.0)).sum(axis=1)
                              / np.maximum(n_controls, 1), np.nan)
    wr_ok = chosen & ~np.isnan(wr_change[s])
    n_wr = wr_ok.sum(axis=1)
    control_wr = np.where(n_wr > 0, np.where(wr_ok, np.nan_to_num(wr_change[s]), 0.0).sum(axis=1)
                          / np.maximum(n_wr, 1), np.nan)
    treated_ok = covered[s, r]
    included = treated_ok & (n_controls > 0)

    def put(column: str, values: np.ndarray) -> None:
        full = out[column].to_numpy(dtype="float64" if column != "controls" else "int64", copy=True)
        full[ev] = values
        out[column] = full

    put("pre_months", pre_n[s, r])
    put("post_months", post_n[s, r])
    put("pre_revenue_per_month", pre_mean[s, r])
    put("post_revenue_per_month", post_mean[s, r])
    put("control_change", control_change)
    put("effect_per_month", np.where(included, change[s, r] - control_change, np.nan))
    put("pre_win_rate", pre_wr[s, r])
    put("post_win_rate", post_wr[s, r])
    put("win_rate_effect", np.where(included, wr_change[s, r] - control_wr, np.nan))
    put("controls", n_controls)
    out["pre_months"] = out["pre_months"].astype("Int64")
    out["post_months"] = out["post_months"].astype("Int64")
    flags = np.zeros(len(out), dtype=bool)
    flags[ev] = included
    out["included"] = flags
    groups = out["control_group"].to_numpy(dtype=object)
    groups[ev] = np.where(n_controls > 0, group, np.array(None))  # numpy's stubs refuse a bare None
    out["control_group"] = pd.array(groups, dtype="string")
    notes = out["note"].to_numpy(dtype=object)
    notes[ev] = np.where(included, "", np.where(
        ~treated_ok, f"fewer than {need} employed months before or after (too early or too recent)",
        "no comparison rep employed and uncoached in the window"))
    out["note"] = pd.array(notes, dtype="string").fillna("")
    matrix = np.zeros((len(out), len(grid.rep_ids)), dtype=bool)
    matrix[ev] = chosen & included[:, None]
    order = np.lexsort((out["start"].to_numpy(), out["rep_id"].to_numpy(dtype=object)))
    return Events(out.iloc[order].reset_index(drop=True)[EVENT_COLUMNS], matrix[order])


def _interval(samples: np.ndarray) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if len(finite) < len(samples) * 0.9 or not len(finite):
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def _pooled(events: pd.DataFrame, kind: str, position: int, settings: CoachingConfig) -> dict[str, object]:
    """One effect row: the mean over coached reps of each rep's mean effect, and a percentile
    bootstrap interval from resampling the coached reps (seeded, all resamples at once)."""
    used = events[events["included"]]
    per_rep = used.groupby("rep_id", sort=True).agg(
        effect=("effect_per_month", "mean"), pre=("pre_revenue_per_month", "mean"),
        win_rate_effect=("win_rate_effect", "mean"))
    n = len(per_rep)
    rng = np.random.default_rng([settings.seed, position])
    effect = per_rep["effect"].to_numpy()
    pre = per_rep["pre"].to_numpy()
    level = float(pre.mean()) if n else float("nan")
    effect_per_month = float(effect.mean()) if n else float("nan")
    effect_pct = effect_per_month / level if n and level > 0 else float("nan")
    effect_low = effect_high = effect_pct_low = effect_pct_high = float("nan")
    if n >= 2:
        picks = rng.integers(0, n, size=(settings.bootstrap_samples, n))
        effect_b = effect[picks].mean(axis=1)
        pre_b = pre[picks].mean(axis=1)
        effect_low, effect_high = _interval(effect_b)
        with np.errstate(invalid="ignore", divide="ignore"):
            effect_pct_low, effect_pct_high = _interval(np.where(pre_b > 0, effect_b / pre_b, np.nan))
    wr = per_rep["win_rate_effect"].dropna().to_numpy()
    win_rate_effect = float(wr.mean()) if len(wr) else float("nan")
    win_rate_low = win_rate_high = float("nan")
    if len(wr) >= 2:
        win_rate_low, win_rate_high = _interval(
            wr[rng.integers(0, len(wr), size=(settings.bootstrap_samples, len(wr)))].mean(axis=1))
    cost = used["coaching_cost"].dropna()
    mean_cost = float(cost.mean()) if len(cost) else float("nan")
    positive_pct = effect_pct if n and effect_pct > 0 else float("nan")
    positive = effect_per_month if n and effect_per_month > 0 else float("nan")
    reading, reason = verdict(n, effect_pct_low, effect_pct_high, settings)
    return {
        "kind": kind,
        "coached_reps": n,
        "events": len(used),
        "rep_months": int((used["pre_months"] + used["post_months"]).sum()),
        "pre_revenue_per_month": level,
        "effect_per_month": effect_per_month,
        "effect_pct": effect_pct,
        "effect_low": effect_low,
        "effect_high": effect_high,
        "effect_pct_low": effect_pct_low,
        "effect_pct_high": effect_pct_high,
        "win_rate_reps": len(wr),
        "win_rate_effect": win_rate_effect,
        "win_rate_effect_low": win_rate_low,
        "win_rate_effect_high": win_rate_high,
        "mean_coaching_cost": mean_cost,
        "cost_per_point": mean_cost / (positive_pct * 100),
        "payback_months": mean_cost / positive,
        "verdict": reading,
        "verdict_reason": reason,
    }


def verdict(coached_reps: int, low: float, high: float, settings: CoachingConfig) -> tuple[str, str]:
    """The plain-language reading of an effect and the rule that gave it.

    Not enough data yet: fewer than ``min_reps`` coached reps, or a 95 % interval wider than
    ``max_interval_width`` of the pre-period revenue. Otherwise the sign of the interval decides;
    an interval that contains 0 is "no clear effect".
    """
    if coached_reps < settings.min_reps:
        return NOT_ENOUGH, f"{coached_reps} coached rep(s) with both windows; at least {settings.min_reps} needed"
    if not (np.isfinite(low) and np.isfinite(high)):
        return NOT_ENOUGH, "no interval could be computed"
    if high - low > settings.max_interval_width:
        return NOT_ENOUGH, (f"the 95 % interval spans {(high - low) * 100:.0f} % of the revenue before; "
                            f"at most {settings.max_interval_width * 100:.0f} % gives a verdict")
    if low > 0:
        return ROSE, "the whole 95 % interval is above 0"
    if high < 0:
        return FELL, "the whole 95 % interval is below 0"
    return UNCLEAR, "the 95 % interval contains 0"


def coaching_effects(events: Events, settings: CoachingConfig) -> pd.DataFrame:
    """The pooled effect per coaching kind (alphabetical), then over every kind (ALL_KINDS), with the
    number of distinct comparison reps behind each."""
    frame = events.table
    kinds = sorted(frame["kind"].dropna().unique()) if len(frame) else []
    rows = []
    for i, kind in enumerate([*kinds, ALL_KINDS]):
        mask = (frame["kind"] == kind).to_numpy() if kind != ALL_KINDS else np.ones(len(frame), dtype=bool)
        row = _pooled(frame[mask], kind, 0 if kind == ALL_KINDS else i + 1, settings)
        row["control_reps"] = int(events.controls[mask].any(axis=0).sum()) if events.controls.size else 0
        rows.append(row)
    table = pd.DataFrame(rows)
    table["kind"] = table["kind"].astype("string")
    for column in ("coached_reps", "events", "rep_months", "win_rate_reps"):
        table[column] = table[column].astype("int64")
    for column in ("verdict", "verdict_reason"):
        table[column] = table[column].astype("string")
    return table[EFFECT_COLUMNS]


def missed_revenue_goals(goals: pd.DataFrame, events: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Reps who missed a revenue goal in a finished fiscal year and were coached in that year or the
    next, with what followed: their before/after revenue and the next year's attainment.

    ``goals`` is the goals table of metrics.goals (attainment = actual ÷ target, SPEC §5 revenue).
    """
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in MISSED_COLUMNS})
    if not len(goals) or not len(events):
        return empty.astype({"rep_id": "string", "kind": "string", "year": "int64", "start": "datetime64[s]"})
    mine = goals[(goals["scope"] == "rep") & (goals["metric"] == "revenue") & goals["attainment"].notna()]
    attained = pd.DataFrame({"rep_id": mine["id"].astype("string"), "year": mine["year"].astype("int64"),
                             "target": mine["target"].astype("float64"), "revenue": mine["actual"].astype("float64"),
                             "attainment": mine["attainment"].astype("float64")})
    finished = attained["year"].map(lambda y: period.end_of(int(y)) <= period.as_of)
    next_year = attained.set_index(["rep_id", "year"])["attainment"]
    missed = attained[finished & (attained["attainment"] < 1)]
    coached = events.assign(coached_year=fiscal_year(events["start"], period.fiscal_year_start).astype("int64"))
    pairs = missed.merge(coached, on="rep_id")
    pairs = pairs[(pairs["coached_year"] == pairs["year"]) | (pairs["coached_year"] == pairs["year"] + 1)]
    # A Series maps by its index; pandas-stubs leave Series out of Index.map's mappers.
    following = pd.MultiIndex.from_arrays([pairs["rep_id"], pairs["year"] + 1])
    pairs = pairs.assign(next_year_attainment=following.map(next_year).astype("float64"))  # type: ignore[arg-type]
    return pairs.sort_values(["rep_id", "year", "start"]).reset_index(drop=True)[MISSED_COLUMNS]


def compute_coaching(panel: pd.DataFrame, reps: pd.DataFrame, coaching: pd.DataFrame | None,
                     goals: pd.DataFrame, period: Period, settings: CoachingConfig) -> CoachingEffect | None:
    """Every coaching table (``panel`` from rep_month_panel, ``goals`` the goals table of
    metrics.goals), or None without a coaching dataset."""
    if coaching is None:
        return None
    events = coaching_events(panel, reps, coaching, settings)
    return CoachingEffect(
        effects=coaching_effects(events, settings),
        events=events.table,
        missed_goals=missed_revenue_goals(goals, events.table, period),
    )

