"""Writing the docs folder, and the hard links from the published site into it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import generator.build
from generator.build import build
from generator.errors import BuildError
from generator.publish.write import bundled_assets, write_docs
from tests.publishing import tree_digest, write_tiny_export


@pytest.mark.parametrize(
    "name", ["../escape.md", "/etc/escape.md", "reps/../../escape.md", ".", ""]
)
def test_a_name_outside_the_docs_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="outside the docs folder"):
        write_docs(tmp_path / "docs", {name: "x"})
    assert not (tmp_path / "escape.md").exists()


def test_only_changed_files_are_written_and_stale_ones_removed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    first = write_docs(docs, {"index.md": "# A\n", "reps/r1.md": "# R1\n", "old/gone.csv": "a\n"})
    assets = len(bundled_assets())
    assert (first.written, first.unchanged, first.removed) == (3 + assets, 0, 0)
    second = write_docs(
        docs, {"index.md": "# A\n", "reps/r1.md": "# R1 changed\n", "reps/./r2.md": "# R2\n"}
    )
    assert (second.written, second.unchanged, second.removed) == (2, 1 + assets, 1)
    assert (docs / "reps" / "r1.md").read_text(encoding="utf-8") == "# R1 changed\n"
    assert (docs / "reps" / "r2.md").read_text(encoding="utf-8") == "# R2\n"
    assert not (docs / "old").exists()  # its only file went, so did the folder


def test_a_changed_file_is_replaced_not_rewritten_in_place(tmp_path: Path) -> None:
    """A hard link to the old file (the published site's) keeps the old bytes."""
    docs = tmp_path / "docs"
    write_docs(docs, {"data/reps.csv": "rep,revenue\nr1,100\n"})
    published = tmp_path / "published.csv"
    os.link(docs / "data" / "reps.csv", published)
    write_docs(docs, {"data/reps.csv": "rep,revenue\nr1,999\n"})
    assert published.read_text(encoding="utf-8") == "rep,revenue\nr1,100\n"
    assert (docs / "data" / "reps.csv").read_text(encoding="utf-8") == "rep,revenue\nr1,999\n"


def test_the_site_links_the_data_files_and_a_failed_build_leaves_them_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_tiny_export(tmp_path / "export")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = build(config).out
    work = site.parent / ".salesperf-build" / site.name / "docs"
    published, source = site / "data" / "reps.csv", work / "data" / "reps.csv"
    assert published.stat().st_ino == source.stat().st_ino  # linked, not copied
    before = tree_digest(site)
    deals = tmp_path / "export" / "deals.csv"
    deals.write_text(deals.read_text(encoding="utf-8").replace(",100,", ",175,"), encoding="utf-8")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise BuildError("MkDocs build failed: planted")

    monkeypatch.setattr(generator.build, "mkdocs_build", broken)
    with pytest.raises(BuildError, match="planted"):
        build(config)
    assert "175" in source.read_text(encoding="utf-8")  # the new pages were written
    assert tree_digest(site) == before  # the published site did not move


def test_a_published_data_file_edited_in_place_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit reaches the build folder through the hard link: its pages are generated again."""
    config = write_tiny_export(tmp_path / "export")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = build(config).out
    original = (site / "data" / "reps.csv").read_bytes()
    with open(site / "data" / "reps.csv", "ab") as published:  # in place, as `>>` or an editor does
        published.write(b"TAMPERED,ROW\n")
    again = build(config)
    assert not again.reused and not again.skipped  # not "exports unchanged, pages reused"
    assert (site / "data" / "reps.csv").read_bytes() == original
    third = build(config)
    assert third.skipped and (site / "data" / "reps.csv").read_bytes() == original


def test_a_build_folder_file_removed_is_generated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_tiny_export(tmp_path / "export")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = build(config).out
    docs = site.parent / ".salesperf-build" / site.name / "docs"
    (docs / "data" / "data_quality.json").unlink()
    again = build(config)
    assert not again.reused
    assert (site / "data" / "data_quality.json").exists() and (
        docs / "data" / "data_quality.json"
    ).exists()
