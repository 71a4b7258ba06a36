"""Load every configured dataset into typed canonical tables, collecting every data-quality finding."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from generator.compensation import WITHHELD, private_findings
from generator.config import LoadedConfig, SourceConfig
from generator.errors import ConfigError, DataError
from generator.load.currency import describe_marker, minor_digits, names_site_currency
from generator.load.parse import (
    DECIMAL_COMMA_HINT,
    DECIMAL_POINT_HINT,
    KIND_PROBLEM,
    LISTED_CELLS,
    MAGNITUDE_REASON,
    Converted,
    convert_column,
    is_magnitude,
    magnitude_suffix,
)
from generator.load.readers import (
    FOOTER,
    ROW,
    RawTable,
    column_letter,
    describe_non_file,
    read_table,
)
from generator.quality import (
    INFO,
    WARNING,
    DatasetSummary,
    QualityReport,
    format_issue,
    issues_for_rows,
    issues_frame,
    reasons,
)
from generator.schema import (
    DATASETS,
    Dataset,
    Field,
    Kind,
    fold_stage,
    stage_looks,
    stage_near,
)
from generator.vocabulary import DEAL_STATUSES, GOAL_METRICS, LOST, OPEN, SEGMENT_FIELDS, WON

FILE, LINE = "_file", "_row"
"""Provenance columns kept on every loaded table, for findings that come later."""


@dataclass(frozen=True)
class Inputs:
    """Every dataset as typed canonical tables (None when not configured), and what loading found."""

    deals: pd.DataFrame
    reps: pd.DataFrame
    clients: pd.DataFrame | None
    costs: pd.DataFrame | None
    goals: pd.DataFrame | None
    coaching: pd.DataFrame | None
    activities: pd.DataFrame | None
    quality: QualityReport
    as_of: dt.date
    memberships: pd.DataFrame | None = None
    """Team and manager over time (None without a memberships dataset)."""


class _Findings:
    """Collects findings as small tables; concatenated once at the end."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.errors: list[str] = []

    def rows(
        self,
        table: pd.DataFrame,
        mask: pd.Series,
        severity: str,
        dataset: str,
        column: str | None,
        problem: str | pd.Series,
        action: str,
        value: pd.Series | None = None,
    ) -> None:
        if not mask.any():
            return
        picked = table[mask]
        values = value[mask] if value is not None else None
        problems = problem[mask] if isinstance(problem, pd.Series) else problem
        self.parts.append(
            issues_for_rows(
                severity, dataset, picked[FILE], picked[LINE], column, values, problems, action
            )
        )

    def cells(
        self,
        table: pd.DataFrame,
        positions: np.ndarray,
        total: int,
        severity: str,
        dataset: str,
        column: str,
        problem: str,
        action: str,
        raw: pd.Series,
    ) -> None:
        """Cells read by one rule: the first ``LISTED_CELLS`` one by one (row and raw value), the
        rest as one finding whose ``count`` is their number. ``positions`` are 0-based positions
        in ``table`` of (at least) the first ``LISTED_CELLS + 1`` such cells; ``total`` counts them all."""
        listed = positions[:LISTED_CELLS]
        mask = np.zeros(len(table), dtype=bool)
        mask[listed] = True
        self.rows(
            table,
            pd.Series(mask, index=table.index),
            severity,
            dataset,
            column,
            problem,
            action,
            raw,
        )
        if total > len(listed) and len(positions) > len(listed):
            rest = int(positions[len(listed)])
            self.one(
                severity,
                dataset,
                problem,
                file=str(table[FILE].iloc[rest]),
                row=int(table[LINE].iloc[rest]),
                column=column,
                value=str(raw.iloc[rest]),
                action=action,
                count=total - len(listed),
            )

    def one(
        self,
        severity: str,
        dataset: str,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        action: str = "",
        count: int = 1,
    ) -> None:
        self.parts.append(
            issues_frame(
                [
                    {
                        "severity": severity,
                        "dataset": dataset,
                        "file": file,
                        "row": row,
                        "column": column,
                        "value": value,
                        "problem": problem,
                        "action": action,
                        "count": count,
                    }
                ]
            )
        )

    def of(self, dataset: str) -> pd.DataFrame:
        """The findings about one dataset so far, in the order found."""
        parts = [p[p["dataset"] == dataset] for p in self.parts if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else issues_frame()

    def report(self, summaries: tuple[DatasetSummary, ...]) -> QualityReport:
        parts = [p for p in self.parts if len(p)]
        issues = pd.concat(parts, ignore_index=True) if parts else issues_frame()
        return QualityReport(issues=issues, summaries=summaries)


def _display(path: Path, base: Path) -> str:
    """A path as written in the config: relative to its folder, so reports do not depend on the working folder."""
    return os.path.relpath(path.resolve(), base.resolve())


def _find_column(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    folded = {c.strip().casefold(): c for c in columns}
    return folded.get(wanted.strip().casefold())


def _read_dataset(
    cfg: LoadedConfig, dataset: Dataset, findings: _Findings
) -> tuple[pd.DataFrame, DatasetSummary] | None:
    """Read all files of one dataset, map and convert its columns; None when unusable (errors recorded).

    Raises ConfigError when ``sources.<dataset>.path`` names a directory, a FIFO or a device.
    """
    source: SourceConfig = getattr(cfg.config.sources, dataset.name)
    where = cfg.label or str(cfg.path)
    files = cfg.source_files(dataset.name)
    if not files or not all(f.exists() for f in files):
        missing = (
            cfg.resolve(source.path) if not files else next(f for f in files if not f.exists())
        )
        findings.errors.append(f"{where}: sources.{dataset.name}.path: file not found: {missing}")
        return None
    for path in files:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            # Checked before opening: reading a FIFO or a device would wait forever.
            raise ConfigError(
                f"{where}: sources.{dataset.name}.path: {path} is {describe_non_file(mode)}, "
                "not an export file"
            )
    wanted = [source.columns.get(f.name, f.name) for f in dataset.fields]
    keys = [
        source.columns.get(f.name, f.name)
        for f in dataset.fields
        if f.required and f.kind is Kind.TEXT
    ]
    frames: list[pd.DataFrame] = []
    read = 0
    for path in files:
        shown = _display(path, cfg.folder)
        try:
            raw = read_table(path, source.options, columns=wanted, keys=keys)
        except DataError as exc:
            findings.errors.extend(
                f"{where}: sources.{dataset.name}: {p}" if not p.startswith(str(path)) else p
                for p in exc.problems
            )
            continue
        for note in raw.notes:
            findings.one(
                note.severity,
                dataset.name,
                note.problem,
                file=shown,
                row=note.row,
                column=note.column,
                value=note.value,
                action=note.action,
            )
        for line, text, reason in raw.unreadable:
            # Footer and total lines are expected: listed, but not a warning.
            severity = INFO if reason.startswith(FOOTER) else WARNING
            findings.one(
                severity,
                dataset.name,
                reason,
                file=shown,
                row=line,
                value=text[:200],
                action="row excluded",
            )
        if not len(raw.frame) and not raw.unreadable:
            findings.one(
                INFO,
                dataset.name,
                "the file holds column names and no rows",
                file=shown,
                row=raw.header_row,
                action="read as an empty dataset",
            )
        read += len(raw.frame) + len(raw.unreadable)
        table = _map_columns(raw, shown, dataset, source, where, findings)
        if table is not None:
            frames.append(table)
    if len(frames) != len(files):
        return None
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return table, DatasetSummary(
        dataset.name, tuple(_display(f, cfg.folder) for f in files), read, 0
    )


def _map_columns(
    raw: RawTable,
    shown: str,
    dataset: Dataset,
    source: SourceConfig,
    where: str,
    findings: _Findings,
) -> pd.DataFrame | None:
    """Canonical, typed columns of one file; unreadable cells recorded and left missing."""
    columns = [c for c in raw.frame.columns if c != ROW]
    out: dict[str, pd.Series] = {}
    ok = True
    for field in dataset.fields:
        wanted = source.columns.get(field.name, field.name)
        found = _find_column(columns, wanted)
        if found is None:
            listed = ", ".join(columns[:12]) + (", …" if len(columns) > 12 else "")
            if field.required:
                key = f"sources.{dataset.name}.columns.{field.name}"
                hint = f'{where}: {key}: column "{wanted}" not found in {shown} (columns: {listed})'
                if field.name not in source.columns:
                    hint += f"; map it with {key}"
                findings.errors.append(hint)
                ok = False
            elif field.name in source.columns:
                findings.one(
                    WARNING,
                    dataset.name,
                    f'mapped column "{wanted}" not found (columns: {listed})',
                    file=shown,
                    column=field.name,
                    action="field left empty",
                )
            continue
        if found in raw.duplicates:
            at = [f"{n} ({column_letter(n - 1)})" for n in raw.duplicates[found]]
            listed = ", ".join(at[:-1]) + f" and {at[-1]}"
            times = "twice" if len(at) == 2 else f"{len(at)} times"
            findings.one(
                WARNING,
                dataset.name,
                f'duplicate column name "{found}": it appears {times}, as columns {listed}',
                file=shown,
                row=raw.header_row,
                column=field.name,
                action=f"column {at[0]} used, the other{'s' if len(at) > 2 else ''} ignored",
            )
        out[field.name] = raw.frame[found]
    if not ok:
        return None
    table = pd.DataFrame(index=raw.frame.index)
    # One file name for every row: a categorical costs nothing per row.
    table[FILE] = pd.Series(
        pd.Categorical.from_codes(
            np.zeros(len(raw.frame), dtype="int8"), categories=pd.Index([shown])
        ),
        index=raw.frame.index,
    )
    table[LINE] = raw.frame[ROW].astype("int64")
    for field in dataset.fields:
        if field.name not in out:
            continue
        _put_converted(table, field, out[field.name], source, shown, dataset.name, findings)
    for field in dataset.fields:
        if field.name not in table.columns:
            table[field.name] = pd.Series(
                None, index=table.index, dtype=_empty_dtype(field.kind.value)
            )
            table[f"_bad_{field.name}"] = False
            table[f"_raw_{field.name}"] = None
    return table


def _put_converted(
    table: pd.DataFrame,
    field: Field,
    raw: pd.Series,
    source: SourceConfig,
    shown: str,
    dataset: str,
    findings: _Findings,
) -> None:
    """Convert one column into ``table`` with its helper columns, and list the cells read by a rule.

    Helper columns, dropped by ``_clean``: ``_bad_`` (cell unreadable), ``_raw_`` (the cells as
    written, kept when some are bad, ambiguous, negative or carry a currency marker), ``_why_`` (the
    problem of a bad cell when not the kind's usual one), ``_mark_`` (currency marker of a number
    cell), ``_amb_`` (a number with a lone mark before three digits, see ``_ambiguous_marks``).
    """
    try:
        converted = convert_column(raw, field.kind, source.options)
    except ValueError as exc:  # an unknown options.locale
        findings.errors.append(f"{shown}: sources.{dataset}.{exc}")
        converted = Converted(
            pd.Series(None, index=raw.index, dtype=_empty_dtype(field.kind.value)),
            pd.Series(False, index=raw.index),
        )
    table[field.name] = converted.values
    table[f"_bad_{field.name}"] = converted.bad
    negative = field.kind is Kind.MONEY and bool((converted.values < 0).any())
    keep_raw = (
        converted.bad.any()
        or converted.markers is not None
        or converted.ambiguous is not None
        or negative
    )
    table[f"_raw_{field.name}"] = raw if keep_raw else None
    # Absent rather than a column of None: most columns have neither, and a million Nones cost time.
    if converted.reasons is not None:
        table[f"_why_{field.name}"] = converted.reasons
    if converted.markers is not None:
        table[f"_mark_{field.name}"] = converted.markers
    if converted.ambiguous is not None:
        table[f"_amb_{field.name}"] = converted.ambiguous
    for note in converted.notes:
        findings.cells(
            table,
            np.asarray(note.cells or (note.first,)),
            note.count,
            INFO,
            dataset,
            field.name,
            note.problem,
            "read by rule",
            raw,
        )


def _empty_dtype(kind: str) -> str:
    return {
        "text": "string",
        "money": "float64",
        "number": "float64",
        "integer": "Int64",
        "date": "datetime64[s]",
    }[kind]


def _clean(
    table: pd.DataFrame,
    dataset: Dataset,
    findings: _Findings,
    required_values: tuple[str, ...],
    required_where: dict[str, tuple[pd.Series, str]] | None = None,
) -> pd.DataFrame:
    """Exclude rows missing a required value; report unreadable optional cells (left empty).

    ``required_where`` makes a field required only on some rows (e.g. amount on won deals),
    with the words that say which rows. Drops the helper columns of ``_put_converted``.
    """
    keep = pd.Series(True, index=table.index)
    required_where = required_where or {}
    for field in dataset.fields:
        bad = table[f"_bad_{field.name}"].astype(bool)
        raw = table[f"_raw_{field.name}"]
        why = table.get(f"_why_{field.name}")
        problem: str | pd.Series = KIND_PROBLEM.get(field.kind, "is not readable")
        if bad.any() and why is not None and why.notna().any():
            problem = why.astype("string").fillna(problem)
        if field.name in required_values or field.name in required_where:
            needed, who = required_where.get(field.name, (pd.Series(True, index=table.index), ""))
            needed = needed.astype(bool)
            findings.rows(
                table,
                bad & keep & needed,
                WARNING,
                dataset.name,
                field.name,
                problem,
                "row excluded",
                raw,
            )
            findings.rows(
                table,
                bad & keep & ~needed,
                WARNING,
                dataset.name,
                field.name,
                problem,
                "value ignored (left empty)",
                raw,
            )
            keep &= ~(bad & needed)
            missing = table[field.name].isna() & ~bad & keep & needed
            findings.rows(
                table,
                missing,
                WARNING,
                dataset.name,
                field.name,
                f"is missing{who}",
                "row excluded",
            )
            keep &= ~missing
        else:
            findings.rows(
                table,
                bad & keep,
                WARNING,
                dataset.name,
                field.name,
                problem,
                "value ignored (left empty)",
                raw,
            )
    helper = [c for c in table.columns if c.startswith(_HELPERS)]
    table = table.drop(columns=helper)
    return table if keep.all() else table.loc[keep]


_HELPERS = ("_bad_", "_raw_", "_why_", "_mark_", "_amb_")
"""Prefixes of the per-field helper columns a converted table carries until ``_clean``."""


def _currency_markers(
    table: pd.DataFrame, dataset: Dataset, currency: str, findings: _Findings, *, exclude_rows: bool
) -> pd.DataFrame:
    """Check the currency markers of number cells against the site currency.

    A marker of the site currency is removed (one info line per marker, with its count). A marker
    of another currency, or one that is no currency, makes the cell unreadable; with
    ``exclude_rows`` (deals) the whole row is excluded and listed here, like a ``currency`` column
    in another currency.
    """
    table = _ambiguous_marks(table, dataset, currency, findings)
    drop = pd.Series(False, index=table.index)
    for field in dataset.fields:
        markers = table.get(f"_mark_{field.name}")
        if markers is None or not markers.notna().any():
            continue
        markers = markers.astype("category")
        names = list(markers.cat.categories)
        codes = markers.cat.codes.to_numpy()
        problems = np.array(
            [describe_marker(str(m), currency) for m in names] + [None], dtype=object
        )
        counts = np.bincount(codes[codes >= 0], minlength=len(names))
        for position, name in enumerate(names):
            if problems[position] is None and counts[position]:
                findings.cells(
                    table,
                    np.flatnonzero(codes == position)[: LISTED_CELLS + 1],
                    int(counts[position]),
                    INFO,
                    dataset.name,
                    field.name,
                    f'currency marker "{name}" ({currency}) removed',
                    "read by rule",
                    table[f"_raw_{field.name}"],
                )
        per_row = pd.Series(
            problems[np.where(codes < 0, len(names), codes)], index=table.index, dtype="string"
        )
        # "1.2M" on a USD site: a magnitude abbreviation after the number, not Lesotho's loti.
        raw = table[f"_raw_{field.name}"]
        for position, name in enumerate(names):
            if problems[position] is None or not is_magnitude(str(name)):
                continue
            for at in np.flatnonzero(codes == position):
                written = raw.iloc[at]
                if isinstance(written, str) and magnitude_suffix(written, str(name)):
                    per_row.iloc[int(at)] = MAGNITUDE_REASON.format(marker=name)
        other = per_row.notna() & ~drop
        if not other.any():
            continue
        if exclude_rows:
            findings.rows(
                table,
                other,
                WARNING,
                dataset.name,
                field.name,
                per_row,
                "row excluded",
                table[f"_raw_{field.name}"],
            )
            drop |= other
        else:
            why = table.get(f"_why_{field.name}")
            why = (
                why.astype("string")
                if why is not None
                else pd.Series(pd.NA, index=table.index, dtype="string")
            )
            table = table.assign(
                **{
                    field.name: table[field.name].mask(other),
                    f"_bad_{field.name}": table[f"_bad_{field.name}"].astype(bool) | other,
                    f"_why_{field.name}": why.mask(other, per_row),
                }
            )
    return table.loc[~drop] if drop.any() else table


def _ambiguous_marks(
    table: pd.DataFrame, dataset: Dataset, currency: str, findings: _Findings
) -> pd.DataFrame:
    """Refuse the numbers whose lone mark stands before exactly three digits (``12.000 €`` with the
    decimal point, ``1,000`` with the decimal comma), unless the site currency has three minor digits
    (KWD, BHD, JOD, OMR, TND …): read the other way they are 1,000 times larger or smaller. Then one
    warning per file and column whose amounts look written with the other decimal mark, naming the
    option to set.
    """
    three_decimals = minor_digits(currency) == 3
    for field in dataset.fields:
        refused = table.get(f"_amb_{field.name}")
        if refused is not None and not three_decimals:
            ambiguous = refused.notna()
            why = table.get(f"_why_{field.name}")
            why = (
                why.astype("string")
                if why is not None
                else pd.Series(pd.NA, index=table.index, dtype="string")
            )
            table = table.assign(
                **{
                    field.name: table[field.name].mask(ambiguous),
                    f"_bad_{field.name}": table[f"_bad_{field.name}"].astype(bool) | ambiguous,
                    f"_why_{field.name}": why.mask(ambiguous, refused),
                }
            )
        why = table.get(f"_why_{field.name}")
        if why is None or field.kind not in (Kind.MONEY, Kind.NUMBER):
            continue
        for hint in (DECIMAL_COMMA_HINT, DECIMAL_POINT_HINT):
            hinted = why.astype("string").str.endswith(hint).fillna(False)
            if not hinted.any():
                continue
            for file, rows in table.loc[hinted, [FILE, LINE]].groupby(FILE, observed=True)[LINE]:
                mark = "decimal comma" if hint == DECIMAL_COMMA_HINT else "decimal point"
                key = f"sources.{dataset.name}.options"
                setting = (
                    f'{key}.decimal: "," or {key}.locale (e.g. de_DE)'
                    if hint == DECIMAL_COMMA_HINT
                    else f'{key}.decimal: "." or {key}.locale (e.g. en_US)'
                )
                findings.one(
                    WARNING,
                    dataset.name,
                    f"{len(rows):,} cell(s) of this column look written with a "
                    f"{mark} and were not read",
                    file=str(file),
                    row=int(rows.min()),
                    column=field.name,
                    action=f"set {setting}",
                )
    return table


def _dedupe(
    table: pd.DataFrame, keys: list[str], dataset: str, findings: _Findings, label: str
) -> pd.DataFrame:
    """Keep the last row of each key (a later file wins).

    A row repeated unchanged (the same deal in cumulative monthly snapshots) is one info line with
    the count; a repeated row whose values changed is a warning per replaced row.
    """
    dropped = table.duplicated(subset=keys, keep="last")
    if not dropped.any():
        return table
    fields = [c for c in table.columns if not c.startswith("_")]
    position = pd.Series(np.arange(len(table)), index=table.index)
    last = (
        position.groupby([table[k] for k in keys], dropna=False, sort=False)
        .transform("last")
        .to_numpy()
    )
    earlier, later = table[dropped], table.iloc[last[dropped.to_numpy()]]
    same = np.ones(len(earlier), dtype=bool)
    for name in fields:
        a, b = earlier[name].reset_index(drop=True), later[name].reset_index(drop=True)
        same &= ((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool)
    unchanged = pd.Series(False, index=table.index)
    unchanged[dropped] = same
    changed = dropped & ~unchanged
    # only the rows a finding names: joining keys row by row is slow
    listed = table.loc[dropped, keys]
    shown = listed.astype("string").agg(" / ".join, axis=1) if len(keys) > 1 else listed[keys[0]]
    shown = shown.reindex(table.index)
    column = keys[0] if len(keys) == 1 else "+".join(keys)
    if unchanged.any():
        findings.cells(
            table,
            np.flatnonzero(unchanged.to_numpy())[: LISTED_CELLS + 1],
            int(unchanged.sum()),
            INFO,
            dataset,
            column,
            f"{label} repeated unchanged (e.g. overlapping snapshot exports); counted once",
            "earlier copy skipped",
            shown,
        )
    if changed.any():
        repeated = int(table.loc[changed, keys].drop_duplicates().shape[0])
        findings.one(
            INFO,
            dataset,
            f"{label}: {repeated:,} value(s) appear more than once with other values; "
            f"{int(changed.sum()):,} earlier row(s) replaced by the later one",
            column=column,
            action="later row kept",
        )
        findings.rows(
            table,
            changed,
            WARNING,
            dataset,
            column,
            f"{label} appears again later with other values",
            "row replaced by the later one",
            shown,
        )
    return table.loc[~dropped]


def _stage_status(stage: pd.Series, won: tuple[str, ...], lost: tuple[str, ...]) -> pd.Series:
    """won / lost / open of each deal: its stage among won_stages or lost_stages, compared by ``fold_stage``."""
    codes, uniques = pd.factorize(stage)
    won_set, lost_set = {fold_stage(s) for s in won}, {fold_stage(s) for s in lost}
    per_stage = np.array(
        [0 if fold_stage(u) in won_set else 1 if fold_stage(u) in lost_set else 2 for u in uniques]
        + [2],
        dtype="int8",
    )
    status = per_stage[np.where(codes < 0, len(uniques), codes)]
    return pd.Series(
        pd.Categorical.from_codes(status, categories=pd.Index(DEAL_STATUSES)), index=stage.index
    )


def _stages_found(stage: pd.Series) -> str:
    """The stages of the deals with their counts, the most common first (at most 15)."""
    counts = stage.value_counts()
    return ", ".join(f'"{value}" ({n:,})' for value, n in counts.head(15).items()) + (
        " …" if len(counts) > 15 else ""
    )


def _no_stage_matches(stage: pd.Series, cfg: LoadedConfig) -> str:
    """The error when no deal is won or lost: the stages found and the two keys to set."""
    return (
        f"{cfg.label or cfg.path}: sources.deals.won_stages, sources.deals.lost_stages: no deal's stage is "
        f"a won stage ({', '.join(cfg.won_stages())}) or a lost stage ({', '.join(cfg.lost_stages())}); "
        f"stages found: {_stages_found(stage)}. Set sources.deals.won_stages and "
        "sources.deals.lost_stages to the stages that mean won and lost"
    )


def _deals(table: pd.DataFrame, cfg: LoadedConfig, findings: _Findings) -> pd.DataFrame:
    status = _stage_status(table["stage"], cfg.won_stages(), cfg.lost_stages())
    if table["stage"].notna().any() and not (status != OPEN).any():
        findings.errors.append(_no_stage_matches(table["stage"], cfg))
    elif (status == LOST).any() and not (status == WON).any():
        # A misnamed won stage, or a team with no win yet: the site would show no revenue and a
        # 0 % win rate. A warning (--strict stops), since the data may be right.
        findings.one(
            WARNING,
            "deals",
            f"no deal's stage is a won stage ({', '.join(cfg.won_stages())}); stages found: "
            f"{_stages_found(table['stage'])}",
            column="stage",
            action="no revenue shown; set sources.deals.won_stages to the stages that mean won",
        )
    table = table.assign(status=status)
    won_read = int((status == WON).sum())
    currency = cfg.config.site.currency
    table = _currency_markers(table, DATASETS["deals"], currency, findings, exclude_rows=True)
    # the amounts as written, for the findings below (None when all plain)
    written = table["_raw_amount"]
    # An amount is needed on a won deal. On a lost one a blank or a placeholder ("-", "n/a") is
    # fine, but a number that cannot be read (a wrong decimal mark) excludes the deal as it would a
    # won one: won and lost deals are then dropped alike, not only the won ones (a win rate of 0).
    misread_amount = table["_bad_amount"].astype(bool) & (
        written.astype("string").str.contains(r"\d", regex=True).fillna(False)
    )
    required_where = {
        "closed": (table["status"] != OPEN, " on a won or lost deal"),
        "amount": (
            (table["status"] == WON) | ((table["status"] == LOST) & misread_amount),
            " on a won deal",
        ),
    }
    table = _clean(
        table, DATASETS["deals"], findings, ("deal_id", "rep_id", "stage"), required_where
    )
    # The currency column as the amounts' markers are read: its ISO code in any case, or a symbol
    # CLDR writes for it ("US$", and "$" on a USD site), or its name ("US Dollar": Dynamics 365).
    codes = table["currency"].astype("string")
    distinct = codes.dropna().unique()
    other = {v for v in distinct if not v.strip() or not names_site_currency(v.strip(), currency)}
    foreign = codes.isin(other).fillna(False).astype(bool)
    findings.rows(
        table,
        foreign,
        WARNING,
        "deals",
        "currency",
        f"differs from the site currency {currency} (no conversion)",
        "row excluded",
        table["currency"],
    )
    if foreign.any():
        table = table.loc[~foreign]
    table = _dedupe(table, ["deal_id"], "deals", findings, "deal id")
    dated = (table["status"] != OPEN) & table["closed"].notna()
    # Without any dated won or lost deal left, the report.as_of error says why instead.
    if won_read and dated.any() and not (table["status"] == WON).any():
        reasons = _first_reasons(findings.of("deals"))
        findings.errors.extend(
            [
                f"{cfg.label or cfg.path}: sources.deals: all {won_read:,} won deal(s) were "
                "excluded, so the site would show no revenue"
                + ("; first reasons:" if reasons else ""),
                *reasons,
            ]
        )
    negative = (table["status"] == WON) & (table["amount"] < 0)
    if negative.any():
        # The cell as written ("−500", "(500)", "800-"); typed workbook or Parquet numbers as read.
        text = written is not None and not pd.api.types.is_numeric_dtype(written)
        source = written.reindex(table.index) if text else table["amount"]
        shown = pd.Series(None, index=table.index, dtype="object")
        shown[negative] = source[negative].map(lambda v: v if isinstance(v, str) else f"{v:g}")
        findings.rows(
            table,
            negative,
            WARNING,
            "deals",
            "amount",
            "won deal with a negative amount (credit note?)",
            "counted as is",
            shown,
        )
    no_client = (table["status"] == WON) & table["client_id"].isna()
    findings.rows(
        table,
        no_client,
        WARNING,
        "deals",
        "client_id",
        "won deal has no client",
        "counted in revenue, left out of lifetime value",
    )
    open_stage = table.loc[table["status"] == OPEN, "stage"].dropna()
    counts = open_stage.value_counts()
    looks = {str(stage): stage_looks(stage) for stage in counts.index}
    folded_of = {str(stage): fold_stage(stage) for stage in counts.index}
    # Deals per stage as compared (fold_stage), for every stage of the file: one warning per
    # stage as compared, adding one spelling adds them all.
    every = table["stage"].value_counts()  # folded per distinct label, never per deal
    per_key = every.groupby([fold_stage(label) for label in every.index]).sum()

    def unlisted(stage: str, problem: str, kind: str) -> None:
        """A stage that looks won or lost counted as open: named with its first deal's file and
        row, and its deals (every spelling) as the finding's count."""
        key = fold_stage(stage)
        spellings = [s for s, f in folded_of.items() if f == key]
        at = open_stage.index[open_stage.astype("string").isin(spellings).to_numpy(dtype=bool)]
        first = table.loc[at[:1]]
        n = int(counts[counts.index.astype("string").isin(spellings)].sum())
        findings.one(
            WARNING,
            "deals",
            problem,
            file=str(first[FILE].iloc[0]) if len(first) else None,
            row=int(first[LINE].iloc[0]) if len(first) else None,
            column="stage",
            value=str(table.loc[at[0], "stage"]) if len(at) else stage,
            action=f"its {n:,} deal(s) counted as open; add it to sources.deals.{kind}_stages "
            f"if it means {kind}",
            count=n,
        )

    first_of: dict[str, str] = {}
    for stage in counts.index:
        first_of.setdefault(folded_of[str(stage)], str(stage))
    for stage in first_of.values():
        kind = looks[stage]
        if kind:
            unlisted(
                stage, f"stage reads as {kind} but is in neither won_stages nor lost_stages", kind
            )
    # The configured labels, and the file's labels read as won or lost ("Verloren", warned above).
    won_labels = cfg.won_stages() + tuple(s for s, kind in looks.items() if kind == "won")
    lost_labels = cfg.lost_stages() + tuple(s for s, kind in looks.items() if kind == "lost")
    near = {
        stage: stage_near(stage, won_labels, lost_labels)
        for stage in (str(s) for s in counts.index)
        if not looks[stage]
    }
    # A misspelling is rarer than the label it misspells: a label on at least twice as many deals
    # (and ten or more) as the one it resembles in the file is a stage of its own ("Contacted",
    # early in the pipeline, beside "Contracted").
    for stage, resembled in near.items():
        if resembled:
            theirs = int(per_key.get(fold_stage(resembled[1]), 0))
            mine = int(per_key.get(folded_of[stage], 0))
            if theirs and mine >= max(2 * theirs, 10):
                near[stage] = None
    for stage in first_of.values():
        resembled = near.get(stage)
        if resembled:
            kind, label = resembled
            unlisted(
                stage,
                f"stage is spelt almost as the {kind} stage {label!r} but is in neither "
                "won_stages nor lost_stages",
                kind,
            )
    others = sorted(stage for stage, resembled in near.items() if not resembled)
    if others:
        findings.one(
            INFO,
            "deals",
            f"stages read as open (neither won_stages nor lost_stages): {', '.join(others[:20])}",
            column="stage",
            action="deals counted as open",
        )
    _report_outlying_close_dates(table, findings)
    return table.reset_index(drop=True)


def _simple(
    key: list[str], required: tuple[str, ...]
) -> Callable[[pd.DataFrame, Dataset, _Findings, str], pd.DataFrame]:
    def finish(
        table: pd.DataFrame, dataset: Dataset, findings: _Findings, currency: str
    ) -> pd.DataFrame:
        table = _currency_markers(table, dataset, currency, findings, exclude_rows=False)
        table = _clean(table, dataset, findings, required)
        if key:
            table = _dedupe(table, key, dataset.name, findings, " / ".join(key))
        return table.reset_index(drop=True)

    return finish


def _goals(
    table: pd.DataFrame, dataset: Dataset, findings: _Findings, currency: str
) -> pd.DataFrame:
    table = _currency_markers(table, dataset, currency, findings, exclude_rows=False)
    table = _clean(table, dataset, findings, ("scope", "id", "year", "target"))
    scope = table["scope"].str.lower()
    bad_scope = ~scope.isin(["rep", "team"])
    findings.rows(
        table,
        bad_scope,
        WARNING,
        "goals",
        "scope",
        "is not rep or team",
        "row excluded",
        table["scope"],
    )
    metric = table["metric"].str.lower().str.replace(" ", "_").fillna("revenue")
    bad_metric = ~metric.isin(GOAL_METRICS) & ~bad_scope
    findings.rows(
        table,
        bad_metric,
        WARNING,
        "goals",
        "metric",
        f"is not one of {', '.join(GOAL_METRICS)}",
        "row excluded",
        table["metric"],
    )
    # Attainment = actual ÷ target: a target of 0 or less measures nothing and would read as "missed".
    bad_target = (table["target"] <= 0).fillna(False).astype(bool) & ~(bad_scope | bad_metric)
    findings.rows(
        table,
        bad_target,
        WARNING,
        "goals",
        "target",
        "is not above 0 (attainment divides by it)",
        "row excluded",
        _number_text(table["target"]),
    )
    table = table.assign(scope=scope, metric=metric).loc[~(bad_scope | bad_metric | bad_target)]
    table = _dedupe(
        table,
        ["scope", "id", "year", "metric"],
        "goals",
        findings,
        "goal (scope, id, year, metric)",
    )
    return table.reset_index(drop=True)


def _activities(
    table: pd.DataFrame, dataset: Dataset, findings: _Findings, currency: str
) -> pd.DataFrame:
    table = _currency_markers(table, dataset, currency, findings, exclude_rows=False)
    table = _clean(table, dataset, findings, ("rep_id", "date", "kind"))
    return table.assign(count=table["count"].fillna(1).astype("Int64")).reset_index(drop=True)


def _memberships(
    table: pd.DataFrame, dataset: Dataset, findings: _Findings, currency: str
) -> pd.DataFrame:
    table = _currency_markers(table, dataset, currency, findings, exclude_rows=False)
    table = _clean(table, dataset, findings, ("rep_id", "team", "start"))
    table = _ends_before_start(table, dataset, findings, exclude=True)
    return table.sort_values(["rep_id", "start"], kind="stable").reset_index(drop=True)


def _ends_before_start(
    table: pd.DataFrame, dataset: Dataset, findings: _Findings, *, exclude: bool
) -> pd.DataFrame:
    """Rows whose ``end`` comes before their ``start``, listed: excluded (``exclude``, a team
    membership), else their end left empty (a coaching engagement then counts from its start
    month, as one without an end)."""
    backwards = (table["end"] < table["start"]).fillna(False).astype(bool)
    findings.rows(
        table,
        backwards,
        WARNING,
        dataset.name,
        "end",
        "ends before it starts",
        "row excluded" if exclude else "end ignored (left empty)",
        table["end"].dt.strftime("%Y-%m-%d"),
    )
    if not backwards.any():
        return table
    return table.loc[~backwards] if exclude else table.assign(end=table["end"].mask(backwards))


NEVER_NEGATIVE: dict[str, tuple[str, ...]] = {
    "costs": ("salary", "taxes", "expenses", "other"),
    "coaching": ("hours", "cost"),
    "activities": ("count",),
    "clients": ("market_size",),
}
"""Fields no real value of is below zero (a won deal's negative amount is a credit note: kept)."""


def _number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as a finding shows them: as a number is written, without a trailing ".0" and never in
    exponent form (0 not "0.0", -25,000,000 not "-2.5e+07")."""
    return numbers.map(lambda v: f"{v:,}".removesuffix(".0"), na_action="ignore")


def _impossible_values(table: pd.DataFrame, dataset: Dataset, findings: _Findings) -> pd.DataFrame:
    """Values no export can mean, listed (SPEC §7): a negative salary, cost, hours, activity count
    or market size, and a coaching engagement that ends before it starts.

    A required field's negative value excludes the row, an optional one's is left empty, except an
    activity count (empty would count as 1): that row is excluded. An end before the start is left
    empty (the engagement then counts from its start month, as one without an end)."""
    keep = pd.Series(True, index=table.index)
    for name in NEVER_NEGATIVE.get(dataset.name, ()):
        negative = (table[name] < 0).fillna(False).astype(bool) & keep
        if not negative.any():
            continue
        field = next(f for f in dataset.fields if f.name == name)
        excluded = field.required or name == "count"
        findings.rows(
            table,
            negative,
            WARNING,
            dataset.name,
            name,
            "is negative",
            "row excluded" if excluded else "value ignored (left empty)",
            _number_text(table[name]),
        )
        if excluded:
            keep &= ~negative
        else:
            table = table.assign(**{name: table[name].mask(negative)})
    if dataset.name == "coaching":  # memberships exclude such rows themselves (_memberships)
        table = _ends_before_start(table, dataset, findings, exclude=False)
    return table if keep.all() else table.loc[keep].reset_index(drop=True)


def _overlapping_memberships(memberships: pd.DataFrame | None, findings: _Findings) -> None:
    """A rep in two teams on one day: warned; on the shared days the later start counts."""
    if memberships is None or not len(memberships):
        return
    ordered = memberships.sort_values(["rep_id", "start"], kind="stable")
    # The latest end among the rep's earlier periods; an open period (no end) overlaps every later one.
    ends = ordered["end"].fillna(pd.Timestamp.max.floor("D")).astype("datetime64[ns]")
    latest_end = ends.groupby(ordered["rep_id"], observed=True).cummax()
    previous_end = latest_end.groupby(ordered["rep_id"], observed=True).shift()
    overlaps = (previous_end.notna() & (previous_end >= ordered["start"])).astype(bool)
    findings.rows(
        ordered,
        overlaps,
        WARNING,
        "memberships",
        "start",
        "overlaps the rep's previous period",
        "kept; on the shared days the later start counts",
        ordered["start"].dt.strftime("%Y-%m-%d"),
    )


_FINISH = {
    "clients": _simple(["client_id"], ("client_id",)),
    "reps": _simple(["rep_id"], ("rep_id",)),
    "costs": _simple(["rep_id", "year"], ("rep_id", "year", "salary")),
    "goals": _goals,
    "coaching": _simple([], ("rep_id", "start")),
    "activities": _activities,
    "memberships": _memberships,
}


def _all_reps(
    deals: pd.DataFrame, reps: pd.DataFrame | None, findings: _Findings, where: str = "config"
) -> pd.DataFrame:
    """Reps from the reps file, plus reps that appear only in the deals, named by their id (SPEC §4).

    With a reps file, deal reps missing from it are a warning (their revenue has no team, manager
    or cost), said more strongly when not one deal rep is in it (the two files may key reps
    differently; ``where``: the config, for the message). Either says when the missing ids are
    the reps file's ids in another case or its names (``_rep_ids_named``)."""
    columns = list(DATASETS["reps"].field_names)
    listed = (
        reps[[*columns, FILE, LINE]]
        if reps is not None  # without a reps file: the columns a read one has, with their types
        else pd.DataFrame(
            {f.name: pd.Series(dtype=_empty_dtype(f.kind)) for f in DATASETS["reps"].fields}
            | {FILE: pd.Series(dtype="string"), LINE: pd.Series(dtype="int64")}
        )
    )
    deal_ids = pd.Index(deals["rep_id"].dropna().unique())
    extra_ids = deal_ids.difference(pd.Index(listed["rep_id"]))
    if len(extra_ids) and reps is not None:
        named = _rep_ids_named(extra_ids, listed)
        won = deals["status"] == WON
        missing = won & deals["rep_id"].isin(extra_ids)
        share = deals.loc[missing, "amount"].sum() / max(deals.loc[won, "amount"].sum(), 1e-9)
        none_in = len(extra_ids) == len(deal_ids) and listed["rep_id"].notna().any()
        findings.one(
            WARNING,
            "reps",
            (
                f"not one rep of the deals is in the reps file ({share:.1%} of won revenue, "
                "all years): "
                f"the deals name {_some(deal_ids)}, the reps file {_some(listed['rep_id'])}"
                f"{named}; check that sources.deals.columns.rep_id and "
                f"sources.reps.columns.rep_id ({where}) hold the same ids"
            )
            if none_in
            else (
                f"{len(extra_ids)} rep(s) appear in deals but not in the reps file "
                f"({share:.1%} of won revenue, all years): {_some(extra_ids)}{named}"
            ),
            column="rep_id",
            action="named by their id, with no team, manager or cost",
        )
    extra = pd.DataFrame({"rep_id": pd.Series(sorted(extra_ids), dtype="string")})
    combined = pd.concat([listed, extra], ignore_index=True)
    combined["name"] = combined["name"].fillna(combined["rep_id"])
    combined["in_reps_file"] = combined[LINE].notna()
    return combined.sort_values("rep_id", kind="stable").reset_index(drop=True)


def _name_key(value: object) -> str:
    """A rep's name as compared with another: spaces collapsed, case folded."""
    return " ".join(str(value).split()).casefold()


def _reps_by_name(
    table: pd.DataFrame | None,
    dataset: str,
    reps: pd.DataFrame | None,
    findings: _Findings,
    column: str = "rep_id",
    rows: pd.Series | None = None,
) -> pd.DataFrame | None:
    """``table`` with the reps it names by name (CRMs export the owner's name; a goals sheet may
    name its reps) given the reps file's id for that name, and a note saying how many reps and rows:
    for the values of ``column`` (in ``rows``, default all) that are no rep id of the reps file and
    are the name of one rep in it (compared by ``_name_key``). A name the reps file holds twice is
    left as it is (an unknown rep then, reported as such; the costs note does not quote it, as the
    costs export's cells are private); otherwise ``table`` as is."""
    if (
        table is None
        or reps is None
        or not len(reps)
        or "name" not in reps
        or not len(table)
        or column not in table
    ):
        return table
    values = table[column] if rows is None else table.loc[rows, column]
    unknown = pd.Index(values.dropna().unique()).difference(pd.Index(reps["rep_id"].dropna()))
    if not len(unknown):
        return table
    named = reps.dropna(subset=["name", "rep_id"])
    keys = named["name"].map(_name_key)
    twice = set(keys[keys.duplicated(keep=False)])
    by_name = dict(zip(keys, named["rep_id"], strict=True))
    hits = {
        value: by_name[k]
        for value in unknown
        if (k := _name_key(value)) in by_name and k not in twice
    }
    if not hits:
        return table
    matched = table[column].map(pd.Series(hits, dtype="string"))
    if rows is not None:
        matched = matched.where(rows)
    ambiguous = pd.Index([value for value in unknown if _name_key(value) in twice])
    quoted = f": {_some(ambiguous)}" if dataset != "costs" else ""
    findings.one(
        INFO,
        dataset,
        f"{len(set(hits.values()))} rep(s) named by name in {int(matched.notna().sum()):,} row(s), "
        "read as the reps file's ids (by its name column)"
        + (
            f"; {len(ambiguous)} name(s) the reps file holds twice were not{quoted}"
            if len(ambiguous)
            else ""
        ),
        column=column,
        action="matched to reps by name",
    )
    return table.assign(**{column: matched.fillna(table[column]).astype(table[column].dtype)})


def _some(values: pd.Index | pd.Series, shown: int = 10) -> str:
    """Up to ``shown`` distinct values, quoted, then "…" when there are more."""
    distinct = pd.Index(values.dropna().unique())
    more = " …" if len(distinct) > shown else ""
    return ", ".join(repr(str(v)) for v in distinct[:shown]) + more


def _rep_ids_named(extra_ids: pd.Index, listed: pd.DataFrame) -> str:
    """What the deal rep ids missing from the reps file are in it, when most of them are: its ids in
    another case ("r01" for "R01": ids are compared exactly), or names it holds twice (a name it
    holds once was matched by ``_reps_by_name``)."""
    ids = {str(i).casefold(): str(i) for i in listed["rep_id"].dropna()}
    cased = [i for i in extra_ids if str(i).casefold() in ids]
    if 2 * len(cased) > len(extra_ids):
        first = cased[0]
        return (
            f"; {len(cased)} of them are the reps file's ids in another case ({str(first)!r} for "
            f"{ids[str(first).casefold()]!r}): ids are compared exactly, so write them alike"
        )
    keys = listed["name"].dropna().map(_name_key)
    twice = set(keys[keys.duplicated(keep=False)])
    held_twice = sum(_name_key(i) in twice for i in extra_ids)
    if not held_twice:
        return ""
    return (
        f"; {held_twice} of them are names the reps file holds twice (its column mapped to name), "
        "which cannot be told apart"
    )


def _employment_dates(
    reps: pd.DataFrame, deals: pd.DataFrame, as_of: dt.date, findings: _Findings
) -> pd.DataFrame:
    """Hiring and leaving dates that cannot both be right for a rep of the report, listed.

    A hiring date after ``as_of`` on a rep who closed a deal by then (a typo year) would make a
    rep selling in the report not employed on ``as_of``: it is left empty, so the rep is current
    by the usual rule (a hire not yet started, without deals, keeps the date). A leaving date before
    the hiring date is listed and both are kept (either may be wrong). ``reps``: the table of
    ``_all_reps``; ``deals``: the loaded deals. Returns ``reps`` with the dates ignored emptied."""
    end = pd.Timestamp(as_of)
    closed = deals.loc[(deals["status"] != OPEN) & (deals["closed"] <= end), "rep_id"]
    # The distinct ids: pandas' isin against a million strings takes seconds.
    future = reps["hired"].notna() & (reps["hired"] > end) & reps["rep_id"].isin(closed.unique())
    findings.rows(
        reps,
        future,
        WARNING,
        "reps",
        "hired",
        f"hiring date after as_of {as_of}, yet the rep closed deals by then",
        "hiring date ignored (left empty)",
        reps["hired"].dt.strftime("%Y-%m-%d"),
    )
    reversed_dates = (
        ~future & reps["left"].notna() & reps["hired"].notna() & (reps["left"] < reps["hired"])
    )
    findings.rows(
        reps,
        reversed_dates,
        WARNING,
        "reps",
        "left",
        "leaving date before the hiring date",
        "both kept",
        reps["left"].dt.strftime("%Y-%m-%d"),
    )
    return reps.assign(hired=reps["hired"].mask(future)) if future.any() else reps


def _owner_findings(
    where: str,
    deals: pd.DataFrame,
    clients: pd.DataFrame | None,
    reps: pd.DataFrame,
    findings: _Findings,
) -> None:
    """With ``attribution: owner`` a client counts for the rep in its ``owner_rep_id`` (SPEC §5): a
    client of a won deal whose owner is blank, unknown, or who is missing from the clients export
    counts for no rep, and is listed so that no lifetime value vanishes unnamed. Raises DataError
    when the clients export gives no owner at all (the column is not mapped)."""
    if clients is None:  # the config requires a clients export with owner attribution
        return
    if len(clients) and clients["owner_rep_id"].isna().all():
        raise DataError(
            f"{where}: metrics.attribution: owner credits each client to clients.owner_rep_id, and "
            "the clients export gives none (the column is not mapped, or empty): map its owner "
            "column (sources.clients.columns.owner_rep_id), or use attribution: acquirer"
        )
    won_clients = pd.Index(
        deals.loc[(deals["status"] == WON) & deals["client_id"].notna(), "client_id"].unique()
    )
    listed = clients["client_id"].isin(won_clients)
    owner = clients["owner_rep_id"]
    findings.rows(
        clients,
        listed & owner.isna(),
        WARNING,
        "clients",
        "owner_rep_id",
        "no owner for a client with won deals (attribution: owner)",
        "client counts for no rep",
    )
    findings.rows(
        clients,
        listed & owner.notna() & ~owner.isin(reps["rep_id"]),
        WARNING,
        "clients",
        "owner_rep_id",
        "owner not found in reps or deals (attribution: owner)",
        "client counts for no rep",
        owner,
    )
    missing = won_clients.difference(pd.Index(clients["client_id"].dropna()))
    if len(missing):
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        findings.one(
            WARNING,
            "clients",
            f"{len(missing):,} client(s) of won deals are not in the clients export, so they have "
            f"no owner (attribution: owner): {shown}",
            column="client_id",
            action="client counts for no rep",
            count=len(missing),
        )


def _unknown_reps(
    table: pd.DataFrame | None, known: pd.Series, dataset: str, findings: _Findings, action: str
) -> pd.DataFrame | None:
    if table is None:
        return None
    unknown = ~table["rep_id"].isin(known)
    problem: str | pd.Series = "rep not found in reps or deals"
    if unknown.any():
        # "0058d000004klmb" beside a known "0058d000004KLmB": say which rep it may be.
        spelled = known.astype("string").dropna()
        by_key = pd.Series(spelled.to_numpy(), index=_variant_key(spelled).to_numpy())
        by_key = by_key[~by_key.index.duplicated()]
        near = _variant_key(table.loc[unknown, "rep_id"].astype("string")).map(by_key)
        problem = (
            "rep not found in reps or deals"
            + near.map(
                lambda rep: f' (differs only in case or spacing from "{rep}")', na_action="ignore"
            )
            .astype("string")
            .reindex(table.index)
            .fillna("")
        ).astype("string")
    findings.rows(
        table,
        unknown,
        WARNING,
        dataset,
        "rep_id",
        problem,
        action,
        table["rep_id"],
    )
    return table.loc[~unknown].reset_index(drop=True)


def _unknown_goal_owners(
    goals: pd.DataFrame | None, reps: pd.DataFrame, findings: _Findings
) -> pd.DataFrame | None:
    """A rep goal must name a known rep, a team goal a team of the reps export."""
    if goals is None:
        return None
    rep_goal, team_goal = goals["scope"] == "rep", goals["scope"] == "team"
    unknown_rep = rep_goal & ~goals["id"].isin(reps["rep_id"])
    unknown_team = team_goal & ~goals["id"].isin(reps["team"].dropna())
    findings.rows(
        goals,
        unknown_rep,
        WARNING,
        "goals",
        "id",
        "rep not found in reps or deals",
        "goal not used",
        goals["id"],
    )
    listed = "in_reps_file" in reps and bool(reps["in_reps_file"].any())
    findings.rows(
        goals,
        unknown_team,
        WARNING,
        "goals",
        "id",
        "team not found in the reps export"
        if listed
        else "team goal, but no reps export (sources.reps) says which reps are in which team",
        "goal not used",
        goals["id"],
    )
    bad = unknown_rep | unknown_team
    return goals.loc[~bad].reset_index(drop=True) if bad.any() else goals


SEGMENT_PLACEHOLDERS = frozenset({"unknown", "n/a", "na", "none", "null", "-", "?", "tbd"})
"""Segment values that say "not known": grouped as Unknown with blanks (casefolded, spaces trimmed)."""


def _segment_findings(
    deals: pd.DataFrame,
    clients: pd.DataFrame | None,
    reps: pd.DataFrame | None,
    findings: _Findings,
) -> None:
    """Blank or placeholder segment values (grouped as Unknown), and spelling variants that differ only
    in case or spacing (kept apart, reported so the export can be fixed)."""
    tables = {"deals": deals, "clients": clients, "reps": reps}
    blank_action = {
        (
            "clients",
            "region",
        ): "the region of the rep who won its first deal is used (Unknown if none)",
        ("clients", "category"): "grouped as Unknown",
        ("clients", "acquisition"): "grouped as Unknown unless its deals name a method",
    }
    for dimension, sources in SEGMENT_FIELDS.items():
        spellings = []
        for dataset, column in sources:
            table = tables[dataset]
            if table is None or not table[column].notna().any():
                continue
            values = table[column]
            # Work on the distinct values: a million deals carry a handful of methods.
            codes, uniques = pd.factorize(values)
            distinct = pd.Series(uniques, dtype="string")
            folded = _variant_key(distinct).to_numpy(dtype=object)
            is_placeholder = np.array(
                [f in SEGMENT_PLACEHOLDERS or f == "" for f in folded], dtype=bool
            )
            placeholder = pd.Series(
                is_placeholder[codes] & (codes >= 0) if len(codes) else np.zeros(0, bool),
                index=table.index,
            )
            findings.rows(
                table,
                placeholder,
                INFO,
                dataset,
                column,
                f"{dimension} is not a real value",
                "grouped as Unknown",
                values,
            )
            if (dataset, column) in blank_action:
                findings.rows(
                    table,
                    values.isna(),
                    INFO,
                    dataset,
                    column,
                    f"{dimension} is blank",
                    blank_action[(dataset, column)],
                )
            files = table[FILE].astype("category")
            present = (codes >= 0) & ~placeholder.to_numpy()
            grouped = (
                pd.DataFrame(
                    {
                        "code": codes[present],
                        "file": files.cat.codes.to_numpy()[present],
                        "row": table[LINE].to_numpy()[present],
                    }
                )
                .groupby(["code", "file"])["row"]
                .agg(["min", "size"])
                .reset_index()
            )
            counted = pd.DataFrame(
                {
                    "key": folded[grouped["code"].to_numpy()] if len(grouped) else [],
                    "value": distinct.to_numpy(dtype=object)[grouped["code"].to_numpy()]
                    if len(grouped)
                    else [],
                    "file": files.cat.categories.astype(str).to_numpy()[grouped["file"].to_numpy()]
                    if len(grouped)
                    else [],
                    "min": grouped["min"].to_numpy(),
                    "size": grouped["size"].to_numpy(),
                }
            )
            spellings.append(counted.assign(dataset=dataset, column=column))
        if not spellings:
            continue
        for item, main in _spelling_variants(pd.concat(spellings, ignore_index=True)):
            findings.one(
                INFO,
                item["dataset"],
                f'{dimension} spelling variant of "{main}" (differs '
                f"only in case or inner spacing; {item['size']} row(s), first shown)",
                file=item["file"],
                row=int(item["min"]),
                column=item["column"],
                value=item["value"],
                action="kept as a separate segment; fix the export",
            )


_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
"""The ASCII characters ``str.split()`` splits on."""


def _variant_key(values: pd.Series) -> pd.Series:
    """What spelling variants share: the text in lower case (``casefold``) with its spaces collapsed
    (``split`` and ``join``). ASCII text, almost every id, is keyed by Arrow's string kernels, the
    same result a hundred thousand client ids at a time; the rest by Python's."""
    text = values.astype("string")
    plain = text.str.fullmatch(r"[\x00-\x7f]*").fillna(False).astype(bool)
    space = "[" + re.escape(_ASCII_SPACE) + "]+"
    key = text.str.lower().str.replace(space, " ", regex=True).str.strip(_ASCII_SPACE).where(plain)
    if not plain.all():
        rest = text[~plain]
        key[~plain] = rest.str.split().str.join(" ").str.casefold()
    return key


def _spelling_variants(seen: pd.DataFrame) -> list[tuple[dict[Hashable, Any], str]]:
    """Each spelling of a key that has several, but the most used one, with that one: what the
    variants are named against (most rows, ties to the first in order). ``seen``: key, value, size
    and what the findings show, one row per dataset and spelling."""
    if not seen.drop_duplicates(["key", "value"])["key"].duplicated().any():
        return []  # every key has one spelling: nothing to name
    seen = seen[seen.groupby("key")["value"].transform("nunique") > 1]
    main = (
        seen.groupby(["key", "value"])["size"]
        .sum()
        .reset_index()
        .sort_values(["key", "size", "value"], ascending=[True, False, True])
        .drop_duplicates("key")
        .set_index("key")["value"]
    )
    others = seen[seen["value"] != seen["key"].map(main)]
    return [(item, str(main[item["key"]])) for item in others.to_dict("records")]


def _id_variants(
    tables: dict[str, pd.DataFrame | None], column: str, noun: str, action: str, findings: _Findings
) -> None:
    """Ids of ``column`` that differ only in case or inner spacing (``R01`` and ``r01``): kept apart,
    since an id is what it says, but each variant is listed against the most used spelling, with
    its first row, so that one rep (or client) split in two is seen and the export fixed.

    The spellings are compared on the distinct ids first; only when two share a key are their rows
    counted (five million deals' client ids: a few seconds less)."""
    coded: list[tuple[str, pd.DataFrame, np.ndarray, pd.Series]] = []
    for dataset, table in tables.items():
        if table is None or not len(table) or column not in table.columns:
            continue
        # Codes number the values in order of first appearance.
        codes, values = pd.factorize(table[column].astype("string"))
        coded.append((dataset, table, codes, pd.Series(values, dtype="string")))
    if not coded:
        return
    distinct = pd.concat([spelled for *_, spelled in coded], ignore_index=True).drop_duplicates()
    keys = _variant_key(distinct)
    clash = distinct[keys.duplicated(keep=False).to_numpy()]
    if not len(clash):
        return
    seen = []
    for dataset, table, codes, spelled in coded:
        wanted = np.flatnonzero(spelled.isin(clash).to_numpy())
        if not len(wanted):
            continue
        rows = np.flatnonzero(np.isin(codes, wanted))
        found, first, size = np.unique(codes[rows], return_index=True, return_counts=True)
        at = rows[first]  # each value's first row
        seen.append(
            pd.DataFrame(
                {
                    "value": spelled.iloc[found].to_numpy(),
                    # file and line of the same (first) row, also in a folder of exports
                    "file": table[FILE].iloc[at].astype("string").to_numpy(),
                    "row": table[LINE].to_numpy(dtype=np.int64)[at],
                    "size": size,
                    "dataset": dataset,
                }
            ).astype({"value": "string"})
        )
    every = pd.concat(seen, ignore_index=True)
    every["key"] = _variant_key(every["value"])
    for item, main in _spelling_variants(every):
        findings.one(
            INFO,  # ids may be case-sensitive (Salesforce's 15-character ids): noted, never --strict
            item["dataset"],
            f'{noun} id differs from "{main}" only in case or inner spacing '
            f"({item['size']} row(s), first shown)",
            file=item["file"],
            row=int(item["row"]),
            column=column,
            value=item["value"],
            action=action,
        )


def _events(deals: pd.DataFrame) -> pd.DataFrame:
    """``deals`` with only the close dates that record an event, for the dataset's latest date: an
    open deal's date is when it is expected to close, and a close date years after every other is a
    likely typo (``late_close_dates``); either would hide a stale export."""
    return deals.assign(closed=deals["closed"].where(plausibly_closed(deals)))


def _latest(table: pd.DataFrame, dataset: Dataset, fiscal_year_start: int = 1) -> str | None:
    """The latest date in a dataset's date fields (else its latest fiscal year, labelled as the site
    labels years: ``FY2026`` when the fiscal year does not start in January), as text."""
    dates = [
        table[f.name].max()
        for f in dataset.fields
        if f.kind is Kind.DATE and table[f.name].notna().any()
    ]
    if dates:
        return max(dates).date().isoformat()
    if "year" in table.columns and table["year"].notna().any():
        from generator.metrics.period import year_label  # the metrics package imports this one

        return year_label(int(table["year"].max()), fiscal_year_start)
    return None


LATE_CLOSE_YEARS = 2
LATE_CLOSE_QUANTILE = 0.99
"""A won or lost deal's close date more than LATE_CLOSE_YEARS after this quantile of all of them
(lower interpolation: with up to 100 deals, the second latest) is reported, and never sets as_of."""

LATE_GAP_DAYS = 365
LATE_TAIL_SHARE = 0.25
LATE_TAIL_MIN = 3
"""The gap rule: sort the won and lost close dates; the latest ones, when more than LATE_GAP_DAYS
lie between them and all the others and they are at most max(LATE_TAIL_MIN, LATE_TAIL_SHARE of the
closed deals) and fewer than the others, are typos (2031 for 2021), reported and never the default
as_of. Of several such gaps the lowest counts, so typos a year apart (2031, 2032, 2033) go together."""


def _distinct_days(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The distinct days of ``dates`` (day numbers, ascending) and how many dates fall on each: the
    gap rules work on these, since a million deals close on a few thousand days (sorted by
    counting)."""
    day = dates.to_numpy(dtype="datetime64[D]").astype(np.int64)
    counts = np.bincount(day - day.min())
    return np.flatnonzero(counts) + day.min(), counts[counts > 0]


def _tail_gaps(
    days: np.ndarray, beyond: np.ndarray, total: int, gap_days: float, share: float
) -> np.ndarray:
    """Positions ``i`` of gaps of more than ``gap_days`` between ``days[i]`` and ``days[i + 1]``
    that cut off a tail of the ``total`` deals: ``beyond[i]`` of them on its side, at most
    max(LATE_TAIL_MIN, ``share`` of all) and fewer than on the other side. ``beyond``: per distinct
    day, the deals after it (late rule) or up to it (early rule)."""
    tail = beyond[:-1]
    most = max(LATE_TAIL_MIN, int(share * total))
    return np.flatnonzero((np.diff(days) > gap_days) & (tail <= most) & (tail < total - tail))


def late_close_dates(deals: pd.DataFrame) -> pd.Series:
    """Mask of won or lost deals whose close date lies years past every other (a typo year, e.g. 2034 for
    2024): by the quantile rule or the gap rule (see ``LATE_CLOSE_QUANTILE`` and ``LATE_GAP_DAYS``)."""
    closed = deals["closed"].where(deals["status"] != OPEN)
    dates = closed.dropna()
    if len(dates) < 2:
        return pd.Series(False, index=deals.index)
    # pandas-stubs type Series.quantile as a number; of datetimes it is a Timestamp.
    usual = cast(pd.Timestamp, dates.quantile(LATE_CLOSE_QUANTILE, interpolation="lower"))
    limit = usual + pd.DateOffset(years=LATE_CLOSE_YEARS)
    days, counts = _distinct_days(dates)
    above = len(dates) - np.cumsum(counts)  # deals closed after each distinct day
    gaps = _tail_gaps(days, above, len(dates), LATE_GAP_DAYS, LATE_TAIL_SHARE)
    if len(gaps):
        limit = min(limit, pd.Timestamp(np.datetime64(int(days[gaps[0]]), "D")))
    late = (closed > limit).fillna(False).astype(bool)
    # Of two dates years apart neither is known to be the typo: the late ones must be the fewer.
    return late if 2 * int(late.sum()) < len(dates) else pd.Series(False, index=deals.index)


def plausibly_closed(deals: pd.DataFrame) -> pd.Series:
    """Mask of the deals whose close date records a close: won or lost (an open deal's date is when
    it is expected to close), and not years past every other (``late_close_dates``)."""
    return (deals["status"] != OPEN) & ~late_close_dates(deals)


def _last_close(events: pd.DataFrame) -> dt.date | None:
    """The latest close date of deals as ``_events`` keeps them."""
    closed = events["closed"].dropna()
    return closed.max().date() if len(closed) else None


def default_as_of(deals: pd.DataFrame) -> dt.date | None:
    """The latest plausible close date of a won or lost deal (``plausibly_closed``)."""
    return _last_close(_events(deals))


EARLY_GAP_YEARS = 5
EARLY_TAIL_SHARE = 0.01
"""The early gap rule: sort the won and lost close dates; the earliest ones, when more than
EARLY_GAP_YEARS separate them from all the later ones and they are at most max(LATE_TAIL_MIN,
EARLY_TAIL_SHARE of the closed deals) and fewer than the others, are typos (1985 for 2025) or stray
numbers read as dates, reported (kept): they would stretch every history back decades. Of several
such gaps the latest counts, so two typos years apart go together. A slow start (ten deals a year
for years before the business grew) has no such gap, and years of history before a long pause are
more than 1 % of the deals: neither is flagged."""


def early_close_dates(deals: pd.DataFrame) -> pd.Series:
    """Mask of won or lost deals whose close date lies years before every other (see
    ``EARLY_GAP_YEARS``)."""
    closed = deals["closed"].where(deals["status"] != OPEN)
    dates = closed.dropna()
    none = pd.Series(False, index=deals.index)
    if len(dates) < 2:
        return none
    days, counts = _distinct_days(dates)
    below = np.cumsum(counts)  # deals closed on or before each distinct day
    gaps = _tail_gaps(days, below, len(dates), EARLY_GAP_YEARS * 365.25, EARLY_TAIL_SHARE)
    if not len(gaps):
        return none
    limit = pd.Timestamp(np.datetime64(int(days[gaps[-1]]), "D"))
    return (closed <= limit).fillna(False).astype(bool)


def _report_outlying_close_dates(table: pd.DataFrame, findings: _Findings) -> None:
    """One warning per close date years after every other (``late_close_dates``: kept, never the
    default as_of) or years before every other (``early_close_dates``: kept): how many years."""
    for outlying, after in ((late_close_dates(table), True), (early_close_dates(table), False)):
        if not outlying.any():
            continue
        others = table.loc[(table["status"] != OPEN) & ~outlying, "closed"]
        edge = others.max() if after else others.min()
        dates = table.loc[outlying, "closed"]
        gap = (dates - edge) if after else (edge - dates)
        years = (gap.dt.days / 365.25).round().clip(lower=1).astype(int)
        side = "after" if after else "before"
        problem = pd.Series(pd.NA, index=table.index, dtype="string")
        problem[outlying] = [
            f"close date {n} year{'s' if n > 1 else ''} {side} every other — likely a typo"
            for n in years
        ]
        findings.rows(
            table,
            outlying,
            WARNING,
            "deals",
            "closed",
            problem,
            f"kept, counted in its year; the default as_of ignores it (latest other: {edge.date().isoformat()})"
            if after
            else f"kept, counted in its year (earliest other: {edge.date().isoformat()})",
            table["closed"].dt.strftime("%Y-%m-%d"),
        )


def _no_close_date(cfg: LoadedConfig, findings: _Findings, excluded: int) -> list[str]:
    """The error when no won or lost deal has a close date: the close dates that could not be read
    come first; else, when ``excluded`` deal rows were left out (e.g. amounts in another currency
    than ``site.currency``), the first reasons, since the won and lost deals may be among them."""
    where = cfg.label or str(cfg.path)
    issues = findings.of("deals")
    unread = issues[
        (issues["column"] == "closed")
        & (issues["severity"] == WARNING)
        & ~issues["problem"].astype("string").str.startswith("is missing").fillna(False)
        & issues["row"].notna()
    ]
    if not len(unread):
        reasons_shown = _first_reasons(issues)
        if excluded and reasons_shown:
            return [
                f"{where}: report.as_of: no won or lost deal is left to date the report: {excluded:,} deal "
                "row(s) were excluded; first reasons:",
                *reasons_shown,
            ]
        return [f"{where}: report.as_of: no won or lost deal has a close date; set report.as_of"]
    first = unread.sort_values(["file", "row"], kind="stable").iloc[0]
    count = int(unread["count"].sum())
    pattern = cfg.config.sources.deals.options.date_format
    fix = (
        f"sources.deals.options.date_format ({pattern}) does not read them: correct it"
        if pattern
        else "set sources.deals.options.date_format to the way they are written (e.g. %d/%m/%Y)"
    )
    return [
        f"{where}: report.as_of: no won or lost deal has a readable close date: {count:,} close date(s) could "
        f'not be read, the first {first["file"]}:{int(first["row"])} "{first["value"]}" ({first["problem"]}); '
        f"{fix}, or set report.as_of"
    ]


def _first_reasons(issues: pd.DataFrame) -> list[str]:
    """A dataset's first five findings that excluded rows or cells (warnings and errors, in file and
    row order), then the count of cells by reason; empty without any."""
    issues = issues[issues["severity"] != INFO].sort_values(
        ["file", "row"], kind="stable", na_position="first"
    )
    if not len(issues):
        return []
    lines = [f"  {format_issue(record)}" for record in issues.head(5).to_dict("records")]
    lines.append(
        "  rows excluded by reason: "
        + "; ".join(
            f"{r['column'] + ': ' if r['column'] else ''}{r['problem']} — {int(r['count']):,}"
            for r in reasons(issues).head(10).to_dict("records")
        )
    )
    return lines


def _no_usable_rows(
    where: str, dataset: str, summary: DatasetSummary, findings: _Findings
) -> list[str]:
    """The error for a dataset left without rows: the first reasons, then the count of cells by reason."""
    read = summary.rows_read
    if not read:
        return [
            f"{where}: sources.{dataset}: no usable {dataset} rows: {', '.join(summary.files)} "
            "holds column names but no rows"
        ]
    issues = findings.of(dataset)
    footer = issues[issues["problem"].astype("string").str.startswith(FOOTER).fillna(False)]
    shown = _first_reasons(issues)
    cut = int(footer["count"].sum())
    if cut and not shown:
        return [
            f"{where}: sources.{dataset}: no usable {dataset} rows: all {read:,} row(s) read were cut as a "
            f"report footer ({footer['problem'].iloc[0]}); lower sources.{dataset}.options.skip_footer"
        ]
    return [
        f"{where}: sources.{dataset}: no usable {dataset} rows: all {read:,} row(s) read were excluded"
        + (f" ({cut:,} cut as a report footer)" if cut else "")
        + ("; first reasons:" if shown else ""),
        *shown,
    ]


_QUOTED_MARKER = r'^has ".*", which is not a currency marker$'
"""The one reason that quotes part of a cell: for a private cell it becomes the kind's plain reason."""


def _withhold_private(quality: QualityReport, show_compensation: bool) -> QualityReport:
    """With compensation hidden, findings about a private cell (``generator.compensation``) carry
    neither its value nor a piece of it in their reason, so the terminal prints no pay either."""
    issues = quality.issues
    if show_compensation or not len(issues):
        return quality
    private = private_findings(issues)
    if not private.any():
        return quality
    problem = issues["problem"].astype("string")
    quoted = private & problem.str.match(_QUOTED_MARKER).fillna(False)
    issues = issues.assign(
        value=issues["value"]
        .astype("object")
        .where(~(private & issues["value"].notna()), WITHHELD),
        problem=problem.mask(quoted, KIND_PROBLEM[Kind.MONEY]).astype(issues["problem"].dtype),
    )
    return QualityReport(issues=issues, summaries=quality.summaries)


def load_inputs(
    cfg: LoadedConfig, on_dataset: Callable[[int, str], None] = lambda _steps, _name: None
) -> Inputs:
    """Read, convert and validate every configured dataset; DataError lists every unusable one.
    ``on_dataset(0, name)`` as each configured dataset is taken, ``on_dataset(1, name)`` once it is
    read (for a progress bar)."""
    findings = _Findings()
    tables: dict[str, pd.DataFrame | None] = {}
    summaries: list[DatasetSummary] = []
    for name, dataset in DATASETS.items():
        if getattr(cfg.config.sources, name) is None:
            tables[name] = None
            continue
        on_dataset(0, name)
        loaded = _read_dataset(cfg, dataset, findings)
        if loaded is None:
            tables[name] = None
            continue
        table, summary = loaded
        table = (
            _deals(table, cfg, findings)
            if name == "deals"
            else _FINISH[name](table, dataset, findings, cfg.config.site.currency)
        )
        table = _impossible_values(table, dataset, findings)
        tables[name] = table
        on_dataset(1, name)
        if name == "deals":
            events = _events(table)  # for the freshness date and the default as_of alike
        summaries.append(
            DatasetSummary(
                summary.dataset,
                summary.files,
                summary.rows_read,
                len(table),
                _latest(
                    events if name == "deals" else table,
                    dataset,
                    cfg.config.report.fiscal_year_start,
                ),
            )
        )
    if findings.errors:
        raise DataError(findings.errors)
    deals = tables["deals"]
    assert deals is not None
    if not len(deals):
        summary = next(s for s in summaries if s.dataset == "deals")
        raise DataError(_no_usable_rows(cfg.label or str(cfg.path), "deals", summary, findings))
    # Reps named by name where the reps file has ids (CRM owners, goals sheets): matched by name.
    by_name = {
        name: _reps_by_name(tables[name], name, tables["reps"], findings)
        for name in ("deals", "costs", "coaching", "activities", "memberships")
    }
    clients = _reps_by_name(tables["clients"], "clients", tables["reps"], findings, "owner_rep_id")
    deals = by_name["deals"]
    assert deals is not None
    goals_by_name = (
        _reps_by_name(
            tables["goals"],
            "goals",
            tables["reps"],
            findings,
            "id",
            tables["goals"]["scope"] == "rep",
        )
        if tables["goals"] is not None
        else None
    )
    reps = _all_reps(deals, tables["reps"], findings, cfg.label or str(cfg.path))
    known = reps["rep_id"]
    costs = _unknown_reps(by_name["costs"], known, "costs", findings, "row not used")
    coaching = _unknown_reps(by_name["coaching"], known, "coaching", findings, "row not used")
    activities = _unknown_reps(by_name["activities"], known, "activities", findings, "row not used")
    memberships = _unknown_reps(
        by_name["memberships"], known, "memberships", findings, "row not used"
    )
    _overlapping_memberships(memberships, findings)
    goals = _unknown_goal_owners(goals_by_name, reps, findings)
    # Rows used are those that reach the figures: a row of an unknown rep or goal owner is not.
    used = {
        "costs": costs,
        "coaching": coaching,
        "activities": activities,
        "memberships": memberships,
        "goals": goals,
    }
    summaries = [
        replace(
            s,
            rows_used=len(final),
            latest=_latest(final, DATASETS[s.dataset], cfg.config.report.fiscal_year_start),
        )
        if (final := used.get(s.dataset)) is not None
        else s
        for s in summaries
    ]
    _segment_findings(deals, clients, tables["reps"], findings)
    _id_variants(
        {"deals": deals, "reps": tables["reps"]},
        "rep_id",
        "rep",
        "kept as a separate rep; fix the export if it is the same person",
        findings,
    )
    _id_variants(
        {"deals": deals, "clients": clients},
        "client_id",
        "client",
        "kept as a separate client, with its own lifetime value; fix the export if it is the same",
        findings,
    )
    as_of = cfg.config.report.as_of or _last_close(events)
    if as_of is None:
        summary = next(s for s in summaries if s.dataset == "deals")
        raise DataError(_no_close_date(cfg, findings, summary.rows_read - len(deals)))
    later = (
        deals["closed"].notna()
        & (deals["closed"] > pd.Timestamp(as_of))
        & (deals["status"] != OPEN)
    )
    if later.any():
        findings.one(
            INFO,
            "deals",
            f"{int(later.sum())} won or lost deal(s) closed after as_of {as_of}",
            column="closed",
            action="not counted",
        )
    reps = _employment_dates(reps, deals, as_of, findings)
    if cfg.config.metrics.attribution == "owner":
        _owner_findings(cfg.label or str(cfg.path), deals, clients, reps, findings)
    return Inputs(
        deals=deals,
        reps=reps,
        clients=clients,
        costs=costs,
        goals=goals,
        coaching=coaching,
        activities=activities,
        quality=_withhold_private(
            findings.report(tuple(summaries)), cfg.config.privacy.show_compensation
        ),
        as_of=as_of,
        memberships=memberships,
    )
