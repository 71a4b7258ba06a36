"""The salesperf config that reads the generated exports: a plain dict validated by ``Config``, then
written with ``yaml.safe_dump``, one key at a time so that each section and setting keeps its comment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml

from generator.config import Config
from generator.sample.catalog import COMPANY, LOST_STAGE, WON_STAGE
from generator.sample.exports import CRM_EXPORTS, FILES, Format

NOTES_ABOVE: dict[str, tuple[str, ...]] = {
    "site": ("How the site presents itself.",),
    "report": (
        "The reported period: as_of null means the latest close date of a won or lost deal;",
        "fiscal_year_start is the month (1-12) in which the fiscal year starts.",
    ),
    "sources": (
        "One block per dataset: the file, then `columns` mapping each canonical field (left)",
        "to the export's column (right), then `options` saying how to read the file.",
    ),
    "metrics": ("How the metrics are computed (see the methodology page).",),
    "metrics.definition_changes": (
        "Dated changes of these definitions, listed on /methodology/ and /trends/; every year is",
        'restated under the current definitions. Example: [{date: 2025-01-01, change: "gross margin 1.0 → 0.8"}]',
    ),
    "coaching": ("How the coaching effect on /coaching/ is estimated (see the methodology page).",),
    "privacy": ("What may be published: the sample shows costs; use false for real people.",),
    "segments": ("Regions, categories and channels pages.",),
    "rankings": ("Who the overview ranks: current reps with at least min_clients clients.",),
    "goals": ("Goals and rewards (/goals/).",),
    "publish": ("Where the built site goes.",),
}
"""Comment lines written above a top-level section or one of its keys (dotted path)."""

NOTES_BESIDE: dict[str, str] = {
    "metrics.ltv_method": "lifetime value = won deals so far, no projection",
    "metrics.gross_margin": "share of revenue counted as value",
    "metrics.attribution": "a client belongs to the rep who won its first deal",
    "metrics.include_coaching_cost": "coaching counts in a rep's annual cost",
    "coaching.window_months": "months compared before and after each coaching start",
    "coaching.min_reps": "fewest coached reps behind an effect before a verdict is given",
    "coaching.min_controls": "comparison reps needed in the same team (else region, else all reps)",
    "coaching.max_interval_width": 'a wider 95 % interval (share of revenue before) says "not enough data yet"',
    "coaching.bootstrap_samples": "resamples of the coached reps behind each interval",
    "coaching.seed": "the same data gives the same interval on every build",
    "segments.min_deals": 'fewer closed deals: the segment or heatmap cell is marked "read with caution"',
    "segments.bootstrap_resamples": "resamples of the clients for the value-ratio interval (seeded)",
    "rankings.min_clients": "fewer clients (or a rep who has left): in the tables, never ranked",
    "goals.reward_tiers": "the highest tier reached is earned; exactly 100 % earns the 1.0 tier",
    "goals.pacing": "linear: due evenly by day; quarterly: due at each fiscal quarter's end",
    "goals.quarter_weights": "share of the target due per quarter (strong Q4)",
    "goals.at_risk_from": 'pace from which a goal is "at risk" rather than "behind"',
}
"""End-of-line comment after the first line of a section's key (dotted path)."""


STARTER_HEADER = (
    "# salesperf config for {company}. The exports in data/ are made-up sample data (written by",
    "# `salesperf init`); point each `sources` path at your own export and map its columns.",
    "# Paths are relative to this file's folder; every key is in the README's config reference.",
)
"""The first lines of the config ``salesperf init`` writes (``{company}``: the name the user gave)."""

STARTER_PRIVACY = (
    "What may be published. show_compensation: false keeps every salary and cost off the site;",
    "value ratios are still shown. With exact rep ratios a reader can divide a rep's mean client",
    "lifetime value by the ratio to get the rep's cost: rep_value_ratios: band prevents that.",
)
"""The comment above ``privacy`` in the config ``salesperf init`` writes."""


def config_data(
    folder: Path,
    data_dir: Path,
    fmt: Format = "crm",
    *,
    site_dir: Path | None = None,
    company: str = COMPANY,
    show_compensation: bool = True,
) -> dict[str, Any]:
    """The config, as plain YAML values, for a file in ``folder`` reading the exports in ``data_dir``;
    the site is titled "``company`` — sales performance"."""
    folder = Path(folder).resolve()
    data_dir = Path(data_dir).resolve()
    if site_dir is None:
        # The site goes in site/ at the common root of the config and the data folders
        # (config/example.yaml + data/sample/ -> ../site).
        site_dir = Path(os.path.commonpath([folder, data_dir])) / "site"

    def rel(path: Path) -> str:
        return Path(os.path.relpath(Path(path).resolve(), folder)).as_posix()

    sources: dict[str, dict[str, Any]] = {}
    for name, file in FILES[fmt].items():
        source: dict[str, Any] = {"path": rel(data_dir / file)}
        if fmt == "crm":
            export = CRM_EXPORTS[name]
            source["columns"] = export.config_columns
            if export.options:
                source["options"] = dict(export.options)
        if name == "deals":
            source["won_stages"] = [WON_STAGE]
            source["lost_stages"] = [LOST_STAGE]
        sources[name] = source
    return {
        "site": {"title": f"{company} — sales performance", "currency": "USD"},
        "report": {"as_of": None, "fiscal_year_start": 1},
        "sources": sources,
        "metrics": {
            "ltv_method": "historical",
            "gross_margin": 1.0,
            "attribution": "acquirer",
            "include_coaching_cost": True,
            # The sample company's own history; a new company (init) starts with none.
            "definition_changes": [
                {"date": dt.date(2024, 1, 1),
                 "change": "attribution changed from account owner to acquirer (first won deal)"},
            ] if company == COMPANY else [],
        },
        "coaching": {
            "window_months": 6, "min_reps": 5, "min_controls": 3, "max_interval_width": 0.5,
            "bootstrap_samples": 2000, "seed": 0,
        },
        "privacy": (
            {"show_compensation": True} if show_compensation
            else {"show_compensation": False, "rep_value_ratios": "exact"}
        ),
        "segments": {"min_deals": 20, "bootstrap_resamples": 1000},
        "rankings": {"min_clients": 3},
        "goals": {
            "reward_tiers": [
                {"attainment": 1.0, "reward": "Target bonus"},
                {"attainment": 1.2, "reward": "Stretch bonus + President's Club"},
            ],
            "pacing": "quarterly",
            "quarter_weights": [0.2, 0.2, 0.25, 0.35],
            "at_risk_from": 0.8,
        },
        "publish": {"out": rel(site_dir)},
    }  # fmt: skip


def config_text(
    data: dict[str, dict[str, Any]],
    source_notes: dict[str, str],
    *,
    header: tuple[str, ...] | None = None,
    notes: dict[str, tuple[str, ...]] | None = None,
) -> str:
    """``data`` as YAML: each key of each section dumped by ``yaml.safe_dump``, with the comments
    of ``NOTES_ABOVE`` (updated by ``notes``) and ``NOTES_BESIDE``, one line above each source from
    ``source_notes``, under ``header`` (comment lines; default: the sample company's)."""
    lines = (
        list(header)
        if header is not None
        else [
            f"# salesperf config for {COMPANY}, the fake company of the bundled sample data",
            "# (made by `salesperf sample`). Paths are relative to this file's folder.",
        ]
    )
    notes_above = (
        NOTES_ABOVE
        | (notes or {})
        | {f"sources.{name}": (note,) for name, note in source_notes.items()}
    )
    for section, body in data.items():
        lines += ["", *(f"# {note}" for note in notes_above.get(section, ())), f"{section}:"]
        pieces = {key: _dump({key: value}) for key, value in body.items()}
        width = max(
            (len(p[0]) for k, p in pieces.items() if f"{section}.{k}" in NOTES_BESIDE), default=0
        )
        for key, piece in pieces.items():
            path = f"{section}.{key}"
            lines += [f"  # {note}" for note in notes_above.get(path, ())]
            first = (
                f"{piece[0]:<{width}}  # {NOTES_BESIDE[path]}" if path in NOTES_BESIDE else piece[0]
            )
            lines += [f"  {first}", *(f"  {line}" for line in piece[1:])]
    return "\n".join(lines) + "\n"


def _dump(value: dict[str, Any]) -> list[str]:
    """The lines of ``yaml.safe_dump`` for one key: block style, Unicode kept, never folded."""
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    ).splitlines()


def write_config(
    config_path: Path,
    data_dir: Path,
    fmt: Format = "crm",
    *,
    site_dir: Path | None = None,
    company: str | None = None,
) -> Path:
    """Write a salesperf YAML config reading the files ``generate`` wrote into ``data_dir``.

    Without ``company`` it is the sample company's config (pay shown: the people are made up); with
    it, the starter config of ``salesperf init``: titled with that name, pay never shown.
    """
    config_path = Path(config_path)
    starter = company is not None
    data = config_data(
        config_path.parent,
        data_dir,
        fmt,
        site_dir=site_dir,
        company=company or COMPANY,
        show_compensation=not starter,
    )
    Config.model_validate(data)  # the written file is always a valid config
    source_notes = {
        name: export.note if fmt == "crm" else f"{name}, canonical columns."
        for name, export in CRM_EXPORTS.items()
    }
    text = (
        config_text(data, source_notes)
        if not starter
        else config_text(
            data,
            source_notes,
            header=tuple(line.format(company=company) for line in STARTER_HEADER),
            notes={"privacy": STARTER_PRIVACY},
        )
    )
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(text, encoding="utf-8", newline="\n")
    return config_path
