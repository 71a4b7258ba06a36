"""Work run in a forked process: same results, errors raised in the build, no process left behind."""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.errors import BuildError, DataError, UsageError
from generator.metrics import compute_metrics
from generator.parallel import in_background
from generator.publish.mkdocs_build import check_environment
from tests.conftest import Computed


@pytest.fixture
def two_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds may run two processes, whatever the cores and the suite's own setting (conftest.py
    gives each build one process under xdist): forking needs no second core."""
    monkeypatch.setenv("SALESPERF_JOBS", "2")


def _pid() -> int:
    return os.getpid()


@pytest.mark.usefixtures("two_jobs")
def test_a_task_runs_in_another_process_and_returns_its_value() -> None:
    frame = pd.DataFrame({"rep_id": ["R1", "R2"], "revenue": [1.5, np.nan]})
    with in_background(
        lambda: (_pid(), frame.assign(double=frame["revenue"] * 2)), "testing"
    ) as pending:
        pid, result = pending.result()
    assert pid != os.getpid()
    assert result["double"].tolist()[0] == 3.0 and np.isnan(result["double"].tolist()[1])


def test_one_job_runs_the_task_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESPERF_JOBS", "1")
    with in_background(_pid, "testing") as pending:
        assert pending.result() == os.getpid()


@pytest.mark.parametrize("value", ["0", "two", "65", "1.5", "²"])
def test_a_bad_jobs_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SALESPERF_JOBS", value)
    with pytest.raises(UsageError, match=r"SALESPERF_JOBS=.*whole number from 1 to 64"):
        check_environment()


def _data_error() -> None:
    raise DataError(['deals.csv:3: amount: "x" is not a number'])


def _type_error() -> None:
    raise TypeError("unsupported operand")


def _dies() -> None:
    os._exit(3)


def test_a_task_error_is_the_same_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESPERF_JOBS", "1")
    with (
        pytest.raises(DataError, match="is not a number"),
        in_background(_data_error, "computing metrics") as pending,
    ):
        pending.result()
    with (
        pytest.raises(BuildError, match=r"^computing metrics: TypeError: unsupported operand$"),
        in_background(_type_error, "computing metrics") as pending,
    ):
        pending.result()


@pytest.mark.usefixtures("two_jobs")
def test_a_task_error_reaches_the_build() -> None:
    with (
        pytest.raises(DataError, match="is not a number"),
        in_background(_data_error, "computing metrics") as pending,
    ):
        pending.result()
    with (
        pytest.raises(BuildError, match=r"^computing metrics: TypeError: unsupported operand$"),
        in_background(_type_error, "computing metrics") as pending,
    ):
        pending.result()
    with (
        pytest.raises(
            BuildError, match=r"computing metrics: worker process stopped \(exit code 3\)"
        ),
        in_background(_dies, "computing metrics") as pending,
    ):
        pending.result()


@pytest.mark.usefixtures("two_jobs")
def test_leaving_the_block_kills_a_task_still_running() -> None:
    with (
        pytest.raises(RuntimeError, match="the build failed"),
        in_background(lambda: time.sleep(60), "testing") as pending,
    ):
        child = pending._child
        assert child is not None and child.is_alive()
        raise RuntimeError("the build failed")
    assert not child.is_alive()


def _same(left: object, right: object, path: str = "metrics") -> None:
    """Every table and value of two Metrics (or parts of them) is identical."""
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=path)  # type: ignore[arg-type]
    elif isinstance(left, pd.Series):
        pd.testing.assert_series_equal(left, right, check_exact=True, obj=path)  # type: ignore[arg-type]
    elif dataclasses.is_dataclass(left) and not isinstance(left, type):
        for item in dataclasses.fields(left):
            _same(getattr(left, item.name), getattr(right, item.name), f"{path}.{item.name}")
    elif isinstance(left, dict):
        assert isinstance(right, dict) and left.keys() == right.keys(), path
        for key in left:
            _same(left[key], right[key], f"{path}[{key!r}]")
    else:
        assert pickle.dumps(left) == pickle.dumps(right), path


def test_metrics_are_the_same_in_one_process_and_in_two(
    example_metrics: Computed, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, config = example_metrics.inputs, example_metrics.config.config
    monkeypatch.setenv("SALESPERF_JOBS", "2")
    two = compute_metrics(inputs, config)
    monkeypatch.setenv("SALESPERF_JOBS", "1")
    alone = compute_metrics(inputs, config)
    # the second process's tables are there
    assert len(two.segments.current["region"])
    _same(two, alone)


def test_dated_memberships_and_goals_are_the_same_in_one_process_and_in_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example has no memberships export: a company whose rep moves team mid-year (dated
    memberships, goals, a leaver) goes through the forked metrics too."""
    from generator.build import check
    from tests.test_memberships import STAFF_MEMBERSHIPS, _staff_export

    cfg, inputs = check(_staff_export(tmp_path, STAFF_MEMBERSHIPS))
    monkeypatch.setenv("SALESPERF_JOBS", "2")
    two = compute_metrics(inputs, cfg.config)
    monkeypatch.setenv("SALESPERF_JOBS", "1")
    assert two.dated_teams and len(two.goals.goals)
    _same(two, compute_metrics(inputs, cfg.config))


def test_pages_are_the_same_in_one_process_and_in_two(
    example_metrics: Computed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render stage makes some topics and half the rep pages in a second process."""
    from generator.site.assemble import build_site

    computed = example_metrics
    monkeypatch.setenv("SALESPERF_JOBS", "2")
    two = build_site(computed.config, computed.metrics, computed.inputs.quality)
    monkeypatch.setenv("SALESPERF_JOBS", "1")
    one = build_site(computed.config, computed.metrics, computed.inputs.quality)
    assert sum(name.startswith("reps/rep-") and name.endswith(".md") for name in two.files) == 40
    assert two.files == one.files and two.nav == one.nav and two.pages == one.pages


def _lock() -> object:
    import threading

    return threading.Lock()


@pytest.mark.usefixtures("two_jobs")
def test_a_result_that_cannot_be_sent_back_is_one_error() -> None:
    with (
        pytest.raises(
            BuildError,
            match=r"^rendering pages: the worker's result cannot be sent back: TypeError",
        ),
        in_background(_lock, "rendering pages") as pending,
    ):
        pending.result()


def test_mkdocs_jobs_wins_over_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """SALESPERF_MKDOCS_JOBS=2 builds two MkDocs shards in two processes even with SALESPERF_JOBS=1."""
    monkeypatch.setenv("SALESPERF_JOBS", "1")
    with in_background(_pid, "MkDocs build failed", fork=True) as pending:
        assert pending.result() != os.getpid()
    with in_background(_pid, "computing metrics") as pending:
        assert pending.result() == os.getpid()
