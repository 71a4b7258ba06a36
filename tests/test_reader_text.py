"""The pages speak to their reader (leadership), not to salesperf's developers: no reference to the
specification, an issue, a test or a script of the repository on any generated page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build_folder

pytestmark = pytest.mark.slow

INTERNAL = re.compile(
    r"SPEC|§"  # the specification and its sections
    r"|\b[Ii]ssues? \d"  # "issue 13"
    r"|\bbench/|\btests?/|\btest_\w+|\.py\b"  # the repository's scripts and tests
    r"|\bpytest\b|\b\d+ seeds\b|\bseeds? \d"  # how the developers ran them
)


def _internal_references(text: str) -> list[str]:
    return [
        text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
        for m in INTERNAL.finditer(text)
    ]


def test_no_generated_page_refers_to_internals(example_build: Path) -> None:
    markdown = sorted((build_folder(example_build) / "docs").rglob("*.md"))
    html = sorted(example_build.rglob("*.html"))
    assert len(markdown) > 50 and len(html) > 50
    found = {
        str(path): hits
        for path in [*markdown, *html]
        if (hits := _internal_references(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_check_catches_what_the_methodology_page_used_to_say() -> None:
    for text in [
        "by the same money figures as a rep (SPEC §4–§5).",
        "Nominal 95 %; issue 13: ≥ 18 of 20.",
        "(`bench/coaching_study.py`: 90 reps",
        "The tests (`tests/test_coaching.py`) assert",
        "the first 20 seeds in brackets",
        "smooth-seasonal company (24 reps, 5 years), seeds 0–4",
    ]:
        assert _internal_references(text), text
    assert (
        _internal_references("The data-spec of a chart; 95 % of 100 companies; reps/rep-001/") == []
    )
