"""Coaching effect and activity versus performance: hand-computed figures and seeded planted effects."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from bench.coaching_study import KINDS, SCENARIOS, covered, effects_of, synthetic_company
from generator.config import CoachingConfig
from generator.metrics import coaching
from generator.metrics.activity import (
    BUSY_PRODUCTIVE,
    BUSY_UNPRODUCTIVE,
    QUIET_PRODUCTIVE,
    QUIET_UNPRODUCTIVE,
    compute_activity,
    correlation_interval,
    quadrant,
)
from generator.metrics.coaching import (
    ALL_KINDS,
    CHECK_FAILED,
    FELL,
    NOT_ENOUGH,
    ROSE,
    UNCLEAR,
    coaching_effects,
    coaching_events,
    missed_revenue_goals,
    rep_month_panel,
    verdict,
)
from generator.metrics.period import Period
from generator.site.text import slug


def _reps(ids: list[str], teams: list[str], regions: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.array(ids, dtype="string"),
            "name": pd.array(ids, dtype="string"),
            "team": pd.array(teams, dtype="string"),
            "region": pd.array(regions or ["R"] * len(ids), dtype="string"),
            "hired": pd.Series([pd.NaT] * len(ids), dtype="datetime64[s]"),
            "left": pd.Series([pd.NaT] * len(ids), dtype="datetime64[s]"),
        }
    )


def _coaching(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.array([r[0] for r in rows], dtype="string"),
            "start": pd.to_datetime([r[1] for r in rows]),
            "end": pd.Series([pd.NaT] * len(rows), dtype="datetime64[ns]"),
            "kind": pd.array([r[2] for r in rows], dtype="string"),
            "hours": [10.0] * len(rows),
            "cost": [r[3] for r in rows],
        }
    )


def _panel(
    series: dict[str, list[tuple[float, int, int]]], first: str = "2024-01-01"
) -> pd.DataFrame:
    """rep → [(revenue, won, lost) per month from ``first``]."""
    rows = []
    for rep, months in series.items():
        for i, (revenue, won, lost) in enumerate(months):
            rows.append(
                {
                    "rep_id": rep,
                    "month": pd.Timestamp(first) + pd.DateOffset(months=i),
                    "revenue": float(revenue),
                    "won_deals": won,
                    "lost_deals": lost,
                }
            )
    return pd.DataFrame(rows).astype({"rep_id": "string", "month": "datetime64[s]"})


# ------------------------------------------------------------------ hand-computed matched difference-in-differences


def test_one_engagement_by_hand() -> None:
    """Window 2, start in month 10 (November 2024): base = months 0-7, before = 8-9, after = 11-12.

    T: 100 a month, then 200 after: +100. C1 had T's very trajectory before (100 flat) and went to
    130: +30, the nearest match (k = 1). C2 dipped to 80 before (a different trajectory), C3 is
    coached inside the windows: neither is T's match. Effect 100 − 30 = 70 a month; T was expected
    to make 200 − 70 = 130 without coaching, so Effect % = 70 ÷ 130. The placebo (a fake start in
    month 8: its after-window is month 9, 100 for T and C1) is 0; so is the pre-trend.
    """
    flat = [(100, 1, 1)] * 10
    panel = _panel(
        {
            "T": [*flat, (0, 0, 0), (200, 2, 1), (200, 1, 0)],
            "C1": [*flat, (0, 0, 0), (130, 1, 1), (130, 0, 0)],
            "C2": [(100, 1, 1)] * 8 + [(80, 1, 1)] * 2 + [(0, 0, 0), (90, 1, 0), (90, 0, 0)],
            "C3": [*flat, (0, 0, 0), (9000, 0, 0), (9000, 0, 0)],
        },
        first="2024-01-01",
    )
    reps = _reps(["T", "C1", "C2", "C3"], ["X", "Y", "X", "X"])
    coaching = _coaching(
        [("T", "2024-11-10", "Workshop", 3000.0), ("C3", "2025-01-01", "Workshop", 100.0)]
    )
    settings = CoachingConfig(window_months=2, min_controls=1, min_reps=1, match_k=1)
    events = coaching_events(panel, reps, coaching, settings)
    table = events.table.set_index("rep_id")
    t = table.loc["T"]
    assert (
        t["base_revenue_per_month"],
        t["pre_revenue_per_month"],
        t["post_revenue_per_month"],
    ) == (100, 100, 200)
    assert t["control_group"] == "matched on trajectory" and t["controls"] == 1
    assert t["control_change"] == pytest.approx(30)
    assert t["effect_per_month"] == pytest.approx(70)
    assert t["placebo_effect_per_month"] == pytest.approx(0)
    assert t["pre_trend_per_month"] == pytest.approx(0)
    assert bool(t["included"])
    # C1, in another team, is the match: the trajectory decides, not the team.
    assert events.controls[list(events.table["rep_id"]).index("T")].tolist() == [
        True,
        False,
        False,
        False,
    ]
    # C3's window after January is not in the data yet: too recent to evaluate, and said so.
    assert not bool(table.loc["C3", "included"]) and "too recent" in table.loc["C3", "note"]
    row = coaching_effects(events, settings).set_index("kind").loc[ALL_KINDS]
    assert row["effect_pct"] == pytest.approx(70 / 130)
    assert row["counterfactual_per_month"] == pytest.approx(130)


def test_a_single_engagement_with_a_full_pool_is_estimated() -> None:
    """One engagement whose pool is big enough for the bias correction: its one fit is solved
    (least squares takes one matrix, not a stack of one)."""
    company = synthetic_company(5, lift=0.2)
    events = coaching_events(
        company.panel, company.reps, company.coaching.head(1), CoachingConfig()
    )
    row = events.table.iloc[0]
    assert bool(row["included"]) and row["controls"] == 5 and math.isfinite(row["effect_per_month"])


def test_verdict_needs_the_interval_and_both_checks() -> None:
    settings = CoachingConfig(min_reps=5, max_interval_width=0.5)
    passed = {
        "pre_trend": (-0.1, 0.1),
        "placebo": (-0.05, 0.05),
        "influence": (0.01, 0.3),
        "influence_label": "Ann",
    }
    assert verdict(4, 0.1, 0.2, settings, **passed)[0] == NOT_ENOUGH
    assert verdict(5, -0.3, 0.3, settings, **passed)[0] == NOT_ENOUGH  # 60 % wide
    assert verdict(5, 0.05, 0.25, settings, **passed)[0] == ROSE
    assert verdict(5, -0.25, -0.05, settings, **{**passed, "influence": (-0.3, -0.01)})[0] == FELL
    assert verdict(5, -0.1, 0.2, settings, **passed)[0] == UNCLEAR
    slump, reason = verdict(5, 0.05, 0.25, settings, **{**passed, "pre_trend": (-0.4, -0.2)})
    assert slump == CHECK_FAILED and "pre-trend" in reason and "regression to the mean" in reason
    recovering = verdict(5, 0.05, 0.25, settings, **{**passed, "pre_trend": (0.1, 0.3)})[1]
    assert "already pulling ahead (recovering)" in recovering
    fake = verdict(5, 0.05, 0.25, settings, **{**passed, "placebo": (-0.3, -0.1)})[1]
    assert "placebo" in fake and "pre-trend" not in fake
    # The influence check: with the most influential rep left out the interval must stay above 0.
    one, why = verdict(5, 0.05, 0.25, settings, **{**passed, "influence": (-0.02, 0.2)})
    assert (one, why) == (
        CHECK_FAILED,
        "the 95 % interval excludes 0 (a rise), but influence failed: one rep, Ann, "
        "drives the result: without them the 95 % interval is no longer all above 0",
    )
    assert (
        verdict(5, 0.05, 0.25, settings, **{**passed, "influence": (-0.3, -0.1)})[0] == CHECK_FAILED
    )
    team = verdict(
        5, 0.05, 0.25, settings, **{**passed, "influence": (-0.02, 0.2), "influence_unit": "team"}
    )[1]
    assert "one team, Ann, drives the result: without it" in team
    assert verdict(5, 0.05, 0.25, settings)[0] == CHECK_FAILED  # checks not run: no verdict either
    assert "could not be run" in verdict(5, 0.05, 0.25, settings)[1]


# ------------------------------------------------------------------ planted truths on seeded synthetic companies

SEEDS = range(20)
FAST = CoachingConfig(bootstrap_samples=500)
"""The study's estimator with 500 resamples, to keep the module fast (bench/coaching_study.py uses 2,000)."""


@pytest.fixture(scope="module")
def study() -> dict[str, dict[int, pd.DataFrame]]:
    """The effect tables of every scenario of bench/coaching_study.py on the first 20 seeds."""
    return {
        scenario: {seed: effects_of(scenario, seed, FAST) for seed in SEEDS}
        for scenario in SCENARIOS
    }


def test_planted_effect_is_covered(study) -> None:
    """Issue 13: a planted +20 % effect is inside the 95 % interval in at least 18 of 20 seeds."""
    hits = sum(covered(study["planted"][seed].loc[ALL_KINDS], 0.2) for seed in SEEDS)
    assert hits >= 18, hits
    for kind in KINDS:  # per kind (15 coached reps each) as well
        assert sum(covered(study["planted"][seed].loc[kind], 0.2) for seed in SEEDS) >= 18, kind


def test_no_effect_rarely_gets_a_verdict(study) -> None:
    """No effect: "rose" or "fell" in at most 2 of 20 seeds, for All kinds and for each kind."""
    for kind in (ALL_KINDS, *KINDS):
        verdicts = [study["placebo"][seed].loc[kind, "verdict"] for seed in SEEDS]
        assert sum(v in (ROSE, FELL) for v in verdicts) <= 2, (kind, verdicts)


def test_recovery_after_a_bad_spell_is_not_credited_to_coaching(study) -> None:
    """Coached after a bad spell, no effect: "rose" in at most 2 of 20; and the checks see the slump."""
    rows = [study["bad_spell"][seed].loc[ALL_KINDS] for seed in SEEDS]
    assert sum(row["verdict"] == ROSE for row in rows) <= 2
    # The pre-trend sees the slump (the gap was falling) and the placebo finds a fall, in every seed.
    assert all(row["pre_trend_high"] < 0 and row["placebo_pct_high"] < 0 for row in rows)
    assert all("fail" in row["checks"] for row in rows)


def test_planted_effect_after_a_bad_spell_is_still_recovered(study) -> None:
    """Issue 13: +20 % on reps coached after a bad spell is covered in at least 16 of 20 seeds."""
    hits = sum(covered(study["bad_spell_planted"][seed].loc[ALL_KINDS], 0.2) for seed in SEEDS)
    assert hits >= 16, hits
    # The rise is real but the checks fail: the page withholds "rose" and says why.
    row = study["bad_spell_planted"][0].loc[ALL_KINDS]
    assert row["verdict"] == CHECK_FAILED and "regression to the mean" in row["verdict_reason"]


def test_one_rep_cannot_drive_a_verdict() -> None:
    """No effect, 20 coached reps; one of them (Ana) closes three unrelated 1 M deals in the months
    before her start. Her effect alone is −220,919 a month, the others' mean −7,966: the full interval
    (−27.2 % to −1.8 %) is below 0 and would read "revenue fell"; without her it is −19.6 % to +1.8 %,
    so the verdict is withheld and the reason names her."""
    company = synthetic_company(0, coached=20)
    first = company.coaching.iloc[1]
    rep, start = first["rep_id"], first["start"].to_period("M").start_time
    panel = company.panel.copy()
    for k in (1, 3, 5):
        panel.loc[
            (panel["rep_id"] == rep) & (panel["month"] == start - pd.DateOffset(months=k)),
            "revenue",
        ] += 1e6
    reps = company.reps.assign(
        name=company.reps["name"].mask(company.reps["rep_id"] == rep, "Ana Big-Deal")
    )
    settings = CoachingConfig(bootstrap_samples=500)
    events = coaching_events(panel, reps, company.coaching, settings)
    mine = events.table[events.table["rep_id"] == rep].iloc[0]
    assert round(mine["effect_per_month"]) == -220_919
    row = coaching_effects(events, settings).set_index("kind").loc[ALL_KINDS]
    assert (row["coached_reps"], row["cluster_by"], row["clusters"]) == (20, "team", 9)
    assert (
        round(row["effect_pct"], 3),
        round(row["effect_pct_low"], 3),
        round(row["effect_pct_high"], 3),
    ) == (-0.156, -0.272, -0.018)
    assert (row["influence_by"], row["influence_left_out"]) == ("rep", "Ana Big-Deal")
    assert (
        round(row["influence_pct"], 3),
        round(row["influence_pct_low"], 3),
        round(row["influence_pct_high"], 3),
    ) == (-0.075, -0.196, 0.018)
    assert row["verdict"] == CHECK_FAILED
    assert row["verdict_reason"] == (
        "the 95 % interval excludes 0 (a fall), but influence failed: one rep, Ana "
        "Big-Deal, drives the result: without them the 95 % interval is no longer all "
        "below 0"
    )
    assert row["checks"].startswith("pre-trend passed") and "; placebo passed" in row["checks"]
    # No verdict, so no payback or cost per point either.
    assert math.isnan(row["payback_months"]) and math.isnan(row["cost_per_point"])


def test_cost_per_point_and_payback_only_when_revenue_rose(study) -> None:
    """Payback = mean cost ÷ effect a month and cost per point = mean cost ÷ effect in points, shown
    only beside the verdict "revenue rose" (planted seed 0, All kinds: 3,000 ÷ 17,417 = 0.172 months)."""
    seen = set()
    for scenario in ("planted", "placebo", "bad_spell_planted"):
        for seed in SEEDS:
            for kind, row in study[scenario][seed].iterrows():
                seen.add(row["verdict"])
                if row["verdict"] == ROSE:
                    assert row["payback_months"] == pytest.approx(
                        row["mean_coaching_cost"] / row["effect_per_month"]
                    )
                    assert row["cost_per_point"] == pytest.approx(
                        row["mean_coaching_cost"] / (row["effect_pct"] * 100)
                    )
                else:
                    assert math.isnan(row["payback_months"]) and math.isnan(
                        row["cost_per_point"]
                    ), (scenario, seed, kind)
    assert {ROSE, UNCLEAR, CHECK_FAILED} <= seen
    assert round(study["planted"][0].loc[ALL_KINDS, "payback_months"], 3) == 0.172


WIN_RATE_INTERVAL = (-0.073, 0.0469)
"""Seed 3, +20 %, 500 resamples: the win-rate effect's interval over 9 teams (single reps: −0.0466 to 0.0413)."""


def test_win_rate_interval_is_clustered_and_counted() -> None:
    """The win-rate effect resamples whole teams (and the matched reps) like revenue: its interval
    differs from single reps resampled, and the n behind it (win_rate_reps) is every coached rep."""
    company = synthetic_company(3, lift=0.2)
    settings = CoachingConfig(bootstrap_samples=500)
    events = coaching_events(company.panel, company.reps, company.coaching, settings)
    teams = coaching_effects(events, settings).set_index("kind").loc[ALL_KINDS]
    single = coaching_effects(
        events, CoachingConfig(bootstrap_samples=500, min_clusters=10)
    ).set_index("kind")
    assert teams["win_rate_reps"] == 30
    assert teams["win_rate_effect"] == pytest.approx(
        events.table[events.table["included"]].groupby("rep_id")["win_rate_effect"].mean().mean()
    )
    assert teams["win_rate_effect_low"] < teams["win_rate_effect"] < teams["win_rate_effect_high"]
    assert (teams["win_rate_effect_low"], teams["win_rate_effect_high"]) != (
        single.loc[ALL_KINDS, "win_rate_effect_low"],
        single.loc[ALL_KINDS, "win_rate_effect_high"],
    )
    assert (
        round(teams["win_rate_effect_low"], 4),
        round(teams["win_rate_effect_high"], 4),
    ) == WIN_RATE_INTERVAL


def test_cluster_bootstrap_resamples_teams() -> None:
    company = synthetic_company(3, lift=0.2)
    settings = CoachingConfig(bootstrap_samples=500)
    events = coaching_events(company.panel, company.reps, company.coaching, settings)
    row = coaching_effects(events, settings).set_index("kind").loc[ALL_KINDS]
    assert (row["cluster_by"], row["clusters"]) == ("team", 9)
    few = coaching_effects(
        events, CoachingConfig(bootstrap_samples=500, min_clusters=10)
    ).set_index("kind")
    assert (few.loc[ALL_KINDS, "cluster_by"], few.loc[ALL_KINDS, "clusters"]) == (
        "rep",
        row["coached_reps"],
    )


def test_interval_is_seeded() -> None:
    company = synthetic_company(5, lift=0.2)
    settings = CoachingConfig(bootstrap_samples=500)
    first = coaching_effects(
        coaching_events(company.panel, company.reps, company.coaching, settings), settings
    )
    again = coaching_effects(
        coaching_events(company.panel, company.reps, company.coaching, settings), settings
    )
    pd.testing.assert_frame_equal(first, again)


def test_two_coached_reps_are_not_enough_data() -> None:
    company = synthetic_company(7, lift=0.2, coached=2)
    settings = CoachingConfig(bootstrap_samples=500)
    effects = coaching_effects(
        coaching_events(company.panel, company.reps, company.coaching, settings), settings
    ).set_index("kind")
    assert effects.loc[ALL_KINDS, "coached_reps"] == 2
    assert effects.loc[ALL_KINDS, "verdict"] == NOT_ENOUGH
    assert "at least 5" in effects.loc[ALL_KINDS, "verdict_reason"]


def test_nearest_is_the_head_of_a_stable_argsort() -> None:
    """Ties keep column order, infinities and NaN sort last, as np.argsort(kind="stable") does."""
    rng = np.random.default_rng(3)
    distance = rng.integers(0, 6, size=(200, 40)).astype("float64")
    distance[rng.random(distance.shape) < 0.2] = np.inf
    distance[rng.random(distance.shape) < 0.1] = np.nan
    distance[:5] = np.inf
    distance[5:10, 3:] = np.nan
    for k in (1, 5, 40):
        assert np.array_equal(
            coaching._nearest(distance, k), np.argsort(distance, axis=1, kind="stable")[:, :k]
        )


def test_blocks_do_not_change_the_estimates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matching works through blocks of rows to bound memory: one row at a time gives the same bits."""
    company = synthetic_company(5, lift=0.2)
    settings = CoachingConfig()
    whole = coaching_events(company.panel, company.reps, company.coaching, settings)
    monkeypatch.setattr(coaching, "BLOCK_CELLS", 1)
    rows = coaching_events(company.panel, company.reps, company.coaching, settings)
    pd.testing.assert_frame_equal(whole.table, rows.table, check_exact=True)
    for name in (
        "controls",
        "picked",
        "adjusted",
        "placebo_picked",
        "placebo_adjusted",
        "win_rate_controls",
    ):
        assert np.array_equal(getattr(whole, name), getattr(rows, name), equal_nan=True), name


# ------------------------------------------------------------------ the panel and the missed goals


def test_panel_fills_employed_months_with_zero() -> None:
    counted = pd.DataFrame(
        {
            "rep_id": pd.Categorical(["A", "A", "B"]),
            "month": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"]).astype(
                "datetime64[s]"
            ),
            "won_amount": [100.0, 50.0, 0.0],
            "won": [1, 1, 0],
            "lost": [0, 0, 1],
        }
    )
    reps = _reps(["A", "B"], ["X", "X"])
    reps["hired"] = pd.to_datetime([pd.NaT, "2023-06-01"]).astype("datetime64[s]")
    reps["left"] = pd.to_datetime([pd.NaT, "2024-02-20"]).astype("datetime64[s]")
    panel = rep_month_panel(counted, reps, pd.Timestamp("2024-04-01"))
    a = panel[panel["rep_id"] == "A"]
    # Jan to April, February and April without a sale
    assert a["revenue"].tolist() == [
        100.0,
        0.0,
        50.0,
        0.0,
    ]
    b = panel[panel["rep_id"] == "B"]
    # Hired before the data starts, left in February: January (no sale) and February.
    assert b["month"].dt.month.tolist() == [1, 2] and b["lost_deals"].tolist() == [0, 1]


def test_missed_goal_and_what_followed() -> None:
    # The goals table of metrics.goals: attainment = actual (the rep's revenue that year) ÷ target.
    # C left in 2023 before meeting its goal ("rep left"): not a goal missed.
    goals = pd.DataFrame(
        {
            "scope": ["rep", "rep", "rep", "rep", "rep"],
            "id": ["A", "A", "B", "B", "C"],
            "year": [2023, 2024, 2023, 2023, 2023],
            "metric": ["revenue"] * 3 + ["won_deals", "revenue"],
            "target": [1000.0, 1000.0, 100.0, 10.0, 100.0],
            "actual": [800.0, 1200.0, 150.0, 2.0, 10.0],
            "status": ["missed", "met", "met", "missed", "rep left"],
        }
    )
    goals["attainment"] = goals["actual"] / goals["target"]
    events = pd.DataFrame(
        {
            "rep_id": pd.array(["A", "B", "C"], dtype="string"),
            "kind": ["K", "K", "K"],
            "start": pd.to_datetime(["2024-02-01", "2023-05-01", "2023-02-01"]),
            "pre_revenue_per_month": [60.0, 10.0, 5.0],
            "post_revenue_per_month": [110.0, 12.0, 1.0],
            "effect_per_month": [40.0, 1.0, -4.0],
        }
    )
    period = Period.containing(dt.date(2024, 12, 31), 1)
    flagged = missed_revenue_goals(goals, events, period)
    # B met its revenue goal (its won-deals goal does not count); C left
    assert flagged["rep_id"].tolist() == ["A"]
    row = flagged.iloc[0]
    assert (row["year"], row["attainment"], row["next_year_attainment"]) == (2023, 0.8, 1.2)
    assert row["effect_per_month"] == 40.0
    # While the next year runs its attainment so far is no result: 8.9 % on 15 October read as a
    # goal missed after coaching.
    running = Period.containing(dt.date(2024, 10, 15), 1)
    row = missed_revenue_goals(goals, events, running).iloc[0]
    assert row["year"] == 2023 and pd.isna(row["next_year_attainment"])


# ------------------------------------------------------------------ activity


def test_fisher_interval_by_hand() -> None:
    low, high = correlation_interval(0.5, 28)  # z = 0.5493, ± 1.96 / 5
    assert low == pytest.approx(math.tanh(math.atanh(0.5) - 1.959963984540054 / 5))
    assert (round(low, 3), round(high, 3)) == (0.156, 0.736)
    assert all(math.isnan(v) for v in correlation_interval(0.5, 3))


def test_quadrants_split_at_the_medians() -> None:
    activity = pd.Series([10.0, 10.0, 1.0, 1.0, None])
    revenue = pd.Series([5.0, 1.0, 5.0, 1.0, 3.0])
    assert quadrant(activity, revenue, 5.0, 3.0).tolist()[:4] == [
        BUSY_PRODUCTIVE,
        BUSY_UNPRODUCTIVE,
        QUIET_PRODUCTIVE,
        QUIET_UNPRODUCTIVE,
    ]
    assert pd.isna(quadrant(activity, revenue, 5.0, 3.0).iloc[4])


def test_activity_per_month_mix_and_correlation() -> None:
    """Four reps employed Jan-Mar 2024 (3 months). Calls per month 10, 20, 30, 40 against revenue
    per month 100, 300, 200, 400: r = 0.8; emails only for A (shares 30/(30+6))."""
    ids = ["A", "B", "C", "D"]
    panel = _panel(
        {rep: [(rev, 0, 0)] * 3 for rep, rev in zip(ids, (100, 300, 200, 400), strict=True)}
    )
    reps = pd.DataFrame(
        {
            "rep_id": pd.array(ids, dtype="string"),
            "name": ids,
            "team": ["X"] * 4,
            "region": ["N"] * 4,
            "revenue": [300.0, 900.0, 600.0, 1200.0],
            "win_rate": [0.5] * 4,
            "value_ratio": [1.0, 2.0, None, 3.0],
        }
    )
    activities = pd.DataFrame(
        {
            "rep_id": pd.array([*ids, "A"], dtype="string"),
            "date": pd.to_datetime(
                ["2024-01-08", "2024-02-05", "2024-03-04", "2024-01-15", "2024-02-12"]
            ),
            "kind": ["Call", "Call", "Call", "Call", "Email"],
            "count": pd.array([30, 60, 90, 120, 6], dtype="Int64"),
        }
    )
    tables = compute_activity(activities, panel, reps, Period.containing(dt.date(2024, 3, 31), 1))
    table = tables.reps.set_index("rep_id")
    assert table["months"].tolist() == [3, 3, 3, 3]
    assert table.loc["A", "activities_per_month"] == 12  # (30 + 6) / 3
    assert table.loc["B", "revenue_per_month"] == 300
    mix = tables.mix.set_index(["rep_id", "kind"])
    assert mix.loc[("A", "Email"), "share"] == pytest.approx(6 / 36)
    assert mix.loc[("B", "Email"), "count"] == 0
    assert mix.loc[("A", "Call"), "median_rep_per_month"] == 25  # median of 10, 20, 30, 40
    calls = tables.correlation.set_index("kind").loc["Call"]
    assert calls["reps"] == 4 and calls["correlation"] == pytest.approx(0.8)
    assert (calls["correlation_low"], calls["correlation_high"]) == pytest.approx(
        correlation_interval(0.8, 4)
    )
    assert tables.medians.iloc[0]["revenue_per_month"] == 250


# ------------------------------------------------------------------ end to end on the CRM fixture


def _with_coaching(folder, *, show_compensation: bool, include_coaching_cost: bool = True):
    """The CRM fixture plus a coaching log (rep A, 25,000 in 2024) and a small activity log."""
    import yaml

    from tests.conftest import write_crm_export

    config = write_crm_export(folder, show_compensation=show_compensation)
    (folder / "coaching.csv").write_text(
        "Rep,Start,End,Program,Hours,Cost\nA,2024-03-01,2024-03-02,Negotiation workshop,12,25000\n",
        encoding="utf-8",
    )
    (folder / "activities.csv").write_text(
        "Rep,Date,Kind,Count\nA,2024-02-05,Call,30\nA,2024-02-05,Email,10\nB,2024-03-04,Call,12\n",
        encoding="utf-8",
    )
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["sources"]["coaching"] = {
        "path": "coaching.csv",
        "columns": {
            "rep_id": "Rep",
            "start": "Start",
            "end": "End",
            "kind": "Program",
            "hours": "Hours",
            "cost": "Cost",
        },
    }
    raw["sources"]["activities"] = {
        "path": "activities.csv",
        "columns": {"rep_id": "Rep", "date": "Date", "kind": "Kind", "count": "Count"},
    }
    raw["metrics"] = {"include_coaching_cost": include_coaching_cost}
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return config


def test_coaching_cost_counts_in_annual_cost_and_value_ratio(tmp_path) -> None:
    """Rep A costs 100,000 a year; 25,000 of coaching in 2024 makes 125,000, so the ratio 5 of the
    worked example (mean client LTV 500,000) becomes 4."""
    from generator.build import build
    from tests.conftest import read_reps_csv

    site = build(_with_coaching(tmp_path / "shown", show_compensation=True)).out
    reps = read_reps_csv(site).set_index("rep_id")
    assert reps.loc["A", "annual_cost"] == 125_000
    assert reps.loc["A", "value_ratio"] == 4
    events = pd.read_csv(site / "data" / "coaching_events.csv")
    assert events["coaching_cost"].tolist() == [25_000]
    effect = pd.read_csv(site / "data" / "coaching_effect.csv").set_index("kind")
    assert effect.loc[ALL_KINDS, "verdict"] == NOT_ENOUGH  # one coached rep
    assert "cost_per_point" in effect.columns
    assert (site / "coaching" / "index.html").exists() and (
        site / "activity" / "index.html"
    ).exists()
    page = (site / "reps" / slug("A", "rep") / "index.html").read_text(encoding="utf-8")
    assert "Coaching and training" in page and "Activity mix" in page and "Anecdotal" in page
    activity = pd.read_csv(site / "data" / "activity.csv").set_index("rep_id")
    assert activity.loc["A", "activities"] == 40

    without = build(
        _with_coaching(tmp_path / "without", show_compensation=True, include_coaching_cost=False)
    ).out
    assert read_reps_csv(without).set_index("rep_id").loc["A", "value_ratio"] == 5


def test_coaching_costs_stay_private(tmp_path) -> None:
    from generator.build import build
    from tests.conftest import read_reps_csv

    site = build(_with_coaching(tmp_path / "hidden", show_compensation=False)).out
    # the ratio is still shown
    assert read_reps_csv(site).set_index("rep_id").loc["A", "value_ratio"] == 4
    for name in ("coaching_events", "coaching_effect"):
        header = (site / "data" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert "cost" not in header.replace("payback", "")
    published = "".join(
        p.read_text(encoding="utf-8", errors="ignore")
        for p in site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".csv", ".json")
    )
    import re

    assert not re.search(r"(?<![\d.,])25,?000(?:\.0)?(?![\d,])", published)  # the coaching cost


def test_page_says_which_check_failed_and_the_n_behind_it() -> None:
    """After a bad spell the sentence withholds "rose", names the failed checks, what they mean, and
    shows the pre-trend and placebo with their intervals and n."""
    import html

    from generator.site.pages.coaching import verdict_sentence

    row = effects_of("bad_spell_planted", 0, CoachingConfig(bootstrap_samples=500)).reset_index()
    said = html.unescape(verdict_sentence(row[row["kind"] == ALL_KINDS].iloc[0].to_dict(), "USD"))
    assert said.startswith("<strong>No verdict: a check failed</strong>")
    assert "Revenue rose" not in said and "regression to the mean" in said
    assert "pre-trend" in said and "placebo" in said and "95 % interval" in said
    assert "30 coached rep(s) in 9 teams resampled whole" in said and "30 reps." in said


def test_every_check_is_said_in_words_whatever_the_verdict() -> None:
    """After a bad spell with no effect, seed 0: "no clear effect" (−1.8 %, −9.6 % to +6.5 %) beside a
    failed pre-trend and a failed placebo; the sentence says both, with what they mean and their n."""
    import html

    from generator.site.pages.coaching import verdict_sentence

    row = effects_of("bad_spell", 0, CoachingConfig(bootstrap_samples=500)).loc[ALL_KINDS].to_dict()
    row["kind"] = ALL_KINDS
    assert row["verdict"] == UNCLEAR
    said = html.unescape(verdict_sentence(row, "USD"))
    assert said.startswith(
        "<strong>No clear effect</strong> of every kind of coaching together: -1.8 %"
    )
    assert "95 % interval -9.6 % to +6.5 % includes zero" in said
    assert (
        "Pre-trend failed: coached reps were already falling behind comparable reps before coaching, so a "
        "change after may be regression to the mean — pre-trend "
    ) in said
    assert (
        "Placebo failed: the same estimate at a fake start one window earlier, before any coaching"
        in said
    )
    assert (
        "Influence not needed: the interval already contains 0 — without the most influential team, T2:"
        in said
    )
    assert said.count("30 reps") == 2


def test_resampling_is_said_per_row() -> None:
    """A row resampled rep by rep says so in its sentence and its table cell; one by teams says teams."""
    import html

    from generator.site.pages.coaching import resampled_words, verdict_sentence

    company = synthetic_company(3, lift=0.2)
    settings = CoachingConfig(bootstrap_samples=500, min_clusters=10)
    events = coaching_events(company.panel, company.reps, company.coaching, settings)
    row = coaching_effects(events, settings).set_index("kind").loc[ALL_KINDS].to_dict()
    row["kind"] = ALL_KINDS
    assert row["cluster_by"] == "rep"
    said = html.unescape(verdict_sentence(row, "USD"))
    assert "30 coached rep(s) resampled one by one (too few teams to resample teams)" in said
    assert "teams resampled whole" not in said
    assert resampled_words({"cluster_by": "team", "clusters": 9}) == "in 9 teams resampled whole"
    assert resampled_words({"cluster_by": "", "clusters": 0}) == "too few to resample"


def test_check_intervals_never_show_zero_on_the_wrong_side() -> None:
    """A failed check whose interval ends at +0.0004 % shows "+0.0004 %", never "+0.0 %"."""
    from generator.site.text import change, points

    assert (
        change(0.000004) == "+0.0004 %" and change(-0.0004) == "-0.04 %" and change(0.0) == "+0.0 %"
    )
    assert points(-0.00004) == "-0.004 pts" and change(0.1234) == "+12.3 %"


def test_manager_coaching_verdict_is_checked_like_the_coaching_page() -> None:
    """Seed 0, +20 %, the 9 teams under 3 managers (team number mod 3): each manager's row is the
    /coaching/ estimator over their reps; a figure is shown only beside "revenue rose" or "fell"."""
    from generator.metrics.coaching import coaching_by_manager
    from generator.site.pages.managers import coaching_verdict_words

    company = synthetic_company(0, lift=0.2)
    settings = CoachingConfig(bootstrap_samples=500)
    events = coaching_events(company.panel, company.reps, company.coaching, settings)
    manager_of = pd.Series(
        [f"M{int(t[1:]) % 3}" for t in company.reps["team"]],
        index=company.reps["rep_id"].to_numpy(),
    )
    table = coaching_by_manager(events, manager_of, settings).set_index("manager")
    assert table["coached_reps"].tolist() == [11, 7, 12]
    assert table["verdict"].tolist() == [UNCLEAR, NOT_ENOUGH, ROSE]
    rows = {m: {"manager": m, **r} for m, r in table.to_dict("index").items()}
    assert coaching_verdict_words(rows["M0"]) == (
        "No clear effect: the 95 % interval contains 0 (11 coached rep(s) "
        "with both windows, 11 engagement(s))."
    )
    assert coaching_verdict_words(rows["M1"], counts=False).startswith(
        "Not enough data yet: the 95 % interval spans 56 %"
    )
    assert coaching_verdict_words(rows["M2"]) == (
        "Revenue rose after the coaching of these reps: +21.8 % of the revenue expected without it, 95 % interval "
        "+11.5 % to +32.5 % (12 coached rep(s) with both windows, 12 engagement(s)); pre-trend, placebo and "
        "influence checks passed."
    )
    # Fewer than min_reps coached reps: no bootstrap, "not enough data yet".
    few = coaching_by_manager(
        events, manager_of, CoachingConfig(bootstrap_samples=500, min_reps=13)
    )
    assert set(few["verdict"]) == {NOT_ENOUGH} and few["effect_pct"].isna().all()


def test_payback_cell_says_why_it_is_empty() -> None:
    """The example's Negotiation workshop ("not enough data yet", −80.2 % to +316.2 %) showed "Payback
    0.0 months"; now only a row reading "revenue rose" shows a figure, the others say why not."""
    from generator.site import text
    from generator.site.pages.coaching import NO_RISE, _if_rose

    verdicts = pd.Series([NOT_ENOUGH, ROSE, UNCLEAR, CHECK_FAILED, FELL])
    payback = pd.Series([0.0172, 0.1722, float("nan"), float("nan"), float("nan")])
    assert _if_rose(payback, verdicts, lambda v: text.number(v, 1)) == [
        NO_RISE,
        "0.2",
        NO_RISE,
        NO_RISE,
        NO_RISE,
    ]
    assert NO_RISE == "— (no verdict of a rise)"


def test_an_engagement_whose_rep_left_within_its_window_says_so() -> None:
    """A rep coached in July who left on 31 October (3 of 6 months after) was the "most influential"
    rep of two estimates, and their row said nothing of the departure."""
    from generator.metrics.coaching import _left_in_window

    events = pd.DataFrame(
        {
            "rep_id": pd.array(["R10", "R3", "R10", "R4"], dtype="string"),
            "start": pd.to_datetime(["2025-07-14", "2025-07-01", "2024-01-10", "2025-03-01"]),
            "post_months": pd.array([3, 6, 6, 2], dtype="Int64"),
            "included": [True, True, True, False],
            "note": pd.array(
                ["", "", "no placebo: too little history before", "x"], dtype="string"
            ),
        }
    )
    reps = pd.DataFrame(
        {
            "rep_id": ["R10", "R3", "R4"],
            "left": pd.to_datetime(["2025-10-31", None, "2025-04-30"]),
        }
    )
    notes = _left_in_window(events, reps, 6, pd.Timestamp("2025-12-31")).tolist()
    assert notes[0] == (
        "rep left on 2025-10-31, 3 of 6 months after the start: sales often fall before a "
        "departure, so this says more about leaving than about the coaching"
    )
    # R3 stayed; R10's 2024 engagement ended its window long before; R4's is not included.
    assert notes[1:] == ["", "no placebo: too little history before", "x"]
    # On 30 September R10 had not left yet: a leaving date ahead is no departure.
    assert _left_in_window(events, reps, 6, pd.Timestamp("2025-09-30")).tolist()[0] == ""
