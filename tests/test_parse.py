"""Reading rules for cells (generator.load.parse) and files (generator.load.readers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from generator.config import ReadOptions
from generator.errors import DataError
from generator.load.parse import parse_date, parse_integer, parse_number
from generator.load.readers import read_table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,234.50", 1234.5),
        ("(500)", -500.0),
        ("500-", -500.0),
        ("-$5", -5.0),
        ("USD 1,000", 1000.0),
        ("€ 3", 3.0),
        ("  42 ", 42.0),
        ("1,234,567.89", 1234567.89),
        ("1.5e3", 1500.0),
    ],
)
def test_money_rules(text: str, expected: float) -> None:
    values, bad = parse_number(pd.Series([text]), ReadOptions())
    assert values.iloc[0] == pytest.approx(expected)
    assert not bad.iloc[0]


@pytest.mark.parametrize("text", ["12,5O0", "12,50", "abc", "1.2.3"])
def test_unreadable_amounts_are_flagged_not_guessed(text: str) -> None:
    values, bad = parse_number(pd.Series([text]), ReadOptions())
    assert pd.isna(values.iloc[0])
    assert bad.iloc[0]


def test_empty_amount_is_missing_not_bad() -> None:
    values, bad = parse_number(pd.Series(["", None]), ReadOptions())
    assert values.isna().all()
    assert not bad.any()


def test_decimal_comma() -> None:
    values, bad = parse_number(
        pd.Series(["1.234,50", "12,5", "1 000,00"]), ReadOptions(decimal=",")
    )
    assert values.tolist() == [1234.5, 12.5, 1000.0]
    assert not bad.any()


def test_thousands_option() -> None:
    values, _ = parse_number(pd.Series(["1'234'567"]), ReadOptions(thousands="'"))
    assert values.iloc[0] == 1234567


def test_iso_dates_and_no_guessing() -> None:
    values, bad = parse_date(
        pd.Series(["2024-03-31", "2024-03-31T10:00:00", "03/04/2024"]), ReadOptions()
    )
    assert values.iloc[0] == pd.Timestamp("2024-03-31")
    assert values.iloc[1] == pd.Timestamp("2024-03-31")
    assert bad.tolist() == [False, False, True]


def test_configured_us_dates() -> None:
    values, bad = parse_date(
        pd.Series(["03/04/2024", "13/04/2024"]), ReadOptions(date_format="%m/%d/%Y")
    )
    assert values.iloc[0] == pd.Timestamp("2024-03-04")
    assert bad.tolist() == [False, True]


def test_excel_date_cells_and_serials() -> None:
    cells = pd.Series([dt.datetime(2024, 1, 5), 45292, "2024-02-01", None, "soon"], dtype=object)
    values, bad = parse_date(cells, ReadOptions())
    assert values.iloc[0] == pd.Timestamp("2024-01-05")
    assert values.iloc[1] == pd.Timestamp("2024-01-01")  # Excel serial 45292
    assert values.iloc[2] == pd.Timestamp("2024-02-01")
    assert bad.tolist() == [False, False, False, False, True]


def test_fiscal_year_labels() -> None:
    values, bad = parse_integer(pd.Series(["FY2024", "fy 2025", "2023", "FY24.5"]), ReadOptions())
    assert values.tolist()[:3] == [2024, 2025, 2023]
    assert bad.tolist() == [False, False, False, True]


def test_integers_reject_fractions() -> None:
    values, bad = parse_integer(pd.Series(["2024", "2024.5", "x"]), ReadOptions())
    assert values.iloc[0] == 2024
    assert bad.tolist() == [False, True, True]


def test_csv_footer_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        '\ufeffa,b,c\n1,2,3\n\n4,"5\n5",6\n7,8,9\n\nTotal,,\nCopyright\n', encoding="utf-8"
    )
    table = read_table(path, ReadOptions(skip_footer=2))
    assert table.frame.columns.tolist()[:3] == ["a", "b", "c"]  # the BOM is not part of "a"
    assert table.frame["__row__"].tolist() == [2, 4, 6]
    assert [
        (line, reason.startswith("report footer")) for line, _t, reason in table.unreadable
    ] == [(8, True), (9, True)]


def test_csv_rows_with_wrong_field_count_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\nCopyright\n", encoding="utf-8")
    table = read_table(path, ReadOptions())
    assert table.frame["a"].tolist() == ["1", "6"]
    assert table.frame["__row__"].tolist() == [2, 4]
    assert [line for line, _t, _r in table.unreadable] == [3, 5]


def test_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("name\nJosé\n".encode("cp1252"))
    with pytest.raises(DataError, match="not valid utf-8"):
        read_table(path, ReadOptions())
    assert read_table(path, ReadOptions(encoding="cp1252")).frame["name"].tolist() == ["José"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "nope.csv", ReadOptions())


def test_trailing_blank_lines_do_not_shift_the_footer(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n3,4\n\nGrand Totals,7\nCopyright\n\n\n", encoding="utf-8")
    table = read_table(path, ReadOptions(skip_footer=3))
    assert table.frame["a"].tolist() == ["1", "3"]
    assert [line for line, _t, _r in table.unreadable] == [5, 6]


def test_xlsx_formula_text_and_missing_sheet(tmp_path: Path) -> None:
    path = tmp_path / "users.xlsx"
    frame = pd.DataFrame(
        {
            "User ID": ["A", "B"],
            "Full Name": ['=HYPERLINK("http://x","y")', "Bo"],
            "Hired": pd.to_datetime(["2024-01-01", None]),
        }
    )
    frame.to_excel(path, sheet_name="Users", index=False)  # pandas stores "=..." as a formula
    table = read_table(path, ReadOptions(sheet="Users"))
    assert table.frame["Full Name"].tolist() == ['=HYPERLINK("http://x","y")', "Bo"]
    assert table.frame["__row__"].tolist() == [2, 3]
    with pytest.raises(
        DataError, match=r"sheet 'Costs' not found \(options.sheet; sheets: Users\)"
    ):
        read_table(path, ReadOptions(sheet="Costs"))


def test_glob_later_file_wins_and_count_is_reported(tmp_path: Path) -> None:
    from generator.config import load_config
    from generator.load.loader import load_inputs

    header = "deal_id,rep_id,amount,stage,closed\n"
    (tmp_path / "deals-1.csv").write_text(
        header + "1,r1,100,Won,2024-01-01\n2,r1,5,Won,2024-01-02\n", encoding="utf-8"
    )
    (tmp_path / "deals-2.csv").write_text(header + "1,r1,300,Won,2024-01-01\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals-*.csv}\n", encoding="utf-8")
    inputs = load_inputs(load_config(tmp_path / "c.yaml"))
    assert inputs.deals.set_index("deal_id").loc["1", "amount"] == 300
    issues = inputs.quality.issues
    assert (
        "deal id: 1 value(s) appear more than once with other values; 1 earlier row(s) replaced by "
        "the later one" in issues["problem"].tolist()
    )
    replaced = issues[issues["action"] == "row replaced by the later one"]
    assert (replaced["file"].tolist(), replaced["row"].tolist()) == (["deals-1.csv"], [2])
