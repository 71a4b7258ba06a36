"""``/data-quality/``: every problem found in the inputs, with file, row and column."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.quality import INFO, WARNING, QualityReport
from generator.site.common import SiteInfo, link
from generator.site.tables import frame_table
from generator.site.text import Markdown

HERE = "data-quality.md"

ISSUES_ON_PAGE = 2000
"""Findings listed on /data-quality/ itself; all of them are always in data/data_quality.csv."""


@dataclass(frozen=True)
class DataQualityPage:
    """``/data-quality/``: every finding with file, row and column (template ``data_quality.md.j2``)."""

    site: SiteInfo
    summary: Markdown
    """Rows read, used and excluded, and warnings, per dataset."""
    grouped: Markdown
    """Cells per reason (data/data_quality_summary.csv)."""
    findings: Markdown
    """The first ``ISSUES_ON_PAGE`` findings (data/data_quality.csv has all)."""
    warnings: int
    infos: int
    listed: int
    """Findings listed on the page."""
    total: int
    """Findings in all."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


def data_quality_page(
    info: SiteInfo, quality: QualityReport, datasets: pd.DataFrame, by_reason: pd.DataFrame
) -> DataQualityPage:
    """The data-quality page's context. ``quality``: the published findings; ``datasets``:
    ``summaries.dataset_usage``; ``by_reason``: ``summaries.findings_by_reason``."""
    summary = frame_table(
        datasets,
        [
            info.column("dataset"),
            info.column("files"),
            info.column("rows_read"),
            info.column("rows_used"),
            info.column("rows_excluded"),
            info.column("warnings"),
        ],
        link(HERE, "data/datasets.csv"),
        sortable=False,
    )
    grouped = frame_table(
        by_reason,
        [
            info.column("severity"),
            info.column("dataset"),
            info.column("file"),
            info.column("column"),
            info.column("problem"),
            info.column("action"),
            info.column("count"),
            info.column("first_row"),
        ],
        link(HERE, "data/data_quality_summary.csv"),
    )
    # Warnings and the notes that call for a look before thousands of cells read by rule.
    listed = quality.by_attention().head(ISSUES_ON_PAGE)
    findings = frame_table(
        listed,
        [
            info.column("severity"),
            info.column("file"),
            info.column("row"),
            info.column("column"),
            info.column("value"),
            info.column("problem"),
            info.column("action"),
            info.column("count", "Cells"),
        ],
        link(HERE, "data/data_quality.csv"),
    )
    return DataQualityPage(
        info,
        summary,
        grouped,
        findings,
        warnings=quality.count(WARNING),
        infos=quality.count(INFO),
        listed=len(listed),
        total=len(quality.issues),
    )
