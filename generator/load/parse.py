"""Convert raw cells into typed values by documented rules; report what cannot be read, never guess.

Rules (shown on the methodology page and in the README):

- text: surrounding spaces (any Unicode space) removed, then Unicode NFC, so a composed and a
  decomposed ``Zürich`` are one value; an empty cell is missing.
- money and numbers: a currency marker before or after the number is set aside (``$1,234.50`` →
  1234.5 with marker ``$``; the loader checks it names the site currency); ``(500)``, ``500-``
  and ``−500`` (U+2212) are −500; the decimal mark is ``options.decimal`` or the CLDR mark of
  ``options.locale``; grouping is the other mark (or the locale's), a space of any width or an
  apostrophe, always in groups of three (or the Indian 2-2-3); ``thousands`` adds a grouping
  character. ``inf``, ``NaN``, ``1e999`` and digit runs beyond the float range are not numbers.
  Anything else is not a number.
- dates: ISO 8601 (``2024-03-31``, with or without a time) unless ``date_format`` is set (e.g.
  ``%m/%d/%Y``); a timestamp with a UTC offset (``Z``, ``-05:00``) is read as its own local
  calendar date; real Excel date cells, and Excel day numbers (5 digits, 1900 date system) in a
  text column, are read as dates; a date before 1900 or after 2100 is not read. Ambiguous forms
  like ``03/04/2024`` are never guessed.
- integers: a number with no fractional part; ``FY2024`` reads as 2024.

Every converter works on the distinct strings of a column (``pd.factorize``) and maps the result
back, so a million cells cost what their distinct values cost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from generator.config import ReadOptions
from generator.load.currency import is_currency_marker, iso_codes
from generator.schema import Kind

FIRST_DATE, LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")
"""The plausible window: a date outside it is a typo or a placeholder, never read."""

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
"""Day 0 of Excel's 1900 date system (serial 1 is 1900-01-01; the 1900 leap-day bug is before 1927)."""
SERIAL_RANGE = (10_000, (LAST_DATE - EXCEL_EPOCH).days)
"""Day numbers read as dates in a text column: five digits (1927-05-18) up to the end of the window."""

_FISCAL_YEAR = r"^(?i:fy)\s*'?"
_SPACES = "\u00a0\u2007\u2009\u202f"
"""No-break, figure, thin and narrow no-break spaces: grouping in many locales, read as a space."""
_INVISIBLE = "[\u200b\u2060\ufeff\u200e\u200f\u00ad]"
"""Zero-width space, word joiner, zero-width no-break space (a stray byte-order mark), left-to-right
and right-to-left marks, soft hyphen: invisible, pasted in from web pages, and never part of an id or a
label. (Zero-width joiners stay: some scripts and emoji need them.)"""
INVISIBLE_NOTE = "invisible characters removed (zero-width space, word joiner, byte-order mark, direction mark or soft hyphen)"
_NOT_FINITE = frozenset(
    {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "-nan", "+nan"}
)
_OFFSET = r"(?:[Zz]|\s*(?:UTC|GMT)|\s*(?:UTC|GMT)?[+-]\d{2}(?::?\d{2})?)$"
_STAMP_WITH_OFFSET = r"^(\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)" + _OFFSET

MAX_MAGNITUDE = 1e15
"""Numbers this large (a thousand trillion) or larger are not read: no export holds such an amount,
and sums, squares and projections of them would overflow to infinity on the site."""

NOT_FINITE = "is not a finite number (infinite, NaN or beyond the range of numbers)"
TOO_LARGE = "is beyond the plausible range of numbers (a thousand trillion or more)"
OUTSIDE_WINDOW = f"is outside the plausible window {FIRST_DATE.year}–{LAST_DATE.year}"


LISTED_CELLS = 1000
"""Cells read by one rule in one column of one file that are listed one by one; past this, the rest
are one finding with their count (a million ``$`` markers would otherwise be a million rows)."""


@dataclass(frozen=True)
class Note:
    """Cells of one column read by a documented rule: each of the first ``LISTED_CELLS`` is listed
    as info with its row and raw value, the rest as one line with their count."""

    problem: str
    count: int
    first: int
    """Position (0-based) of the first such cell in the column."""
    value: str | None = None
    """That first cell, as written."""
    cells: tuple[int, ...] = ()
    """Positions (0-based) of the first ``LISTED_CELLS + 1`` such cells, in column order."""


@dataclass(frozen=True)
class Converted:
    """One column converted by its field kind.

    ``values`` is typed (float64, Int64, datetime64[s] at midnight, or string); ``bad`` is True
    where a present cell could not be read (its value is then missing); ``reasons`` gives the
    problem of each bad cell when it is not the kind's usual one (None: ``KIND_PROBLEM``);
    ``markers`` the currency marker of each number cell (None when no cell had one); ``notes``
    the cells read by a rule worth telling (serial dates, offsets, negatives, locale marks).
    """

    values: pd.Series
    bad: pd.Series
    reasons: pd.Series | None = None
    markers: pd.Series | None = None
    notes: tuple[Note, ...] = ()
    ambiguous: pd.Series | None = None
    """Where a number was read with a lone mark before three digits (``12.000``), the reason to refuse
    it, which the loader applies unless the site currency has three minor digits (None when no cell
    was read so; <NA> for the other cells)."""


def as_text(values: pd.Series) -> pd.Series:
    """Cells as text: invisible characters removed, outer spaces trimmed, Unicode NFC; empty cells are missing (<NA>)."""
    return _text(values)[0]


def _text(values: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """``as_text``, and the mask of cells that held invisible characters (None when none did)."""
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        values = values.astype("string")
    text = values.map(_cell_text, na_action="ignore") if values.dtype == object else values
    text = text.astype("string").str.strip()
    ascii_only = text.str.isascii().fillna(True).to_numpy(dtype=bool)
    invisible = None
    if not ascii_only.all():
        # Only non-ASCII cells can hold invisible characters or differ between compositions; normalising
        # just those stays cheap.
        text = text.copy()
        other = text[~ascii_only]
        hidden = other.str.contains(_INVISIBLE, regex=True).fillna(False).to_numpy(dtype=bool)
        if hidden.any():
            other = other.str.replace(_INVISIBLE, "", regex=True)
            invisible = np.zeros(len(text), dtype=bool)
            invisible[np.flatnonzero(~ascii_only)[hidden]] = True
        text[~ascii_only] = other.str.normalize("NFC").str.strip()
    return text.mask(text == ""), invisible


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def number_marks(options: ReadOptions) -> tuple[str, str]:
    """(decimal mark, grouping characters) of an export's numbers.

    ``options.locale`` gives both the CLDR way (``pt_BR``: ``,`` and ``.``; ``fr_FR``: ``,`` and
    a narrow no-break space); an explicit ``options.decimal`` wins over the locale's decimal mark.
    Spaces and apostrophes always group; ``options.thousands`` adds a grouping character.
    Raises ValueError for a locale CLDR does not know.
    """
    decimal: str = options.decimal
    group = "," if decimal == "." else "."
    if options.locale:
        try:
            locale_decimal, group = (
                get_decimal_symbol(options.locale),
                get_group_symbol(options.locale),
            )
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"options.locale: unknown locale {options.locale!r}") from exc
        if "decimal" not in options.model_fields_set:
            decimal = locale_decimal
    groups = {group, " ", "'", "\u2019"} | ({options.thousands} if options.thousands else set())
    groups = {" " if g in _SPACES else g for g in groups} - {decimal}
    return decimal, "".join(sorted(groups))


def _class(chars: str) -> str:
    return "[" + "".join("\\" + c if c in "]\\^-[" else c for c in chars) + "]"


CODE_THEN_FRACTION = (
    "has a currency code, then a decimal mark with no digit before it: is it a fraction or an "
    "abbreviation's dot? Not guessed: write the amount with its whole part (USD 0.50, USD 500)"
)


_ISO_CODES = pa.array(sorted(iso_codes()), type=pa.string())
"""The ISO 4217 codes (``currency.iso_codes``) as Arrow: a marker that is one takes no abbreviation
dot."""


MAGNITUDES = frozenset({"k", "m", "mm", "mn", "b", "bn", "mio", "mrd", "tsd"})
"""Suffixes that scale a number (thousand, million, billion; German Tsd., Mio., Mrd.), compared in
lower case, a final dot aside. The parser keeps one as the cell's marker; the loader, which knows the
site currency, reads it as that currency's symbol when it is one ("1,500 K" on a ZMW site), else
excludes the cell as an abbreviation ("1.2M" on a USD site is 1.2 million, not 1.2 Lesotho loti)."""

MAGNITUDE_REASON = (
    'ends in "{marker}", an abbreviation of thousands, millions or billions: not read; export the '
    "full number"
)


_MAGNITUDE_ARRAY = pa.array(sorted(MAGNITUDES), type=pa.string())


def is_magnitude(marker: str) -> bool:
    """Whether ``marker`` is one of ``MAGNITUDES`` (case and a final dot aside)."""
    return marker.strip().lower().rstrip(".") in MAGNITUDES


def magnitude_suffix(text: str, marker: str) -> bool:
    """Whether ``marker`` is a magnitude abbreviation (``MAGNITUDES``) written after the number of
    the cell ``text`` ("1.2M", "3 Mio"), not before it ("M 100")."""
    return is_magnitude(marker) and text.strip().lower().endswith(marker.strip().lower())


_MARKER = r"[^\d\s().,+\-'\x{2019}][^\d()+\-]*?"
"""RE2: a currency marker (a symbol or a code), as ``_amount_pattern`` reads one."""

_MARKER_OUTSIDE_PARENTHESES = (
    (rf"^({_MARKER})\s*\((.*)\)$", r"(\1 \2)"),
    (rf"^\((.*)\)\s*({_MARKER})$", r"(\1 \2)"),
    (rf"^({_MARKER})\s*-$", r"\1 0"),
    (rf"^-\s*({_MARKER})$", r"0 \1"),
)
"""Excel's accounting format writes a negative amount ``$ (1,000.00)``: the marker outside the
parentheses is moved in (``($ 1,000.00)``), so it reads as ``($1,000.00)`` does. Its zero is a
marker and a dash (``$ -``, ``- €``): read as 0 (a lone ``-`` stays an empty placeholder)."""


def _amount_pattern(decimal: str, groups: str) -> str:
    """RE2 pattern of one number cell: sign, parentheses, a marker before or after, the digits."""
    g, d = _class(groups), _class(decimal)
    number = (
        rf"(?P<int>\d{{1,3}}(?:{g}\d{{3}})+|\d{{1,2}}(?:{g}\d{{2}})+{g}\d{{3}}|\d*)"
        rf"(?:{d}(?P<frac>\d*))?(?P<exp>[eE][-+]?\d+)?"
    )
    return (
        rf"^(?P<open>\()?\s*(?P<s1>[-+])?\s*(?P<pre>{_MARKER})?\s*(?P<s2>-)?\s*{number}"
        rf"\s*(?P<s3>-)?\s*(?P<post>{_MARKER})?\s*(?P<s4>-)?\s*(?P<close>\))?$"
    )


def _distinct(text: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Codes of each cell (-1 when missing) and the distinct values as an Arrow string array."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    return codes, pa.array(np.asarray(uniques, dtype=object), type=pa.string())


def _per_cell(codes: np.ndarray, per_value: np.ndarray, fill: object) -> np.ndarray:
    """Spread one result per distinct value back to every cell (``fill`` where missing)."""
    padded = np.append(per_value, np.array([fill], dtype=per_value.dtype))
    return padded[np.where(codes < 0, len(per_value), codes)]


def _note(problem: str, flags: np.ndarray, codes: np.ndarray, uniques: pa.Array) -> Note | None:
    """A note for the cells whose distinct value is flagged (None when there are none)."""
    if not flags.any():
        return None
    cells = np.flatnonzero(_per_cell(codes, flags, False))
    first = int(cells[0])
    return Note(
        problem,
        len(cells),
        first,
        uniques[int(codes[first])].as_py(),
        tuple(int(c) for c in cells[: LISTED_CELLS + 1]),
    )


def _numbers(
    values: pd.Series, options: ReadOptions, *, whole: bool = False, hints: bool = True
) -> Converted:
    index = values.index
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        infinite = numbers.notna() & ~np.isfinite(numbers.fillna(0.0))
        huge = ~infinite & (numbers.abs() >= MAX_MAGNITUDE).fillna(False)
        reasons = None
        if infinite.any() or huge.any():
            reasons = (
                pd.Series(pd.NA, index=index, dtype="string")
                .mask(infinite, NOT_FINITE)
                .mask(huge, TOO_LARGE)
            )
        return Converted(numbers.mask(infinite | huge), (infinite | huge).astype(bool), reasons)
    text, invisible = _text(values)
    # Every rule below works on the distinct cells: a million amounts hold far fewer distinct strings.
    codes, uniques = _distinct(text)
    n = len(uniques)
    cleaned = uniques
    fiscal = np.zeros(n, dtype=bool)
    if whole:
        fiscal = _flags(pc.match_substring_regex(cleaned, _FISCAL_YEAR))
        cleaned = pc.replace_substring_regex(cleaned, _FISCAL_YEAR, "")
    for space in _SPACES:
        cleaned = pc.replace_substring(cleaned, space, " ")
    unicode_minus = _flags(pc.match_substring(cleaned, "\u2212"))
    cleaned = pc.replace_substring(cleaned, "\u2212", "-")
    result = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    reason = np.full(n, None, dtype=object)
    marker = np.full(n, None, dtype=object)
    negative_rule, marked_rule = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    spaced, indian, scientific, ambiguous = (np.zeros(n, dtype=bool) for _ in range(4))
    decimal, groups = number_marks(options)
    plain_pattern = r"^-?\d+(\.\d+)?$" if decimal == "." else r"^-?\d+$"
    plain = _flags(pc.match_substring_regex(cleaned, plain_pattern))
    if plain.any():
        picked = cleaned.filter(pa.array(plain))
        result[plain] = pc.cast(picked, pa.float64()).to_numpy(zero_copy_only=False)
        if decimal == ".":
            ambiguous[plain] = _flags(pc.match_substring_regex(picked, r"^-?[1-9]\d{0,2}\.\d{3}$"))
    rest = np.flatnonzero(~plain)
    if len(rest):
        cells = cleaned.take(pa.array(rest))
        for outside, inside in _MARKER_OUTSIDE_PARENTHESES:
            cells = pc.replace_substring_regex(cells, outside, inside)
        found = pc.extract_regex(cells, _amount_pattern(decimal, groups))
        matched = found.is_valid().to_numpy(zero_copy_only=False)

        def part(name: str) -> pa.Array:
            return pc.fill_null(pc.struct_field(found, name), "")

        integer, fraction, exponent = part("int"), part("frac"), part("exp")
        no_integer = pc.and_(pc.equal(integer, ""), pc.not_equal(fraction, ""))
        iso_code = pc.is_in(
            pc.utf8_upper(pc.utf8_trim_whitespace(part("pre"))), value_set=_ISO_CODES
        )
        abbreviation = pa.array(np.zeros(len(cells), dtype=bool))
        if decimal == ".":
            # An abbreviation's dot is not a decimal mark: "Rs.1234" is Rs. 1,234, not Rs 0.1234, and
            # "R.500" is R. 500. A marker ending in a letter right before the dot, with no digit
            # before it, is read so; after a symbol the dot is the decimal mark ("$.50" is 0.50).
            abbreviation = pc.and_(
                pc.and_(no_integer, pc.invert(iso_code)),
                pc.and_(
                    pc.match_substring_regex(part("pre"), r"[\pL/]$"),
                    pc.match_substring_regex(cells, r"[\pL/]\.[0-9]"),
                ),
            )
            integer = pc.if_else(abbreviation, fraction, integer)
            fraction = pc.if_else(abbreviation, "", fraction)
        # "USD.500": 500 or 0.500? A code is no abbreviation; the cell is not guessed (only with the
        # decimal point right after the code: "USD .50" is 0.50).
        code_then_fraction = (
            pc.and_(
                pc.and_(no_integer, iso_code), pc.match_substring_regex(cells, r"\pL\.[0-9]")
            ).to_numpy(zero_copy_only=False)
            if decimal == "."
            else np.zeros(len(cells), dtype=bool)
        )
        opened, closed = pc.not_equal(part("open"), ""), pc.not_equal(part("close"), "")
        minus = [pc.equal(part(s), "-") for s in ("s1", "s2", "s3", "s4")]
        signs = sum(m.cast(pa.int8()).to_numpy(zero_copy_only=False) for m in minus) + pc.and_(
            opened, closed
        ).cast(pa.int8()).to_numpy(zero_copy_only=False)
        pre, post = pc.utf8_trim_whitespace(part("pre")), pc.utf8_trim_whitespace(part("post"))
        pre = pc.if_else(abbreviation, pc.binary_join_element_wise(pre, ".", ""), pre)
        digits = pc.replace_substring_regex(integer, r"[^0-9]", "")
        has_digits = pc.or_(
            pc.greater(pc.utf8_length(digits), 0), pc.greater(pc.utf8_length(fraction), 0)
        )
        both_markers = pc.and_(pc.not_equal(pre, ""), pc.not_equal(post, ""))
        # "$500k", "€1.2M": a magnitude after a symbol is never read, whatever the site currency
        # (on a kwacha site "K" alone would read), and is named as what it is.
        magnitude_after = both_markers.to_numpy(zero_copy_only=False) & _flags(
            pc.is_in(
                pc.utf8_rtrim(pc.utf8_lower(post), characters="."),
                value_set=_MAGNITUDE_ARRAY,
            )
        )
        ok = (
            matched
            & has_digits.to_numpy(zero_copy_only=False)
            & (signs <= 1)
            & (opened.to_numpy(zero_copy_only=False) == closed.to_numpy(zero_copy_only=False))
            & ~both_markers.to_numpy(zero_copy_only=False)
            & ~code_then_fraction
        )
        joined = pc.binary_join_element_wise(
            pc.if_else(pc.equal(digits, ""), "0", digits), ".", fraction, "0", exponent, ""
        )
        joined = pc.if_else(pa.array(ok), joined, pa.scalar(None, pa.string()))
        parsed = pc.cast(joined, pa.float64()).to_numpy(zero_copy_only=False)
        parsed = np.where(signs == 1, -parsed, parsed)
        result[rest] = np.where(ok, parsed, np.nan)
        bad[rest] = ~ok
        chosen = pc.if_else(pc.equal(pre, ""), post, pre).to_numpy(zero_copy_only=False)
        # None as an object array: numpy's stubs refuse a bare None, which np.where reads the same.
        marker[rest] = np.where(ok & (chosen != ""), chosen, np.array(None))
        words = _flags(pc.is_in(pc.utf8_lower(cells), pa.array(sorted(_NOT_FINITE))))
        suffixes = post.to_numpy(zero_copy_only=False)
        reason[rest] = np.where(
            words,
            NOT_FINITE,
            np.where(
                code_then_fraction,
                CODE_THEN_FRACTION,
                np.array(
                    [
                        MAGNITUDE_REASON.format(marker=suffix) if after else None
                        for suffix, after in zip(suffixes, magnitude_after, strict=True)
                    ],
                    dtype=object,
                ),
            ),
        )
        bad[rest] |= words
        trailing = pc.or_(pc.or_(minus[2], minus[3]), pc.and_(opened, closed)).to_numpy(
            zero_copy_only=False
        )
        negative_rule[rest] = ok & trailing
        grouped_or_decimal = pc.or_(
            pc.match_substring_regex(integer, _class(groups)),
            pc.greater(pc.utf8_length(fraction), 0),
        )
        marked_rule[rest] = ok & grouped_or_decimal.to_numpy(zero_copy_only=False)
        spaced[rest] = ok & _flags(pc.match_substring_regex(integer, "[ '\u2019]"))
        g = _class(groups)
        indian[rest] = ok & _flags(
            pc.match_substring_regex(integer, rf"^\d{{1,2}}(?:{g}\d{{2}})+{g}\d{{3}}$")
        )
        scientific[rest] = ok & _flags(pc.not_equal(exponent, ""))
        # A lone mark before exactly three digits (12.000, or 1,000 with the decimal comma) reads as a
        # decimal mark or as grouping: an amount 1000 times too small or too large, told apart only by
        # the currency (the loader decides, see ``ambiguous_reason``).
        ambiguous[rest] = ok & _flags(
            pc.and_(
                pc.and_(
                    pc.match_substring_regex(integer, r"^[1-9]\d{0,2}$"),
                    pc.equal(pc.utf8_length(fraction), 3),
                ),
                pc.equal(exponent, ""),
            )
        )
    for position in np.flatnonzero(np.array([m is not None for m in marker], dtype=bool)):
        if not is_currency_marker(marker[position]) and not is_magnitude(marker[position]):
            reason[position] = f'has "{marker[position]}", which is not a currency marker'
            bad[position], result[position], marker[position] = True, np.nan, None
    infinite = ~np.isnan(result) & ~np.isfinite(result)
    huge = ~np.isnan(result) & ~infinite & (np.abs(result) >= MAX_MAGNITUDE)
    result[infinite | huge] = np.nan
    bad |= infinite | huge
    reason[infinite] = NOT_FINITE
    reason[huge] = TOO_LARGE
    if hints:
        _hint_other_decimal(cleaned, bad, reason, decimal)
    read = ~bad
    notes = [
        _note("read as negative (parentheses or a trailing minus)", negative_rule, codes, uniques),
        _note(
            f'read with the decimal mark "{decimal}"'
            + (f" of locale {options.locale}" if options.locale else ""),
            marked_rule,
            codes,
            uniques,
        )
        if (options.locale or decimal != ".")
        else None,
        _note(MINUS_NOTE, unicode_minus & read, codes, uniques),
        _note(SPACED_NOTE, spaced & ~indian, codes, uniques),
        _note(INDIAN_NOTE, indian, codes, uniques),
        _note(SCIENTIFIC_NOTE, scientific & read, codes, uniques),
        _note(FISCAL_NOTE, fiscal & read, codes, uniques),
        _mask_note(INVISIBLE_NOTE, invisible, values),
    ]
    has_reason = np.array([r is not None for r in reason], dtype=bool)
    reasons = None
    if has_reason.any():
        reasons = pd.Series(_per_cell(codes, reason, None), index=index, dtype="string")
    markers = None
    present_markers = np.array([m is not None for m in marker], dtype=bool)
    if present_markers.any():
        marker_codes, marker_values = pd.factorize(
            pd.Series(marker, dtype="string"), use_na_sentinel=True
        )
        markers = pd.Series(
            pd.Categorical.from_codes(
                _per_cell(codes, marker_codes.astype(np.int64), -1),
                categories=pd.Index(marker_values, dtype="string"),
            ),
            index=index,
        )
    ambiguous &= read
    return Converted(
        values=pd.Series(_per_cell(codes, result, np.nan), index=index, dtype="float64"),
        bad=pd.Series(_per_cell(codes, bad, False), index=index, dtype=bool),
        reasons=reasons,
        markers=markers,
        notes=tuple(n for n in notes if n is not None),
        ambiguous=pd.Series(
            _per_cell(codes, np.where(ambiguous, ambiguous_reason(decimal), np.array(None)), None),
            index=index,
            dtype="string",
        )
        if ambiguous.any()
        else None,
    )


def _flags(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow result as a NumPy mask (missing: False)."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(bool)


def _hint_other_decimal(
    cleaned: pa.Array, bad: np.ndarray, reason: np.ndarray, decimal: str
) -> None:
    """Give the unreadable cells that read with the other decimal mark (``1000,50`` with the decimal
    point) the reason that names the option to set (in place)."""
    unread = np.flatnonzero(bad & np.array([r is None for r in reason], dtype=bool))
    if not len(unread):
        return
    other: Literal[".", ","] = "," if decimal == "." else "."
    retry = _numbers(
        pd.Series(cleaned.take(pa.array(unread)).to_pylist(), dtype="string"),
        ReadOptions(decimal=other),
        hints=False,
    )
    readable = ~retry.bad.to_numpy(dtype=bool) & retry.values.notna().to_numpy(dtype=bool)
    reason[unread[readable]] = unreadable_reason(decimal)


def _mask_note(problem: str, mask: np.ndarray | None, raw: pd.Series) -> Note | None:
    """A note for the cells flagged in a per-cell mask (None when there are none)."""
    if mask is None or not mask.any():
        return None
    cells = np.flatnonzero(mask)
    return Note(
        problem,
        len(cells),
        int(cells[0]),
        str(raw.iloc[int(cells[0])]),
        tuple(int(c) for c in cells[: LISTED_CELLS + 1]),
    )


DECIMAL_COMMA_HINT = (
    'looks like a decimal comma: set options.decimal: "," or options.locale, e.g. de_DE'
)
DECIMAL_POINT_HINT = (
    'looks like a decimal point: set options.decimal: "." or options.locale, e.g. en_US'
)


def decimal_hint(decimal: str) -> str:
    """What to set when a column's amounts look written with the other decimal mark than ``decimal``."""
    return DECIMAL_COMMA_HINT if decimal == "." else DECIMAL_POINT_HINT


def ambiguous_reason(decimal: str) -> str:
    """Why ``12.000`` (decimal point) or ``1,000`` (decimal comma) is not read in a currency of two minor digits."""
    return (
        f'is ambiguous: "{decimal}" before exactly three digits may be the decimal mark or group thousands; '
        f"{decimal_hint(decimal)}"
    )


def unreadable_reason(decimal: str) -> str:
    """Why a cell that reads only with the other decimal mark (``1000,50`` with the point) is not read."""
    name = "point" if decimal == "." else "comma"
    return f'is not an amount with the decimal {name} "{decimal}"; {decimal_hint(decimal)}'


MINUS_NOTE = "minus sign U+2212 (−) read as a minus"
SPACED_NOTE = (
    "digits grouped with a space (no-break, thin, narrow) or an apostrophe read as one number"
)
INDIAN_NOTE = "Indian digit grouping (12,34,567) read as one number"
SCIENTIFIC_NOTE = (
    "scientific notation read (1.5e3 is 1500); check the export did not round the amount"
)
FISCAL_NOTE = "fiscal-year label read as a year (FY2024 is 2024)"


def parse_number(values: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Numbers by the money rules; returns (values as float64, mask of cells that could not be read).

    Currency markers are accepted here whatever they name; the loader checks them against
    ``site.currency`` (see ``generator.load.currency``).
    """
    converted = _numbers(values, options)
    return converted.values, converted.bad


def _integers(values: pd.Series, options: ReadOptions) -> Converted:
    converted = _numbers(values, options, whole=True)
    numbers = converted.values
    fractional = numbers.notna() & (numbers != numbers.round())
    numbers = numbers.where(~fractional)
    return Converted(
        numbers.round().astype("Int64"),
        (converted.bad | fractional).astype(bool),
        converted.reasons,
        converted.markers,
        converted.notes,
        converted.ambiguous,
    )


def parse_integer(values: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Whole numbers (a fiscal-year label ``FY2024`` or ``FY 2024`` reads as 2024); returns
    (values as Int64, mask of cells that could not be read)."""
    converted = _integers(values, options)
    return converted.values, converted.bad


def _serials(serial: pd.Series) -> pd.Series:
    """Excel day numbers (1900 date system) as dates; the time of day is dropped."""
    days = np.floor(serial.to_numpy(dtype="float64"))
    return pd.Series(EXCEL_EPOCH + pd.to_timedelta(days, unit="D"), index=serial.index).astype(
        "datetime64[s]"
    )


def _windowed(
    dates: pd.Series, bad: pd.Series, reasons: pd.Series | None
) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    outside = dates.notna() & ((dates < FIRST_DATE) | (dates > LAST_DATE))
    if not outside.any():
        return dates, bad, reasons
    reasons = (
        reasons if reasons is not None else pd.Series(pd.NA, index=dates.index, dtype="string")
    )
    return dates.mask(outside), (bad | outside).astype(bool), reasons.mask(outside, OUTSIDE_WINDOW)


def _dates(values: pd.Series, options: ReadOptions) -> Converted:
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        dates = dates.astype("datetime64[s]").dt.normalize()
        return Converted(*_windowed(dates, pd.Series(False, index=index), None))
    if values.dtype == object and any(not isinstance(v, str) for v in values.dropna().head(1000)):
        return _cell_dates(values, options)
    return _text_dates(as_text(values), options)


def _cell_dates(values: pd.Series, options: ReadOptions) -> Converted:
    """Workbook cells: real dates arrive as datetime objects, serials as numbers, the rest as text."""
    index = values.index
    cells = values.tolist()
    is_datetime = pd.Series([hasattr(v, "year") and not pd.isna(v) for v in cells], index=index)
    is_number = pd.Series(
        [isinstance(v, int | float) and not isinstance(v, bool) and not pd.isna(v) for v in cells],
        index=index,
    )
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
    if is_datetime.any():
        out[is_datetime] = pd.to_datetime(values[is_datetime].map(_as_naive)).astype(
            "datetime64[s]"
        )
    notes: list[Note] = []
    if is_number.any():
        serial = pd.to_numeric(values[is_number], errors="coerce").astype("float64")
        plausible = serial.between(1, (LAST_DATE - EXCEL_EPOCH).days)
        picked = plausible.reindex(index, fill_value=False)
        out[is_number & picked] = _serials(serial[plausible])
        if picked.any():
            where = np.flatnonzero(picked.to_numpy())
            first = int(where[0])
            notes.append(
                Note(
                    "Excel day number read as a date (1900 date system)",
                    int(picked.sum()),
                    first,
                    str(cells[first]),
                    tuple(int(c) for c in where[: LISTED_CELLS + 1]),
                )
            )
    rest = ~(is_datetime | is_number)
    text = _text_dates(as_text(values[rest]), options)
    out[rest] = text.values
    bad = pd.Series(False, index=index)
    bad[rest] = text.bad
    bad |= is_number & out.isna()
    reasons = None
    if text.reasons is not None:
        reasons = pd.Series(pd.NA, index=index, dtype="string")
        reasons[rest] = text.reasons
    positions = np.flatnonzero(rest.to_numpy())
    notes.extend(
        Note(
            n.problem,
            n.count,
            int(positions[n.first]),
            n.value,
            tuple(int(positions[c]) for c in n.cells),
        )
        for n in text.notes
    )
    dates, bad, reasons = _windowed(out.dt.normalize(), bad.astype(bool), reasons)
    return Converted(dates, bad, reasons, None, tuple(notes))


def _as_naive(value: object) -> object:
    tz = getattr(value, "tzinfo", None)
    return value.replace(tzinfo=None) if tz is not None else value  # type: ignore[attr-defined]


def _iso_dates(distinct: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """Distinct cells read as ISO 8601 (day precision, datetime64[s] at midnight); the mask of stamps
    read by their offset; and the rule each read by (or the reason it was refused), else <NA>."""
    offsets = np.zeros(len(distinct), dtype=bool)
    try:
        dates = pd.to_datetime(distinct, format="ISO8601", errors="coerce")
        aware = getattr(dates.dt, "tz", None) is not None
    except (ValueError, TypeError):  # offsets that differ from stamp to stamp
        aware = True
    if aware:
        # Each stamp's own wall-clock date: the offset says where it was written, not another day.
        offsets = (
            distinct.str.contains(_STAMP_WITH_OFFSET.replace("(", "(?:", 1), regex=True)
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        local = distinct.str.replace(_STAMP_WITH_OFFSET, r"\1", regex=True)
        dates = pd.to_datetime(local, format="ISO8601", errors="coerce")
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
    dates = dates.astype("datetime64[s]").dt.normalize()
    rule = pd.Series(pd.NA, index=distinct.index, dtype="string")
    read = dates.notna()
    if read.any():
        # Pandas' ISO 8601 reader also takes a year alone ("2024" as 1 January) and a month alone;
        # neither is a day, so neither is read. The forms that are not ISO 8601 proper are noted.
        partial = read & distinct.str.fullmatch(r"\d{4}(?:[-/.]\d{1,2})?").fillna(False)
        compact = read & ~partial & distinct.str.fullmatch(r"\d{8}(?:T.*)?").fillna(False)
        strict = distinct.str.match(r"\d{4}-\d{2}-\d{2}(?:$|[T ])").fillna(False)
        year_first = (
            read & ~partial & ~compact & ~strict & ~pd.Series(offsets, index=distinct.index)
        )
        rule = (
            rule.mask(partial, PARTIAL_DATE)
            .mask(compact, COMPACT_NOTE)
            .mask(year_first, YEAR_FIRST_NOTE)
        )
        dates = dates.mask(partial)
    return dates, offsets, rule


def _formatted_dates(distinct: pd.Series, pattern: str) -> pd.Series:
    """Distinct cells read with ``options.date_format`` (a stamp's offset kept as its local date)."""
    try:
        dates = pd.to_datetime(distinct, format=pattern, errors="coerce")
    except (ValueError, TypeError):  # %z with offsets that differ from stamp to stamp
        dates = pd.to_datetime(
            pd.Series(
                [_strptime_local(v, pattern) for v in distinct], index=distinct.index, dtype=object
            ),
            errors="coerce",
        )
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.astype("datetime64[s]").dt.normalize()


def _strptime_local(value: object, pattern: str) -> object:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value, pattern).replace(tzinfo=None)
    except ValueError:
        return None


def _text_dates(text: pd.Series, options: ReadOptions) -> Converted:
    codes, uniques = _distinct(text)
    distinct = (
        pd.Series(uniques.to_pandas(types_mapper=None), dtype="string")
        if len(uniques)
        else pd.Series([], dtype="string")
    )
    fallback = np.zeros(len(distinct), dtype=bool)
    reasons = pd.Series(pd.NA, index=distinct.index, dtype="string")
    if options.date_format:
        dates = _formatted_dates(distinct, options.date_format)
        # A cell the pattern does not read may still be an unambiguous ISO 8601 date or stamp (a
        # "Created Time" beside a "Closing Date" written the CRM's way): read as such, and noted.
        others = distinct.notna() & dates.isna()
        offsets = np.zeros(len(distinct), dtype=bool)
        rule = pd.Series(pd.NA, index=distinct.index, dtype="string")
        if others.any():
            iso, iso_offsets, iso_rule = _iso_dates(distinct[others])
            dates[others] = iso
            offsets[others.to_numpy()] = iso_offsets
            rule[others] = iso_rule
            fallback = (others & dates.notna()).to_numpy(dtype=bool)
            reasons = reasons.mask(
                others & dates.isna(),
                f"does not match options.date_format {options.date_format} nor ISO 8601",
            )
    else:
        dates, offsets, rule = _iso_dates(distinct)
    dates = dates.astype("datetime64[s]")
    serial = dates.isna() & distinct.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False)
    if serial.any():
        days = pd.to_numeric(distinct[serial], errors="coerce")
        days = days[days.between(*SERIAL_RANGE)]
        dates[days.index] = _serials(days)
        reasons[days.index] = pd.NA
        serial = pd.Series(False, index=distinct.index)
        serial[days.index] = True
    reasons = reasons.mask(dates.isna() & (rule == PARTIAL_DATE).fillna(False), PARTIAL_DATE)
    has_reason = reasons.notna().any()
    dates, bad, refused = _windowed(
        dates, distinct.notna() & dates.isna(), reasons if has_reason else None
    )
    read = dates.notna().to_numpy(dtype=bool)
    notes = [
        _note(
            f"does not match options.date_format {options.date_format}; read as ISO 8601",
            fallback & read,
            codes,
            uniques,
        )
        if options.date_format
        else None,
        _note(
            "timestamp with a UTC offset read as its local calendar date",
            offsets & read,
            codes,
            uniques,
        ),
        _note(
            COMPACT_NOTE,
            (rule == COMPACT_NOTE).fillna(False).to_numpy(dtype=bool) & read,
            codes,
            uniques,
        ),
        _note(
            YEAR_FIRST_NOTE,
            (rule == YEAR_FIRST_NOTE).fillna(False).to_numpy(dtype=bool) & read,
            codes,
            uniques,
        ),
        _note(
            "Excel day number read as a date (1900 date system)",
            serial.to_numpy(dtype=bool),
            codes,
            uniques,
        ),
    ]
    index = text.index
    return Converted(
        values=pd.Series(
            _per_cell(codes, dates.to_numpy(dtype="datetime64[s]"), np.datetime64("NaT", "s")),
            index=index,
            dtype="datetime64[s]",
        ),
        bad=pd.Series(_per_cell(codes, bad.to_numpy(dtype=bool), False), index=index, dtype=bool),
        reasons=None
        if refused is None
        else pd.Series(
            _per_cell(codes, refused.to_numpy(dtype=object), None), index=index, dtype="string"
        ),
        notes=tuple(n for n in notes if n is not None),
    )


PARTIAL_DATE = "is a year or a month, not a date (no day)"
COMPACT_NOTE = "compact date (YYYYMMDD) read as year-month-day"
YEAR_FIRST_NOTE = (
    "year-first date not in ISO 8601 form (2024/03/15, 2024.03.15, 2024-3-5) read as year-month-day"
)


def parse_date(values: pd.Series, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Dates; returns (values as datetime64[s] at midnight, mask of cells that could not be read)."""
    converted = _dates(values, options)
    return converted.values, converted.bad


def convert_column(values: pd.Series, kind: Kind, options: ReadOptions) -> Converted:
    """Convert one column by its field kind, with the reasons and notes the data-quality report lists.

    Raises ValueError when ``options.locale`` is not a CLDR locale.
    """
    if kind is Kind.TEXT:
        text, invisible = _text(values)
        note = _mask_note(INVISIBLE_NOTE, invisible, values)
        return Converted(text, pd.Series(False, index=values.index), notes=(note,) if note else ())
    if kind in (Kind.MONEY, Kind.NUMBER):
        return _numbers(values, options)
    if kind is Kind.INTEGER:
        return _integers(values, options)
    return _dates(values, options)


def convert(values: pd.Series, kind: Kind, options: ReadOptions) -> tuple[pd.Series, pd.Series]:
    """Convert one column by its field kind; returns (typed values, mask of unreadable cells)."""
    converted = convert_column(values, kind, options)
    return converted.values, converted.bad


KIND_PROBLEM = {
    Kind.MONEY: "is not an amount",
    Kind.NUMBER: "is not a number",
    Kind.INTEGER: "is not a whole number",
    Kind.DATE: "is not a date",
}
"""The problem text for a cell a converter could not read."""
