"""Seeded generator of a realistic fake company's sales exports (the bundled sample and benchmarks).

The company ("Acme Corp") has ``reps`` sales reps in teams of 6-8, each team with a
manager, selling in 5 regions to clients in 8 business categories acquired through 6
methods. Reps differ in skill (win rate, deal size, volume); some leave and some are
hired during the period; clients buy again (sometimes from another rep); a few large
accounts buy often and big; sales follow the seasons (strong Q4, weak summer).

Two output formats:

- ``crm``: files that imitate real exports, deliberately *not* in canonical column names:
  a Salesforce-like opportunity report (``deals.csv``: UTF-8 with BOM, ``$12,345.67``
  amounts, US dates, a 5-line report footer), a CRM accounts export, HR and finance
  workbooks (``users.xlsx``, ``compensation.xlsx``), a semicolon-delimited goals sheet,
  and coaching and weekly activity logs. ``config/example.yaml`` maps them.
- ``parquet``: the same content as ``<dataset>.parquet`` in canonical names and types
  (dates as timestamps, money as float), for benchmarks at millions of deals.

Everything is drawn from one seeded generator with vectorised numpy (no loop over deal
rows), and no clock is read: the same arguments give byte-identical files.

    python -m generator.sample --out data/sample --config config/example.yaml
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

Format = Literal["crm", "parquet"]

COMPANY = "Acme Corp"
REGIONS = ("North America", "EMEA", "LATAM", "APAC", "Nordics")
REGION_WEIGHTS = (0.34, 0.26, 0.12, 0.16, 0.12)
REGION_TAX_RATE = (0.205, 0.23, 0.22, 0.21, 0.245)
"""Employer payroll taxes as a share of salary, by region."""

CATEGORIES = (
    "Manufacturing", "Retail", "Healthcare", "Finance",
    "Software", "Logistics", "Education", "Energy",
)  # fmt: skip
CATEGORY_WEIGHTS = (0.16, 0.14, 0.12, 0.12, 0.16, 0.12, 0.08, 0.10)
CATEGORY_SIZE = (1.1, 0.75, 1.2, 1.5, 1.0, 0.9, 0.55, 1.45)
CATEGORY_NOUNS = (
    ("Manufacturing", "Industries", "Fabrication", "Components", "Machining"),
    ("Retail", "Stores", "Outfitters", "Market", "Goods"),
    ("Health", "Medical", "Clinics", "Care", "Pharma"),
    ("Capital", "Financial", "Bank", "Insurance", "Partners"),
    ("Software", "Systems", "Labs", "Digital", "Analytics"),
    ("Logistics", "Freight", "Shipping", "Transport", "Distribution"),
    ("Academy", "Learning", "University", "Schools", "Institute"),
    ("Energy", "Power", "Renewables", "Utilities", "Solar"),
)

METHODS = ("Referral", "Inbound", "Outbound", "Partner", "Event", "Paid Search")
METHOD_WEIGHTS = (0.15, 0.25, 0.24, 0.12, 0.10, 0.14)
METHOD_SIZE = (1.3, 1.0, 0.9, 1.2, 0.95, 0.7)
METHOD_WIN = (1.3, 1.1, 0.8, 1.15, 0.95, 0.85)

PRODUCTS = (
    "Core Platform", "Analytics Suite", "Enterprise License",
    "Professional Services", "Support Plan", "Integration Pack",
)  # fmt: skip
PRODUCT_WEIGHTS = (0.32, 0.18, 0.10, 0.16, 0.12, 0.12)
PRODUCT_SIZE = (1.0, 0.65, 2.4, 0.5, 0.35, 0.45)

WON_STAGE, LOST_STAGE = "Closed Won", "Closed Lost"
OPEN_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
OPEN_STAGE_WEIGHTS = (0.32, 0.27, 0.23, 0.18)
STAGES = (WON_STAGE, LOST_STAGE, *OPEN_STAGES)

ACTIVITY_KINDS = ("Call", "Email", "Meeting", "Demo")
ACTIVITY_RATE = (32.0, 65.0, 6.0, 2.2)
"""Mean weekly count of each activity kind for an average rep in an ordinary week."""

PROGRAMS = ("Sales training", "1:1 coaching", "Negotiation workshop")
PROGRAM_WEIGHTS = (0.4, 0.35, 0.25)
PROGRAM_DAYS = ((2, 4), (28, 85), (1, 3))
PROGRAM_HOURS = ((12, 24), (6, 20), (6, 16))
PROGRAM_COST = ((1500, 5000), (2000, 8000), (500, 3000))

MONTH_FACTOR = (0.80, 0.85, 1.10, 0.90, 0.95, 1.10, 0.70, 0.65, 1.00, 1.05, 1.20, 1.45)
"""Seasonality of closing deals, January to December (strong Q4, weak summer)."""

BASE_AMOUNT = 80_000.0
"""Median deal amount for an average rep, client and product."""

NEW_BUSINESS_WIN = 0.8
"""A first sale to a client is harder than the rep's usual win rate..."""
REPEAT_WIN_BOOST = 0.35
"""...and a client who already bought buys again more easily (added to the win probability)."""

FIRST_NAMES = (
    "James", "Maria", "Wei", "Aisha", "Lucas", "Sofia", "Mateo", "Emma", "Noah", "Olivia",
    "Liam", "Ava", "Ethan", "Mia", "Arjun", "Priya", "Kenji", "Yuki", "Lars", "Ingrid",
    "Søren", "Freya", "José", "Lucía", "Diego", "Camila", "Omar", "Fatima", "Chen", "Mei",
    "Hugo", "Chloé", "Louis", "Léa", "Jonas", "Anna", "Felix", "Clara", "Mateus", "Beatriz",
    "Rafael", "Isabela", "Tomás", "Valentina", "Kwame", "Amara", "Tunde", "Zainab", "Ivan", "Olga",
    "Piotr", "Zofia", "Henrik", "Astrid", "Mikael", "Elin", "Daniel", "Sarah", "Michael", "Jessica",
    "David", "Emily", "Ryan", "Hannah", "Kevin", "Laura", "Brian", "Rachel", "Jason", "Megan",
    "Ahmed", "Layla", "Ravi", "Ananya", "Hiroshi", "Sakura", "Min-jun", "Ji-woo", "Carlos", "Gabriela",
    "Andrés", "Daniela", "Björn", "Sigrid", "Patrick", "Siobhan", "Marco", "Giulia", "Stefan", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Garcia", "Martinez", "Lee", "Kim", "Nguyen", "Patel", "Sharma", "Chen",
    "Wang", "Tanaka", "Sato", "Larsen", "Nielsen", "Andersson", "Johansson", "Virtanen", "Müller", "Schmidt",
    "Fischer", "Dubois", "Martin", "Bernard", "Rossi", "Bianchi", "Silva", "Santos", "Oliveira", "Pereira",
    "Rodríguez", "López", "Hernández", "González", "Fernández", "Díaz", "Okafor", "Mensah", "Adeyemi", "Kowalski",
    "Nowak", "Novak", "Ivanova", "Petrov", "O'Brien", "Murphy", "Walsh", "Brown", "Davis", "Miller",
    "Wilson", "Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams",
    "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
    "Edwards", "Collins", "Stewart", "Morris", "Haddad", "Khan", "Singh", "Gupta", "Yamamoto", "Berg",
)  # fmt: skip
TEAM_WORDS = (
    "Falcons", "Orcas", "Lynx", "Ravens", "Wolves", "Otters", "Cobras", "Pumas", "Herons", "Bisons",
    "Foxes", "Hawks", "Tigers", "Eagles", "Sharks", "Bears", "Stags", "Condors", "Jaguars", "Owls",
    "Panthers", "Rhinos", "Badgers", "Mustangs", "Kestrels", "Marlins", "Cougars", "Ospreys", "Huskies", "Bobcats",
)  # fmt: skip
ACCOUNT_PREFIXES = (
    "Northwind", "Blue Harbor", "Pinecrest", "Ironbridge", "Summit", "Redwood", "Silverline", "Brightpath",
    "Crescent", "Evergreen", "Granite", "Harborview", "Keystone", "Lakeshore", "Meridian", "Oakridge",
    "Pioneer", "Riverbend", "Stonegate", "Sunrise", "Westfield", "Highland", "Bluewater", "Cedar",
    "Clearwater", "Copperfield", "Eastgate", "Fairview", "Goldleaf", "Greenfield", "Horizon", "Lighthouse",
    "Maple", "Northstar", "Orchard", "Pacific", "Prairie", "Quarry", "Rockport", "Sandstone",
    "Seaside", "Skyline", "Southbank", "Starling", "Sterling", "Timberline", "Trident", "Union",
    "Vantage", "Willow", "Zenith", "Atlas", "Beacon", "Cobalt", "Delta", "Ember",
    "Falcon", "Glacier", "Halcyon", "Juniper",
)  # fmt: skip
ACCOUNT_SUFFIXES = ("", " Inc.", ", Inc.", " LLC", " Ltd", " GmbH", " AB", " S.A.", " Group", " & Co.")

REP_REWARDS = ("Bonus 5% of salary", "Bonus 8% of salary", "Bonus 10% of salary",
               "$3,000 bonus", "President's Club trip")  # fmt: skip
TEAM_REWARDS = ("Team offsite", "Team bonus pool $20,000", "Team dinner", "Bonus 3% of salary for each member")
NEW_CLIENT_REWARDS = ("$1,000 bonus", "Extra day off", "$500 per client above target")

FILES: dict[Format, dict[str, str]] = {
    "crm": {
        "deals": "deals.csv",
        "clients": "accounts.csv",
        "reps": "users.xlsx",
        "costs": "compensation.xlsx",
        "goals": "goals.csv",
        "coaching": "coaching.csv",
        "activities": "activities.csv",
    },
    "parquet": {
        name: f"{name}.parquet"
        for name in ("deals", "clients", "reps", "costs", "goals", "coaching", "activities")
    },
}
"""File written for each dataset, by format."""

CRM_COLUMNS: dict[str, dict[str, str]] = {
    "deals": {
        "deal_id": "Opportunity ID",
        "name": "Opportunity Name",  # not a canonical field: only in the export
        "rep_id": "Opportunity Owner ID",
        "client_id": "Account ID",
        "amount": "Amount",
        "stage": "Stage",
        "closed": "Close Date",
        "created": "Created Date",
        "acquisition": "Lead Source",
        "product": "Product",
    },
    "clients": {
        "client_id": "Account ID",
        "name": "Account Name",
        "region": "Billing Region",
        "category": "Industry",
        "acquisition": "Lead Source",
        "owner_rep_id": "Account Owner ID",
        "acquired": "Customer Since",
        "churned": "Churn Date",
        "market_size": "Addressable Market",
    },
    "reps": {
        "rep_id": "User ID",
        "name": "Full Name",
        "team": "Team",
        "manager": "Manager",
        "region": "Region",
        "hired": "Hire Date",
        "left": "Termination Date",
    },
    "costs": {
        "rep_id": "Employee ID",
        "year": "Fiscal Year",
        "salary": "Base Salary",
        "taxes": "Payroll Taxes",
        "expenses": "T&E Expenses",
        "other": "Other Costs",
    },
    "goals": {
        "scope": "Scope",
        "id": "Owner",
        "year": "Year",
        "metric": "Metric",
        "target": "Target",
        "reward": "Reward",
    },
    "coaching": {
        "rep_id": "Rep ID",
        "start": "Start Date",
        "end": "End Date",
        "kind": "Program",
        "hours": "Hours",
        "cost": "Cost",
    },
    "activities": {
        "rep_id": "Rep ID",
        "date": "Date",
        "kind": "Activity Type",
        "count": "Count",
    },
}
"""Export column of each field in the crm files, in file order (canonical field: export column)."""

CRM_OPTIONS: dict[str, str] = {
    "deals": '{encoding: utf-8-sig, date_format: "%m/%d/%Y", skip_footer: 5}',
    "reps": "{sheet: Users}",
    "costs": "{sheet: Costs}",
    "goals": '{delimiter: ";"}',
}
"""Read options of the crm files that differ from the defaults, as YAML flow mappings."""

FOOTER_LINES = 5
"""Lines after the last data row of deals.csv, counting the blank line."""


@dataclass(frozen=True)
class _World:
    """One generated company: every dataset as a canonical Arrow table, plus export-only columns."""

    tables: dict[str, pa.Table]
    deal_client: np.ndarray
    """Row of each deal's client in the clients table (for the opportunity names)."""
    end: dt.date


# --------------------------------------------------------------------------- public API


def default_deals(reps: int, years: int = 4) -> int:
    """The realistic deal count when none is given: about 175 per rep over 4 years."""
    return max(1, round(reps * 175 * years / 4))


def generate(
    out_dir: Path,
    *,
    reps: int = 40,
    deals: int | None = None,
    years: int = 4,
    seed: int = 7,
    end: dt.date = dt.date(2025, 12, 31),
    fmt: Format = "crm",
) -> dict[str, Path]:
    """Generate the company's exports into ``out_dir``; return dataset name -> written file."""
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if years < 1:
        raise ValueError("years must be at least 1")
    if fmt not in FILES:
        raise ValueError(f"unknown format {fmt!r} (crm or parquet)")
    n_deals = default_deals(reps, years) if deals is None else deals
    if n_deals < 1:
        raise ValueError("deals must be at least 1")
    world = _build(reps, n_deals, years, seed, end)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {name: out_dir / file for name, file in FILES[fmt].items()}
    if fmt == "parquet":
        for name, path in files.items():
            pq.write_table(world.tables[name], path, compression="zstd")
    else:
        _write_crm(world, files)
    return files


def write_config(
    config_path: Path,
    data_dir: Path,
    fmt: Format = "crm",
    *,
    site_dir: Path | None = None,
) -> Path:
    """Write a salesperf YAML config reading the files ``generate`` wrote into ``data_dir``."""
    config_path = Path(config_path)
    folder = config_path.parent.resolve()
    data_dir = Path(data_dir).resolve()
    if site_dir is None:
        # The site goes in site/ at the common root of the config and the data folders
        # (config/example.yaml + data/sample/ -> ../site).
        site_dir = Path(os.path.commonpath([folder, data_dir])) / "site"

    def rel(path: Path) -> str:
        return _yaml_str(Path(os.path.relpath(Path(path).resolve(), folder)).as_posix())

    lines = [
        f"# salesperf config for {COMPANY}, the fake company of the bundled sample data",
        "# (made by generator/sample.py). Paths are relative to this file's folder.",
        "",
        "# How the site presents itself.",
        "site:",
        f"  title: {_yaml_str(COMPANY + ' — sales performance')}",
        "  currency: USD",
        "",
        "# The reported period: as_of null means the latest close date of a won or lost deal;",
        "# fiscal_year_start is the month (1-12) in which the fiscal year starts.",
        "report:",
        "  as_of: null",
        "  fiscal_year_start: 1",
        "",
        "# One block per dataset: the file, then `columns` mapping each canonical field (left)",
        "# to the export's column (right), then `options` saying how to read the file.",
        "sources:",
    ]
    comments = {
        "deals": "CRM opportunity report: UTF-8 with BOM, US dates, a 5-line report footer.",
        "clients": "CRM accounts export: one row per client (ISO dates).",
        "reps": "HR users workbook: one row per rep, current and former.",
        "costs": "Finance workbook: salary and costs per rep and fiscal year.",
        "goals": "Goals sheet, semicolon-delimited: rep and team targets and rewards.",
        "coaching": "Coaching and training log.",
        "activities": "Weekly activity counts per rep and kind.",
    }
    for name, file in FILES[fmt].items():
        lines.append(f"  # {comments[name]}" if fmt == "crm" else f"  # {name}, canonical columns.")
        lines.append(f"  {name}:")
        lines.append(f"    path: {rel(data_dir / file)}")
        if fmt == "crm":
            lines.append("    columns:")
            lines += [
                f"      {field}: {json.dumps(column, ensure_ascii=False)}"
                for field, column in CRM_COLUMNS[name].items()
                if field != "name" or name != "deals"
            ]
            if name in CRM_OPTIONS:
                lines.append(f"    options: {CRM_OPTIONS[name]}")
        if name == "deals":
            lines.append(f'    won_stages: ["{WON_STAGE}"]')
            lines.append(f'    lost_stages: ["{LOST_STAGE}"]')
    lines += [
        "",
        "# How the metrics are computed (see the methodology page).",
        "metrics:",
        "  ltv_method: historical       # lifetime value = won deals so far, no projection",
        "  gross_margin: 1.0            # share of revenue counted as value",
        "  attribution: acquirer        # a client belongs to the rep who won its first deal",
        "  include_coaching_cost: true  # coaching counts in a rep's annual cost",
        "  # Dated changes of these definitions, listed on /methodology/ and /trends/; every year is",
        '  # restated under the current definitions. Example: [{date: 2025-01-01, change: "gross margin 1.0 → 0.8"}]',
        "  definition_changes:",
        '    - {date: 2024-01-01, change: "attribution changed from account owner to acquirer (first won deal)"}',
        "",
        "# How the coaching effect on /coaching/ is estimated (see the methodology page).",
        "coaching:",
        "  window_months: 6          # months compared before and after each coaching start",
        "  min_reps: 5               # fewest coached reps behind an effect before a verdict is given",
        "  min_controls: 3           # comparison reps needed in the same team (else region, else all reps)",
        "  max_interval_width: 0.5   # a wider 95 % interval (share of revenue before) says \"not enough data yet\"",
        "  bootstrap_samples: 2000   # resamples of the coached reps behind each interval",
        "  seed: 0                   # the same data gives the same interval on every build",
        "",
        "# What may be published: the sample shows costs; use false for real people.",
        "privacy:",
        "  show_compensation: true",
        "",
        "# Regions, categories and channels pages.",
        "segments:",
        '  min_deals: 20                # fewer closed deals: the segment or heatmap cell is marked "read with caution"',
        "  bootstrap_resamples: 1000    # resamples of the clients for the value-ratio interval (seeded)",
        "",
        "# Goals and rewards (/goals/).",
        "goals:",
        "  reward_tiers:                # the highest tier reached is earned; exactly 100 % earns the 1.0 tier",
        '    - {attainment: 1.0, reward: "Target bonus"}',
        """    - {attainment: 1.2, reward: "Stretch bonus + President's Club"}""",
        "  pacing: quarterly            # linear: due evenly by day; quarterly: due at each fiscal quarter's end",
        "  quarter_weights: [0.2, 0.2, 0.25, 0.35]   # share of the target due per quarter (strong Q4)",
        '  at_risk_from: 0.8            # pace from which a goal is "at risk" rather than "behind"',
        "",
        "# Where the built site goes.",
        "publish:",
        f"  out: {rel(site_dir)}",
        "",
    ]
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return config_path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate the sample exports (and optionally a config reading them)."""
    parser = argparse.ArgumentParser(
        prog="python -m generator.sample",
        description=f"Generate the seeded sales exports of {COMPANY}, a fake company.",
    )
    parser.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    parser.add_argument("--reps", type=int, default=40, help="number of reps (default 40)")
    parser.add_argument("--deals", type=int, default=None, help="number of deals (default ~175 per rep)")
    parser.add_argument("--years", type=int, default=4, help="fiscal years covered (default 4)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--end", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31),
        help="last day of the period, YYYY-MM-DD (default 2025-12-31)",
    )  # fmt: skip
    parser.add_argument("--format", dest="fmt", choices=("crm", "parquet"), default="crm")
    parser.add_argument("--config", type=Path, default=None, help="also write a config reading the files")
    args = parser.parse_args(argv)
    try:
        files = generate(
            args.out, reps=args.reps, deals=args.deals, years=args.years,
            seed=args.seed, end=args.end, fmt=args.fmt,
        )  # fmt: skip
    except ValueError as exc:
        parser.error(str(exc))
    for name, path in files.items():
        print(f"{name:<11} {path}  ({path.stat().st_size:,} bytes)")
    if args.config is not None:
        print(f"config      {write_config(args.config, args.out, fmt=args.fmt)}")
    return 0


# --------------------------------------------------------------------------- the company


def _period_start(end: dt.date, years: int) -> dt.date:
    """First day of the ``years`` years that end on ``end``."""
    day = min(end.day, 28) if end.month == 2 else end.day
    return dt.date(end.year - years, end.month, day) + dt.timedelta(days=1)


def _weighted(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """``n`` category indexes drawn with the given weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _uniform_int(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One integer in [lo, hi] (inclusive) for each pair; hi below lo gives lo."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo + 1, 1)
    return lo + np.floor(rng.random(lo.shape) * span).astype(np.int64)


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct "First Last" names (a middle initial when the combinations run out)."""
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    pairs = n_first * n_last
    codes = rng.choice(pairs * 27, size=n, replace=False) if n > pairs else rng.choice(pairs, n, replace=False)
    names = []
    for code in codes.tolist():  # one per person, not per deal
        initial, pair = divmod(code, pairs)
        first, last = FIRST_NAMES[pair // n_last], LAST_NAMES[pair % n_last]
        names.append(f"{first} {chr(64 + initial)}. {last}" if initial else f"{first} {last}")
    return names


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    """``prefix`` + zero-padded 1..n, e.g. OPP-000123."""
    width = max(width, len(str(n)))
    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width=width, padding="0"), "")


def _build(n_reps: int, n_deals: int, years: int, seed: int, end: dt.date) -> _World:
    """Draw the whole company: reps, clients, deals and the HR, finance and activity records."""
    rng = np.random.default_rng(seed)
    start = _period_start(end, years)
    start64 = np.datetime64(start, "D")
    n_days = (end - start).days + 1
    days64 = start64 + np.arange(n_days)
    weekday = (days64.astype(np.int64) + 3) % 7  # Monday = 0
    month = days64.astype("datetime64[M]").astype(np.int64) % 12
    to_month_end = ((days64.astype("datetime64[M]") + 1).astype("datetime64[D]") - days64).astype(np.int64)

    # Daily closing weight: seasons, weekends, quarter-end push, 10% yearly growth.
    weight = np.asarray(MONTH_FACTOR)[month] * np.where(weekday >= 5, 0.06, 1.0)
    weight *= np.where((month % 3 == 2) & (to_month_end <= 10), 1.35, 1.0)
    weight *= 1.10 ** (np.arange(n_days) / 365.25)
    cum = np.cumsum(weight)
    cum_before = cum - weight

    # ---- reps: teams, regions, tenure, skill
    n_teams = max(1, round(n_reps / 6.67))
    team_of = rng.permutation(n_reps) % n_teams
    team_region = np.empty(n_teams, dtype=np.int64)
    first = min(n_teams, len(REGIONS))
    team_region[:first] = rng.permutation(len(REGIONS))[:first]
    team_region[first:] = _weighted(rng, n_teams - first, REGION_WEIGHTS)
    rep_region = np.where(rng.random(n_reps) < 0.9, team_region[team_of], _weighted(rng, n_reps, REGION_WEIGHTS))
    team_names = [
        TEAM_WORDS[t % len(TEAM_WORDS)] + (f" {t // len(TEAM_WORDS) + 1}" if t >= len(TEAM_WORDS) else "")
        for t in range(n_teams)
    ]
    people = _person_names(rng, n_reps + n_teams)
    rep_names, manager_names = people[:n_reps], people[n_reps:]

    status = rng.permutation(n_reps)
    n_left = round(0.15 * n_reps)
    n_new = round(0.15 * n_reps)
    leavers, joiners = status[:n_left], status[n_left : n_left + n_new]
    hire = -_uniform_int(rng, np.full(n_reps, 30), np.full(n_reps, 365 * 8))  # day index; < 0 is before start
    hire[joiners] = _uniform_int(rng, np.full(n_new, min(60, n_days // 6)), np.full(n_new, max(n_days - 150, n_days // 2)))
    has_left = np.zeros(n_reps, dtype=bool)
    has_left[leavers] = True
    left = np.full(n_reps, n_days - 1, dtype=np.int64)  # last active day index
    left[leavers] = _uniform_int(
        rng, np.maximum(hire[leavers] + 90, min(120, n_days // 4)), np.full(n_left, n_days - 30)
    )
    left = np.minimum(left, n_days - 1)
    active_from = np.maximum(hire, 0)
    active_to = left
    current = ~has_left

    win_rate = 0.15 + 0.30 * rng.beta(2.0, 2.0, n_reps)
    size_skill = rng.lognormal(0.0, 0.7, n_reps)
    volume = rng.lognormal(0.0, 0.25, n_reps)

    # ---- coaching first: it lifts the win rate of deals closed after it
    coaching, coached_from = _coaching(rng, n_reps, win_rate, active_from, active_to, weekday)

    # ---- deals: owner rep and dates
    n_open = round(0.07 * n_deals) if current.any() else 0
    n_closed = n_deals - n_open
    mass = cum[active_to] - cum_before[active_from]
    p = volume * mass
    rep_c = rng.choice(n_reps, size=n_closed, p=p / p.sum())
    lo, hi = cum_before[active_from[rep_c]], cum[active_to[rep_c]]
    closed_c = np.searchsorted(cum, lo + rng.random(n_closed) * (hi - lo))
    closed_c = np.clip(closed_c, active_from[rep_c], active_to[rep_c])

    cur_idx = np.flatnonzero(current)
    rep_o = cur_idx[rng.choice(len(cur_idx), size=n_open, p=volume[cur_idx] / volume[cur_idx].sum())] if n_open else np.zeros(0, np.int64)
    recent = rng.random(n_open) < 0.85
    open_lo = np.where(recent, np.maximum(active_from[rep_o], n_days - 150), active_from[rep_o])
    created_o = _weekday_back(_uniform_int(rng, open_lo, np.full(n_open, n_days - 1)), weekday, open_lo, n_days)

    rep = np.concatenate([rep_c, rep_o]).astype(np.int64)
    is_open = np.concatenate([np.zeros(n_closed, bool), np.ones(n_open, bool)])
    n = n_deals

    # ---- clients: each rep works its own book; ~15% of deals go to anyone's client
    per_rep = np.bincount(rep, minlength=n_reps)
    book = np.where(per_rep > 0, np.maximum(1, np.round(per_rep * 0.31)), 0).astype(np.int64)
    n_clients = int(book.sum())
    book_start = np.cumsum(book) - book
    owner = np.repeat(np.arange(n_reps), book)
    client_weight = rng.lognormal(0.0, 0.7, n_clients)
    client_size = rng.lognormal(0.0, 0.35, n_clients)
    is_big = np.zeros(n_clients, dtype=bool)
    n_big = min(n_clients, max(3, round(0.006 * n_clients)))
    is_big[rng.choice(n_clients, size=n_big, replace=False)] = True
    client_weight[is_big] *= 6.0
    client_size[is_big] *= 10.0
    client_region = np.where(
        rng.random(n_clients) < 0.85, rep_region[owner], _weighted(rng, n_clients, REGION_WEIGHTS)
    )
    client_category = _weighted(rng, n_clients, CATEGORY_WEIGHTS)
    client_method = _weighted(rng, n_clients, METHOD_WEIGHTS)
    client_size *= np.asarray(CATEGORY_SIZE)[client_category] * np.asarray(METHOD_SIZE)[client_method]

    order = _argsort_keys(rng, rep)
    rep_sorted = rep[order]
    rank = np.arange(n) - (np.cumsum(per_rep) - per_rep)[rep_sorted]
    wcum = np.cumsum(client_weight)
    wcum_before = wcum - client_weight
    u = rng.random(n)
    own = rng.random(n) < 0.85
    client_sorted = book_start[rep_sorted] + rank  # each client's first deal is with its own rep
    rows = np.flatnonzero((rank >= book[rep_sorted]) & own)
    lo_w = wcum_before[book_start[rep_sorted[rows]]]
    hi_w = wcum[book_start[rep_sorted[rows]] + book[rep_sorted[rows]] - 1]
    client_sorted[rows] = np.clip(
        np.searchsorted(wcum, lo_w + u[rows] * (hi_w - lo_w)),
        book_start[rep_sorted[rows]], book_start[rep_sorted[rows]] + book[rep_sorted[rows]] - 1,
    )  # fmt: skip
    rows = np.flatnonzero((rank >= book[rep_sorted]) & ~own)
    client_sorted[rows] = np.minimum(np.searchsorted(wcum, u[rows] * wcum[-1]), n_clients - 1)
    client = np.empty(n, dtype=np.int64)
    client[order] = client_sorted

    # ---- amounts
    product = _weighted(rng, n, PRODUCT_WEIGHTS)
    amount = (
        BASE_AMOUNT
        * rng.lognormal(0.0, 0.55, n)
        * size_skill[rep]
        * client_size[client]
        * np.asarray(PRODUCT_SIZE)[product]
    )
    amount = np.maximum(amount, 500.0)
    amount = np.where(rng.random(n) < 0.6, np.round(amount, -2), np.round(amount, 2))

    # ---- outcome of closed deals; repeat business wins more often
    closed = np.concatenate([closed_c, np.full(n_open, -1)]).astype(np.int64)
    p_win = win_rate[rep] * np.asarray(METHOD_WIN)[client_method[client]] * np.where(is_big[client], 1.2, 1.0)
    p_win *= np.where(closed - hire[rep] < 120, 0.65, 1.0)  # ramp-up of new hires
    p_win += np.where(closed > coached_from[rep], 0.04, 0.0)  # after coaching
    won = ~is_open & (rng.random(n) < np.clip(p_win * NEW_BUSINESS_WIN, 0.03, 0.9))
    first_won = np.full(n_clients, np.iinfo(np.int64).max)
    np.minimum.at(first_won, client[won], closed[won])
    repeat = ~is_open & (closed > first_won[client])
    redraw = rng.random(n) < np.clip(p_win + REPEAT_WIN_BOOST, 0.05, 0.93)
    won = np.where(repeat, redraw, won)

    # ---- created dates (sales cycle) and open-deal details
    cycle = np.round(rng.lognormal(np.log(35.0), 0.6, n) * (amount / BASE_AMOUNT) ** 0.15).astype(np.int64) + 1
    lowest = np.maximum(hire[rep], -400)
    created = np.where(is_open, np.concatenate([np.zeros(n_closed, np.int64), created_o]), closed - cycle)
    created = np.maximum(created, lowest)
    created = np.where(is_open, created, _weekday_back(created, weekday, lowest, n_days))
    created = np.minimum(created, np.where(is_open, created, closed))
    open_dated = is_open & (rng.random(n) < 0.15)  # a few open deals carry an expected close date
    closed = np.where(open_dated, _uniform_int(rng, created, np.full(n, n_days - 1)), closed)
    has_closed = ~is_open | open_dated
    amount = np.where(is_open & (rng.random(n) < 0.05), np.nan, amount)
    stage = np.where(won, 0, 1)
    stage = np.where(is_open, 2 + _weighted(rng, n, OPEN_STAGE_WEIGHTS), stage)
    deal_method = np.where(
        rng.random(n) < 0.8, client_method[client], _weighted(rng, n, METHOD_WEIGHTS)
    )
    has_method = rng.random(n) < 0.3

    # Deal ids follow creation order.
    order = _argsort_keys(rng, created - created.min())
    rep, client, amount, stage, closed, created = (
        a[order] for a in (rep, client, amount, stage, closed, created)
    )
    has_closed, product, deal_method, has_method, won, is_open = (
        a[order] for a in (has_closed, product, deal_method, has_method, won, is_open)
    )

    # ---- what the deals say about the clients
    idx = np.flatnonzero(won)
    by_client = idx[_argsort_keys(None, client[idx], closed[idx])]
    first_rows = by_client[np.r_[True, client[by_client][1:] != client[by_client][:-1]]] if idx.size else idx
    acquired = np.full(n_clients, -1, dtype=np.int64)
    acquired[client[first_rows]] = closed[first_rows]
    last_won = np.full(n_clients, -1, dtype=np.int64)
    np.maximum.at(last_won, client[won], closed[won])
    dormant = (last_won >= 0) & (last_won < n_days - 450)
    churns = (last_won >= 0) & (rng.random(n_clients) < np.where(dormant, 0.5, 0.03))
    churned = np.where(churns, last_won + _uniform_int(rng, np.full(n_clients, 60), np.full(n_clients, 400)), -1)
    churned = np.where(churned > n_days - 1, -1, churned)

    account_owner = owner.copy()
    for r in np.flatnonzero(has_left):  # a leaver's accounts go to a current teammate
        mine = np.flatnonzero(owner == r)
        mates = np.flatnonzero(current & (team_of == team_of[r]))
        mates = mates if mates.size else cur_idx
        if mine.size and mates.size:
            account_owner[mine] = mates[rng.integers(0, mates.size, mine.size)]

    segment_size = np.round(
        rng.lognormal(np.log(60e6), 0.8, (len(REGIONS), len(CATEGORIES))) * np.asarray(CATEGORY_SIZE), -5
    ).astype(np.int64)
    market = segment_size[client_region, client_category]
    has_market = rng.random(n_clients) < 0.75
    client_names = _account_names(rng, client_category)

    # ---- tables
    rep_ids = _ids("REP-", n_reps, 3)
    client_ids = _ids("ACC-", n_clients, 5)
    deal_ids = _ids("OPP-", n, 6)
    tables: dict[str, pa.Table] = {}
    tables["deals"] = pa.table(
        {
            "deal_id": deal_ids,
            "rep_id": rep_ids.take(pa.array(rep)),
            "amount": pa.array(amount, type=pa.float64(), from_pandas=True),
            "stage": pa.array(STAGES).take(pa.array(stage)),
            "closed": _timestamps(start64, closed, has_closed),
            "client_id": client_ids.take(pa.array(client)),
            "created": _timestamps(start64, created),
            "acquisition": _strings(METHODS, deal_method, has_method),
            "product": pa.array(PRODUCTS).take(pa.array(product)),
        }
    )
    tables["clients"] = pa.table(
        {
            "client_id": client_ids,
            "name": client_names,
            "region": pa.array(REGIONS).take(pa.array(client_region)),
            "category": pa.array(CATEGORIES).take(pa.array(client_category)),
            "acquisition": pa.array(METHODS).take(pa.array(client_method)),
            "owner_rep_id": rep_ids.take(pa.array(account_owner)),
            "acquired": _timestamps(start64, acquired, acquired >= 0),
            "churned": _timestamps(start64, churned, churned >= 0),
            "market_size": pa.array(market.astype(float), mask=~has_market),
        }
    )
    tables["reps"] = pa.table(
        {
            "rep_id": rep_ids,
            "name": pa.array(rep_names),
            "team": pa.array(team_names).take(pa.array(team_of)),
            "manager": pa.array(manager_names).take(pa.array(team_of)),
            "region": pa.array(REGIONS).take(pa.array(rep_region)),
            "hired": _timestamps(start64, hire),
            "left": _timestamps(start64, left, has_left),
        }
    )
    years_list = list(range(start.year, end.year + 1))
    year_start = np.array([(dt.date(y, 1, 1) - start).days for y in years_list], dtype=np.int64)
    year_end = np.array([(dt.date(y, 12, 31) - start).days for y in years_list], dtype=np.int64)
    employed = (active_from[:, None] <= year_end[None, :]) & (active_to[:, None] >= year_start[None, :])
    employed &= (year_end[None, :] >= 0) & (year_start[None, :] <= n_days - 1)
    tables["costs"] = _costs(rng, rep_ids, employed, years_list, hire, size_skill, rep_region)
    tables["goals"] = _goals(
        rng, rep_ids, team_names, team_of, employed, years_list, year_start, year_end,
        active_from, active_to, has_left, rep, amount, closed, won, first_rows,
    )  # fmt: skip
    tables["coaching"] = _coaching_table(rep_ids, coaching, start64)
    tables["activities"] = _activities(rng, rep_ids, volume, active_from, active_to, days64, weekday, month)
    _recent_hire(tables, end, seed)

    return _World(tables, client, end)


RECENT_HIRE_DAYS = 240
"""The latest-hired current rep joined this many days before the end: under a year of history."""


def _recent_hire(tables: dict[str, pa.Table], end: dt.date, seed: int) -> None:
    """Make the latest-hired current rep a recent hire, so the sample shows a rep with under a year
    of history ("not enough history" on /forecast/). Their deals created before the new hire date go to
    a current teammate, and their cost, goal, coaching and activity rows from before it are dropped
    (a separate seeded generator, drawn after everything else, so no other rep's rows change)."""
    reps = tables["reps"].to_pandas()
    current = reps[reps["left"].isna() & reps["hired"].notna()]
    if len(current) < 2:
        return
    newcomer = current.sort_values(["hired", "rep_id"]).iloc[-1]
    hired = np.datetime64(end - dt.timedelta(days=RECENT_HIRE_DAYS), "ms")
    if newcomer["hired"] >= hired:
        return
    mates = current[(current["team"] == newcomer["team"]) & (current["rep_id"] != newcomer["rep_id"])]
    mates = mates if len(mates) else current[current["rep_id"] != newcomer["rep_id"]]
    rng = np.random.default_rng([seed, 606])
    mate = mates["rep_id"].to_numpy()[rng.integers(0, len(mates))]
    rep_column = tables["reps"].column("rep_id").to_numpy(zero_copy_only=False)
    hired_column = tables["reps"].column("hired").to_numpy(zero_copy_only=False).copy()
    hired_column[rep_column == newcomer["rep_id"]] = hired
    tables["reps"] = tables["reps"].set_column(
        tables["reps"].schema.get_field_index("hired"), "hired",
        pa.array(hired_column, type=pa.timestamp("ms"), mask=np.isnat(hired_column)))
    deals = tables["deals"]
    deal_rep = deals.column("rep_id").to_numpy(zero_copy_only=False)
    created = deals.column("created").to_numpy(zero_copy_only=False)
    moved = (deal_rep == newcomer["rep_id"]) & (created < hired)
    deal_rep = np.where(moved, mate, deal_rep)
    tables["deals"] = deals.set_column(deals.schema.get_field_index("rep_id"), "rep_id", pa.array(deal_rep, pa.string()))
    hire_year = int(str(hired)[:4])  # the sample's fiscal years are calendar years
    for name, column, before in (("costs", "year", hire_year), ("coaching", "start", hired),
                                 ("activities", "date", hired)):
        table = tables[name]
        mine = table.column("rep_id").to_numpy(zero_copy_only=False) == newcomer["rep_id"]
        early = table.column(column).to_numpy(zero_copy_only=False) < before
        tables[name] = table.filter(pa.array(~(mine & early)))
    goals = tables["goals"]
    early_goal = ((goals.column("scope").to_numpy(zero_copy_only=False) == "rep")
                  & (goals.column("id").to_numpy(zero_copy_only=False) == newcomer["rep_id"])
                  & (goals.column("year").to_numpy(zero_copy_only=False) < hire_year))
    tables["goals"] = goals.filter(pa.array(~early_goal))


def _argsort_keys(rng: np.random.Generator | None, *keys: np.ndarray) -> np.ndarray:
    """Order by non-negative integer keys (first = most significant); ties in random order with ``rng``,
    else by position.

    The keys are packed into one unique int64 when they fit, which sorts much faster than
    ``np.lexsort`` and gives the same order on every machine.
    """
    keys = tuple(np.asarray(k, dtype=np.int64) for k in keys)
    if rng is not None:
        keys = (*keys, rng.integers(0, 1 << 20, keys[0].size))
    keys = (*keys, np.arange(keys[0].size, dtype=np.int64))
    bits = [max(int(k.max(initial=0)).bit_length(), 1) for k in keys]
    if sum(bits) > 62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(keys[0].size, dtype=np.int64)
    for key, width in zip(keys, bits, strict=True):
        packed = (packed << width) | key
    return np.argsort(packed)


def _weekday_back(days: np.ndarray, weekday: np.ndarray, lowest: np.ndarray, n_days: int) -> np.ndarray:
    """Move weekend days back to the Friday before, never below ``lowest``."""
    inside = np.clip(days, 0, n_days - 1)
    back = np.where((days >= 0) & (days < n_days), np.maximum(weekday[inside] - 4, 0), 0)
    return np.maximum(days - back, np.minimum(lowest, days))


def _account_names(rng: np.random.Generator, category: np.ndarray) -> pa.Array:
    """A company name per client, matching its business category (distinct while they last)."""
    n = category.size
    codes = np.empty(n, dtype=np.int64)
    nouns = np.empty(n, dtype=np.int64)
    combos = len(ACCOUNT_PREFIXES) * 5 * len(ACCOUNT_SUFFIXES)
    for c in range(len(CATEGORIES)):  # one pass per category, not per client
        rows = np.flatnonzero(category == c)
        codes[rows] = rng.choice(combos, size=rows.size, replace=rows.size > combos)
        nouns[rows] = c * 5
    prefix, rest = np.divmod(codes, 5 * len(ACCOUNT_SUFFIXES))
    noun, suffix = np.divmod(rest, len(ACCOUNT_SUFFIXES))
    all_nouns = pa.array([word for words in CATEGORY_NOUNS for word in words])
    return pc.binary_join_element_wise(
        pa.array(ACCOUNT_PREFIXES).take(pa.array(prefix)),
        " ",
        all_nouns.take(pa.array(nouns + noun)),
        pa.array(ACCOUNT_SUFFIXES).take(pa.array(suffix)),
        "",
    )


def _timestamps(start64: np.datetime64, days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Day indexes from the period start as an Arrow timestamp[ms] column (invalid -> null)."""
    values = (start64 + np.asarray(days, dtype=np.int64)).astype("datetime64[ms]")
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(values, type=pa.timestamp("ms"), mask=mask)


def _strings(choices: Sequence[str], codes: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Category codes as strings, null where not ``valid``."""
    return pc.if_else(pa.array(valid), pa.array(choices).take(pa.array(codes)), pa.scalar(None, pa.string()))


def _coaching(
    rng: np.random.Generator,
    n_reps: int,
    win_rate: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    weekday: np.ndarray,
) -> tuple[list[tuple[int, int, int, int, float, int]], np.ndarray]:
    """Coaching sessions for ~25% of reps (weaker reps more often); also each rep's first end day."""
    coached_from = np.full(n_reps, np.iinfo(np.int64).max)
    eligible = np.flatnonzero(active_to - active_from >= 150)
    sessions: list[tuple[int, int, int, int, float, int]] = []
    if not eligible.size:
        return sessions, coached_from
    k = min(eligible.size, max(1, round(0.25 * n_reps)))
    w = 0.55 - win_rate[eligible]
    chosen = np.sort(rng.choice(eligible, size=k, replace=False, p=w / w.sum()))
    for r in chosen.tolist():  # a loop over coached reps (a quarter of the reps)
        times = 2 if rng.random() < 0.35 else 1
        starts = np.sort(_uniform_int(rng, np.full(times, active_from[r] + 30), np.full(times, active_to[r] - 60)))
        starts += np.where(weekday[starts] >= 5, 7 - weekday[starts], 0)  # weekend -> Monday
        for s in starts.tolist():
            kind = int(_weighted(rng, 1, PROGRAM_WEIGHTS)[0])
            length = int(rng.integers(PROGRAM_DAYS[kind][0], PROGRAM_DAYS[kind][1] + 1))
            stop = min(s + length - 1, int(active_to[r]))
            hours = float(np.round(rng.uniform(*PROGRAM_HOURS[kind]) * 2) / 2)
            cost = int(np.round(rng.uniform(*PROGRAM_COST[kind]) / 50) * 50)
            sessions.append((r, s, stop, kind, hours, cost))
            coached_from[r] = min(coached_from[r], stop)
    return sessions, coached_from


def _coaching_table(
    rep_ids: pa.Array, sessions: list[tuple[int, int, int, int, float, int]], start64: np.datetime64
) -> pa.Table:
    """The coaching log as a canonical table."""
    cols = list(zip(*sessions, strict=True)) if sessions else [[], [], [], [], [], []]
    rep, begin, stop, kind, hours, cost = (np.asarray(c) for c in cols)
    return pa.table(
        {
            "rep_id": rep_ids.take(pa.array(rep.astype(np.int64))),
            "start": _timestamps(start64, begin),
            "end": _timestamps(start64, stop),
            "kind": pa.array(PROGRAMS).take(pa.array(kind.astype(np.int64))),
            "hours": pa.array(hours.astype(float)),
            "cost": pa.array(cost.astype(float)),
        }
    )


def _costs(
    rng: np.random.Generator,
    rep_ids: pa.Array,
    employed: np.ndarray,
    years: list[int],
    hire: np.ndarray,
    size_skill: np.ndarray,
    region: np.ndarray,
) -> pa.Table:
    """One cost row per rep and fiscal year employed: salary grows with seniority, partly with skill."""
    n_reps = employed.shape[0]
    seniority = np.clip(-hire / 365.25, 0, 10)
    skill = np.argsort(np.argsort(size_skill)) / max(n_reps - 1, 1)
    level = np.clip(0.12 + 0.045 * seniority + 0.3 * skill + rng.normal(0, 0.14, n_reps), 0.0, 1.0)
    base = 45_000 + 100_000 * level
    raise_rate = rng.uniform(0.015, 0.05, n_reps)
    r, y = np.nonzero(employed)
    salary = np.minimum(np.round(base[r] * (1 + raise_rate[r]) ** y / 500) * 500, 160_000)
    rate = np.clip(np.asarray(REGION_TAX_RATE)[region[r]] + rng.normal(0, 0.008, r.size), 0.2, 0.25)
    taxes = np.round(salary * rate, 2)
    expenses = np.round(rng.uniform(3_000, 25_000, r.size), 2)
    other = np.where(rng.random(r.size) < 0.35, 0.0, np.round(rng.uniform(0, 5_000, r.size), 2))
    return pa.table(
        {
            "rep_id": rep_ids.take(pa.array(r)),
            "year": pa.array(np.asarray(years, dtype=np.int64)[y]),
            "salary": pa.array(salary),
            "taxes": pa.array(taxes),
            "expenses": pa.array(expenses),
            "other": pa.array(other),
        }
    )


def _goals(
    rng: np.random.Generator,
    rep_ids: pa.Array,
    team_names: list[str],
    team_of: np.ndarray,
    employed: np.ndarray,
    years: list[int],
    year_start: np.ndarray,
    year_end: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    has_left: np.ndarray,
    deal_rep: np.ndarray,
    amount: np.ndarray,
    closed: np.ndarray,
    won: np.ndarray,
    first_rows: np.ndarray,
) -> pa.Table:
    """Revenue goals per rep-year and team-year (about last year x 1.1), plus a few new-client goals."""
    n_reps, n_years = employed.shape
    year_of = np.searchsorted(year_end, closed)  # index of the year containing each close day
    in_period = won & (closed >= 0) & (year_of < n_years)
    revenue = np.bincount(
        deal_rep[in_period] * n_years + year_of[in_period], weights=amount[in_period], minlength=n_reps * n_years
    ).reshape(n_reps, n_years)
    overlap = np.minimum(active_to[:, None], year_end[None, :]) - np.maximum(active_from[:, None], year_start[None, :]) + 1
    share = np.clip(overlap / (year_end - year_start + 1)[None, :], 0.0, 1.0) * employed
    annual = revenue.sum(axis=1) / np.maximum(share.sum(axis=1), 0.25)

    r, y = np.nonzero(employed)
    prev_full = (y > 0) & (share[r, np.maximum(y - 1, 0)] >= 0.99)
    # Goals are set at the start of the year: a leaver's goal is a full year's.
    planned = np.where(has_left[r] & (active_to[r] <= year_end[y]) & (active_from[r] <= year_start[y]), 1.0, share[r, y])
    base = np.where(prev_full, revenue[r, np.maximum(y - 1, 0)], annual[r] * planned)
    difficulty = np.select([rng.random(r.size) < 0.12, rng.random(r.size) < 0.14], [1.5, 0.7], 1.0)
    target = np.maximum(np.round(base * 1.1 * rng.lognormal(0, 0.08, r.size) * difficulty / 5000) * 5000, 25_000)
    reward = np.asarray(REP_REWARDS, dtype=object)[rng.integers(0, len(REP_REWARDS), r.size)]
    reward = np.where(rng.random(r.size) < 0.1, None, reward)

    team_target = np.zeros((len(team_names), n_years))
    np.add.at(team_target, (team_of[r], y), target)
    tt, ty = np.nonzero(team_target)
    team_value = np.round(team_target[tt, ty] * rng.uniform(1.0, 1.08, tt.size) / 50_000) * 50_000
    team_reward = np.asarray(TEAM_REWARDS, dtype=object)[rng.integers(0, len(TEAM_REWARDS), tt.size)]

    # A few reps also get a new-clients goal in the last two years.
    acquired = np.zeros((n_reps, n_years))
    fy = year_of[first_rows]
    keep = fy < n_years
    np.add.at(acquired, (deal_rep[first_rows][keep], fy[keep]), 1)
    candidates = np.flatnonzero((y >= n_years - 2) & (share[r, y] >= 0.99))
    nc = np.sort(rng.choice(candidates, size=min(candidates.size, max(2, round(0.1 * n_reps))), replace=False)) if candidates.size else candidates
    nc_prev = acquired[r[nc], np.maximum(y[nc] - 1, 0)]
    nc_target = np.maximum(2, np.round(nc_prev * rng.uniform(1.0, 1.4, nc.size)))
    nc_reward = np.asarray(NEW_CLIENT_REWARDS, dtype=object)[rng.integers(0, len(NEW_CLIENT_REWARDS), nc.size)]

    scope = ["rep"] * r.size + ["team"] * tt.size + ["rep"] * nc.size
    owner = (
        rep_ids.take(pa.array(r)).to_pylist()
        + [team_names[t] for t in tt.tolist()]
        + rep_ids.take(pa.array(r[nc])).to_pylist()
    )
    # Two value-ratio goals for the last year, and the mistakes a goals sheet typically has (reported on
    # /data-quality/): a team that does not exist and a goal entered twice. No random draw: the other
    # exports stay byte-identical.
    vr = r[y == n_years - 1][:2]
    scope += ["rep"] * vr.size + ["team", "rep"]
    last = r.size - 1  # the latest rep goal is entered twice (its rep was employed that year)
    owner += [*rep_ids.take(pa.array(vr)).to_pylist(), "Eagles", owner[last]]
    metric_extra = ["value_ratio"] * vr.size + ["revenue", "revenue"]
    y_extra = np.concatenate([np.full(vr.size, n_years - 1), [n_years - 1, y[last]]])
    extra_target = np.concatenate([np.full(vr.size, 2.5), [1_000_000.0, target[last] * 2]])
    extra_reward = ["Extra day off"] * vr.size + ["Team dinner", None]
    year = np.concatenate([y, ty, y[nc], y_extra])
    metric = ["revenue"] * (r.size + tt.size) + ["new_clients"] * nc.size + metric_extra
    table = pa.table(
        {
            "scope": pa.array(scope),
            "id": pa.array(owner),
            "year": pa.array(np.asarray(years, dtype=np.int64)[year]),
            "target": pa.array(np.concatenate([target, team_value, nc_target, extra_target]).astype(float)),
            "metric": pa.array(metric),
            "reward": pa.array([*reward.tolist(), *team_reward.tolist(), *nc_reward.tolist(), *extra_reward],
                               type=pa.string()),
        }
    )
    return table.sort_by([("year", "ascending"), ("scope", "ascending"), ("id", "ascending"), ("metric", "descending")])


def _activities(
    rng: np.random.Generator,
    rep_ids: pa.Array,
    volume: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    days64: np.ndarray,
    weekday: np.ndarray,
    month: np.ndarray,
) -> pa.Table:
    """Weekly activity counts per rep and kind, only weakly related to what the rep sells."""
    n_reps = volume.size
    mondays = np.flatnonzero(weekday == 0)
    day_of_month = (days64 - days64.astype("datetime64[M]")).astype(np.int64) + 1
    week_factor = np.where(month[mondays] == 6, 0.8, 1.0) * np.where(month[mondays] == 7, 0.7, 1.0)
    holidays = ((month[mondays] == 11) & (day_of_month[mondays] >= 20)) | ((month[mondays] == 0) & (day_of_month[mondays] <= 2))
    week_factor = week_factor * np.where(holidays, 0.35, 1.0)
    busy = volume**0.5 * rng.lognormal(0.0, 0.35, n_reps)
    active = (mondays[None, :] >= active_from[:, None]) & (mondays[None, :] <= active_to[:, None])
    r, w = np.nonzero(active)
    k = len(ACTIVITY_KINDS)
    rate = (busy[r] * week_factor[w])[:, None] * np.asarray(ACTIVITY_RATE)[None, :]
    count = rng.poisson(rate * rng.lognormal(0.0, 0.2, rate.shape)).ravel()
    return pa.table(
        {
            "rep_id": rep_ids.take(pa.array(np.repeat(r, k))),
            "date": pa.array(days64[np.repeat(mondays[w], k)].astype("datetime64[ms]"), type=pa.timestamp("ms")),
            "kind": pa.array(ACTIVITY_KINDS).take(pa.array(np.tile(np.arange(k), r.size))),
            "count": pa.array(count.astype(np.int64)),
        }
    )


# --------------------------------------------------------------------------- crm files


def _write_crm(world: _World, files: dict[str, Path]) -> None:
    """Write every dataset as the imitation of its real export."""
    t = world.tables
    deals = t["deals"]
    amounts = deals["amount"].to_numpy()
    _write_csv(
        files["deals"],
        {
            "Opportunity ID": deals["deal_id"],
            "Opportunity Name": pc.binary_join_element_wise(
                t["clients"]["name"].take(pa.array(world.deal_client)), deals["product"], " - "
            ),
            "Opportunity Owner ID": deals["rep_id"],
            "Account ID": deals["client_id"],
            "Amount": _money_text(amounts),
            "Stage": deals["stage"],
            "Close Date": _date_text(deals["closed"], us=True),
            "Created Date": _date_text(deals["created"], us=True),
            "Lead Source": deals["acquisition"],
            "Product": deals["product"],
        },
        bom=True,
        footer=_report_footer(len(amounts), float(np.nansum(amounts)), world.end),
    )
    clients = t["clients"]
    _write_csv(
        files["clients"],
        {
            "Account ID": clients["client_id"],
            "Account Name": clients["name"],
            "Billing Region": clients["region"],
            "Industry": clients["category"],
            "Lead Source": clients["acquisition"],
            "Account Owner ID": clients["owner_rep_id"],
            "Customer Since": _date_text(clients["acquired"]),
            "Churn Date": _date_text(clients["churned"]),
            "Addressable Market": _number_text(clients["market_size"]),
        },
    )
    goals = t["goals"]
    _write_csv(
        files["goals"],
        {
            "Scope": goals["scope"],
            "Owner": goals["id"],
            "Year": _number_text(goals["year"]),
            "Metric": goals["metric"],
            "Target": _number_text(goals["target"]),
            "Reward": goals["reward"],
        },
        delimiter=";",
    )
    coaching = t["coaching"]
    _write_csv(
        files["coaching"],
        {
            "Rep ID": coaching["rep_id"],
            "Start Date": _date_text(coaching["start"]),
            "End Date": _date_text(coaching["end"]),
            "Program": coaching["kind"],
            "Hours": _number_text(coaching["hours"]),
            "Cost": _number_text(coaching["cost"]),
        },
    )
    activities = t["activities"]
    _write_csv(
        files["activities"],
        {
            "Rep ID": activities["rep_id"],
            "Date": _date_text(activities["date"]),
            "Activity Type": activities["kind"],
            "Count": _number_text(activities["count"]),
        },
    )
    created = dt.datetime(world.end.year, world.end.month, world.end.day, 18, 0)
    reps = t["reps"]
    _write_xlsx(
        files["reps"],
        "Users",
        {CRM_COLUMNS["reps"][name]: reps[name].to_pylist() for name in CRM_COLUMNS["reps"]},
        created,
        date_columns={"Hire Date", "Termination Date"},
    )
    costs = t["costs"]
    _write_xlsx(
        files["costs"],
        "Costs",
        {CRM_COLUMNS["costs"][name]: costs[name].to_pylist() for name in CRM_COLUMNS["costs"]},
        created,
        money_columns={"Base Salary", "Payroll Taxes", "T&E Expenses", "Other Costs"},
    )


def _write_csv(
    path: Path,
    columns: dict[str, pa.Array | pa.ChunkedArray],
    *,
    delimiter: str = ",",
    bom: bool = False,
    footer: str = "",
) -> None:
    """Write text columns as UTF-8 CSV quoted like ``csv.QUOTE_MINIMAL``, LF line ends, null -> empty.

    The header goes through the ``csv`` module; the rows are quoted by the same rule (a
    field is quoted when it holds the delimiter, a quote or a line break; quotes are
    doubled) with Arrow kernels, so millions of rows take seconds, not a per-row loop.
    """
    header = io.StringIO()
    csv.writer(header, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(columns)

    def lit(value: str) -> pa.Scalar:
        return pa.scalar(value, pa.large_string())

    cells = []
    for values in columns.values():
        text = pc.cast(values, pa.large_string())
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        needs = pc.fill_null(pc.match_substring_regex(text, f"[{re.escape(delimiter)}\"\\r\\n]"), False)
        if pc.any(needs).as_py():
            some = pc.replace_substring(pc.filter(text, needs), '"', '""')
            text = pc.replace_with_mask(text, needs, pc.binary_join_element_wise(lit('"'), some, lit('"'), lit("")))
        cells.append(pc.fill_null(text, lit("")))
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, lit(delimiter)), lit("\n"), lit(""))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    data = lines.buffers()[2]
    with path.open("wb") as handle:
        handle.write(("\ufeff" if bom else "").encode("utf-8") + header.getvalue().encode("utf-8"))
        if len(lines):
            handle.write(memoryview(data)[offsets[lines.offset] : offsets[lines.offset + len(lines)]])
        handle.write(footer.encode("utf-8"))


def _report_footer(records: int, total: float, end: dt.date) -> str:
    """The 5 lines a CRM report export ends with: a blank line, grand totals, legal text."""
    money = _money_text(np.array([total])).to_pylist()[0]
    return (
        "\n"
        f'"Grand Totals ({records} records)",,,,"{money}",,,,,\n'
        f'"Copyright (c) 2000-{end.year} salesforce.com, inc. All rights reserved."\n'
        '"Confidential Information - Do Not Distribute"\n'
        f'"Generated By:  Sample Admin  {end.month}/{end.day}/{end.year} 6:00 PM"\n'
    )


def _money_text(amount: np.ndarray) -> pa.Array:
    """Amounts as "$12,345.67" (NaN -> null), built with Arrow kernels rather than per-row Python."""
    amount = np.asarray(amount, dtype=float)
    valid = ~np.isnan(amount)
    cents = np.round(np.where(valid, np.abs(amount), 0.0) * 100).astype(np.int64)
    dollars, rest = np.divmod(cents, 100)
    groups = 1 + (dollars >= 1_000).astype(np.int64) + (dollars >= 1_000_000) + (dollars >= 1_000_000_000)
    text = pc.cast(pa.array(dollars // 1000 ** (groups - 1)), pa.string())
    for j in (2, 1, 0):
        group = pc.utf8_lpad(pc.cast(pa.array(dollars // 1000**j % 1000), pa.string()), width=3, padding="0")
        text = pc.if_else(pa.array(groups - 1 > j), pc.binary_join_element_wise(text, group, ","), text)
    cents_text = pc.utf8_lpad(pc.cast(pa.array(rest), pa.string()), width=2, padding="0")
    text = pc.binary_join_element_wise("$", text, ".", cents_text, "")
    return pc.if_else(pa.array(valid), text, pa.scalar(None, pa.string()))


def _date_text(values: pa.ChunkedArray, us: bool = False) -> pa.ChunkedArray:
    """Timestamps as ISO ``YYYY-MM-DD`` text, or US ``MM/DD/YYYY`` (null stays null)."""
    iso = pc.cast(pc.cast(values, pa.date32()), pa.string())
    if not us:
        return iso
    parts = (pc.utf8_slice_codeunits(iso, a, b) for a, b in ((5, 7), (8, 10), (0, 4)))
    return pc.binary_join_element_wise(*parts, "/")


def _number_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Numbers as plain text: whole numbers without a decimal part."""
    if pa.types.is_floating(values.type):
        whole = pc.equal(values, pc.floor(values))
        as_int = pc.cast(pc.cast(values, pa.int64(), safe=False), pa.string())
        return pc.if_else(whole, as_int, pc.cast(values, pa.string()))
    return pc.cast(values, pa.string())


def _write_xlsx(
    path: Path,
    sheet: str,
    columns: dict[str, list[object]],
    created: dt.datetime,
    *,
    date_columns: Collection[str] = (),
    money_columns: Collection[str] = (),
) -> None:
    """Write one sheet with real date and number cells; fixed properties and zip times."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "Sample Admin"
    wb.properties.created = created
    wb.properties.modified = created
    ws = wb.create_sheet(sheet)
    names = list(columns)
    for i in range(1, len(names) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for values in zip(*columns.values(), strict=True):
        row: list[object] = []
        for name, value in zip(names, values, strict=True):
            if value is not None and name in date_columns:
                cell = WriteOnlyCell(ws, value=value.date() if isinstance(value, dt.datetime) else value)
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            elif value is not None and name in money_columns:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "#,##0.00"
                row.append(cell)
            else:
                row.append(value)
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    wb.properties.modified = created  # saving stamps the clock time: put the fixed one back
    core = tostring(wb.properties.to_tree())
    path.write_bytes(_fixed_zip(buffer.getvalue(), {"docProps/core.xml": core}))


def _fixed_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same zip with some entries replaced and every timestamp fixed, so output is reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, replace.get(info.filename) or src.read(info.filename))
    return out.getvalue()


def _yaml_str(text: str) -> str:
    """A YAML scalar for ``text``: plain when safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9_./][A-Za-z0-9_./ -]*", text) and not text.endswith(" "):
        return text if not re.fullmatch(r"(?i)null|true|false|yes|no|on|off|~|[0-9.]+", text) else json.dumps(text)
    return json.dumps(text, ensure_ascii=False)


if __name__ == "__main__":
    raise SystemExit(main())
