"""Segments and goals against hand-computed figures on a small fixture (SPEC §5 cost allocation)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from generator.build import build
from generator.config import GoalsConfig, load_config
from generator.load.loader import load_inputs
from generator.metrics import Metrics, compute_metrics
from generator.metrics.goals import compute_goals, expected_share
from generator.metrics.period import Period
from generator.metrics.segments import UNKNOWN, segment_labels
from generator.site.text import slug
from tests.conftest import Computed, write_exports

# Reps A and B cost 100,000 and 40,000 in 2024; C joins East in July 2024 (no deal, no cost);
# D (West) left East in June 2023 after one 2023 deal.
DEALS = """deal_id,rep_id,client_id,amount,stage,closed,acquisition
D1,A,C1,300000,Won,2024-03-01,
D2,A,C2,100000,Won,2024-04-01,Event
D3,B,C3,200000,Won,2024-05-01,
D4,B,C2,50000,Won,2024-06-01,
D5,B,C4,150000,Lost,2024-07-01,
D6,A,C1,100000,Lost,2024-08-01,
D7,D,C5,50000,Won,2023-03-01,
"""
CLIENTS = """client_id,region,category,acquisition,market_size
C1,North,Retail,Referral,10000000
C2,South,Retail,Inbound,5000000
C3,,Energy,,
C4,NORTH,Energy,Referral,2000000
"""
REPS = """rep_id,name,team,region,hired,left
A,Ann,East,North,2020-01-01,
B,Ben,East,South,2021-01-01,
C,Cid,East,North,2024-07-01,
D,Dan,East,West,2019-01-01,2023-06-30
"""
COSTS = """rep_id,year,salary
A,2024,100000
B,2024,40000
"""
GOALS = """scope,id,year,metric,target,reward
rep,A,2024,revenue,400000,Trip
rep,B,2024,revenue,999,
rep,B,2024,revenue,200000,
rep,A,2024,won_deals,4,
team,East,2024,revenue,1000000,Team dinner
team,East,2023,revenue,40000,
rep,Z,2024,revenue,1,
team,Nowhere,2024,revenue,1,
"""


def write_fixture(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (
        ("deals", DEALS),
        ("clients", CLIENTS),
        ("reps", REPS),
        ("costs", COSTS),
        ("goals", GOALS),
    ):
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    config = folder / "salesperf.yaml"
    config.write_text(
        """\
report: {as_of: 2024-12-31}
sources:
  deals: {path: deals.csv, won_stages: [Won], lost_stages: [Lost]}
  clients: {path: clients.csv}
  reps: {path: reps.csv}
  costs: {path: costs.csv}
  goals: {path: goals.csv}
privacy: {show_compensation: true}
segments: {min_deals: 2, bootstrap_resamples: 200}
goals:
  reward_tiers: [{attainment: 1.2, reward: Bonus B}, {attainment: 1.0, reward: Bonus A}]
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Metrics, pd.DataFrame]:
    config = write_fixture(tmp_path_factory.mktemp("segments"))
    cfg = load_config(config)
    inputs = load_inputs(cfg)
    return config, compute_metrics(inputs, cfg.config), inputs.quality.issues


def _row(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    rows = frame[frame[column] == value]
    assert len(rows) == 1, (value, frame)
    return rows.iloc[0]


def test_region_figures_and_cost_allocation(fixture) -> None:
    _, metrics, _ = fixture
    regions = metrics.segments.current["region"]
    north, south = _row(regions, "region", "North"), _row(regions, "region", "South")
    # North: D1 won 300,000 (D6 lost). A sells 300k of 400k there: 0.75 × 100,000 allocated.
    assert north["revenue"] == 300_000 and north["won_deals"] == 1 and north["lost_deals"] == 1
    assert north["win_rate"] == 0.5
    assert north["allocated_cost"] == pytest.approx(75_000)
    assert north["rep_equivalents"] == pytest.approx(0.75)
    assert north["cost_per_rep"] == pytest.approx(100_000)
    assert north["mean_client_ltv"] == pytest.approx(300_000)  # C1
    assert north["value_ratio"] == pytest.approx(3.0)
    assert north["penetration"] == pytest.approx(300_000 / 10_000_000)
    # South: D2 (A) + D3, D4 (B; C3 has no region, so B's). A: 0.25 × 100,000; B: all of 40,000.
    assert south["revenue"] == 350_000 and south["new_clients"] == 2
    assert south["allocated_cost"] == pytest.approx(65_000)
    assert south["rep_equivalents"] == pytest.approx(1.25)
    assert south["cost_per_rep"] == pytest.approx(52_000)
    assert south["mean_client_ltv"] == pytest.approx(175_000)  # C2 150,000 and C3 200,000
    assert south["value_ratio"] == pytest.approx(175_000 / 52_000)
    assert south["revenue_per_rep"] == pytest.approx(350_000 / 1.25)
    assert south["share_of_revenue"] == pytest.approx(350_000 / 650_000)
    # A spelling variant is its own segment (reported, not merged); D5 was lost there.
    assert _row(regions, "region", "NORTH")["lost_deals"] == 1
    # West sold 50,000 in 2023 and nothing in 2024: flagged weak for the fall, no ratio.
    west = _row(regions, "region", "West")
    assert west["revenue_change"] == -1.0 and west["weak"] and pd.isna(west["value_ratio"])
    assert not north["weak"] and not south["weak"]  # company ratio: 175,000 ÷ 70,000 = 2.5


def test_unallocated_cost_is_this_years_pay_of_reps_who_sold_nothing(tmp_path: Path) -> None:
    """A rep who left in 2023 kept an annual cost in 2024 (the mean of their cost years) and was
    counted as 2024 cost "not allocated to any segment", and a paid rep with no deal at all was
    not: it is the annual cost of the reps employed in 2024 who sold nothing in 2024."""
    files = {
        "deals.csv": "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,A,C1,300000,Won,2024-03-01\nD2,D,C2,50000,Won,2023-03-01\n",
        "reps.csv": "rep_id,name,team,hired,left\nA,Ann,East,2020-01-01,\n"
        "C,Cid,East,2024-01-01,\nD,Dan,East,2019-01-01,2023-06-30\n"
        "E,Eve,East,2020-01-01,\n",
        "costs.csv": "rep_id,year,salary\nA,2024,100000\nC,2024,30000\nD,2023,50000\n"
        "E,2023,40000\n",
    }
    config = write_exports(
        tmp_path, files, "report: {as_of: 2024-12-31}\nprivacy: {show_compensation: true}\n"
    )
    cfg = load_config(config)
    metrics = compute_metrics(load_inputs(cfg), cfg.config)
    # C (no deal at all) and E (employed; annual cost carried from 2023, as the allocation carries
    # it), not D, who left in 2023.
    assert metrics.segments.unallocated_cost == pytest.approx(70_000)


def test_a_teams_head_count_leaves_out_reps_who_left_before_the_year(fixture) -> None:
    """The teams page counted a rep who left in an earlier year (the manager page did not)."""
    _, metrics, _ = fixture
    east = metrics.teams.set_index("team").loc["East"]
    assert east["reps"] == 3  # A, B and C; D left East in June 2023


def test_company_yardstick_and_sums(fixture) -> None:
    _, metrics, _ = fixture
    company = metrics.segments.company.set_index("year").loc[2024]
    assert company["revenue"] == 650_000
    assert company["allocated_cost"] == pytest.approx(140_000)
    assert company["value_ratio"] == pytest.approx(175_000 / 70_000)
    for dim, history in metrics.segments.history.items():
        sums = history.groupby("year")["revenue"].sum()
        expected = metrics.company_years.set_index("year")["revenue"]
        assert sums.to_dict() == pytest.approx(expected.to_dict()), dim
        # Every rep's whole cost is allocated when the rep sold something that year.
        assert history.loc[history["year"] == 2024, "allocated_cost"].sum() == pytest.approx(
            140_000
        ), dim


def test_categories_and_channels(fixture) -> None:
    _, metrics, _ = fixture
    categories = metrics.segments.current["category"]
    retail, energy = _row(categories, "category", "Retail"), _row(categories, "category", "Energy")
    # Retail: A all 400k (100,000), B 50 of 250 (8,000) → 108,000 over 1.2 rep-equivalents.
    assert retail["allocated_cost"] == pytest.approx(108_000)
    assert retail["value_ratio"] == pytest.approx(225_000 / 90_000)
    assert energy["value_ratio"] == pytest.approx(200_000 / 40_000)
    channels = metrics.segments.current["channel"]
    event = _row(channels, "channel", "Event")  # the deal's method overrides the client's
    assert event["revenue"] == 100_000 and event["value_ratio"] == pytest.approx(150_000 / 100_000)
    # 1.5 < 2.5, but over one client there is no interval: too little to call a market weak.
    assert pd.isna(event["ratio_high"]) and not event["weak"]
    # C2's later deal: revenue, but no client acquired
    inbound = _row(channels, "channel", "Inbound")
    assert (
        inbound["revenue"] == 50_000 and inbound["clients"] == 0 and pd.isna(inbound["value_ratio"])
    )
    unknown = _row(channels, "channel", UNKNOWN)  # C3 has no method anywhere
    assert unknown["revenue"] == 200_000 and unknown["allocated_cost"] == pytest.approx(32_000)


def test_cross_cells_count_their_deals(fixture) -> None:
    _, metrics, _ = fixture
    cells = metrics.segments.crosses[("region", "category")].set_index(["region", "category"])
    assert cells.loc[("North", "Retail"), "deals"] == 2
    assert cells.loc[("North", "Retail"), "value_ratio"] == pytest.approx(3.0)
    assert cells.loc[("South", "Energy"), "revenue"] == 200_000
    assert bool(cells.loc[("South", "Energy"), "few_deals"])  # 1 deal < segments.min_deals 2
    assert cells["revenue"].sum() == 650_000


def test_interval_is_seeded_and_brackets_the_ratio(fixture) -> None:
    config, metrics, _ = fixture
    south = _row(metrics.segments.current["region"], "region", "South")
    assert south["ratio_low"] <= south["value_ratio"] <= south["ratio_high"]
    assert south["ratio_low"] == pytest.approx(150_000 / 52_000)  # two clients: resamples span both
    again = compute_metrics(load_inputs(load_config(config)), load_config(config).config)
    assert again.segments.current["region"].equals(metrics.segments.current["region"])
    north = _row(metrics.segments.current["region"], "region", "North")
    assert pd.isna(north["ratio_low"])  # one client: no interval


def test_segment_labels_group_unknowns_and_keep_variants() -> None:
    labels = segment_labels(
        pd.Series(["EMEA", "emea", "  ", None, "n/a", "Unknown"], dtype="string")
    )
    assert labels.astype("string").tolist() == ["EMEA", "emea", UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN]


def test_segment_findings_name_file_and_row(fixture) -> None:
    _, _, issues = fixture
    clients = issues[issues["dataset"] == "clients"]
    variant = clients[clients["problem"].str.contains("spelling variant")]
    assert variant[["file", "row", "column", "value"]].values.tolist() == [
        ["clients.csv", 5, "region", "NORTH"]
    ]
    blank = clients[clients["problem"].str.contains("is blank")]
    assert sorted(blank["column"]) == ["acquisition", "region"] and set(blank["row"]) == {4}


def test_goal_findings_name_file_and_row(fixture) -> None:
    _, _, issues = fixture
    goals = issues[issues["dataset"] == "goals"]
    unknown = goals[goals["problem"].str.contains("not found")]
    assert sorted(zip(unknown["value"], unknown["row"], strict=True)) == [("Nowhere", 9), ("Z", 8)]
    repeated = goals[goals["problem"].str.contains("appears again")]
    assert repeated["row"].tolist() == [3] and (repeated["file"] == "goals.csv").all()


def test_attainment_tiers_and_rewards(fixture) -> None:
    _, metrics, _ = fixture
    goals = metrics.goals.goals.set_index(["scope", "id", "year", "metric"])
    a = goals.loc[("rep", "A", 2024, "revenue")]
    assert a["actual"] == 400_000 and a["attainment"] == 1.0 and a["status"] == "met"
    assert a["tier_reward"] == "Bonus A"  # exactly 100 % earns the 100 % tier, not the 120 % one
    assert a["reward_earned"] == "Trip"
    b = goals.loc[("rep", "B", 2024, "revenue")]
    assert b["target"] == 200_000 and b["attainment"] == 1.25 and b["tier_reward"] == "Bonus B"
    deals = goals.loc[("rep", "A", 2024, "won_deals")]
    # as_of is the year's last day: the year is complete, so a goal under 100 % is missed, not "behind".
    assert (
        deals["attainment"] == 0.5 and pd.isna(deals["tier_reward"]) and deals["status"] == "missed"
    )


def test_team_attainment_uses_that_years_members(fixture) -> None:
    _, metrics, _ = fixture
    teams = metrics.goals.team_attainment.set_index(["team", "year", "metric"])
    # 2024: A, B and C (hired in July); D left in 2023. 2023: A, B and D.
    assert teams.loc[("East", 2024, "revenue"), "actual"] == 650_000
    assert teams.loc[("East", 2024, "revenue"), "members"] == 3
    assert teams.loc[("East", 2024, "revenue"), "attainment"] == pytest.approx(0.65)
    assert teams.loc[("East", 2023, "revenue"), "members"] == 3
    assert teams.loc[("East", 2023, "revenue"), "attainment"] == pytest.approx(50_000 / 40_000)


def test_pacing_rules() -> None:
    spring = Period.containing(dt.date(2024, 3, 31), 1)
    assert expected_share(spring, GoalsConfig()) == pytest.approx(91 / 366)
    quarterly = GoalsConfig(pacing="quarterly", quarter_weights=(0.1, 0.2, 0.3, 0.4))
    assert expected_share(Period.containing(dt.date(2024, 6, 30), 1), quarterly) == pytest.approx(
        0.3
    )
    assert expected_share(Period.containing(dt.date(2024, 6, 29), 1), quarterly) == pytest.approx(
        0.1
    )
    # Fiscal year starting in April: FY2025 quarters end 30 June, 30 Sep, 31 Dec 2024, 31 Mar 2025.
    assert expected_share(Period.containing(dt.date(2024, 10, 1), 4), quarterly) == pytest.approx(
        0.3
    )


def _revenue_years(ids: list[str], revenue: list[float]) -> pd.DataFrame:
    """``compute_goals``' rep_years for 2024: each rep's revenue, no other figure."""
    return pd.DataFrame(
        {
            "rep_id": ids,
            "year": 2024,
            "revenue": revenue,
            "won_deals": 0,
            "new_clients": 0,
            "clients": 0,
            "mean_client_ltv": float("nan"),
            "annual_cost": float("nan"),
            "value_ratio": float("nan"),
        }
    )


def test_status_from_pace() -> None:
    period = Period.containing(dt.date(2024, 6, 30), 1)  # 182 of 366 days due
    rep_years = _revenue_years(["R1", "R2", "R3", "R4"], [600.0, 450.0, 300.0, 1000.0])
    reps = pd.DataFrame(
        {"rep_id": ["R1", "R2", "R3", "R4"], "team": pd.NA, "hired": pd.NaT, "left": pd.NaT}
    )
    goals = pd.DataFrame(
        {
            "scope": "rep",
            "id": ["R1", "R2", "R3", "R4"],
            "year": 2024,
            "metric": "revenue",
            "target": 1000.0,
            "reward": pd.NA,
            "_file": "goals.csv",
            "_row": [2, 3, 4, 5],
        }
    )
    table = compute_goals(goals, rep_years, reps, period, GoalsConfig()).goals.set_index("id")
    assert table.loc["R1", "pace"] == pytest.approx(600 / (1000 * 182 / 366))
    assert table["status"].to_dict() == {
        "R1": "on track",
        "R2": "at risk",
        "R3": "behind",
        "R4": "met",
    }
    # On the year's last day nothing is paced any more: the same goals are met or missed.
    ended = compute_goals(
        goals, rep_years, reps, Period.containing(dt.date(2024, 12, 31), 1), GoalsConfig()
    )
    assert ended.year_complete and ended.goals.set_index("id")["status"].to_dict() == {
        "R1": "missed",
        "R2": "missed",
        "R3": "missed",
        "R4": "met",
    }
    # the ended year is calibrated like earlier ones
    assert set(ended.calibration["year"]) == {2024}


def test_a_goal_of_a_rep_who_left_during_its_year_is_neither_behind_nor_missed() -> None:
    """R1 left on 31 March (behind pace by then), R2 left after meeting the goal, R3 leaves only
    after as_of, R4 left on the year's last day (worked the whole year), R5 left the year before;
    R6's 2025 goal lies after the year R6 left in."""
    period = Period.containing(dt.date(2024, 6, 30), 1)
    ids = ["R1", "R2", "R3", "R4", "R5", "R6"]
    rep_years = _revenue_years(ids, [100.0, 1000.0, 100.0, 100.0, 0.0, 100.0])
    left = pd.to_datetime(
        ["2024-03-31", "2024-05-01", "2024-09-30", "2024-12-31", "2023-11-30", "2024-04-30"]
    ).astype("datetime64[s]")
    reps = pd.DataFrame({"rep_id": ids, "team": pd.NA, "hired": pd.NaT, "left": left})
    goals = pd.DataFrame(
        {
            "scope": "rep",
            "id": [*ids, "R6", "R3"],
            "year": [2024] * 6 + [2025, 9999],
            "metric": "revenue",
            "target": 1000.0,
            "reward": pd.NA,
            "_file": "goals.csv",
            "_row": range(2, 10),
        }
    )
    running = compute_goals(goals, rep_years, reps, period, GoalsConfig()).goals
    keys = running["id"] + "/" + running["year"].astype(str)
    assert dict(zip(keys, running["status"], strict=True)) == {
        "R1/2024": "rep left",
        "R2/2024": "met",
        "R3/2024": "behind",  # still employed on as_of: paced as anyone
        "R4/2024": "behind",  # leaves on the year's last day: worked the whole year
        "R5/2024": "rep left",
        "R6/2024": "rep left",
        "R6/2025": "rep left",
        "R3/9999": "not started",  # a year far ahead needs no date of its own
    }
    # Once the year has ended: the leavers' goals are still not "missed", nor calibrated.
    ended = compute_goals(
        goals, rep_years, reps, Period.containing(dt.date(2024, 12, 31), 1), GoalsConfig()
    )
    statuses = ended.goals[ended.goals["year"] == 2024].set_index("id")["status"].to_dict()
    assert statuses == {
        "R1": "rep left",
        "R2": "met",
        "R3": "rep left",
        "R4": "missed",
        "R5": "rep left",
        "R6": "rep left",
    }
    calibration = ended.calibration.set_index("year")
    assert calibration.loc[2024, "goals"] == 2 and calibration.loc[2024, "met"] == 1


def test_a_rep_hired_during_the_year_is_paced_from_the_hiring_day() -> None:
    """R2, hired on 1 April, showed "behind, pace 40.0 %" as if due since 1 January."""
    period = Period.containing(dt.date(2024, 6, 30), 1)
    linear, quarterly = GoalsConfig(), GoalsConfig(pacing="quarterly")
    april = dt.date(2024, 4, 1)
    assert expected_share(period, linear, april) == pytest.approx(91 / 275)
    # Q1 not worked; Q2 ended and worked whole; Q3, Q4 to come: 1 of 3 equal quarters.
    assert expected_share(period, quarterly, april) == pytest.approx(1 / 3)
    # Hired mid-quarter (15 May): Q2 counts for its 47 days of 91.
    may = dt.date(2024, 5, 15)
    worked_q2 = 0.25 * 47 / 91
    assert expected_share(period, quarterly, may) == pytest.approx(worked_q2 / (worked_q2 + 0.5))
    assert expected_share(period, linear, dt.date(2023, 5, 1)) == expected_share(period, linear)
    assert expected_share(period, linear, dt.date(2024, 7, 1)) == 0.0  # not started by as_of

    rep_years = _revenue_years(["R1", "R2"], [300.0, 300.0])
    reps = pd.DataFrame(
        {
            "rep_id": ["R1", "R2"],
            "team": pd.NA,
            "hired": pd.to_datetime(["2020-01-01", "2024-04-01"]).astype("datetime64[s]"),
            "left": pd.NaT,
        }
    )
    goals = pd.DataFrame(
        {
            "scope": "rep",
            "id": ["R1", "R2"],
            "year": 2024,
            "metric": "revenue",
            "target": 1000.0,
            "reward": pd.NA,
            "_file": "goals.csv",
            "_row": [2, 3],
        }
    )
    table = compute_goals(goals, rep_years, reps, period, linear).goals.set_index("id")
    assert table.loc["R1", "expected_share"] == pytest.approx(182 / 366)
    assert table.loc["R2", "expected_share"] == pytest.approx(91 / 275)
    assert table.loc["R2", "pace"] == pytest.approx(300 / (1000 * 91 / 275))
    # Same revenue, same target: R2 has been paced over half the days R1 has: at risk, not behind.
    assert table["status"].to_dict() == {"R1": "behind", "R2": "at risk"}


def test_site_pages_and_files(tmp_path: Path, fixture) -> None:
    config, _, _ = fixture
    site = build(config, tmp_path / "site").out
    for folder, name in (("regions", "South"), ("categories", "Retail"), ("channels", "Unknown")):
        page = site / folder / slug(name) / "index.html"
        assert (site / folder / "index.html").is_file() and page.is_file()
        table = pd.read_csv(site / "data" / f"{folder}.csv", keep_default_na=False, na_values=[""])
        assert {
            "revenue",
            "value_ratio",
            "ratio_low",
            "ratio_high",
            "allocated_cost",
            "penetration",
        } <= set(table)
    regions = pd.read_csv(
        site / "data" / "regions.csv", keep_default_na=False, na_values=[""]
    ).set_index("region")
    assert regions.loc["South", "allocated_cost"] == 65_000 and pd.isna(
        regions.loc["West", "value_ratio"]
    )
    goals = pd.read_csv(site / "data" / "goals.csv", keep_default_na=False, na_values=[""])
    assert len(goals) == 5 and goals["attainment"].max() == 1.25
    assert (site / "goals" / "index.html").is_file()
    rep_page = (site / "reps" / slug("A", "rep") / "index.html").read_text(encoding="utf-8")
    assert "Goals" in rep_page and "Bonus A" in rep_page
    quality = pd.read_csv(site / "data" / "data_quality.csv", keep_default_na=False, na_values=[""])
    assert quality["problem"].str.contains("spelling variant").any()
    # South × Energy rests on 1 deal (< segments.min_deals 2): its row on South's page says so, as the
    # index table does for a segment.
    south = (site / "regions" / slug("South") / "index.html").read_text(encoding="utf-8")
    breakdown = south[south.index('id="by-business-category"') :]
    energy = re.search(r"<tr>(?:(?!</tr>).)*>Energy<(?:(?!</tr>).)*</tr>", breakdown, re.S)
    assert energy and "few deals" in energy[0]


def test_costs_hidden_without_show_compensation(tmp_path: Path) -> None:
    config = write_fixture(tmp_path / "export")
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "show_compensation: true", "show_compensation: false"
        ),
        encoding="utf-8",
    )
    site = build(config, tmp_path / "site").out
    for name in ("regions", "categories_history", "region_category", "channel_category"):
        header = (
            (site / "data" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        )
        assert (
            "allocated_cost" not in header
            and "cost_per_rep" not in header
            and "value_ratio" in header
        )
    page = (site / "regions" / "south" / "index.html").read_text(encoding="utf-8")
    assert "65,000" not in page and "52,000" not in page


def test_check_prints_segment_and_goal_findings(tmp_path: Path) -> None:
    from tests.test_cli import run

    config = write_fixture(tmp_path / "export")
    code, out, err = run("check", "-c", str(config))
    text = out + err
    assert 'clients.csv:5: region: "NORTH" region spelling variant of "North"' in text
    assert 'goals.csv:9: id: "Nowhere" team not found in the reps export' in text
    assert "clients.csv:4: region: region is blank" in text
    assert code == 0


METHODOLOGY = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize(
    "term",
    [
        "allocated_cost",
        "rep-equivalents",
        "bootstrap",
        "Unknown",
        "penetration",
        "cut losses",
        "untapped market",
        "segments.min_deals",
        "segments.bootstrap_resamples",
    ],
)
def test_methodology_states_segment_rules(term: str) -> None:
    assert term in (METHODOLOGY / "methodology_segments.md.j2").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "term",
    [
        "**Attainment**",
        "**Pacing**",
        "goals.pacing",
        "goals.quarter_weights",
        "goals.at_risk_from",
        "goals.reward_tiers",
        "exactly 100 %",
        "employed",
        "**Calibration.**",
    ],
)
def test_methodology_states_goal_rules(term: str) -> None:
    assert term in (METHODOLOGY / "methodology_goals.md.j2").read_text(encoding="utf-8")


@pytest.fixture
def example(example_metrics: Computed) -> Metrics:
    """The bundled example's metrics, computed once per session (conftest)."""
    return example_metrics.metrics


def test_example_segments_add_up_to_the_company(example: Metrics) -> None:
    company = example.company_years.set_index("year")
    for dim, history in example.segments.history.items():
        by_year = history.groupby("year").agg(
            revenue=("revenue", "sum"), won=("won_deals", "sum"), new=("new_clients", "sum")
        )
        assert by_year["revenue"].to_numpy() == pytest.approx(company["revenue"].to_numpy()), dim
        assert (by_year["won"] == company["won_deals"]).all(), dim
        assert (by_year["new"] == company["new_clients"]).all(), dim
        assert history.groupby("year")["share_of_revenue"].sum().to_numpy() == pytest.approx(1.0)
    for pair, cells in example.segments.crosses.items():
        assert cells["revenue"].sum() == pytest.approx(
            company.loc[example.period.year, "revenue"]
        ), pair
    # Each ratio is its numerator over its denominator.
    regions = example.segments.current["region"]
    assert (regions["value_ratio"] * regions["cost_per_rep"]).to_numpy() == pytest.approx(
        regions["mean_client_ltv"].to_numpy()
    )


def test_example_segment_quarters_add_up_to_the_company(example: Metrics) -> None:
    """Every dimension's quarters (shown on the segment pages) add up to the company's quarters."""
    company = example.history.company_quarters.set_index("period")
    for dim, quarters in example.history.segment_quarters.items():
        by_quarter = (
            quarters.groupby("period")
            .agg(revenue=("revenue", "sum"), won=("won_deals", "sum"), lost=("lost_deals", "sum"))
            .reindex(company.index)
        )
        assert by_quarter["revenue"].to_numpy() == pytest.approx(company["revenue"].to_numpy()), dim
        assert (by_quarter["won"] == company["won_deals"]).all() and (
            by_quarter["lost"] == company["lost_deals"]
        ).all()
        # the same segment names
        assert set(quarters[dim]) == set(example.segments.history[dim][dim]), dim


def test_example_team_attainment_sums_its_members(example: Metrics) -> None:
    year = example.period.year
    teams = example.goals.team_attainment
    revenue = teams[(teams["year"] == year) & (teams["metric"] == "revenue")].set_index("team")
    reps = example.reps.set_index("rep_id")
    for team, row in revenue.iterrows():
        members = reps[
            (reps["team"] == team)
            & (reps["left"].isna() | (reps["left"] >= pd.Timestamp(year, 1, 1)))
        ]
        assert row["members"] == len(members)
        assert row["actual"] == pytest.approx(members["revenue"].sum())
        assert row["attainment"] == pytest.approx(row["actual"] / row["target"])


def test_hostile_segment_names_are_text(tmp_path: Path) -> None:
    from tests.conftest import FORMULA_NAME, XSS_NAME

    config = write_fixture(tmp_path / "export")
    folder = config.parent
    reps = (folder / "reps.csv").read_text(encoding="utf-8").replace("West", f'"{XSS_NAME}"')
    (folder / "reps.csv").write_text(reps, encoding="utf-8")
    clients = (
        (folder / "clients.csv")
        .read_text(encoding="utf-8")
        .replace("Energy", f'"{FORMULA_NAME.replace(chr(34), 2 * chr(34))}"')
    )
    (folder / "clients.csv").write_text(clients, encoding="utf-8")
    clients = (folder / "clients.csv").read_text(encoding="utf-8").replace("Retail", "Index")
    (folder / "clients.csv").write_text(clients, encoding="utf-8")
    site = build(config, tmp_path / "site").out
    for page in site.rglob("*.html"):
        assert XSS_NAME not in page.read_text(encoding="utf-8"), page
    regions = pd.read_csv(site / "data" / "regions.csv", keep_default_na=False, na_values=[""])
    assert XSS_NAME in set(regions["region"])
    categories = (site / "data" / "categories.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in categories  # formula guarded
    assert "Index" in (site / "categories" / "index.html").read_text(encoding="utf-8")
    assert (site / "categories" / slug("Index") / "index.html").is_file()
    assert not (site / "categories" / "index" / "index.html").exists()


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        (
            "{quarter_weights: [0.5, 0.5, 0.5, 0.5]}",
            "goals.quarter_weights: must be four non-negative shares that sum to 1",
        ),
        (
            "{reward_tiers: [{attainment: 1, reward: A}, {attainment: 1.0, reward: B}]}",
            "goals.reward_tiers: two tiers have the same attainment",
        ),
        ("{pacing: weekly}", "goals.pacing"),
        ("{at_risk_from: 1.5}", "goals.at_risk_from"),
    ],
)
def test_bad_goals_config_names_the_key(tmp_path: Path, goals: str, message: str) -> None:
    from generator.errors import ConfigError

    config = tmp_path / "bad.yaml"
    config.write_text(
        f"sources: {{deals: {{path: deals.csv}}}}\ngoals: {goals}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert message in str(raised.value)


def test_a_goal_owner_keyed_by_name_is_named_once(tmp_path: Path) -> None:
    """Deals keyed by the rep's name and no reps export: the goals page wrote "Ann Lee (Ann Lee)"."""
    files = {
        "deals.csv": "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,Ann Lee,C1,100,won,2024-03-01\nD2,Ann Lee,C2,50,lost,2024-04-01\n",
        "goals.csv": "scope,id,year,target\nrep,Ann Lee,2024,1000\n",
    }
    site = build(
        write_exports(tmp_path, files),
        tmp_path / "site",
    ).out
    page = (site / "goals" / "index.html").read_text(encoding="utf-8")
    assert "Ann Lee (Ann Lee)" not in page and ">Ann Lee</a>" in page
