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

    salesperf sample --out data/sample --config config/example.yaml

Layout: ``world`` draws the company; one module per export (``deals``, ``clients``, ``reps``,
``costs``, ``goals``, ``coaching``, ``activities``) draws what only it needs and writes its file;
``writers`` holds the CSV, workbook and Parquet helpers; ``exports`` runs them; ``config`` writes
the config that reads them.
"""

from __future__ import annotations

from generator.sample.catalog import COMPANY
from generator.sample.config import write_config
from generator.sample.deals import FOOTER_LINES
from generator.sample.exports import (
    CRM_COLUMNS,
    CRM_EXPORTS,
    FILES,
    Format,
    default_deals,
    generate,
)

__all__ = [
    "COMPANY",
    "CRM_COLUMNS",
    "CRM_EXPORTS",
    "FILES",
    "FOOTER_LINES",
    "Format",
    "default_deals",
    "generate",
    "write_config",
]
