"""Known export layouts (``layouts.yaml``) and the matcher that recognises a file by its header names."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import yaml

from generator.schema import DATASETS

LAYOUTS_FILE = "layouts.yaml"
"""The table of layouts, shipped inside the package."""

MIN_SCORE = 3
"""Least score (2 per required field, 1 per optional field) for a file to count as recognised."""


@dataclass(frozen=True)
class DatasetLayout:
    """How one product writes one dataset: accepted header names per canonical field."""

    layout: str
    """Key of the layout in layouts.yaml, e.g. ``salesforce``."""
    product: str
    """Product name as the user knows it, e.g. ``Salesforce``."""
    dataset: str
    """Canonical dataset (SPEC §4) the export fills."""
    export: str
    """The export's name in the product, e.g. ``opportunity report``."""
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    """(canonical field, accepted headers best first), required fields first."""
    won_stages: tuple[str, ...] = ()
    lost_stages: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    """strftime patterns the product writes dates in, tried in order when dates are not ISO."""
    headers_from: str = ""
    """Where the header names come from (documentation, sample exports)."""

    @property
    def name(self) -> str:
        return f"{self.product} {self.export}"


@dataclass(frozen=True)
class HeaderMatch:
    """The fields a layout finds among a file's headers."""

    layout: DatasetLayout
    columns: tuple[tuple[str, str], ...]
    """(canonical field, header in the file), in the layout's field order."""
    missing: tuple[str, ...]
    """Required fields of the dataset that no header matched."""

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def score(self) -> int:
        required = DATASETS[self.layout.dataset].required_fields
        return sum(2 if field in required else 1 for field, _header in self.columns)


def header_key(text: object) -> str:
    """A header as compared: NFKC, case-folded, without spaces, underscores or a byte-order mark."""
    normal = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    return re.sub(r"[\s_]+", "", normal).casefold()


class LayoutTableError(ValueError):
    """layouts.yaml names a dataset or field that SPEC §4 does not define (a bug in the table)."""


def parse_layouts(data: dict) -> tuple[DatasetLayout, ...]:
    """The layouts described by a mapping shaped like layouts.yaml; LayoutTableError if it is wrong."""
    found: list[DatasetLayout] = []
    for key, layout in data.items():
        for dataset_name, spec in layout["datasets"].items():
            if dataset_name not in DATASETS:
                raise LayoutTableError(f"{key}.datasets.{dataset_name}: not a dataset")
            dataset = DATASETS[dataset_name]
            unknown = set(spec["columns"]) - set(dataset.field_names)
            if unknown:
                raise LayoutTableError(
                    f"{key}.{dataset_name}: not fields of {dataset_name}: {sorted(unknown)}"
                )
            absent = set(dataset.required_fields) - set(spec["columns"])
            if absent:
                raise LayoutTableError(
                    f"{key}.{dataset_name}: required fields not listed: {sorted(absent)}"
                )
            order = sorted(spec["columns"], key=lambda f: f not in dataset.required_fields)
            found.append(
                DatasetLayout(
                    layout=key,
                    product=layout["product"],
                    dataset=dataset_name,
                    export=spec["export"],
                    columns=tuple((f, tuple(str(h) for h in spec["columns"][f])) for f in order),
                    won_stages=tuple(spec.get("won_stages", ())),
                    lost_stages=tuple(spec.get("lost_stages", ())),
                    date_formats=tuple(spec.get("date_formats", ())),
                    headers_from=" ".join(str(layout.get("headers_from", "")).split()),
                )
            )
    return tuple(found)


@functools.cache
def load_layouts() -> tuple[DatasetLayout, ...]:
    """Every (layout, dataset) of the table shipped with salesperf, in table order."""
    text = resources.files("generator").joinpath(LAYOUTS_FILE).read_text(encoding="utf-8")
    return parse_layouts(yaml.safe_load(text))


def match_layout(headers: Sequence[object], layout: DatasetLayout) -> HeaderMatch:
    """What ``layout`` finds among ``headers``: the first accepted name present, each header used once."""
    present: dict[str, str] = {}
    for header in headers:
        if header is None or str(header).strip() == "":
            continue
        present.setdefault(header_key(header), str(header))
    used: set[str] = set()
    columns: list[tuple[str, str]] = []
    for field, accepted in layout.columns:
        for name in accepted:
            key = header_key(name)
            if key in present and key not in used:
                used.add(key)
                columns.append((field, present[key]))
                break
    mapped = {field for field, _header in columns}
    missing = tuple(f for f in DATASETS[layout.dataset].required_fields if f not in mapped)
    return HeaderMatch(layout=layout, columns=tuple(columns), missing=missing)


def best_match(
    headers: Sequence[object], layouts: Sequence[DatasetLayout] | None = None
) -> HeaderMatch | None:
    """The layout that finds the most in ``headers`` (required fields count double), or None.

    Ties go to the layout that finds every required field, then to the earlier one in the table.
    A match below MIN_SCORE, or with fewer than half the required fields, is not a recognition.
    """
    candidates = []
    for order, layout in enumerate(load_layouts() if layouts is None else layouts):
        match = match_layout(headers, layout)
        required = len(DATASETS[layout.dataset].required_fields)
        found = required - len(match.missing)
        if match.score >= MIN_SCORE and 2 * found >= required:
            candidates.append((match.score, match.complete, -order, match))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[:3])[3]
