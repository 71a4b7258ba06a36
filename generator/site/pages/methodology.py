"""``/methodology/``: what is tracked, each formula, the reading rules and the limits of the data."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import pandas as pd

from generator.config import Config, LoadedConfig
from generator.metrics.definitions import FIGURES, figure
from generator.schema import DATASETS
from generator.site.common import SiteInfo, link
from generator.site.tables import frame_table
from generator.site.text import Markdown


@dataclass(frozen=True)
class MethodologyPage:
    """``/methodology/``: what is tracked, each formula, the reading rules and the limits
    (template ``methodology.md.j2``, which includes the topics' ``methodology_*.md.j2``)."""

    site: SiteInfo
    won_stages: tuple[str, ...]
    lost_stages: tuple[str, ...]
    gross_margin: float
    """metrics.gross_margin, a fraction."""
    attribution: str
    include_coaching_cost: bool
    fiscal_year_start: int
    """First month (1–12) of the fiscal year."""
    ltv_method: str
    datasets: tuple[str, ...]
    """The datasets this build reads, in SPEC order."""
    config: Config
    """The whole config, for the topics' methodology sections."""
    topics: tuple[str, ...] = ()
    """Templates of the topics' methodology sections, included in order."""
    pages: frozenset[str] = frozenset()
    """Docs paths of the pages this build makes: links go only to those."""
    usage: Markdown | None = None
    """Rows read, used and excluded per dataset (the table of /data-quality/, without the warnings)."""
    glossary: Markdown | None = None
    """Every column of this build's data files with its registry definition (see ``glossary``)."""

    def label(self, name: str) -> str:
        """A figure's label, as the registry states it (a heading of the definitions)."""
        return figure(name).label

    def definition(self, name: str) -> Markdown:
        """A figure's formula as the registry states it: ``**Win rate** = won ÷ (won + lost), …``."""
        entry = figure(name)
        return Markdown(f"**{entry.label}** = {entry.formula}")


def published_columns(files: dict[str, str]) -> set[str]:
    """The column names of every CSV data file in ``files`` (their header lines)."""
    names: set[str] = set()
    for path, content in files.items():
        if path.startswith("data/") and path.endswith(".csv"):
            names.update(next(csv.reader([content.partition("\n")[0]])))
    return names


def glossary(names: set[str]) -> Markdown:
    """One line per figure among ``names``, in registry order: name, label, unit, compensation, formula."""
    lines = []
    for entry in FIGURES.values():
        if entry.name in names:
            private = ", compensation" if entry.private else ""
            lines.append(
                f"- `{entry.name}`: **{entry.label}** ({entry.unit}{private}). {entry.formula}"
            )
    return Markdown("\n".join(lines))


def methodology_page(
    info: SiteInfo,
    cfg: LoadedConfig,
    topics: tuple[str, ...],
    files: dict[str, str],
    datasets: pd.DataFrame,
) -> MethodologyPage:
    """The methodology page's context. ``files``: every other file of the site (for its links and
    the glossary of its data files); ``datasets``: ``summaries.dataset_usage``."""
    config = cfg.config
    usage = frame_table(
        datasets,
        [
            info.column("dataset"),
            info.column("files"),
            info.column("rows_read"),
            info.column("rows_used"),
            info.column("rows_excluded"),
        ],
        link("methodology.md", "data/datasets.csv"),
        sortable=False,
    )
    return MethodologyPage(
        site=info,
        won_stages=cfg.won_stages(),
        lost_stages=cfg.lost_stages(),
        gross_margin=config.metrics.gross_margin,
        attribution=config.metrics.attribution,
        include_coaching_cost=config.metrics.include_coaching_cost,
        fiscal_year_start=config.report.fiscal_year_start,
        ltv_method=config.metrics.ltv_method,
        datasets=tuple(name for name in DATASETS if getattr(config.sources, name) is not None),
        config=config,
        topics=topics,
        pages=frozenset(files),
        usage=usage,
        glossary=glossary(published_columns(files)),
    )
