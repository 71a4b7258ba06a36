"""Progress of the long stages: bars on a terminal, nothing at all in CI or when nobody watches."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build
from generator.cli import main
from generator.progress import QUIET, TerminalProgress, for_terminal, on_terminal
from tests.conftest import write_crm_export

STAGES = (
    "Loading exports",
    "Computing metrics",
    "Rendering pages and charts",
    "Writing pages",
    "with MkDocs",
    "Publishing to",
)


class Terminal(io.StringIO):
    """What a terminal would show, kept as text."""

    def isatty(self) -> bool:
        return True


def _final_states(drawn: str) -> list[str]:
    """The last drawing of each bar: the text before each newline, after its last carriage return."""
    shown = re.sub(r"\x1b\[\?25[lh]", "", drawn)  # hide and show the cursor
    return [line.rsplit("\r", 1)[-1].rstrip() for line in shown.split("\n") if line.strip()]


def test_build_draws_a_bar_per_stage_on_a_terminal(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    screen = Terminal()
    result = build(config, tmp_path / "site", progress=TerminalProgress(screen))
    finals = _final_states(screen.getvalue())
    assert [next(s for s in STAGES if s in line) for line in finals] == list(STAGES)
    assert re.fullmatch(
        # deals, reps, costs
        r"  Loading exports  \[#{24}\]  3/3  100%  \d+ s",
        finals[0],
    )
    assert "Computing metrics (10 deals, 4 reps)" in finals[1]
    files = result.write.written + result.write.unchanged
    assert re.fullmatch(rf"  Writing pages  \[#{{24}}\]  {files}/{files}  100%  \d+ s", finals[3])
    assert f"Building {result.pages} pages with MkDocs" in finals[4]
    assert all("[" + "#" * 24 + "]" in line for line in finals)  # every bar ends full
    # A rebuild from unchanged exports says so, and its load bar still ends full.
    screen = Terminal()
    assert build(config, tmp_path / "site", progress=TerminalProgress(screen)).skipped
    finals = _final_states(screen.getvalue())
    assert f"  Nothing changed since the last build: {result.out} is already up to date" in finals
    assert re.fullmatch(r"  Loading exports  \[#{24}\]  3/3  100%  \d+ s", finals[0])


def test_a_stage_that_cannot_count_shows_the_time_it_takes() -> None:
    screen = Terminal()
    with TerminalProgress(screen).stage("Building 5 pages with MkDocs"):
        time.sleep(1.3)
    drawn = screen.getvalue()
    # redrawn while it runs (every 0.2 s), not only at the start and end
    assert drawn.count("\r") >= 4
    assert _final_states(drawn) == ["  Building 5 pages with MkDocs  [" + "#" * 24 + "]  1 s"]


def test_no_progress_without_a_terminal(tmp_path: Path) -> None:
    """CliRunner's output is not a terminal, like CI's: no bar, no carriage return, no stage name."""
    config = write_crm_export(tmp_path / "export")
    result = CliRunner().invoke(main, ["build", "-c", str(config), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output
    assert not any(stage in result.output for stage in STAGES), result.output
    assert result.stdout.startswith("Built 23 pages into")


def test_ci_is_quiet_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert on_terminal(Terminal()) and isinstance(for_terminal(Terminal()), TerminalProgress)
    assert not on_terminal(io.StringIO())
    assert for_terminal(io.StringIO()) is QUIET
    monkeypatch.setenv("CI", "true")
    assert for_terminal(Terminal()) is QUIET
    screen = Terminal()
    with for_terminal(screen).stage("Loading exports", 3) as advance:
        advance(1, "deals")
    assert screen.getvalue() == ""
