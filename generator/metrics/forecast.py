"""Projections of won revenue: additive Holt-Winters exponential smoothing (damped trend, monthly
seasons) run on every series at once with numpy, a seasonal-naive baseline, 80 % intervals, a
rolling-origin backtest, proportional top-down reconciliation and the open pipeline beside them.

Pure: no clock, no files. Every series is a monthly revenue series of one entity (rep, team,
region or the company), from its first closed deal to the last complete month before as_of.

The model, in error-correction form (Hyndman et al., *Forecasting with Exponential Smoothing*,
ETS(A,Ad,A)), for month t with season length m = 12:

    ŷ_t = l_{t-1} + φ·b_{t-1} + s_{t-m}            e_t = y_t − ŷ_t
    l_t = l_{t-1} + φ·b_{t-1} + α·e_t               b_t = φ·b_{t-1} + β·e_t
    s_t = s_{t-m} + γ·e_t

and the h-month forecast from month t is l_t + (φ + … + φ^h)·b_t + s_{t+h-m}. The parameters
(α, β, γ, φ) are chosen per series from a fixed grid by the smallest sum of squared one-month
errors up to the forecast origin (so a backtest never sees the future). The variance of a sum of
future months follows from the model: the error of month t+h is Σ_j c_j·ε_{t+h-j} with c_0 = 1 and
c_j = α + β(φ + … + φ^j) + γ·[j is a multiple of m].
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from generator.metrics.history import Grouping, grouping, one_group

SEASON = 12
"""Months in a season."""

MIN_MONTHS = 12
"""Below a year of history, no projection: "not enough history"."""

MODEL_MONTHS = 24
"""From two years of history on, Holt-Winters; between one and two, the seasonal-naive method."""

Z80 = 1.2815515655446004
"""The 90th percentile of the standard normal: an 80 % interval is the forecast ± Z80·σ."""

GRID = tuple(
    itertools.product((0.1, 0.25, 0.5), (0.0, 0.03, 0.1), (0.05, 0.2, 0.4), (0.8, 0.9, 0.98))
)
"""The (α, β, γ, φ) combinations tried for every series. φ < 1 always: no undamped trend."""

SHORT_MONTHS = 36
"""Below three years of history, only the more strongly damped φ ≤ SHORT_PHI are allowed."""

SHORT_PHI = 0.9

CAP = 3.0
"""A projection above CAP × the last 12 months' revenue (pro rata for a part year) is capped and flagged."""

MIN_RELATIVE_SD = 0.05
"""No interval narrower than this: σ of a sum ≥ 5 % of max(projection, last 12 months pro rata)."""

MIN_CALIBRATION = 30
"""Fewer backtest errors than this at a level: the interval falls back on the model's normal quantiles."""

LOSO_MAX = 50
"""Up to this many entities, each one's backtest coverage uses quantiles from the other entities only."""

SHARE_GROWTH_CAP = 1.5
"""Reconciliation: a part counts at most this × the median growth over its last 12 months."""

HOLT_WINTERS = "Holt-Winters"
SEASONAL_NAIVE = "seasonal naive"
NOT_ENOUGH = "not enough history"

FORECAST_COLUMNS = [
    "level",
    "id",
    "fiscal_year",
    "horizon",
    "months_ahead",
    "method",
    "history_months",
    "booked",
    "forecast",
    "forecast_low",
    "forecast_high",
    "baseline",
    "reconciled",
    "reconciled_low",
    "reconciled_high",
    "backtest_origins",
    "mape",
    "coverage",
    "level_coverage",
    "baseline_mape",
    "baseline_coverage",
    "beats_baseline",
    "flag",
    "open_deals",
    "open_pipeline",
    "win_rate",
    "expected_pipeline",
]
"""Columns of data/forecast.csv: one row per entity and horizon."""

INTERVAL_COLUMNS = [
    "level",
    "backtest_origins",
    "calibration_errors",
    "calibration_low",
    "calibration_high",
    "level_coverage",
]
"""Per level: its backtest origins, the backtest errors behind its 80 % interval (the company's include the
teams' and regions'), the interval's multipliers of σ, and the coverage it achieved."""

PATH_COLUMNS = ["level", "id", "month", "kind", "revenue", "low", "high"]
"""Columns of the monthly paths behind the forecast charts (kind: actual or forecast)."""


@dataclass(frozen=True)
class Series:
    """Monthly revenue series, left-aligned: row i starts at its own first month ``start[i]``."""

    ids: pd.Index
    values: np.ndarray
    """(series, months) revenue; entries at or after ``length[i]`` are 0 and never read."""
    length: np.ndarray
    start: np.ndarray
    """Index of each series' first month in ``months``."""
    months: pd.DatetimeIndex
    """Every calendar month of the data, up to the last complete month."""


def _month_numbers(counted: pd.DataFrame, last_month: pd.Timestamp) -> tuple[np.ndarray, int]:
    """Each counted deal's month and ``last_month`` as month numbers (months since 1970-01)."""
    return (
        counted["month"].to_numpy().astype("datetime64[M]").astype(np.int64),
        int(np.datetime64(last_month, "M").astype(np.int64)),
    )


def monthly_series(counted: pd.DataFrame, groups: Grouping, last_month: pd.Timestamp) -> Series:
    """Won revenue per group and month up to ``last_month``, each from the month of the group's first
    closed (won or lost) deal; months without a sale are 0."""
    month_index, last = _month_numbers(counted, last_month)
    keep = (groups.codes >= 0) & (month_index <= last)
    n = len(groups.names)
    if not keep.any():
        return Series(
            pd.Index([], dtype="string"),
            np.zeros((0, 0)),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            pd.DatetimeIndex([]),
        )
    first_month = int(month_index[keep].min())
    n_months = last - first_month + 1
    flat = groups.codes[keep] * n_months + (month_index[keep] - first_month)
    calendar = np.bincount(
        flat, weights=counted["won_amount"].to_numpy()[keep], minlength=n * n_months
    )
    calendar = calendar.reshape(n, n_months)
    closed = np.bincount(flat, minlength=n * n_months).reshape(n, n_months) > 0
    present = np.any(closed, axis=1)
    calendar, closed = calendar[present], closed[present]
    start = np.argmax(closed, axis=1).astype(np.int64)
    length = n_months - start
    # Left-align: column k of row i is calendar month start[i] + k.
    source = start[:, None] + np.arange(n_months)[None, :]
    values = np.where(
        source < n_months, np.take_along_axis(calendar, np.minimum(source, n_months - 1), 1), 0.0
    )
    months = pd.date_range(
        pd.Timestamp(np.datetime64(first_month, "M")), periods=n_months, freq="MS"
    )
    return Series(pd.Index(groups.names[present], dtype="string"), values, length, start, months)


def won_deals_last12(
    counted: pd.DataFrame, groups: Grouping, last_month: pd.Timestamp
) -> pd.Series:
    """Won deals (count) per group over the 12 months up to ``last_month``, indexed by group name."""
    month_index, last = _month_numbers(counted, last_month)
    keep = (
        (groups.codes >= 0)
        & (month_index > last - SEASON)
        & (month_index <= last)
        & (counted["won_amount"].to_numpy() > 0)
    )
    counts = np.bincount(groups.codes[keep], minlength=len(groups.names))
    return pd.Series(counts, index=pd.Index(groups.names), dtype="int64")


def _psi(phi: float, h: int) -> float:
    """φ + φ² + … + φ^h."""
    return float(sum(phi**j for j in range(1, h + 1)))


def _c(params: tuple[float, float, float, float], horizon: int) -> np.ndarray:
    """c_0 … c_{horizon-1} of the model's error weights (see the module docstring)."""
    alpha, beta, gamma, phi = params
    c = np.array(
        [alpha + beta * _psi(phi, j) + (gamma if j % SEASON == 0 else 0.0) for j in range(horizon)]
    )
    c[0] = 1.0
    return c


@cache
def window_variance_factor(
    params: tuple[float, float, float, float], first: int, last: int
) -> float:
    """Var(sum of months t+first … t+last) / σ²: Σ_k (Σ_{h ≥ k in the window} c_{h-k})²."""
    c = _c(params, last)
    total = 0.0
    for k in range(1, last + 1):
        weight = sum(c[h - k] for h in range(max(first, k), last + 1))
        total += weight * weight
    return total


@dataclass(frozen=True)
class Fit:
    """Holt-Winters run on every series: forecasts of the next 12 months' sum from every origin,
    and the state at each series' last month for the projections."""

    origin_sum: np.ndarray
    """(months, series): forecast of the sum of months t+1 … t+12 made at the end of month t."""
    origin_sd: np.ndarray
    """(months, series): its standard deviation under the model."""
    level: np.ndarray
    trend: np.ndarray
    season: np.ndarray
    """(12, series): seasonal states by aligned month modulo 12, at each series' last month."""
    choice: np.ndarray
    """Index into GRID of each series' parameters at its last month."""
    sigma: np.ndarray
    """One-month error standard deviation at each series' last month."""


def holt_winters(series: Series) -> Fit:
    """Filter every series with every GRID combination at once; choose per series and origin."""
    y = series.values
    n, t_max = y.shape
    k = len(GRID)
    alpha, beta, gamma, phi = (np.array(p)[:, None] for p in zip(*GRID, strict=True))
    sum12_psi = np.array([sum(_psi(p[3], h) for h in range(1, SEASON + 1)) for p in GRID])[:, None]
    vf12 = np.array([window_variance_factor(p, 1, SEASON) for p in GRID])
    origin_sum = np.full((t_max, n), np.nan)
    origin_sd = np.full((t_max, n), np.nan)
    out = Fit(
        origin_sum,
        origin_sd,
        np.full(n, np.nan),
        np.full(n, np.nan),
        np.zeros((SEASON, n)),
        np.zeros(n, np.int64),
        np.full(n, np.nan),
    )
    if t_max < MODEL_MONTHS or n == 0:
        return out
    # Starting states from the first year only (level = its mean, seasons = each month's difference from
    # it, trend 0): the months the parameters are judged on (12 on) never shaped the starting states.
    first_year = y[:, :SEASON].mean(axis=1)
    level = np.broadcast_to(first_year, (k, n)).copy()
    trend = np.zeros((k, n))
    season = np.broadcast_to(y[:, :SEASON].T - first_year, (k, SEASON, n)).transpose(1, 0, 2).copy()
    strong = (phi[:, 0] <= SHORT_PHI)[:, None]
    sse = np.zeros((k, n))
    columns = np.arange(n)
    last_index = series.length - 1
    for t in range(SEASON, t_max):
        slot = t % SEASON
        damped = phi * trend
        error = y[:, t][None, :] - (level + damped + season[slot])
        live = (t < series.length)[None, :]
        error = np.where(live, error, 0.0)
        level = level + damped + alpha * error
        trend = damped + beta * error
        season[slot] = season[slot] + gamma * error
        sse += error * error
        if t < MODEL_MONTHS - 1:
            continue
        # Below three years of history, only the strongly damped trends compete.
        best = np.argmin(sse if t + 1 >= SHORT_MONTHS else np.where(strong, sse, np.inf), axis=0)
        total = SEASON * level + sum12_psi * trend + season.sum(axis=0)
        sigma = np.sqrt(sse[best, columns] / (t - SEASON + 1))
        origin_sum[t] = total[best, columns]
        origin_sd[t] = sigma * np.sqrt(vf12[best])
        ends = last_index == t
        if ends.any():
            out.level[ends] = level[best, columns][ends]
            out.trend[ends] = trend[best, columns][ends]
            out.season[:, ends] = season[:, best, columns][:, ends]
            out.choice[ends] = best[ends]
            out.sigma[ends] = sigma[ends]
    origin_sum[~np.isfinite(origin_sd)] = np.nan
    return out


def project(
    fit: Fit, series: Series, first: int, last: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum of months first … last after each series' last month: (forecast, sd, per-month forecasts)."""
    n = len(series.ids)
    months = np.arange(1, last + 1)
    phi = np.array([GRID[c][3] for c in fit.choice])
    psi = np.cumsum(phi[:, None] ** months[None, :], axis=1)
    slots = (series.length[:, None] - 1 + months[None, :]) % SEASON
    seasonal = np.take_along_axis(fit.season.T, slots, axis=1)
    monthly = fit.level[:, None] + psi * fit.trend[:, None] + seasonal
    total = monthly[:, first - 1 : last].sum(axis=1)
    factors = {c: window_variance_factor(GRID[c], first, last) for c in np.unique(fit.choice)}
    sd = fit.sigma * np.sqrt(np.array([factors[c] for c in fit.choice])) if n else np.zeros(0)
    return total, sd, monthly


def seasonal_naive(series: Series, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """The baseline: each future month equals the same month of the last observed year.
    Returns (sum of months first … last, its sd with independent yearly differences)."""
    y, length = series.values, series.length
    n = len(series.ids)
    months = np.arange(first, last + 1)
    # Month t+h repeats month t+h−12·ceil(h/12).
    back = SEASON * np.ceil(months / SEASON).astype(np.int64)
    idx = length[:, None] - 1 + months[None, :] - back[None, :]
    valid = idx >= 0
    values = (
        np.where(valid, np.take_along_axis(y, np.clip(idx, 0, max(y.shape[1] - 1, 0)), 1), 0.0)
        if n
        else np.zeros((0, len(months)))
    )
    diffs = _yearly_differences(series)
    sd = np.sqrt(diffs * (back / SEASON).sum()) if n else np.zeros(0)
    return values.sum(axis=1), sd


def _yearly_differences(series: Series) -> np.ndarray:
    """Mean squared difference between a month and the same month a year earlier, per series."""
    y, length = series.values, series.length
    if y.shape[1] <= SEASON:
        return np.full(len(series.ids), np.nan)
    d = y[:, SEASON:] - y[:, :-SEASON]
    mask = np.arange(SEASON, y.shape[1])[None, :] < length[:, None]
    count = mask.sum(axis=1)
    return np.where(
        count > 0, (np.where(mask, d * d, 0.0)).sum(axis=1) / np.maximum(count, 1), np.nan
    )


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin accuracy of the next-12-months sum, per series, for the model and the baseline."""

    origins: np.ndarray
    mape: np.ndarray
    coverage: np.ndarray
    baseline_mape: np.ndarray
    baseline_coverage: np.ndarray
    errors: pd.DataFrame
    """Every (series, origin) evaluated: actual, forecast and interval of both methods."""


def backtest(series: Series, fit: Fit) -> Backtest:
    """Every month t from month 24 on with 12 known months after it is an origin: the model (chosen
    and fitted on months ≤ t only) forecasts the sum of t+1 … t+12, and so does the seasonal-naive
    baseline; APE = |actual − forecast| ÷ actual (origins whose actual is 0 are left out of the MAPE),
    and the interval covers when low ≤ actual ≤ high."""
    y, length = series.values, series.length
    n, t_max = y.shape
    if n == 0 or t_max < MODEL_MONTHS + SEASON:
        empty = np.full(n, np.nan)
        return Backtest(
            np.zeros(n, np.int64),
            empty,
            empty,
            empty.copy(),
            empty.copy(),
            pd.DataFrame(
                columns=[
                    "series",
                    "origin",
                    "actual",
                    "forecast",
                    "low",
                    "high",
                    "sd",
                    "baseline",
                    "baseline_low",
                    "baseline_high",
                ]
            ),
        )
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(y, axis=1)], axis=1)
    origins = np.arange(MODEL_MONTHS - 1, t_max - SEASON)
    actual = csum[:, origins + 1 + SEASON] - csum[:, origins + 1]  # (n, origins)
    naive = csum[:, origins + 1] - csum[:, origins + 1 - SEASON]
    # Baseline spread from the yearly differences known at each origin.
    d = np.zeros_like(y)
    d[:, SEASON:] = (y[:, SEASON:] - y[:, :-SEASON]) ** 2
    dsum = np.concatenate([np.zeros((n, 1)), np.cumsum(d, axis=1)], axis=1)
    naive_sd = np.sqrt(
        SEASON * (dsum[:, origins + 1] - dsum[:, SEASON][:, None]) / (origins + 1 - SEASON)
    )
    forecast = fit.origin_sum[origins].T
    # No zero-width interval: σ at least 5 % of the larger of the projection and the last 12 months.
    sd = np.maximum(
        fit.origin_sd[origins].T,
        MIN_RELATIVE_SD * np.maximum(np.maximum(fit.origin_sum[origins].T, 0.0), naive),
    )
    valid = (origins[None, :] + SEASON < length[:, None]) & np.isfinite(forecast)
    low, high = np.maximum(forecast - Z80 * sd, 0.0), forecast + Z80 * sd
    forecast = np.maximum(forecast, 0.0)
    b_low, b_high = np.maximum(naive - Z80 * naive_sd, 0.0), naive + Z80 * naive_sd
    scored = valid & (actual > 0)

    def mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        count = mask.sum(axis=1)
        return np.where(
            count > 0, np.where(mask, values, 0.0).sum(axis=1) / np.maximum(count, 1), np.nan
        )

    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.abs(actual - forecast) / actual
        b_ape = np.abs(actual - naive) / actual
    rows, cols = np.nonzero(valid)
    errors = pd.DataFrame(
        {
            "series": rows,
            "origin": origins[cols],
            "actual": actual[rows, cols],
            "forecast": forecast[rows, cols],
            "low": low[rows, cols],
            "high": high[rows, cols],
            "sd": sd[rows, cols],
            "baseline": naive[rows, cols],
            "baseline_low": b_low[rows, cols],
            "baseline_high": b_high[rows, cols],
        }
    )
    return Backtest(
        origins=valid.sum(axis=1),
        mape=mean(ape, scored),
        coverage=mean(((low <= actual) & (actual <= high)).astype(float), valid),
        baseline_mape=mean(b_ape, scored),
        baseline_coverage=mean(((b_low <= actual) & (actual <= b_high)).astype(float), valid),
        errors=errors,
    )


@dataclass(frozen=True)
class Calibration:
    """A level's 80 % interval multipliers, from its backtest's standardised errors (actual − forecast) ÷ σ."""

    low: float
    """10th percentile of the standardised errors (−Z80 when too few)."""
    high: float
    """90th percentile (+Z80 when too few)."""
    errors: int
    """How many backtest errors the percentiles come from."""


def quantiles(z: np.ndarray) -> Calibration:
    """The 10th and 90th percentiles of standardised errors; the normal ones below MIN_CALIBRATION errors."""
    z = z[np.isfinite(z)]
    if len(z) < MIN_CALIBRATION:
        return Calibration(-Z80, Z80, len(z))
    low, high = np.quantile(z, [0.1, 0.9])
    return Calibration(float(low), float(high), len(z))


def standardised(errors: pd.DataFrame) -> np.ndarray:
    """(actual − forecast) ÷ σ of every backtest origin."""
    return ((errors["actual"] - errors["forecast"]) / errors["sd"]).to_numpy(dtype="float64")


def calibrate(test: Backtest, n: int, extra: np.ndarray) -> tuple[Backtest, Calibration, float]:
    """Split-conformal 80 % intervals: the backtest's intervals are rebuilt from the percentiles of the
    standardised errors of the *other* entities of the level (plus ``extra``, errors from other levels),
    so an entity's coverage is measured on errors its interval was not calibrated on. Above LOSO_MAX
    entities, one pooled calibration serves all (one entity is under 2 % of the pool).
    Returns (the backtest with calibrated intervals and coverage, the calibration for projections,
    the level's coverage over every origin of every entity)."""
    errors = test.errors
    z = standardised(errors)
    final = quantiles(np.concatenate([extra, z]))
    if not len(errors):
        return test, final, np.nan
    series = errors["series"].to_numpy()
    q_low = np.full(len(errors), final.low)
    q_high = np.full(len(errors), final.high)
    if n <= LOSO_MAX:
        for i in np.unique(series):
            mine = series == i
            other = quantiles(np.concatenate([extra, z[~mine]]))
            q_low[mine], q_high[mine] = other.low, other.high
    sd, forecast, actual = (
        errors["sd"].to_numpy(),
        errors["forecast"].to_numpy(),
        errors["actual"].to_numpy(),
    )
    low = np.maximum(forecast + q_low * sd, 0.0)
    high = np.maximum(forecast + q_high * sd, low + MIN_RELATIVE_SD * sd)
    covered = ((low <= actual) & (actual <= high)).astype(float)
    coverage = np.full(n, np.nan)
    counts = np.bincount(series, minlength=n)
    sums = np.bincount(series, weights=covered, minlength=n)
    coverage[counts > 0] = sums[counts > 0] / counts[counts > 0]
    calibrated = Backtest(
        test.origins,
        test.mape,
        coverage,
        test.baseline_mape,
        test.baseline_coverage,
        errors.assign(low=low, high=high),
    )
    return calibrated, final, float(covered.mean())


@dataclass(frozen=True)
class Horizon:
    """A span of future months, counted from the month after the last complete one."""

    name: str
    fiscal_year: int
    first: int
    last: int


@dataclass(frozen=True)
class LevelForecast:
    """One level's projections (company, team, region or rep)."""

    table: pd.DataFrame
    """FORECAST_COLUMNS, one row per entity and horizon."""
    paths: pd.DataFrame
    """PATH_COLUMNS: the last 24 months of actuals and the projected months, with monthly intervals."""
    last12: pd.Series
    """Revenue of the last 12 complete months per entity, the weights of the reconciliation remainder."""
    backtest: pd.DataFrame
    """Every (entity, origin) of the backtest, with calibrated intervals; ``series`` indexes ``ids``."""
    ids: pd.Index
    calibration: Calibration
    level_coverage: float
    """Share of all the level's backtest origins whose actual fell in the calibrated 80 % interval."""


def forecast_level(
    counted: pd.DataFrame,
    groups: Grouping,
    level: str,
    horizons: list[Horizon],
    last_month: pd.Timestamp,
    booked: dict[int, pd.Series],
    keep: pd.Index | None = None,
    extra: np.ndarray | None = None,
) -> LevelForecast:
    """Project every entity of one level over each horizon.

    ``booked`` maps a horizon's fiscal year to the revenue already booked in it per entity (in the
    months up to the last complete one). ``keep``: the entities projected (default: all). ``extra``:
    standardised backtest errors of other levels, added to this level's for calibrating the intervals.
    """
    series = monthly_series(counted, groups, last_month)
    fit = holt_winters(series)
    n = len(series.ids)
    test, calibration, level_coverage = calibrate(
        backtest(series, fit), n, np.zeros(0) if extra is None else extra
    )
    length = series.length
    csum = np.cumsum(series.values, axis=1) if n else np.zeros((0, 1))
    idx = length - 1
    rows = np.arange(n)
    last12 = (
        csum[rows, idx] - np.where(idx >= SEASON, csum[rows, np.maximum(idx - SEASON, 0)], 0.0)
        if n
        else np.zeros(0)
    )
    method = np.where(
        length >= MODEL_MONTHS,
        HOLT_WINTERS,
        np.where(length >= MIN_MONTHS, SEASONAL_NAIVE, NOT_ENOUGH),
    )
    won12 = won_deals_last12(counted, groups, last_month).reindex(series.ids).fillna(0).to_numpy()
    parts = []
    path_parts = []
    totals: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    last_h = max((h.last for h in horizons), default=0)
    for horizon in horizons:
        months = horizon.last - horizon.first + 1
        model, model_sd, _monthly = project(fit, series, horizon.first, horizon.last)
        naive, naive_sd = seasonal_naive(series, horizon.first, horizon.last)
        is_model = method == HOLT_WINTERS
        point = np.maximum(np.where(is_model, model, naive), 0.0)
        base = last12 * months / SEASON
        sd = np.maximum(
            np.where(is_model, model_sd, naive_sd), MIN_RELATIVE_SD * np.maximum(point, base)
        )
        # No backtest calibrates a seasonal-naive interval: a year of k deals is at least as uncertain
        # as a sum of k random deals (coefficient of variation ≥ 1/√k), whatever the yearly differences say.
        sd = np.where(
            is_model,
            sd,
            np.maximum(sd, point * np.sqrt(months / SEASON) / np.sqrt(np.maximum(won12, 1))),
        )
        # Calibrated multipliers for the model; the seasonal-naive method has no backtest of its own.
        low = np.maximum(point + np.where(is_model, calibration.low, -Z80) * sd, 0.0)
        high = np.maximum(
            point + np.where(is_model, calibration.high, Z80) * sd, low + MIN_RELATIVE_SD * sd
        )
        cap = CAP * base
        capped = point > cap
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(capped & (point > 0), cap / point, 1.0)
        already = (
            booked.get(horizon.fiscal_year, pd.Series(dtype="float64"))
            .reindex(series.ids)
            .fillna(0.0)
            .to_numpy()
        )
        # The model's figure on the projection's own footing (booked included), so it is never
        # shown below the capped projection beside it.
        flag = np.where(
            capped,
            [
                f"capped at {CAP:g}× the last 12 months (model: {b + p:,.0f})"
                for b, p in zip(already, point, strict=True)
            ],
            "",
        )
        totals.append((horizon.first, horizon.last, point, shrink))
        point, low, high = point * shrink, low * shrink, high * shrink
        enough = method != NOT_ENOUGH
        frame = pd.DataFrame(
            {
                "level": level,
                "id": series.ids,
                "fiscal_year": horizon.fiscal_year,
                "horizon": horizon.name,
                "months_ahead": months,
                "method": method,
                "history_months": length,
                "booked": already,
                "forecast": np.where(enough, already + point, np.nan),
                "forecast_low": np.where(enough, already + low, np.nan),
                "forecast_high": np.where(enough, already + high, np.nan),
                "baseline": np.where(enough, already + naive, np.nan),
                "backtest_origins": test.origins,
                "mape": test.mape,
                "coverage": test.coverage,
                "level_coverage": level_coverage,
                "baseline_mape": test.baseline_mape,
                "baseline_coverage": test.baseline_coverage,
                "flag": pd.array(np.where(enough, flag, ""), dtype="string"),
            }
        )
        parts.append(frame)
    if last_h and n:
        path_parts.append(_paths(series, fit, method, level, last_h, calibration, totals))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FORECAST_COLUMNS)
    with np.errstate(invalid="ignore"):
        beats = table["mape"] < table["baseline_mape"]
    known = table["mape"].notna() & table["baseline_mape"].notna()
    # not a bare None: numpy's stubs
    table["beats_baseline"] = pd.array(np.where(known, beats, np.array(None)), dtype="boolean")
    if keep is not None:
        table = table[table["id"].isin(keep)]
    paths = (
        pd.concat(path_parts, ignore_index=True)
        if path_parts
        else pd.DataFrame(columns=PATH_COLUMNS)
    )
    if keep is not None and len(paths):
        paths = paths[paths["id"].isin(keep)]
    errors = test.errors.assign(
        month=series.months[series.start[test.errors["series"]] + test.errors["origin"]]
        if len(test.errors)
        else []
    )
    return LevelForecast(
        table.reset_index(drop=True),
        paths.reset_index(drop=True),
        pd.Series(last12, index=series.ids, dtype="float64"),
        errors,
        series.ids,
        calibration,
        level_coverage,
    )


def _paths(
    series: Series,
    fit: Fit,
    method: np.ndarray,
    level: str,
    horizon: int,
    calibration: Calibration,
    totals: list[tuple[int, int, np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """Last 24 actual months and ``horizon`` projected months (with monthly 80 % intervals, the level's
    calibrated multipliers applied to each month's σ) per entity.

    ``totals``: per horizon, its first and last month ahead, each entity's projected revenue over
    them before the cap (the sum of the model's months, floored at zero) and the cap's shrink
    factor. A month below zero is shown as zero, so the months above it are scaled down to add up
    to that sum (their bands stay, widened down to the point if need be), and a cap shrinks the
    months and their bands alike: a year's months add up to the table's projection less what is
    booked."""
    n = len(series.ids)
    shown = np.minimum(series.length, MODEL_MONTHS)
    # Actual months.
    rows = np.repeat(np.arange(n), shown)
    back = np.arange(shown.sum()) - np.repeat(np.cumsum(shown) - shown, shown)
    aligned = series.length[rows] - shown[rows] + back
    actual = pd.DataFrame(
        {
            "level": level,
            "id": series.ids[rows],
            "month": series.months[series.start[rows] + aligned],
            "kind": "actual",
            "revenue": series.values[rows, aligned],
            "low": np.nan,
            "high": np.nan,
        }
    )
    # Projected months: the model's, or the seasonal-naive values when history is short.
    _, _, monthly = project(fit, series, 1, horizon)
    steps = range(1, horizon + 1)
    naive = np.column_stack([seasonal_naive(series, h, h)[0] for h in steps])
    naive_sd = np.column_stack([seasonal_naive(series, h, h)[1] for h in steps])
    model_sd = np.column_stack(
        [
            fit.sigma * np.sqrt([window_variance_factor(GRID[c], h, h) for c in fit.choice])
            for h in steps
        ]
    )
    is_model = (method == HOLT_WINTERS)[:, None]
    point = np.maximum(np.where(is_model, monthly, naive), 0.0)
    sd = np.where(is_model, model_sd, naive_sd)
    q_low = np.where(is_model, calibration.low, -Z80)
    q_high = np.where(is_model, calibration.high, Z80)
    low = np.maximum(point + q_low[:, :1] * sd, 0.0)
    high = np.maximum(point + q_high[:, :1] * sd, 0.0)
    floor, cap = np.ones_like(point), np.ones_like(point)
    for first, last, total, shrink in totals:
        months = point[:, first - 1 : last].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            floor[:, first - 1 : last] = np.where(months > 0, total / months, 1.0)[:, None]
        cap[:, first - 1 : last] = shrink[:, None]
    point = point * floor
    low, high = np.minimum(low, point) * cap, high * cap
    point = point * cap
    enough = np.flatnonzero(method != NOT_ENOUGH)
    last_month = series.months[-1]
    future = pd.date_range(last_month + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")
    r = np.repeat(enough, horizon)
    s = np.tile(np.arange(horizon), len(enough))
    projected = pd.DataFrame(
        {
            "level": level,
            "id": series.ids[r],
            "month": future[s],
            "kind": "forecast",
            "revenue": point[r, s],
            "low": low[r, s],
            "high": high[r, s],
        }
    )
    out = pd.concat([actual, projected], ignore_index=True)
    return out.astype({"id": "string", "kind": "string"})


def reconcile(
    parts: pd.DataFrame, company: pd.DataFrame, company_last12: float, last12: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Proportional top-down reconciliation, robust to a runaway part: every part's projection is first
    capped at SHARE_GROWTH_CAP × the parts' median growth over its carried-forward last 12 months
    (booked + last 12 months pro rata), then all are scaled by one factor per horizon, so that the
    parts plus the remainder add up to the company projection:

        factor = company forecast ÷ (Σ parts' capped forecasts + remainder)

    so one exploding part cannot pull every other part down by more than its capped share.

    where the remainder is the company's last-12-months revenue not covered by a projected part (former
    reps, reps with too short a history, deals without a team or region), carried forward unchanged
    (the seasonal-naive value of a sum of 12 months). Intervals are scaled by the same factor.
    Returns (parts with reconciled columns, one remainder row per horizon).
    """
    out = parts.copy()
    rows = []
    projected = out["forecast"].notna()
    covered = float(last12.reindex(out.loc[projected, "id"].unique()).fillna(0.0).sum())
    for horizon, frame in out.groupby("horizon", sort=False):
        target = company.loc[company["horizon"] == horizon]
        if not len(target):
            continue
        total = float(target["forecast"].iloc[0])
        months = int(frame["months_ahead"].iloc[0])
        booked_other = float(target["booked"].iloc[0]) - float(
            frame.loc[frame["forecast"].notna(), "booked"].sum()
        )
        uncovered = company_last12 - covered
        # Floating-point dust when the parts cover the whole company is no remainder.
        uncovered = uncovered if uncovered > 1e-9 * max(company_last12, 1.0) else 0.0
        booked_other = booked_other if abs(booked_other) > 1e-9 * max(total, 1.0) else 0.0
        remainder = booked_other + uncovered * months / SEASON
        expected = (
            frame["booked"] + last12.reindex(frame["id"]).fillna(0.0).to_numpy() * months / SEASON
        ).to_numpy()
        point = frame["forecast"].to_numpy(dtype="float64")
        growth = point / np.where(expected > 0, expected, np.nan)
        known = np.isfinite(growth)
        limit = (
            SHARE_GROWTH_CAP * float(np.median(growth[known])) * expected if known.any() else point
        )
        weight = np.where(known, np.minimum(point, limit), point)
        denominator = float(np.nansum(weight)) + remainder
        factor = total / denominator if denominator > 0 else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(point > 0, weight / point, 1.0) * factor
        index = frame.index
        for source, column in (
            ("forecast", "reconciled"),
            ("forecast_low", "reconciled_low"),
            ("forecast_high", "reconciled_high"),
        ):
            out.loc[index, column] = frame[source].to_numpy(dtype="float64") * scale
        rows.append(
            {
                "level": frame["level"].iloc[0],
                "horizon": horizon,
                "fiscal_year": int(frame["fiscal_year"].iloc[0]),
                "remainder": remainder,
                "reconciled": remainder * factor,
                "factor": factor,
            }
        )
    return out, pd.DataFrame(
        rows, columns=["level", "horizon", "fiscal_year", "remainder", "reconciled", "factor"]
    )


@dataclass(frozen=True)
class Forecast:
    """Every projection of the site: company, teams, regions and reps."""

    table: pd.DataFrame
    """FORECAST_COLUMNS for every level (company, team, region, rep) and horizon."""
    paths: pd.DataFrame
    """PATH_COLUMNS for every projected entity."""
    remainders: pd.DataFrame
    """Per level and horizon, the part of the company projection no projected entity covers."""
    company_backtest: pd.DataFrame
    """The company's rolling-origin backtest, origin by origin (the month the forecast was made)."""
    intervals: pd.DataFrame
    """INTERVAL_COLUMNS: per level, the interval multipliers and the coverage they achieved."""
    horizons: tuple[Horizon, ...]
    last_month: pd.Timestamp
    """The last complete month of data: projections start the month after."""


def last_complete_month(as_of: pd.Timestamp) -> pd.Timestamp:
    """The month of as_of when as_of is its last day, else the month before."""
    month = as_of.to_period("M")
    return (
        month.start_time
        if as_of.normalize() == month.end_time.normalize()
        else (month - 1).start_time
    )


def horizons_after(
    last_month: pd.Timestamp, year: int, year_end: pd.Timestamp
) -> tuple[Horizon, ...]:
    """The rest of the reporting year (when months remain) and the whole next fiscal year."""
    end = pd.Timestamp(year_end).to_period("M")
    rest = (end - last_month.to_period("M")).n
    out = [Horizon("rest of current year", year, 1, rest)] if rest > 0 else []
    return (*out, Horizon("next year", year + 1, rest + 1, rest + SEASON))


def open_pipeline(
    open_deals: pd.DataFrame, open_groups: Grouping, counted: pd.DataFrame, groups: Grouping
) -> pd.DataFrame:
    """Per entity: open deals, their amount, the entity's historical win rate (won ÷ (won + lost),
    all closed deals up to as_of) and the expected value = amount × win rate. Open deals without an
    amount are not counted."""
    priced = open_deals["amount"].notna().to_numpy() & (open_groups.codes >= 0)
    n_open = len(open_groups.names)
    amount = np.bincount(
        open_groups.codes[priced], weights=open_deals["amount"].to_numpy()[priced], minlength=n_open
    )
    count = np.bincount(open_groups.codes[priced], minlength=n_open)
    pipe = pd.DataFrame({"open_deals": count, "open_pipeline": amount}, index=open_groups.names)
    pipe = pipe[pipe["open_deals"] > 0]
    closed = groups.codes >= 0
    n = len(groups.names)
    won = np.bincount(groups.codes[closed], weights=counted["won"].to_numpy()[closed], minlength=n)
    lost = np.bincount(
        groups.codes[closed], weights=counted["lost"].to_numpy()[closed], minlength=n
    )
    total = won + lost
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = pd.Series(
            np.where(total > 0, won / total, np.nan), index=groups.names, name="win_rate"
        )
    out = pipe.join(rate[total > 0], how="outer")
    out["open_deals"] = out["open_deals"].fillna(0).astype("int64")
    out["open_pipeline"] = out["open_pipeline"].fillna(0.0)
    out["expected_pipeline"] = out["open_pipeline"] * out["win_rate"]
    out.index = pd.Index(out.index, dtype="string")
    return out


def compute_forecast(
    counted: pd.DataFrame,
    open_deals: pd.DataFrame,
    team_of: pd.Series,
    as_of: pd.Timestamp,
    year: int,
    year_end: pd.Timestamp,
    current_reps: pd.Index,
    current_teams: pd.Index,
) -> Forecast:
    """Project the company, every current team, every region and every current rep; reconcile teams,
    regions and reps with the company (proportional top-down); put the open pipeline beside them."""
    last_month = last_complete_month(as_of)
    horizons = horizons_after(last_month, year, year_end)
    booked_rows = ((counted["fiscal_year"] == year) & (counted["month"] <= last_month)).to_numpy()
    levels = {
        "company": (one_group(len(counted)), one_group(len(open_deals)), None),
        "team": (
            grouping(counted["rep_id"], team_of),
            grouping(open_deals["rep_id"], team_of),
            current_teams,
        ),
        "region": (grouping(counted["region"]), grouping(open_deals["region"]), None),
        "rep": (grouping(counted["rep_id"]), grouping(open_deals["rep_id"]), current_reps),
    }
    tables, paths, remainders = {}, [], []
    last12: dict[str, pd.Series] = {}
    company_test = pd.DataFrame()
    # The company is one series: its intervals are calibrated on the teams' and regions' errors (and,
    # for the projection, its own), so they are computed first.
    pooled: list[np.ndarray] = []
    calibration = []
    for level in ("team", "region", "rep", "company"):
        groups, open_groups, keep = levels[level]
        in_year = booked_rows & (groups.codes >= 0)
        booked = pd.Series(
            np.bincount(
                groups.codes[in_year],
                weights=counted["won_amount"].to_numpy()[in_year],
                minlength=len(groups.names),
            ),
            index=groups.names,
        )
        extra = np.concatenate(pooled) if level == "company" and pooled else None
        result = forecast_level(
            counted, groups, level, list(horizons), last_month, {year: booked}, keep, extra
        )
        if level in ("team", "region"):
            pooled.append(standardised(result.backtest))
        calibration.append(
            {
                "level": level,
                "backtest_origins": len(result.backtest),
                "calibration_errors": result.calibration.errors,
                "calibration_low": result.calibration.low,
                "calibration_high": result.calibration.high,
                "level_coverage": result.level_coverage,
            }
        )
        pipe = open_pipeline(open_deals, open_groups, counted, groups)
        table = result.table.join(pipe, on="id", how="left")
        table["open_deals"] = table["open_deals"].fillna(0).astype("int64")
        table["open_pipeline"] = table["open_pipeline"].fillna(0.0)
        tables[level] = table
        paths.append(result.paths)
        last12[level] = result.last12
        if level == "company":
            company_test = result.backtest
    company = tables["company"]
    company_last12 = float(last12["company"].sum())
    for level in ("team", "region", "rep"):
        reconciled, remainder = reconcile(tables[level], company, company_last12, last12[level])
        tables[level] = reconciled
        remainders.append(remainder)
    company = company.assign(
        reconciled=company["forecast"],
        reconciled_low=company["forecast_low"],
        reconciled_high=company["forecast_high"],
    )
    tables["company"] = company
    table = pd.concat([tables[level] for level in levels], ignore_index=True)
    for column in FORECAST_COLUMNS:
        if column not in table:
            table[column] = np.nan
    table = table[FORECAST_COLUMNS].astype(
        {
            "level": "string",
            "id": "string",
            "horizon": "string",
            "method": "string",
            "fiscal_year": "int64",
        }
    )
    return Forecast(
        table,
        pd.concat(paths, ignore_index=True),
        pd.concat(remainders, ignore_index=True),
        company_test.drop(columns=["series", "sd"]) if len(company_test) else company_test,
        pd.DataFrame(calibration, columns=INTERVAL_COLUMNS).astype({"level": "string"}),
        horizons,
        last_month,
    )
