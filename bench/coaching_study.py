"""Coverage and false verdicts of the coaching estimator on seeded synthetic companies with planted truths.

    python bench/coaching_study.py --seeds 20

Each company: reps × months of revenue = the rep's own level × (1 + a mean-reverting deviation of
its own + a shock shared by its team + one shared by everyone), so reps drift into bad spells and
out of them again. Some reps are coached, at a random month or the month after their first three
months below 75 % of their own level (a bad spell, seen as it happens); coaching multiplies their revenue from the month after the start by
1 + lift. The four scenarios of issue 13 and the rows they are judged on:

- ``planted``:  random starts, lift +20 %: is +20 % inside the 95 % interval (All kinds)?
- ``placebo``:  random starts, no effect: how often does a row say "rose" or "fell" (All kinds, each kind)?
- ``bad_spell``: coached after a bad spell, no effect: how often does All kinds say "rose"?
- ``bad_spell_planted``: after a bad spell, lift +20 %: is +20 % inside the interval?

The truth of Effect % is the lift: the estimator's Effect % is the effect over the revenue the
coached reps would have had without coaching, which is what a multiplicative lift multiplies.
The test suite (tests/test_coaching.py) runs the same scenarios on fewer bootstrap samples.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.config import CoachingConfig  # noqa: E402
from generator.metrics.coaching import (  # noqa: E402
    ALL_KINDS,
    CHECK_FAILED,
    FELL,
    ROSE,
    coaching_effects,
    coaching_events,
)

KINDS = ("Mentoring", "Workshop")
FIRST_MONTH = pd.Timestamp("2020-01-01")


@dataclass(frozen=True)
class Company:
    """A synthetic company: the monthly panel, the reps and the coaching log."""

    panel: pd.DataFrame
    reps: pd.DataFrame
    coaching: pd.DataFrame


def synthetic_company(seed: int, *, lift: float = 0.0, bad_spell: bool = False, reps: int = 90, teams: int = 9,
                      coached: int = 30, months: int = 72, window: int = 6, persistence: float = 0.7,
                      spell_below: float = 0.75,
                      ) -> Company:
    """A seeded company with a planted multiplicative coaching effect ``lift`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ids = [f"R{i:03d}" for i in range(reps)]
    team = np.arange(reps) % teams
    level = np.exp(rng.normal(np.log(100_000), 0.35, reps))
    deviation = np.zeros((reps, months))
    deviation[:, 0] = rng.normal(0, 0.15 / np.sqrt(1 - persistence**2), reps)
    for m in range(1, months):
        deviation[:, m] = persistence * deviation[:, m - 1] + rng.normal(0, 0.15, reps)
    shared = rng.normal(0, 0.05, months)[None, :] + rng.normal(0, 0.05, (teams, months))[team]
    noise = rng.normal(0, 0.12, (reps, months))
    relative = np.clip(1 + deviation + shared + noise, 0.05, None)
    revenue = level[:, None] * relative
    earliest, latest = 4 * window, months - window - 1
    spell = np.stack([np.convolve(row, np.ones(3) / 3, mode="valid") for row in relative])  # [j] = months j … j+2
    starts: list[tuple[int, int]] = []
    for r in rng.permutation(reps):
        if len(starts) == coached:
            break
        if bad_spell:
            # Coached the month after the first three months below ``spell_below`` of the rep's own level:
            # decided on what the manager has seen so far, never on what comes after.
            below = np.flatnonzero(spell[r, earliest - 3:latest - 2] < spell_below)
            if len(below):
                starts.append((int(r), earliest + int(below[0])))
        else:
            starts.append((int(r), int(rng.integers(earliest, latest + 1))))
    rows = []
    for i, (r, start) in enumerate(starts):
        revenue[r, start + 1:] *= 1 + lift
        day = FIRST_MONTH + pd.DateOffset(months=start, days=int(rng.integers(0, 20)))
        rows.append((ids[r], day, KINDS[i % len(KINDS)]))
    won = rng.poisson(3, (reps, months))
    lost = rng.poisson(5, (reps, months))
    panel = pd.DataFrame({
        "rep_id": pd.array(np.repeat(ids, months), dtype="string"),
        "month": np.tile(pd.date_range(FIRST_MONTH, periods=months, freq="MS").to_numpy(), reps),
        "revenue": revenue.ravel(), "won_deals": won.ravel(), "lost_deals": lost.ravel(),
    }).astype({"month": "datetime64[s]"})
    people = pd.DataFrame({
        "rep_id": pd.array(ids, dtype="string"), "name": pd.array(ids, dtype="string"),
        "team": pd.array([f"T{t}" for t in team], dtype="string"),
        "region": pd.array([f"G{t % 3}" for t in team], dtype="string"),
        "hired": pd.Series([pd.NaT] * reps, dtype="datetime64[s]"),
        "left": pd.Series([pd.NaT] * reps, dtype="datetime64[s]"),
    })
    coaching = pd.DataFrame({
        "rep_id": pd.array([r[0] for r in rows], dtype="string"),
        "start": pd.to_datetime([r[1] for r in rows]),
        "end": pd.Series([pd.NaT] * len(rows), dtype="datetime64[ns]"),
        "kind": pd.array([r[2] for r in rows], dtype="string"),
        "hours": [8.0] * len(rows),
        "cost": [3000.0] * len(rows),
    })
    return Company(panel, people, coaching)


SCENARIOS = {
    "planted": {"lift": 0.2, "bad_spell": False},
    "placebo": {"lift": 0.0, "bad_spell": False},
    "bad_spell": {"lift": 0.0, "bad_spell": True},
    "bad_spell_planted": {"lift": 0.2, "bad_spell": True},
}


def effects_of(scenario: str, seed: int, settings: CoachingConfig | None = None) -> pd.DataFrame:
    """The effect table (indexed by kind) of one seeded company of a scenario."""
    settings = settings or CoachingConfig()
    company = synthetic_company(seed, **SCENARIOS[scenario])  # type: ignore[arg-type]
    events = coaching_events(company.panel, company.reps, company.coaching, settings)
    return coaching_effects(events, settings).set_index("kind")


def covered(row: pd.Series, truth: float) -> bool:
    """Whether the row's 95 % interval of Effect % contains ``truth``."""
    return bool(row["effect_pct_low"] <= truth <= row["effect_pct_high"])


def withheld_by_influence_only(row: pd.Series) -> bool:
    """Whether the row would read "rose" or "fell" but for the influence check alone."""
    reason = str(row["verdict_reason"])
    return row["verdict"] == CHECK_FAILED and "influence failed" in reason and "pre-trend" not in reason.split(
        ", but ", 1)[-1] and "placebo" not in reason.split(", but ", 1)[-1]


def study(seeds: range, settings: CoachingConfig | None = None) -> dict[str, int]:
    """The counts of the coverage table over ``seeds``."""
    counts = {"planted_covered": 0, "placebo_verdict_all": 0, "bad_spell_rose": 0, "bad_spell_planted_covered": 0,
              "bad_spell_interval_above": 0, "planted_rose": 0, "planted_withheld_by_influence": 0,
              **{f"placebo_verdict_{kind}": 0 for kind in KINDS}, **{f"planted_covered_{kind}": 0 for kind in KINDS}}
    for seed in seeds:
        planted = effects_of("planted", seed, settings)
        counts["planted_covered"] += covered(planted.loc[ALL_KINDS], 0.2)
        counts["planted_rose"] += planted.loc[ALL_KINDS, "verdict"] == ROSE
        counts["planted_withheld_by_influence"] += withheld_by_influence_only(planted.loc[ALL_KINDS])
        for kind in KINDS:
            counts[f"planted_covered_{kind}"] += covered(planted.loc[kind], 0.2)
        placebo = effects_of("placebo", seed, settings)
        counts["placebo_verdict_all"] += placebo.loc[ALL_KINDS, "verdict"] in (ROSE, FELL)
        for kind in KINDS:
            counts[f"placebo_verdict_{kind}"] += placebo.loc[kind, "verdict"] in (ROSE, FELL)
        spell = effects_of("bad_spell", seed, settings).loc[ALL_KINDS]
        counts["bad_spell_rose"] += spell["verdict"] == ROSE
        counts["bad_spell_interval_above"] += bool(spell["effect_pct_low"] > 0)
        counts["bad_spell_planted_covered"] += covered(effects_of("bad_spell_planted", seed, settings).loc[ALL_KINDS],
                                                       0.2)
    return counts


def main() -> None:
    """Print the coverage and false-verdict table as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=2000, help="bootstrap samples")
    args = parser.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    started = time.perf_counter()
    counts = study(seeds, CoachingConfig(bootstrap_samples=args.samples))
    n = len(seeds)
    print(f"| scenario (seeds {seeds.start}–{seeds.stop - 1}, {args.samples} bootstrap samples) | result | target |")
    print("|---|---|---|")
    print(f"| planted +20 %: All kinds interval covers +20 % | {counts['planted_covered']}/{n} | ≥ 90 % |")
    for kind in KINDS:
        print(f"| planted +20 %: {kind} interval covers +20 % | {counts[f'planted_covered_{kind}']}/{n} | ≥ 90 % |")
    print(f"| planted +20 %: All kinds says rose (power) | {counts['planted_rose']}/{n} | — |")
    print(f"| planted +20 %: All kinds withheld by the influence check alone | "
          f"{counts['planted_withheld_by_influence']}/{n} | — |")
    print(f"| no effect: All kinds says rose/fell | {counts['placebo_verdict_all']}/{n} | ≤ 10 % |")
    for kind in KINDS:
        print(f"| no effect: {kind} says rose/fell | {counts[f'placebo_verdict_{kind}']}/{n} | ≤ 10 % |")
    print(f"| after a bad spell, no effect: All kinds says rose | {counts['bad_spell_rose']}/{n} | ≤ 10 % |")
    print(f"| after a bad spell, no effect: All kinds interval above 0 (before the checks) | "
          f"{counts['bad_spell_interval_above']}/{n} | ≤ 2.5 % expected |")
    print(f"| after a bad spell, +20 %: interval covers +20 % | {counts['bad_spell_planted_covered']}/{n} | ≥ 80 % |")
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
