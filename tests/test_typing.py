"""The package type-checks: mypy (with pandas-stubs) runs as part of the test suite, and so in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[test]')")
    # From the repository root: pyproject.toml's [tool.mypy] settings, and its .mypy_cache (a
    # first run takes about half a minute, later ones a second or two).
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run([])
    assert status == 0, stdout + stderr
