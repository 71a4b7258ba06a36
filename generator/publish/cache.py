"""The build cache: what the last generated pages were built from, and what a reused build needs.

A build whose fingerprint (config, exports, templates, salesperf's own code) matches the last one
reuses its generated pages and only runs MkDocs. The cache keeps its own copy of the data-quality
report, so a reused build prints the same findings as the build that made the pages (the published
``data/data_quality.json`` may withhold values under ``privacy`` and is never read back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.quality import ISSUE_COLUMNS, DatasetSummary, QualityReport, issues_frame

MANIFEST = "manifest.json"
QUALITY = "quality.json"


@dataclass(frozen=True)
class Reused:
    """The previous build's pages, valid for the same fingerprint."""

    nav: list[dict[str, str]]
    pages: int
    files: int
    quality: QualityReport


def write_manifest(work: Path, fingerprint: str, nav: list[dict[str, str]], pages: int, files: int,
                   quality: QualityReport) -> None:
    """Record what the docs folder was generated from, and the quality report behind it.

    Written last, after every page: a build that stops before leaves no manifest, so no reuse.
    """
    issues = quality.issues.astype(object).where(quality.issues.notna(), None)
    report = {
        "issues": issues[ISSUE_COLUMNS].to_dict("records"),
        "summaries": [{"dataset": s.dataset, "files": list(s.files), "rows_read": s.rows_read,
                       "rows_used": s.rows_used, "latest": s.latest} for s in quality.summaries],
    }
    (work / QUALITY).write_text(json.dumps(report, default=_plain) + "\n", encoding="utf-8")
    text = json.dumps({"fingerprint": fingerprint, "nav": nav, "pages": pages, "files": files}, indent=1)
    (work / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _plain(value: object) -> object:
    """numpy and pandas scalars as JSON numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {value!r}")


def read_manifest(work: Path, fingerprint: str) -> Reused | None:
    """The previous build, when its fingerprint matches and its cache is complete."""
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        report = json.loads((work / QUALITY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != fingerprint:
        return None
    frame = issues_frame(report["issues"])
    summaries = tuple(
        DatasetSummary(s["dataset"], tuple(s["files"]), int(s["rows_read"]), int(s["rows_used"]), s.get("latest"))
        for s in report["summaries"]
    )
    return Reused(manifest["nav"], int(manifest["pages"]), int(manifest["files"]),
                  QualityReport(issues=frame if len(frame) else issues_frame(), summaries=summaries))


def forget(work: Path) -> None:
    """Invalidate the cache (before the docs folder is rewritten)."""
    (work / MANIFEST).unlink(missing_ok=True)
    (work / QUALITY).unlink(missing_ok=True)
