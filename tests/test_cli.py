"""The command line through click's CliRunner: exit codes 0, 1, 2 and exact messages."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import write_crm_export

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_succeeds_with_profile(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    code, out, _err = run("build", "-c", str(config), "--out", str(tmp_path / "site"), "--profile")
    assert code == 0, out
    # 11 + 3 segment indexes and pages, goals, trends, managers (+2), forecast
    assert "Built 23 pages" in out
    for stage in ("load", "metrics", "render", "write", "mkdocs", "publish", "total"):
        assert stage in out


def test_check_prints_quality_and_exits_0(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    code, out, err = run("check", "-c", str(config))
    assert code == 0
    assert out.startswith("OK: 0 warning(s), as of 2024-06-15")
    assert "deals: 10 of 14 rows used (deals.csv)" in err
    assert 'info: deals.csv:13: ""Grand Totals (10 records)",,,"$1,202,500.00",,,"' in err
    assert err.count("report footer (options.skip_footer) — row excluded") == 4


def test_unknown_key_exit_2_with_suggestion(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "sources:\n  deals: {path: d.csv}\nmetrics: {gross_margn: 0.5}\n", encoding="utf-8"
    )
    code, _out, err = run("check", "-c", str(config))
    assert code == 2
    assert (
        err.strip()
        == f'error: {config}: metrics.gross_margn: unknown key; did you mean "gross_margin"?'
    )


def test_wrong_type_and_missing_key_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("privacy: {show_compensation: maybe}\n", encoding="utf-8")
    code, _out, err = run("build", "-c", str(config))
    assert code == 2
    assert f"error: {config}: sources: required key is missing" in err
    assert f"error: {config}: privacy.show_compensation: Input should be a valid boolean" in err


def test_missing_config_exit_2(tmp_path: Path) -> None:
    code, _out, err = run("build", "-c", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "config file not found" in err


def test_missing_data_file_names_key_and_path(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources:\n  deals: {path: data/deals.csv}\n", encoding="utf-8")
    code, _out, err = run("check", "-c", str(config))
    assert code == 1
    assert f"sources.deals.path: file not found: {tmp_path / 'data' / 'deals.csv'}" in err


def test_missing_required_column_exit_1(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed\n1,r1,Won,2024-01-01\n", encoding="utf-8"
    )
    config = tmp_path / "c.yaml"
    config.write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    code, _out, err = run("check", "-c", str(config))
    assert code == 1
    assert 'sources.deals.columns.amount: column "amount" not found in' in err
    assert (
        "(columns: deal_id, rep_id, stage, closed); map it with sources.deals.columns.amount" in err
    )


def test_bad_rows_are_reported_with_file_row_column(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text(
        'deal_id,rep_id,amount,stage,closed\n1,r1,100,Won,2024-01-01\n2,r1,"12,5O0",Won,2024-01-02\n',
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    code, _out, err = run("check", "-c", str(config))
    assert code == 0
    assert 'warning: deals.csv:3: amount: "12,5O0" is not an amount — row excluded' in err
    code, _out, err = run("build", "-c", str(config), "--strict", "--out", str(tmp_path / "site"))
    assert code == 1
    assert "--strict: the inputs have warnings" in err
    assert not (tmp_path / "site").exists()


def test_init_scaffolds_a_buildable_project(tmp_path: Path) -> None:
    target = tmp_path / "new"
    code, out, _err = run("init", str(target))
    assert code == 0, out
    assert (target / "salesperf.yaml").exists()
    code, _out, err = run("check", "-c", str(target / "salesperf.yaml"))
    assert code == 0, err
    code, _out, err = run("init", str(target))
    assert code == 2
    assert "folder is not empty" in err


def test_init_into_a_non_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "project"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, out, err = run("init", str(target))
    assert code == 2
    assert err.startswith("Usage: ")  # raised as click.UsageError, not printed by the command
    assert f"Error: {target}: folder is not empty; choose a new folder" in err
    assert out == ""
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def _written_text(folder: Path) -> str:
    """Every text file init wrote (config and CSV exports), joined."""
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".csv")
    )


def test_init_with_a_title_never_publishes_pay(tmp_path: Path) -> None:
    target = tmp_path / "new"
    code, out, err = run("init", str(target), "--title", "Northwind Traders")
    assert code == 0, err
    assert "Company name" not in out  # --title given: nothing is asked
    assert "(pay is not published: privacy.show_compensation is false)" in out
    text = (target / "salesperf.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["site"]["title"] == "Northwind Traders — sales performance"
    assert config["privacy"] == {"show_compensation": False, "rep_value_ratios": "exact"}
    # the sample company's history is not theirs
    assert config["metrics"]["definition_changes"] == []
    assert text.startswith("# salesperf config for Northwind Traders.")
    # the trade-off is explained where it is set
    assert "rep_value_ratios: band prevents that" in text
    assert "Acme" not in _written_text(target)
    code, _out, err = run("check", "-c", str(target / "salesperf.yaml"))
    assert code == 0, err


def test_init_asks_for_the_company_name_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.cli._on_terminal", lambda: True)
    result = CliRunner().invoke(
        main, ["init", str(tmp_path / "globex")], input="Globex Corporation\n"
    )
    assert result.exit_code == 0, result.output
    assert "Company name (shown in the site's title) [Globex]: " in result.stdout
    config = yaml.safe_load((tmp_path / "globex" / "salesperf.yaml").read_text(encoding="utf-8"))
    assert config["site"]["title"] == "Globex Corporation — sales performance"
    assert config["privacy"]["show_compensation"] is False
    # Enter takes the suggestion, made from the folder's name.
    result = CliRunner().invoke(main, ["init", str(tmp_path / "initech-sales")], input="\n")
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(
        (tmp_path / "initech-sales" / "salesperf.yaml").read_text(encoding="utf-8")
    )
    assert config["site"]["title"] == "Initech Sales — sales performance"


def test_init_without_a_terminal_asks_nothing(tmp_path: Path) -> None:
    # CliRunner's stdin is not a terminal
    code, out, err = run("init", str(tmp_path / "umbrella_co"))
    assert code == 0, err
    assert "Company name" not in out
    config = yaml.safe_load(
        (tmp_path / "umbrella_co" / "salesperf.yaml").read_text(encoding="utf-8")
    )
    assert config["site"]["title"] == "Umbrella Co — sales performance"
    assert config["privacy"]["show_compensation"] is False


@pytest.mark.parametrize(
    ("folder", "company"), [("ACME", "ACME"), ("initA", "InitA"), ("acme-corp", "Acme Corp")]
)
def test_the_company_name_made_from_the_folder_keeps_its_capitals(
    tmp_path: Path, folder: str, company: str
) -> None:
    """str.title() made "ACME" "Acme" and "initA" "Inita"."""
    code, _out, err = run("init", str(tmp_path / folder))
    assert code == 0, err
    config = yaml.safe_load((tmp_path / folder / "salesperf.yaml").read_text(encoding="utf-8"))
    assert config["site"]["title"] == f"{company} — sales performance"


@pytest.mark.parametrize("title", ["", "   ", "Two\nlines"])
def test_init_title_must_be_one_line(tmp_path: Path, title: str) -> None:
    code, _out, err = run("init", str(tmp_path / "new"), "--title", title)
    assert code == 2
    assert "Invalid value for --title: give the company name as one line of text" in err
    assert not (tmp_path / "new").exists()


def test_init_from_exports_takes_the_title_and_hides_pay(tmp_path: Path) -> None:
    write_crm_export(tmp_path / "exports", show_compensation=True)
    (tmp_path / "exports" / "salesperf.yaml").unlink()
    code, out, err = run(
        "init", str(tmp_path / "mine"), "--from", str(tmp_path / "exports"), "--title", "Hooli"
    )
    assert code == 0, out + err
    config = yaml.safe_load((tmp_path / "mine" / "salesperf.yaml").read_text(encoding="utf-8"))
    assert config["site"]["title"] == "Hooli — sales performance"
    assert config["privacy"] == {"show_compensation": False}
    assert "costs" in config["sources"]  # there is pay to hide


def test_every_command_and_option_is_in_the_readme() -> None:
    """The Commands table of the README names every command and every option of each."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Commands") : readme.index("## Commands") + 4000]
    for name, command in main.commands.items():
        rows = [line for line in table.splitlines() if line.startswith(f"| `salesperf {name}")]
        assert rows, name
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert any(opt in row for opt in param.opts for row in rows), (
                    f"salesperf {name} {param.opts}"
                )


_SIGNAL_WHILE_LOADING = """
import builtins, os, signal, sys
real_import = builtins.__import__

def importing(name, *args, **kwargs):
    if name == "generator.cli":  # the signal arrives while the command line is being loaded
        os.kill(os.getpid(), signal.{name})
    return real_import(name, *args, **kwargs)

builtins.__import__ = importing
sys.argv = ["salesperf", "--version"]
from generator.entry import main
main()
"""


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_salesperf_loads_ends_in_one_line(signal_name: str) -> None:
    """Ctrl+C or SIGTERM in the second the command spends importing: one line and exit 1, as later
    on; before, a traceback (SIGINT) or a silent exit 143 (SIGTERM). A real signal, in a real
    process: Ctrl+C's KeyboardInterrupt names no signal."""
    ran = subprocess.run(
        [sys.executable, "-c", _SIGNAL_WHILE_LOADING.replace("{name}", signal_name)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert (ran.returncode, ran.stdout, ran.stderr) == (
        1,
        "",
        f"error: interrupted ({signal_name}); stopped before it started\n",
    )


def test_an_interrupt_just_before_the_command_runs_ends_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between loading and the command's own handling (click not started yet), still one line; and
    the entry point leaves SIGTERM's handler as it found it."""
    from generator import cli, entry

    def stopped() -> None:
        raise KeyboardInterrupt("SIGTERM")

    monkeypatch.setattr(cli, "main", stopped)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 1
    assert capsys.readouterr().err == "error: interrupted (SIGTERM); stopped before it finished\n"
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("when", ["discarding the old site", "printing the summary"])
def test_an_interrupt_after_publishing_says_the_new_site_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A stop signal once the new site is swapped in (while the old one is deleted, or the summary
    printed) must not say the build stopped before it finished: the new site is whole."""
    from generator import cli
    from generator.publish import swap

    config = write_crm_export(tmp_path / "export")
    site = tmp_path / "site"
    assert CliRunner().invoke(main, ["build", "-c", str(config), "--out", str(site)]).exit_code == 0
    config.write_text(
        config.read_text(encoding="utf-8").replace("Fixture Co", "Renamed Co"), encoding="utf-8"
    )

    def stop(*_args: object) -> None:
        raise KeyboardInterrupt("SIGTERM")

    if when == "discarding the old site":
        monkeypatch.setattr(swap, "_discard", stop)
    else:
        monkeypatch.setattr(cli, "_print_quality", stop)
    result = CliRunner().invoke(main, ["build", "-c", str(config), "--out", str(site)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "error: interrupted (SIGTERM) after the new site was published: the site is complete; "
        "the next build tidies what was left"
    )
    assert "Renamed Co" in (site / "index.html").read_text(encoding="utf-8")


def test_output_piped_into_a_reader_that_stopped_ends_quietly(tmp_path: Path) -> None:
    """`salesperf init --from … | head -1` ended with "error: Broken pipe" and left no config when
    the pipe broke before it was written; now the config is written first and the end is quiet."""
    (tmp_path / "deals.csv").write_text(
        "Deal ID,Owner,Stage,Close Date,Amount\n1,R1,Won,2024-02-01,100\n", encoding="utf-8"
    )
    # `true` exits at once, reading nothing: salesperf's first line meets a closed pipe.
    command = f"{sys.executable} -c 'from generator.entry import main; main()'"
    done = subprocess.run(
        f"{command} init --from deals.csv demo | true",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "demo" / "salesperf.yaml").is_file()


def test_notes_on_a_whole_dataset_are_listed_before_notes_on_single_cells(tmp_path: Path) -> None:
    """Sixty "$" markers removed (one note per cell) pushed "stages read as open" out of the
    terminal report, behind "… and N more"."""
    rows = "".join(f"D{i},R1,Won,2024-01-{1 + i % 28:02d},${i},C{i}\n" for i in range(60))
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount,client_id\n"
        + rows
        + "D99,R1,Pitch,,5,\nD98,R1,Won,2024-02-01,5,c1\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-c", str(tmp_path / "c.yaml")])
    lines = result.stderr.splitlines()
    first_cell_note = next(i for i, line in enumerate(lines) if 'currency marker "$"' in line)
    stages = next(i for i, line in enumerate(lines) if "stages read as open" in line)
    variant = next(i for i, line in enumerate(lines) if "differs from" in line)  # c1 beside C1
    truncated = next(i for i, line in enumerate(lines) if line.startswith("… and "))
    assert max(stages, variant) < first_cell_note < truncated
