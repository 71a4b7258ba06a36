"""The finance workbook (``compensation.xlsx``): salary and costs per rep and fiscal year."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from generator.sample.writers import CrmExport, export_moment, write_xlsx

if TYPE_CHECKING:
    from generator.sample.world import World

REGION_TAX_RATE = (0.205, 0.23, 0.22, 0.21, 0.245)
"""Employer payroll taxes as a share of salary, by region."""

COLUMNS = {
    "rep_id": "Employee ID",
    "year": "Fiscal Year",
    "salary": "Base Salary",
    "taxes": "Payroll Taxes",
    "expenses": "T&E Expenses",
    "other": "Other Costs",
}
"""Export column of each canonical field, in sheet order."""
SHEET = "Costs"


def draw_costs(
    rng: np.random.Generator,
    rep_ids: pa.Array,
    employed: np.ndarray,
    years: list[int],
    hire: np.ndarray,
    size_skill: np.ndarray,
    region: np.ndarray,
) -> pa.Table:
    """One cost row per rep and fiscal year employed: salary grows with seniority, partly with skill."""
    n_reps: int = employed.shape[0]
    seniority = np.clip(-hire / 365.25, 0, 10)
    skill = np.argsort(np.argsort(size_skill)) / max(n_reps - 1, 1)
    level = np.clip(0.12 + 0.045 * seniority + 0.3 * skill + rng.normal(0, 0.14, n_reps), 0.0, 1.0)
    base = 45_000 + 100_000 * level
    raise_rate = rng.uniform(0.015, 0.05, n_reps)
    r, y = np.nonzero(employed)
    salary = np.minimum(np.round(base[r] * (1 + raise_rate[r]) ** y / 500) * 500, 160_000)
    rate = np.clip(np.asarray(REGION_TAX_RATE)[region[r]] + rng.normal(0, 0.008, r.size), 0.2, 0.25)
    taxes = np.round(salary * rate, 2)
    expenses = np.round(rng.uniform(3_000, 25_000, r.size), 2)
    other = np.where(rng.random(r.size) < 0.35, 0.0, np.round(rng.uniform(0, 5_000, r.size), 2))
    return pa.table(
        {
            "rep_id": rep_ids.take(pa.array(r)),
            "year": pa.array(np.asarray(years, dtype=np.int64)[y]),
            "salary": pa.array(salary),
            "taxes": pa.array(taxes),
            "expenses": pa.array(expenses),
            "other": pa.array(other),
        }
    )


def write(world: World, path: Path) -> None:
    """Write one sheet with money cells formatted as numbers, stamped with the period's last day."""
    costs = world.tables["costs"]
    write_xlsx(
        path,
        SHEET,
        {COLUMNS[name]: costs[name].to_pylist() for name in COLUMNS},
        export_moment(world.end),
        money_columns={COLUMNS[name] for name in ("salary", "taxes", "expenses", "other")},
    )


EXPORT = CrmExport(
    "costs", "compensation.xlsx", COLUMNS, "Finance workbook: salary and costs per rep and fiscal year.",
    write, {"sheet": SHEET},
)  # fmt: skip
