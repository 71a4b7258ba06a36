"""Reading values the way real exports write them: currency markers, locales, non-finite numbers,
offset timestamps, Excel serials, implausible dates, stage labels, Unicode ids, overlapping snapshots.

The folders under tests/data/cases/ are small exports in the layouts of real CRMs, each with the
figures a user expects of it.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from generator.build import build, check, strict_failures
from generator.cli import main
from generator.config import ReadOptions, load_config
from generator.errors import DataError
from generator.load.currency import describe_marker, is_site_marker
from generator.load.loader import default_as_of, load_inputs
from generator.load.parse import (
    COMPACT_NOTE,
    DECIMAL_COMMA_HINT,
    FISCAL_NOTE,
    INDIAN_NOTE,
    INVISIBLE_NOTE,
    LISTED_CELLS,
    MINUS_NOTE,
    NOT_FINITE,
    OUTSIDE_WINDOW,
    PARTIAL_DATE,
    SCIENTIFIC_NOTE,
    SPACED_NOTE,
    YEAR_FIRST_NOTE,
    convert_column,
    parse_date,
    parse_number,
)
from generator.metrics import compute_metrics
from generator.schema import Kind, fold_stage, stage_looks, stage_near
from tests.conftest import write_exports

CASES = Path(__file__).resolve().parent / "data" / "cases"


def _reps(config: Path) -> pd.DataFrame:
    cfg, inputs = check(config)
    return compute_metrics(inputs, cfg.config).reps.set_index("rep_id")


def _figures(config: Path, rep: str) -> tuple[float, int, int]:
    row = _reps(config).loc[rep]
    return float(row["revenue"]), int(row["won_deals"]), int(row["lost_deals"])


# ---- amounts ---------------------------------------------------------------------------------

AMOUNTS = [
    # text, options, value (None: not read), marker
    ("$1,234.50", {}, 1234.5, "$"),
    ("(500)", {}, -500.0, None),
    ("500-", {}, -500.0, None),
    ("-$5", {}, -5.0, "$"),
    ("$ (1,000.00)", {}, -1000.0, "$"),  # Excel's accounting format: the marker outside
    ("USD (1,000)", {}, -1000.0, "USD"),
    ("(1.000,00) €", {"decimal": ","}, -1000.0, "€"),
    ("$ -", {}, 0.0, "$"),  # Excel's accounting zero
    ("- €", {}, 0.0, "€"),
    ("-", {}, None, None),  # a lone dash stays a placeholder
    ("$ (12) $", {}, None, None),  # two markers
    ("M 100", {}, 100.0, "M"),  # the Lesotho loti's symbol: the loader excludes it on a USD site
    ("abc (12)", {}, None, None),
    ("$-5", {}, -5.0, "$"),
    ("USD 10,000.00", {}, 10000.0, "USD"),
    ("JPY 10,000", {}, 10000.0, "JPY"),  # read here; the loader excludes it on a USD site
    ("€5,000.00", {}, 5000.0, "€"),
    ("1.234,56 €", {"decimal": ","}, 1234.56, "€"),
    ("R$ 1.234,56", {"decimal": ","}, 1234.56, "R$"),
    ("R$ 1.234,56", {"locale": "pt_BR"}, 1234.56, "R$"),
    ("CHF 1'234.50", {}, 1234.5, "CHF"),
    ("CHF 1\u2019234.50", {"locale": "de_CH"}, 1234.5, "CHF"),
    ("US$ 12", {}, 12.0, "US$"),
    ("zł 5", {}, 5.0, "zł"),
    ("12 kr", {}, 12.0, "kr"),
    ("\u22121 234,50", {"locale": "de_DE"}, -1234.5, None),
    ("\u22121\u202f234,50", {"locale": "fr_FR"}, -1234.5, None),
    ("1\u00a0234\u00a0567,5", {"locale": "fr_FR"}, 1234567.5, None),
    ("1\u2009234.5", {}, 1234.5, None),
    ("12,34,567.00", {}, 1234567.0, None),
    ("1.5e3", {}, 1500.0, None),
    ("  42 ", {}, 42.0, None),
    ("1e308", {}, None, None),  # finite, but beyond any amount: sums and projections would overflow
    ("1e999", {}, None, None),
    ("-1e999", {}, None, None),
    ("9" * 400, {}, None, None),
    ("inf", {}, None, None),
    ("NaN", {}, None, None),
    ("12,50", {}, None, None),  # ambiguous with the decimal point
    ("1.2.3", {}, None, None),
    ("12,5O0", {}, None, None),
    ("(-5)", {}, None, None),  # two minus signs
    ("5 apples", {}, None, None),
    ("1234.5", {"decimal": ","}, None, None),  # a point is only a grouping mark there
]


def test_a_magnitude_abbreviation_is_named_unless_it_is_the_site_currency(tmp_path: Path) -> None:
    """ "1.2M" was "in LSL, not the site currency" (M is the loti's symbol): a user reads million.
    On a Zambian site "1,500 K" is 1,500 kwacha, and stays so."""
    cells = ["1.2M", "500k", "2.5 mn", "3 Mio", "5 Tsd.", "1.5 Mrd", "2bn", "$500k", "M 100"]
    rows = "".join(f'D{i},R1,Won,2024-01-0{1 + i % 9},"{c}"\n' for i, c in enumerate(cells))
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\n" + rows + "D99,R1,Won,2024-01-09,7\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    warned = load_inputs(load_config(tmp_path / "c.yaml")).quality.warnings
    amounts = warned[warned["column"] == "amount"].set_index("value")["problem"]
    for cell in cells[:-1]:
        suffix = cell.lstrip("$0123456789., ")
        assert amounts[cell] == (
            f'ends in "{suffix}", an abbreviation of thousands, millions or billions: not read; '
            "export the full number"
        ), cell
    assert amounts["M 100"] == "is in LSL, not the site currency USD (no conversion)"  # before it
    (tmp_path / "z.yaml").write_text(
        "site: {currency: ZMW}\nsources:\n  deals: {path: deals.csv}\n", encoding="utf-8"
    )
    (tmp_path / "deals.csv").write_text(
        'deal_id,rep_id,stage,closed,amount\nD1,R1,Won,2024-01-01,"1,500 K"\n', encoding="utf-8"
    )
    assert load_inputs(load_config(tmp_path / "z.yaml")).deals["amount"].tolist() == [1500.0]
    # A symbol before the number and a magnitude after it is never read, even where K is the
    # currency: "$500K" is no 500 kwacha.
    (tmp_path / "deals.csv").write_text(
        'deal_id,rep_id,stage,closed,amount\nD1,R1,Won,2024-01-01,"1,500 K"\n'
        'D2,R1,Won,2024-01-02,"$500K"\nD3,R1,Won,2024-01-03,€1.2M\n',
        encoding="utf-8",
    )
    inputs = load_inputs(load_config(tmp_path / "z.yaml"))
    assert inputs.deals["amount"].tolist() == [1500.0]
    refused = inputs.quality.warnings.query("column == 'amount'").set_index("value")["problem"]
    assert refused["$500K"].startswith('ends in "K", an abbreviation of thousands')
    assert refused["€1.2M"].startswith('ends in "M", an abbreviation of thousands')


@pytest.mark.parametrize(
    ("text", "options", "value", "marker"), AMOUNTS, ids=[a[0] for a in AMOUNTS]
)
def test_amount_rules(text: str, options: dict, value: float | None, marker: str | None) -> None:
    converted = convert_column(pd.Series([text], dtype="str"), Kind.MONEY, ReadOptions(**options))
    got = converted.values.iloc[0]
    if value is None:
        assert pd.isna(got) and bool(converted.bad.iloc[0])
    else:
        assert got == pytest.approx(value) and not converted.bad.iloc[0]
        assert math.isfinite(got)
    got_marker = None if converted.markers is None else converted.markers.iloc[0]
    assert (None if pd.isna(got_marker) else got_marker) == marker


@pytest.mark.parametrize("text", ["1e999", "-1e999", "9" * 400, "inf", "NaN"])
def test_non_finite_cells_say_why(text: str) -> None:
    converted = convert_column(pd.Series([text]), Kind.MONEY, ReadOptions())
    assert converted.reasons is not None and converted.reasons.iloc[0] == NOT_FINITE


def test_typed_numbers_from_workbooks_are_guarded_too() -> None:
    values, bad = parse_number(
        pd.Series([1.0, math.inf, -math.inf, math.nan, 1e300]), ReadOptions()
    )
    assert bad.tolist() == [False, True, True, False, True]
    assert values.iloc[0] == 1.0 and values.iloc[1:].isna().all()


def test_locale_and_rules_are_noted_with_counts() -> None:
    converted = convert_column(
        pd.Series(["1.234,56", "(5)", "7", "(8)"]), Kind.MONEY, ReadOptions(locale="de_DE")
    )
    notes = {n.problem: n.count for n in converted.notes}
    assert notes['read with the decimal mark "," of locale de_DE'] == 1
    assert notes["read as negative (parentheses or a trailing minus)"] == 2


@pytest.mark.parametrize(
    ("marker", "currency", "accepted"),
    [
        ("$", "USD", True),
        ("$", "CAD", True),
        ("$", "AUD", True),
        ("US$", "USD", True),
        ("usd", "USD", True),
        ("R$", "BRL", True),
        ("zł", "PLN", True),
        ("kr", "SEK", True),
        ("kr", "NOK", True),
        ("CHF", "CHF", True),
        ("¥", "JPY", True),
        ("€", "EUR", True),
        ("$", "EUR", False),
        ("€", "USD", False),
        ("JPY", "USD", False),
        ("kr", "USD", False),
        ("R$", "USD", False),
    ],
)
def test_which_markers_mean_the_site_currency(marker: str, currency: str, accepted: bool) -> None:
    assert is_site_marker(marker, currency) is accepted


def test_a_foreign_marker_names_its_currency() -> None:
    assert describe_marker("JPY", "USD") == "is in JPY, not the site currency USD (no conversion)"
    assert describe_marker("€", "USD") == "is in EUR, not the site currency USD (no conversion)"
    assert "SEK" in describe_marker("kr", "USD")  # type: ignore[operator]


def test_currency_in_cell_case() -> None:
    """Salesforce multi-currency org: only the USD cell counts; the others are listed with their currency."""
    config = CASES / "currency-in-cell" / "config.yaml"
    assert _figures(config, "0051")[:2] == (10000.0, 1)
    _cfg, inputs = check(config)
    excluded = inputs.quality.issues.query("column == 'amount' and action == 'row excluded'")
    assert excluded["value"].tolist() == ["JPY 10,000", "€5,000.00", "GBP 3,000.00"]
    assert [p.split(",")[0] for p in excluded["problem"]] == ["is in JPY", "is in EUR", "is in GBP"]
    assert excluded["row"].tolist() == [2, 4, 5]
    assert set(inputs.deals["deal_id"]) == {"0062"}


def test_brl_amounts_case() -> None:
    config = CASES / "brl-amounts" / "config.yaml"
    reps = _reps(config)
    assert reps.loc["ana.souza", "revenue"] == pytest.approx(1234.56)
    assert (reps.loc["ana.souza", "won_deals"], reps.loc["ana.souza", "lost_deals"]) == (1, 1)
    assert reps.loc["bruno.lima", "revenue"] == pytest.approx(13480)
    assert reps.loc["bruno.lima", "won_deals"] == 2
    _cfg, inputs = check(config)
    notes = inputs.quality.issues.groupby("problem")["count"].sum()
    assert notes['currency marker "R$" (BRL) removed'] == 4


def test_brl_amounts_by_locale(tmp_path: Path) -> None:
    shutil.copytree(CASES / "brl-amounts", tmp_path / "case")
    config = tmp_path / "case" / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('decimal: ","', "locale: pt_BR"),
        encoding="utf-8",
    )
    assert _figures(config, "bruno.lima")[:2] == (13480.0, 2)


def test_huge_amount_case(tmp_path: Path) -> None:
    """1e999, -1e999 and a 400-digit amount are excluded with a warning; nothing non-finite is published."""
    shutil.copytree(CASES / "huge-amount", tmp_path / "case")
    result = build(tmp_path / "case" / "salesperf.yaml", tmp_path / "out")
    warnings = result.quality.warnings
    assert (warnings["column"] == "amount").sum() >= 3
    assert set(warnings.loc[warnings["column"] == "amount", "row"]) >= {2, 4, 5}
    cell = re.compile(r"(?:^|,)(?:-?inf|-?Infinity|NaN)(?:,|$)", re.MULTILINE)
    for path in (tmp_path / "out").rglob("*.csv"):
        assert not cell.search(path.read_text(encoding="utf-8")), path

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a JSON file")

    for path in (tmp_path / "out").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


# ---- amounts written with the other decimal mark ------------------------------------------------


def _deals_csv(
    tmp_path: Path,
    rows: str,
    config: str = "",
    options: str = "{}",
    header: str = "deal_id,rep_id,stage,closed,amount",
) -> Path:
    """A deals export and a config reading it (``config``: more top-level keys; ``options``: read options)."""
    (tmp_path / "deals.csv").write_text(f"{header}\n{rows}", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        f"sources:\n  deals: {{path: deals.csv, options: {options}}}\n{config}", encoding="utf-8"
    )
    return tmp_path / "c.yaml"


def test_german_amounts_are_not_read_1000_times_too_small() -> None:
    """de2 trial: "12.000 €" with the default decimal point is ambiguous: refused with the option to
    set. The lost deal's amount is as unreadable as the won ones', so it is excluded with them (a
    wrong decimal mark used to drop only the won deals: a win rate of 0), and with no deal left the
    check stops, naming the cells and the option, instead of an empty site."""
    with pytest.raises(DataError) as stopped:
        check(CASES / "german-amounts" / "config.yaml")
    lines = stopped.value.problems
    assert "no usable deals rows: all 4 row(s) read were excluded; first reasons:" in lines[0]
    cells = [line for line in lines if "row excluded" in line]
    assert [re.search(r'"([^"]+ €)"', line)[1] for line in cells] == [  # type: ignore[index]
        "12.000 €",
        "3.500 €",
        "250.000 €",
        "1.000 €",
    ]
    assert all(DECIMAL_COMMA_HINT in line for line in cells)
    assert any('sources.deals.options.decimal: ","' in line for line in lines)


def test_an_unreadable_amount_excludes_a_lost_deal_too_so_the_win_rate_holds(
    tmp_path: Path,
) -> None:
    """A won deal whose amount cannot be read is excluded; a lost one used to stay (its amount left
    empty), so the win rate counted its losses without its wins. A blank amount on a lost deal is
    still fine. When every won deal is excluded but others remain, the check stops."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        'D1,R1,C1,"1.234,50",Closed Won,2024-03-01\n'
        "D2,R1,C2,2000,Closed Won,2024-03-02\n"
        'D3,R1,C3,"1.500,00",Closed Lost,2024-03-03\n'
        "D4,R1,C4,,Closed Lost,2024-03-04\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text("sources: {deals: {path: deals.csv}}\n", encoding="utf-8")
    _cfg, inputs = check(config)
    assert inputs.deals["deal_id"].tolist() == ["D2", "D4"]
    amount = inputs.quality.warnings.query("column == 'amount' and value.notna()")
    assert amount["value"].tolist() == ["1.234,50", "1.500,00"]
    assert amount["action"].tolist() == ["row excluded", "row excluded"]
    metrics = compute_metrics(inputs, _cfg.config)
    assert metrics.reps.set_index("rep_id").loc["R1", "win_rate"] == pytest.approx(0.5)

    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        'D1,R1,C1,"1.234,50",Closed Won,2024-03-01\n'
        "D3,R1,C3,,Closed Lost,2024-03-03\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as stopped:
        check(config)
    assert stopped.value.problems[0] == (
        f"{config}: sources.deals: all 1 won deal(s) were excluded, so the site would show no "
        "revenue; first reasons:"
    )
    assert '"1.234,50"' in stopped.value.problems[1] + stopped.value.problems[2]

    # A placeholder on a lost deal is no misread number: the deal stays, its amount empty.
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R1,C1,1000,Won,2024-03-01\nD2,R1,C2,-,Lost,2024-05-01\n"
        "D3,R1,C3,n/a,Lost,2024-06-01\n",
        encoding="utf-8",
    )
    _cfg, inputs = check(config)
    assert inputs.deals["deal_id"].tolist() == ["D1", "D2", "D3"]
    assert inputs.as_of.isoformat() == "2024-06-01"

    # Amounts in another currency exclude every won deal: the check stops too.
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R1,C1,€1000,Won,2024-03-01\nD2,R1,C2,€2000,Won,2024-04-01\n"
        "D3,R1,C3,,Lost,2024-06-01\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as stopped:
        check(config)
    assert "all 2 won deal(s) were excluded" in stopped.value.problems[0]
    assert "is in EUR, not the site currency USD" in stopped.value.problems[1]


@pytest.mark.parametrize("option", ["locale: de_DE", 'decimal: ","'])
def test_german_amounts_with_the_locale(tmp_path: Path, option: str) -> None:
    shutil.copytree(CASES / "german-amounts", tmp_path / "case")
    config = tmp_path / "case" / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('delimiter: ";"', f'delimiter: ";", {option}'),
        encoding="utf-8",
    )
    assert _figures(config, "Anna") == (15500, 2, 0)
    assert _figures(config, "Jörg") == (250000, 1, 1)
    _cfg, inputs = check(config)
    assert len(inputs.quality.warnings) == 0


@pytest.mark.parametrize(
    ("cell", "currency", "value"),
    [
        ("12.000", "EUR", None),
        ("250.000 €", "EUR", None),
        ("-12.000", "USD", None),
        ("12.000", "JPY", None),
        ("12.000", "KWD", 12.0),
        ("1.250", "BHD", 1.25),  # three minor digits: a decimal amount
        ("1,000", "EUR", 1000.0),
        ("12.00", "EUR", 12.0),
        ("1234.500", "EUR", 1234.5),
        ("0.125", "EUR", 0.125),
        ("1,234.000", "USD", 1234.0),  # grouped: the point can only be the decimal mark
    ],
)
def test_a_lone_point_before_three_digits_is_ambiguous(
    tmp_path: Path, cell: str, currency: str, value: float | None
) -> None:
    config = _deals_csv(
        tmp_path,
        f'1,R1,Won,2024-01-01,"{cell}"\n2,R1,Won,2024-01-02,5\n',
        f"site: {{currency: {currency}}}\n",
    )
    deals = load_inputs(load_config(config)).deals.set_index("deal_id")
    if value is None:
        assert "1" not in deals.index
    else:
        assert deals.loc["1", "amount"] == pytest.approx(value)


@pytest.mark.parametrize("cell", ["1000,50", "12,50", "1.234,56", "1.250.000"])
def test_amounts_that_read_only_with_a_decimal_comma_say_so(cell: str) -> None:
    converted = convert_column(pd.Series([cell]), Kind.MONEY, ReadOptions())
    assert converted.bad.iloc[0]
    assert converted.reasons is not None and converted.reasons.iloc[0].endswith(DECIMAL_COMMA_HINT)


def test_the_mirror_a_decimal_point_with_the_comma_setting(tmp_path: Path) -> None:
    config = _deals_csv(
        tmp_path,
        '1,R1,Won,2024-01-01,"1,000"\n2,R1,Won,2024-01-02,1234.5\n3,R1,Won,2024-01-03,7\n',
        options='{decimal: ","}',
    )
    inputs = load_inputs(load_config(config))
    assert inputs.deals["deal_id"].tolist() == ["3"]
    problems = inputs.quality.warnings.query("column == 'amount'")["problem"].tolist()
    assert any(p.startswith('is ambiguous: ","') for p in problems)
    assert any(p.startswith('is not an amount with the decimal comma ","') for p in problems)
    assert any('sources.deals.options.decimal: "."' in a for a in inputs.quality.warnings["action"])


@pytest.mark.parametrize(
    ("cell", "options", "value", "note"),
    [
        ("\u2212500", {}, -500.0, MINUS_NOTE),
        ("1\u00a0234", {}, 1234.0, SPACED_NOTE),
        ("1\u202f234", {}, 1234.0, SPACED_NOTE),
        ("1'234", {}, 1234.0, SPACED_NOTE),
        ("12,34,567", {}, 1234567.0, INDIAN_NOTE),
        ("1.5e3", {}, 1500.0, SCIENTIFIC_NOTE),
        ("1\u200b000", {}, 1000.0, INVISIBLE_NOTE),
    ],
)
def test_every_amount_rule_is_noted(cell: str, options: dict, value: float, note: str) -> None:
    converted = convert_column(pd.Series(["5", cell]), Kind.MONEY, ReadOptions(**options))
    assert converted.values.iloc[1] == value and not converted.bad.any()
    notes = {n.problem: n for n in converted.notes}
    assert note in notes and notes[note].cells == (1,) and notes[note].value == cell


def test_fiscal_year_labels_are_noted() -> None:
    converted = convert_column(
        pd.Series(["FY2024", "2024", "FY 2023"]), Kind.INTEGER, ReadOptions()
    )
    assert converted.values.tolist() == [2024, 2024, 2023]
    assert [(n.problem, n.cells) for n in converted.notes] == [(FISCAL_NOTE, (0, 2))]


def test_negative_amount_warning_shows_the_cell_as_written(tmp_path: Path) -> None:
    config = _deals_csv(
        tmp_path,
        "1,R1,Won,2024-01-01,\u2212500\n2,R1,Won,2024-01-02,(500)\n"
        "3,R1,Won,2024-01-03,800-\n4,R1,Won,2024-01-04,-5\n5,R1,Won,2024-01-05,9\n",
    )
    warnings = load_inputs(load_config(config)).quality.warnings
    negative = warnings[warnings["problem"].str.startswith("won deal with a negative amount")]
    assert negative["value"].tolist() == ["\u2212500", "(500)", "800-", "-5"]


# ---- dates -----------------------------------------------------------------------------------


def test_offset_timestamps_read_as_local_dates() -> None:
    cells = pd.Series(
        [
            "2024-03-08T17:00:00-05:00",
            "2024-03-12T09:00:00-04:00",
            "2024-03-04T23:30:00Z",
            "2024-03-31",
            "2024-01-05T22:00:00+0530",
            "2024-01-05 22:00 UTC",
        ]
    )
    values, bad = parse_date(cells, ReadOptions())
    assert [d.date().isoformat() for d in values] == [
        "2024-03-08",
        "2024-03-12",
        "2024-03-04",
        "2024-03-31",
        "2024-01-05",
        "2024-01-05",
    ]
    assert not bad.any()


def test_excel_serials_in_text_are_dates_and_years_are_not() -> None:
    converted = convert_column(
        pd.Series(["45383", "45425.5", "2024-06-01", "2024", "123"]), Kind.DATE, ReadOptions()
    )
    assert converted.values.iloc[0] == pd.Timestamp("2024-04-01")
    # the time of day is dropped, not rounded
    assert converted.values.iloc[1] == pd.Timestamp("2024-05-13")
    assert converted.values.iloc[2] == pd.Timestamp("2024-06-01")
    assert converted.bad.iloc[4]
    assert [(n.problem, n.count) for n in converted.notes] == [
        ("Excel day number read as a date (1900 date system)", 2)
    ]


def test_workbook_serials_drop_the_time_of_day() -> None:
    values, _bad = parse_date(pd.Series([45425.75, "2024-01-01"], dtype=object), ReadOptions())
    assert values.iloc[0] == pd.Timestamp("2024-05-13")


def test_dates_outside_the_plausible_window_are_not_read() -> None:
    converted = convert_column(
        pd.Series(["2204-01-05", "1850-01-01", "2024-01-05"]), Kind.DATE, ReadOptions()
    )
    assert converted.bad.tolist() == [True, True, False]
    assert converted.reasons is not None and converted.reasons.iloc[0] == OUTSIDE_WINDOW


def test_utc_offsets_case() -> None:
    config = CASES / "utc-offsets" / "config.yaml"
    reps = _reps(config)
    assert (reps.loc["kim@acme.example", "revenue"], reps.loc["kim@acme.example", "won_deals"]) == (
        3000,
        2,
    )
    lee = reps.loc["lee@acme.example"]
    assert (lee["revenue"], lee["won_deals"], lee["lost_deals"]) == (4000, 1, 1)
    _cfg, inputs = check(config)
    closed = inputs.deals.set_index("deal_id")["closed"]
    assert closed["d4"] == pd.Timestamp("2024-11-05") and closed["d2"] == pd.Timestamp("2024-03-12")


def test_tz_mixed_case() -> None:
    result = CliRunner().invoke(main, ["check", "-c", str(CASES / "tz-mixed" / "salesperf.yaml")])
    assert result.exit_code == 0, result.output
    _cfg, inputs = check(CASES / "tz-mixed" / "salesperf.yaml")
    assert inputs.deals.set_index("deal_id").loc["D0001", "closed"] == pd.Timestamp("2024-03-04")


def test_excel_serial_dates_case() -> None:
    config = CASES / "excel-serial-dates" / "config.yaml"
    assert _figures(config, "R1") == (3000, 2, 0)
    assert _figures(config, "R2") == (4000, 1, 1)
    _cfg, inputs = check(config)
    info = inputs.quality.issues.query("severity == 'info' and column == 'closed'")
    # Every coerced cell is listed with its row and the value as written.
    assert set(info["problem"]) == {"Excel day number read as a date (1900 date system)"}
    assert info["row"].tolist() == [2, 3, 4, 5]
    assert info["value"].tolist() == ["45383", "45400", "45410", "45425.5"]
    assert info["count"].tolist() == [1, 1, 1, 1]


def test_excel_serial_dates_mixed_with_iso_case() -> None:
    assert _figures(CASES / "excel-serial-dates" / "mixed" / "config.yaml", "R1") == (3500, 3, 0)


def test_no_usable_rows_lists_the_first_reasons_and_counts(tmp_path: Path) -> None:
    rows = (
        "".join(f"D{i},R1,Closed Won,someday,{i}00\n" for i in range(8))
        + "D9,R1,Closed Won,2024-01-01,1e999\n"
    )
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\n" + rows, encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_inputs(load_config(tmp_path / "c.yaml"))
    problems = raised.value.problems
    assert "no usable deals rows: all 9 row(s) read were excluded" in problems[0]
    assert problems[1].strip().startswith('deals.csv:2: closed: "someday" is not a date')
    assert len([p for p in problems if p.startswith("  deals.csv:")]) == 5
    assert (
        "closed: is not a date — 8" in problems[-1] and f"amount: {NOT_FINITE} — 1" in problems[-1]
    )


def test_a_typo_year_never_becomes_the_report_date(tmp_path: Path) -> None:
    rows = (
        "".join(f"D{i},R1,Won,2024-0{1 + i % 9}-10,100\n" for i in range(20))
        + "D99,R1,Won,2034-02-01,100\n"
        + "D98,R1,Negotiation,2025-06-30,100\n"  # open: its date is an expected close
    )
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\n" + rows, encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    inputs = load_inputs(load_config(tmp_path / "c.yaml"))
    assert inputs.as_of.isoformat() == "2024-09-10"
    assert default_as_of(inputs.deals).isoformat() == "2024-09-10"
    late = inputs.quality.warnings.query("column == 'closed'")
    assert late["row"].tolist() == [22] and late["value"].tolist() == ["2034-02-01"]
    # The data freshness card: neither the typo nor the expected close makes the export look fresh.
    (deals,) = (s for s in inputs.quality.summaries if s.dataset == "deals")
    assert deals.latest == "2024-09-10"


def test_date_format_still_reads_iso_dates_and_offset_stamps() -> None:
    cells = pd.Series(
        [
            "03/08/2024",
            "2024-03-08T17:00:00-05:00",
            "2024-03-04T10:00:00Z",
            "2024-01-02 10:11:12",
            "8 March",
        ]
    )
    converted = convert_column(cells, Kind.DATE, ReadOptions(date_format="%m/%d/%Y"))
    assert [None if pd.isna(d) else d.date().isoformat() for d in converted.values] == [
        "2024-03-08",
        "2024-03-08",
        "2024-03-04",
        "2024-01-02",
        None,
    ]
    assert converted.reasons is not None
    assert converted.reasons.iloc[4] == "does not match options.date_format %m/%d/%Y nor ISO 8601"
    notes = {n.problem: n.cells for n in converted.notes}
    assert notes["does not match options.date_format %m/%d/%Y; read as ISO 8601"] == (1, 2, 3)
    assert notes["timestamp with a UTC offset read as its local calendar date"] == (1, 2)


def test_zoho_export_with_its_date_format_case() -> None:
    """Closing Date "Mar 05, 2024" by options.date_format, Created Time "2024-01-02 10:11:12" as ISO 8601."""
    config = CASES / "zoho-dates" / "config.yaml"
    assert _figures(config, "Priya Nair") == (1200, 1, 1)
    assert _figures(config, "Tom Lee") == (2000, 1, 1)
    _cfg, inputs = check(config)
    assert inputs.deals["created"].eq(pd.Timestamp("2024-01-02")).all()
    assert not inputs.quality.warnings["column"].isin(["closed", "created"]).any()


@pytest.mark.parametrize(
    ("cell", "value", "rule"),
    [
        ("20240315", "2024-03-15", COMPACT_NOTE),
        ("2024/03/15", "2024-03-15", YEAR_FIRST_NOTE),
        ("2024.03.15", "2024-03-15", YEAR_FIRST_NOTE),
        ("2024-3-5", "2024-03-05", YEAR_FIRST_NOTE),
        ("2024", None, PARTIAL_DATE),
        ("2024-03", None, PARTIAL_DATE),
    ],
)
def test_dates_beyond_strict_iso_are_noted_or_refused(
    cell: str, value: str | None, rule: str
) -> None:
    converted = convert_column(pd.Series(["2024-01-01", cell]), Kind.DATE, ReadOptions())
    if value is None:
        assert (
            converted.bad.iloc[1]
            and converted.reasons is not None
            and converted.reasons.iloc[1] == rule
        )
    else:
        assert converted.values.iloc[1] == pd.Timestamp(value) and not converted.bad.any()
        assert [(n.problem, n.cells) for n in converted.notes] == [(rule, (1,))]


def test_unreadable_close_dates_are_named_in_the_as_of_error(tmp_path: Path) -> None:
    """Zoho dates without options.date_format: the error names the unread dates, not only report.as_of."""
    shutil.copytree(CASES / "zoho-dates", tmp_path / "case")
    config = tmp_path / "case" / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('    options: {date_format: "%b %d, %Y"}\n', ""),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as raised:
        load_inputs(load_config(config))
    (problem,) = raised.value.problems
    assert (
        "report.as_of: no won or lost deal has a readable close date: 5 close date(s) could not be read"
        in problem
    )
    assert 'Deals_2024_03_12.csv:2 "Mar 05, 2024"' in problem
    assert "sources.deals.options.date_format" in problem


def test_deals_excluded_for_another_currency_are_named_in_the_as_of_error(tmp_path: Path) -> None:
    """Every won and lost deal excluded (amounts in $, the site in EUR): the error gives the reasons
    the rows were excluded, not only "no won or lost deal has a close date"."""
    # open, no amount yet: kept
    (tmp_path / "deals.csv").write_text(
        "id,owner,amount,stage,closed,account\n"
        'D1,R1,"$1,200.00",Closed Won,2024-03-05,A\n'
        "D2,R1,$800.00,Closed Lost,2024-03-06,B\n"
        "D3,R2,,Negotiation,,C\n",
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        "site: {currency: EUR}\nsources:\n  deals:\n    path: ./deals.csv\n"
        "    columns: {deal_id: id, rep_id: owner, amount: amount, stage: stage, closed: closed, client_id: account}\n"
        "    won_stages: [Closed Won]\n    lost_stages: [Closed Lost]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as raised:
        load_inputs(load_config(config))
    head, *reasons_shown = raised.value.problems
    assert head.endswith(
        "report.as_of: no won or lost deal is left to date the report: 2 deal row(s) were "
        "excluded; first reasons:"
    ), head
    assert (
        reasons_shown[0].startswith('  deals.csv:2: amount: "$1,200.00" is in $')
        and "EUR" in reasons_shown[0]
    )
    assert reasons_shown[-1].startswith("  rows excluded by reason: amount: ") and reasons_shown[
        -1
    ].endswith(" — 2")


@pytest.mark.parametrize(
    ("export", "as_of", "late"),
    [
        ("typo2", "2024-12-10", {149: "2031-03-01", 150: "2032-03-01", 151: "2033-03-01"}),
        ("typo", "2024-09-10", {12: "2034-03-01", 14: "2031-03-01"}),
    ],
)
def test_typo_years_after_a_gap_never_set_as_of(
    export: str, as_of: str, late: dict[int, str]
) -> None:
    """Two or three typo years beat the 99th-percentile rule; the gap rule catches them."""
    inputs = load_inputs(load_config(CASES / "typo-years" / f"{export}.yaml"))
    assert inputs.as_of.isoformat() == as_of
    warned = inputs.quality.warnings.query("column == 'closed'")
    assert dict(zip(warned["row"], warned["value"], strict=True)) == late
    assert (
        warned["problem"]
        .str.fullmatch(r"close date \d+ years after every other — likely a typo")
        .all()
    )
    assert len(inputs.deals) == {"typo2": 150, "typo": 13}[export]  # kept, counted in their year


def _dated_deals(tmp_path: Path, dates: list[str]) -> Path:
    rows = "".join(f"D{i},R1,Won,{d},100\n" for i, d in enumerate(dates))
    return _deals_csv(tmp_path, rows)


def test_a_pause_of_more_than_a_year_is_no_typo_when_business_resumes(tmp_path: Path) -> None:
    """Decided: a 14-month pause followed by more than a quarter of the deals is real activity."""
    before = [f"2021-{m:02d}-15" for m in range(1, 13)]
    # 14 months after December 2021; 6 of 18 deals
    after = [f"2023-{m:02d}-15" for m in range(3, 9)]
    inputs = load_inputs(load_config(_dated_deals(tmp_path, before + after)))
    assert inputs.as_of.isoformat() == "2023-08-15"
    assert not inputs.quality.issues["problem"].str.contains("likely a typo").any()


def test_a_few_deals_after_a_pause_of_more_than_a_year_are_reported(tmp_path: Path) -> None:
    """Decided: two deals after a 14-month pause look like typos by their dates alone; they are warned
    about (report.as_of settles it), and still counted in their year."""
    before = [f"2021-{m:02d}-15" for m in range(1, 13)]
    inputs = load_inputs(load_config(_dated_deals(tmp_path, [*before, "2023-03-15", "2023-04-15"])))
    assert inputs.as_of.isoformat() == "2021-12-15"
    assert inputs.quality.warnings["problem"].str.contains("likely a typo").sum() == 2


def test_the_bundled_sample_has_no_typo_years() -> None:
    _cfg, inputs = check(Path(__file__).resolve().parents[1] / "config" / "example.yaml")
    assert not inputs.quality.issues["problem"].str.contains("likely a typo").any()


def test_two_deals_years_apart_are_not_typos(tmp_path: Path) -> None:
    inputs = load_inputs(load_config(_dated_deals(tmp_path, ["2020-01-01", "2024-01-01"])))
    assert inputs.as_of.isoformat() == "2024-01-01"


# ---- stages, ids, snapshots ------------------------------------------------------------------


def test_pipedrive_and_hubspot_stages_case() -> None:
    assert _figures(CASES / "pipedrive-hubspot-stages" / "config.yaml", "Mara Lind") == (
        12000,
        1,
        1,
    )
    assert _figures(CASES / "pipedrive-hubspot-stages" / "config.yaml", "Tomas Berg")[0] == 5000
    assert _figures(
        CASES / "pipedrive-hubspot-stages" / "hubspot" / "config.yaml", "ana@acme.example"
    ) == (1000, 1, 1)


def test_no_matching_stage_names_the_stages_and_the_keys(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\n1,R1,Ganho,2024-01-01,5\n2,R1,Perdido,2024-01-02,5\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-c", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1
    assert '"Ganho" (1)' in result.output and '"Perdido" (1)' in result.output
    assert (
        "sources.deals.won_stages" in result.output and "sources.deals.lost_stages" in result.output
    )
    assert "report.as_of" not in result.output


def test_a_stage_that_reads_won_or_lost_but_is_unlisted_is_a_warning(tmp_path: Path) -> None:
    """ "Won - Signed" deals were counted as open with only an info line: revenue 1,000 instead of
    121,000, and --strict passed."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,amount,stage,closed\n"
        "D1,R1,1000,Closed Won,2024-01-10\nD2,R1,50000,Won - Signed,2024-11-01\n"
        "D3,R2,70000,Won - Signed,2024-12-01\nD4,R2,5000,Lost - No Budget,2024-12-05\n"
        "D5,R2,900,Prospecting,2025-03-01\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    warned = load_inputs(load_config(tmp_path / "c.yaml")).quality.warnings
    stages = warned[warned["column"] == "stage"]
    assert stages["value"].tolist() == ["Won - Signed", "Lost - No Budget"]
    assert stages["problem"].tolist() == [
        "stage reads as won but is in neither won_stages nor lost_stages",
        "stage reads as lost but is in neither won_stages nor lost_stages",
    ]
    assert stages["action"].iloc[0] == (
        "its 2 deal(s) counted as open; add it to sources.deals.won_stages if it means won"
    )
    # Where the first one is, and the deals as the finding's count (SPEC §7: file, row, column).
    assert stages["row"].tolist() == [3, 5] and stages["count"].tolist() == [2, 1]
    assert stages["file"].str.endswith("deals.csv").all()


def test_a_stage_spelt_almost_as_a_won_or_lost_one_is_a_warning(tmp_path: Path) -> None:
    """76 "Verlorn" deals (for "Verloren") were counted as open with an info line: the win rate rose
    from 45.6 % to 46.4 % and the pipeline swelled. "Contract Sent" is a stage of its own."""
    files = {
        "deals.csv": "deal_id,rep_id,amount,stage,closed\n"
        "D1,R1,1000,Gewonnen,2024-01-10\nD2,R1,500,Verloren,2024-02-01\n"
        "D3,R2,700,Verlorn,2024-03-01\nD4,R2,700,verlorn ,2024-03-02\n"
        "D5,R2,900,Contract Sent,2025-03-01\nD6,R2,900,Closed Wonn,2024-04-01\n"
    }
    config = write_exports(tmp_path, files)
    config.write_text(
        "sources:\n  deals: {path: deals.csv, won_stages: [Gewonnen, Contract Signed, Closed Won],"
        " lost_stages: [Verloren]}\n",
        encoding="utf-8",
    )
    quality = load_inputs(load_config(config)).quality
    warned = quality.warnings[quality.warnings["column"] == "stage"]
    assert dict(zip(warned["value"], warned["problem"], strict=True)) == {
        "Verlorn": "stage is spelt almost as the lost stage 'Verloren' but is in neither "
        "won_stages nor lost_stages",
        "Closed Wonn": "stage is spelt almost as the won stage 'Closed Won' but is in neither "
        "won_stages nor lost_stages",
    }
    verlorn = warned.set_index("value").loc["Verlorn"]
    assert verlorn["action"] == (
        "its 2 deal(s) counted as open; add it to sources.deals.lost_stages if it means lost"
    )
    assert (verlorn["row"], verlorn["count"]) == (4, 2)
    notes = quality.issues[quality.issues["severity"] == "info"]
    assert notes["problem"].str.contains("stages read as open").sum() == 1
    assert "Contract Sent" in " ".join(notes["problem"])


@pytest.mark.parametrize(
    ("label", "near"),
    [
        ("Verlorn", ("lost", "Verloren")),
        ("Gewonen", ("won", "Gewonnen")),
        ("Closed Wonn", ("won", "Closed Won")),
        ("Contract Sent", None),
        ("Closing", None),
        ("Own", None),
        ("Lsot", None),  # too short to tell a typo from another word
        ("Pedido", None),  # an order, not "Perdido" (lost): short words are other words
        ("Ganando", None),  # winning (open), not "Ganado" (won)
        ("Qualified", None),  # the opposite of "Unqualified" (lost), not a misspelling
        ("Calificado", None),  # nor of "No calificado"
        ("Stage 6 - Closed", None),  # another numbered stage than "Stage 7 - Closed"
    ],
)
def test_stages_spelt_almost_as_won_or_lost(label: str, near: tuple[str, str] | None) -> None:
    won = ("Closed Won", "Contract Signed", "Gewonnen", "Ganado", "Stage 7 - Closed")
    lost = ("Verloren", "Perdido", "Unqualified", "No calificado")
    assert stage_near(label, won, lost) == near


@pytest.mark.parametrize(
    ("label", "looks"),
    [
        ("Won - Signed", "won"),
        ("closedwon", "won"),
        ("Ganho", "won"),
        ("Gewonnen", "won"),
        ("Closed Lost", "lost"),
        ("Lost - No Budget", "lost"),
        ("Perdido", "lost"),
        ("Prospecting", None),
        ("Closed/Lost", "lost"),
        ("Deal Won", "won"),
        ("Verbal win", None),  # an open stage in many pipelines
        ("NDA signed", None),
        ("Wonderland", None),
        ("Won't proceed", None),  # negations: not won, whatever the word inside
        ("Not Won", None),
        ("Unwon", None),
        ("Re-engage (was Lost)", None),
        ("Closted", None),
        ("Ganada", "won"),  # an opportunity is feminine in Spanish
        ("Cerrada ganada", "won"),  # Salesforce in Spanish
        ("Cerrada perdida", "lost"),
        ("Fechado ganho", "won"),
        ("Perdue", "lost"),
        ("Cerrada", None),
    ],
)
def test_stage_labels_that_read_won_or_lost(label: str, looks: str | None) -> None:
    assert stage_looks(label) == looks


def test_the_latest_year_of_costs_and_goals_is_labelled_as_the_site_labels_years(
    tmp_path: Path,
) -> None:
    """With a July fiscal year the freshness table said "2026" for costs and goals, "FY2026" elsewhere."""
    files = {
        "deals.csv": "deal_id,rep_id,stage,closed,amount\n1,R1,Won,2025-08-01,5\n",
        "costs.csv": "rep_id,year,salary\nR1,2026,100\n",
        "goals.csv": "scope,id,year,target\nrep,R1,2026,10\n",
    }
    config = write_exports(tmp_path, files, "report: {fiscal_year_start: 7}\n")
    latest = {s.dataset: s.latest for s in load_inputs(load_config(config)).quality.summaries}
    assert latest == {"deals": "2025-08-01", "costs": "FY2026", "goals": "FY2026"}
    calendar = write_exports(tmp_path, files)
    latest = {s.dataset: s.latest for s in load_inputs(load_config(calendar)).quality.summaries}
    assert latest["costs"] == "2026"


def test_rows_used_are_the_rows_that_reach_the_figures(tmp_path: Path) -> None:
    """ "activities: 3 of 5 rows used" while one of the three was "row not used" (unknown rep)."""
    files = {
        "deals.csv": "deal_id,rep_id,stage,closed,amount\n1,R1,Won,2024-01-01,5\n",
        "costs.csv": "rep_id,year,salary\nR1,2024,100\nR9,2024,100\n",
        "activities.csv": "rep_id,date,kind\nR1,2024-01-01,Call\nR9,2024-01-02,Call\nR1,x,Call\n",
        "goals.csv": "scope,id,year,target\nrep,R1,2024,10\nrep,R9,2024,10\n",
    }
    summaries = load_inputs(load_config(write_exports(tmp_path, files))).quality.summaries
    used = {s.dataset: (s.rows_read, s.rows_used) for s in summaries}
    assert used == {"deals": (1, 1), "costs": (2, 1), "activities": (3, 1), "goals": (2, 1)}


def test_lost_deals_without_any_won_stage_are_a_warning_with_the_stages_found(
    tmp_path: Path,
) -> None:
    # The lost stage matches, the won one is misnamed: every deal read as lost or open, no revenue.
    # A team with no win yet looks the same, so it is a warning (--strict stops), not an error.
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\n"
        "1,R1,Deal Done,2024-01-01,5\n2,R1,Closed Lost,2024-01-02,5\n3,R1,Deal Done,2024-01-03,7\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    warned = load_inputs(load_config(tmp_path / "c.yaml")).quality.warnings
    [problem] = warned.loc[warned["column"] == "stage", "problem"]
    assert problem == (
        'no deal\'s stage is a won stage (Closed Won, Won); stages found: "Deal Done" (2), '
        '"Closed Lost" (1)'
    )
    result = CliRunner().invoke(main, ["build", "--strict", "-c", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1 and "no deal's stage is a won stage" in result.output


@pytest.mark.parametrize(
    "stage",
    [
        "closedwon",
        "CLOSED_WON",
        "Closed-Won",
        "closed won",
        " Closed  Won ",
        "Closed Won\u200b",
        "\ufeffClosed Won",
    ],
)
def test_stages_match_on_letters_and_digits(tmp_path: Path, stage: str) -> None:
    inputs = load_inputs(
        load_config(
            _deals_csv(tmp_path, f"1,R1,{stage},2024-01-01,5\n2,R1,closedlost,2024-01-02,5\n")
        )
    )
    assert inputs.deals["status"].tolist() == ["won", "lost"]
    assert fold_stage(stage.replace("\u200b", "").replace("\ufeff", "")) == "closedwon"


def test_hubspot_api_stage_values_case() -> None:
    config = CASES / "hubspot-api-stages" / "config.yaml"
    assert _figures(config, "5551") == (1000, 1, 1)
    assert _figures(config, "5552") == (900, 1, 0)


def test_invisible_characters_are_removed_from_ids_and_noted(tmp_path: Path) -> None:
    config = _deals_csv(
        tmp_path,
        "1,R1\u200b,Won,2024-01-01,5\n2,R1,Won\u2060,2024-01-02,5\n3,\u200eR1,Won,2024-01-02,5\n",
    )
    inputs = load_inputs(load_config(config))
    assert inputs.deals["rep_id"].tolist() == ["R1"] * 3
    assert inputs.deals["status"].tolist() == ["won"] * 3
    noted = inputs.quality.issues.query("problem == @INVISIBLE_NOTE")
    assert noted[["column", "row"]].values.tolist() == [["rep_id", 2], ["rep_id", 4], ["stage", 3]]


def test_composed_and_decomposed_labels_are_one(tmp_path: Path) -> None:
    composed, decomposed = "Z\u00fcrich", unicodedata.normalize("NFD", "Z\u00fcrich")
    assert composed != decomposed
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount,acquisition\n"
        f"1,R1,Won,2024-01-01,5,{composed}\n2,\u00a0R1 ,Won,2024-01-02,5, {decomposed}\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    inputs = load_inputs(load_config(tmp_path / "c.yaml"))
    assert (
        inputs.deals["acquisition"].nunique() == 1
        and inputs.deals["acquisition"].iloc[1] == composed
    )
    assert inputs.deals["rep_id"].tolist() == ["R1", "R1"]
    assert not inputs.quality.issues["problem"].str.contains("spelling variant").any()


def test_overlapping_snapshots_unchanged_rows_are_info(tmp_path: Path) -> None:
    header = "deal_id,rep_id,client_id,amount,stage,closed\n"
    (tmp_path / "deals-2024-01.csv").write_text(
        header + "1,r1,c1,100,Won,2024-01-01\n2,r1,c2,5,Open,\n", encoding="utf-8"
    )
    (tmp_path / "deals-2024-02.csv").write_text(
        header + "1,r1,c1,100,Won,2024-01-01\n2,r1,c2,5,Open,\n3,r1,c3,7,Won,2024-02-03\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals-*.csv}\n", encoding="utf-8")
    inputs = load_inputs(load_config(tmp_path / "c.yaml"))
    assert sorted(inputs.deals["deal_id"]) == ["1", "2", "3"]
    assert len(inputs.quality.warnings) == 0
    info = inputs.quality.issues.query(
        "problem.str.contains('repeated unchanged')", engine="python"
    )
    assert info["count"].tolist() == [1, 1]  # one line per earlier copy, with its file and row
    assert info["file"].tolist() == ["deals-2024-01.csv", "deals-2024-01.csv"]
    assert info["row"].tolist() == [2, 3]
    assert strict_failures(inputs.quality) == []  # what --strict fails on


def test_coerced_cells_past_the_listing_bound_are_one_counted_line(tmp_path: Path) -> None:
    """The first LISTED_CELLS cells read by a rule are listed one by one; the rest are one line with their count."""
    extra = 7
    rows = "".join(f"D{i},R1,Won,2024-01-01,$10\n" for i in range(LISTED_CELLS + extra))
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\n" + rows, encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    issues = load_inputs(load_config(tmp_path / "c.yaml")).quality.issues
    marker = issues[issues["problem"] == 'currency marker "$" (USD) removed']
    assert len(marker) == LISTED_CELLS + 1
    assert marker["count"].sum() == LISTED_CELLS + extra
    assert marker["row"].iloc[0] == 2 and marker["value"].iloc[0] == "$10"
    assert marker["count"].iloc[-1] == extra and marker["row"].iloc[-1] == LISTED_CELLS + 2


def test_overlapping_snapshots_changed_rows_are_warnings(tmp_path: Path) -> None:
    header = "deal_id,rep_id,client_id,amount,stage,closed\n"
    (tmp_path / "deals-2024-01.csv").write_text(header + "1,r1,c1,100,Open,\n", encoding="utf-8")
    (tmp_path / "deals-2024-02.csv").write_text(
        header + "1,r1,c1,120,Won,2024-02-01\n", encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals-*.csv}\n", encoding="utf-8")
    inputs = load_inputs(load_config(tmp_path / "c.yaml"))
    assert inputs.deals["amount"].tolist() == [120]
    warned = inputs.quality.warnings
    assert (warned["file"].tolist(), warned["row"].tolist()) == (["deals-2024-01.csv"], [2])


def test_data_quality_terminal_lists_cells_by_reason() -> None:
    result = CliRunner().invoke(
        main, ["check", "-c", str(CASES / "currency-in-cell" / "config.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "cells by reason:" in result.output
    assert (
        'opportunities.csv:2: amount: "JPY 10,000" is in JPY, not the site currency USD'
        in result.output
    )


# ---- compensation, footers -------------------------------------------------------------------


def test_hidden_compensation_keeps_cost_cells_out_of_the_terminal(tmp_path: Path) -> None:
    """The terminal withholds private cells like /data-quality/ does, and no reason quotes a piece of one."""
    shutil.copytree(CASES / "hidden-costs", tmp_path / "case")
    config = tmp_path / "case" / "config.yaml"
    result = CliRunner().invoke(main, ["check", "-c", str(config)])
    assert result.exit_code == 0, result.output
    for secret in ("secret", "123456", "50,000", "$50", "1e999", "60000"):
        assert secret not in result.output, secret
    assert (
        'costs.csv:3: salary: "(withheld: privacy.show_compensation is false)" is not an amount'
        in result.output
    )
    config.write_text(
        config.read_text(encoding="utf-8") + "privacy: {show_compensation: true}\n",
        encoding="utf-8",
    )
    shown = CliRunner().invoke(main, ["check", "-c", str(config)])
    assert (
        'costs.csv:3: salary: "secret-123456" has "secret", which is not a currency marker'
        in shown.output
    )


def test_rows_all_cut_as_footer_say_so(tmp_path: Path) -> None:
    config = _deals_csv(
        tmp_path,
        "".join(f"{i},R1,Won,2024-01-01,5\n" for i in range(5)),
        options="{skip_footer: 5}",
    )
    with pytest.raises(DataError) as raised:
        load_inputs(load_config(config))
    assert "all 5 row(s) read were cut as a report footer" in raised.value.problems[0]
    assert "sources.deals.options.skip_footer" in raised.value.problems[0]


def test_a_hiring_date_after_as_of_on_a_selling_rep_is_listed_and_ignored(tmp_path: Path) -> None:
    """A rep hired in 2030 who closed deals in 2024 was "current" yet not employed on as_of, and the
    page gave a false reason for not ranking them: the date is listed and ignored. A leaving date
    before the hiring date is listed too (both kept: either may be the wrong one)."""
    deals = ["deal_id,rep_id,client_id,amount,stage,closed"] + [
        f"D{rep}{i},{rep},C{rep}{i},1000,Won,2024-0{i}-01"
        for rep in ("R1", "R2")
        for i in (1, 2, 3)
    ]
    (tmp_path / "deals.csv").write_text("\n".join(deals) + "\n", encoding="utf-8")
    (tmp_path / "reps.csv").write_text(
        "rep_id,name,hired,left\nR1,Ann,2020-01-01,\nR2,Bob,2030-01-01,\n"
        "R3,Cy,2022-01-01,2021-01-01\nR4,Di,2030-01-01,\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    (tmp_path / "costs.csv").write_text(
        "rep_id,year,salary\nR1,2024,1000\nR2,2024,1000\n", encoding="utf-8"
    )
    config.write_text(
        "sources: {deals: {path: deals.csv}, reps: {path: reps.csv}, costs: {path: costs.csv}}\n",
        encoding="utf-8",
    )
    _cfg, inputs = check(config)
    found = inputs.quality.warnings.query("dataset == 'reps'")
    assert found[["row", "column", "value", "problem"]].to_dict("records") == [
        {
            "row": 3,
            "column": "hired",
            "value": "2030-01-01",
            "problem": "hiring date after as_of 2024-03-01, yet the rep closed deals by then",
        },
        {
            "row": 4,
            "column": "left",
            "value": "2021-01-01",
            "problem": "leaving date before the hiring date",
        },
    ]
    reps = inputs.reps.set_index("rep_id")
    assert pd.isna(reps.loc["R2", "hired"])  # ignored: Bob sold in 2024
    assert reps.loc["R4", "hired"] == pd.Timestamp("2030-01-01")  # a hire not started: kept
    # Bob, with 3 clients and a cost, is ranked now: he was left out as "not employed on as_of".
    ranked = compute_metrics(inputs, _cfg.config).reps.set_index("rep_id")["ranked"]
    assert ranked.loc["R2"] and ranked.loc["R1"]


def test_owner_attribution_lists_every_client_that_counts_for_no_rep(tmp_path: Path) -> None:
    """attribution: owner credits a client to clients.owner_rep_id (SPEC §5): a blank owner, an
    unknown one and a client missing from the clients export used to drop out of every rep's
    lifetime value without a finding (3 of 4 clients here)."""
    files = {
        "deals.csv": "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R1,C1,1000,Won,2024-03-01\nD2,R1,C2,2000,Won,2024-03-02\n"
        "D3,R2,C3,3000,Won,2024-03-03\nD4,R2,C4,4000,Won,2024-03-04\n",
        "clients.csv": "client_id,owner_rep_id\nC1,R1\nC2,\nC3,R9\n",
    }
    config = write_exports(tmp_path, files, "metrics: {attribution: owner}\n")
    _cfg, inputs = check(config)
    found = inputs.quality.warnings.query("dataset == 'clients'")
    assert found[["row", "column", "problem", "action"]].fillna(0).to_dict("records") == [
        {
            "row": 3,
            "column": "owner_rep_id",
            "problem": "no owner for a client with won deals (attribution: owner)",
            "action": "client counts for no rep",
        },
        {
            "row": 4,
            "column": "owner_rep_id",
            "problem": "owner not found in reps or deals (attribution: owner)",
            "action": "client counts for no rep",
        },
        {
            "row": 0,
            "column": "client_id",
            "problem": "1 client(s) of won deals are not in the clients export, so they have no "
            "owner (attribution: owner): C4",
            "action": "client counts for no rep",
        },
    ]
    clients = compute_metrics(inputs, _cfg.config).reps.set_index("rep_id")["clients"]
    assert clients.to_dict() == {"R1": 1, "R2": 0}

    # A clients export without the owner column: one error, not a warning per client.
    (tmp_path / "clients.csv").write_text("client_id,name\nC1,A\nC2,B\n", encoding="utf-8")
    with pytest.raises(DataError) as stopped:
        check(config)
    assert stopped.value.problems == [
        f"{config}: metrics.attribution: owner credits each client to clients.owner_rep_id, and "
        "the clients export gives none (the column is not mapped, or empty): map its owner "
        "column (sources.clients.columns.owner_rep_id), or use attribution: acquirer"
    ]


def test_values_no_export_can_mean_are_listed(tmp_path: Path) -> None:
    """A negative salary, cost, hours, activity count or market size, and a coaching engagement that
    ends before it starts, were used as written without a finding: a salary of −70,000 nearly
    doubled a rep's value ratio, and −5 calls counted as activity."""
    files = {
        "deals.csv": "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R01,C1,1000,Won,2025-03-01\nD2,R02,C2,2000,Won,2025-03-02\n"
        "D3,R03,C3,3000,Won,2025-03-03\nD4,R04,C4,4000,Won,2025-03-04\n",
        "coaching.csv": "rep_id,start,end,kind,hours,cost\n"
        "R01,2025-03-01,2025-02-01,Workshop,5,1200\nR02,2024-06-01,2024-06-02,Workshop,-3,-400\n",
        "activities.csv": "rep_id,date,kind,count\nR01,2025-01-06,Call,-5\nR01,2025-01-07,Call,3\n",
        "costs.csv": "rep_id,year,salary,taxes\nR04,2025,-70000,100\nR03,2025,50000,-5\n",
        "clients.csv": "client_id,market_size\nC1,-5\nC2,100\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    sources = ", ".join(f"{name[:-4]}: {{path: {name}}}" for name in files)
    config = tmp_path / "c.yaml"
    config.write_text(
        f"sources: {{{sources}}}\nprivacy: {{show_compensation: true}}\n", encoding="utf-8"
    )
    _cfg, inputs = check(config)
    found = inputs.quality.warnings
    listed = {
        (r["dataset"], int(r["row"]), r["column"], r["value"], r["problem"], r["action"])
        for r in found.to_dict("records")
    }
    assert listed == {
        ("clients", 2, "market_size", "-5", "is negative", "value ignored (left empty)"),
        ("costs", 2, "salary", "-70,000", "is negative", "row excluded"),
        ("costs", 3, "taxes", "-5", "is negative", "value ignored (left empty)"),
        ("coaching", 3, "hours", "-3", "is negative", "value ignored (left empty)"),
        ("coaching", 3, "cost", "-400", "is negative", "value ignored (left empty)"),
        ("coaching", 2, "end", "2025-02-01", "ends before it starts", "end ignored (left empty)"),
        ("activities", 2, "count", "-5", "is negative", "row excluded"),
    }
    assert inputs.costs["rep_id"].tolist() == ["R03"] and inputs.costs["taxes"].isna().all()
    assert inputs.activities["count"].tolist() == [3]
    assert inputs.coaching["cost"].tolist()[1] is pd.NA or pd.isna(inputs.coaching["cost"].iloc[1])
    assert inputs.coaching["end"].isna().iloc[0]


def test_a_close_date_decades_before_every_other_is_listed(tmp_path: Path) -> None:
    """SPEC §4: dates outside a plausible window are reported. 1985 among 2024 deals (a typo year, or
    a stray number read as a date) stretched every history back 40 years without a word."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R1,C1,100,Won,1985-01-01\nD2,R1,C2,200,Won,2024-03-01\n"
        "D3,R1,C3,300,Lost,2024-04-01\nD4,R2,C4,400,Won,2019-05-01\nD5,R2,C5,400,Won,2024-06-01\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text("sources: {deals: {path: deals.csv}}\n", encoding="utf-8")
    _cfg, inputs = check(config)
    found = inputs.quality.warnings.query("column == 'closed'")
    assert found[["row", "value", "problem", "action"]].to_dict("records") == [
        {
            "row": 2,
            "value": "1985-01-01",
            "problem": "close date 34 years before every other — likely a typo",
            "action": "kept, counted in its year (earliest other: 2019-05-01)",
        }
    ]  # 2019 is five years before the rest, not decades: an old deal, not a typo
    assert len(inputs.deals) == 5


def test_rupee_abbreviations_and_currency_column_symbols(tmp_path: Path) -> None:
    """ "Rs.1234" was read as Rs and .1234 (0.1234, silently), "Rs. 1234" as Sri Lankan rupees on an
    INR site; a currency column of "US$" or "$" on a USD site excluded the deal though the same
    markers are accepted in the amount. "$.50" stays fifty cents."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R1,C1,Rs 1234,Won,2024-01-01\nD2,R1,C2,Rs. 1234,Won,2024-01-02\n"
        'D3,R1,C3,Rs.1234,Won,2024-01-03\nD4,R1,C4,"Rs. 1,23,456.00",Won,2024-01-04\n',
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text(
        "site: {currency: INR}\nsources: {deals: {path: deals.csv}}\n", encoding="utf-8"
    )
    _cfg, inputs = check(config)
    assert inputs.deals["amount"].tolist() == [1234, 1234, 1234, 123456]
    assert len(inputs.quality.warnings) == 0
    # The dot after a letter marker is the abbreviation's; after an ISO code or a symbol it is the
    # decimal mark, as before.
    cells = ["R.500", "R. 1,000", "S/.500", "Rs.1e3", "USD.50", "USD .50", "$.50", "US$.50", "€.50"]
    values, bad = parse_number(pd.Series(cells, dtype="string"), ReadOptions())
    # A code then ".50": a fraction or an abbreviation? Not guessed (listed with its reason).
    assert [None if b else v for v, b in zip(values, bad, strict=True)] == [
        500,
        1000,
        500,
        1000,
        None,
        0.5,
        0.5,
        0.5,
        0.5,
    ]
    # With the decimal comma, a symbol's or a code's dot is no abbreviation: "€.50" is not 50.
    cells = ["€.50", "$.50", "USD.50", "EUR ,50", "Rs.1.234,50"]
    values, bad = parse_number(pd.Series(cells, dtype="string"), ReadOptions(decimal=","))
    assert [None if b else v for v, b in zip(values, bad, strict=True)] == [
        None,
        None,
        None,
        0.5,
        1234.5,
    ]

    (tmp_path / "usd.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed,currency\n"
        "D1,R1,C1,100,Won,2024-01-01,usd\nD2,R1,C2,200,Won,2024-01-02,US$\n"
        "D3,R1,C3,300,Won,2024-01-03,$\nD4,R1,C4,400,Won,2024-01-04,EUR\n"
        "D5,R1,C5,$.50,Won,2024-01-05,USD\n",
        encoding="utf-8",
    )
    config.write_text("sources: {deals: {path: usd.csv}}\n", encoding="utf-8")
    _cfg, inputs = check(config)
    assert inputs.deals["deal_id"].tolist() == ["D1", "D2", "D3", "D5"]
    assert inputs.deals["amount"].tolist() == [100, 200, 300, 0.5]
    excluded = inputs.quality.warnings
    assert excluded[["row", "column", "value"]].values.tolist() == [[5, "currency", "EUR"]]


def test_a_currency_column_may_name_the_currency(tmp_path: Path) -> None:
    """Dynamics 365 writes "US Dollar" in its Currency column: every deal was excluded as "differs
    from the site currency USD"."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount,currency\n"
        "D1,R1,Won,2024-01-01,100,US Dollar\nD2,R1,Won,2024-01-02,50,us dollars\n"
        "D3,R1,Won,2024-01-03,70,Euro\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    inputs = load_inputs(load_config(tmp_path / "c.yaml"))
    assert inputs.deals["deal_id"].tolist() == ["D1", "D2"]
    excluded = inputs.quality.warnings.query("column == 'currency'")
    assert excluded["value"].tolist() == ["Euro"]
    # ISO 4217's own names too ("Pound Sterling", "Yen"), not only CLDR's ("British Pound").
    (tmp_path / "gbp.yaml").write_text(
        "site: {currency: GBP}\nsources:\n  deals: {path: deals.csv}\n", encoding="utf-8"
    )
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount,currency\n"
        "D1,R1,Won,2024-01-01,100,Pound Sterling\nD2,R1,Won,2024-01-02,50,British Pound\n",
        encoding="utf-8",
    )
    assert len(load_inputs(load_config(tmp_path / "gbp.yaml")).deals) == 2


def test_rep_ids_that_differ_only_in_case_are_listed(tmp_path: Path) -> None:
    """README, ids and labels: values that differ only in case or inner spacing are kept apart and
    reported. "r01" beside "R01" got a page of its own without a word."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R01,C1,100,Won,2024-01-01\nD2,R01,C2,200,Won,2024-01-02\n"
        "D3,r01,C3,300,Won,2024-01-03\nD4,R02,C4,300,Won,2024-01-03\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text("sources: {deals: {path: deals.csv}}\n", encoding="utf-8")
    _cfg, inputs = check(config)
    found = inputs.quality.issues.query("column == 'rep_id'")
    assert len(inputs.quality.warnings) == 0  # ids may be case-sensitive: noted, never --strict
    assert found[["dataset", "row", "column", "value", "problem"]].values.tolist() == [
        [
            "deals",
            4,
            "rep_id",
            "r01",
            'rep id differs from "R01" only in case or inner spacing (1 row(s), first shown)',
        ]
    ]
    assert sorted(inputs.reps["rep_id"]) == ["R01", "R02", "r01"]  # kept apart


def test_client_ids_that_differ_only_in_case_are_listed_and_unknown_reps_named(
    tmp_path: Path,
) -> None:
    """ "acc-1" beside "ACC-1" split one client's lifetime value in two without a word, and a cost
    row of "0058d000004klmb" was only "rep not found" beside a known "0058D000004KLMB"."""
    files = {
        "deals.csv": "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,0058D000004KLMB,ACC-1,100,Won,2024-01-01\nD2,0058D000004KLMB,ACC-1,200,Won,2024-01-02\n"
        "D3,0058D000004KLMB,acc-1,300,Won,2024-01-03\n",
        "costs.csv": "rep_id,year,salary\n0058d000004klmb,2024,100\nR9,2024,100\n",
    }
    config = write_exports(tmp_path, files, "privacy: {show_compensation: true}\n")
    issues = check(config)[1].quality.issues
    client = issues.query("column == 'client_id'")
    assert client[["severity", "row", "value", "problem"]].values.tolist() == [
        [
            "info",
            4,
            "acc-1",
            'client id differs from "ACC-1" only in case or inner spacing (1 row(s), first shown)',
        ]
    ]
    unknown = issues.query("dataset == 'costs' and column == 'rep_id'")
    assert unknown["problem"].tolist() == [
        'rep not found in reps or deals (differs only in case or spacing from "0058D000004KLMB")',
        "rep not found in reps or deals",
    ]


def test_a_stage_spelt_almost_as_a_label_read_as_lost_is_a_warning_too(tmp_path: Path) -> None:
    """With the default lists, "Verloren" is read as lost (a warning) and "Verlorn" beside it is
    taken for its misspelling; "Pedido" (an order) is a stage of its own."""
    files = {
        "deals.csv": "deal_id,rep_id,amount,stage,closed\n"
        "D1,R1,1000,Won,2024-01-10\nD2,R1,500,Verloren,2024-02-01\n"
        "D3,R2,700,Verlorn,2024-03-01\nD4,R2,900,Pedido,2025-03-01\n"
    }
    quality = load_inputs(load_config(write_exports(tmp_path, files))).quality
    warned = quality.warnings[quality.warnings["column"] == "stage"]
    assert dict(zip(warned["value"], warned["problem"], strict=True)) == {
        "Verloren": "stage reads as lost but is in neither won_stages nor lost_stages",
        "Verlorn": "stage is spelt almost as the lost stage 'Verloren' but is in neither "
        "won_stages nor lost_stages",
    }


def test_a_stage_on_many_more_deals_than_the_one_it_resembles_is_its_own(tmp_path: Path) -> None:
    """ "Contacted" (early in the pipeline, 12 deals) beside the won stage "Contracted" (2): one
    letter apart, yet a stage of its own; "Contractd" (1 deal) is the misspelling."""
    rows = [f"D{i},R1,10,Contacted,2024-01-01" for i in range(12)]
    rows += ["W1,R1,10,Contracted,2024-01-02", "W2,R1,10,Contracted,2024-01-03"]
    rows += ["W3,R1,10,Contractd,2024-01-04", "L1,R1,10,Lost,2024-01-05"]
    files = {"deals.csv": "deal_id,rep_id,amount,stage,closed\n" + "\n".join(rows) + "\n"}
    config = write_exports(tmp_path, files, "")
    config.write_text(
        "sources:\n  deals: {path: deals.csv, won_stages: [Contracted], lost_stages: [Lost]}\n",
        encoding="utf-8",
    )
    warned = load_inputs(load_config(config)).quality.warnings
    assert warned.loc[warned["column"] == "stage", "value"].tolist() == ["Contractd"]


def test_a_team_goal_without_a_reps_export_says_what_is_missing(tmp_path: Path) -> None:
    """ "Norte team not found in the reps export" when no reps export was configured at all."""
    files = {
        "deals.csv": "deal_id,rep_id,stage,closed,amount\n1,R1,Won,2024-01-01,5\n",
        "goals.csv": "scope,id,year,target\nteam,Norte,2024,10\n",
    }
    warned = load_inputs(load_config(write_exports(tmp_path, files))).quality.warnings
    assert warned.loc[warned["dataset"] == "goals", "problem"].tolist() == [
        "team goal, but no reps export (sources.reps) says which reps are in which team"
    ]
