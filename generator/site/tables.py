"""Tables: HTML for pages (written directly, so MkDocs need not parse them as Markdown) and the
same data as CSV/JSON downloads (SPEC §6)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from generator.metrics.definitions import Figure, Unit, figure
from generator.site import text
from generator.site.fragments import html_block
from generator.site.text import Markdown, escape

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of a page table: the field it shows, its header and how a cell is written."""

    field: str
    label: str
    fmt: Callable[[object], str] = escape
    """Turns a value into cell text that is safe in HTML (the default escapes data text)."""
    numeric: bool = False
    link: str | None = None
    """Field holding the URL of this cell's link, relative to the page."""
    private: bool = False
    """Compensation (the registry's ``private`` flag): left out unless privacy.show_compensation is true."""

    @classmethod
    def of(cls, name: str, header: str | None = None, *, currency: str = "", period: str = "",
           fmt: Callable[[object], str] | None = None, link: str | None = None, field: str | None = None,
           unit: Unit | None = None, numeric: bool | None = None) -> Column:
        """The column of a registry figure: its header (one the registry declares), format and alignment.

        ``header`` picks one of the figure's declared headers (default: its own); ``{period}`` in it
        becomes ``period``, and a money header gets `` (currency)``. ``field`` reads the cells from
        another column of the frame (a display text such as a year's label). ``fmt`` replaces the
        unit's format where a table needs its own (a sign, a band); ``unit`` shows the figure in
        another unit (a target that is a revenue goal is money); ``numeric`` right-aligns a text cell.
        """
        entry = figure(name)
        if unit is not None:
            entry = replace(entry, unit=unit)
        if header is None:
            header = entry.heading
        elif header not in entry.headers:
            raise ValueError(f"{header!r} is not a header of {name!r} in the metric registry "
                             f"(declared: {', '.join(map(repr, entry.headers))})")
        header = header.replace("{period}", period)
        if entry.unit is Unit.MONEY and currency:
            header = f"{header} ({currency})"
        return cls(field or name, header, fmt or cell_format(entry),
                   numeric=entry.numeric if numeric is None else numeric, link=link, private=entry.private)


def cell_format(entry: Figure) -> Callable[[object], str]:
    """How a page writes a figure of this unit (the data files keep the exact value)."""
    if entry.unit is Unit.NUMBER:
        digits = entry.digits
        return lambda v: text.number(v, digits)
    return _UNIT_FORMATS[entry.unit]


_UNIT_FORMATS: dict[Unit, Callable[[object], str]] = {
    Unit.MONEY: text.money, Unit.FRACTION: text.percent, Unit.CHANGE: text.change, Unit.POINTS: text.points,
    Unit.COUNT: text.integer, Unit.DAYS: text.number, Unit.RATIO: text.ratio, Unit.TEXT: escape,
    Unit.DATE: text.day, Unit.FLAG: escape,
}


def table_rows(frame: pd.DataFrame, columns: Sequence[Column]) -> list[str]:
    """One ``<tr>`` per row of ``frame``, cells formatted column by column."""
    if not len(frame):
        return []
    cells: list[list[str]] = []
    for c in columns:
        text = [c.fmt(v) for v in frame[c.field].tolist()]
        if c.link:
            text = [f'<a href="{escape(href)}">{t}</a>' if isinstance(href, str) and t else t
                    for t, href in zip(text, frame[c.link].tolist(), strict=True)]
        opening = '<td class="sp-num">' if c.numeric else "<td>"
        cells.append([f"{opening}{t}</td>" for t in text])
    return ["<tr>" + "".join(row) + "</tr>" for row in zip(*cells, strict=True)]


def html_table(columns: Sequence[Column], rows: Sequence[str], csv_href: str | None,
               sortable: bool = True) -> Markdown:
    """A table (data already escaped in ``rows``) with its CSV download link under it."""
    if rows:
        head = "".join(f'<th class="sp-num">{escape(c.label)}</th>' if c.numeric else f"<th>{escape(c.label)}</th>"
                       for c in columns)
        table = (f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")
        # Material's own wrappers: a wide table scrolls instead of being cut off.
        table = f'<div class="md-typeset__scrollwrap"><div class="md-typeset__table">\n{table}\n</div></div>'
        body = f'<div class="sp-sortable">\n{table}\n</div>' if sortable else f"<div>\n{table}\n</div>"
    else:
        body = '<p class="sp-empty"><em>No rows.</em></p>'
    if csv_href:
        body += f'\n<p class="sp-download"><a href="{escape(csv_href)}" download>Download CSV</a></p>'
    return html_block(body)


def frame_table(frame: pd.DataFrame, columns: Sequence[Column], csv_href: str | None,
                   sortable: bool = True) -> Markdown:
    """A page table of every row of ``frame``."""
    return html_table(columns, table_rows(frame, columns), csv_href, sortable)


def _guard(text: str) -> str:
    """Neutralise a spreadsheet formula at the start of a text cell (SPEC §7)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _all_numbers(column: pd.Series) -> bool:
    """An object column whose cells are all numbers or missing (not bools, not text)."""
    present = [v for v in column.tolist() if v is not None and v is not pd.NA
               and not (isinstance(v, float) and math.isnan(v))]
    return bool(present) and all(isinstance(v, int | float | np.integer | np.floating)
                                 and not isinstance(v, bool | np.bool_) for v in present)


def _export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%Y-%m-%d").astype("string")
        elif pd.api.types.is_bool_dtype(column):
            out[name] = column.astype("boolean")
        elif column.dtype == object and _all_numbers(column):
            continue  # a figure/value column: each number keeps its own type (a count stays 855)
        elif pd.api.types.is_string_dtype(column) or column.dtype == object:
            out[name] = column.astype("string")
    return out


def _csv_cells(column: pd.Series) -> list[str]:
    """Cells of one column as CSV text: missing → empty; floats unrounded; formulas guarded."""
    values = column.tolist()
    if pd.api.types.is_string_dtype(column):
        return ["" if v is None or v is pd.NA else _guard(v) for v in values]
    if pd.api.types.is_float_dtype(column):
        return ["" if v is None or v is pd.NA or math.isnan(v) else repr(float(v)) for v in values]
    return ["" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]


def csv_lines(frame: pd.DataFrame) -> tuple[str, list[str]]:
    """CSV header line and one line per row, so per-entity files can be cut from one table."""
    out = _export_frame(frame)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(out.columns))
    header = buffer.getvalue()
    if not len(out):
        return header, []
    columns = [_csv_cells(out[name]) for name in out.columns]
    start = buffer.tell()
    ends = []
    for row in zip(*columns, strict=True):
        writer.writerow(row)
        ends.append(buffer.tell())
    text = buffer.getvalue()
    starts = [start, *ends[:-1]]
    return header, [text[a:b] for a, b in zip(starts, ends, strict=True)]


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text: money unrounded, empty cells for missing figures, formulas neutralised."""
    header, lines = csv_lines(frame)
    return header + "".join(lines)


def _json_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _json_cells(column: pd.Series) -> list[object]:
    """One column as JSON-ready Python values (missing → None), converted column-wise: a per-cell
    conversion of a million-row table costs seconds."""
    if pd.api.types.is_float_dtype(column) and not isinstance(column.dtype, pd.ArrowDtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        cells: list[object] = values.tolist()
        if np.isnan(values).any():
            for i in np.flatnonzero(np.isnan(values)).tolist():
                cells[i] = None
        return cells
    if pd.api.types.is_integer_dtype(column) and not column.hasnans:
        return column.to_numpy(dtype="int64").tolist()
    if pd.api.types.is_string_dtype(column) and column.dtype != object:
        return [None if v is None or v is pd.NA else v for v in column.tolist()]
    # Object columns may mix numbers and text (figure/value tables): each cell keeps its own type.
    return [_json_value(v) for v in column.tolist()]


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON-ready dicts (missing → null, dates as YYYY-MM-DD)."""
    out = _export_frame(frame)
    names = list(out.columns)
    columns = [_json_cells(out[name]) for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def to_json(frame: pd.DataFrame) -> str:
    """JSON array of row objects."""
    return json.dumps(records(frame), ensure_ascii=False, indent=None, separators=(",", ":")) + "\n"
