"""Tables: Markdown for pages, and the same data as CSV/JSON downloads (SPEC §6)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.site.text import Markdown, escape

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of a page table: the field it shows, its header and how a cell is written."""

    field: str
    label: str
    fmt: Callable[[object], str] = escape
    numeric: bool = False
    link: str | None = None
    """Field holding a relative link for this cell (the cell text becomes a link)."""


def markdown_table(frame: pd.DataFrame, columns: Sequence[Column], csv_href: str | None,
                   sortable: bool = True) -> Markdown:
    """A Markdown table (data text escaped) with a CSV download link under it."""
    if not len(frame):
        body = "*No rows.*"
    else:
        head = "| " + " | ".join(escape(c.label) for c in columns) + " |"
        rule = "| " + " | ".join("---:" if c.numeric else ":---" for c in columns) + " |"
        cells = []
        for c in columns:
            text = [c.fmt(v) for v in frame[c.field].tolist()]
            if c.link:
                text = [f"[{t}]({href})" if isinstance(href, str) and t else t
                        for t, href in zip(text, frame[c.link].tolist(), strict=True)]
            cells.append(text)
        rows = ["| " + " | ".join(r) + " |" for r in zip(*cells, strict=True)]
        body = "\n".join([head, rule, *rows])
        if sortable:
            body = '<div class="sp-sortable" markdown>\n\n' + body + "\n\n</div>"
    if csv_href:
        body += f"\n\n[Download CSV]({csv_href}){{ .sp-download }}"
    return Markdown(body)


def _guard(text: str) -> str:
    """Neutralise a spreadsheet formula at the start of a text cell (SPEC §7)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%Y-%m-%d").astype("string")
        elif pd.api.types.is_bool_dtype(column):
            out[name] = column.astype("boolean")
        elif pd.api.types.is_string_dtype(column) or column.dtype == object:
            out[name] = column.astype("string")
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text: money unrounded, empty cells for missing figures, formulas neutralised."""
    out = _export_frame(frame)
    for name in out.columns:
        if pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].map(_guard, na_action="ignore")
    return out.to_csv(index=False, lineterminator="\n", na_rep="")


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


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON-ready dicts (missing → null, dates as YYYY-MM-DD)."""
    out = _export_frame(frame)
    names = list(out.columns)
    return [
        {n: _json_value(v) for n, v in zip(names, row, strict=True)}
        for row in out.itertuples(index=False, name=None)
    ]


def to_json(frame: pd.DataFrame) -> str:
    """JSON array of row objects."""
    return json.dumps(records(frame), ensure_ascii=False, indent=None, separators=(",", ":")) + "\n"
