"""The goals sheet (``goals.csv``, semicolon-delimited): revenue, new-client and value-ratio targets
per rep and team and year, with rewards, and the mistakes a hand-kept sheet typically has."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from generator.sample.writers import CrmExport, number_text, write_csv

if TYPE_CHECKING:
    from generator.sample.world import World

REP_REWARDS = ("Bonus 5% of salary", "Bonus 8% of salary", "Bonus 10% of salary",
               "$3,000 bonus", "President's Club trip")  # fmt: skip
TEAM_REWARDS = (
    "Team offsite",
    "Team bonus pool $20,000",
    "Team dinner",
    "Bonus 3% of salary for each member",
)
NEW_CLIENT_REWARDS = ("$1,000 bonus", "Extra day off", "$500 per client above target")

COLUMNS = {
    "scope": "Scope",
    "id": "Owner",
    "year": "Year",
    "metric": "Metric",
    "target": "Target",
    "reward": "Reward",
}
"""Export column of each canonical field, in file order."""
DELIMITER = ";"


def draw_goals(
    rng: np.random.Generator,
    rep_ids: pa.Array,
    team_names: list[str],
    team_of: np.ndarray,
    employed: np.ndarray,
    years: list[int],
    year_start: np.ndarray,
    year_end: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    has_left: np.ndarray,
    deal_rep: np.ndarray,
    amount: np.ndarray,
    closed: np.ndarray,
    won: np.ndarray,
    first_rows: np.ndarray,
) -> pa.Table:
    """Revenue goals per rep-year and team-year (about last year x 1.1), plus a few new-client goals."""
    n_reps, n_years = employed.shape
    year_of = np.searchsorted(year_end, closed)  # index of the year containing each close day
    in_period = won & (closed >= 0) & (year_of < n_years)
    revenue = np.bincount(
        deal_rep[in_period] * n_years + year_of[in_period],
        weights=amount[in_period],
        minlength=n_reps * n_years,
    ).reshape(n_reps, n_years)
    overlap = (
        np.minimum(active_to[:, None], year_end[None, :])
        - np.maximum(active_from[:, None], year_start[None, :])
        + 1
    )
    share = np.clip(overlap / (year_end - year_start + 1)[None, :], 0.0, 1.0) * employed
    annual = revenue.sum(axis=1) / np.maximum(share.sum(axis=1), 0.25)

    r, y = np.nonzero(employed)
    prev_full = (y > 0) & (share[r, np.maximum(y - 1, 0)] >= 0.99)
    # Goals are set at the start of the year: a leaver's goal is a full year's.
    planned = np.where(
        has_left[r] & (active_to[r] <= year_end[y]) & (active_from[r] <= year_start[y]),
        1.0,
        share[r, y],
    )
    base = np.where(prev_full, revenue[r, np.maximum(y - 1, 0)], annual[r] * planned)
    difficulty = np.select([rng.random(r.size) < 0.12, rng.random(r.size) < 0.14], [1.5, 0.7], 1.0)
    target = np.maximum(
        np.round(base * 1.1 * rng.lognormal(0, 0.08, r.size) * difficulty / 5000) * 5000, 25_000
    )
    reward = np.asarray(REP_REWARDS, dtype=object)[rng.integers(0, len(REP_REWARDS), r.size)]
    # numpy's stubs refuse a bare None
    reward = np.where(rng.random(r.size) < 0.1, np.array(None), reward)

    team_target = np.zeros((len(team_names), n_years))
    np.add.at(team_target, (team_of[r], y), target)
    tt, ty = np.nonzero(team_target)
    team_value = np.round(team_target[tt, ty] * rng.uniform(1.0, 1.08, tt.size) / 50_000) * 50_000
    team_reward = np.asarray(TEAM_REWARDS, dtype=object)[
        rng.integers(0, len(TEAM_REWARDS), tt.size)
    ]

    # A few reps also get a new-clients goal in the last two years.
    acquired = np.zeros((n_reps, n_years))
    fy = year_of[first_rows]
    keep = fy < n_years
    np.add.at(acquired, (deal_rep[first_rows][keep], fy[keep]), 1)
    candidates = np.flatnonzero((y >= n_years - 2) & (share[r, y] >= 0.99))
    nc = (
        np.sort(
            rng.choice(
                candidates, size=min(candidates.size, max(2, round(0.1 * n_reps))), replace=False
            )
        )
        if candidates.size
        else candidates
    )
    nc_prev = acquired[r[nc], np.maximum(y[nc] - 1, 0)]
    nc_target = np.maximum(2, np.round(nc_prev * rng.uniform(1.0, 1.4, nc.size)))
    nc_reward = np.asarray(NEW_CLIENT_REWARDS, dtype=object)[
        rng.integers(0, len(NEW_CLIENT_REWARDS), nc.size)
    ]

    scope = ["rep"] * r.size + ["team"] * tt.size + ["rep"] * nc.size
    owner = (
        rep_ids.take(pa.array(r)).to_pylist()
        + [team_names[t] for t in tt.tolist()]
        + rep_ids.take(pa.array(r[nc])).to_pylist()
    )
    # Two value-ratio goals for the last year, and the mistakes a goals sheet typically has (reported on
    # /data-quality/): a team that does not exist and a goal entered twice. No random draw: the other
    # exports stay byte-identical.
    vr = r[y == n_years - 1][:2]
    scope += ["rep"] * vr.size + ["team", "rep"]
    last = r.size - 1  # the latest rep goal is entered twice (its rep was employed that year)
    # never a real team
    owner += [
        *rep_ids.take(pa.array(vr)).to_pylist(),
        "Eagles (disbanded)",
        owner[last],
    ]
    metric_extra = ["value_ratio"] * vr.size + ["revenue", "revenue"]
    y_extra = np.concatenate([np.full(vr.size, n_years - 1), [n_years - 1, y[last]]])
    extra_target = np.concatenate([np.full(vr.size, 2.5), [1_000_000.0, target[last] * 2]])
    extra_reward = ["Extra day off"] * vr.size + ["Team dinner", None]
    year = np.concatenate([y, ty, y[nc], y_extra])
    metric = ["revenue"] * (r.size + tt.size) + ["new_clients"] * nc.size + metric_extra
    table = pa.table(
        {
            "scope": pa.array(scope),
            "id": pa.array(owner),
            "year": pa.array(np.asarray(years, dtype=np.int64)[year]),
            "target": pa.array(
                np.concatenate([target, team_value, nc_target, extra_target]).astype(float)
            ),
            "metric": pa.array(metric),
            "reward": pa.array(
                [*reward.tolist(), *team_reward.tolist(), *nc_reward.tolist(), *extra_reward],
                type=pa.string(),
            ),
        }
    )
    return table.sort_by(
        [
            ("year", "ascending"),
            ("scope", "ascending"),
            ("id", "ascending"),
            ("metric", "descending"),
        ]
    )


def write(world: World, path: Path) -> None:
    """Write the sheet as semicolon-delimited CSV."""
    goals = world.tables["goals"]
    cells = {
        "scope": goals["scope"],
        "id": goals["id"],
        "year": number_text(goals["year"]),
        "metric": goals["metric"],
        "target": number_text(goals["target"]),
        "reward": goals["reward"],
    }
    write_csv(path, {COLUMNS[field]: cells[field] for field in COLUMNS}, delimiter=DELIMITER)


EXPORT = CrmExport(
    "goals", "goals.csv", COLUMNS, "Goals sheet, semicolon-delimited: rep and team targets and rewards.",
    write, {"delimiter": DELIMITER},
)  # fmt: skip
