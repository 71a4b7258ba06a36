"""File readers (generator.load.readers): layouts real exports use, and a corpus of broken files.

Every broken file is built here by seeded code in a temporary folder; each must end in exit 1 or 2
with one line naming the file, never a traceback or a hang.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import random
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from generator.build import check
from generator.cli import main
from generator.config import ReadOptions
from generator.errors import DataError
from generator.load.readers import MAX_CELL_CHARS, read_table
from tests.conftest import write_exports

DEALS_HEADER = "deal_id,rep_id,client_id,amount,stage,closed\n"
REPS_HEADER = "rep_id,name,team\n"


def _deals_rows(n: int = 6, seed: int = 7) -> str:
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        stage = rng.choice(["Closed Won", "Closed Lost", "Negotiation"])
        rows.append(
            f"D{i:04d},R{i % 3 + 1},C{i % 4 + 1},{rng.randint(1, 90) * 1000}.00,{stage},2024-0{i % 9 + 1}-15\n"
        )
    return "".join(rows)


DEALS_CSV = DEALS_HEADER + "D0000,R1,C1,5000.00,Closed Won,2024-01-10\n" + _deals_rows()
REPS_CSV = REPS_HEADER + "R1,Ann,East\nR2,Bo,West\nR3,Cy,East\n"


def _config(
    folder: Path,
    deals: str = "deals.csv",
    reps: str | None = "reps.csv",
    extra: str = "",
    reps_options: str = "",
) -> Path:
    config = folder / "salesperf.yaml"
    text = f"site: {{title: T, currency: USD}}\nsources:\n  deals: {{path: {deals}{extra}}}\n"
    if reps:
        text += f"  reps: {{path: {reps}{', options: ' + reps_options if reps_options else ''}}}\n"
    config.write_text(text, encoding="utf-8")
    return config


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "deals.csv").write_text(DEALS_CSV, encoding="utf-8")
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    return tmp_path


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "-c", str(config), *args])
    return result.exit_code, result.output + (
        result.stderr if result.stderr_bytes is not None else ""
    )


# --- builders of workbook-shaped files ---------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
    'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _write_xlsx_parts(path: Path, sheet_xml: str | bytes) -> None:
    """A minimal .xlsx written part by part, so a test controls the sheet XML exactly."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _BOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)


def _inline_row(number: int, cells: dict[str, str]) -> str:
    inner = "".join(
        f'<c r="{col}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for col, text in cells.items()
    )
    return f'<row r="{number}">{inner}</row>'


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Rewrite a member's declared uncompressed size (local header and central directory)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04" + b"\x00" * 0, 0)
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def _reps_xlsx(path: Path) -> None:
    pd.DataFrame(
        {"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"], "team": ["East", "West"]}
    ).to_excel(path, index=False)


def _write_ods(path: Path, rows: list[list[str]]) -> None:
    """A minimal OpenDocument spreadsheet (text cells)."""
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>'
            for cell in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Reps">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        number, low = number >> 7, number & 0x7F
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _record(typ: int, data: bytes = b"") -> bytes:
    """One BIFF12 record: type and size as 7-bit varints, then the data."""
    return _varint(typ) + _varint(len(data)) + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb_sheet(
    cells: list[tuple[int, int, object]], dimension: tuple[int, int, int, int] | None = None
) -> bytes:
    """A sheet part: BrtBeginSheet, BrtWsDim, BrtBeginSheetData, a BrtRowHdr per row, cells, the end records."""
    rows = sorted({row for row, _col, _value in cells})
    columns = [col for _row, col, _value in cells]
    dim = dimension or (rows[0], rows[-1], min(columns), max(columns))
    body = _record(129) + _record(148, struct.pack("<4I", *dim)) + _record(145)
    for row in rows:
        body += _record(0, struct.pack("<IIH", row, 0, 300) + b"\x00" * 7)  # BrtRowHdr
        for _row, col, value in (c for c in cells if c[0] == row):
            if isinstance(value, str):
                body += _record(6, struct.pack("<II", col, 0) + _wide(value))  # BrtCellSt
            else:
                body += _record(5, struct.pack("<IId", col, 0, float(value)))  # BrtCellReal
    return body + _record(146) + _record(130)


def write_xlsb(
    path: Path,
    rows: list[list[object]],
    *,
    far: tuple[int, int] | None = None,
    dimension: tuple[int, int, int, int] | None = None,
) -> None:
    """A minimal .xlsb built record by record (python-calamine reads it); ``far`` adds one stray cell."""
    cells = [
        (r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")
    ]
    if far:
        cells.append((*far, "stray"))
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/{}" Target="{}"/></Relationships>'
    )
    book = (
        _record(131)
        + _record(143)
        + _record(156, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Deals"))
        + _record(144)
        + _record(132)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", _CT.replace("sheet.main+xml", "sheet.binary.macroEnabled.main")
        )
        archive.writestr("_rels/.rels", rels.format("officeDocument", "xl/workbook.bin"))
        archive.writestr("xl/workbook.bin", book)
        archive.writestr(
            "xl/_rels/workbook.bin.rels", rels.format("worksheet", "worksheets/sheet1.bin")
        )
        archive.writestr("xl/worksheets/sheet1.bin", _xlsb_sheet(cells, dimension))


# --- the corpus of broken files ---------------------------------------------------------------
# Each case writes one broken file into a valid export folder and returns (file name, config,
# expected exit code, a word the one error line must hold).


def _truncated_xlsx(folder: Path) -> tuple[str, Path, int, str]:
    _reps_xlsx(folder / "full.xlsx")
    data = (folder / "full.xlsx").read_bytes()
    (folder / "reps.xlsx").write_bytes(data[: len(data) // 2])
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "damaged or truncated"


def _html_as_xlsx(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.xlsx").write_text(
        "<!DOCTYPE html><html><body><table><tr><td>rep_id</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "HTML page"


def _html_as_xls(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.xls").write_text(
        "\n  <html xmlns:x='urn:schemas-microsoft-com:office:excel'><table></table></html>",
        encoding="utf-8",
    )
    return "deals.xls", _config(folder, deals="deals.xls"), 1, "HTML page"


def _xml_2003_as_xls(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.xls").write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        "</Workbook>",
        encoding="utf-8",
    )
    return "reps.xls", _config(folder, reps="reps.xls"), 1, "Excel 2003 XML"


def _pdf_as_xlsx(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "PDF"


def _garbage_as_xlsx(folder: Path) -> tuple[str, Path, int, str]:
    rng = random.Random(3)
    (folder / "reps.xlsx").write_bytes(bytes(rng.randrange(256) for _ in range(5000)) + b"\x00\x00")
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "not a readable workbook"


def _garbage_ole2_as_xls(folder: Path) -> tuple[str, Path, int, str]:
    rng = random.Random(4)
    (folder / "reps.xls").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(3000))
    )
    return "reps.xls", _config(folder, reps="reps.xls"), 1, "not a readable workbook"


def _zip_not_workbook(folder: Path) -> tuple[str, Path, int, str]:
    with zipfile.ZipFile(folder / "reps.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "zip archive"


def _declared_bomb(folder: Path) -> tuple[str, Path, int, str]:
    _write_xlsx_parts(
        folder / "reps.xlsx",
        _SHEET + "<sheetData>" + _inline_row(1, {"A": "rep_id"}) + "</sheetData></worksheet>",
    )
    _patch_declared_size(folder / "reps.xlsx", "xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "bound"


def _lying_bomb(folder: Path) -> tuple[str, Path, int, str]:
    # 40 MB of XML that compresses to ~40 KB, declaring 2 KB: inflating stops at the declared size.
    sheet = (
        (_SHEET + "<sheetData>" + _inline_row(1, {"A": "rep_id"})).encode()
        + b" " * 40_000_000
        + b"</sheetData></worksheet>"
    )
    _write_xlsx_parts(folder / "reps.xlsx", sheet)
    _patch_declared_size(folder / "reps.xlsx", "xl/worksheets/sheet1.xml", 2048)
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "damaged"


def _far_cell(folder: Path) -> tuple[str, Path, int, str]:
    rows = _inline_row(1, {"A": "rep_id", "B": "name"}) + _inline_row(2, {"A": "R1", "B": "Ann"})
    rows += _inline_row(1048576, {"XFD": "stray"})
    _write_xlsx_parts(folder / "reps.xlsx", _SHEET + f"<sheetData>{rows}</sheetData></worksheet>")
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "bound"


def _declared_dimension(folder: Path) -> tuple[str, Path, int, str]:
    rows = _inline_row(1, {"A": "rep_id"}) + _inline_row(2, {"A": "R1"})
    _write_xlsx_parts(
        folder / "reps.xlsx",
        _SHEET + f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData></worksheet>',
    )
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "bound"


def _ods_repeated_far(folder: Path) -> tuple[str, Path, int, str]:
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    _write_ods(folder / "reps.ods", [["rep_id"], ["R1"]])
    far = (
        f"<table:table-row>{cell.format('rep_id')}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{cell.format("x")}</table:table-row>'
    )
    with zipfile.ZipFile(folder / "reps.ods") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    content = parts["content.xml"].decode()
    start, end = (
        content.index("<table:table-row>"),
        content.rindex("</table:table-row>") + len("</table:table-row>"),
    )
    parts["content.xml"] = (content[:start] + far + content[end:]).encode()
    with zipfile.ZipFile(folder / "reps.ods", "w") as archive:
        for name, data in parts.items():
            archive.writestr(
                name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            )
    return "reps.ods", _config(folder, reps="reps.ods"), 1, "refused"


def _utf16_bom(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.csv").write_bytes(DEALS_CSV.encode("utf-16"))
    return "deals.csv", _config(folder), 1, "UTF-16"


def _utf16_no_bom(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_bytes(REPS_CSV.encode("utf-16-le"))
    return "reps.csv", _config(folder), 1, "UTF-16"


def _cp1252(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_bytes(
        (REPS_HEADER + "R1,José Müller – “Jo”,East\n").encode("cp1252")
    )
    return "reps.csv", _config(folder), 1, "cp1252"


def _huge_cell(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_text(
        REPS_HEADER + f'R1,"{"x" * (MAX_CELL_CHARS + 10)}",East\n', encoding="utf-8"
    )
    return "reps.csv", _config(folder), 1, "131,072"


def _nul_bytes(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.csv").write_text(DEALS_CSV.replace("D0003", "D00\x003"), encoding="utf-8")
    return "deals.csv", _config(folder), 1, "NUL byte"


def _fifo(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").unlink()
    os.mkfifo(folder / "reps.csv")
    return "reps.csv", _config(folder), 2, "sources.reps.path"


def _directory(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps").mkdir()
    return "reps", _config(folder, reps="reps"), 2, "sources.reps.path"


def _device(folder: Path) -> tuple[str, Path, int, str]:
    os.symlink("/dev/zero", folder / "zero.csv")
    return "zero.csv", _config(folder, reps="zero.csv"), 2, "sources.reps.path"


def _empty_deals(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.csv").write_bytes(b"")
    return "deals.csv", _config(folder), 1, "empty"


def _header_only_deals(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.csv").write_text(DEALS_HEADER, encoding="utf-8")
    return "deals.csv", _config(folder), 1, "column names but no rows"


def _bad_parquet(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.parquet").write_bytes(b"PAR1" + b"\x01" * 100)
    return "deals.parquet", _config(folder, deals="deals.parquet"), 1, "Parquet"


def _header_row_past_end(folder: Path) -> tuple[str, Path, int, str]:
    return "deals.csv", _config(folder, extra=", options: {header_row: 99}"), 1, "header_row"


def _xlsb_far_cell(folder: Path) -> tuple[str, Path, int, str]:
    # The sheet's BrtWsDim says A1:B2, but a cell record sits at XFD1048576: calamine would allocate
    # 17 billion cells. The record walk finds it first.
    write_xlsb(
        folder / "reps.xlsb",
        [["rep_id", "name"], ["R1", "Ann"]],
        far=(1048575, 16383),
        dimension=(0, 1, 0, 1),
    )
    return "reps.xlsb", _config(folder, reps="reps.xlsb"), 1, "XFD"


def _xlsb_declared_range(folder: Path) -> tuple[str, Path, int, str]:
    write_xlsb(folder / "reps.xlsb", [["rep_id"], ["R1"]], dimension=(0, 1048575, 0, 16383))
    return "reps.xlsb", _config(folder, reps="reps.xlsb"), 1, "A1:XFD1048576"


def _utf8_declared_utf16(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_text(REPS_HEADER + "R1,José,East\n", encoding="utf-8")
    return (
        "reps.csv",
        _config(folder, reps="reps.csv", extra="", reps_options="{encoding: utf-16}"),
        1,
        "utf-8",
    )


def _utf8_declared_cp1252(folder: Path) -> tuple[str, Path, int, str]:
    # U+0081 is two bytes in UTF-8 (C2 81); 0x81 is undefined in cp1252.
    (folder / "reps.csv").write_text(REPS_HEADER + "R1,José\u0081,East\n", encoding="utf-8")
    return (
        "reps.csv",
        _config(folder, reps="reps.csv", reps_options="{encoding: cp1252}"),
        1,
        "looks like utf-8",
    )


def _delimiters_only(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_text(",,,,,\n,,,\n", encoding="utf-8")
    return "reps.csv", _config(folder), 1, "no column names found in the first 30 rows"


BROKEN: dict[str, Callable[[Path], tuple[str, Path, int, str]]] = {
    "truncated xlsx": _truncated_xlsx,
    "HTML page named .xlsx": _html_as_xlsx,
    "HTML page named .xls": _html_as_xls,
    "Excel 2003 XML named .xls": _xml_2003_as_xls,
    "PDF named .xlsx": _pdf_as_xlsx,
    "random bytes named .xlsx": _garbage_as_xlsx,
    "damaged OLE2 named .xls": _garbage_ole2_as_xls,
    "zip that is no workbook": _zip_not_workbook,
    "zip bomb (declared size)": _declared_bomb,
    "zip bomb (size lied about)": _lying_bomb,
    "lone cell at XFD1048576": _far_cell,
    "dimension A1:XFD1048576": _declared_dimension,
    ".ods with a far repeated cell": _ods_repeated_far,
    "UTF-16 with BOM": _utf16_bom,
    "UTF-16 without BOM": _utf16_no_bom,
    "cp1252 declared utf-8": _cp1252,
    "cell over 128 KB": _huge_cell,
    "NUL bytes": _nul_bytes,
    "FIFO": _fifo,
    "directory": _directory,
    "device": _device,
    "empty deals file": _empty_deals,
    "header-only deals file": _header_only_deals,
    "damaged Parquet": _bad_parquet,
    "header_row past the end": _header_row_past_end,
    ".xlsb with a cell record at XFD1048576": _xlsb_far_cell,
    ".xlsb declaring A1:XFD1048576": _xlsb_declared_range,
    "UTF-8 declared utf-16": _utf8_declared_utf16,
    "UTF-8 declared cp1252": _utf8_declared_cp1252,
    "header of delimiters only": _delimiters_only,
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_is_one_line_never_a_traceback(tmp_path: Path, case: str) -> None:
    name, config, expected, word = BROKEN[case](_folder(tmp_path))
    result = CliRunner().invoke(main, ["check", "-c", str(config)])
    output = result.output
    assert result.exit_code == expected, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    assert name in errors[0] and word in errors[0], errors[0]


def test_broken_corpus_covers_every_fault_kind_of_the_issue() -> None:
    """The kinds issue 10 names (truncated, wrong type, wrong encoding, huge cell, zip bomb, NUL, FIFO)."""
    kinds = {
        "truncated": ["truncated xlsx"],
        "wrong type": [
            "HTML page named .xlsx",
            "PDF named .xlsx",
            "zip that is no workbook",
            "damaged Parquet",
        ],
        "wrong encoding": [
            "UTF-16 with BOM",
            "cp1252 declared utf-8",
            "UTF-8 declared utf-16",
            "UTF-8 declared cp1252",
        ],
        "huge cell": ["cell over 128 KB"],
        "zip bomb": ["zip bomb (declared size)", "zip bomb (size lied about)"],
        "far-away cell": [
            "lone cell at XFD1048576",
            ".xlsb with a cell record at XFD1048576",
            ".ods with a far repeated cell",
        ],
        "NUL bytes": ["NUL bytes"],
        "FIFO": ["FIFO"],
        "not a file": ["directory", "device"],
        "no data": ["empty deals file", "header-only deals file", "header of delimiters only"],
    }
    for kind, cases in kinds.items():
        assert set(cases) <= set(BROKEN), kind


# --- readable layouts: real values -------------------------------------------------------------

REPORT_ROWS = [
    ["Opportunities Won FY24"],
    ["Northwind Traders (demo org)"],
    ["As of 12/31/2024 5:02 PM"],
    [],
    ["Filtered By:", "Close Date equals FY2024"],
    ["", "Show: All opportunities"],
    [],
    [
        "Opportunity Owner",
        "Opportunity Owner ID",
        "Opportunity ID",
        "Account ID",
        "Stage",
        "Close Date",
        "Amount",
    ],
    ["Jo Park", "005A1", "006X1", "001A1", "Closed Won", dt.datetime(2024, 2, 3), 12000.0],
    ["Jo Park", "005A1", "006X2", "001A2", "Closed Lost", dt.datetime(2024, 3, 9), 5000.0],
    ["Sam Ruiz", "005A2", "006X3", "001A3", "Closed Won", dt.datetime(2024, 5, 20), 7000.0],
    ["Grand Total (3 records)", None, None, None, None, None, 24000.0],
    [],
    ["Confidential Information - Do Not Distribute"],
    ["Copyright (c) 2000-2024 example.com, inc. All rights reserved."],
]
REPORT_COLUMNS = (
    "{deal_id: Opportunity ID, rep_id: Opportunity Owner ID, client_id: Account ID, "
    "amount: Amount, stage: Stage, closed: Close Date}"
)


def _report_config(folder: Path, path: str, options: str) -> Path:
    config = folder / f"{path}.yaml"
    config.write_text(
        f"site: {{title: T, currency: USD}}\nsources:\n  deals:\n    path: {path}\n"
        f"    columns: {REPORT_COLUMNS}\n    options: {options}\n",
        encoding="utf-8",
    )
    return config


def _figures(config: Path) -> dict[str, tuple[float, int, int]]:
    _cfg, inputs = check(config)
    deals = inputs.deals
    out = {}
    for rep, group in deals.groupby("rep_id"):
        won = group[group["status"] == "won"]
        out[str(rep)] = (
            float(won["amount"].sum()),
            len(won),
            int((group["status"] == "lost").sum()),
        )
    return out


@pytest.mark.parametrize("options", ["{}", "{skip_footer: 3}"])
def test_formatted_report_workbook_title_lines_and_grand_total(
    tmp_path: Path, options: str
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in REPORT_ROWS:
        book.active.append(row)
    book.save(tmp_path / "report.xlsx")
    config = _report_config(tmp_path, "report.xlsx", options)
    assert _figures(config) == {"005A1": (12000.0, 1, 1), "005A2": (7000.0, 1, 0)}
    issues = check(config)[1].quality.issues
    # header found on row 8
    assert ("info", 8) in zip(issues["severity"], issues["row"], strict=True)
    skipped = issues[issues["problem"] == "report title or filter line above the header"]
    assert skipped["row"].tolist() == [1, 2, 3, 5, 6]
    # Seven lines above row 8: the five listed and two blank ones (it said "5 line(s)").
    (header,) = issues.loc[issues["problem"].str.startswith("column names read from"), "action"]
    assert header == "7 line(s) above it skipped"
    total = issues[issues["value"].fillna("").str.startswith("Grand Total")]
    assert total["severity"].tolist() == ["info"] and total["row"].tolist() == [12]
    assert (issues["severity"] == "warning").sum() == 0


def test_formatted_report_csv(tmp_path: Path) -> None:
    text = (
        '"Opportunities Won FY24"\n"As of 12/31/2024"\n"Filtered By: Close Date equals FY2024"\n\n'
        '"Opportunity Owner","Opportunity Owner ID","Opportunity ID","Account ID","Stage","Close Date","Amount"\n'
        '"Jo Park","005A1","006X1","001A1","Closed Won","2024-02-03","$12,000.00"\n'
        '"Jo Park","005A1","006X2","001A2","Closed Lost","2024-03-09","$5,000.00"\n'
        '"Sam Ruiz","005A2","006X3","001A3","Closed Won","2024-05-20","$7,000.00"\n'
        '"Subtotal","","","","","","$24,000.00"\n\n"Grand Total (3 records)",,,,,,"$24,000.00"\n'
        '"Confidential Information - Do Not Distribute"\n'
    )
    (tmp_path / "report.csv").write_text(text, encoding="utf-8")
    config = _report_config(tmp_path, "report.csv", "{}")
    assert _figures(config) == {"005A1": (12000.0, 1, 1), "005A2": (7000.0, 1, 0)}
    _cfg, inputs = check(config)
    issues = inputs.quality.issues
    footer = issues[issues["problem"].str.startswith("report footer")]
    assert footer["row"].tolist() == [9, 11, 12] and set(footer["severity"]) == {"info"}
    assert inputs.quality.summaries[0].rows_read == 6 and inputs.quality.summaries[0].rows_used == 3


def test_header_row_number(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("Report\nx,y\na,b\n1,2\n", encoding="utf-8")
    table = read_table(path, ReadOptions(header_row=3))
    assert table.frame.columns.tolist() == ["a", "b", "__row__"] and table.frame[
        "__row__"
    ].tolist() == [4]


def test_quoted_newlines_over_one_mib_read_whole(tmp_path: Path) -> None:
    note = '"Renewal.\nCustomer asked for a 2-year term.\nSigned by CFO."'
    rows = [
        f"{i},owner{i % 7}@acme.example,{5000 + i},Closed {'won' if i % 2 else 'lost'},2024-01-01,{100 + i},{note}"
        for i in range(12_000)
    ]
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal owner,Company ID,Deal Stage,Close Date,Amount,Deal Description\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    assert path.stat().st_size > 1 << 20
    table = read_table(path, ReadOptions())
    assert len(table.frame) == 12_000 and not table.unreadable
    assert table.frame["__row__"].tolist()[:3] == [2, 5, 8]
    assert table.frame["Deal Description"].iloc[-1] == note.strip('"')
    config = tmp_path / "salesperf.yaml"
    config.write_text(
        "site: {title: T, currency: USD}\nsources:\n  deals:\n    path: deals.csv\n"
        "    columns: {deal_id: Record ID, rep_id: Deal owner, client_id: Company ID, stage: Deal Stage,"
        " closed: Close Date, amount: Amount}\n    won_stages: [Closed won]\n    lost_stages: [Closed lost]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "-c", str(config), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (
        "deals: 12,000 of 12,000 rows used" in result.output
        or "deals: 12000 of 12000 rows used" in result.output
    ), result.output


def test_unterminated_quote_names_its_line_and_reads_the_rest(tmp_path: Path) -> None:
    lines = DEALS_CSV.splitlines()
    cells = lines[3].split(",")
    cells[-1] = '"' + cells[-1]  # a quote opened on line 4 and never closed
    lines[3] = ",".join(cells)
    (tmp_path / "deals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    code, output = _run(_config(tmp_path))
    assert code == 0 and "Traceback" not in output
    assert "deals.csv:4:" in output and "a quote opened on line 4 is never closed" in output
    assert f"deals: {len(lines) - 2} of {len(lines) - 1} rows used" in output


def test_a_stray_quote_closed_by_a_later_quoted_cell_swallows_no_row(tmp_path: Path) -> None:
    """A cut-off name ("Q4 renewal (truncated) opens a quote that a later quoted amount closes: the
    reader joined the lines between into one record of the wrong width and listed only that, so
    D3–D6 vanished unnamed. The line the quote opened on is listed; the lines after it are rows."""
    (tmp_path / "deals.csv").write_text(
        "Opportunity ID,Opportunity Name,Owner,Account,Amount,Stage,Close Date\n"
        "D1,Alpha,R1,C1,$500.00,Closed Won,2024-01-01\n"
        'D2,"Q4 renewal (truncated,R1,C2,$600.00,Closed Won,2024-01-02\n'
        "D3,Gamma,R1,C3,$700.00,Closed Won,2024-01-03\n"
        "D4,Delta,R1,C4,$800.00,Closed Won,2024-01-04\n"
        "D5,Eps,R1,C5,$900.00,Closed Won,2024-01-05\n"
        'D6,Zeta,R1,C6,"$1,000.00",Closed Won,2024-01-06\n'
        "D7,Eta,R1,C7,$1100.00,Closed Won,2024-01-07\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text(
        "sources:\n  deals: {path: deals.csv, columns: {deal_id: Opportunity ID, rep_id: Owner, "
        "client_id: Account, amount: Amount, stage: Stage, closed: Close Date}}\n",
        encoding="utf-8",
    )
    _cfg, inputs = check(config)
    assert inputs.deals["deal_id"].tolist() == ["D1", "D3", "D4", "D5", "D6", "D7"]
    assert inputs.deals["amount"].sum() == 500 + 700 + 800 + 900 + 1000 + 1100
    listed = inputs.quality.warnings
    assert listed["row"].tolist() == [3]
    assert listed["problem"].iloc[0] == (
        "a quote opened on line 3 runs to line 7 (one record of 5 fields, the header has 7): "
        "the line is excluded and the lines after it are read as rows"
    )


def test_cr_only_line_endings(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_bytes(DEALS_CSV.replace("\n", "\r").encode("utf-8"))
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    _cfg, inputs = check(_config(tmp_path))
    assert len(inputs.deals) == DEALS_CSV.count("\n") - 1
    assert inputs.deals["deal_id"].iloc[0] == "D0000"
    assert any("CR only" in p for p in inputs.quality.issues["problem"])


def test_huge_cell_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        REPS_HEADER + "R1,Ann,East\n" + f'R2,Bo,"{"y" * (MAX_CELL_CHARS + 1)}"\n', encoding="utf-8"
    )
    with pytest.raises(
        DataError, match=r"r\.csv:3: cell in column 3 \(C\) holds 131,073 characters"
    ):
        read_table(path, ReadOptions())


def test_csv_named_xlsx_is_read_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "reps.xlsx").write_text(REPS_CSV, encoding="utf-8")
    table = read_table(tmp_path / "reps.xlsx", ReadOptions())
    assert table.frame["rep_id"].tolist() == ["R1", "R2", "R3"]
    assert [n.problem for n in table.notes] == [
        "the file is CSV text, not a .xlsx workbook as its name says"
    ]


def test_options_the_file_kind_cannot_use_are_noted(tmp_path: Path) -> None:
    """options.sheet on a CSV was ignored without a word: the rows read are not the sheet asked for."""
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    table = read_table(tmp_path / "reps.csv", ReadOptions(sheet="Q3"))
    assert table.frame["rep_id"].tolist() == ["R1", "R2", "R3"]
    [note] = table.notes
    assert (note.severity, note.problem) == (
        "warning",
        "options.sheet is 'Q3', but the file is CSV text, which has no sheets",
    )
    _reps_xlsx(tmp_path / "reps.xlsx")
    table = read_table(tmp_path / "reps.xlsx", ReadOptions(encoding="cp1252", delimiter=";"))
    assert [(n.severity, n.problem, n.action) for n in table.notes] == [
        ("info", "options.encoding, options.delimiter: not for a workbook", "not used")
    ]
    # The defaults, written out or not, or the options a workbook uses, say nothing.
    assert read_table(tmp_path / "reps.xlsx", ReadOptions(sheet=0, header_row=1)).notes == ()
    assert (
        read_table(tmp_path / "reps.xlsx", ReadOptions(skip_footer=0, encoding="utf-8")).notes == ()
    )
    assert read_table(tmp_path / "reps.csv", ReadOptions(sheet=None, header_row="auto")).notes == ()
    pd.DataFrame({"rep_id": ["R1"], "name": ["Ann"]}).to_parquet(tmp_path / "reps.parquet")
    [note] = read_table(
        tmp_path / "reps.parquet", ReadOptions(delimiter=";", header_row=2, skip_footer=1)
    ).notes
    assert note.problem == (
        "options.delimiter, options.header_row, options.skip_footer: not for a Parquet file"
    )


def test_binary_bytes_under_a_csv_name_are_called_binary(tmp_path: Path) -> None:
    """Random bytes were "not valid utf-8; the file looks like latin-1": set an encoding that only
    read garbage. One stray NUL in a text file is still named on its line."""
    rng = random.Random(3)
    (tmp_path / "deals.csv").write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    with pytest.raises(DataError, match=r"deals\.csv: is binary data, not text"):
        read_table(tmp_path / "deals.csv", ReadOptions())
    # Text in a declared wide encoding is read as before, even without a byte-order mark and with
    # high bytes that are control bytes (Cyrillic in UTF-16: 0x04).
    text = "rep_id,name,team\nR1,Анна,Восток\nR2,Борис,Запад\n"
    for encoding in ("utf-16-le", "utf-32-le"):
        (tmp_path / "reps.csv").write_bytes(text.encode(encoding))
        table = read_table(tmp_path / "reps.csv", ReadOptions(encoding=encoding))
        assert table.frame["name"].tolist() == ["Анна", "Борис"], encoding
    (tmp_path / "deals.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(DataError, match=r"deals\.csv: is a PNG image, not a table"):
        read_table(tmp_path / "deals.csv", ReadOptions())
    (tmp_path / "deals.csv").write_text(REPS_CSV.replace("R2", "R\x002"), encoding="utf-8")
    with pytest.raises(DataError, match=r"deals\.csv:3: NUL byte"):
        read_table(tmp_path / "deals.csv", ReadOptions())


def test_workbook_named_csv_is_read_as_workbook(tmp_path: Path) -> None:
    _reps_xlsx(tmp_path / "reps.csv")
    table = read_table(tmp_path / "reps.csv", ReadOptions())
    assert table.frame["name"].tolist() == ["Ann", "Bo"]
    assert table.notes[0].action == "read as a workbook"


def test_ods_workbook(tmp_path: Path) -> None:
    _write_ods(
        tmp_path / "reps.ods",
        [["Quarterly staff"], ["rep_id", "name", "team"], ["R1", "Ann", "East"]],
    )
    table = read_table(tmp_path / "reps.ods", ReadOptions(), columns=["rep_id", "name"])
    assert table.frame["name"].tolist() == ["Ann"] and table.frame["__row__"].tolist() == [3]
    assert table.header_row == 2


@pytest.mark.parametrize(("delimiter", "word"), [(";", '";"'), ("\t", "tab"), ("|", '"|"')])
def test_delimiter_sniffed_and_stated(tmp_path: Path, delimiter: str, word: str) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        f"Goals FY24\nscope{delimiter}id{delimiter}target\nrep{delimiter}R1{delimiter}1,5\n",
        encoding="utf-8",
    )
    table = read_table(path, ReadOptions())
    assert table.frame["target"].tolist() == ["1,5"]
    assert any(word in n.problem and n.severity == "info" for n in table.notes)


def test_duplicate_column_warning_names_both_positions(tmp_path: Path) -> None:
    header, *rows = DEALS_CSV.splitlines()
    text = "\n".join([header + ",amount", *(row + ",P1" for row in rows)]) + "\n"
    (tmp_path / "deals.csv").write_text(text, encoding="utf-8")
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    config = _config(tmp_path)
    code, output = _run(config)
    assert code == 0, output
    assert (
        'warning: deals.csv:1: amount: duplicate column name "amount": it appears twice, as columns 4 (D) and 7 (G)'
        " — column 4 (D) used, the other ignored"
    ) in output
    # the first "amount" (numbers), not the second ("P1")
    assert check(config)[1].deals["amount"].sum() > 0


def test_header_only_optional_export_is_an_empty_dataset(tmp_path: Path) -> None:
    _folder(tmp_path)
    (tmp_path / "reps.csv").write_text(REPS_HEADER, encoding="utf-8")
    code, output = _run(_config(tmp_path))
    assert code == 0, output
    assert (
        "info: reps.csv:1: the file holds column names and no rows — read as an empty dataset"
        in output
    )


def test_formula_without_saved_result_keeps_its_text(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    pd.DataFrame({"id": ["A", "B"], "calc": ["=1+1", "x"]}).to_excel(path, index=False)
    table = read_table(path, ReadOptions())
    assert table.frame["calc"].tolist() == ["=1+1", "x"]


# --- encodings ---------------------------------------------------------------------------------


def test_utf8_declared_single_byte_is_read_as_declared_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(REPS_HEADER + "R1,Ann,East\nR2,José Müller,West\n", encoding="utf-8")
    table = read_table(path, ReadOptions(encoding="cp1252"))
    assert table.frame["name"].tolist() == ["Ann", "JosÃ© MÃ¼ller"]  # what cp1252 makes of it
    (note,) = table.notes
    assert note.severity == "warning" and note.row == 3
    assert note.problem == (
        'the file is valid UTF-8 with non-ASCII text; read as cp1252 it shows "JosÃ©" '
        'for "José": set options.encoding: utf-8'
    )


def test_ascii_declared_single_byte_has_no_warning(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text(REPS_CSV, encoding="utf-8")
    assert read_table(tmp_path / "r.csv", ReadOptions(encoding="latin-1")).notes == ()


def test_cyrillic_cp1251_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(
        (REPS_HEADER + "R1,Иван Петров,Восток\nR2,Мария Сидорова,Запад\n").encode("cp1251")
    )
    # The byte's value and where it is: "byte 179" read as the byte's value (it was its position).
    first = (REPS_HEADER + "R1,").encode("cp1251")
    with pytest.raises(
        DataError,
        match=(
            r"r\.csv:2: byte 0xC8 \(character 4 of the line, byte "
            f"{len(first) + 1} of the file\\) is not valid utf-8; the file looks like cp1251"
        ),
    ):
        read_table(path, ReadOptions())
    # After a byte-order mark, and after a character of two bytes: the place is still right.
    path.write_bytes(codecs.BOM_UTF8 + "a,b\nü,1\nü".encode() + b"\xfc")
    with pytest.raises(
        DataError,
        match=r"r\.csv:3: byte 0xFC \(character 2 of the line, byte 15 of the file\) is not valid",
    ):
        read_table(path, ReadOptions())


# --- stray CR, blank rows, total lines ---------------------------------------------------------


def test_stray_cr_excludes_its_record_only(tmp_path: Path) -> None:
    lines = DEALS_CSV.splitlines()
    lines[2] = lines[2].replace("R2", "R\r2", 1)  # a CR alone inside an unquoted field, line 3
    (tmp_path / "deals.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    code, output = _run(_config(tmp_path))
    assert code == 0, output
    assert (
        'warning: deals.csv:3: "D0001,R\u240d2,C2,20000.00,Closed Lost,2024-02-15" a carriage return (CR, '
        "shown as \u240d) alone inside an unquoted field breaks this record"
    ) in output
    assert f"deals: {len(lines) - 2} of {len(lines) - 1} rows used" in output


def test_stray_cr_in_a_quoted_cell_is_text(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b'rep_id,name,team\nR1,"Ann\rLee",East\nR2,Bo,West\n')
    table = read_table(path, ReadOptions())
    assert table.frame["name"].tolist() == ["Ann\rLee", "Bo"] and not table.unreadable


@pytest.mark.parametrize("exact", [False, True])
def test_blank_rows_are_listed_in_both_csv_paths(tmp_path: Path, exact: bool) -> None:
    """ ",,,,," rows are skipped and listed as info, whichever reader (pyarrow or csv) reads the file."""
    lines = DEALS_CSV.splitlines()
    lines[3:3] = [",,,,,", ",,,,,"]
    lines.append(",,,,,")
    if exact:
        lines[1] += ',"a quote never closed'  # the exact reader reads this file
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path, ReadOptions(), keys=["deal_id"])
    blank = [
        (n.row, n.action) for n in table.notes if n.problem == "blank row: every field is empty"
    ]
    assert blank == [(4, "skipped (2 rows, 4–5)"), (len(lines), "skipped (1 row)")]
    assert all(n.severity == "info" for n in table.notes)
    assert "" not in table.frame["deal_id"].tolist()


@pytest.mark.parametrize("name", ["Total Wine & More", "Sum Corp", "Totally Awesome", "Total EMEA"])
def test_a_client_named_like_a_total_is_not_a_total(tmp_path: Path, name: str) -> None:
    """A data row with an empty id whose first cell merely starts with Total/Sum is a row with a missing
    id (a warning, so --strict fails), and the rows after it are not taken for a report footer."""
    text = (
        "client,deal_id,rep_id,client_id,amount,stage,closed\n"
        "Acme,D1,R1,C1,100,Closed Won,2024-01-05\n"
        f"{name},,R1,C2,200,Closed Won,2024-01-06\n"
        "Beta,D3,R2,C3,300,Closed Won,2024-01-07\n"
        "Gamma,,R2,C4,400,Closed Won,2024-01-08\n"
    )
    (tmp_path / "deals.csv").write_text(text, encoding="utf-8")
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    code, output = _run(_config(tmp_path))
    assert code == 0, output
    assert "report footer" not in output
    warned = [
        line for line in output.splitlines() if line.startswith("warning:") and "deal_id" in line
    ]
    # warnings: build --strict fails
    assert sorted({line.split(":")[2] for line in warned}) == ["3", "5"], output


@pytest.mark.parametrize(
    ("first", "total"),
    [
        ("Total", True),
        ("Totals", True),
        ("Grand Total (10 records)", True),
        ("Subtotal:", True),
        ("Sub-total", True),
        ("Total: EMEA", True),
        ("Sum", True),
        ("Total 24,000", True),
        ("Total Wine & More", False),
        ("Sum Corp", False),
        ("Total EMEA", False),
        ("Totally", False),
    ],
)
def test_total_row_words(first: str, total: bool) -> None:
    from generator.load.readers import is_total_row

    assert is_total_row([first, "", "$24,000.00"]) is total
    # a total carries a number
    assert is_total_row([first, "", "text"]) is (first == "Total 24,000")


def test_footer_rule_applies_after_a_grand_total_only(tmp_path: Path) -> None:
    text = (
        "owner,deal_id,rep_id,client_id,amount,stage,closed\n"
        "Ann,D1,R1,C1,100,Closed Won,2024-01-05\n"
        "Total,,,,100,,\n"  # a plain total: dropped, does not end the data
        "Bo,,R2,C2,200,Closed Won,2024-01-06\n"  # missing id: left for a warning, not footer
        "Grand Total (2 records),,,,300,,\n"
        "Confidential,,,,,,\n"
    )
    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path, ReadOptions(), keys=["deal_id"])
    assert [(row, reason) for row, _text, reason in table.unreadable] == [
        (3, "report footer (total line)"),
        (5, "report footer (total line)"),
        (6, "report footer (below the grand total line)"),
    ]
    assert table.frame["__row__"].tolist() == [2, 4]


# --- .xlsb and formulas ------------------------------------------------------------------------


def test_xlsb_workbook_is_read(tmp_path: Path) -> None:
    write_xlsb(
        tmp_path / "r.xlsb",
        [["Staff"], ["rep_id", "name", "team"], ["R1", "Ann", "East"], ["R2", "Bo", 7]],
    )
    table = read_table(tmp_path / "r.xlsb", ReadOptions(), columns=["rep_id", "name"])
    assert table.frame["name"].tolist() == ["Ann", "Bo"] and table.frame["team"].tolist() == [
        "East",
        7.0,
    ]
    assert table.header_row == 2


def test_biff12_walker_reads_records_cut_anywhere() -> None:
    """The streaming walk finds the same extent whatever the chunk boundaries."""
    from generator.load.readers import _BinExtent, biff12_records

    part = _xlsb_sheet([(0, 0, "id"), (1, 2, 5.0), (70_000, 300, "far" * 40)])
    assert [typ for typ, _data in biff12_records(part)] == [
        129,
        148,
        145,
        0,
        6,
        0,
        5,
        0,
        6,
        146,
        130,
    ]
    for size in (1, 2, 3, 7, 64, len(part)):
        extent = _BinExtent()
        for at in range(0, len(part), size):
            extent.feed(part[at : at + size], first=at == 0)
        assert (extent.low_row, extent.high_row, extent.low_col, extent.high_col) == (
            0,
            70_000,
            0,
            300,
        ), size
        assert extent.cells == 70_001 * 301


def _formula_book(path: Path, formula_sheet: str, cached: bool) -> None:
    cell = '<c r="B2"><f>1+1</f>' + ("<v>2</v>" if cached else "") + "</c>"
    plain = _inline_row(1, {"A": "id", "B": "calc"}) + _inline_row(2, {"A": "A"})
    with_formula = plain.replace('</row><row r="2">', '</row><row r="2">').replace(
        '<c r="A2" t="inlineStr"><is><t>A</t></is></c>',
        '<c r="A2" t="inlineStr"><is><t>A</t></is></c>' + cell,
    )
    book = _BOOK.replace(
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>',
        '<sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Calc" sheetId="2" r:id="rId2"/>',
    )
    rels = _BOOK_RELS.replace(
        "</Relationships>",
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>',
    )
    sheets = {"Data": plain, "Calc": plain}
    sheets[formula_sheet] = with_formula
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _CT.replace(
                "</Types>",
                '<Override PartName="/xl/worksheets/sheet2.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            ),
        )
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            _SHEET + f"<sheetData>{sheets['Data']}</sheetData></worksheet>",
        )
        archive.writestr(
            "xl/worksheets/sheet2.xml",
            _SHEET + f"<sheetData>{sheets['Calc']}</sheetData></worksheet>",
        )


@pytest.mark.parametrize(
    ("formula_sheet", "cached", "sheet", "passes"),
    [
        ("Calc", False, "Data", 0),  # a formula in another sheet: not the chosen sheet's business
        ("Data", True, "Data", 0),  # a formula with its saved result: calamine reads the result
        ("Data", False, "Data", 1),  # no saved result: the formula text is read (one openpyxl pass)
        ("Calc", False, "Calc", 1),
    ],
)
def test_formula_pass_only_for_the_chosen_sheet_without_saved_results(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    formula_sheet: str,
    cached: bool,
    sheet: str,
    passes: int,
) -> None:
    from generator.load import readers

    calls: list[str] = []
    original = readers._formula_texts

    def counted(*args: object) -> list[list]:
        calls.append("openpyxl")
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(readers, "_formula_texts", counted)
    _formula_book(tmp_path / "f.xlsx", formula_sheet, cached)
    table = read_table(tmp_path / "f.xlsx", ReadOptions(sheet=sheet))
    assert len(calls) == passes
    if sheet == formula_sheet:
        assert table.frame["calc"].tolist() == [2.0 if cached else "=1+1"]


_SIGNAL_DISPOSITION_DURING_A_READ = """
import ctypes, io, signal
import pyarrow.csv as pacsv
import generator.load.readers  # noqa: F401  (what salesperf sets up when it loads its readers)

libc = ctypes.CDLL(None, use_errno=True)

def disposition():  # the process's SIGTERM handler, as the kernel has it
    buffer = ctypes.create_string_buffer(256)
    assert libc.sigaction(signal.SIGTERM, None, buffer) == 0
    return ctypes.cast(buffer, ctypes.POINTER(ctypes.c_void_p))[0]

signal.signal(signal.SIGTERM, lambda signum, frame: None)
before, during = disposition(), []

class Export(io.RawIOBase):
    def __init__(self):
        self.rows = io.BytesIO(b"deal_id,amount\\nD-1,5\\n")
    def readable(self):
        return True
    def readinto(self, buffer):  # called by pyarrow in the middle of its read
        during.append(disposition())
        return self.rows.readinto(buffer)

pacsv.read_csv(io.BufferedReader(Export()))
print(before in during and set(during) == {before})
"""


def test_a_stop_signal_during_a_csv_read_reaches_salesperf() -> None:
    """pyarrow would swap in its own SIGTERM handler for the read, and its hand-over to Python can
    lose the signal (the build then runs on and publishes); salesperf turns that off, so the
    process keeps its own handler throughout a read."""
    ran = subprocess.run(
        [sys.executable, "-c", _SIGNAL_DISPOSITION_DURING_A_READ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
        check=False,
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "True"), ran.stderr


_OWNER_DEALS = (
    "deal_id,rep_id,client_id,amount,stage,closed\n"
    "D1,Anna Schmidt,C1,100,won,2024-03-01\n"
    "D2,Ben Braun,C2,300,won,2024-04-01\n"
    "D3,Ben Braun,C3,50,lost,2024-05-01\n"
)


def test_deals_that_name_their_reps_are_matched_to_the_reps_files_ids_by_name(
    tmp_path: Path,
) -> None:
    """Pipedrive and HubSpot export the owner's name; the reps file (and the costs keyed like it)
    use employee ids. Not one id matched: every rep was listed twice, with no team or cost."""
    config = write_exports(
        tmp_path,
        {
            "deals.csv": _OWNER_DEALS,
            "reps.csv": "rep_id,name,team\nP1,Anna Schmidt,North\nP2,Ben  braun,South\n",
            "costs.csv": "rep_id,year,salary\nP1,2024,100\nP2,2024,100\n",
        },
    )
    _cfg, inputs = check(config)
    assert sorted(inputs.deals["rep_id"].unique()) == ["P1", "P2"]
    assert len(inputs.reps) == 2 and len(inputs.costs) == 2
    notes = inputs.quality.issues
    (note,) = notes.loc[notes["action"] == "matched to reps by name", "problem"]
    assert (
        note
        == "2 rep(s) named by name in 3 row(s), read as the reps file's ids (by its name column)"
    )
    assert not len(inputs.quality.warnings)


def test_a_goals_sheet_naming_its_reps_is_matched_by_name_and_a_name_held_twice_is_not(
    tmp_path: Path,
) -> None:
    config = write_exports(
        tmp_path,
        {
            "deals.csv": _OWNER_DEALS.replace("Anna Schmidt", "P1").replace("Ben Braun", "P2"),
            "reps.csv": "rep_id,name,team\nP1,Anna Schmidt,North\nP2,Ben Braun,South\n"
            "P3,Ben Braun,South\nP4,Cleo Park,North\n",
            "goals.csv": "scope,id,year,target\nrep,anna  schmidt,2024,10\nrep,Ben Braun,2024,10\n"
            "rep,Cleo Park,2024,10\nteam,North,2024,10\n",
        },
    )
    _cfg, inputs = check(config)
    assert inputs.goals is not None
    assert sorted(inputs.goals["id"]) == ["North", "P1", "P4"]
    issues = inputs.quality.issues
    (note,) = issues.loc[issues["action"] == "matched to reps by name", "problem"]
    assert note == (
        "2 rep(s) named by name in 2 row(s), read as the reps file's ids (by its name column); "
        "1 name(s) the reps file holds twice were not: 'Ben Braun'"
    )
    warned = inputs.quality.warnings
    assert warned.loc[warned["dataset"] == "goals", "value"].tolist() == ["Ben Braun"]


def test_deals_whose_reps_match_neither_ids_nor_names_are_a_warning_quoting_both(
    tmp_path: Path,
) -> None:
    """Reps missing from the reps file are taken from the deals (SPEC §4): a warning, said more
    strongly when not one matches, quoting both files' keys."""
    config = write_exports(
        tmp_path,
        {
            "deals.csv": _OWNER_DEALS,
            "reps.csv": "rep_id,name,team\nP1,Carla Diaz,North\nP2,Dan Evans,South\n",
        },
    )
    _cfg, inputs = check(config)
    (problem,) = inputs.quality.warnings["problem"]
    assert problem.startswith(
        "not one rep of the deals is in the reps file (100.0% of won revenue, all years): the deals name "
        "'Anna Schmidt', 'Ben Braun', the reps file 'P1', 'P2'; check that"
    )


def test_deal_rep_ids_in_another_case_are_named_as_such(tmp_path: Path) -> None:
    config = write_exports(
        tmp_path,
        {
            "deals.csv": _OWNER_DEALS.replace("Anna Schmidt", "r01").replace("Ben Braun", "r02"),
            "reps.csv": "rep_id,name,team\nR01,Anna Schmidt,North\nR02,Ben Braun,South\n",
        },
    )
    _cfg, inputs = check(config)
    (problem,) = inputs.quality.warnings["problem"]
    assert "2 of them are the reps file's ids in another case ('r01' for 'R01')" in problem


def test_deal_reps_missing_from_the_reps_file_are_a_warning_with_their_revenue(
    tmp_path: Path,
) -> None:
    config = write_exports(
        tmp_path,
        {
            "deals.csv": _OWNER_DEALS,
            "reps.csv": "rep_id,name,team\nAnna Schmidt,Anna Schmidt,North\n",
        },
    )
    _cfg, inputs = check(config)
    warnings = inputs.quality.warnings
    (problem,) = warnings.loc[warnings["dataset"] == "reps", "problem"]
    # Ben Braun won 300 of the 400 won: three quarters of the revenue has no team or cost.
    assert (
        problem
        == "1 rep(s) appear in deals but not in the reps file (75.0% of won revenue, all years): 'Ben Braun'"
    )
    assert set(inputs.reps["rep_id"]) == {"Anna Schmidt", "Ben Braun"}


def test_owner_names_are_matched_even_when_most_owners_are_not_in_the_reps_file(
    tmp_path: Path,
) -> None:
    """An HR file listing current staff only: 1 of the 3 owners is in it. That one is matched by
    name (a rep listed twice otherwise), the client export's owners too; the others are warned."""
    deals = _OWNER_DEALS + "D4,Cy Gone,C4,70,won,2024-06-01\n"
    config = write_exports(
        tmp_path,
        {
            "deals.csv": deals,
            "reps.csv": "rep_id,name,team\nP1,Anna Schmidt,North\n",
            "clients.csv": "client_id,owner_rep_id\nC1,Anna Schmidt\nC2,Ben Braun\n",
        },
        "metrics: {attribution: owner}\n",
    )
    _cfg, inputs = check(config)
    assert sorted(inputs.reps["rep_id"]) == ["Ben Braun", "Cy Gone", "P1"]
    assert inputs.clients is not None
    assert inputs.clients.set_index("client_id")["owner_rep_id"].to_dict() == {
        "C1": "P1",
        "C2": "Ben Braun",
    }
    (problem,) = inputs.quality.warnings.loc[
        inputs.quality.warnings["dataset"] == "reps", "problem"
    ]
    assert problem == (
        "2 rep(s) appear in deals but not in the reps file (78.7% of won revenue, all years): "
        "'Ben Braun', 'Cy Gone'"
    )
