"""Which cells of the exports are compensation (SPEC §3 ``privacy.show_compensation``).

Shared by the load stage, which keeps them out of the findings the terminal prints, and the site
stage, which keeps them off /data-quality/ and its files.
"""

from __future__ import annotations

import pandas as pd

WITHHELD = "(withheld: privacy.show_compensation is false)"
"""What a finding shows instead of a private cell of an export."""

PRIVATE_CELLS: dict[str, frozenset[str] | None] = {
    "costs": None,  # every cell: salary, taxes, expenses, other, even the ids
    "coaching": frozenset({"cost"}),
    "goals": frozenset({"reward"}),
}
"""Dataset → columns whose raw cells are compensation (None: all of them). A finding about a whole
row (no column: a footer line, a row that could not be read) of these datasets is withheld too."""


def private_findings(issues: pd.DataFrame) -> pd.Series:
    """Mask of the findings about a private cell (see ``PRIVATE_CELLS``), whether or not they quote it."""
    private = pd.Series(False, index=issues.index)
    for dataset, columns in PRIVATE_CELLS.items():
        mine = issues["dataset"] == dataset
        if columns is not None:
            mine &= issues["column"].isna() | issues["column"].isin(columns)
        private |= mine
    return private
