"""Seeded studies of the projections (issue 13): lumpy two-year series, and backtest coverage of the
80 % intervals on a smooth-seasonal company.

    python bench/forecast_study.py --arrangements 3000 --seed 13

The lumpy study: a rep sells 0.6 M in a first year and 1.7 M in the second, in 1–6 deals a year on
random months with random sizes (a lost deal in the very first month makes every history exactly
24 months long). Each arrangement is projected for the next 12 months; the study reports the
largest projection ÷ last 12 months that carries no flag, how many were flagged (capped at 3×),
and how many intervals have zero width. The tests run the same code on a few hundred arrangements.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.metrics.forecast import CAP, Forecast, Horizon, compute_forecast, forecast_level  # noqa: E402
from generator.metrics.history import grouping  # noqa: E402

FIRST_MONTH = pd.Timestamp("2024-01-01")
LAST_MONTH = pd.Timestamp("2025-12-01")


def lumpy_counted(arrangements: int, seed: int, first_year: float = 600_000.0,
                  second_year: float = 1_700_000.0) -> pd.DataFrame:
    """Closed deals of ``arrangements`` reps (one per arrangement): ``month``, ``rep_id``, ``won_amount``."""
    rng = np.random.default_rng(seed)
    months, reps, amounts = [], [], []
    for i in range(arrangements):
        rep = f"R{i:05d}"
        months.append(0)  # a lost deal in the first month: 24 months of history
        reps.append(rep)
        amounts.append(0.0)
        for offset, total in ((0, first_year), (12, second_year)):
            deals = int(rng.integers(1, 7))
            shares = rng.dirichlet(np.ones(deals))
            months.extend(offset + rng.integers(0, 12, deals))
            reps.extend([rep] * deals)
            amounts.extend(total * shares)
    month = FIRST_MONTH + pd.to_timedelta(0, "D")
    return pd.DataFrame({
        "month": pd.DatetimeIndex([month + pd.DateOffset(months=int(m)) for m in months]),
        "rep_id": pd.Series(reps, dtype="string"),
        "won_amount": np.asarray(amounts, dtype="float64"),
    })


@dataclass(frozen=True)
class LumpyResult:
    """What the lumpy study measures over its arrangements."""

    arrangements: int
    max_unflagged_ratio: float
    """Largest next-year projection ÷ last 12 months among projections with no flag."""
    over_cap_unflagged: int
    """Projections above CAP × last 12 months without a flag (must be 0)."""
    flagged: int
    zero_width: int
    """Intervals whose low equals their high (must be 0)."""
    max_ratio: float
    """Largest projection ÷ last 12 months, flagged or not."""


def lumpy_study(arrangements: int, seed: int) -> LumpyResult:
    """Project every arrangement over the next 12 months, exactly as the site does for a rep."""
    counted = lumpy_counted(arrangements, seed)
    level = forecast_level(counted, grouping(counted["rep_id"]), "rep", [Horizon("next year", 2026, 1, 12)],
                           LAST_MONTH, {})
    table = level.table
    ratio = table["forecast"].to_numpy() / level.last12.reindex(table["id"]).to_numpy()
    flagged = (table["flag"] != "").to_numpy()
    width = (table["forecast_high"] - table["forecast_low"]).to_numpy()
    return LumpyResult(
        arrangements=len(table),
        max_unflagged_ratio=float(ratio[~flagged].max()) if (~flagged).any() else float("nan"),
        over_cap_unflagged=int(((ratio > CAP * (1 + 1e-12)) & ~flagged).sum()),
        flagged=int(flagged.sum()),
        zero_width=int((width <= 0).sum()),
        max_ratio=float(ratio.max()),
    )


def smooth_seasonal_deals(seed: int, reps: int = 24, months: int = 60) -> pd.DataFrame:
    """A seeded company whose reps sell a smooth, seasonal, slowly growing amount every month (with
    10–20 % noise), in two to four deals a month, over ``months`` months ending in December 2025.
    Columns: deal_id, rep_id, amount, status, closed, region."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-12-01") - pd.DateOffset(months=months - 1)
    season = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(months) + start.month - 1) / 12)
    rows = []
    for r in range(reps):
        level = rng.uniform(40_000, 160_000)
        growth = rng.normal(0.004, 0.004)
        noise = rng.uniform(0.10, 0.20)
        for t in range(months):
            total = level * (1 + growth) ** t * season[t] * rng.lognormal(0, noise)
            deals = int(rng.integers(2, 5))
            for d, share in enumerate(rng.dirichlet(np.full(deals, 4.0))):
                closed = start + pd.DateOffset(months=t) + pd.Timedelta(days=int(rng.integers(0, 27)))
                rows.append((f"D{r}-{t}-{d}", f"R{r:02d}", total * share, "won", closed, f"Region {r % 4}"))
            rows.append((f"L{r}-{t}", f"R{r:02d}", level * 0.5, "lost",
                         start + pd.DateOffset(months=t) + pd.Timedelta(days=3), f"Region {r % 4}"))
    return pd.DataFrame(rows, columns=["deal_id", "rep_id", "amount", "status", "closed", "region"])


def smooth_seasonal_forecast(seed: int) -> Forecast:
    """compute_forecast on the smooth-seasonal company, as of 31 December 2025, teams of six reps."""
    from generator.metrics.compute import counted_deals
    from generator.metrics.period import Period

    deals = smooth_seasonal_deals(seed)
    frame = deals.assign(closed=pd.to_datetime(deals["closed"]).astype("datetime64[s]"),
                         created=lambda d: d["closed"] - pd.Timedelta(days=10), client_id="C")
    for column in ("deal_id", "rep_id", "status", "client_id"):
        frame[column] = frame[column].astype("string")
    as_of = pd.Timestamp("2025-12-31")
    counted = counted_deals(frame.drop(columns="region"), Period.containing(as_of.date(), 1))
    counted["region"] = pd.Series(frame["region"].to_numpy(), index=counted.index, dtype="category")
    reps = pd.Index(sorted(frame["rep_id"].unique()), dtype="string")
    team_of = pd.Series({rep: f"T{i // 6}" for i, rep in enumerate(reps)})
    open_deals = pd.DataFrame({"rep_id": pd.Series([], dtype="string"), "amount": pd.Series([], dtype="float64"),
                               "region": pd.Series([], dtype="string")})
    return compute_forecast(counted, open_deals, team_of, as_of, 2025, as_of, reps,
                            pd.Index(sorted(team_of.unique()), dtype="string"))


def pooled_coverage(intervals: pd.DataFrame) -> float:
    """Coverage over every backtest origin of every level, weighted by origins."""
    weights = intervals["backtest_origins"].to_numpy(dtype="float64")
    covered = intervals["level_coverage"].to_numpy(dtype="float64")
    known = np.isfinite(covered) & (weights > 0)
    return float((covered[known] * weights[known]).sum() / weights[known].sum()) if known.any() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrangements", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--companies", type=int, default=5, help="seeds of the smooth-seasonal company")
    args = parser.parse_args()
    result = lumpy_study(args.arrangements, args.seed)
    print(f"lumpy 24-month series, {result.arrangements} arrangements: max projection ÷ last 12 months "
          f"unflagged {result.max_unflagged_ratio:.2f} (any {result.max_ratio:.2f}); above {CAP:g}× without a "
          f"flag: {result.over_cap_unflagged}; flagged: {result.flagged}; zero-width intervals: {result.zero_width}")
    for seed in range(args.companies):
        intervals = smooth_seasonal_forecast(seed).intervals
        by_level = ", ".join(f"{row.level} {row.level_coverage:.1%} of {row.backtest_origins}"
                             for row in intervals.itertuples())
        print(f"smooth-seasonal company, seed {seed}: 80 % coverage {pooled_coverage(intervals):.1%} ({by_level})")


if __name__ == "__main__":
    main()
