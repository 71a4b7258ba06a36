"""History, management and projections (issue 6): hand-computed figures, planted patterns recovered,
backtest figures recomputed from their parts, reconciled parts adding up to the company."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from generator.config import Config, load_config
from generator.load.loader import load_inputs
from generator.metrics import compute_metrics
from generator.metrics.compute import counted_deals
from generator.metrics.forecast import (
    GRID,
    HOLT_WINTERS,
    NOT_ENOUGH,
    SEASONAL_NAIVE,
    Z80,
    Series,
    backtest,
    compute_forecast,
    holt_winters,
    horizons_after,
    last_complete_month,
    project,
    seasonal_naive,
    window_variance_factor,
)
from generator.metrics.history import fiscal_quarter, grouping, quarterly_performance
from generator.metrics.managers import manager_history
from generator.metrics.period import Period
from generator.vocabulary import LOST, WON
from tests.conftest import Computed

# ---------------------------------------------------------------------------------------------
# Quarterly history


def _counted(rows: list[tuple], as_of: dt.date, fiscal_year_start: int = 1) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["deal_id", "rep_id", "amount", "status", "closed"])
    frame["closed"] = pd.to_datetime(frame["closed"]).astype("datetime64[s]")
    frame["created"] = frame["closed"] - pd.Timedelta(days=10)
    frame["client_id"] = "C"
    for column in ("deal_id", "rep_id", "status", "client_id"):
        frame[column] = frame[column].astype("string")
    return counted_deals(frame, Period.containing(as_of, fiscal_year_start))


def test_quarters_follow_the_fiscal_year() -> None:
    dates = pd.Series(pd.to_datetime(["2024-04-01", "2024-06-30", "2024-07-01", "2025-03-31"]))
    assert fiscal_quarter(dates, 1).tolist() == [2, 2, 3, 1]
    assert fiscal_quarter(dates, 4).tolist() == [1, 1, 2, 4]  # April start: April-June is Q1


def test_quarterly_figures_by_hand() -> None:
    as_of = dt.date(2025, 8, 15)
    counted = _counted(
        [
            ("1", "A", 100.0, WON, "2025-01-10"),
            ("2", "A", 300.0, WON, "2025-02-10"),
            ("3", "A", 50.0, LOST, "2025-03-10"),
            ("4", "A", 500.0, WON, "2025-07-01"),
            ("5", "B", 80.0, LOST, "2025-05-01"),
        ],
        as_of,
    )
    period = Period.containing(as_of, 1)
    table = quarterly_performance(counted, grouping(counted["rep_id"]), "rep_id", period)
    a = table[table["rep_id"] == "A"].set_index("period")
    assert a.index.tolist() == ["2025 Q1", "2025 Q2", "2025 Q3"]  # Q2 without a deal is listed
    assert a.loc["2025 Q1", "revenue"] == 400
    assert (a.loc["2025 Q1", "won_deals"], a.loc["2025 Q1", "lost_deals"]) == (2, 1)
    assert a.loc["2025 Q1", "win_rate"] == pytest.approx(2 / 3)
    assert a.loc["2025 Q1", "avg_deal_size"] == 200
    # empty, never 0
    assert a.loc["2025 Q2", "revenue"] == 0 and pd.isna(a.loc["2025 Q2", "win_rate"])
    assert a.loc["2025 Q3", "revenue"] == 500
    b = table[table["rep_id"] == "B"]
    assert b["period"].tolist() == ["2025 Q2", "2025 Q3"]  # from B's first closed deal on
    assert b["win_rate"].iloc[0] == 0


def test_quarters_add_up_to_the_years(crm_config) -> None:
    cfg = load_config(crm_config)
    metrics = compute_metrics(load_inputs(cfg), cfg.config)
    quarters = metrics.history.rep_quarters.groupby(["rep_id", "year"])["revenue"].sum()
    years = metrics.rep_years.set_index(["rep_id", "year"])["revenue"]
    for key, value in quarters.items():
        assert value == pytest.approx(years.loc[key])
    company = metrics.history.company_quarters.groupby("year")["revenue"].sum()
    for year, value in company.items():
        assert value == pytest.approx(metrics.company(year)["revenue"])


# ---------------------------------------------------------------------------------------------
# Projections on seeded synthetic series


def _planted(
    n: int, months: int, seed: int, noise: float = 60.0
) -> tuple[Series, np.ndarray, np.ndarray]:
    """Series with a planted trend (+15 a month) and season (±200, peak in April), and their future."""
    rng = np.random.default_rng(seed)
    t = np.arange(months + 12)
    truth = 1000 + 15 * t + 200 * np.sin(2 * np.pi * t / 12)
    observed = truth[None, :] + rng.normal(0, noise, (n, months + 12))
    series = Series(
        pd.Index([f"s{i}" for i in range(n)], dtype="string"),
        observed[:, :months].copy(),
        np.full(n, months),
        np.zeros(n, np.int64),
        pd.date_range("2022-01-01", periods=months, freq="MS"),
    )
    return series, truth[months:], observed[:, months:]


def test_planted_trend_and_season_are_recovered_within_the_interval() -> None:
    series, future, _observed = _planted(n=200, months=48, seed=11)
    fit = holt_winters(series)
    total, sd, monthly = project(fit, series, 1, 12)
    low, high = total - Z80 * sd, total + Z80 * sd
    # The planted expectation of next year lies in the 80 % interval of most series...
    inside = (low <= future.sum()) & (future.sum() <= high)
    assert inside.mean() >= 0.7
    # ...and the seeded series 0 recovers it.
    assert low[0] <= future.sum() <= high[0]
    # The trend is recovered: next year above the last observed year by about 12 × 12 × 15.
    last_year = series.values[:, -12:].sum(axis=1)
    growth = np.median(total - last_year)
    assert 0.5 * 2160 < growth < 1.5 * 2160
    # The season is recovered: the projected months peak in April and bottom in October.
    mean_path = monthly.mean(axis=0)
    assert int(np.argmax(mean_path)) in (2, 3, 4)
    assert int(np.argmin(mean_path)) in (8, 9, 10)


def test_model_beats_the_seasonal_naive_baseline_on_a_trend() -> None:
    series, _, _ = _planted(n=50, months=48, seed=3)
    test = backtest(series, holt_winters(series))
    assert (
        test.origins == 13
        # origins at months 24 … 36, each with 12 known months after it
    ).all()
    assert np.nanmean(test.mape) < np.nanmean(test.baseline_mape)


def test_backtest_figures_are_computed_from_each_origin() -> None:
    series, _, _ = _planted(n=3, months=40, seed=5, noise=150.0)
    test = backtest(series, holt_winters(series))
    errors = test.errors[test.errors["series"] == 1]
    assert len(errors) == test.origins[1] == 40 - 24 - 12 + 1
    y = series.values[1]
    for row in errors.itertuples():
        assert row.actual == pytest.approx(y[row.origin + 1 : row.origin + 13].sum())
        assert row.baseline == pytest.approx(y[row.origin - 11 : row.origin + 1].sum())
    ape = (errors["actual"] - errors["forecast"]).abs() / errors["actual"]
    assert test.mape[1] == pytest.approx(ape.mean())
    covered = (errors["low"] <= errors["actual"]) & (errors["actual"] <= errors["high"])
    assert test.coverage[1] == pytest.approx(covered.mean())
    baseline_ape = (errors["actual"] - errors["baseline"]).abs() / errors["actual"]
    assert test.baseline_mape[1] == pytest.approx(baseline_ape.mean())


def test_seasonal_naive_repeats_last_year() -> None:
    y = np.arange(1.0, 25.0)[None, :]  # months 1 … 24
    series = Series(
        pd.Index(["x"]),
        y,
        np.array([24]),
        np.array([0]),
        pd.date_range("2024-01-01", periods=24, freq="MS"),
    )
    total, _ = seasonal_naive(series, 1, 12)
    assert total[0] == sum(range(13, 25))
    three, _ = seasonal_naive(series, 4, 6)  # months 4-6 ahead repeat months 16-18
    assert three[0] == 16 + 17 + 18


def test_variance_of_one_month_is_sigma_squared() -> None:
    params = (0.3, 0.05, 0.2, 0.98)
    assert window_variance_factor(params, 1, 1) == 1.0
    # Two months: ε_{t+1}(1 + c_1)² + ε_{t+2}² with c_1 = α + βφ.
    c1 = 0.3 + 0.05 * 0.98
    assert window_variance_factor(params, 1, 2) == pytest.approx((1 + c1) ** 2 + 1)


def test_horizons() -> None:
    assert last_complete_month(pd.Timestamp("2025-12-31")) == pd.Timestamp("2025-12-01")
    assert last_complete_month(pd.Timestamp("2025-08-15")) == pd.Timestamp("2025-07-01")
    rest, following = horizons_after(pd.Timestamp("2025-07-01"), 2025, pd.Timestamp("2025-12-31"))
    assert (rest.first, rest.last, rest.fiscal_year) == (1, 5, 2025)
    assert (following.first, following.last, following.fiscal_year) == (6, 17, 2026)
    (only,) = horizons_after(pd.Timestamp("2025-12-01"), 2025, pd.Timestamp("2025-12-31"))
    assert (only.first, only.last, only.fiscal_year) == (1, 12, 2026)


# ---------------------------------------------------------------------------------------------
# On the bundled example


@pytest.fixture
def example(example_metrics: Computed) -> tuple:
    """The bundled example's inputs and metrics, computed once per session (conftest)."""
    return example_metrics.inputs, example_metrics.metrics


def test_parts_reconcile_with_the_company(example: tuple) -> None:
    _, metrics = example
    forecast = metrics.forecast
    table = forecast.table
    for horizon in forecast.horizons:
        company = table[(table["level"] == "company") & (table["horizon"] == horizon.name)][
            "forecast"
        ].iloc[0]
        for level in ("team", "region", "rep"):
            parts = table[(table["level"] == level) & (table["horizon"] == horizon.name)][
                "reconciled"
            ].sum()
            rest = forecast.remainders[
                (forecast.remainders["level"] == level)
                & (forecast.remainders["horizon"] == horizon.name)
            ]["reconciled"].sum()
            assert parts + rest == pytest.approx(company, rel=1e-9), level


def test_methods_follow_the_length_of_history(example: tuple) -> None:
    _, metrics = example
    reps = metrics.forecast.table[metrics.forecast.table["level"] == "rep"]
    for row in reps.itertuples():
        expected = (
            HOLT_WINTERS
            if row.history_months >= 24
            else SEASONAL_NAIVE
            if row.history_months >= 12
            else NOT_ENOUGH
        )
        assert row.method == expected
        if row.method == NOT_ENOUGH:
            assert pd.isna(row.forecast) and pd.isna(row.reconciled)
        else:
            assert row.forecast_low <= row.forecast <= row.forecast_high
    assert (reps["method"] == NOT_ENOUGH).any(), (
        "the example must show a rep with under a year of history"
    )


def test_open_pipeline_is_open_amount_times_win_rate(example: tuple) -> None:
    inputs, metrics = example
    table = metrics.forecast.table
    company = table[table["level"] == "company"].iloc[0]
    deals = inputs.deals
    open_amount = deals.loc[(deals["status"] == "open") & deals["amount"].notna(), "amount"].sum()
    closed = deals[
        (deals["status"] != "open") & (deals["closed"] <= pd.Timestamp(metrics.period.as_of))
    ]
    rate = (closed["status"] == WON).sum() / len(closed)
    assert company["open_pipeline"] == pytest.approx(open_amount)
    assert company["win_rate"] == pytest.approx(rate)
    assert company["expected_pipeline"] == pytest.approx(open_amount * rate)


# ---------------------------------------------------------------------------------------------
# Managers


def test_manager_improvement_and_retention_by_hand() -> None:
    reps = pd.DataFrame(
        {
            "rep_id": ["a", "b", "c"],
            "name": ["Ann", "Bo", "Cy"],
            "team": ["T", "T", "T"],
            "manager": ["M", "M", "M"],
            "hired": pd.to_datetime(["2020-01-01", "2020-01-01", "2024-06-01"]).astype(
                "datetime64[s]"
            ),
            "left": pd.to_datetime([None, "2024-09-30", None]).astype("datetime64[s]"),
        }
    )
    rep_years = pd.DataFrame(
        {
            "rep_id": pd.Series(["a", "a", "b", "b", "c", "s", "s"], dtype="string"),
            "year": [2023, 2024, 2023, 2024, 2024, 2023, 2024],
            "value_ratio": [2.0, 3.0, 4.0, 3.5, 1.0, 20.0, 40.0],
            "clients": [5, 6, 5, 5, 3, 1, 1],
        }
    )
    reps = pd.concat(
        [
            reps,
            pd.DataFrame(
                {
                    "rep_id": ["s"],
                    "name": ["Solo"],
                    "team": ["T"],
                    "manager": ["M"],
                    "hired": pd.to_datetime(["2020-01-01"]).astype("datetime64[s]"),
                    "left": pd.to_datetime([None]).astype("datetime64[s]"),
                }
            ),
        ],
        ignore_index=True,
    )
    manager_years = pd.DataFrame(
        {
            "manager": ["M", "M"],
            "year": [2023, 2024],
            "revenue": [10.0, 20.0],
            "reps_with_cost": [2, 3],
            "value_ratio": [2.5, 2.0],
        }
    )
    period = Period.containing(dt.date(2024, 12, 31), 1)
    result = manager_history(reps, rep_years, manager_years, period, [2023, 2024])
    y2024 = result.years.set_index("year").loc[2024]
    assert y2024["reps"] == 4
    # a rose; b left during the year (its ratio then moves with nobody to credit), c is new, and s's
    # one client (20 → 40) is an anecdote under rankings.min_clients (3): only a is compared.
    assert (y2024["reps_compared"], y2024["reps_improved"]) == (1, 1)
    assert y2024["mean_ratio_change"] == pytest.approx(3.0 - 2.0)
    assert (y2024["reps_at_start"], y2024["reps_left"]) == (3, 1)
    assert y2024["retention"] == pytest.approx(2 / 3)
    assert y2024["leavers_mean_ratio"] == 3.5
    assert y2024["revenue"] == 20.0 and y2024["value_ratio"] == 2.0
    assert result.leavers[["rep_id", "year", "value_ratio_when_left"]].values.tolist() == [
        ["b", 2024, 3.5]
    ]
    y2023 = result.years.set_index("year").loc[2023]
    assert y2023["reps"] == 3 and y2023["retention"] == 1.0 and pd.isna(y2023["mean_ratio_change"])


def test_manager_goal_attainment_and_coaching_by_hand() -> None:
    """Team goals add up (Σ actual ÷ Σ target) over the teams a manager leads; rep goals count as
    met from 100 %; coaching counts the measured engagements of the manager's reps by the year they
    started, and gives no unchecked effect (the checked verdict is coaching.by_manager)."""
    reps = pd.DataFrame(
        {
            "rep_id": ["a", "b", "c", "d"],
            "name": ["Ann", "Bo", "Cy", "Di"],
            "team": ["T", "T", "U", "U"],
            "manager": ["M", "M", "M", "M"],
            "hired": pd.to_datetime([None] * 4).astype("datetime64[s]"),
            "left": pd.to_datetime([None, None, None, "2023-06-30"]).astype("datetime64[s]"),
        }
    )
    # d left in 2023; its ratio still rises in 2024 (old clients buy more), which is not an improvement
    # of the manager's reps.
    rep_years = pd.DataFrame(
        {
            "rep_id": pd.Series(["a", "b", "c", "d", "d"], dtype="string"),
            "year": [2024, 2024, 2024, 2023, 2024],
            "value_ratio": [1.0, 2.0, 3.0, 1.0, 2.0],
            "clients": 5,
        }
    )
    manager_years = pd.DataFrame(
        {
            "manager": ["M"],
            "year": [2024],
            "revenue": [10.0],
            "reps_with_cost": [3],
            "value_ratio": [2.0],
        }
    )
    goals = pd.DataFrame(
        {
            "scope": ["team", "team", "team", "rep", "rep", "rep", "rep", "rep"],
            "id": ["T", "U", "T", "a", "b", "c", "zz", "b"],
            "year": [2024] * 8,
            "metric": [
                "revenue",
                "revenue",
                "won_deals",
                "revenue",
                "revenue",
                "new_clients",
                "revenue",
                "won_deals",
            ],
            "target": [100.0, 300.0, 10.0, 50.0, 50.0, 4.0, 1.0, 10.0],
            "actual": [120.0, 180.0, 3.0, 50.0, 49.0, 5.0, 9.0, 1.0],
            # b's won-deals goal: b left before the year ended ("rep left"), not counted
            "status": ["met", "missed", "missed", "met", "missed", "met", "met", "rep left"],
        }
    )
    goals["attainment"] = goals["actual"] / goals["target"]
    events = pd.DataFrame(
        {
            "rep_id": pd.Series(["a", "a", "b", "c"], dtype="string"),
            "start": pd.to_datetime(["2024-02-01", "2024-08-01", "2023-05-01", "2024-03-01"]),
            "included": [True, True, True, False],
            "effect_per_month": [30.0, 10.0, 99.0, None],
        }
    )
    period = Period.containing(dt.date(2024, 12, 31), 1)
    row = manager_history(reps, rep_years, manager_years, period, [2024], goals, events).years.iloc[
        0
    ]
    assert row["team_goals"] == 2  # the won-deals goal is not a revenue goal
    # 0.75, not mean(1.2, 0.6)
    assert row["team_goal_attainment"] == pytest.approx((120 + 180) / (100 + 300))
    # a at exactly 100 % and c met; zz is nobody's
    assert (row["rep_goals"], row["rep_goals_met"]) == (
        3,
        2,
    )
    # b's started in 2023, c's not measured
    assert (row["coaching_events"], row["coached_reps"]) == (
        2,
        1,
    )
    assert "coaching_effect_per_month" not in row.index
    assert (row["reps"], row["reps_compared"], row["reps_improved"]) == (3, 0, 0)
    bare = manager_history(reps, rep_years, manager_years, period, [2024]).years.iloc[0]
    assert bare["team_goals"] == 0 and pd.isna(bare["team_goal_attainment"])
    assert (bare["coaching_events"], bare["coached_reps"]) == (0, 0)


def test_definition_changes_are_validated() -> None:
    config = Config.model_validate(
        {
            "sources": {"deals": {"path": "d.csv"}},
            "metrics": {
                "definition_changes": [{"date": "2025-01-01", "change": "gross margin 1.0 → 0.8"}]
            },
        }
    )
    (change,) = config.metrics.definition_changes
    assert change.date == dt.date(2025, 1, 1) and change.change.startswith("gross margin")


def test_rest_of_year_and_next_year_reconcile_mid_year() -> None:
    """as_of in August: the projection covers August-December (July and before are booked) and the
    next year; each level's reconciled parts plus the remainder equal the company in both."""
    rng = np.random.default_rng(8)
    months = pd.date_range("2022-01-01", "2025-08-01", freq="MS")
    rows = []
    for rep, scale in (("A", 1.0), ("B", 2.0), ("C", 0.5)):
        for i, month in enumerate(months):
            for day in (5, 20):
                won = rng.random() < 0.6
                amount = scale * (1000 + 10 * i) * (1.3 if month.month >= 10 else 1.0)
                rows.append(
                    (
                        f"{rep}{i}-{day}",
                        rep,
                        amount,
                        WON if won else LOST,
                        month + pd.Timedelta(days=day - 1),
                    )
                )
    # a rep with one month of history
    rows.append(("late", "D", 500.0, WON, pd.Timestamp("2025-07-01")))
    counted = _counted(rows, dt.date(2025, 8, 15))
    counted["region"] = pd.Series(
        np.where(counted["rep_id"] == "B", "South", "North"), index=counted.index, dtype="category"
    )
    open_deals = pd.DataFrame(
        {"rep_id": ["A", "B"], "amount": [100.0, None], "region": ["North", "South"]}
    )
    team_of = pd.Series({"A": "T1", "B": "T1", "C": "T2", "D": "T2"})
    forecast = compute_forecast(
        counted,
        open_deals,
        team_of,
        pd.Timestamp("2025-08-15"),
        2025,
        pd.Timestamp("2025-12-31"),
        pd.Index(["A", "B", "C", "D"], dtype="string"),
        pd.Index(["T1", "T2"], dtype="string"),
    )
    assert [(h.name, h.first, h.last) for h in forecast.horizons] == [
        ("rest of current year", 1, 5),
        ("next year", 6, 17),
    ]
    table = forecast.table
    company = table[table["level"] == "company"].set_index("horizon")
    booked = counted.loc[
        (counted["fiscal_year"] == 2025) & (counted["closed"] < pd.Timestamp("2025-08-01")),
        "won_amount",
    ].sum()
    assert company.loc["rest of current year", "booked"] == pytest.approx(booked)
    assert company.loc["rest of current year", "forecast"] > booked
    rep_d = table[(table["level"] == "rep") & (table["id"] == "D")]
    assert (rep_d["method"] == NOT_ENOUGH).all() and rep_d["forecast"].isna().all()
    for horizon in ("rest of current year", "next year"):
        for level in ("team", "region", "rep"):
            parts = table[(table["level"] == level) & (table["horizon"] == horizon)][
                "reconciled"
            ].sum()
            rest = forecast.remainders[
                (forecast.remainders["level"] == level)
                & (forecast.remainders["horizon"] == horizon)
            ]["reconciled"].sum()
            assert parts + rest == pytest.approx(company.loc[horizon, "forecast"], rel=1e-9), (
                level,
                horizon,
            )
    a = table[(table["level"] == "rep") & (table["id"] == "A")].iloc[0]
    rate = counted.loc[counted["rep_id"] == "A", "won"].mean()
    assert a["open_pipeline"] == 100.0 and a["expected_pipeline"] == pytest.approx(100.0 * rate)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_holt_winters_matches_statsmodels_ets(seed: int) -> None:
    """The numpy filter is ETS(A,Ad,A): with the same parameters and initial states, statsmodels'
    ETSModel gives the same final level and the same 12-month projection."""
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    y = 1000 + 15 * t + 200 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 80, 48)
    series = Series(
        pd.Index(["x"], dtype="string"),
        y[None, :],
        np.array([48]),
        np.array([0]),
        pd.date_range("2022-01-01", periods=48, freq="MS"),
    )
    fit = holt_winters(series)
    alpha, beta, gamma, phi = GRID[fit.choice[0]]
    first = y[:12].mean()  # starting states from the first year only; trend starts at 0
    model = ets.ETSModel(
        y[12:],
        error="add",
        trend="add",
        seasonal="add",
        damped_trend=True,
        seasonal_periods=12,
        initialization_method="known",
        initial_level=first,
        initial_trend=0.0,
        initial_seasonal=y[:12] - first,
    )
    result = model.smooth([alpha, beta, gamma, phi])
    assert fit.level[0] == pytest.approx(result.level[-1], rel=1e-9)
    assert project(fit, series, 1, 12)[0][0] == pytest.approx(result.forecast(12).sum(), rel=1e-9)
