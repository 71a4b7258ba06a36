"""Privacy (SPEC §3): with compensation hidden no pay figure leaves the build, however it is spelled;
with rep ratios as bands no rep's exact ratio does either; small groups' ratios are withheld."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pandas as pd
import pytest

from generator.build import build
from generator.config import load_config
from generator.load.loader import load_inputs
from generator.metrics import compute_metrics
from generator.site.privacy import RATIO_BANDS, ratio_band
from tests.conftest import CANARY_SALARY, write_crm_export

UNREADABLE = "88231.19 approx"
COACHING_COST = 73519.27
REWARD = "Canary trip to Tahiti"
COSTS_CSV = (
    "Employee ID,Fiscal Year,Base Salary,Payroll Taxes,T&E\n"
    "A,2023,80000,15000,5000\n"
    "A,2024,91234.56,15000,5000\n"       # A: mean of 100,000 and 111,234.56 → ratio 4.7341…
    "B,2024,31111.11,6000,4000\n"         # B: 41,111.11 → ratio 80,000 ÷ 41,111.11 = 1.9459…
    f"X,2024,{CANARY_SALARY},0,0\n"
    f"Y,2024,{UNREADABLE},0,0\n"
)


def _export(folder: Path, privacy: str) -> Path:
    """The CRM fixture with a CSV costs export (a canary salary, an unreadable one), coaching and goals."""
    config = write_crm_export(folder)
    (folder / "costs.csv").write_text(COSTS_CSV, encoding="utf-8")
    (folder / "coaching.csv").write_text(f"rep_id,start,end,kind,hours,cost\nA,2024-03-01,2024-03-02,Course,8,{COACHING_COST}\n"
                                         f"B,2024-03-01,2024-03-02,Course,8,{COACHING_COST} approx\n", encoding="utf-8")
    (folder / "goals.csv").write_text(f"scope,id,year,target,reward\nrep,A,2024,500000,{REWARD}\n"
                                      f"rep,B,2024,bad target,{REWARD}\n", encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace("path: costs.xlsx", "path: costs.csv")
    text = text.replace("    options: {sheet: Costs}\n", "  coaching: {path: coaching.csv}\n  goals: {path: goals.csv}\n")
    text = text.replace("privacy: {show_compensation: false}", f"privacy: {privacy}\n"
                        f"goals: {{reward_tiers: [{{attainment: 1.0, reward: {REWARD} tier}}]}}\n"
                        "metrics: {include_coaching_cost: false}")
    config.write_text(text, encoding="utf-8")
    return config


def _site_bytes(site: Path) -> str:
    """Every byte of the site as text (gzip files unpacked): what anyone with the folder can read."""
    parts = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        parts.append((gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace"))
    return "\n".join(parts)


def _number_forms(value: float) -> list[str]:
    """The ways a figure can be printed: exact, grouped, rounded, compact."""
    return [repr(value), f"{value:,.2f}", f"{value:,.0f}", f"{value:.0f}", f"{value:.2f}", f"{value / 1000:,.1f}k",
            str(int(value))]


def test_hidden_compensation_publishes_no_pay(tmp_path: Path) -> None:
    config = _export(tmp_path / "export", "{show_compensation: false}")
    site = build(config, tmp_path / "site").out
    everything = _site_bytes(site)
    canaries = {*_number_forms(CANARY_SALARY), *_number_forms(COACHING_COST), UNREADABLE, "88231.19", "88,231",
                "88231", REWARD}
    leaks = sorted(c for c in canaries if c in everything)
    assert not leaks, leaks
    # The findings about those cells are still listed, without the value.
    quality = pd.read_csv(site / "data" / "data_quality.csv", keep_default_na=False, na_values=[""])
    salary = quality[(quality["dataset"] == "costs") & (quality["column"] == "salary")]
    assert salary[["file", "row"]].values.tolist() == [["costs.csv", 6]]
    assert salary["problem"].iloc[0] and not any(ch.isdigit() for ch in salary["problem"].iloc[0])
    assert salary["value"].str.startswith("(withheld").all()
    # Teams of fewer than min_group_size reps with cost data have no ratio, and the page says why.
    teams = pd.read_csv(site / "data" / "teams.csv", keep_default_na=False, na_values=[""])
    assert teams["value_ratio"].isna().all()
    assert "privacy.min_group_size" in (site / "teams" / "index.html").read_text(encoding="utf-8")


def test_banded_ratios_publish_no_exact_rep_ratio(tmp_path: Path) -> None:
    config = _export(tmp_path / "export", "{show_compensation: false, rep_value_ratios: band, min_group_size: 1}")
    cfg = load_config(config)
    metrics = compute_metrics(load_inputs(cfg), cfg.config)
    exact = [float(r) for r in pd.concat([metrics.reps["value_ratio"], metrics.rep_years["value_ratio"]]).dropna()]
    assert sorted(round(r, 4) for r in metrics.reps["value_ratio"].dropna()) == [1.9459, 4.7341]
    site = build(config, tmp_path / "site").out
    everything = _site_bytes(site)
    for value in exact:
        for form in (repr(value), f"{value:.2f}", f"{value:.3f}", f"{value:.4g}"):
            assert not re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", everything), (value, form)
    reps = pd.read_csv(site / "data" / "reps.csv", dtype={"value_ratio": str}).set_index("rep_id")
    assert reps.loc["A", "value_ratio"] == "3–5" and reps.loc["B", "value_ratio"] == "1–2"


@pytest.mark.parametrize(("value", "band"), [(0.2, "<1"), (1.0, "1–2"), (1.999, "1–2"), (2.0, "2–3"),
                                              (4.9, "3–5"), (9.99, "5–10"), (10.0, "≥10"), (250.0, "≥10")])
def test_ratio_bands(value: float, band: str) -> None:
    assert ratio_band(value) == band
    assert ratio_band(float("nan")) is None and len(RATIO_BANDS) == 6
