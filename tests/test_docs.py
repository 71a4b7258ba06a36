"""Documentation is part of the product: every config key and canonical field is documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from generator.config import Config, ReadOptions, SourceConfig
from generator.metrics.definitions import FIGURES
from generator.schema import DATASETS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
METHODOLOGY = (ROOT / "templates" / "methodology.md.j2").read_text(encoding="utf-8")


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        nested = next(
            (
                a
                for a in getattr(annotation, "__args__", (annotation,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        if nested is SourceConfig:
            continue  # documented once as sources.<dataset>.*
        if nested is not None and model is not SourceConfig:
            keys += _keys(nested, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


@pytest.mark.parametrize("key", _keys(Config))
def test_every_config_key_is_in_the_readme(key: str) -> None:
    assert f"`{key}`" in README


@pytest.mark.parametrize(
    "key", ["path", "columns", *(f"options.{k}" for k in ReadOptions.model_fields)]
)
def test_every_source_key_is_in_the_readme(key: str) -> None:
    assert f"`sources.<dataset>.{key}`" in README


@pytest.mark.parametrize("key", ["won_stages", "lost_stages"])
def test_stage_keys_are_in_the_readme(key: str) -> None:
    assert f"`sources.deals.{key}`" in README


@pytest.mark.parametrize("dataset", DATASETS.values(), ids=list(DATASETS))
def test_every_field_is_in_the_readme(dataset) -> None:
    row = next(line for line in README.splitlines() if line.startswith(f"| {dataset.name} |"))
    for field in dataset.field_names:
        assert field in row, (dataset.name, field)


@pytest.mark.parametrize(
    "term",
    [
        "**A rep's clients**",
        "Reading the exports",
        "Limits of the data",
        "skip_footer",
        "date_format",
    ],
)
def test_methodology_states_each_formula_and_rule(term: str) -> None:
    assert term in METHODOLOGY


@pytest.mark.parametrize(
    "name",
    [
        "revenue",
        "win_rate",
        "avg_deal_size",
        "sales_cycle_days",
        "ltv",
        "annual_cost",
        "value_ratio",
    ],
)
def test_methodology_states_the_pinned_formulas_from_the_registry(name: str) -> None:
    assert f'page.definition("{name}")' in METHODOLOGY
    assert FIGURES[name].spec == "§5"


def test_methodology_lists_every_figure_of_the_data_files() -> None:
    assert "{{ page.glossary }}" in METHODOLOGY


def test_readme_says_where_a_metric_is_defined() -> None:
    assert "generator/metrics/definitions.py" in README


def test_readme_states_the_two_setup_commands() -> None:
    assert "pip install -e . && salesperf build" in README
    assert 'pip install -e ".[test]" && python -m pytest' in README
