"""The build folder's manifest: what the last generated pages were built from, to reuse them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.quality import ISSUE_COLUMNS, DatasetSummary, QualityReport, issues_frame

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Reused:
    """The previous build's pages, valid for the same fingerprint."""

    nav: list[dict[str, str]]
    pages: int
    files: int
    quality: QualityReport


def write_manifest(work: Path, fingerprint: str, nav: list[dict[str, str]], pages: int, files: int) -> None:
    """Record what the docs folder was generated from (written last, after every page)."""
    text = json.dumps({"fingerprint": fingerprint, "nav": nav, "pages": pages, "files": files}, indent=1)
    (work / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(work: Path, fingerprint: str) -> Reused | None:
    """The previous build, when its fingerprint matches and its docs folder is complete."""
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        data = work / "docs" / "data"
        issues = json.loads((data / "data_quality.json").read_text(encoding="utf-8"))
        datasets = json.loads((data / "datasets.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != fingerprint:
        return None
    frame = issues_frame([{c: row.get(c) for c in ISSUE_COLUMNS} for row in issues])
    summaries = tuple(
        DatasetSummary(d["dataset"], tuple(d["files"].split(", ")), int(d["rows_read"]), int(d["rows_used"]),
                       d.get("latest"))
        for d in datasets
    )
    return Reused(manifest["nav"], int(manifest["pages"]), int(manifest["files"]),
                  QualityReport(issues=frame if len(frame) else issues_frame(), summaries=summaries))


def forget(work: Path) -> None:
    """Invalidate the manifest (before the docs folder is rewritten)."""
    (work / MANIFEST).unlink(missing_ok=True)

