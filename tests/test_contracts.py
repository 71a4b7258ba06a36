"""Declared table contracts (generator/contracts): every input, Metrics and published table holds
its contract on the bundled example and the hostile fixture, and a contract fails on a bad table."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import generator.build
from generator.build import build
from generator.cli import main
from generator.config import Config
from generator.contracts import ENV
from generator.contracts import validate as v
from generator.contracts.tables import INPUTS, METRICS, PUBLISHED, published_contract
from generator.errors import ContractError
from generator.load.loader import Inputs
from generator.metrics import Metrics
from tests.conftest import Computed, compute, write_crm_export

ROOT = Path(__file__).resolve().parent.parent

_FLOAT_COUNTS: set[str] = set()  # headlines and the rep/team summaries now write counts as integers

KNOWN_BROKEN: dict[str, set[str]] = {
    "example": _FLOAT_COUNTS,
    "hostile": _FLOAT_COUNTS
    | {
        "forecast_backtest",  # without a backtest the file's header has "series" and no "origin"
        "metrics.company_previous",  # without last year's deals: no win_rate, avg_deal_size, sales_cycle_days
        "metrics.goals.goals",
        "metrics.goals.team_attainment",
        "metrics.goals.calibration",  # no goals: object dtypes
        "metrics.forecast.company_backtest",  # empty: a "series" column, object dtypes
    },
}
"""Tables that break their contract today, by fixture; each is a bug to fix (then drop its name).
The figure/value tables write counts as floats (``won_deals`` 855.0), against SPEC §6 ("counts
are integers"); the others are empty tables built without their declared columns or dtypes."""


def _failing(problems: list[str]) -> set[str]:
    return {line.split(":")[0].removeprefix("data/").split(" (")[0] for line in problems}


@dataclass(frozen=True)
class Built:
    config: Config
    inputs: Inputs
    metrics: Metrics
    site: Path


@pytest.fixture(scope="module")
def example(example_metrics: Computed, example_build: Path) -> Built:
    """The bundled example, computed and built once per session (conftest)."""
    computed = example_metrics
    return Built(computed.config.config, computed.inputs, computed.metrics, example_build)


@pytest.fixture(scope="module")
def hostile(hostile_config: Path, hostile_build: Path) -> Built:
    """The hostile CRM fixture, built once per session (conftest)."""
    computed = compute(hostile_config)
    return Built(computed.config.config, computed.inputs, computed.metrics, hostile_build)


@pytest.fixture(params=["example", "hostile"])
def built(
    request: pytest.FixtureRequest, example: Built, hostile: Built
) -> Iterator[tuple[str, Built]]:
    yield request.param, {"example": example, "hostile": hostile}[request.param]


def _published(b: Built) -> list[str]:
    privacy = b.config.privacy
    return v.published_problems(
        v.site_files(b.site),
        show_compensation=privacy.show_compensation,
        banded=privacy.rep_value_ratios == "band",
    )


# --- every table has a contract and holds it --------------------------------------------------


def test_inputs_hold_their_contracts(built: tuple[str, Built]) -> None:
    assert v.inputs_problems(built[1].inputs) == []


def test_every_metrics_table_has_a_contract_and_holds_it(built: tuple[str, Built]) -> None:
    name, b = built
    paths = [path for path, _frame in v.metrics_frames(b.metrics)]
    assert [p for p in paths if p not in METRICS] == []
    known = {k for k in KNOWN_BROKEN[name] if k.startswith("metrics.")}
    assert _failing(v.metrics_problems(b.metrics)) == known, v.metrics_problems(b.metrics)


def test_no_metrics_contract_is_stale(example: Built) -> None:
    # The example configures every dataset, so every Metrics table exists in it.
    assert set(METRICS) == {path for path, _frame in v.metrics_frames(example.metrics)}


def test_every_published_file_has_a_contract(built: tuple[str, Built]) -> None:
    files = v.site_files(built[1].site)
    assert files
    assert [p for p in files if published_contract(p) is None] == []


def test_published_files_hold_their_contracts(built: tuple[str, Built]) -> None:
    # Equality, not a subset: once a known bug is fixed this fails until its name leaves KNOWN_BROKEN.
    name, b = built
    known = {k for k in KNOWN_BROKEN[name] if not k.startswith("metrics.")}
    assert _failing(_published(b)) == known, _published(b)


def test_contracts_cover_every_stage() -> None:
    assert set(INPUTS) == {
        f"inputs.{n}"
        for n in (
            "deals",
            "reps",
            "clients",
            "costs",
            "goals",
            "coaching",
            "activities",
            "memberships",
        )
    }
    assert len(METRICS) >= 40 and len(PUBLISHED) >= 60


# --- a contract fails on a bad table ----------------------------------------------------------


def _plant(
    frame: pd.DataFrame, column: str, value: object, dtype: str | None = None
) -> pd.DataFrame:
    out = frame.copy()
    if dtype:
        out[column] = out[column].astype(dtype)
    out.loc[out.index[0], column] = value
    return out


@pytest.mark.parametrize(
    ("column", "value", "dtype", "expected"),
    [
        ("win_rate", 25.0, None, "in_range(0, 1)"),
        ("win_rate", np.inf, None, "finite"),
        ("revenue", -np.inf, None, "finite"),
        ("won_deals", 3.0, "float64", "integer"),
        ("won_deals", -1, None, "greater_than_or_equal_to(0)"),
        ("rep_id", " ", None, "not blank"),
        ("value_ratio", "5", "object", "float"),
    ],
)
def test_metrics_contract_fails_on_a_planted_bad_value(
    example: Built, column: str, value: object, dtype: str | None, expected: str
) -> None:
    bad = _plant(example.metrics.reps, column, value, dtype)
    problems = v.run([("metrics.reps", v.schema(METRICS["reps"]), bad)])
    assert any(f"metrics.reps: {column}: " in p and expected in p for p in problems), problems


def test_metrics_contract_fails_on_columns_and_keys(example: Built) -> None:
    reps = example.metrics.reps
    for bad, expected in [
        (reps.drop(columns="win_rate"), "column_in_dataframe"),
        (reps.assign(extra=1), "column_in_schema"),
        (reps[[*reps.columns[1:], reps.columns[0]]], "column_ordered"),
        (pd.concat([reps, reps.head(1)]), "one row per rep_id"),
        (_plant(reps, "revenue", np.nan), "not_nullable"),
    ]:
        problems = v.run([("metrics.reps", v.schema(METRICS["reps"]), bad)])
        assert any(expected in p for p in problems), (expected, problems)


def test_lazy_reports_every_failure_with_rows_and_values(example: Built) -> None:
    bad = _plant(_plant(example.metrics.reps, "win_rate", 25.0), "clients", -3)
    problems = v.run([("metrics.reps", v.schema(METRICS["reps"]), bad)])
    assert "metrics.reps: win_rate: in_range(0, 1): 25.0 at rows 0" in problems
    assert any(
        p.startswith("metrics.reps: clients: greater_than_or_equal_to(0): -3")
        and p.endswith("at rows 0")
        for p in problems
    ), problems


def _reps_csv(site: Path) -> str:
    return (site / "data" / "reps.csv").read_text(encoding="utf-8")


def _set_cell(csv_text: str, column: str, value: str) -> str:
    lines = csv_text.splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")  # first rep: no quoted commas in the example's row
    cells[header.index(column)] = value
    lines[1] = ",".join(cells) + "\n"
    return "".join(lines)


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        ("win_rate", "nan", "number (integer or float)'): 'nan'"),
        ("win_rate", "NaN", "number (integer or float)'): 'NaN'"),
        ("win_rate", "25", "in_range(0, 1)"),
        ("revenue", "inf", "finite"),
        ("won_deals", "7.0", "integer"),
        ("clients", "", "not_nullable"),
        ("hired", "05/05/2025", "str_matches"),
    ],
)
def test_published_contract_fails_on_a_planted_bad_cell(
    example: Built, column: str, cell: str, expected: str
) -> None:
    text = _set_cell(_reps_csv(example.site), column, cell)
    problems = v.published_problems({"reps.csv": text}, show_compensation=True)
    assert any(
        f"data/reps: {column}: " in p and expected in p and "data/reps.csv:2" in p for p in problems
    ), problems


def test_published_json_refuses_nan_and_infinity() -> None:
    problems = v.published_problems(
        {"definition_changes.json": '[{"date": "2024-01-01", "change": NaN}]'}
    )
    assert problems and "NaN is not JSON" in problems[0]


def test_private_columns_must_not_be_published(example: Built) -> None:
    text = _reps_csv(example.site)  # the example shows compensation: annual_cost is there
    assert v.published_problems({"reps.csv": text}, show_compensation=True) == []
    problems = v.published_problems({"reps.csv": text}, show_compensation=False)
    assert any("no compensation column" in p for p in problems), problems


def test_a_file_without_a_contract_is_reported() -> None:
    assert v.published_problems({"secret_table.csv": "a\n1\n"}) == [
        "data/secret_table.csv: no contract (declare it in generator.contracts.tables.PUBLISHED)"
    ]


# --- at the stage boundaries ------------------------------------------------------------------


def test_build_checks_contracts_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_crm_export(tmp_path / "export")
    real = generator.build.compute_metrics

    def broken(inputs: Inputs, cfg: Config) -> Metrics:
        metrics = real(inputs, cfg)
        # percent, not a fraction
        reps = metrics.reps.assign(win_rate=metrics.reps["win_rate"] * 100)
        return Metrics(**{**metrics.__dict__, "reps": reps})

    monkeypatch.setattr(generator.build, "compute_metrics", broken)
    monkeypatch.setenv(ENV, "1")
    with pytest.raises(ContractError) as raised:
        build(config, tmp_path / "site")
    assert any(
        p.startswith("metrics.reps: win_rate: in_range(0, 1): 75.0") for p in raised.value.problems
    ), raised.value.problems
    assert not (tmp_path / "site").exists()  # nothing published
    result = CliRunner().invoke(main, ["build", "-c", str(config), "--out", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert "metrics.reps: win_rate: in_range(0, 1)" in result.output
    monkeypatch.setenv(ENV, "0")  # off: the same bad table is not checked
    assert build(config, tmp_path / "site").out.exists()


def test_a_plain_cli_start_does_not_import_pandera() -> None:
    code = "import sys, generator.cli, generator.build; print('pandera' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"
