"""Config errors through the CLI: one line per problem naming the file and the key, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import check_date_format, check_encoding, check_locale, load_config


def check(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", "-c", str(config)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr.splitlines()


def write(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def test_duplicate_top_level_keys_name_both_lines(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "site: {title: First}\n"
        "privacy: {show_compensation: false}\n"
        "sources:\n  deals: {path: d.csv}\n"
        "privacy: {show_compensation: true}\n",
    )
    code, lines = check(config)
    assert code == 2
    assert lines == [f"error: {config}: privacy: given 2 times (lines 2 and 5); keep one"]


def test_duplicate_nested_key_is_named_by_its_path(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "sources:\n"
        "  deals:\n"
        "    path: a.csv\n"
        "    columns: {amount: Amount, amount: Value}\n"
        "    path: b.csv\n",
    )
    code, lines = check(config)
    assert code == 2
    assert f"error: {config}: sources.deals.path: given 2 times (lines 3 and 5); keep one" in lines
    assert (
        f"error: {config}: sources.deals.columns.amount: given 2 times (line 4, columns 15 and 31); keep one"
        in lines
    )


def test_shared_bad_config_case(tmp_path: Path) -> None:
    """The types.yaml case of issue 10: every bad value is one line naming its key."""
    config = write(
        tmp_path,
        "sources:\n"
        "  deals:\n"
        "    path: data/deals.csv\n"
        "    columns: {amount: null}\n"
        "metrics: {gross_margin: abc, bogus: 1}\n"
        "report: {as_of: 2024-02-30, fiscal_year_start: 13}\n",
    )
    code, lines = check(config)
    assert code == 2
    assert len(lines) == 5
    expected_keys = [
        "report.as_of",
        "report.fiscal_year_start",
        "sources.deals.columns.amount",
        "metrics.gross_margin",
        "metrics.bogus",
    ]
    for key in expected_keys:
        assert any(line.startswith(f"error: {config}: {key}: ") for line in lines), key
    assert "'2024-02-30'" in next(line for line in lines if "report.as_of" in line)


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ('{date_format: "%Q"}', "date_format", "'Q' is a bad directive"),
        ('{date_format: "dd/mm/yyyy"}', "date_format", "does not hold a whole date"),
        ("{encoding: utf9}", "encoding", "unknown text encoding"),
        ("{encoding: base64}", "encoding", "not a text encoding"),
        ("{locale: xx_YY}", "locale", "unknown locale"),
        ("{header_row: 0}", "header_row", 'must be "auto" or a row number from 1'),
        ("{sheet: [1]}", "sheet", "must be a sheet name"),
        ("{bogus: 1}", "bogus", "unknown key"),
        ("{delimter: ;}", "delimter", 'did you mean "delimiter"?'),
        ("{thousands: x}", "thousands", 'must be one of "." "," "\'" or a space'),
        ("{thousands: '--'}", "thousands", "must be one of"),
        (
            """{delimiter: '"'}""",
            "delimiter",
            "cannot be a quote, a line break, a letter or a digit",
        ),
        ('{delimiter: "\\n"}', "delimiter", "cannot be a quote"),
        ("{delimiter: a}", "delimiter", "cannot be a quote, a line break, a letter or a digit"),
        ("{delimiter: '7'}", "delimiter", "cannot be a quote"),
        ("{encoding: idna}", "encoding", "not an encoding export files are written in"),
        ("{encoding: punycode}", "encoding", "not an encoding export files are written in"),
        ("{encoding: UTF-7}", "encoding", "not an encoding export files are written in"),
        (
            "{encoding: raw_unicode_escape}",
            "encoding",
            "not an encoding export files are written in",
        ),
        ("{encoding: unicode_escape}", "encoding", "not an encoding export files are written in"),
    ],
)
def test_bad_read_options_name_the_key(
    tmp_path: Path, options: str, key: str, message: str
) -> None:
    config = write(tmp_path, f"sources:\n  deals:\n    path: d.csv\n    options: {options}\n")
    code, lines = check(config)
    assert code == 2
    assert any(
        line.startswith(f"error: {config}: sources.deals.options.{key}: ") and message in line
        for line in lines
    ), lines


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (
            "won_stages: []",
            "sources.deals.won_stages: an empty list; name at least one stage, or leave the key "
            "out for the defaults",
        ),
        ("lost_stages: []", "sources.deals.lost_stages: an empty list"),
        (
            "won_stages: Closed Won",
            'sources.deals.won_stages: should be a list, e.g. ["Closed Won"] or one "- item" '
            "per line (got 'Closed Won')",
        ),
        (
            "{won_stages: [Won], lost_stages: [CLOSED_WON, won]}",
            'sources.deals: stage "Won" / "won" is in both won_stages and lost_stages (stages '
            "match ignoring case, spaces and punctuation): name it in one of them only",
        ),
        (
            "won_stages: [Lost]",
            'stage "Lost" is in both won_stages and lost_stages (stages match ignoring case, '
            "spaces and punctuation; lost_stages is the default, Closed Lost, Lost)",
        ),
    ],
)
def test_stages_that_cannot_mean_what_they_say_are_refused(
    tmp_path: Path, stages: str, message: str
) -> None:
    """An empty list used to mean the defaults, and a stage in both lists counted as won."""
    body = stages if stages.startswith("{") else "{" + stages + "}"
    config = write(tmp_path, f"sources:\n  deals: {{path: d.csv, {body[1:-1]}}}\n")
    code, lines = check(config)
    assert code == 2
    assert any(line.startswith(f"error: {config}: ") and message in line for line in lines), lines


def test_owner_attribution_without_a_clients_export_is_refused(tmp_path: Path) -> None:
    """It silently fell back to the acquirer while the methodology said owner."""
    config = write(tmp_path, "sources:\n  deals: {path: d.csv}\nmetrics: {attribution: owner}\n")
    code, lines = check(config)
    assert code == 2
    assert f"error: {config}: metrics.attribution: owner credits each client to " in lines[0]
    assert "add sources.clients, or use attribution: acquirer" in lines[0]


def test_explicit_timestamp_tag_with_impossible_day_gives_its_line(tmp_path: Path) -> None:
    config = write(
        tmp_path, "sources:\n  deals: {path: d.csv}\nreport: {as_of: !!timestamp 2024-02-30}\n"
    )
    code, lines = check(config)
    assert code == 2
    assert lines[0].startswith(f"error: {config}:3: not valid YAML: '2024-02-30' is not a date")


def test_dates_still_read_as_dates(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "sources:\n  deals: {path: d.csv}\n"
        "report: {as_of: 2024-02-29}\n"
        "metrics: {definition_changes: [{date: 2025-01-01, change: margin 0.8}]}\n",
    )
    loaded = load_config(config)
    assert str(loaded.config.report.as_of) == "2024-02-29"
    assert str(loaded.config.metrics.definition_changes[0].date) == "2025-01-01"


def test_unknown_key_in_a_list_item_suggests_the_field(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "sources:\n  deals: {path: d.csv}\ngoals: {reward_tiers: [{attainment: 1, rewrd: Trip}]}\n",
    )
    code, lines = check(config)
    assert code == 2
    assert (
        f'error: {config}: goals.reward_tiers.0.rewrd: unknown key; did you mean "reward"?' in lines
    )


def test_deeply_nested_yaml_is_one_line(tmp_path: Path) -> None:
    config = write(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    code, lines = check(config)
    assert code == 2
    assert lines == [f"error: {config}: not valid YAML: nested too deeply"]


def test_validators_accept_the_usual_values() -> None:
    assert check_encoding("cp1252") == "cp1252"
    assert check_encoding("UTF-16") == "UTF-16"
    assert check_locale("pt-BR") == "pt_BR"
    assert check_locale("de_DE") == "de_DE"
    for pattern in ("%m/%d/%Y", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z", "%b %d, %Y", "%d/%m/%y"):
        assert check_date_format(pattern) == pattern


@pytest.mark.parametrize("currency", ["<b>USD</b>", "DOLLARS", "XYZ"])
def test_site_currency_must_be_an_iso_code(tmp_path: Path, currency: str) -> None:
    config = write(
        tmp_path, f'site: {{currency: "{currency}"}}\nsources:\n  deals:\n    path: d.csv\n'
    )
    code, lines = check(config)
    assert code == 2
    assert any(
        line.startswith(f"error: {config}: site.currency: ") and "ISO 4217" in line
        for line in lines
    ), lines


def test_site_currency_is_read_in_capitals(tmp_path: Path) -> None:
    from generator.config import SiteConfig

    assert SiteConfig(currency=" eur ").currency == "EUR"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('{decimal: ",", thousands: ","}', 'thousands "," is also the decimal mark (decimal)'),
        ('{thousands: "."}', 'thousands "." is also the default decimal mark'),
        (
            '{locale: de_DE, thousands: ","}',
            'thousands "," is also the decimal mark of locale de_DE',
        ),
    ],
)
def test_one_mark_cannot_be_decimal_and_grouping(
    tmp_path: Path, options: str, message: str
) -> None:
    config = write(tmp_path, f"sources:\n  deals:\n    path: d.csv\n    options: {options}\n")
    code, lines = check(config)
    assert code == 2
    assert any(
        line.startswith(f"error: {config}: sources.deals.options: ") and message in line
        for line in lines
    ), lines


@pytest.mark.parametrize(
    "options",
    [
        '{locale: de_DE, thousands: "."}',
        '{thousands: "\\u00a0"}',
        '{delimiter: "\\t"}',
        '{thousands: "\'"}',
        '{decimal: ",", thousands: " "}',
        "{encoding: cp1252}",
    ],
)
def test_usual_marks_and_delimiters_are_accepted(tmp_path: Path, options: str) -> None:
    config = write(tmp_path, f"sources:\n  deals:\n    path: d.csv\n    options: {options}\n")
    load_config(config)
