"""Data-quality findings (SPEC §7): every problem with file, row, column and value, collected, never raised one by one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ISSUE_COLUMNS = [
    "severity",
    "dataset",
    "file",
    "row",
    "column",
    "value",
    "problem",
    "action",
    "count",
]
"""Columns of the findings table (published as data/data_quality.csv). ``count`` is the number of
cells a finding stands for: 1 for a cell listed on its own row, more for a rule applied to many
cells (e.g. a currency marker removed from every amount), listed once with its first cell."""

_INTEGER_COLUMNS = ("row", "count")

ERROR, WARNING, INFO = "error", "warning", "info"


def issues_frame(rows: Iterable[dict] | None = None) -> pd.DataFrame:
    """A findings table with the canonical columns (row is a nullable integer)."""
    frame = pd.DataFrame(list(rows or []), columns=ISSUE_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    frame["count"] = frame["count"].fillna(1).astype("Int64")
    for name in ISSUE_COLUMNS:
        if name not in _INTEGER_COLUMNS:
            frame[name] = frame[name].astype("string")
    return frame


def issues_for_rows(
    severity: str,
    dataset: str,
    files: pd.Series,
    rows: pd.Series,
    column: str | None,
    values: pd.Series | None,
    problem: str | pd.Series,
    action: str,
) -> pd.DataFrame:
    """Vectorised: one finding per selected row, sharing the same problem and action."""
    n = len(rows)
    frame = pd.DataFrame(
        {
            "severity": [severity] * n,
            "dataset": [dataset] * n,
            "file": files.to_numpy(),
            "row": rows.to_numpy(),
            "column": [column] * n,
            "value": values.astype("string").to_numpy() if values is not None else [None] * n,
            "problem": problem.to_numpy() if isinstance(problem, pd.Series) else [problem] * n,
            "action": [action] * n,
            "count": np.ones(n, dtype="int64"),
        }
    )
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["row"] = frame["row"].astype("Int64")
    frame["count"] = frame["count"].astype("Int64")
    for name in ISSUE_COLUMNS:
        if name not in _INTEGER_COLUMNS:
            frame[name] = frame[name].astype("string")
    return frame[ISSUE_COLUMNS]


@dataclass(frozen=True)
class DatasetSummary:
    """How many rows of one dataset were read and used, from which files."""

    dataset: str
    files: tuple[str, ...]
    rows_read: int
    rows_used: int
    latest: str | None = None
    """The latest date (or fiscal year) in the rows used: how fresh the export is."""

    @property
    def rows_excluded(self) -> int:
        return self.rows_read - self.rows_used


@dataclass(frozen=True)
class QualityReport:
    """Everything the load and validate stages found; rendered in the terminal and on /data-quality/."""

    issues: pd.DataFrame = field(default_factory=issues_frame)
    summaries: tuple[DatasetSummary, ...] = ()

    @property
    def errors(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == ERROR]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == WARNING]

    def count(self, severity: str) -> int:
        return int((self.issues["severity"] == severity).sum())

    def by_reason(self) -> pd.DataFrame:
        """Cells per reason: severity, dataset, column, problem, action and the number of cells, most first."""
        return reasons(self.issues)

    def by_attention(self) -> pd.DataFrame:
        """The findings in the order to read them: errors and warnings, then the notes that call for
        a look (stages read as open, ids that differ only in case, report footers skipped), then the
        rules applied cell by cell (action "read by rule": a marker removed, a decimal comma read),
        which can run to thousands and would push the others out; each group in reading order."""
        note = self.issues["severity"] == INFO
        by_rule = note & (self.issues["action"] == "read by rule")
        order = note.astype(int) + by_rule.astype(int)
        return self.issues.iloc[order.to_numpy().argsort(kind="stable")]


def reasons(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings grouped by reason (severity, dataset, column, problem, action) with their cell count, most first."""
    keys = ["severity", "dataset", "column", "problem", "action"]
    if not len(issues):
        return pd.DataFrame(columns=[*keys, "count"])
    grouped = (
        issues.fillna({"column": "", "action": ""})
        .groupby(keys, sort=False)["count"]
        .sum()
        .reset_index()
        .sort_values("count", ascending=False, kind="stable")
    )
    return grouped.reset_index(drop=True)


def format_issue(issue: dict) -> str:
    """One line: ``file:row: column: "value" problem — action``."""
    where = str(issue["file"]) if not pd.isna(issue["file"]) else str(issue["dataset"])
    if not pd.isna(issue["row"]):
        where += f":{int(issue['row'])}"
    parts = [where]
    if not pd.isna(issue["column"]):
        parts.append(str(issue["column"]))
    text = str(issue["problem"])
    if not pd.isna(issue["value"]):
        value = str(issue["value"])
        text = f'"{value if len(value) <= 80 else value[:60] + "…"}" {text}'
    if not pd.isna(issue["action"]) and issue["action"]:
        text += f" — {issue['action']}"
    count = issue.get("count")
    if count is not None and not pd.isna(count) and int(count) > 1:
        text += f" ({int(count):,} cells, first shown)"
    parts.append(text)
    return ": ".join(parts)
