"""Writing helpers: CSV quoted like the ``csv`` module but built with Arrow kernels, reproducible
``.xlsx`` workbooks, Parquet, and the text forms of money, dates and numbers a CRM exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

from generator.schema import DATASETS

if TYPE_CHECKING:
    from generator.sample.world import World


@dataclass(frozen=True)
class CrmExport:
    """One dataset written as the imitation of its real export, and what a config needs to read it back."""

    dataset: str
    file: str
    """File name in the output folder."""
    columns: Mapping[str, str]
    """Export column of each field, in file order (a field may be export-only, e.g. the opportunity name)."""
    note: str
    """One line saying what the export is, written above its block in the config."""
    write: Callable[[World, Path], None]
    """Write this dataset of a generated company to a path."""
    options: Mapping[str, object] = field(default_factory=dict)
    """Read options that differ from the defaults (SPEC §3 ``options``)."""

    @property
    def config_columns(self) -> dict[str, str]:
        """The ``columns`` mapping of the config: canonical fields only, in file order."""
        known = DATASETS[self.dataset].field_names
        return {name: column for name, column in self.columns.items() if name in known}


def export_moment(end: dt.date) -> dt.datetime:
    """When the exports claim to have been made: 6 PM on the period's last day (no clock is read)."""
    return dt.datetime(end.year, end.month, end.day, 18, 0)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a canonical table as Parquet (zstd)."""
    pq.write_table(table, path, compression="zstd")


def write_csv(
    path: Path,
    columns: dict[str, pa.Array | pa.ChunkedArray],
    *,
    delimiter: str = ",",
    bom: bool = False,
    footer: str = "",
) -> None:
    """Write text columns as UTF-8 CSV quoted like ``csv.QUOTE_MINIMAL``, LF line ends, null -> empty.

    The header goes through the ``csv`` module; the rows are quoted by the same rule (a
    field is quoted when it holds the delimiter, a quote or a line break; quotes are
    doubled) with Arrow kernels, so millions of rows take seconds, not a per-row loop.
    """
    header = io.StringIO()
    csv.writer(
        header, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
    ).writerow(columns)

    def lit(value: str) -> pa.Scalar:
        return pa.scalar(value, pa.large_string())

    cells = []
    for values in columns.values():
        text = pc.cast(values, pa.large_string())
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        needs = pc.fill_null(
            pc.match_substring_regex(text, f'[{re.escape(delimiter)}"\\r\\n]'), False
        )
        if pc.any(needs).as_py():
            some = pc.replace_substring(pc.filter(text, needs), '"', '""')
            text = pc.replace_with_mask(
                text, needs, pc.binary_join_element_wise(lit('"'), some, lit('"'), lit(""))
            )
        cells.append(pc.fill_null(text, lit("")))
    lines = pc.binary_join_element_wise(
        pc.binary_join_element_wise(*cells, lit(delimiter)), lit("\n"), lit("")
    )
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    data = lines.buffers()[2]
    with path.open("wb") as handle:
        handle.write(("\ufeff" if bom else "").encode("utf-8") + header.getvalue().encode("utf-8"))
        if len(lines):
            handle.write(
                memoryview(data)[offsets[lines.offset] : offsets[lines.offset + len(lines)]]
            )
        handle.write(footer.encode("utf-8"))


def money_text(amount: np.ndarray) -> pa.Array:
    """Amounts as "$12,345.67" (NaN -> null), built with Arrow kernels rather than per-row Python."""
    amount = np.asarray(amount, dtype=float)
    valid = ~np.isnan(amount)
    cents = np.round(np.where(valid, np.abs(amount), 0.0) * 100).astype(np.int64)
    dollars, rest = np.divmod(cents, 100)
    groups = (
        1
        + (dollars >= 1_000).astype(np.int64)
        + (dollars >= 1_000_000)
        + (dollars >= 1_000_000_000)
    )
    text = pc.cast(pa.array(dollars // 1000 ** (groups - 1)), pa.string())
    for j in (2, 1, 0):
        group = pc.utf8_lpad(
            pc.cast(pa.array(dollars // 1000**j % 1000), pa.string()), width=3, padding="0"
        )
        text = pc.if_else(
            pa.array(groups - 1 > j), pc.binary_join_element_wise(text, group, ","), text
        )
    cents_text = pc.utf8_lpad(pc.cast(pa.array(rest), pa.string()), width=2, padding="0")
    text = pc.binary_join_element_wise("$", text, ".", cents_text, "")
    return pc.if_else(pa.array(valid), text, pa.scalar(None, pa.string()))


def date_text(values: pa.ChunkedArray, us: bool = False) -> pa.ChunkedArray:
    """Timestamps as ISO ``YYYY-MM-DD`` text, or US ``MM/DD/YYYY`` (null stays null)."""
    iso = pc.cast(pc.cast(values, pa.date32()), pa.string())
    if not us:
        return iso
    parts = (pc.utf8_slice_codeunits(iso, a, b) for a, b in ((5, 7), (8, 10), (0, 4)))
    return pc.binary_join_element_wise(*parts, "/")


def number_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Numbers as plain text: whole numbers without a decimal part."""
    if pa.types.is_floating(values.type):
        whole = pc.equal(values, pc.floor(values))
        as_int = pc.cast(pc.cast(values, pa.int64(), safe=False), pa.string())
        return pc.if_else(whole, as_int, pc.cast(values, pa.string()))
    return pc.cast(values, pa.string())


def write_xlsx(
    path: Path,
    sheet: str,
    columns: dict[str, list[object]],
    created: dt.datetime,
    *,
    date_columns: Collection[str] = (),
    money_columns: Collection[str] = (),
) -> None:
    """Write one sheet with real date and number cells; fixed properties and zip times."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "Sample Admin"
    wb.properties.created = created
    wb.properties.modified = created
    ws = wb.create_sheet(sheet)
    names = list(columns)
    for i in range(1, len(names) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for values in zip(*columns.values(), strict=True):
        row: list[object] = []
        for name, value in zip(names, values, strict=True):
            if value is not None and name in date_columns:
                cell = WriteOnlyCell(
                    ws, value=value.date() if isinstance(value, dt.datetime) else value
                )
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            elif value is not None and name in money_columns:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "#,##0.00"
                row.append(cell)
            else:
                row.append(value)
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    wb.properties.modified = created  # saving stamps the clock time: put the fixed one back
    core = tostring(wb.properties.to_tree())
    path.write_bytes(fixed_zip(buffer.getvalue(), {"docProps/core.xml": core}))


def fixed_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same zip with some entries replaced and every timestamp fixed, so output is reproducible."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, replace.get(info.filename) or src.read(info.filename))
    return out.getvalue()
