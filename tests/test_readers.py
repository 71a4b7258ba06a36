"""File readers (generator.load.readers): layouts real exports use, and a corpus of broken files.

Every broken file is built here by seeded code in a temporary folder; each must end in exit 1 or 2
with one line naming the file, never a traceback or a hang.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import struct
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

DEALS_HEADER = "deal_id,rep_id,client_id,amount,stage,closed\n"
REPS_HEADER = "rep_id,name,team\n"


def _deals_rows(n: int = 6, seed: int = 7) -> str:
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        stage = rng.choice(["Closed Won", "Closed Lost", "Negotiation"])
        rows.append(f"D{i:04d},R{i % 3 + 1},C{i % 4 + 1},{rng.randint(1, 90) * 1000}.00,{stage},2024-0{i % 9 + 1}-15\n")
    return "".join(rows)


DEALS_CSV = DEALS_HEADER + "D0000,R1,C1,5000.00,Closed Won,2024-01-10\n" + _deals_rows()
REPS_CSV = REPS_HEADER + "R1,Ann,East\nR2,Bo,West\nR3,Cy,East\n"


def _config(folder: Path, deals: str = "deals.csv", reps: str | None = "reps.csv", extra: str = "") -> Path:
    config = folder / "salesperf.yaml"
    text = f"site: {{title: T, currency: USD}}\nsources:\n  deals: {{path: {deals}{extra}}}\n"
    if reps:
        text += f"  reps: {{path: {reps}}}\n"
    config.write_text(text, encoding="utf-8")
    return config


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "deals.csv").write_text(DEALS_CSV, encoding="utf-8")
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    return tmp_path


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "-c", str(config), *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


# --- builders of workbook-shaped files ---------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
       '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
       'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
       'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_BOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
         'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
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
    inner = "".join(f'<c r="{col}{number}" t="inlineStr"><is><t>{text}</t></is></c>' for col, text in cells.items())
    return f'<row r="{number}">{inner}</row>'


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Rewrite a member's declared uncompressed size (local header and central directory)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04" + b"\x00" * 0, 0)
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30: local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46: central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def _reps_xlsx(path: Path) -> None:
    pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"], "team": ["East", "West"]}).to_excel(path, index=False)


def _write_ods(path: Path, rows: list[list[str]]) -> None:
    """A minimal OpenDocument spreadsheet (text cells)."""
    body = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>'
            for cell in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Reps">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)


# --- the corpus of broken files ---------------------------------------------------------------
# Each case writes one broken file into a valid export folder and returns (file name, config,
# expected exit code, a word the one error line must hold).


def _truncated_xlsx(folder: Path) -> tuple[str, Path, int, str]:
    _reps_xlsx(folder / "full.xlsx")
    data = (folder / "full.xlsx").read_bytes()
    (folder / "reps.xlsx").write_bytes(data[: len(data) // 2])
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "damaged or truncated"


def _html_as_xlsx(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.xlsx").write_text("<!DOCTYPE html><html><body><table><tr><td>rep_id</td></tr></table></body></html>",
                                      encoding="utf-8")
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "HTML page"


def _html_as_xls(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.xls").write_text("\n  <html xmlns:x='urn:schemas-microsoft-com:office:excel'><table></table></html>",
                                      encoding="utf-8")
    return "deals.xls", _config(folder, deals="deals.xls"), 1, "HTML page"


def _xml_2003_as_xls(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.xls").write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                                     "</Workbook>", encoding="utf-8")
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
    (folder / "reps.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(3000)))
    return "reps.xls", _config(folder, reps="reps.xls"), 1, "not a readable workbook"


def _zip_not_workbook(folder: Path) -> tuple[str, Path, int, str]:
    with zipfile.ZipFile(folder / "reps.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "zip archive"


def _declared_bomb(folder: Path) -> tuple[str, Path, int, str]:
    _write_xlsx_parts(folder / "reps.xlsx", _SHEET + "<sheetData>" + _inline_row(1, {"A": "rep_id"}) + "</sheetData></worksheet>")
    _patch_declared_size(folder / "reps.xlsx", "xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "bound"


def _lying_bomb(folder: Path) -> tuple[str, Path, int, str]:
    # 40 MB of XML that compresses to ~40 KB, declaring 2 KB: inflating stops at the declared size.
    sheet = (_SHEET + "<sheetData>" + _inline_row(1, {"A": "rep_id"})).encode() + b" " * 40_000_000 + b"</sheetData></worksheet>"
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
    _write_xlsx_parts(folder / "reps.xlsx", _SHEET + f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData></worksheet>')
    return "reps.xlsx", _config(folder, reps="reps.xlsx"), 1, "bound"


def _ods_repeated_far(folder: Path) -> tuple[str, Path, int, str]:
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    _write_ods(folder / "reps.ods", [["rep_id"], ["R1"]])
    far = (f"<table:table-row>{cell.format('rep_id')}</table:table-row>"
           '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row>'
           f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{cell.format("x")}</table:table-row>')
    with zipfile.ZipFile(folder / "reps.ods") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    content = parts["content.xml"].decode()
    start, end = content.index("<table:table-row>"), content.rindex("</table:table-row>") + len("</table:table-row>")
    parts["content.xml"] = (content[:start] + far + content[end:]).encode()
    with zipfile.ZipFile(folder / "reps.ods", "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return "reps.ods", _config(folder, reps="reps.ods"), 1, "refused"


def _utf16_bom(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "deals.csv").write_bytes(DEALS_CSV.encode("utf-16"))
    return "deals.csv", _config(folder), 1, "UTF-16"


def _utf16_no_bom(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_bytes(REPS_CSV.encode("utf-16-le"))
    return "reps.csv", _config(folder), 1, "UTF-16"


def _cp1252(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_bytes((REPS_HEADER + "R1,José Müller – “Jo”,East\n").encode("cp1252"))
    return "reps.csv", _config(folder), 1, "cp1252"


def _huge_cell(folder: Path) -> tuple[str, Path, int, str]:
    (folder / "reps.csv").write_text(REPS_HEADER + f'R1,"{"x" * (MAX_CELL_CHARS + 10)}",East\n', encoding="utf-8")
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


def test_broken_corpus_size() -> None:
    assert len(BROKEN) == 25


# --- readable layouts: real values -------------------------------------------------------------

REPORT_ROWS = [
    ["Opportunities Won FY24"], ["Northwind Traders (demo org)"], ["As of 12/31/2024 5:02 PM"], [],
    ["Filtered By:", "Close Date equals FY2024"], ["", "Show: All opportunities"], [],
    ["Opportunity Owner", "Opportunity Owner ID", "Opportunity ID", "Account ID", "Stage", "Close Date", "Amount"],
    ["Jo Park", "005A1", "006X1", "001A1", "Closed Won", dt.datetime(2024, 2, 3), 12000.0],
    ["Jo Park", "005A1", "006X2", "001A2", "Closed Lost", dt.datetime(2024, 3, 9), 5000.0],
    ["Sam Ruiz", "005A2", "006X3", "001A3", "Closed Won", dt.datetime(2024, 5, 20), 7000.0],
    ["Grand Total (3 records)", None, None, None, None, None, 24000.0], [],
    ["Confidential Information - Do Not Distribute"],
    ["Copyright (c) 2000-2024 example.com, inc. All rights reserved."],
]
REPORT_COLUMNS = ("{deal_id: Opportunity ID, rep_id: Opportunity Owner ID, client_id: Account ID, "
                  "amount: Amount, stage: Stage, closed: Close Date}")


def _report_config(folder: Path, path: str, options: str) -> Path:
    config = folder / f"{path}.yaml"
    config.write_text(f"site: {{title: T, currency: USD}}\nsources:\n  deals:\n    path: {path}\n"
                      f"    columns: {REPORT_COLUMNS}\n    options: {options}\n", encoding="utf-8")
    return config


def _figures(config: Path) -> dict[str, tuple[float, int, int]]:
    _cfg, inputs = check(config)
    deals = inputs.deals
    out = {}
    for rep, group in deals.groupby("rep_id"):
        won = group[group["status"] == "won"]
        out[str(rep)] = (float(won["amount"].sum()), len(won), int((group["status"] == "lost").sum()))
    return out


@pytest.mark.parametrize("options", ["{}", "{skip_footer: 3}"])
def test_formatted_report_workbook_title_lines_and_grand_total(tmp_path: Path, options: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in REPORT_ROWS:
        book.active.append(row)
    book.save(tmp_path / "report.xlsx")
    config = _report_config(tmp_path, "report.xlsx", options)
    assert _figures(config) == {"005A1": (12000.0, 1, 1), "005A2": (7000.0, 1, 0)}
    issues = check(config)[1].quality.issues
    assert ("info", 8) in zip(issues["severity"], issues["row"], strict=True)  # header found on row 8
    skipped = issues[issues["problem"] == "report title or filter line above the header"]
    assert skipped["row"].tolist() == [1, 2, 3, 5, 6]
    total = issues[issues["value"].fillna("").str.startswith("Grand Total")]
    assert total["severity"].tolist() == ["info"] and total["row"].tolist() == [12]
    assert (issues["severity"] == "warning").sum() == 0


def test_formatted_report_csv(tmp_path: Path) -> None:
    text = ('"Opportunities Won FY24"\n"As of 12/31/2024"\n"Filtered By: Close Date equals FY2024"\n\n'
            '"Opportunity Owner","Opportunity Owner ID","Opportunity ID","Account ID","Stage","Close Date","Amount"\n'
            '"Jo Park","005A1","006X1","001A1","Closed Won","2024-02-03","$12,000.00"\n'
            '"Jo Park","005A1","006X2","001A2","Closed Lost","2024-03-09","$5,000.00"\n'
            '"Sam Ruiz","005A2","006X3","001A3","Closed Won","2024-05-20","$7,000.00"\n'
            '"Subtotal","","","","","","$24,000.00"\n\n"Grand Total (3 records)",,,,,,"$24,000.00"\n'
            '"Confidential Information - Do Not Distribute"\n')
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
    assert table.frame.columns.tolist() == ["a", "b", "__row__"] and table.frame["__row__"].tolist() == [4]


def test_quoted_newlines_over_one_mib_read_whole(tmp_path: Path) -> None:
    note = '"Renewal.\nCustomer asked for a 2-year term.\nSigned by CFO."'
    rows = [f"{i},owner{i % 7}@acme.example,{5000 + i},Closed {'won' if i % 2 else 'lost'},2024-01-01,{100 + i},{note}"
            for i in range(12_000)]
    path = tmp_path / "deals.csv"
    path.write_text("Record ID,Deal owner,Company ID,Deal Stage,Close Date,Amount,Deal Description\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1 << 20
    table = read_table(path, ReadOptions())
    assert len(table.frame) == 12_000 and not table.unreadable
    assert table.frame["__row__"].tolist()[:3] == [2, 5, 8]
    assert table.frame["Deal Description"].iloc[-1] == note.strip('"')


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


def test_cr_only_line_endings(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_bytes(DEALS_CSV.replace("\n", "\r").encode("utf-8"))
    (tmp_path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    _cfg, inputs = check(_config(tmp_path))
    assert len(inputs.deals) == DEALS_CSV.count("\n") - 1
    assert inputs.deals["deal_id"].iloc[0] == "D0000"
    assert any("CR only" in p for p in inputs.quality.issues["problem"])


def test_huge_cell_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(REPS_HEADER + "R1,Ann,East\n" + f'R2,Bo,"{"y" * (MAX_CELL_CHARS + 1)}"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"r\.csv:3: cell in column 3 \(C\) holds 131,073 characters"):
        read_table(path, ReadOptions())


def test_csv_named_xlsx_is_read_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "reps.xlsx").write_text(REPS_CSV, encoding="utf-8")
    table = read_table(tmp_path / "reps.xlsx", ReadOptions())
    assert table.frame["rep_id"].tolist() == ["R1", "R2", "R3"]
    assert [n.problem for n in table.notes] == ["the file is CSV text, not a .xlsx workbook as its name says"]


def test_workbook_named_csv_is_read_as_workbook(tmp_path: Path) -> None:
    _reps_xlsx(tmp_path / "reps.csv")
    table = read_table(tmp_path / "reps.csv", ReadOptions())
    assert table.frame["name"].tolist() == ["Ann", "Bo"]
    assert table.notes[0].action == "read as a workbook"


def test_ods_workbook(tmp_path: Path) -> None:
    _write_ods(tmp_path / "reps.ods", [["Quarterly staff"], ["rep_id", "name", "team"], ["R1", "Ann", "East"]])
    table = read_table(tmp_path / "reps.ods", ReadOptions(), columns=["rep_id", "name"])
    assert table.frame["name"].tolist() == ["Ann"] and table.frame["__row__"].tolist() == [3]
    assert table.header_row == 2


@pytest.mark.parametrize(("delimiter", "word"), [(";", '";"'), ("\t", "tab"), ("|", '"|"')])
def test_delimiter_sniffed_and_stated(tmp_path: Path, delimiter: str, word: str) -> None:
    path = tmp_path / "g.csv"
    path.write_text(f"Goals FY24\nscope{delimiter}id{delimiter}target\nrep{delimiter}R1{delimiter}1,5\n", encoding="utf-8")
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
    assert ('warning: deals.csv:1: amount: duplicate column name "amount": it appears twice, as columns 4 (D) and 7 (G)'
            " — column 4 (D) used, the other ignored") in output
    assert check(config)[1].deals["amount"].sum() > 0  # the first "amount" (numbers), not the second ("P1")


def test_header_only_optional_export_is_an_empty_dataset(tmp_path: Path) -> None:
    _folder(tmp_path)
    (tmp_path / "reps.csv").write_text(REPS_HEADER, encoding="utf-8")
    code, output = _run(_config(tmp_path))
    assert code == 0, output
    assert "info: reps.csv:1: the file holds column names and no rows — read as an empty dataset" in output


def test_formula_without_saved_result_keeps_its_text(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    pd.DataFrame({"id": ["A", "B"], "calc": ["=1+1", "x"]}).to_excel(path, index=False)
    table = read_table(path, ReadOptions())
    assert table.frame["calc"].tolist() == ["=1+1", "x"]
