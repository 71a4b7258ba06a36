"""Convert raw cells into typed values by documented rules; report what cannot be read, never guess.

Rules (shown on the methodology page):

- text: surrounding spaces removed; an empty cell is missing.
- money and numbers: currency symbols and codes, spaces and thousands separators
  are removed (``$1,234.50`` → 1234.5); ``(500)`` and ``500-`` are −500; with
  ``decimal: ","`` the comma is the decimal mark (``1.234,50`` → 1234.5); a
  ``thousands`` option removes that character. Anything else is not a number.
- dates: ISO 8601 (``2024-03-31``, with or without a time) unless ``date_format``
  is set (e.g. ``%m/%d/%Y``); real Excel date cells and Excel day serials in a
  date column are read as dates. Ambiguous forms like ``03/04/2024`` are never guessed.
- integers: a number with no fractional part; ``FY2024`` reads as 2024.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from generator.config import ReadOptions
from generator.schema import Kind

_CURRENCY = re.compile(r"^(?:[A-Z]{3}|[$€£¥₹])\s*|\s*(?:[A-Z]{3}|[$€£¥₹])$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_US_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_EU_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$", re.IGNORECASE)


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; empty cells are missing (<NA>)."""
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        values = values.astype("string")
    text = values.map(_cell_text, na_action="ignore") if values.dtype == object else values
    text = text.astype("string").str.strip()
    return text.mask(text == "")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return str(value)


def parse_number(values: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Numbers by the money rules; returns (values as float, mask of cells that could not be read)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        return numbers, pd.Series(False, index=values.index)
    text = as_text(values)
    present = text.notna()
    cleaned = text.fillna("")
    negative = cleaned.str.match(r"^\(.*\)$") | cleaned.str.endswith("-")
    cleaned = cleaned.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.rstrip("-")
    cleaned = cleaned.str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    cleaned = cleaned.str.replace(_CURRENCY, "", regex=True)  # "-$5" → "-5" after the sign moves
    cleaned = cleaned.str.replace(r"^-\s*[$€£¥₹]", "-", regex=True)
    if options.thousands:
        cleaned = cleaned.str.replace(options.thousands, "", regex=False)
    if options.decimal == ",":
        grouped = cleaned.str.match(_EU_GROUPED)
        cleaned = cleaned.where(~grouped, cleaned.str.replace(".", "", regex=False))
        cleaned = cleaned.str.replace(",", ".", regex=False)
    else:
        grouped = cleaned.str.match(_US_GROUPED)
        cleaned = cleaned.where(~grouped, cleaned.str.replace(",", "", regex=False))
    valid = cleaned.str.match(_PLAIN)
    numbers = pd.to_numeric(cleaned.where(valid & present), errors="coerce").astype("float64")
    numbers = numbers.where(~negative, -numbers)
    bad = present & numbers.isna()
    return numbers, bad.astype(bool)


def parse_integer(values: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Whole numbers (a fiscal-year label ``FY2024`` or ``FY 2024`` reads as 2024); returns
    (values as Int64, mask of cells that could not be read)."""
    if not pd.api.types.is_numeric_dtype(values):
        values = as_text(values).str.replace(r"^(?i:fy)\s*'?", "", regex=True)
    numbers, bad = parse_number(values, options)
    fractional = numbers.notna() & (numbers != numbers.round())
    numbers = numbers.where(~fractional)
    return numbers.round().astype("Int64"), (bad | fractional).astype(bool)


def parse_date(values: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Dates; returns (values as datetime64 at midnight, mask of cells that could not be read)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        return dates.astype("datetime64[s]").dt.normalize(), pd.Series(False, index=values.index)
    if values.dtype == object:
        # Excel cells: real dates arrive as datetime objects, serials as numbers.
        cells = values.tolist()
        is_datetime = pd.Series([hasattr(v, "year") and not pd.isna(v) for v in cells], index=values.index)
        is_number = pd.Series(
            [isinstance(v, int | float) and not isinstance(v, bool) and not pd.isna(v) for v in cells],
            index=values.index,
        )
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
        if is_datetime.any():
            out[is_datetime] = pd.to_datetime(values[is_datetime].map(_as_naive)).astype("datetime64[s]")
        if is_number.any():
            serial = pd.to_numeric(values[is_number], errors="coerce").astype("float64")
            plausible = serial.between(1, 2958465)
            out[is_number & plausible.reindex(values.index, fill_value=False)] = (
                pd.Timestamp("1899-12-30") + pd.to_timedelta(serial[plausible].round(), unit="D")
            ).astype("datetime64[s]")
        rest = ~(is_datetime | is_number)
        text_dates, text_bad = _parse_date_text(as_text(values[rest]), options)
        out[rest] = text_dates
        bad = pd.Series(False, index=values.index)
        bad[rest] = text_bad
        bad |= is_number & out.isna()
        return out.dt.normalize(), bad.astype(bool)
    return _parse_date_text(as_text(values), options)


def _as_naive(value: object) -> object:
    tz = getattr(value, "tzinfo", None)
    return value.replace(tzinfo=None) if tz is not None else value  # type: ignore[attr-defined]


def _parse_date_text(text: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    present = text.notna()
    if options.date_format:
        dates = pd.to_datetime(text, format=options.date_format, errors="coerce")
    else:
        dates = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
    dates = dates.astype("datetime64[s]").dt.normalize()
    bad = present & dates.isna()
    return dates, bad.astype(bool)


def convert(values: pd.Series, kind: Kind, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Convert one column by its field kind; returns (typed values, mask of unreadable cells)."""
    if kind is Kind.TEXT:
        return as_text(values), pd.Series(False, index=values.index)
    if kind in (Kind.MONEY, Kind.NUMBER):
        return parse_number(values, options)
    if kind is Kind.INTEGER:
        return parse_integer(values, options)
    return parse_date(values, options)


KIND_PROBLEM = {
    Kind.MONEY: "is not an amount",
    Kind.NUMBER: "is not a number",
    Kind.INTEGER: "is not a whole number",
    Kind.DATE: "is not a date",
}
"""The problem text for a cell a converter could not read."""
