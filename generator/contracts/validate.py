"""Check tables against their contracts with pandera (imported here only: the CLI never pays for it).

Every check runs lazily (pandera ``lazy=True``): all failures of all tables are collected and
raised together as one ``ContractError``, one line per table, column and check, with the failing
values and their rows.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from generator.contracts.tables import INPUTS, METRICS, Table, published_contract
from generator.contracts.terms import Kind
from generator.errors import ContractError
from generator.site.privacy import RATIO_BANDS

Flavor = Literal["frame", "file", "row"]
"""How a table is held: ``frame`` a DataFrame of the pipeline (dtypes exact), ``file`` a published
CSV or JSON read back (types as written), ``row`` a Series of figures checked as one row."""

SHOWN_FAILURES = 5
"""Failing values listed per table, column and check; the rest are counted."""

BANDS = tuple(label for _upper, label in RATIO_BANDS)
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclasses.dataclass(frozen=True)
class _Family(pandas_engine.DataType):
    """A dtype family (any float dtype, any integer dtype, …): pandera's dtype check, per kind."""

    label: str = ""
    accepts: Callable[[Any], bool] = dataclasses.field(default=lambda _dtype: True, compare=False)

    def check(self, pandera_dtype: Any, data_container: Any = None) -> bool:
        dtype = (
            data_container.dtype
            if data_container is not None
            else getattr(pandera_dtype, "type", pandera_dtype)
        )
        if (
            dtype == np.dtype(object)
            and data_container is not None
            and self.label == "number (integer or float)"
        ):
            # Integers and floats as written in one file column; any text cell (``nan``) fails.
            return all(
                isinstance(v, int | float) and not isinstance(v, bool)
                for v in data_container.tolist()
            )
        return bool(self.accepts(dtype))

    def coerce(self, data_container: Any) -> Any:
        return data_container  # a contract never converts: it only says what is wrong

    def __str__(self) -> str:
        return self.label


def _is_text(dtype: Any) -> bool:
    if isinstance(dtype, pd.CategoricalDtype):
        return (
            pd.api.types.is_string_dtype(dtype.categories.dtype) or dtype.categories.dtype == object
        )
    return pd.api.types.is_string_dtype(dtype)


def _is_int(dtype: Any) -> bool:
    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _is_float(dtype: Any) -> bool:
    return pd.api.types.is_float_dtype(dtype)


def _is_number(dtype: Any) -> bool:
    # object: ints and floats as written
    return _is_int(dtype) or _is_float(dtype) or dtype == np.dtype(object)


TEXT = _Family("text (str, string or categorical of text)", _is_text)
INTEGER = _Family("integer (int64 or Int64)", _is_int)
FLOAT = _Family("float (float64)", _is_float)
NUMBER = _Family("number (integer or float)", _is_number)
DATETIME = _Family("datetime64", lambda d: pd.api.types.is_datetime64_dtype(d))
BOOLEAN = _Family("bool", lambda d: pd.api.types.is_bool_dtype(d))


def _finite(series: pd.Series) -> pd.Series:
    return pd.Series(
        np.isfinite(series.to_numpy(dtype="float64", na_value=np.nan)), index=series.index
    )


def _whole(series: pd.Series) -> pd.Series:
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(np.isfinite(values) & (np.floor(values) == values), index=series.index)


def _not_blank(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.len() > 0


def _band_or_number(series: pd.Series) -> pd.Series:
    def ok(value: object) -> bool:
        if isinstance(value, str):
            return value in BANDS
        return isinstance(value, int | float) and bool(np.isfinite(value))

    return pd.Series([ok(v) for v in series.tolist()], index=series.index)


FINITE = pa.Check(_finite, name="finite (no inf)")
NOT_BLANK = pa.Check(_not_blank, name="not blank")

_DTYPES: dict[Flavor, dict[Kind, _Family]] = {
    "frame": {
        Kind.ID: TEXT,
        Kind.TEXT: TEXT,
        Kind.DATE: DATETIME,
        Kind.YEAR: INTEGER,
        Kind.QUARTER: INTEGER,
        Kind.COUNT: INTEGER,
        Kind.ROW: NUMBER,
        Kind.MONEY: FLOAT,
        Kind.RATE: FLOAT,
        Kind.NUMBER: FLOAT,
        Kind.FLAG: BOOLEAN,
    },
    "file": {
        Kind.ID: TEXT,
        Kind.TEXT: TEXT,
        Kind.DATE: TEXT,
        Kind.YEAR: INTEGER,
        Kind.QUARTER: INTEGER,
        Kind.COUNT: INTEGER,
        Kind.ROW: INTEGER,
        Kind.MONEY: NUMBER,
        Kind.RATE: NUMBER,
        Kind.NUMBER: NUMBER,
        Kind.FLAG: BOOLEAN,
    },
    "row": {
        Kind.YEAR: NUMBER,
        Kind.QUARTER: NUMBER,
        Kind.COUNT: NUMBER,
        Kind.ROW: NUMBER,
        Kind.MONEY: NUMBER,
        Kind.RATE: NUMBER,
        Kind.NUMBER: NUMBER,
    },
}


def _checks(kind: Kind, flavor: Flavor, low: float | None, high: float | None) -> list[pa.Check]:
    """The checks of a kind: ranges for numbers, whole numbers for counts held as floats."""
    checks: list[pa.Check] = []
    if kind is Kind.ID:
        checks.append(NOT_BLANK)
    if kind is Kind.DATE and flavor == "file":
        checks.append(pa.Check.str_matches(ISO_DATE))
    if kind in (Kind.YEAR, Kind.QUARTER, Kind.COUNT, Kind.ROW) and flavor != "file":
        checks.append(pa.Check(_whole, name="whole number"))
    if kind in (Kind.MONEY, Kind.RATE, Kind.NUMBER):
        checks.append(FINITE)
    bounds = {
        Kind.YEAR: (1900, 2200),
        Kind.QUARTER: (1, 4),
        Kind.COUNT: (0, None),
        Kind.ROW: (1, None),
        Kind.RATE: (0, 1),
    }.get(kind, (low, high))
    low, high = bounds
    if low is not None and high is not None:
        checks.append(pa.Check.in_range(low, high))
    elif low is not None:
        checks.append(pa.Check.ge(low))
    elif high is not None:
        checks.append(pa.Check.le(high))
    return checks


@cache
def schema(
    table: Table,
    flavor: Flavor = "frame",
    *,
    show_compensation: bool | None = None,
    banded: bool = False,
) -> pa.DataFrameSchema:
    """The pandera schema of a contract; published files depend on the site's privacy settings
    (None: compensation columns may or may not be there)."""
    columns: dict[str, pa.Column] = {}
    for name in table.columns:
        present = name in table.private and show_compensation is not None
        if present and not show_compensation:
            continue  # checked below: a private column must not be published
        t = table.term(name)
        nullable = table.is_nullable(name)
        if banded and name in table.banded:
            columns[name] = pa.Column(
                None,
                pa.Check(_band_or_number, name="a ratio band or a number"),
                nullable=nullable,
                required=True,
            )
            continue
        checks = _checks(t.kind, flavor, t.low, t.high)
        if name in table.values:
            checks.append(pa.Check.isin(table.values[name]))
        dtype = _DTYPES[flavor].get(t.kind, TEXT)
        optional = name in table.optional or (name in table.private and show_compensation is None)
        columns[name] = pa.Column(dtype, checks, nullable=nullable, required=not optional)
    frame_checks = []
    if show_compensation is False and table.private:
        leaked = sorted(table.private)
        frame_checks.append(
            pa.Check(
                lambda df, leaked=leaked: not any(c in df.columns for c in leaked),
                name=f"no compensation column ({', '.join(leaked)})",
            )
        )
    if table.key and all(k in columns for k in table.key):
        frame_checks.append(
            pa.Check(_unique_per_file(table.key), name=f"one row per {' + '.join(table.key)}")
        )
    if "figure" in columns and "value" in columns:
        frame_checks.append(
            pa.Check(_figures_as_written, name="a count figure is an integer, a rate a fraction")
        )
    if table.name == "inputs.deals":
        frame_checks.append(
            pa.Check(
                _won_deals_complete,
                name="won deals have an amount and a close date; lost deals a close date",
            )
        )
    return pa.DataFrameSchema(
        columns,
        checks=frame_checks,
        strict=True,
        ordered=True,
        name=table.name,
    )


def _unique_per_file(key: tuple[str, ...]) -> Callable[[pd.DataFrame], pd.Series]:
    """Rows whose key repeats (within one published file: files of one kind are checked together)."""

    def check(frame: pd.DataFrame) -> pd.Series:
        if not all(k in frame.columns for k in key):
            return pd.Series(True, index=frame.index)  # a missing column is reported on its own
        ids = frame[list(key)]
        if len(frame) and isinstance(frame.index[0], str):
            ids = ids.assign(_file=[i.rpartition(":")[0] for i in frame.index])
        return ~ids.duplicated(keep=False)

    return check


def _figures_as_written(frame: pd.DataFrame) -> pd.Series:
    """Rows of a figure/value table whose value breaks its figure's kind (``won_deals`` written 855.0)."""
    from generator.contracts.terms import TERMS

    def ok(figure: object, value: object) -> bool:
        known = TERMS.get("_".join(str(figure).lower().split()))
        if value is None or (isinstance(value, float) and np.isnan(value)) or known is None:
            return True
        if known.kind is Kind.COUNT:
            return (
                isinstance(value, int | np.integer)
                and not isinstance(value, bool)
                and int(value) >= 0
            )
        if known.kind is Kind.RATE:
            return isinstance(value, int | float | np.number) and 0 <= float(value) <= 1
        return True

    figures = frame["figure"].tolist()
    good = np.ones(len(frame), dtype=bool)
    for column in ("value", "same_span_last_year"):
        if column in frame.columns:
            good &= [ok(f, v) for f, v in zip(figures, frame[column].tolist(), strict=True)]
    return pd.Series(good, index=frame.index)


def _won_deals_complete(deals: pd.DataFrame) -> pd.Series:
    """SPEC §4: open deals may lack a close date and an amount; won and lost deals may not."""
    status = deals["status"].astype("string")
    return ~(
        ((status == "won") & deals["amount"].isna()) | ((status != "open") & deals["closed"].isna())
    )


# ---------------------------------------------------------------------------------------------
# What to check: the tables of each stage, by name


def input_tables(inputs: Any) -> Iterator[tuple[Table, pd.DataFrame]]:
    """Every configured ``Inputs`` table with its contract."""
    for name, table in INPUTS.items():
        frame = getattr(inputs, name.removeprefix("inputs."))
        if frame is not None:
            yield table, frame


def metrics_frames(
    metrics: Any, prefix: str = ""
) -> Iterator[tuple[str, pd.DataFrame | pd.Series]]:
    """Every DataFrame (and Series) of ``Metrics``, nested dataclasses and dicts included, by path."""
    for f in dataclasses.fields(metrics):
        value = getattr(metrics, f.name)
        path = f"{prefix}{f.name}"
        if isinstance(value, pd.DataFrame | pd.Series):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, pd.DataFrame):
                    yield f"{path}[{','.join(key) if isinstance(key, tuple) else key}]", item
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield from metrics_frames(value, f"{path}.")


def metrics_tables(metrics: Any) -> Iterator[tuple[Table, pd.DataFrame, Flavor]]:
    """Every table of ``Metrics`` with its contract; a table without one raises KeyError."""
    for path, frame in metrics_frames(metrics):
        if path not in METRICS:
            raise KeyError(f"Metrics.{path} has no contract in generator.contracts.tables.METRICS")
        if isinstance(frame, pd.Series):
            yield METRICS[path], frame.to_frame().T.reset_index(drop=True), "row"
        else:
            yield METRICS[path], frame, "frame"


# ---------------------------------------------------------------------------------------------
# Published files, read back as a user reads them


class _Refuse(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise _Refuse(f"{name} is not JSON (a figure that cannot be computed is null)")


_INT = re.compile(r"^-?\d+$")
_NAN_TEXT = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)


_EMPTY_DTYPE = {
    Kind.FLAG: "boolean",
    Kind.YEAR: "Int64",
    Kind.QUARTER: "Int64",
    Kind.COUNT: "Int64",
    Kind.ROW: "Int64",
    Kind.MONEY: "float64",
    Kind.RATE: "float64",
    Kind.NUMBER: "float64",
}


def _typed(values: list[object], text: bool, kind: Kind | None = None) -> pd.Series:
    """A column as written: integers stay integers, numbers numbers, ``nan`` text stays text."""
    present = [v for v in values if v is not None]
    if not present and kind in _EMPTY_DTYPE:
        # every cell empty: nothing written to judge
        return pd.Series(values, dtype=_EMPTY_DTYPE[kind])
    if text:
        return pd.Series(
            values, dtype="string" if all(isinstance(v, str) for v in present) else "object"
        )
    if all(isinstance(v, bool) for v in present) and present:
        return pd.Series(values, dtype="boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if all(isinstance(v, float) for v in present):
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        # Integers and floats mixed: kept as written (a figure/value table holds counts and money).
        return pd.Series([np.nan if v is None else v for v in values], dtype="object")
    return pd.Series(values, dtype="object")


def _cell(text: str) -> object:
    """A CSV cell as the type it is written as (empty → None)."""
    if text == "":
        return None
    if _INT.match(text):
        return int(text)
    if text in ("True", "False"):
        return text == "True"
    if _NAN_TEXT.match(text):
        return text  # not a number: the contract's dtype check names it
    try:
        return float(text)
    except ValueError:
        return text


def _kind(table: Table, column: str) -> Kind | None:
    return table.term(column).kind if column in table.columns else None


def read_published(name: str, content: str | bytes, table: Table) -> pd.DataFrame:
    """A published CSV or JSON file as a typed frame; raises ValueError for NaN/Infinity in JSON."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    texts = {c for c in table.columns if table.term(c).kind in (Kind.ID, Kind.TEXT, Kind.DATE)}
    if name.endswith(".json"):
        rows = json.loads(text, parse_constant=_refuse_constant)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise _Refuse("not a JSON array of row objects")
        names = list(rows[0]) if rows else []
        if any(list(r) != names for r in rows):
            raise _Refuse("rows do not all have the same fields in the same order")
        if not rows:  # an empty array carries no field names: the CSV twin holds the header
            return pd.DataFrame(
                {
                    c: _typed([], c in texts, _kind(table, c))
                    for c in table.columns
                    if c not in table.private and c not in table.optional
                }
            )
        return pd.DataFrame(
            {c: _typed([r[c] for r in rows], c in texts, _kind(table, c)) for c in names}
        )
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    lines = list(reader)
    if any(len(line) != len(header) for line in lines):
        raise _Refuse("a line has more or fewer cells than the header")
    columns = list(zip(*lines, strict=True)) if lines else [() for _ in header]
    return pd.DataFrame(
        {
            c: _typed(
                [(v or None) if c in texts else _cell(v) for v in cells],
                c in texts,
                _kind(table, c),
            )
            for c, cells in zip(header, columns, strict=True)
        }
    )


# ---------------------------------------------------------------------------------------------
# Running the checks and reporting every failure


def _describe(table: str, error: pa.errors.SchemaErrors | pa.errors.SchemaError) -> list[str]:
    """One line per column and check: what failed, the first failing values and their rows."""
    cases = (
        error.failure_cases
        if isinstance(error, pa.errors.SchemaErrors)
        else pd.DataFrame(
            [
                {
                    "column": getattr(error.schema, "name", None),
                    "check": str(error.check),
                    "failure_case": str(error),
                    "index": None,
                }
            ]
        )
    )
    lines = []
    cases = cases.assign(column=cases["column"].where(cases["column"] != table.split(" ")[0], None))
    for (column, check), group in cases.groupby(
        [cases["column"].fillna("(table)").astype(str), cases["check"].astype(str)], sort=False
    ):
        values = [repr(v) for v in group["failure_case"].head(SHOWN_FAILURES)]
        rows = [str(i) for i in group["index"].head(SHOWN_FAILURES) if _known(i)]
        more = f" and {len(group) - SHOWN_FAILURES:,} more" if len(group) > SHOWN_FAILURES else ""
        where = f" at rows {', '.join(rows)}" if rows else ""
        lines.append(f"{table}: {column}: {check}: {', '.join(values)}{more}{where}")
    return lines


def _known(index: object) -> bool:
    return index is not None and not pd.isna(index)  # type: ignore[call-overload]


_WRITTEN_AS: dict[str, Callable[[object], bool]] = {
    INTEGER.label: lambda v: isinstance(v, int | np.integer) and not isinstance(v, bool),
    NUMBER.label: lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool),
    BOOLEAN.label: lambda v: isinstance(v, bool | np.bool_),
    TEXT.label: lambda v: isinstance(v, str),
}


def _odd_cells(label: str, frame: pd.DataFrame, line: str) -> str:
    """A dtype failure of a column held as objects (a file read back): which cells do not fit."""
    match = re.match(
        r"^(?P<table>[^:]+): (?P<column>[^:]+): dtype\('(?P<family>.+)'\): 'object'$", line
    )
    if not match or match["column"] not in frame.columns or match["family"] not in _WRITTEN_AS:
        return line
    fits = _WRITTEN_AS[match["family"]]
    column = frame[match["column"]]
    odd = [
        (i, v)
        for i, v in zip(column.index, column.tolist(), strict=True)
        if v is not None
        and v is not pd.NA
        and not (isinstance(v, float) and np.isnan(v))
        and not fits(v)
    ]
    if not odd:
        return line
    shown = odd[:SHOWN_FAILURES]
    more = f" and {len(odd) - SHOWN_FAILURES:,} more" if len(odd) > SHOWN_FAILURES else ""
    return (
        f"{label}: {match['column']}: dtype('{match['family']}'): "
        f"{', '.join(repr(v) for _i, v in shown)}{more} at rows {', '.join(str(i) for i, _v in shown)}"
    )


def run(checks: list[tuple[str, pa.DataFrameSchema, pd.DataFrame]]) -> list[str]:
    """Every failure of every table, one line each (empty when all hold)."""
    problems: list[str] = []
    for label, contract, frame in checks:
        try:
            contract.validate(frame, lazy=True)
        except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
            problems.extend(_odd_cells(label, frame, line) for line in _describe(label, exc))
    return problems


def _raise(stage: str, problems: list[str]) -> None:
    if problems:
        raise ContractError([f"{stage}: {len(problems)} contract failure(s)", *problems])


def inputs_problems(inputs: Any) -> list[str]:
    return run([(t.name, schema(t), frame) for t, frame in input_tables(inputs)])


def metrics_problems(metrics: Any) -> list[str]:
    return run(
        [
            (f"metrics.{t.name}", schema(t, flavor), frame)
            for t, frame, flavor in metrics_tables(metrics)
        ]
    )


def published_problems(
    files: Mapping[str, str | bytes], *, show_compensation: bool | None = None, banded: bool = False
) -> list[str]:
    """Failures of the published data files (paths relative to site/data/); a file without a contract is one.

    The files of one contract (every rep's ``-history.csv``) are checked together, one pandera run
    per contract; a failing value is named by its file and row.
    """
    problems: list[str] = []
    kinds: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    contracts: dict[str, Table] = {}
    for path in sorted(files):
        table = published_contract(path)
        if table is None:
            problems.append(
                f"data/{path}: no contract (declare it in generator.contracts.tables.PUBLISHED)"
            )
            continue
        try:
            frame = read_published(path, files[path], table)
        except (ValueError, csv.Error) as exc:
            problems.append(f"data/{path}: unreadable: {exc}")
            continue
        key = f"{table.name}|{list(frame.columns)}"  # one run per contract and header
        contracts[key] = table
        kinds.setdefault(key, []).append((path, frame))
    checks = []
    for key, parts in kinds.items():
        table = contracts[key]
        # Rows are named file:line (line 1 is the header), so a failing value says where it is.
        frame = pd.concat(
            [f.set_axis([f"data/{p}:{n}" for n in range(2, len(f) + 2)]) for p, f in parts]
        )
        label = f"data/{table.name}" + (f" ({len(parts)} files)" if len(parts) > 2 else "")
        checks.append(
            (
                label,
                schema(table, "file", show_compensation=show_compensation, banded=banded),
                frame,
            )
        )
    return problems + run(checks)


def site_files(site: Path) -> dict[str, bytes]:
    """Every published data file of a built site, by its path under data/."""
    folder = site / "data"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def check_inputs(inputs: Any) -> None:
    _raise("load → metrics", inputs_problems(inputs))


def check_metrics(metrics: Any) -> None:
    _raise("metrics → site", metrics_problems(metrics))


def check_published(files: Mapping[str, str | bytes], **privacy: Any) -> None:
    _raise("site/data", published_problems(files, **privacy))
