"""generator.lazy: modules executed on first use, and a build that reuses its pages never imports Altair."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.lazy import lazy_module

ROOT = Path(__file__).resolve().parent.parent


def test_a_lazy_module_runs_on_first_use_and_an_imported_one_is_itself(tmp_path: Path) -> None:
    assert lazy_module("json") is sys.modules["json"]
    (tmp_path / "noisy.py").write_text("print('ran')\nVALUE = 42\n", encoding="utf-8")
    probe = (
        "from generator.lazy import lazy_module\nnoisy = lazy_module('noisy')\nprint('made')\n"
        "print(noisy.VALUE)\nprint(noisy.VALUE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
    )
    assert out.stdout.split() == ["made", "ran", "42", "42"]  # executed once, when first read
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        lazy_module("no_such_module")


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_build_process_never_imports_altair_and_one_process_builds_the_same_site(
    tmp_path: Path,
) -> None:
    """The designs and the Vega bundle are made in the second process: the build's own process
    does not import Altair (0.4 s), neither on a full build nor on one that finds nothing changed;
    the site is the one a single process builds, designs included."""
    probe = (
        "import sys\nfrom generator.build import build\n"
        "first = build(sys.argv[1], sys.argv[2])\nloaded = 'altair.vegalite' in sys.modules\n"
        "again = build(sys.argv[1], sys.argv[2])\n"
        "print(first.pages > 0, again.skipped, loaded, 'altair.vegalite' in sys.modules)"
    )
    config = str(ROOT / "config" / "example.yaml")
    sites = {}
    for jobs in ("2", "1"):
        env = {**os.environ, "SALESPERF_JOBS": jobs, "SOURCE_DATE_EPOCH": "1700000000"}
        out = subprocess.run(
            [sys.executable, "-c", probe, config, str(tmp_path / jobs / "site")],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        )
        # In one process the build makes the designs itself, so it imports Altair then.
        assert out.stdout.split() == ["True", "True", str(jobs == "1"), str(jobs == "1")]
        sites[jobs] = _tree(tmp_path / jobs / "site")
    assert sites["2"].keys() == sites["1"].keys() and "assets/vega.js" in sites["1"]
    assert [name for name in sites["1"] if sites["1"][name] != sites["2"][name]] == []
