"""Generate the company and write every export, in the crm imitation or as canonical Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from generator.sample.activities import EXPORT as ACTIVITIES
from generator.sample.clients import EXPORT as CLIENTS
from generator.sample.coaching import EXPORT as COACHING
from generator.sample.costs import EXPORT as COSTS
from generator.sample.deals import EXPORT as DEALS
from generator.sample.goals import EXPORT as GOALS
from generator.sample.reps import EXPORT as REPS
from generator.sample.world import build_world
from generator.sample.writers import CrmExport, write_parquet

Format = Literal["crm", "parquet"]

CRM_EXPORTS: dict[str, CrmExport] = {
    export.dataset: export for export in (DEALS, CLIENTS, REPS, COSTS, GOALS, COACHING, ACTIVITIES)
}
"""The crm imitation of each dataset, in the order the config lists them."""

FILES: dict[Format, dict[str, str]] = {
    "crm": {name: export.file for name, export in CRM_EXPORTS.items()},
    "parquet": {name: f"{name}.parquet" for name in CRM_EXPORTS},
}
"""File written for each dataset, by format."""

CRM_COLUMNS: dict[str, dict[str, str]] = {
    name: dict(export.columns) for name, export in CRM_EXPORTS.items()
}
"""Export column of each field in the crm files, in file order (canonical field: export column)."""


def default_deals(reps: int, years: int = 4) -> int:
    """The realistic deal count when none is given: about 175 per rep over 4 years."""
    return max(1, round(reps * 175 * years / 4))


def generate(
    out_dir: Path,
    *,
    reps: int = 40,
    deals: int | None = None,
    years: int = 4,
    seed: int = 7,
    end: dt.date = dt.date(2025, 12, 31),
    fmt: Format = "crm",
) -> dict[str, Path]:
    """Generate the company's exports into ``out_dir``; return dataset name -> written file."""
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if years < 1:
        raise ValueError("years must be at least 1")
    if fmt not in FILES:
        raise ValueError(f"unknown format {fmt!r} (crm or parquet)")
    n_deals = default_deals(reps, years) if deals is None else deals
    if n_deals < 1:
        raise ValueError("deals must be at least 1")
    world = build_world(reps, n_deals, years, seed, end)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {name: out_dir / file for name, file in FILES[fmt].items()}
    for name, path in files.items():
        if fmt == "parquet":
            write_parquet(world.tables[name], path)
        else:
            CRM_EXPORTS[name].write(world, path)
    return files
