"""Tables: HTML for pages (written directly, so MkDocs need not parse them as Markdown) and the
same data as CSV/JSON downloads (SPEC §6)."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from generator.metrics.definitions import Figure, Unit, figure
from generator.site import text
from generator.site.fragments import html_block
from generator.site.privacy import BAND_ORDER, band_rank
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
    key: bool | None = None
    """Shown when the table is wide (more than ``WIDE_FROM`` columns); None: the first ``KEY_COLUMNS``
    columns and the value ratio are key, the others sit behind the "all columns" toggle."""
    value: str | None = None
    """Field holding the raw number a cell sorts by, when ``field`` holds display text (a year's label)."""
    facet: bool = False
    """An entity index offers a select of this column's values (team, region, status)."""
    suffix: str | None = None
    """Field holding HTML (already escaped) written after the cell's text: a "not ranked" mark."""

    @classmethod
    def of(
        cls,
        name: str,
        header: str | None = None,
        *,
        currency: str = "",
        period: str = "",
        fmt: Callable[[object], str] | None = None,
        link: str | None = None,
        field: str | None = None,
        unit: Unit | None = None,
        numeric: bool | None = None,
    ) -> Column:
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
            raise ValueError(
                f"{header!r} is not a header of {name!r} in the metric registry "
                f"(declared: {', '.join(map(repr, entry.headers))})"
            )
        header = header.replace("{period}", period)
        if entry.unit is Unit.MONEY and currency:
            header = f"{header} ({currency})"
        return cls(
            field or name,
            header,
            fmt or cell_format(entry),
            numeric=entry.numeric if numeric is None else numeric,
            link=link,
            private=entry.private,
        )


def cell_format(entry: Figure) -> Callable[[object], str]:
    """How a page writes a figure of this unit (the data files keep the exact value)."""
    if entry.unit is Unit.NUMBER:
        digits = entry.digits
        return lambda v: text.number(v, digits)
    return _UNIT_FORMATS[entry.unit]


_UNIT_FORMATS: dict[Unit, Callable[[object], str]] = {
    Unit.MONEY: text.money,
    Unit.FRACTION: text.percent,
    Unit.CHANGE: text.change,
    Unit.POINTS: text.points,
    Unit.COUNT: text.integer,
    Unit.DAYS: text.number,
    Unit.RATIO: text.ratio,
    Unit.TEXT: escape,
    Unit.DATE: text.day,
    Unit.FLAG: escape,
}


WIDE_FROM = 9
"""A table of this many columns or more shows its key columns; the others are one click away."""

KEY_COLUMNS = 5
"""Columns a wide table shows by default (besides any column marked ``key`` and the value ratio)."""

PAGE_SIZE = 50
"""Rows per page of a paginated table (the browser script pages any table longer than this)."""

INLINE_BYTES = 250_000
"""Above this much row HTML an index table carries only its first page in the page itself; the
browser loads every row from a fragment file beside the data (``data/rows/``), so no page grows
past 1 MB at 5,000 reps."""

TOP_BOTTOM = 10
"""A long list on a summary page shows its first and last this many rows (all are in the CSV)."""


LONG_TABLE_ROWS = 2 * TOP_BOTTOM + 1
"""More rows than a top-and-bottom list (and its gap line): a table that scrolls in its own box."""


def sort_value(value: object) -> str:
    """The ``data-value`` of a cell: the raw number a browser sorts by ("" when missing or text).

    A privacy band (``1–2``) sorts by its rank among the bands, so banded ratios still order."""
    if isinstance(value, bool | np.bool_) or value is None or value is pd.NA:
        return ""
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "" if not math.isfinite(value) else f"{float(value):.9g}"
    if isinstance(value, str):
        rank = BAND_ORDER.get(value)
        return "" if rank is None else str(rank)
    return ""


def _sort_values(column: pd.Series) -> list[str]:
    """``sort_value`` of each cell of ``column``; a NumPy float or integer column is converted whole."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
        values = column.to_numpy()
        return [
            f"{v:.9g}" if finite else ""
            for v, finite in zip(values.tolist(), np.isfinite(values).tolist(), strict=True)
        ]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return list(map(str, column.tolist()))
    return [sort_value(v) for v in column.tolist()]


def _key_flags(columns: Sequence[Column]) -> list[bool]:
    """Which columns a table shows before "all columns" is ticked (all of them when it is narrow)."""
    if len(columns) < WIDE_FROM:
        return [True] * len(columns)
    return [
        c.key if c.key is not None else (i < KEY_COLUMNS or c.field == "value_ratio")
        for i, c in enumerate(columns)
    ]


def shown_order(columns: Sequence[Column]) -> tuple[list[Column], int]:
    """The columns as a table writes them, key columns first, and how many are key: the stylesheet
    hides every column past that count until "all columns" is ticked (no class on every cell)."""
    keys = _key_flags(columns)
    ordered = [c for c, k in zip(columns, keys, strict=True) if k] + [
        c for c, k in zip(columns, keys, strict=True) if not k
    ]
    return ordered, keys.count(True)


FILTER_TERMS = "filter_terms"
"""A frame column of words the index filter matches besides the cells' text (a rep's id)."""


def table_rows(frame: pd.DataFrame, columns: Sequence[Column]) -> list[str]:
    """One ``<tr>`` per row of ``frame``, cells formatted column by column (key columns first, see
    ``shown_order``); a number cell carries its raw value in ``data-value`` ("" when missing), so
    sorting never parses formatted text, and the stylesheet right-aligns it."""
    if not len(frame):
        return []
    cells: list[list[str]] = []
    for c in shown_order(columns)[0]:
        values = frame[c.field].tolist()
        text = [c.fmt(v) for v in values]
        if c.link:
            text = [
                f'<a href="{escape(href)}">{t}</a>' if isinstance(href, str) and t else t
                for t, href in zip(text, frame[c.link].tolist(), strict=True)
            ]
        if c.suffix and c.suffix in frame:
            text = [
                t + (s if isinstance(s, str) else "")
                for t, s in zip(text, frame[c.suffix].tolist(), strict=True)
            ]
        if c.numeric:
            raw = _sort_values(frame[c.value or c.field])
            cells.append([f'<td data-value="{v}">{t}</td>' for t, v in zip(text, raw, strict=True)])
        else:
            cells.append([f"<td>{t}</td>" for t in text])
    if FILTER_TERMS in frame:
        # What the filter box also matches that no shown cell holds (a rep's id).
        starts = [
            f'<tr data-terms="{escape(t)}">' if isinstance(t, str) and t else "<tr>"
            for t in frame[FILTER_TERMS].tolist()
        ]
        return [
            start + "".join(row) + "</tr>"
            for start, row in zip(starts, zip(*cells, strict=True), strict=True)
        ]
    return ["<tr>" + "".join(row) + "</tr>" for row in zip(*cells, strict=True)]


def _header(column: Column, sorted_by: str | None) -> str:
    attrs = [
        'class="sp-num"' if column.numeric else "",
        'scope="col"',
        f'data-field="{escape(column.field)}"',
    ]
    if column.numeric:
        attrs.append('data-type="number"')
    if column.facet:
        attrs.append("data-facet")
    if sorted_by == column.field:
        attrs.append('aria-sort="descending"')
    return f"<th {' '.join(a for a in attrs if a)}>{escape(column.label)}</th>"


@lru_cache(maxsize=1024)
def _head(columns: tuple[Column, ...], sorted_by: str | None) -> str:
    """The header cells of a table: the same for every rep's (or team's) table of a kind, so written once."""
    return "".join(_header(c, sorted_by) for c in columns)


def html_table(
    columns: Sequence[Column],
    rows: Sequence[str],
    csv_href: str | None,
    sortable: bool = True,
    *,
    sorted_by: str | None = None,
    index: bool = False,
    rows_src: str | None = None,
    total: int | None = None,
    noun: str = "rows",
) -> Markdown:
    """A table (data already escaped in ``rows``) with its CSV download link under it.

    ``sorted_by``: the field the rows are already in (highest first), marked ``aria-sort``;
    ``index``: an entity index (filter box and selects); ``rows_src``: the fragment holding every
    row when ``rows`` is only the first page, ``total`` rows in all. A table of ``WIDE_FROM`` columns
    or more shows its key columns and a toggle for the rest."""
    if rows:
        ordered, keys = shown_order(columns)
        head = _head(tuple(ordered), sorted_by)
        table = (
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows)
            + "\n</tbody>\n</table>"
        )
        # Material wraps every table in its own scroll box (md-typeset__scrollwrap) when the page loads;
        # a second box written here would hold the sticky header and first column in the wrong one.
        hidden = len(columns) - keys
        toggle = (
            f'<label class="sp-more-toggle"><input type="checkbox"> Show all {len(columns)} columns '
            f"({hidden} more)</label>\n"
            if hidden
            else ""
        )
        # Only a long table scrolls in a box of its own (80 % of the screen, its header sticky in it): a
        # short list (a top and bottom 10, an owner's goals) shows every row whole, with no inner scroll.
        long = bool(index or rows_src) or len(rows) > LONG_TABLE_ROWS
        classes = [
            "sp-table",
            *(["sp-sortable"] if sortable else []),
            *(["sp-index"] if index else []),
            *(["sp-long"] if long else []),
        ]
        attrs = [
            f'class="{" ".join(classes)}"',
            f'data-noun="{escape(noun)}"' if index else "",
            f'data-keys="{keys}"' if hidden else "",
        ]
        if rows_src:
            attrs += [f'data-rows-src="{escape(rows_src)}"', f'data-total="{total}"']
        body = f"<div {' '.join(a for a in attrs if a)}>\n{toggle}{table}\n</div>"
    else:
        body = '<p class="sp-empty"><em>No rows.</em></p>'
    if csv_href:
        body += (
            f'\n<p class="sp-download"><a href="{escape(csv_href)}" download>Download CSV</a></p>'
        )
    return html_block(body)


def frame_table(
    frame: pd.DataFrame, columns: Sequence[Column], csv_href: str | None, sortable: bool = True
) -> Markdown:
    """A page table of every row of ``frame``."""
    return html_table(columns, table_rows(frame, columns), csv_href, sortable)


def by_ratio(frame: pd.DataFrame, name: str, field: str = "value_ratio") -> pd.DataFrame:
    """Rows by value ratio, highest first, empty last, then by ``name`` (an entity index's default
    order), ranked reps before the others when ``frame`` has ``ranked``; a privacy band sorts by its rank."""
    if field not in frame.columns:
        return frame.sort_values(name, kind="stable")
    key = frame[field].map(band_rank).astype("float64")
    # Ranked reps first (when the frame says who is): a former or one-client rep's ratio is shown,
    # never at the top of the first view.
    ranked = frame["ranked"].fillna(False).astype(bool) if "ranked" in frame.columns else True
    order = frame.assign(_ranked=ranked, _ratio=key).sort_values(
        ["_ranked", "_ratio", name],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    )
    return order.drop(columns=["_ranked", "_ratio"])


@dataclass(frozen=True)
class IndexTable:
    """An entity index table: its HTML and, at scale, the fragment file of all its rows."""

    html: Markdown
    files: dict[str, str]


def index_table(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    csv_href: str | None,
    *,
    here: str,
    name: str,
    noun: str = "rows",
    sorted_by: str | None = "value_ratio",
) -> IndexTable:
    """An entity index (reps, teams, managers, segments): ``frame`` already in its default order,
    a filter box and selects, sortable, paginated; past ``INLINE_BYTES`` of rows the page carries the
    first page and ``data/rows/<name>.json`` every row (a JSON list of each row's HTML). ``here``: the page's docs path; ``noun``: what
    a row is ("reps"), for the filter box and the row count."""
    from generator.site.common import link  # common builds on this module's columns

    rows = table_rows(frame, columns)
    sorted_by = sorted_by if sorted_by in {c.field for c in columns} else None
    if sum(len(r) + 1 for r in rows) <= INLINE_BYTES:
        return IndexTable(
            html_table(columns, rows, csv_href, sorted_by=sorted_by, index=True, noun=noun), {}
        )
    path = f"data/rows/{name}.json"
    html = html_table(
        columns,
        rows[:PAGE_SIZE],
        csv_href,
        sorted_by=sorted_by,
        index=True,
        rows_src=link(here, path),
        total=len(rows),
        noun=noun,
    )
    # JSON (a list of the rows' HTML), not an .html file: it is data the table script reads, never a page.
    return IndexTable(
        html, {path: json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\n"}
    )


def top_and_bottom(frame: pd.DataFrame, count: int = TOP_BOTTOM) -> tuple[pd.DataFrame, int]:
    """The first and last ``count`` rows of an ordered ``frame`` (all of it when short), and how many
    rows were left out between them."""
    if len(frame) <= 2 * count:
        return frame, 0
    return pd.concat([frame.head(count), frame.tail(count)]), len(frame) - 2 * count


def long_list(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    csv_href: str | None,
    where: str,
    count: int = TOP_BOTTOM,
) -> Markdown:
    """A long list on a summary page: its first and last ``count`` rows (``frame`` is already in the
    order that makes them the top and the bottom), a line saying how many more there are and
    ``where`` all of them are (the CSV always holds every row)."""
    shown, left_out = top_and_bottom(frame, count)
    rows = table_rows(shown, columns)
    if not left_out:
        return html_table(columns, rows, csv_href, sortable=len(rows) > 1)
    shown_columns = shown_order(columns)[1]
    gap = (
        f'<tr class="sp-gap"><td colspan="{shown_columns}"><em>… {left_out:,} more between the top {count} and '
        f"the bottom {count} (all {len(frame):,} {where} and in the CSV)</em></td></tr>"
    )
    return html_table(columns, [*rows[:count], gap, *rows[count:]], csv_href, sortable=False)


def tabs(name: str, items: Sequence[tuple[str, str]]) -> Markdown:
    """Material content tabs (pymdownx.tabbed's ``alternate_style`` markup), the first selected.

    Written as HTML because a table in a tab is raw HTML, which Markdown does not read when it is
    indented under ``=== "label"``; ``name`` keeps this set's inputs apart from any other set's."""
    if not items:
        return Markdown("")
    group = f"sp-tabs-{name}"
    inputs = "".join(
        f'<input {"checked " if i == 0 else ""}id="{group}-{i}" name="{group}" type="radio">'
        for i in range(len(items))
    )
    labels = "".join(
        f'<label for="{group}-{i}">{escape(label)}</label>' for i, (label, _) in enumerate(items)
    )
    blocks = "\n".join(f'<div class="tabbed-block">\n{body}\n</div>' for _, body in items)
    return html_block(
        f'<div class="tabbed-set tabbed-alternate" data-tabs="{len(items)}">{inputs}'
        f'<div class="tabbed-labels">{labels}</div>\n<div class="tabbed-content">\n{blocks}\n</div>\n</div>'
    )


_DOWNLOAD = re.compile(r'<p class="sp-download"><a href="([^"]*)" download>Download CSV</a></p>')
"""A table's download link. It starts with a literal, which ``re`` finds with a fast substring search:
an optional line break before it would make it try a match at every character of a page."""


def split_downloads(body: str) -> tuple[Markdown, list[str]]:
    """``body`` without the per-table "Download CSV" links ``html_table`` wrote into it (with the line
    break before each, if any), and their hrefs in order: a page that lists its files in one menu
    (``download_menu``) gathers them here."""
    kept: list[str] = []
    hrefs: list[str] = []
    end = 0
    for match in _DOWNLOAD.finditer(body):
        start = match.start()
        kept.append(body[end : start - 1 if body[start - 1 : start] == "\n" else start])
        hrefs.append(html.unescape(match.group(1)))
        end = match.end()
    if not hrefs:  # most blocks (a chart's spec) have no link: not copied
        return body if isinstance(body, Markdown) else Markdown(body), hrefs
    kept.append(body[end:])
    return Markdown("".join(kept)), hrefs


def download_menu(hrefs: Sequence[str], extra: Sequence[tuple[str, str]] = ()) -> Markdown:
    """One "Download data" menu (a collapsed ``<details>``) listing a page's data files by name, then
    ``extra`` (label, href) links; empty when there is nothing to download."""
    items = [
        f'<li><a href="{escape(h)}" download>{escape(h.rsplit("/", 1)[-1])}</a></li>'
        for h in dict.fromkeys(hrefs)
    ]
    items += [f'<li><a href="{escape(h)}" download>{escape(label)}</a></li>' for label, h in extra]
    if not items:
        return Markdown("")
    return html_block(
        f'<details class="sp-downloads abstract"><summary>Download data ({len(items)} files)</summary>\n'
        f"<ul>{''.join(items)}</ul>\n</details>"
    )


def _all_numbers(column: pd.Series) -> bool:
    """An object column whose cells are all numbers or missing (not bools, not text)."""
    present = [
        v
        for v in column.tolist()
        if v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v))
    ]
    return bool(present) and all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
        for v in present
    )


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
    """Cells of one column as CSV text: missing → empty; floats unrounded; formulas guarded.

    Number columns are converted whole (``repr`` of each float, missing ones blanked after): a
    per-cell test of a 150,000-row column costs a tenth of a second."""
    if pd.api.types.is_string_dtype(column):
        # A spreadsheet formula at the start of a text cell is neutralised (SPEC §7).
        return [
            "" if v is None or v is pd.NA else ("'" + v if v.startswith(FORMULA_START) else v)
            for v in column.tolist()
        ]
    if pd.api.types.is_float_dtype(column):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        cells = list(map(repr, values.tolist()))
        for i in np.flatnonzero(np.isnan(values)).tolist():
            cells[i] = ""
        return cells
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return list(map(str, column.tolist()))
    return [
        "" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
        for v in column.tolist()
    ]


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
    if len(columns) == 1:  # a row of one empty field is written '""': leave that to the csv module
        start = buffer.tell()
        ends = []
        for row in zip(*columns, strict=True):
            writer.writerow(row)
            ends.append(buffer.tell())
        text = buffer.getvalue()
        return header, [text[a:b] for a, b in zip([start, *ends[:-1]], ends, strict=True)]
    line = ",".join(["%s"] * len(columns)) + "\n"
    return header, [line % row for row in zip(*map(_quoted, columns), strict=True)]


_CSV_SPECIAL = re.compile(r'[,"\n\r]')
"""Characters that may make the csv module quote a field (it decides; a field without them is as is)."""


def _quoted(cells: list[str]) -> list[str]:
    """A column's cells as fields of a CSV line: a cell with a delimiter, quote or line break quoted by
    the csv module (tested in one string for the whole column: most columns have none)."""
    if not _CSV_SPECIAL.search("".join(cells)):
        return cells
    return [_csv_field(c) if _CSV_SPECIAL.search(c) else c for c in cells]


def _csv_field(cell: str) -> str:
    """One non-empty field as the csv module writes it (``QUOTE_MINIMAL``)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([cell])
    return buffer.getvalue()[:-1]


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


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""One value as compact JSON, exactly as ``json.dumps`` writes it inside ``to_json``'s rows."""

_PLAIN_TYPES = frozenset({type(None), bool, int, float})
"""Values whose JSON never holds a comma: a column of them is written by one ``json.dumps`` and split."""


def _json_texts(cells: list[object]) -> list[str]:
    """Each cell of a column as its JSON text."""
    if set(map(type, cells)) <= _PLAIN_TYPES:
        return _encode(cells)[1:-1].split(",")
    return list(map(_encode, cells))


def to_json(frame: pd.DataFrame) -> str:
    """JSON array of row objects: ``json.dumps(records(frame))`` (compact), written column by column.

    Each column's values are encoded at once and each row is filled into one template
    (``{"year":%s,…}``): a dict per row through the encoder costs half a second at 1,000 reps."""
    out = _export_frame(frame)
    names = list(out.columns)
    if not len(out) or not names or not all(isinstance(name, str) for name in names):
        return _encode(records(out)) + "\n"
    row = "{" + ",".join(_encode(name).replace("%", "%%") + ":%s" for name in names) + "}"
    columns = [_json_texts(_json_cells(out[name])) for name in names]
    return "[" + ",".join([row % cells for cells in zip(*columns, strict=True)]) + "]\n"
