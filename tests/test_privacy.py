"""Privacy (SPEC §3): with compensation hidden no pay figure leaves the build, however it is spelled;
with rep ratios as bands no rep's exact ratio does either; small groups' ratios are withheld."""

from __future__ import annotations

import gzip
import random
import re
from pathlib import Path

import pandas as pd
import pytest

from generator.build import build
from generator.config import load_config
from generator.load.loader import load_inputs
from generator.metrics import compute_metrics
from generator.site.privacy import RATIO_BANDS, Partition, ratio_band, suppressed_groups
from tests.conftest import CANARY_SALARY, write_crm_export

UNREADABLE = "88231.19 approx"
COACHING_COST = 73519.27
REWARD = "Canary trip to Tahiti"
COSTS_CSV = (
    "Employee ID,Fiscal Year,Base Salary,Payroll Taxes,T&E\n"
    "A,2023,80000,15000,5000\n"
    "A,2024,91234.56,15000,5000\n"  # A: mean of 100,000 and 111,234.56 → ratio 4.7341…
    "B,2024,31111.11,6000,4000\n"  # B: 41,111.11 → ratio 80,000 ÷ 41,111.11 = 1.9459…
    f"X,2024,{CANARY_SALARY},0,0\n"
    f"Y,2024,{UNREADABLE},0,0\n"
)


def _export(folder: Path, privacy: str) -> Path:
    """The CRM fixture with a CSV costs export (a canary salary, an unreadable one), coaching and goals."""
    config = write_crm_export(folder)
    (folder / "costs.csv").write_text(COSTS_CSV, encoding="utf-8")
    (folder / "coaching.csv").write_text(
        f"rep_id,start,end,kind,hours,cost\nA,2024-03-01,2024-03-02,Course,8,{COACHING_COST}\n"
        f"B,2024-03-01,2024-03-02,Course,8,{COACHING_COST} approx\n",
        encoding="utf-8",
    )
    (folder / "goals.csv").write_text(
        f"scope,id,year,target,reward\nrep,A,2024,500000,{REWARD}\n"
        f"rep,B,2024,bad target,{REWARD}\n",
        encoding="utf-8",
    )
    text = config.read_text(encoding="utf-8").replace("path: costs.xlsx", "path: costs.csv")
    text = text.replace(
        "    options: {sheet: Costs}\n",
        "  coaching: {path: coaching.csv}\n  goals: {path: goals.csv}\n",
    )
    text = text.replace(
        "privacy: {show_compensation: false}",
        f"privacy: {privacy}\n"
        f"goals: {{reward_tiers: [{{attainment: 1.0, reward: {REWARD} tier}}]}}\n"
        "metrics: {include_coaching_cost: false}",
    )
    config.write_text(text, encoding="utf-8")
    return config


def _site_bytes(site: Path) -> str:
    """Every byte of the site as text (gzip files unpacked): what anyone with the folder can read."""
    parts = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        parts.append(
            (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
        )
    return "\n".join(parts)


def _number_forms(value: float) -> list[str]:
    """The ways a figure can be printed: exact, grouped, rounded, compact."""
    return [
        repr(value),
        f"{value:,.2f}",
        f"{value:,.0f}",
        f"{value:.0f}",
        f"{value:.2f}",
        f"{value / 1000:,.1f}k",
        str(int(value)),
    ]


def test_hidden_compensation_publishes_no_pay(tmp_path: Path) -> None:
    config = _export(tmp_path / "export", "{show_compensation: false}")
    site = build(config, tmp_path / "site").out
    everything = _site_bytes(site)
    canaries = {
        *_number_forms(CANARY_SALARY),
        *_number_forms(COACHING_COST),
        UNREADABLE,
        "88231.19",
        "88,231",
        "88231",
        REWARD,
    }
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
    config = _export(
        tmp_path / "export", "{show_compensation: false, rep_value_ratios: band, min_group_size: 1}"
    )
    cfg = load_config(config)
    metrics = compute_metrics(load_inputs(cfg), cfg.config)
    exact = [
        float(r)
        for r in pd.concat([metrics.reps["value_ratio"], metrics.rep_years["value_ratio"]]).dropna()
    ]
    assert sorted(round(r, 4) for r in metrics.reps["value_ratio"].dropna()) == [1.9459, 4.7341]
    site = build(config, tmp_path / "site").out
    everything = _site_bytes(site)
    for value in exact:
        for form in (repr(value), f"{value:.2f}", f"{value:.3f}", f"{value:.4g}"):
            assert not re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", everything), (value, form)
    reps = pd.read_csv(site / "data" / "reps.csv", dtype={"value_ratio": str}).set_index("rep_id")
    assert reps.loc["A", "value_ratio"] == "3–5" and reps.loc["B", "value_ratio"] == "1–2"


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.2, "<1"),
        (1.0, "1–2"),
        (1.999, "1–2"),
        (2.0, "2–3"),
        (4.9, "3–5"),
        (9.99, "5–10"),
        (10.0, "≥10"),
        (250.0, "≥10"),
    ],
)
def test_ratio_bands(value: float, band: str) -> None:
    assert ratio_band(value) == band
    assert ratio_band(float("nan")) is None and len(RATIO_BANDS) == 6


SOLO_SALARY, SOLO_TAXES = 41234.56, 1750.0
SOLO_COST = 42984.56
"""TeamSolo's only rep, A1: the cost secondary suppression must keep from being worked out."""


def _six_reps(folder: Path) -> Path:
    """The reviewer's case: TeamSolo = A1 alone; TeamBig = B1–B5, four of them with cost rows."""
    folder.mkdir(parents=True)
    reps = [("A1", "TeamSolo", "Mia")] + [(f"B{i}", "TeamBig", "Max") for i in range(1, 6)]
    (folder / "reps.csv").write_text(
        "rep_id,name,team,manager\n" + "".join(f"{r},Rep {r},{t},{m}\n" for r, t, m in reps),
        encoding="utf-8",
    )
    clients = [
        ("CA1", "A1", "West", "Retail", "Referral", "2024-03-01", 100000),
        ("CA2", "A1", "West", "Retail", "Referral", "2024-05-01", 50000),
        ("CB1", "B1", "East", "Retail", "Web", "2023-04-01", 80000),
        ("CB2", "B2", "East", "Finance", "Web", "2024-02-01", 90000),
        ("CB3", "B3", "North", "Finance", "Event", "2023-06-01", 70000),
        ("CB4", "B4", "North", "Retail", "Event", "2024-06-01", 60000),
        ("CB5", "B5", "North", "Finance", "Web", "2024-07-01", 40000),
    ]
    (folder / "clients.csv").write_text(
        "client_id,region,category,acquisition\n"
        + "".join(
            f"{c},{region},{category},{channel}\n"
            for c, _r, region, category, channel, _d, _a in clients
        ),
        encoding="utf-8",
    )
    deals = [
        (f"D{i}", rep, client, amount, "Won", closed)
        for i, (client, rep, _g, _c, _h, closed, amount) in enumerate(clients)
    ]
    deals += [
        ("D7", "B1", "CB1", 20000, "Won", "2024-04-01"),
        ("D8", "A1", "CA1", 5000, "Lost", "2024-08-01"),
    ]
    (folder / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        + "".join(",".join(map(str, d)) + "\n" for d in deals),
        encoding="utf-8",
    )
    costs = [f"A1,2024,{SOLO_SALARY},{SOLO_TAXES:.0f}"]
    costs += [
        f"B{i},{year},{50000 + 3000 * i + 700 * (year - 2023)},5000"
        for i in range(1, 5)
        for year in (2023, 2024)
    ]
    (folder / "costs.csv").write_text(
        "rep_id,year,salary,taxes\n" + "\n".join(costs) + "\n", encoding="utf-8"
    )
    config = folder / "salesperf.yaml"
    config.write_text(
        "sources:\n  deals: {path: deals.csv, won_stages: [Won], lost_stages: [Lost]}\n"
        + "".join(f"  {name}: {{path: {name}.csv}}\n" for name in ("reps", "clients", "costs"))
        + "privacy: {show_compensation: false, rep_value_ratios: band, min_group_size: 3}\n",
        encoding="utf-8",
    )
    return config


def _read(site: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(site / "data" / f"{name}.csv", keep_default_na=False, na_values=[""])


def _total_cost(rows: pd.DataFrame) -> tuple[float, int]:
    """What a reader can work out from published group rows: Σ n·LTV/ratio over the rows with a ratio."""
    shown = rows[rows["value_ratio"].notna()]
    cost = (shown["reps_with_cost"] * shown["mean_client_ltv"] / shown["value_ratio"]).sum()
    return float(cost), int(shown["reps_with_cost"].sum())


def test_secondary_suppression_keeps_a_solo_reps_cost_private(tmp_path: Path) -> None:
    """No difference of published group figures gives A1's cost: in every year and partition
    (teams, managers) the part of the company that is not published covers none or ≥ 3 reps."""
    config = _six_reps(tmp_path / "export")
    site = build(config, tmp_path / "site").out
    company = _read(site, "company_history")
    teams, managers = _read(site, "team_history"), _read(site, "managers")
    assert int(company.loc[company["year"] == 2024, "reps_with_cost"].iloc[0]) == 5
    checked = 0
    for year, row in company.set_index("year").iterrows():
        if pd.isna(row["value_ratio"]):
            continue  # no company total to subtract from
        company_cost = row["reps_with_cost"] * row["mean_client_ltv"] / row["value_ratio"]
        parts = [teams[teams["year"] == year]]
        if year == 2024:
            parts.append(managers)  # managers.csv: the reporting year
        for part in parts:
            cost, covered = _total_cost(part)
            rest = int(row["reps_with_cost"]) - covered
            assert rest == 0 or rest >= 3, (year, part, company_cost - cost)
            checked += 1
    assert checked == 3
    # TeamSolo is withheld (primary) and TeamBig with it in 2024 (secondary); TeamBig 2023 (A1 unpaid) stays.
    ratio = teams.set_index(["team", "year"])["value_ratio"]
    assert pd.isna(ratio[("TeamSolo", 2024)]) and pd.isna(ratio[("TeamBig", 2024)])
    assert not pd.isna(ratio[("TeamBig", 2023)])
    everything = _site_bytes(site)
    canaries = {*_number_forms(SOLO_COST), *_number_forms(SOLO_SALARY), "42984", "42,98"}
    assert not sorted(c for c in canaries if c in everything)
    assert "secondary suppression" in (site / "teams" / "index.html").read_text(encoding="utf-8")
    methodology = (site / "methodology" / "index.html").read_text(encoding="utf-8")
    assert "Secondary suppression" in methodology and "across years" in methodology


def test_suppressed_groups_by_partition() -> None:
    """Primary then secondary suppression: smallest first, ties by name; reps in no group count in the
    withheld part; overlapping groups (segments) count the withheld part at its least; heatmap cells
    are suppressed along rows and columns until nothing changes."""
    company = ("company", "", 2024)

    def teams(**sizes: int) -> tuple[dict, Partition]:
        keys = {("team", name, 2024): n for name, n in sizes.items()}
        return keys, Partition(company, tuple(keys), disjoint=True)

    counts, partition = teams(Solo=1, Big=4, Mid=4)
    counts[company] = 9
    assert suppressed_groups(counts, [partition], 3) == {
        ("team", "Solo", 2024),
        ("team", "Big", 2024),
    }
    counts, partition = teams(Solo=1, Big=4)
    counts[company] = 9  # four reps in no team: withheld with Solo, five in all
    assert suppressed_groups(counts, [partition], 3) == {("team", "Solo", 2024)}
    counts, partition = teams(Big=4)
    counts[company] = 5  # one rep in no team: Big's figure would give that rep's cost
    assert suppressed_groups(counts, [partition], 3) == {("team", "Big", 2024)}
    counts[company] = 2  # the company itself too small: withheld, nothing to subtract from
    assert company in suppressed_groups(counts, [partition], 3)

    whole = ("segments", "", 2024)
    cells = {(a, b): ("region×category", f"{a}\u241f{b}", 2024) for a in "NS" for b in "RF"}
    counts = {
        whole: 12,
        ("region", "N", 2024): 6,
        ("region", "S", 2024): 6,
        ("category", "R", 2024): 6,
        ("category", "F", 2024): 6,
        cells["N", "R"]: 1,
        cells["N", "F"]: 5,
        cells["S", "R"]: 5,
        cells["S", "F"]: 5,
    }
    partitions = [Partition(whole, tuple(cells.values()), disjoint=False)]
    partitions += [
        Partition(("region", a, 2024), (cells[a, "R"], cells[a, "F"]), disjoint=False) for a in "NS"
    ]
    partitions += [
        Partition(("category", b, 2024), (cells["N", b], cells["S", b]), disjoint=False)
        for b in "RF"
    ]
    # N×R is too small: the map loses N×F, column R loses S×R; then row N + column R − (map − S×F) would
    # still give N×R exactly, so the audit withholds S×F too.
    assert suppressed_groups(counts, partitions, 3) == set(cells.values())


def test_suppressed_groups_leave_no_small_remainder() -> None:
    """Seeded random team layouts: in every result the unpublished part of the company is none or ≥ 3 reps."""
    rng = random.Random(11)
    company = ("company", "", 2024)
    for _ in range(200):
        sizes = {
            ("team", f"T{i}", 2024): rng.choice([0, 1, 1, 2, 3, 4, 6])
            for i in range(rng.randint(1, 6))
        }
        counts = {**sizes, company: sum(sizes.values()) + rng.choice([0, 0, 1, 2, 5])}
        withheld = suppressed_groups(counts, [Partition(company, tuple(sizes), disjoint=True)], 3)
        if company in withheld:
            assert counts[company] < 3
            continue
        rest = counts[company] - sum(n for key, n in sizes.items() if key not in withheld)
        assert rest == 0 or rest >= 3, (counts, withheld)


def test_a_value_ratio_goal_shows_its_actual_as_the_band_when_ratios_are_banded() -> None:
    """With ``privacy.rep_value_ratios: band`` a value-ratio goal's actual is the band's label
    ("1–2"), not a number: the goals table crashed reading it as one."""
    from generator.site.pages.goals import _value

    assert _value("value_ratio", ratio_band(1.4)) == ratio_band(1.4)
    assert _value("value_ratio", "1–2", 2.5) == "1–2"
    assert _value("value_ratio", 1.4, 2.5) == "1.40"
