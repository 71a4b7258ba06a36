"""The CRM accounts export (``accounts.csv``): one row per client, with region, business category,
acquisition method, owner, dates and addressable market."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.sample.catalog import CATEGORIES
from generator.sample.writers import CrmExport, date_text, number_text, write_csv

if TYPE_CHECKING:
    from generator.sample.world import World

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
ACCOUNT_SUFFIXES = (
    "",
    " Inc.",
    ", Inc.",
    " LLC",
    " Ltd",
    " GmbH",
    " AB",
    " S.A.",
    " Group",
    " & Co.",
)

COLUMNS = {
    "client_id": "Account ID",
    "name": "Account Name",
    "region": "Billing Region",
    "category": "Industry",
    "acquisition": "Lead Source",
    "owner_rep_id": "Account Owner ID",
    "acquired": "Customer Since",
    "churned": "Churn Date",
    "market_size": "Addressable Market",
}
"""Export column of each canonical field, in file order."""


def account_names(rng: np.random.Generator, category: np.ndarray) -> pa.Array:
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


def write(world: World, path: Path) -> None:
    """Write the accounts as a plain CSV with ISO dates."""
    clients = world.tables["clients"]
    cells = {
        "client_id": clients["client_id"],
        "name": clients["name"],
        "region": clients["region"],
        "category": clients["category"],
        "acquisition": clients["acquisition"],
        "owner_rep_id": clients["owner_rep_id"],
        "acquired": date_text(clients["acquired"]),
        "churned": date_text(clients["churned"]),
        "market_size": number_text(clients["market_size"]),
    }
    write_csv(path, {COLUMNS[field]: cells[field] for field in COLUMNS})


EXPORT = CrmExport(
    "clients",
    "accounts.csv",
    COLUMNS,
    "CRM accounts export: one row per client (ISO dates).",
    write,
)
