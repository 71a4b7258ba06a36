"""The build cache: what the last generated pages were built from, and what a reused build needs.

A build whose fingerprint (config, exports, templates, salesperf's own code) matches the last one
reuses its generated pages and only runs MkDocs. The cache keeps its own copy of the data-quality
report, so a reused build prints the same findings as the build that made the pages (the published
``data/data_quality.json`` may withhold values under ``privacy`` and is never read back).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generator.quality import ISSUE_COLUMNS, DatasetSummary, QualityReport, issues_frame

MANIFEST = "manifest.json"
QUALITY = "quality.json"
PUBLISHED = "published.json"
DOCS = "docs"
"""The generated Markdown and data files, in the build folder."""
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)
"""Variables MkDocs' output depends on: a published site is reused only under the same values."""


@dataclass(frozen=True)
class Reused:
    """The previous build's pages, valid for the same fingerprint."""

    nav: list[dict[str, str]]
    pages: int
    files: int
    quality: QualityReport


def write_manifest(
    work: Path,
    fingerprint: str,
    nav: list[dict[str, str]],
    pages: int,
    files: int,
    quality: QualityReport,
) -> None:
    """Record what the docs folder was generated from, the quality report behind it, and the docs
    folder as it is on disk (``site_signature``).

    Written last, after every page: a build that stops before leaves no manifest, so no reuse.
    """
    issues = quality.issues.astype(object).where(quality.issues.notna(), None)
    report = {
        "issues": issues[ISSUE_COLUMNS].to_dict("records"),
        "summaries": [
            {
                "dataset": s.dataset,
                "files": list(s.files),
                "rows_read": s.rows_read,
                "rows_used": s.rows_used,
                "latest": s.latest,
            }
            for s in quality.summaries
        ],
    }
    (work / QUALITY).write_text(json.dumps(report, default=_plain) + "\n", encoding="utf-8")
    text = json.dumps(
        {
            "fingerprint": fingerprint,
            "nav": nav,
            "pages": pages,
            "files": files,
            "docs": site_signature(work / DOCS),
        },
        indent=1,
    )
    (work / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _plain(value: object) -> object:
    """numpy and pandas scalars as JSON numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {value!r}")


def read_manifest(work: Path, fingerprint: str) -> Reused | None:
    """The previous build, when its fingerprint matches, its cache is complete and its docs folder is
    untouched since (every file's path, size and time). The published site holds hard links to the
    docs folder's data files: a published file edited in place edits the docs folder's too, and its
    pages must then be generated again, not reused."""
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        report = json.loads((work / QUALITY).read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != fingerprint or manifest.get("docs") != site_signature(
            work / DOCS
        ):
            return None
    except (OSError, ValueError):
        return None
    frame = issues_frame(report["issues"])
    summaries = tuple(
        DatasetSummary(
            s["dataset"],
            tuple(s["files"]),
            int(s["rows_read"]),
            int(s["rows_used"]),
            s.get("latest"),
        )
        for s in report["summaries"]
    )
    return Reused(
        manifest["nav"],
        int(manifest["pages"]),
        int(manifest["files"]),
        QualityReport(issues=frame if len(frame) else issues_frame(), summaries=summaries),
    )


def forget(work: Path) -> None:
    """Invalidate the cache (before the docs folder is rewritten)."""
    (work / MANIFEST).unlink(missing_ok=True)
    (work / QUALITY).unlink(missing_ok=True)
    (work / PUBLISHED).unlink(missing_ok=True)


def site_signature(site: Path) -> str:
    """SHA-256 over every file's path, size and modification time under ``site`` (no file is read:
    ~0.1 s for 10,000 files). Any file added, removed, rewritten or touched changes it."""
    entries: list[str] = []
    stack = [site]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    stat = entry.stat(follow_symlinks=False)
                    entries.append(
                        f"{os.path.relpath(entry.path, site)}\0{stat.st_size}\0{stat.st_mtime_ns}"
                    )
    return hashlib.sha256("\n".join(sorted(entries)).encode("utf-8", "surrogateescape")).hexdigest()


PACKAGES = ("mkdocs", "mkdocs-material", "altair", "vl-convert-python", "pandas", "babel", "jinja2")
"""Installed packages the published bytes depend on (the theme, the chart bundle, formats): an upgrade
of any of them rebuilds the site."""


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _published_record(fingerprint: str, target: Path) -> dict[str, object]:
    return {
        "fingerprint": fingerprint,
        "target": str(target),
        "environment": {name: os.environ.get(name) for name in ENVIRONMENT},
        "packages": {name: _installed(name) for name in PACKAGES},
    }


def write_published(work: Path, fingerprint: str, target: Path) -> None:
    """Record that ``target`` holds the site built from ``fingerprint``, as it is now on disk."""
    record = _published_record(fingerprint, target) | {"site": site_signature(target)}
    (work / PUBLISHED).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def published_is_current(work: Path, fingerprint: str, target: Path) -> bool:
    """True when ``target`` is, file for file, the site the last build published from ``fingerprint``
    under the same environment: rebuilding it would give the same bytes, so MkDocs need not run."""
    try:
        record = json.loads((work / PUBLISHED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = _published_record(fingerprint, target)
    if any(record.get(key) != value for key, value in expected.items()):
        return False
    try:
        return record.get("site") == site_signature(target)
    except OSError:
        return False
