"""The weekly activity log (``activities.csv``): calls, emails, meetings and demos per rep and week."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from generator.sample.writers import CrmExport, date_text, number_text, write_csv

if TYPE_CHECKING:
    from generator.sample.world import World

ACTIVITY_KINDS = ("Call", "Email", "Meeting", "Demo")
ACTIVITY_RATE = (32.0, 65.0, 6.0, 2.2)
"""Mean weekly count of each activity kind for an average rep in an ordinary week."""

COLUMNS = {
    "rep_id": "Rep ID",
    "date": "Date",
    "kind": "Activity Type",
    "count": "Count",
}
"""Export column of each canonical field, in file order."""


def draw_activities(
    rng: np.random.Generator,
    rep_ids: pa.Array,
    volume: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    days64: np.ndarray,
    weekday: np.ndarray,
    month: np.ndarray,
) -> pa.Table:
    """Weekly activity counts per rep and kind, only weakly related to what the rep sells."""
    n_reps = volume.size
    mondays = np.flatnonzero(weekday == 0)
    day_of_month = (days64 - days64.astype("datetime64[M]")).astype(np.int64) + 1
    week_factor = np.where(month[mondays] == 6, 0.8, 1.0) * np.where(month[mondays] == 7, 0.7, 1.0)
    holidays = ((month[mondays] == 11) & (day_of_month[mondays] >= 20)) | (
        (month[mondays] == 0) & (day_of_month[mondays] <= 2)
    )
    week_factor = week_factor * np.where(holidays, 0.35, 1.0)
    busy = volume**0.5 * rng.lognormal(0.0, 0.35, n_reps)
    active = (mondays[None, :] >= active_from[:, None]) & (mondays[None, :] <= active_to[:, None])
    r, w = np.nonzero(active)
    k = len(ACTIVITY_KINDS)
    rate = (busy[r] * week_factor[w])[:, None] * np.asarray(ACTIVITY_RATE)[None, :]
    count = rng.poisson(rate * rng.lognormal(0.0, 0.2, rate.shape)).ravel()
    return pa.table(
        {
            "rep_id": rep_ids.take(pa.array(np.repeat(r, k))),
            "date": pa.array(
                days64[np.repeat(mondays[w], k)].astype("datetime64[ms]"), type=pa.timestamp("ms")
            ),
            "kind": pa.array(ACTIVITY_KINDS).take(pa.array(np.tile(np.arange(k), r.size))),
            "count": pa.array(count.astype(np.int64)),
        }
    )


def write(world: World, path: Path) -> None:
    """Write one row per rep, Monday and kind, with ISO dates."""
    activities = world.tables["activities"]
    cells = {
        "rep_id": activities["rep_id"],
        "date": date_text(activities["date"]),
        "kind": activities["kind"],
        "count": number_text(activities["count"]),
    }
    write_csv(path, {COLUMNS[field]: cells[field] for field in COLUMNS})


EXPORT = CrmExport(
    "activities", "activities.csv", COLUMNS, "Weekly activity counts per rep and kind.", write
)
