"""The package type-checks: mypy (with pandas-stubs) runs as part of the test suite, and so in CI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import lasting_tmp

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def only_user(cache: Path) -> Iterator[None]:
    """Hold ``cache`` alone while mypy runs: two sessions at once (two checkouts) take turns."""
    cache.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with (cache / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_mypy_is_clean(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[test]')")
    # From the repository root: pyproject.toml's [tool.mypy] settings (files = ["generator"]).
    monkeypatch.chdir(ROOT)
    # Later sessions reuse what an earlier one analysed: the stubs of pandas, numpy and Altair are
    # most of a first run (about 20 s, against 1-2 s with the cache). The check stays whole: mypy
    # reuses a module's cached analysis only when its text (hash) and everything it depends on are
    # unchanged, and reports the cached errors of the modules it does not re-check.
    cache = lasting_tmp(tmp_path_factory, "mypy-cache")
    with only_user(cache):
        stdout, stderr, status = api.run(["--cache-dir", str(cache)])
    assert status == 0, stdout + stderr
    # Every module of the package was checked (cached or not), not a part of it.
    modules = len(list((ROOT / "generator").rglob("*.py")))
    assert f"Success: no issues found in {modules} source files" in stdout, stdout + stderr
