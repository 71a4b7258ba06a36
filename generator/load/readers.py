"""Read one export file (CSV, .xlsx, Parquet) into a table of raw cells, with each row's line number."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from generator.config import ReadOptions
from generator.errors import DataError

ROW = "__row__"
"""Column holding each record's row number in its file (CSV: physical line; xlsx: sheet row)."""


@dataclass(frozen=True)
class RawTable:
    """Cells of one file as read (text for CSV, typed for xlsx/Parquet), plus rows that could not be read."""

    path: Path
    frame: pd.DataFrame
    unreadable: tuple[tuple[int, str, str], ...]
    """(row, text, reason) of each line that is not a record: footer lines, wrong field counts."""


def read_table(path: Path, options: ReadOptions) -> RawTable:
    """Read any supported file; raise DataError when the file itself is unusable."""
    if not path.exists():
        raise DataError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            return _read_excel(path, options)
        if suffix in {".parquet", ".pq"}:
            return _read_parquet(path, options)
        return _read_csv(path, options)
    except DataError:
        raise
    except (OSError, ValueError, pa.ArrowException, KeyError) as exc:
        raise DataError(f"{path}: cannot read file: {exc}") from None


def _decode(path: Path, options: ReadOptions) -> str:
    data = path.read_bytes()
    encoding = options.encoding.lower().replace("_", "-")
    if encoding in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"  # a UTF-8 BOM is read, never kept in the first column name
    try:
        return data.decode(encoding)
    except LookupError:
        raise DataError(f"{path}: unknown encoding {options.encoding!r} (options.encoding)") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: byte {exc.start} is not valid {options.encoding} "
            f"(set options.encoding, e.g. cp1252 or latin-1)"
        ) from None


def _split_footer(lines: list[str], skip_footer: int) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Drop the last ``skip_footer`` lines, listing the non-blank ones as excluded."""
    if not skip_footer:
        return lines, []
    cut = max(len(lines) - skip_footer, 0)
    footer = [
        (cut + i + 1, text, "report footer (options.skip_footer)")
        for i, text in enumerate(lines[cut:])
        if text.strip()
    ]
    return lines[:cut], footer


def _read_csv(path: Path, options: ReadOptions) -> RawTable:
    text = _decode(path, options)
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines are not part of a report footer
    lines, footer = _split_footer(lines, options.skip_footer)
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        after = f" after skipping {options.skip_footer} footer line(s)" if options.skip_footer else ""
        raise DataError(f"{path}: file is empty{after}")
    delimiter = _delimiter(lines, options.delimiter)
    frame = _read_csv_fast(lines, delimiter)
    if frame is not None and len(frame) == len(nonblank) - 1:
        frame[ROW] = [i + 1 for i in nonblank[1:]]
        return RawTable(path, frame, tuple(footer))
    # Quoted line breaks or rows with the wrong number of fields: the exact, slower reader.
    frame, bad = _read_csv_exact(lines, delimiter)
    return RawTable(path, frame, tuple(footer + bad))


def _delimiter(lines: list[str], option: str) -> str:
    """The configured delimiter, or with ``auto`` the most frequent of , ; tab | on the header line."""
    if option != "auto":
        return option
    header = next((line for line in lines if line.strip()), "")
    counts = {c: header.count(c) for c in ",;\t|"}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def _read_csv_fast(lines: list[str], delimiter: str) -> pd.DataFrame | None:
    """pyarrow's reader, all cells as text; None when any row does not fit the header."""
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    body = "\n".join(lines).encode("utf-8")
    header = next(csv.reader([next(line for line in lines if line.strip())], delimiter=delimiter))
    names = _unique_names(header)
    table = pacsv.read_csv(
        io.BytesIO(body),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=_leading_blank(lines) + 1),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    if invalid:
        return None
    return table.to_pandas()


def _leading_blank(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line.strip())


def _read_csv_exact(lines: list[str], delimiter: str) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header: list[str] | None = None
    records: list[list[str]] = []
    rows: list[int] = []
    bad: list[tuple[int, str, str]] = []
    start = 1
    for record in reader:
        line = start
        start = reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = record
            continue
        if len(record) != len(header):
            text = delimiter.join(record)
            bad.append((line, text, f"has {len(record)} fields, the header has {len(header)}"))
            continue
        records.append(record)
        rows.append(line)
    names = _unique_names(header or [])
    frame = pd.DataFrame(records, columns=names, dtype="string") if records else pd.DataFrame(
        {name: pd.Series([], dtype="string") for name in names}
    )
    frame[ROW] = rows
    return frame, bad


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for raw in header:
        name = raw.strip()
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _sheet_rows(path: Path, sheet: str | int, *, formulas: bool) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=not formulas, keep_links=False)
    try:
        if isinstance(sheet, int):
            if sheet >= len(book.sheetnames):
                raise KeyError(sheet)
            worksheet = book[book.sheetnames[sheet]]
        else:
            worksheet = book[sheet]
        return [tuple(row) for row in worksheet.iter_rows(values_only=True)]
    except KeyError:
        raise DataError(
            f"{path}: sheet {sheet!r} not found (options.sheet; sheets: {', '.join(book.sheetnames)})"
        ) from None
    finally:
        book.close()


def _read_excel(path: Path, options: ReadOptions) -> RawTable:
    """Cells as stored; a formula cell without a saved result shows its formula text, as typed."""
    sheet = options.sheet if options.sheet is not None else 0
    rows = _sheet_rows(path, sheet, formulas=False)
    if any(cell is None for row in rows for cell in row):
        # Workbooks written by scripts keep formulas without results: read those cells as text.
        typed = _sheet_rows(path, sheet, formulas=True)
        rows = [
            tuple(f if v is None and isinstance(f, str) and f.startswith("=") else v
                  for v, f in zip(values, texts, strict=False))
            for values, texts in zip(rows, typed, strict=False)
        ]
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(c is not None and c != "" for c in row)]
    if not numbered:
        raise DataError(f"{path}: sheet {sheet!r} is empty")
    _header_line, header = numbered[0]
    names = _unique_names(["" if c is None else str(c) for c in header])
    body = numbered[1:]
    footer: list[tuple[int, str, str]] = []
    if options.skip_footer:
        cut = max(len(body) - options.skip_footer, 0)
        footer = [(line, " | ".join(str(c) for c in row if c is not None), "report footer (options.skip_footer)")
                  for line, row in body[cut:]]
        body = body[:cut]
    width = len(names)
    records = [tuple(row[:width]) + (None,) * (width - len(row)) for _line, row in body]
    frame = pd.DataFrame.from_records(records, columns=names) if records else pd.DataFrame(columns=names)
    frame = frame.astype(object)
    frame[ROW] = [line for line, _row in body]
    return RawTable(path, frame, tuple(footer))


def _read_parquet(path: Path, options: ReadOptions) -> RawTable:
    frame = pd.read_parquet(path)
    frame.columns = _unique_names([str(c) for c in frame.columns])
    frame[ROW] = range(1, len(frame) + 1)
    return RawTable(path, frame, ())

