"""The coaching and training log (``coaching.csv``): who was coached, when, how long and at what cost."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from generator.sample.draw import timestamps, uniform_int, weighted
from generator.sample.writers import CrmExport, date_text, number_text, write_csv

if TYPE_CHECKING:
    from generator.sample.world import World

PROGRAMS = ("Sales training", "1:1 coaching", "Negotiation workshop")
PROGRAM_WEIGHTS = (0.4, 0.35, 0.25)
PROGRAM_DAYS = ((2, 4), (28, 85), (1, 3))
PROGRAM_HOURS = ((12, 24), (6, 20), (6, 16))
PROGRAM_COST = ((1500, 5000), (2000, 8000), (500, 3000))

COLUMNS = {
    "rep_id": "Rep ID",
    "start": "Start Date",
    "end": "End Date",
    "kind": "Program",
    "hours": "Hours",
    "cost": "Cost",
}
"""Export column of each canonical field, in file order."""


def draw_coaching(
    rng: np.random.Generator,
    n_reps: int,
    win_rate: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    weekday: np.ndarray,
) -> tuple[list[tuple[int, int, int, int, float, int]], np.ndarray]:
    """Coaching sessions for ~25% of reps (weaker reps more often); also each rep's first end day."""
    coached_from = np.full(n_reps, np.iinfo(np.int64).max)
    eligible = np.flatnonzero(active_to - active_from >= 150)
    sessions: list[tuple[int, int, int, int, float, int]] = []
    if not eligible.size:
        return sessions, coached_from
    k = min(eligible.size, max(1, round(0.25 * n_reps)))
    w = 0.55 - win_rate[eligible]
    chosen = np.sort(rng.choice(eligible, size=k, replace=False, p=w / w.sum()))
    for r in chosen.tolist():  # a loop over coached reps (a quarter of the reps)
        times = 2 if rng.random() < 0.35 else 1
        starts = np.sort(
            uniform_int(rng, np.full(times, active_from[r] + 30), np.full(times, active_to[r] - 60))
        )
        starts += np.where(weekday[starts] >= 5, 7 - weekday[starts], 0)  # weekend -> Monday
        for s in starts.tolist():
            kind = int(weighted(rng, 1, PROGRAM_WEIGHTS)[0])
            length = int(rng.integers(PROGRAM_DAYS[kind][0], PROGRAM_DAYS[kind][1] + 1))
            stop = min(s + length - 1, int(active_to[r]))
            hours = float(np.round(rng.uniform(*PROGRAM_HOURS[kind]) * 2) / 2)
            cost = int(np.round(rng.uniform(*PROGRAM_COST[kind]) / 50) * 50)
            sessions.append((r, s, stop, kind, hours, cost))
            coached_from[r] = min(coached_from[r], stop)
    return sessions, coached_from


def coaching_table(
    rep_ids: pa.Array, sessions: list[tuple[int, int, int, int, float, int]], start64: np.datetime64
) -> pa.Table:
    """The coaching log as a canonical table."""
    cols = list(zip(*sessions, strict=True)) if sessions else [(), (), (), (), (), ()]
    rep, begin, stop, kind, hours, cost = (np.asarray(c) for c in cols)
    return pa.table(
        {
            "rep_id": rep_ids.take(pa.array(rep.astype(np.int64))),
            "start": timestamps(start64, begin),
            "end": timestamps(start64, stop),
            "kind": pa.array(PROGRAMS).take(pa.array(kind.astype(np.int64))),
            "hours": pa.array(hours.astype(float)),
            "cost": pa.array(cost.astype(float)),
        }
    )


def write(world: World, path: Path) -> None:
    """Write the log as a plain CSV with ISO dates."""
    coaching = world.tables["coaching"]
    cells = {
        "rep_id": coaching["rep_id"],
        "start": date_text(coaching["start"]),
        "end": date_text(coaching["end"]),
        "kind": coaching["kind"],
        "hours": number_text(coaching["hours"]),
        "cost": number_text(coaching["cost"]),
    }
    write_csv(path, {COLUMNS[field]: cells[field] for field in COLUMNS})


EXPORT = CrmExport("coaching", "coaching.csv", COLUMNS, "Coaching and training log.", write)
