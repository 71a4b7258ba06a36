"""``salesperf init DIR --from EXPORTS/``: one test per known layout, with that product's real headers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.layouts import LayoutTableError, best_match, load_layouts, parse_layouts
from generator.scaffold import choose_date_format, choose_number_reading
from generator.schema import DATASETS

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], delimiter: str = ","
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def init_from(tmp_path: Path, exports: Path) -> tuple[dict, str]:
    """Run init --from, then check the written config; return the config and init's output."""
    target = tmp_path / "project"
    code, out, err = run("init", str(target), "--from", str(exports))
    assert code == 0, out + err
    config_path = target / "salesperf.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    code, _out, err = run("check", "-c", str(config_path))
    assert code == 0, err
    return config, out


# One export per layout: (layout, header, rows). Values are invented; the headers are the product's.
DEALS_EXPORTS = {
    "salesforce": (
        [
            "Opportunity Name",
            "Opportunity ID",
            "Opportunity Owner ID",
            "Account ID",
            "Amount",
            "Stage",
            "Close Date",
            "Created Date",
            "Lead Source",
        ],
        [
            [
                "Acme renewal",
                "0061",
                "0051",
                "0011",
                "12000",
                "Closed Won",
                "03/14/2024",
                "01/02/2024",
                "Web",
            ],
            [
                "Beta deal",
                "0062",
                "0051",
                "0012",
                "5000",
                "Closed Lost",
                "04/20/2024",
                "02/02/2024",
                "Partner",
            ],
            [
                "Gamma",
                "0063",
                "0052",
                "0013",
                "7000",
                "Closed Won",
                "05/31/2024",
                "02/15/2024",
                "Web",
            ],
        ],
    ),
    "hubspot": (
        [
            "Record ID",
            "Deal Name",
            "Deal Stage",
            "Close Date",
            "Deal owner",
            "Amount",
            "Create Date",
            "Pipeline",
        ],
        [
            [
                "101",
                "Acme",
                "Closed won",
                "2024-02-01 10:15",
                "ana@acme.example",
                "1000",
                "2024-01-05 09:00",
                "Sales Pipeline",
            ],
            [
                "102",
                "Beta",
                "Closed lost",
                "2024-02-03 11:00",
                "ana@acme.example",
                "500",
                "2024-01-06 09:00",
                "Sales Pipeline",
            ],
        ],
    ),
    "pipedrive": (
        [
            "Deal - ID",
            "Deal - Title",
            "Deal - Value",
            "Deal - Currency",
            "Deal - Owner",
            "Deal - Organization",
            "Deal - Stage",
            "Deal - Status",
            "Deal - Deal created",
            "Deal - Won time",
            "Deal - Lost time",
            "Deal - Deal closed on",
        ],
        [
            [
                101,
                "Nordwind deal",
                12000,
                "EUR",
                "Mara Lind",
                "Nordwind GmbH",
                "Negotiations Started",
                "won",
                "2024-01-10 09:12:00",
                "2024-02-20 16:40:11",
                "",
                "2024-02-20 16:40:11",
            ],
            [
                102,
                "Kestrel deal",
                8000,
                "EUR",
                "Mara Lind",
                "Kestrel AB",
                "Proposal Made",
                "lost",
                "2024-01-15 10:00:00",
                "",
                "2024-03-02 11:05:45",
                "2024-03-02 11:05:45",
            ],
        ],
    ),
    "zoho": (
        [
            "Record Id",
            "Deal Owner",
            "Deal Name",
            "Account Name",
            "Type",
            "Lead Source",
            "Amount",
            "Closing Date",
            "Stage",
            "Probability (%)",
            "Created Time",
        ],
        [
            [
                "zcrm_1",
                "Priya Nair",
                "Acme",
                "Acme Ltd",
                "New Business",
                "Web",
                "4000",
                "2024-03-01",
                "Closed Won",
                "100",
                "2024-01-01 10:00:00",
            ],
            [
                "zcrm_2",
                "Priya Nair",
                "Beta",
                "Beta Ltd",
                "New Business",
                "Web",
                "1500",
                "2024-03-05",
                "Closed Lost",
                "0",
                "2024-01-03 10:00:00",
            ],
        ],
    ),
    "dynamics365": (
        [
            "(Do Not Modify) Opportunity",
            "(Do Not Modify) Row Checksum",
            "(Do Not Modify) Modified On",
            "Topic",
            "Potential Customer",
            "Est. Close Date",
            "Est. Revenue",
            "Actual Close Date",
            "Actual Revenue",
            "Owner",
            "Status",
            "Status Reason",
            "Created On",
        ],
        [
            [
                "6f1c1a1e-0001",
                "abc=",
                "2024-05-01",
                "Acme",
                "Acme Ltd",
                "04/30/2024",
                "9000",
                "04/28/2024",
                "9000",
                "Dana Kim",
                "Won",
                "Won",
                "01/10/2024",
            ],
            [
                "6f1c1a1e-0002",
                "def=",
                "2024-05-01",
                "Beta",
                "Beta Ltd",
                "05/30/2024",
                "3000",
                "05/02/2024",
                "",
                "Dana Kim",
                "Lost",
                "Out-Sold",
                "01/12/2024",
            ],
        ],
    ),
    "odoo": (
        [
            "ID",
            "Opportunity",
            "Customer",
            "Salesperson",
            "Sales Team",
            "Expected Revenue",
            "Stage",
            "Is Won",
            "Closed Date",
            "Created on",
        ],
        [
            [
                "41",
                "Office chairs",
                "Deco Addict",
                "Marc Demo",
                "Sales",
                "6000",
                "Won",
                "Won",
                "2024-04-02 10:00:00",
                "2024-02-01 09:00:00",
            ],
            [
                "42",
                "Desks",
                "Azure Interior",
                "Marc Demo",
                "Sales",
                "2500",
                "Proposition",
                "Lost",
                "2024-04-10 12:00:00",
                "2024-02-03 09:00:00",
            ],
        ],
    ),
}

EXPECTED_COLUMNS = {
    "salesforce": {
        "deal_id": "Opportunity ID",
        "rep_id": "Opportunity Owner ID",
        "amount": "Amount",
        "stage": "Stage",
        "closed": "Close Date",
        "client_id": "Account ID",
        "created": "Created Date",
        "acquisition": "Lead Source",
    },
    "hubspot": {
        "deal_id": "Record ID",
        "rep_id": "Deal owner",
        "amount": "Amount",
        "stage": "Deal Stage",
        "closed": "Close Date",
        "created": "Create Date",
    },
    "pipedrive": {
        "deal_id": "Deal - ID",
        "rep_id": "Deal - Owner",
        "amount": "Deal - Value",
        "stage": "Deal - Status",
        "closed": "Deal - Deal closed on",
        "client_id": "Deal - Organization",
        "created": "Deal - Deal created",
        "currency": "Deal - Currency",
    },
    "zoho": {
        "deal_id": "Record Id",
        "rep_id": "Deal Owner",
        "amount": "Amount",
        "stage": "Stage",
        "closed": "Closing Date",
        "client_id": "Account Name",
        "created": "Created Time",
        "acquisition": "Lead Source",
    },
    "dynamics365": {
        "deal_id": "(Do Not Modify) Opportunity",
        "rep_id": "Owner",
        "amount": "Actual Revenue",
        "stage": "Status",
        "closed": "Actual Close Date",
        "client_id": "Potential Customer",
        "created": "Created On",
    },
    "odoo": {
        "deal_id": "ID",
        "rep_id": "Salesperson",
        "amount": "Expected Revenue",
        "stage": "Is Won",
        "closed": "Closed Date",
        "client_id": "Customer",
        "created": "Created on",
    },
}

EXPECTED_STAGES = {
    "salesforce": (["Closed Won"], ["Closed Lost"]),
    "hubspot": (["Closed won"], ["Closed lost"]),
    "pipedrive": (["won"], ["lost"]),
    "zoho": (
        ["Closed Won"],
        ["Closed Lost", "Closed-Lost to Competition", "Closed Lost to Competition"],
    ),
    "dynamics365": (["Won"], ["Lost", "Canceled", "Out-Sold"]),
    "odoo": (["Won"], ["Lost"]),
}


@pytest.mark.parametrize("layout", sorted(DEALS_EXPORTS))
def test_each_crm_deals_export_is_recognised_and_checks(tmp_path: Path, layout: str) -> None:
    header, rows = DEALS_EXPORTS[layout]
    write_csv(tmp_path / "exports" / "deals-export.csv", header, rows)
    config, out = init_from(tmp_path, tmp_path / "exports")
    deals = config["sources"]["deals"]
    assert deals["path"] == "../exports/deals-export.csv"
    assert deals["columns"] == EXPECTED_COLUMNS[layout]
    assert (deals["won_stages"], deals["lost_stages"]) == EXPECTED_STAGES[layout]
    assert config["privacy"] == {"show_compensation": False}
    product = next(d for d in load_layouts() if d.layout == layout and d.dataset == "deals").product
    assert f"deals-export.csv: {product}" in out


def test_hubspot_api_stage_values_are_the_labels_written(tmp_path: Path) -> None:
    """HubSpot's API export holds internal stage values (closedwon): init matches them as the loader
    does (letters and digits only), writes them as spelled in the file, and warns of nothing."""
    header = ["hs_object_id", "dealname", "dealstage", "closedate", "hubspot_owner_id", "amount"]
    rows = [
        ["101", "Acme", "closedwon", "2024-02-01", "ana", "1000"],
        ["102", "Beta", "closedlost", "2024-02-03", "ana", "500"],
        ["103", "Gamma", "appointmentscheduled", "", "ana", "700"],
    ]
    write_csv(tmp_path / "exports" / "deals.csv", header, rows)
    config, out = init_from(tmp_path, tmp_path / "exports")
    deals = config["sources"]["deals"]
    assert (deals["won_stages"], deals["lost_stages"]) == (["closedwon"], ["closedlost"])
    assert "no stage in the rows seen" not in out


def test_salesforce_us_dates_and_report_footer_are_written(tmp_path: Path) -> None:
    header, rows = DEALS_EXPORTS["salesforce"]
    path = write_csv(tmp_path / "exports" / "opportunities.csv", header, rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n"Grand Totals (3 records)",,,,"24000",,,,\n'
            '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n'
            '"Confidential Information - Do Not Distribute"\n'
        )
    config, _out = init_from(tmp_path, tmp_path / "exports")
    assert config["sources"]["deals"]["options"] == {"skip_footer": 4, "date_format": "%m/%d/%Y"}


def test_pipedrive_currency_sets_the_site_currency(tmp_path: Path) -> None:
    header, rows = DEALS_EXPORTS["pipedrive"]
    write_csv(tmp_path / "exports" / "deals.csv", header, rows)
    config, _out = init_from(tmp_path, tmp_path / "exports")
    # from the folder name
    assert config["site"] == {
        "title": "Project — sales performance",
        "currency": "EUR",
    }
    assert config["privacy"] == {"show_compensation": False}


def test_hr_and_finance_workbooks_and_hubspot_companies(tmp_path: Path) -> None:
    import pandas as pd

    exports = tmp_path / "exports"
    header, rows = DEALS_EXPORTS["hubspot"]
    write_csv(exports / "all-deals.csv", header, rows)
    write_csv(
        exports / "all-companies.csv",
        ["Record ID", "Company name", "Company owner", "Industry", "Country/Region", "Create Date"],
        [["9001", "Acme", "ana@acme.example", "Retail", "Germany", "2023-05-01 10:00"]],
    )
    pd.DataFrame(
        {
            "Employee #": ["ana@acme.example"],
            "Employee Name": ["Ana Lima"],
            "Department": ["Inside Sales"],
            "Reporting to": ["Bo Chen"],
            "Location": ["Berlin"],
            "Hire Date": [pd.Timestamp("2021-03-01")],
        }
    ).to_excel(exports / "employees.xlsx", sheet_name="Employees", index=False)
    pd.DataFrame(
        {
            "Employee ID": ["ana@acme.example"],
            "Fiscal Year": [2024],
            "Annual Salary": [60000],
            "Employer Contributions": [12000],
            "Travel & Expenses": [3000],
        }
    ).to_excel(exports / "payroll.xlsx", sheet_name="Costs", index=False)
    config, out = init_from(tmp_path, exports)
    sources = config["sources"]
    assert sources["clients"]["columns"] == {
        "client_id": "Record ID",
        "name": "Company name",
        "region": "Country/Region",
        "category": "Industry",
        "owner_rep_id": "Company owner",
        "acquired": "Create Date",
    }
    assert sources["reps"]["columns"] == {
        "rep_id": "Employee #",
        "name": "Employee Name",
        "team": "Department",
        "manager": "Reporting to",
        "region": "Location",
        "hired": "Hire Date",
    }
    assert sources["costs"]["columns"] == {
        "rep_id": "Employee ID",
        "year": "Fiscal Year",
        "salary": "Annual Salary",
        "taxes": "Employer Contributions",
        "expenses": "Travel & Expenses",
    }
    assert "employees.xlsx: HR system" in out and "payroll.xlsx: Finance or payroll system" in out


def test_every_sheet_of_a_workbook_is_recognised(tmp_path: Path) -> None:
    """Reps on the first sheet, costs on the second of one workbook: init used only the best sheet,
    and never said the other one went unused (no cost, so no value ratio)."""
    import pandas as pd

    exports = tmp_path / "exports"
    header, rows = DEALS_EXPORTS["hubspot"]
    write_csv(exports / "all-deals.csv", header, rows)
    with pd.ExcelWriter(exports / "staff.xlsx") as book:
        pd.DataFrame(
            {"Employee ID": ["ana@acme.example"], "Full Name": ["Ana Lima"], "Team": ["East"]}
        ).to_excel(book, sheet_name="Staff", index=False)
        pd.DataFrame({"Notes": ["kept by HR"]}).to_excel(book, sheet_name="Notes", index=False)
        pd.DataFrame(
            {
                "Employee ID": ["ana@acme.example"],
                "Fiscal Year": [2024],
                "Base Salary": [60000],
            }
        ).to_excel(book, sheet_name="Kosten", index=False)
    config, out = init_from(tmp_path, exports)
    sources = config["sources"]
    assert sources["reps"]["path"].endswith("staff.xlsx") and "options" not in sources["reps"]
    assert sources["costs"]["path"].endswith("staff.xlsx")
    assert sources["costs"]["options"] == {"sheet": "Kosten"}
    assert "staff.xlsx: not used: sheet Notes: headers not recognised (Notes)" in out
    written = (tmp_path / "project" / "salesperf.yaml").read_text(encoding="utf-8")
    assert "#   staff.xlsx (sheet Kosten): Finance or payroll system" in written


def test_the_bundled_sample_exports_give_a_config_that_checks(tmp_path: Path) -> None:
    from generator.sample import generate

    generate(tmp_path / "exports")
    config, _out = init_from(tmp_path, tmp_path / "exports")
    assert set(config["sources"]) == {
        "deals",
        "clients",
        "reps",
        "costs",
        "goals",
        "coaching",
        "activities",
    }


def test_report_title_lines_give_the_header_row(tmp_path: Path) -> None:
    header, rows = DEALS_EXPORTS["salesforce"]
    path = tmp_path / "exports" / "report.csv"
    write_csv(path, header, rows)
    path.write_text(
        '"Opportunities Won FY24"\n"Filtered By: Close Date"\n\n' + path.read_text("utf-8"), "utf-8"
    )
    code, out, err = run("init", str(tmp_path / "p"), "--from", str(tmp_path / "exports"))
    assert code == 0, err
    config = yaml.safe_load((tmp_path / "p" / "salesperf.yaml").read_text("utf-8"))
    assert config["sources"]["deals"]["options"]["header_row"] == 4
    assert "options.header_row: 4" in out


def test_unrecognised_files_and_missing_fields_are_listed(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    header, rows = DEALS_EXPORTS["hubspot"]
    write_csv(
        exports / "deals.csv",
        [h for h in header if h != "Close Date"],
        [r[:3] + r[4:] for r in rows],
    )
    write_csv(exports / "notes.csv", ["Topic", "Remark"], [["a", "b"]])
    code, out, _err = run("init", str(tmp_path / "p"), "--from", str(exports))
    assert code == 0
    assert "not found: closed (required; set sources.deals.columns.closed" in out
    assert "notes.csv: not used: headers not recognised (Topic, Remark)" in out


@pytest.mark.parametrize("content", [None, "empty", "unknown"])
def test_nothing_to_recognise_is_exit_2(tmp_path: Path, content: str | None) -> None:
    exports = tmp_path / "exports"
    if content is not None:
        exports.mkdir()
    if content == "unknown":
        write_csv(exports / "x.csv", ["a", "b", "c"], [[1, 2, 3]])
    code, _out, err = run("init", str(tmp_path / "p"), "--from", str(exports))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and str(exports) in err
    assert not (tmp_path / "p").exists()


def test_init_into_a_non_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "keep.txt").write_text("x")
    header, rows = DEALS_EXPORTS["zoho"]
    write_csv(tmp_path / "exports" / "deals.csv", header, rows)
    code, _out, err = run("init", str(tmp_path / "p"), "--from", str(tmp_path / "exports"))
    assert code == 2
    assert "folder is not empty" in err


def test_ambiguous_day_month_dates_are_flagged() -> None:
    pattern, notes = choose_date_format(["03/04/2024", "05/06/2024"], ["%m/%d/%Y"])
    assert pattern == "%m/%d/%Y" and "day and month cannot be told apart" in notes[0]
    assert choose_date_format(["2024-03-04", "2024-03-04T10:00:00Z"], ["%m/%d/%Y"]) == (None, [])
    assert choose_date_format(["31.12.2024"], [])[0] == "%d.%m.%Y"


def test_a_few_odd_dates_do_not_hide_the_format_of_the_others() -> None:
    """One "31.02.2024" among dd.mm.yyyy dates gave no format and the hint "%d/%m/%Y": check then
    excluded every date."""
    assert choose_date_format(["15.03.2024", "16.04.2024", "31.02.2024"], []) == (
        "%d.%m.%Y",
        [
            '1 of 3 dates sampled read neither as %d.%m.%Y nor as ISO 8601 (e.g. "31.02.2024"): '
            "check lists each one"
        ],
    )
    assert choose_date_format(["2024-03-04", "2024-03-05", "31.02.2024"], []) == (
        None,
        ['1 of 3 dates sampled are not ISO 8601 (e.g. "31.02.2024"): check lists each one'],
    )
    assert choose_date_format(["soon", "later"], []) == (
        None,
        [
            'dates such as "soon" match no known format: set options.date_format (strftime, e.g. '
            "%d/%m/%Y)"
        ],
    )
    pattern, [note] = choose_date_format(["15.03.2024", "1.2.x"], [])
    assert pattern is None and note.endswith("(strftime, e.g. %d.%m.%Y)")
    # Half ISO, half dd.mm.yyyy: the format is chosen on the others (ISO is read anyway).
    assert choose_date_format(["2024-03-04", "2024-03-05", "15.03.2024", "16.03.2024"], []) == (
        "%d.%m.%Y",
        [],
    )
    assert choose_date_format(["15 March 2024", "soon"], [])[1][0].endswith("e.g. %d %B %Y)")


def test_euro_amounts_with_the_decimal_comma_are_written(tmp_path: Path) -> None:
    """A German export: dd.mm.yyyy dates, "1.234,56 €" amounts. init wrote neither the decimal
    comma nor EUR, and check then excluded every amount as misread."""
    header, rows = DEALS_EXPORTS["salesforce"]
    amounts = ["12.000,00 €", "1.234,56 €", "500,00 €", "980 €"]
    rows = [
        [*r[:4], amounts[i % 4], r[5], "14.03.2024", "02.01.2024", r[8]] for i, r in enumerate(rows)
    ]
    write_csv(tmp_path / "exports" / "deals.csv", header, rows, delimiter=";")
    config, out = init_from(tmp_path, tmp_path / "exports")
    options = config["sources"]["deals"]["options"]
    assert options["decimal"] == "," and options["date_format"] == "%d.%m.%Y"
    assert config["site"]["currency"] == "EUR"
    assert "  options.decimal: ,\n" in out and "  site.currency: EUR\n" in out


def _init_with_stages(tmp_path: Path, stages: list[str]) -> tuple[dict, str]:
    """``init --from`` on a deals export of one deal per stage: its deals block and the output."""
    write_csv(
        tmp_path / "exports" / "deals.csv",
        ["deal_id", "rep_id", "amount", "stage", "closed"],
        [[f"D{i}", f"R{i % 2}", "100", stage, "2024-01-10"] for i, stage in enumerate(stages)],
    )
    config, out = init_from(tmp_path, tmp_path / "exports")
    return config["sources"]["deals"], out


def test_the_files_own_won_and_lost_labels_are_written(tmp_path: Path) -> None:
    """init wrote only the layout's won/lost labels beside "Won - Signed" and "Lost - No Budget":
    check then counted those deals as open."""
    deals, out = _init_with_stages(tmp_path, ["Won - Signed", "Lost - No Budget", "Prospecting"])
    assert (
        deals["won_stages"][-1] == "Won - Signed" and deals["lost_stages"][-1] == "Lost - No Budget"
    )
    assert "Prospecting" not in deals["won_stages"] + deals["lost_stages"]
    assert 'stages read from their labels: "Won - Signed" as won, "Lost - No Budget" as lost' in out


def test_a_label_spelt_almost_as_won_or_lost_is_written_with_a_note(tmp_path: Path) -> None:
    """A Pipedrive-style export in German with a typo ("Verlorn", 76 deals in the trial): init left
    it out, and check counted its deals as open."""
    # "Ganando" (winning) is an open stage beside "Ganado" (won)
    stages = ["Gewonnen", "Verloren", "Verlorn", "Offen", "Ganado", "Ganando"]
    deals, out = _init_with_stages(tmp_path, stages)
    assert "Verlorn" in deals["lost_stages"] and "Offen" not in deals["lost_stages"]
    assert "Ganado" in deals["won_stages"] and "Ganando" not in deals["won_stages"]
    assert '"Verlorn" as lost' in out


def test_a_stage_label_is_written_once_when_two_spellings_fold_to_it(tmp_path: Path) -> None:
    """Zoho's layout knows "Closed-Lost to Competition" and "Closed Lost to Competition": both
    matched the file's one spelling, which was written twice."""
    header, rows = DEALS_EXPORTS["zoho"]
    stage = header.index("Stage")
    rows = [[*r[:stage], "Closed-Lost to Competition", *r[stage + 1 :]] for r in rows[:1]] + rows
    write_csv(tmp_path / "exports" / "deals.csv", header, rows)
    config, _out = init_from(tmp_path, tmp_path / "exports")
    lost = config["sources"]["deals"]["lost_stages"]
    assert lost.count("Closed-Lost to Competition") == 1 and len(lost) == len(set(lost))


def test_iso_creation_stamps_do_not_hide_the_close_dates_format(tmp_path: Path) -> None:
    """ISO "Created Time" stamps outnumbering dd/mm close dates (a blank close date on an open
    deal) wrote no format, and check then read no close date; one stray cell in an ISO column
    must not set a format either."""
    write_csv(
        tmp_path / "exports" / "deals.csv",
        [
            "Record Id",
            "Deal Owner",
            "Account Name",
            "Amount",
            "Closing Date",
            "Stage",
            "Created Time",
        ],
        [
            ["z1", "Ann", "Acme", "1200.00", "15/03/2024", "Closed Won", "2024-02-01 10:00:00"],
            ["z2", "Ann", "Beta", "800.00", "20/04/2024", "Closed Lost", "2024-02-03 10:00:00"],
            ["z3", "Bob", "Gamma", "500.00", "", "Qualification", "2024-03-01 10:00:00"],
        ],
    )
    config, _out = init_from(tmp_path, tmp_path / "exports")
    assert config["sources"]["deals"]["options"]["date_format"] == "%d/%m/%Y"
    iso = [f"2024-01-{d:02d}" for d in range(1, 20)]
    assert choose_date_format([*iso, "03/04/2024"], ["%m/%d/%Y"]) == (
        None,
        ['1 of 20 dates sampled are not ISO 8601 (e.g. "03/04/2024"): check lists each one'],
    )


def test_amount_markers_name_the_currency_or_ask() -> None:
    assert choose_number_reading(["$12,000.00", "$5.50"]) == (None, None, [])  # USD, the default
    assert choose_number_reading(["R$ 1.234,56", "R$ 10,00"]) == (",", "BRL", [])
    decimal, currency, [note] = choose_number_reading(["1.234", "12.000"])  # read both ways
    assert (decimal, currency) == (None, None) and "read both ways" in note
    decimal, currency, [note] = choose_number_reading(["£1,200.00"])
    assert (decimal, currency) == (None, "GBP")
    assert note.startswith('amounts are marked "£", read as GBP (it can also mean FKP, GIP')
    decimal, currency, [note] = choose_number_reading(["12 000,50 kr", "1 000 kr"])
    assert (decimal, currency) == (",", None)
    # Estonia's kroon (EEK, gone since 2011) is no candidate.
    assert note == 'amounts are marked "kr", which can mean DKK, NOK, SEK: set site.currency'
    assert choose_number_reading(["£1,200.00"], currency=False) == (None, None, [])
    # Whole euros with a grouping point read both ways: said at init, not only refused at check.
    decimal, currency, [note] = choose_number_reading(["12.000 €", "8.500 €"])
    assert (decimal, currency) == (None, "EUR") and note.startswith(
        'amounts such as "12.000 €" read both ways'
    )


def test_header_match_ignores_case_spaces_and_underscores() -> None:
    match = best_match(["OPPORTUNITY_ID", "opportunity owner id", "amount", " stage ", "CloseDate"])
    assert match is not None and match.layout.layout == "salesforce" and match.complete


def test_layout_table_names_only_canonical_fields() -> None:
    layouts = load_layouts()
    assert {d.layout for d in layouts} >= {
        "salesforce",
        "hubspot",
        "pipedrive",
        "zoho",
        "dynamics365",
        "odoo",
        "hr",
        "finance",
    }
    for layout in layouts:
        assert set(dict(layout.columns)) <= set(DATASETS[layout.dataset].field_names)
        assert layout.headers_from
    with pytest.raises(LayoutTableError, match="not fields of deals"):
        parse_layouts(
            {
                "x": {
                    "product": "X",
                    "datasets": {"deals": {"export": "e", "columns": {"bogus": ["B"]}}},
                }
            }
        )


def test_readme_lists_every_layout() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for product in {d.product for d in load_layouts()}:
        assert product in readme, product


def test_broken_and_odd_files_are_listed_not_fatal(tmp_path: Path) -> None:
    """A damaged workbook, a huge declared range, NUL bytes, an HTML page: one line each, no crash."""
    from openpyxl import Workbook

    exports = tmp_path / "exports"
    header, rows = DEALS_EXPORTS["pipedrive"]
    write_csv(exports / "deals.csv", header, rows)
    book = Workbook()
    book.active["A1"] = "Record ID"
    book.active["XFD1048576"] = "x"  # a dense reader would allocate 17 billion cells
    book.save(exports / "far-cell.xlsx")
    (exports / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (exports / "nul.csv").write_bytes(b"a\x00b\x00c\n")
    (exports / "page.xls").write_text("<html><body>report</body></html>", encoding="utf-8")
    code, out, err = run("init", str(tmp_path / "p"), "--from", str(exports))
    assert code == 0, err
    # The same line `salesperf check` gives for each file: init reads through generator.load.readers.
    assert (
        "far-cell.xlsx: not used: not read: sheet 'Sheet': refused: sheet part xl/worksheets/sheet1.xml"
        in out
    )
    assert (
        "broken.xlsx: not used: not read: is not a readable workbook: the file is damaged or truncated"
        in out
    )
    assert "nul.csv: not used: not read: line 1: NUL byte at character 2" in out
    assert "page.xls: not used: not read: is an HTML page" in out


# Accounts exports: (layout, header, rows, expected columns). Headers are the product's own.
CLIENT_EXPORTS = {
    "salesforce": (
        [
            "Account Owner",
            "Account Name",
            "Account ID",
            "Type",
            "Industry",
            "Billing State/Province",
            "Account Source",
            "Created Date",
        ],
        [
            ["Jo Park", "Acme Corp", "0011", "Customer", "Retail", "CA", "Web", "01/15/2023"],
            ["Sam Ruiz", "Beta GmbH", "0012", "Customer", "Energy", "NY", "Partner", "02/20/2023"],
        ],
        {
            "client_id": "Account ID",
            "name": "Account Name",
            "region": "Billing State/Province",
            "category": "Industry",
            "acquisition": "Account Source",
            "owner_rep_id": "Account Owner",
            "acquired": "Created Date",
        },
    ),
    "zoho": (
        [
            "Record Id",
            "Account Owner",
            "Account Name",
            "Account Type",
            "Industry",
            "Billing City",
            "Billing Country",
            "Created Time",
        ],
        [
            [
                "zcrm_11",
                "Priya Nair",
                "Acme Ltd",
                "Customer",
                "Retail",
                "Pune",
                "India",
                "2023-01-05 10:00:00",
            ],
            [
                "zcrm_12",
                "Priya Nair",
                "Beta Ltd",
                "Customer",
                "Banking",
                "Delhi",
                "India",
                "2023-02-07 11:30:00",
            ],
        ],
        {
            "client_id": "Record Id",
            "name": "Account Name",
            "region": "Billing Country",
            "category": "Industry",
            "owner_rep_id": "Account Owner",
            "acquired": "Created Time",
        },
    ),
}


@pytest.mark.parametrize("layout", sorted(CLIENT_EXPORTS))
def test_accounts_export_is_recognised_as_clients(tmp_path: Path, layout: str) -> None:
    exports = tmp_path / "exports"
    deal_header, deal_rows = DEALS_EXPORTS[layout]
    write_csv(exports / "deals.csv", deal_header, deal_rows)
    header, rows, expected = CLIENT_EXPORTS[layout]
    write_csv(exports / "accounts.csv", header, rows)
    config, out = init_from(tmp_path, exports)
    clients = config["sources"]["clients"]
    assert clients["path"] == "../exports/accounts.csv"
    assert clients["columns"] == expected
    product = next(
        d for d in load_layouts() if d.layout == layout and d.dataset == "clients"
    ).product
    assert f"accounts.csv: {product}" in out


def test_init_reads_an_xlsb_workbook(tmp_path: Path) -> None:
    from tests.test_readers import write_xlsb

    header, rows = DEALS_EXPORTS["zoho"]
    write_xlsb(tmp_path / "exports" / "deals.xlsb", [header, *rows])
    config, out = init_from(tmp_path, tmp_path / "exports")
    assert config["sources"]["deals"]["columns"] == EXPECTED_COLUMNS["zoho"]
    assert "deals.xlsb: Zoho CRM" in out


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1252", ";"), ("utf-16", "\t"), ("utf-8", "|")]
)
def test_init_writes_what_check_then_reads(tmp_path: Path, encoding: str, delimiter: str) -> None:
    """init finds the encoding and delimiter the way check does: the written config checks clean."""
    header, rows = DEALS_EXPORTS["salesforce"]
    path = tmp_path / "exports" / "report.csv"
    path.parent.mkdir(parents=True)
    lines = [delimiter.join(header)] + [delimiter.join(r).replace("Acme", "Acmé") for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    config, _out = init_from(tmp_path, tmp_path / "exports")
    options = config["sources"]["deals"].get("options", {})
    assert options.get("encoding", "utf-8") == encoding and "delimiter" not in options


def test_a_sheet_after_a_refused_one_is_named(tmp_path: Path) -> None:
    """A cover sheet refused (a stray cell at XFD1048576), then the staff: init wrote the staff
    sheet without its name, so check read the refused cover sheet and stopped."""
    from openpyxl import Workbook

    exports = tmp_path / "exports"
    header, rows = DEALS_EXPORTS["hubspot"]
    write_csv(exports / "all-deals.csv", header, rows)
    book = Workbook()
    book.active.title = "Cover"
    book.active["A1"] = "Staff list"
    book.active["XFD1048576"] = "x"
    staff = book.create_sheet("Staff")
    staff.append(["Employee ID", "Full Name", "Team"])
    staff.append(["ana@acme.example", "Ana Lima", "East"])
    book.save(exports / "people.xlsx")
    config, _out = init_from(tmp_path, exports)
    assert config["sources"]["reps"]["options"] == {"sheet": "Staff"}
