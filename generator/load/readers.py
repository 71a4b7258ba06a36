"""Read one export file (CSV, workbook, Parquet) into a table of raw cells, with each row's line number.

The file's kind comes from its content, never from its extension alone: a zip holding ``xl/``
is an .xlsx/.xlsm/.xlsb workbook, an OLE2 file a legacy .xls, a zip with the OpenDocument
mimetype an .ods; anything that is text is read as CSV. Workbooks are read with python-calamine,
after checking that they cannot unpack past fixed bounds. Every problem is a ``DataError`` naming
the file (and line or column where known), or a ``ReadNote`` the loader lists as a finding.
The rules are listed under "Reading rules" in the README and on the methodology page.
"""

from __future__ import annotations

import csv
import io
import math
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from generator.config import ReadOptions
from generator.errors import DataError

ROW = "__row__"
"""Column holding each record's row number in its file (CSV: physical line; workbook: sheet row)."""

HEADER_SCAN_ROWS = 30
"""With ``header_row: auto`` the header is looked for among this many first non-blank rows."""

MAX_CELL_CHARS = 131_072
"""Longest cell accepted (128 K characters; Excel itself stops at 32,767): a longer one means damage."""

MAX_UNPACKED_BYTES = 1 << 30
"""A workbook whose parts would unpack to more than this (1 GiB) is refused before reading."""

MAX_SHEET_CELLS = 50_000_000
"""A sheet whose used range spans more cells than this is refused before reading (Excel's largest
sheet of 26 columns is 27 million cells; a stray cell at XFD1048576 makes 17 billion)."""

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITERS = (",", ";", "\t", "|")
INFO, WARNING = "info", "warning"
FOOTER = "report footer"
"""Reasons starting with this are expected lines (listed as info, not warnings)."""

_TOTAL = re.compile(r"^\s*(grand\s*totals?|sub-?\s*totals?|totals?|sum)\b", re.IGNORECASE)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ROW_REF = re.compile(rb'<row[^>]*?\sr="(\d+)"')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})\d')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True)
class ReadNote:
    """Something the reader did or found that the user should see (becomes a finding)."""

    severity: str
    """``info`` (a documented reading rule applied) or ``warning`` (rows excluded or doubtful)."""
    problem: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    action: str = ""


@dataclass(frozen=True)
class RawTable:
    """Cells of one file as read (text for CSV, typed for workbooks and Parquet), plus rows that could not be read."""

    path: Path
    frame: pd.DataFrame
    """One column per header name (a repeated name gets ``.1``, ``.2``…) and ``ROW``."""
    unreadable: tuple[tuple[int, str, str], ...]
    """(row, text, reason) of each line that is not a record: footer and total lines, wrong field counts."""
    notes: tuple[ReadNote, ...] = ()
    """Reading rules applied (title lines skipped, delimiter sniffed…) and doubtful lines."""
    duplicates: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Header names that appear more than once → their 1-based column positions (the first is used)."""
    header_row: int = 1
    """Row (line or sheet row, 1-based) the column names were read from."""


@dataclass
class _Context:
    """What one read needs to know and collects along the way."""

    path: Path
    options: ReadOptions
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    notes: list[ReadNote] = field(default_factory=list)
    long_text: bool = False
    """The text is longer than MAX_CELL_CHARS, so some cell might be."""

    def note(self, severity: str, problem: str, **where: object) -> None:
        self.notes.append(ReadNote(severity, problem, **where))  # type: ignore[arg-type]


def read_table(path: Path, options: ReadOptions, *, columns: Sequence[str] = (),
               keys: Sequence[str] = ()) -> RawTable:
    """Read any supported file into raw cells; raise DataError (one line, naming the file) when unusable.

    ``columns`` are the export's column names the caller will look for: with ``header_row: auto``
    the header is the first of the first 30 non-blank rows that holds all of them. ``keys`` are
    columns every data row fills (ids): a row whose first cell reads "Total", "Grand Total" or
    "Subtotal" and leaves a key empty is a report total, listed and not returned as data.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise DataError(f"{path}: is {describe_non_file(mode)}, not a file")
    ctx = _Context(path, options, tuple(columns), tuple(keys))
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
        kind = _sniff(head)
        if kind == "zip":
            return _read_zip(ctx)
        if kind == "xls":
            return _read_workbook(ctx, "legacy .xls")
        if kind == "parquet":
            return _read_parquet(ctx)
        if kind != "text":
            raise DataError(f"{path}: is {kind}, not a table{_save_as(path)}")
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            if b"\x00" in head and not _looks_utf16(head):
                raise DataError(f"{path}: is not a readable workbook: no workbook signature, and not text "
                                "(damaged, or another kind of file)")
            ctx.note(INFO, f"the file is CSV text, not a {path.suffix} workbook as its name says",
                     action="read as CSV")
        if path.suffix.lower() in {".parquet", ".pq"}:
            raise DataError(f"{path}: is not a Parquet file (no PAR1 signature)")
        return _read_csv(ctx, path.read_bytes())
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{path}: too large to read in memory") from None
    except Exception as exc:  # any other reader failure is still one line naming the file
        raise DataError(f"{path}: cannot read file: {_one_line(exc)}") from None


def describe_non_file(mode: int) -> str:
    """What a path that is not a regular file is, in words ("a directory", "a FIFO (named pipe)"…)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _save_as(path: Path) -> str:
    return "; open it in Excel or LibreOffice and save it as .xlsx or CSV" if path.suffix else ""


def _sniff(head: bytes) -> str:
    """The file's kind from its first bytes: zip, xls, parquet, text, or a description of something else."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")) or b"<html" in start[:1024]:
        return "an HTML page (web page saved under a spreadsheet name)"
    if start.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in start:
            return "an Excel 2003 XML spreadsheet"
        return "an XML document"
    for magic, name in ((b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"),
                        (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
                        (b"{\\rtf", "an RTF document"), (b"SQLite format 3", "an SQLite database")):
        if head.startswith(magic):
            return name
    return "text"


# --- CSV -------------------------------------------------------------------------------------


def _read_csv(ctx: _Context, data: bytes) -> RawTable:
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(data) + 1))  # long cells are reported by name, not by csv's error
    try:
        return _read_csv_text(ctx, data)
    finally:
        csv.field_size_limit(limit)


def _read_csv_text(ctx: _Context, data: bytes) -> RawTable:
    path, options = ctx.path, ctx.options
    text = _decode(path, data, options)
    del data
    if "\x00" in text:
        raise _nul_error(path, text)
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
        ctx.note(INFO, 'line endings are CR only (classic Mac OS, Excel for Mac "CSV (Macintosh)")',
                 action="read as line breaks")
    lines = text.split("\n")
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    odd_quotes = text.count('"') % 2 == 1
    ctx.long_text = len(text) > MAX_CELL_CHARS
    del text
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines are not part of a report footer
    lines, footer = _split_footer(lines, options.skip_footer)
    if not any(line.strip() for line in lines):
        after = f" after skipping {options.skip_footer} footer line(s)" if options.skip_footer else ""
        raise DataError(f"{path}: file is empty{after}")
    delimiter = _delimiter(ctx, lines)
    head = _csv_head(lines, delimiter, options.header_row)
    index = _header_index(ctx, [(line, cells) for line, _end, cells in head])
    header_line, header_end, header = head[index]
    _title_notes(ctx, [(line, cells) for line, _end, cells in head[:index]], header_line)
    names, duplicates = _names(header)
    body = lines[header_end:]
    frame: pd.DataFrame | None = None
    bad: list[tuple[int, str, str]] = []
    rows = [header_end + i + 1 for i, line in enumerate(body) if line.strip()]
    if not rows:
        frame = pd.DataFrame({name: pd.Series([], dtype="string") for name in names})
    elif not odd_quotes:
        frame = _read_csv_fast(body, names, delimiter, ctx.long_text)
        if frame is not None and len(frame) != len(rows):
            frame = None  # quoted line breaks or rows with the wrong number of fields
    if frame is None:
        frame, rows, bad = _read_csv_exact(ctx, body, header_end, names, delimiter)
    frame[ROW] = rows
    frame, totals = _drop_totals(ctx, frame, names, bad)
    return RawTable(path, frame, tuple(footer + totals + bad), tuple(ctx.notes), duplicates, header_line)


def _decode(path: Path, data: bytes, options: ReadOptions) -> str:
    """The file's text in ``options.encoding``; a DataError naming the likely encoding otherwise."""
    declared = options.encoding
    encoding = declared.lower().replace("_", "-")
    if encoding in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"  # a UTF-8 BOM is read, never kept in the first column name
    wide = encoding.startswith(("utf-16", "utf-32", "utf16", "utf32"))
    if not wide:
        utf16 = _looks_utf16(data)
        if utf16:
            raise DataError(f"{path}: is not {declared} text: it looks like UTF-16 ({utf16}); "
                            f"set options.encoding: utf-16, or export the file as UTF-8")
    try:
        return data.decode(encoding)
    except LookupError:
        raise DataError(f"{path}: unknown encoding {declared!r} (options.encoding)") from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = _guess_encoding(data)
        raise DataError(
            f"{path}:{line}: byte {exc.start} is not valid {declared}; the file looks like {guess}: "
            f"set options.encoding: {guess}"
        ) from None


def _looks_utf16(data: bytes) -> str | None:
    """How the bytes give away UTF-16 (a byte-order mark, or NUL in every other byte), else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"byte-order mark {data[:2].hex(' ').upper()}"
    sample = data[:4096]
    half = len(sample) // 2
    if half >= 8:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 0.4 * half and even < 0.05 * half:
            return "every second byte is NUL: little-endian"
        if even > 0.4 * half and odd < 0.05 * half:
            return "every first byte is NUL: big-endian"
    return None


def _guess_encoding(data: bytes) -> str:
    """cp1252 when the bytes decode as Windows Western European, else latin-1 (decodes anything)."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _nul_error(path: Path, text: str) -> DataError:
    at = text.index("\x00")
    line = text.count("\n", 0, at) + text.count("\r", 0, at) * ("\n" not in text) + 1
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    count = text.count("\x00")
    return DataError(
        f"{path}:{line}: NUL byte at character {at - start + 1} ({count:,} in the file): the file is damaged, "
        "binary, or not text in options.encoding; export it again or remove the NUL bytes"
    )


def _split_footer(lines: list[str], skip_footer: int) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Drop the last ``skip_footer`` lines, listing the non-blank ones as excluded."""
    if not skip_footer:
        return lines, []
    cut = max(len(lines) - skip_footer, 0)
    footer = [
        (cut + i + 1, text, f"{FOOTER} (options.skip_footer)")
        for i, text in enumerate(lines[cut:])
        if text.strip()
    ]
    return lines[:cut], footer


def _delimiter(ctx: _Context, lines: list[str]) -> str:
    """The configured delimiter, or with ``auto`` the one of , ; tab | that splits the first rows alike."""
    option = ctx.options.delimiter
    if option != "auto":
        return option
    sample = [line for line in lines[: HEADER_SCAN_ROWS * 4] if line.strip()][:HEADER_SCAN_ROWS]
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=candidate)]
        counts: dict[int, int] = {}
        for width in widths:
            if width > 1:
                counts[width] = counts.get(width, 0) + 1
        if counts:
            width, rows = max(counts.items(), key=lambda item: (item[1], item[0]))
            if (rows, width) > best_score:
                best, best_score = candidate, (rows, width)
    if best != ",":
        shown = {"\t": "tab", "|": '"|"', ";": '";"'}[best]
        ctx.note(INFO, f"fields are separated by {shown} (sniffed from the header line; options.delimiter: auto)",
                 action="read with that delimiter")
    return best


def _csv_head(lines: list[str], delimiter: str, header_row: int | str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of the first non-blank records, enough to find the header."""
    limit = len(lines)
    nonblank = 0
    for i, line in enumerate(lines):
        nonblank += bool(line.strip())
        if nonblank > HEADER_SCAN_ROWS and (header_row == "auto" or i >= int(header_row)):
            limit = i
            break
    reader = csv.reader(io.StringIO("\n".join(lines[:limit])), delimiter=delimiter)
    head: list[tuple[int, int, list[str]]] = []
    start = 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if any(cell.strip() for cell in record):
            head.append((line, reader.line_num, record))
    return head


def _read_csv_fast(body: list[str], names: list[str], delimiter: str, long_text: bool) -> pd.DataFrame | None:
    """pyarrow's reader, all cells as text; None on any problem (the exact reader then decides)."""
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO("\n".join(body).encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowException, ValueError, OSError):
        return None  # e.g. a quoted line break in a file over one block (1 MiB)
    if invalid:
        return None
    if long_text and any((pc.max(pc.utf8_length(column)).as_py() or 0) > MAX_CELL_CHARS
                         for column in table.columns):
        return None  # the exact reader names the line and column
    return table.to_pandas()


def _read_csv_exact(ctx: _Context, body: list[str], offset: int, names: list[str],
                    delimiter: str) -> tuple[pd.DataFrame, list[int], list[tuple[int, str, str]]]:
    """Python's csv reader, record by record: wrong field counts and a quote never closed are listed."""
    records: list[list[str]] = []
    rows: list[int] = []
    bad: list[tuple[int, str, str]] = []
    width = len(names)
    first = 0  # index in body where the current pass starts
    while first < len(body):
        resume = _exact_pass(ctx, body, first, offset, delimiter, width, records, rows, bad)
        if resume is None:
            break
        first = resume
    frame = (pd.DataFrame(records, columns=names, dtype="string") if records
             else pd.DataFrame({name: pd.Series([], dtype="string") for name in names}))
    return frame, rows, bad


def _exact_pass(ctx: _Context, body: list[str], first: int, offset: int, delimiter: str, width: int,
                records: list[list[str]], rows: list[int], bad: list[tuple[int, str, str]]) -> int | None:
    """Read body[first:]; when the last record runs to the end inside a quote, list it and return where to resume."""
    reader = csv.reader(io.StringIO("\n".join(body[first:])), delimiter=delimiter)
    start = 1
    for record in reader:
        line, start = start, reader.line_num + 1
        number = offset + first + line  # the record's first line in the file
        if start > len(body) - first and _open_quote_at_end(body[first + line - 1: first + reader.line_num]):
            opened = first + line - 1 + _opening_line(body[first + line - 1: first + reader.line_num])
            bad.append((offset + opened + 1, body[opened][:200],
                        f"a quote opened on line {offset + opened + 1} is never closed "
                        "(the lines after it are read as rows)"))
            for skipped in range(first + line - 1, opened):
                if body[skipped].strip():
                    bad.append((offset + skipped + 1, body[skipped][:200],
                                f"part of a record broken by the quote opened on line {offset + opened + 1}"))
            return opened + 1
        if not any(cell.strip() for cell in record):
            continue
        if ctx.long_text and max(map(len, record)) > MAX_CELL_CHARS:
            longest = max(range(len(record)), key=lambda i: len(record[i]))
            column = _position(ctx, longest)
            raise DataError(
                f"{ctx.path}:{number}: cell in column {column} holds {len(record[longest]):,} characters, "
                f"over the {MAX_CELL_CHARS:,} bound (Excel itself stops at 32,767): the file is damaged "
                "or a quote is left open"
            )
        if len(record) != width:
            bad.append((number, delimiter.join(record)[:200], f"has {len(record)} fields, the header has {width}"))
            continue
        records.append(record)
        rows.append(number)
    return None


def _position(ctx: _Context, index: int) -> str:
    """A column position for messages: 1-based number and spreadsheet letter."""
    return f"{index + 1} ({column_letter(index)})"


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _open_quote_at_end(lines: list[str]) -> bool:
    return sum(line.count('"') for line in lines) % 2 == 1


def _opening_line(lines: list[str]) -> int:
    """Index of the line whose quote stays open to the end (quotes toggle; "" toggles twice)."""
    parity, opened = 0, 0
    for i, line in enumerate(lines):
        before = parity
        parity = (parity + line.count('"')) % 2
        if before == 0 and parity == 1:
            opened = i
    return opened


# --- header, title lines, totals -------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_index(ctx: _Context, head: list[tuple[int, list]]) -> int:
    """Position in ``head`` of the header row (``options.header_row``; auto: see read_table)."""
    option = ctx.options.header_row
    if option != "auto":
        for i, (line, _cells) in enumerate(head):
            if line == option:
                return i
        last = head[-1][0] if head else 0
        where = "is blank" if option <= last else f"is past the end of the data (its last non-blank row is {last})"
        raise DataError(f"{ctx.path}: options.header_row: row {option} {where}")
    texts = [[_cell_text(c).casefold() for c in cells] for _line, cells in head]
    wanted = {name.strip().casefold() for name in ctx.columns if name.strip()}
    if wanted:
        # The first row holding every mapped column; failing that, the one holding most of them.
        present = [len(wanted.intersection(cells)) for cells in texts]
        if max(present, default=0) > 0:
            return present.index(max(present))
    filled = [sum(1 for c in cells if c) for cells in texts]
    threshold = max(1, math.ceil(max(filled, default=1) / 2))
    return next(i for i, count in enumerate(filled) if count >= threshold)


def _title_notes(ctx: _Context, above: list[tuple[int, list]], header_line: int) -> None:
    if not above:
        return
    ctx.note(INFO, f"column names read from row {header_line} (options.header_row: {ctx.options.header_row})",
             row=header_line, action=f"{len(above)} line(s) above it skipped")
    for line, cells in above:
        text = " | ".join(t for t in (_cell_text(c) for c in cells) if t)
        ctx.note(INFO, "report title or filter line above the header", row=line, value=text[:200],
                 action="skipped")


def _names(header: Sequence[object]) -> tuple[list[str], dict[str, tuple[int, ...]]]:
    """Unique column names (a repeated name gets .1, .2…) and the positions of repeated names."""
    seen: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    names = []
    for i, raw in enumerate(header):
        name = _cell_text(raw)
        positions.setdefault(name, []).append(i + 1)
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    duplicates = {name: tuple(at) for name, at in positions.items() if name and len(at) > 1}
    return names, duplicates


def _empty(column: pd.Series) -> pd.Series:
    if column.dtype == object:
        return column.map(lambda v: v is None or (isinstance(v, str) and not v.strip()) or v != v).astype(bool)
    return (column.isna() | (column.astype("string").str.strip() == "")).astype(bool)


def _drop_totals(ctx: _Context, frame: pd.DataFrame, names: list[str],
                 bad: list[tuple[int, str, str]]) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Take out report total lines (and what follows a grand total), listing them as footer lines."""
    if not len(frame):
        return frame, []
    folded = {name.casefold(): name for name in names}
    keys = [folded[k.strip().casefold()] for k in ctx.keys if k.strip().casefold() in folded]
    if keys:
        candidate = _empty(frame[keys[0]])
        for key in keys[1:]:
            candidate |= _empty(frame[key])
    else:
        first = frame[names[0]].astype("string").fillna("")
        candidate = first.str.match(_TOTAL).astype(bool) | (first.str.strip() == "")
    if not candidate.any():
        return frame, []
    drop: list[int] = []
    totals: list[tuple[int, str, str]] = []
    after_grand: int | None = None
    values = frame.loc[candidate, names]
    for position, cells in zip(values.index, values.itertuples(index=False), strict=True):
        texts = [t for t in (_cell_text(c) for c in cells) if t and t.lower() != "nan"]
        row = int(frame.at[position, ROW])
        joined = " | ".join(texts)[:200]
        if texts and _TOTAL.match(texts[0]):
            drop.append(position)
            totals.append((row, joined, f"{FOOTER} (total line)"))
            if after_grand is None and not re.match(r"\s*sub", texts[0], re.IGNORECASE):
                after_grand = row  # a grand total ends the data: what follows is the report's footer
        elif after_grand is not None and row > after_grand:
            drop.append(position)
            totals.append((row, joined, f"{FOOTER} (below the total line)"))
    if after_grand is not None:
        # Lines after a grand total with a wrong field count are the report's footer too.
        for i, (row, text, reason) in enumerate(bad):
            if row > after_grand and not reason.startswith(FOOTER):
                bad[i] = (row, text, f"{FOOTER} (below the total line)")
    if not drop:
        return frame, []
    return frame.drop(index=drop).reset_index(drop=True), totals


# --- workbooks -------------------------------------------------------------------------------


def _read_zip(ctx: _Context) -> RawTable:
    """An .xlsx/.xlsm/.xlsb or .ods after its bounds are checked, or a clear line saying what it is."""
    path = ctx.path
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise DataError(f"{path}: is not a readable workbook: the file is damaged or truncated ({_one_line(exc)}); "
                        "export it again") from None
    with archive:
        members = set(archive.namelist())
        if "xl/workbook.xml" in members:
            kind = "xlsx"
        elif "xl/workbook.bin" in members:
            kind = "xlsb"
        elif "content.xml" in members and (
                "mimetype" not in members or b"spreadsheet" in archive.read("mimetype")[:200]):
            kind = "ods"
        else:
            raise DataError(f"{path}: is a zip archive of {len(members)} file(s), not a workbook "
                            "(an .xlsx, .xlsb or .ods holds a workbook part)")
        formulas = _check_bounds(path, archive, kind)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        ctx.note(INFO, f"the file is an .{kind} workbook, whatever its name says", action="read as a workbook")
    return _read_workbook(ctx, kind, formulas=formulas)


def _check_bounds(path: Path, archive: zipfile.ZipFile, kind: str) -> bool:
    """Refuse a zip that would unpack past MAX_UNPACKED_BYTES, or a sheet spanning past MAX_SHEET_CELLS.

    Every part is inflated once in chunks (Python's zipfile never inflates past a part's declared size
    and checks its CRC, so a lying header is caught as damage). Returns whether a sheet holds formulas.
    """
    declared = sum(info.file_size for info in archive.infolist())
    if declared > MAX_UNPACKED_BYTES:
        raise DataError(
            f"{path}: refused: the workbook would unpack to {declared / 2**20:,.0f} MiB, over the "
            f"{MAX_UNPACKED_BYTES / 2**20:,.0f} MiB bound (a zip bomb, or too large: export it as CSV)"
        )
    formulas = False
    for info in archive.infolist():
        if info.is_dir():
            continue
        sheet = kind == "xlsx" and info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        extent = _Extent() if sheet else None
        try:
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    if extent is not None:
                        window = tail + chunk
                        extent.scan(window, first=not tail)
                        formulas = formulas or b"<f>" in window or b"<f " in window
                        tail = chunk[-256:]
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
            raise DataError(f"{path}: is not a readable workbook: part {info.filename} is damaged "
                            f"({_one_line(exc)}); export it again") from None
        if extent is not None and extent.cells > MAX_SHEET_CELLS:
            raise DataError(
                f"{path}: refused: sheet part {info.filename} spans {extent.describe()} "
                f"({extent.cells:,} cells), over the {MAX_SHEET_CELLS:,}-cell bound; delete the stray "
                "far-away cells, or export the sheet as CSV"
            )
    return formulas


class _Extent:
    """The used range of a worksheet part, from its dimension tag and its row and cell references."""

    def __init__(self) -> None:
        self.rows = (0, 0)
        self.column = 1
        self.declared = 0
        self.declared_ref = ""
        self.count = 0
        """Row elements seen (rows may omit their number)."""

    def scan(self, chunk: bytes, *, first: bool) -> None:
        if first and (dim := _DIMENSION.search(chunk, 0, 4096)):
            low_col, low_row, high_col, high_row = (g.decode() if g else g for g in dim.groups())
            if high_col:
                span_rows = int(high_row) - int(low_row) + 1
                span_cols = _column_number(high_col) - _column_number(low_col) + 1
                self.declared = span_rows * span_cols
                self.declared_ref = f"{low_col}{low_row}:{high_col}{high_row}"
        self.count += chunk.count(b"<row ") + chunk.count(b"<row>")
        first_row = _ROW_REF.search(chunk)
        if first_row:
            last_row = _ROW_REF.match(chunk, chunk.rfind(b"<row")) or first_row
            low, high = int(first_row.group(1)), int(last_row.group(1))
            self.rows = (low if not self.rows[0] else min(self.rows[0], low), max(self.rows[1], high))
        if _WIDE_COLUMN.search(chunk):
            self.column = max(self.column, *(_column_number(c.decode()) for c in _WIDE_COLUMN.findall(chunk)))

    @property
    def cells(self) -> int:
        used = max(self.rows[1] - self.rows[0] + 1 if self.rows[1] else 0, self.count) * max(self.column, 26)
        return max(used, self.declared)

    def describe(self) -> str:
        used = (self.rows[1] - self.rows[0] + 1 if self.rows[1] else 0) * max(self.column, 26)
        if self.declared >= used:
            return f"the declared range {self.declared_ref}"
        return f"rows {self.rows[0]:,}–{self.rows[1]:,} and columns A–{column_letter(self.column - 1)}"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _read_workbook(ctx: _Context, kind: str, *, formulas: bool = False) -> RawTable:
    """Cells of one sheet as stored (python-calamine); a formula without a saved result shows its text."""
    from python_calamine import CalamineWorkbook

    path, options = ctx.path, ctx.options
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise _workbook_error(path, kind, exc) from None
    sheet = options.sheet if options.sheet is not None else 0
    names = book.sheet_names
    if (isinstance(sheet, int) and not 0 <= sheet < len(names)) or (isinstance(sheet, str) and sheet not in names):
        raise DataError(f"{path}: sheet {sheet!r} not found (options.sheet; sheets: {', '.join(names)})")
    try:
        worksheet = book.get_sheet_by_index(sheet) if isinstance(sheet, int) else book.get_sheet_by_name(sheet)
        if worksheet.height * worksheet.width > MAX_SHEET_CELLS:
            raise DataError(f"{path}: refused: sheet {worksheet.name!r} spans {worksheet.height:,} rows × "
                            f"{worksheet.width:,} columns, over the {MAX_SHEET_CELLS:,}-cell bound")
        cells = worksheet.to_python(skip_empty_area=True)
        top, left = worksheet.start or (0, 0)
    except DataError:
        raise
    except Exception as exc:
        raise _workbook_error(path, f"sheet {sheet!r}", exc) from None
    finally:
        book.close()
    if formulas and kind == "xlsx":
        cells = _formula_texts(path, sheet, cells, top, left)
    numbered = [(top + i + 1, row) for i, row in enumerate(cells) if any(c is not None and c != "" for c in row)]
    if not numbered:
        raise DataError(f"{path}: sheet {sheet!r} is empty")
    index = _header_index(ctx, numbered[:HEADER_SCAN_ROWS] if options.header_row == "auto" else numbered)
    header_line, header = numbered[index]
    _title_notes(ctx, numbered[:index], header_line)
    names_, duplicates = _names(header)
    body = numbered[index + 1:]
    footer: list[tuple[int, str, str]] = []
    if options.skip_footer:
        cut = max(len(body) - options.skip_footer, 0)
        footer = [(line, " | ".join(_cell_text(c) for c in row if c is not None and c != ""),
                   f"{FOOTER} (options.skip_footer)") for line, row in body[cut:]]
        body = body[:cut]
    width = len(names_)
    records = [tuple(None if c == "" else c for c in row[:width]) + (None,) * (width - len(row))
               for _line, row in body]
    frame = pd.DataFrame.from_records(records, columns=names_) if records else pd.DataFrame(columns=names_)
    frame = frame.astype(object)
    frame[ROW] = [line for line, _row in body]
    frame, totals = _drop_totals(ctx, frame, names_, [])
    return RawTable(path, frame, tuple(footer + totals), tuple(ctx.notes), duplicates, header_line)


def _workbook_error(path: Path, where: str, exc: Exception) -> DataError:
    if "limit exceeded" in str(exc).lower():  # calamine's own cell bound (.ods repeated cells)
        return DataError(f"{path}: refused: the sheet spans too many cells ({_one_line(exc)}); "
                         "delete the stray far-away cells, or export the sheet as CSV")
    return DataError(f"{path}: is not a readable workbook ({where}: {_one_line(exc)}); export it again")


def _formula_texts(path: Path, sheet: str | int, cells: list[list], top: int, left: int) -> list[list]:
    """Fill cells without a saved value from their formula text (workbooks written by scripts)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        worksheet = book[book.sheetnames[sheet]] if isinstance(sheet, int) else book[sheet]
        typed = [tuple(row) for row in worksheet.iter_rows(min_row=top + 1, max_row=top + len(cells),
                                                          min_col=left + 1, values_only=True)]
    finally:
        book.close()
    def filled(value: object, text: object) -> object:
        return (text if value == "" and isinstance(text, str) and text.startswith("=") else value)
    return [[filled(v, t) for v, t in zip(row, texts + (None,) * (len(row) - len(texts)), strict=False)]
            for row, texts in zip(cells, typed + [()] * (len(cells) - len(typed)), strict=False)]


# --- Parquet ---------------------------------------------------------------------------------


def _read_parquet(ctx: _Context) -> RawTable:
    try:
        frame = pd.read_parquet(ctx.path)
    except Exception as exc:
        raise DataError(f"{ctx.path}: is not a readable Parquet file ({_one_line(exc)})") from None
    names, duplicates = _names([str(c) for c in frame.columns])
    frame.columns = names
    frame[ROW] = range(1, len(frame) + 1)
    return RawTable(ctx.path, frame, (), tuple(ctx.notes), duplicates)
