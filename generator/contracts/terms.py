"""The column vocabulary: every column name that crosses a stage, with its kind, once (SPEC §4–§6).

A name means the same thing in every table it appears in: ``win_rate`` is a fraction in [0, 1]
wherever it is, ``won_deals`` a non-negative integer, ``revenue`` money. Table contracts
(``generator.contracts.tables``) list column names; their types and ranges come from here. A
published figure's kind comes from its entry in the metric registry
(``generator.metrics.definitions``: its unit, or its ``kind``, ``low`` and ``high``); only the columns
that are no published figure (export fields, provenance) are declared in this module.
Plain Python: importing this module costs nothing (pandera is imported only to validate).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds; each kind has one dtype family and one set of checks (see ``validate``)."""

    ID = "id"
    """Text key, never empty (rep_id, client_id, deal_id, a team or segment name used as a key)."""
    TEXT = "text"
    """Any text, or empty."""
    DATE = "date"
    """A calendar day (datetime64 in memory; YYYY-MM-DD text in published files)."""
    YEAR = "year"
    """A fiscal year, an integer between 1900 and 2200."""
    QUARTER = "quarter"
    """A fiscal quarter, 1 to 4."""
    COUNT = "count"
    """A number of things: an integer ≥ 0, always known (0, never empty)."""
    ROW = "row"
    """A line number in an export file, ≥ 1; empty when the row has no line (a rep only in the deals)."""
    MONEY = "money"
    """Currency units, unrounded, finite (may be negative: credit notes); empty when unknown."""
    RATE = "rate"
    """A fraction of counts in [0, 1] (0.25, never 25); empty when it cannot be computed."""
    NUMBER = "number"
    """Any other finite figure (a ratio, days, hours, a relative change); empty when unknown."""
    FLAG = "flag"
    """True or false; empty when unknown."""


NULLABLE_BY_DEFAULT = frozenset(
    {Kind.TEXT, Kind.DATE, Kind.ROW, Kind.MONEY, Kind.RATE, Kind.NUMBER, Kind.FLAG}
)
"""Kinds whose cells may be empty unless a table says otherwise; ids, years, quarters and counts may not."""


@dataclass(frozen=True)
class Term:
    """One column name's meaning: its kind and, for numbers, the range it must lie in."""

    kind: Kind
    doc: str = ""
    low: float | None = None
    high: float | None = None


ID, T, D, Y, R, M, F = Kind.ID, Kind.TEXT, Kind.DATE, Kind.YEAR, Kind.ROW, Kind.MONEY, Kind.FLAG

_OWN: dict[str, Term] = {
    # Columns of the loaded exports and of internal tables that the site never shows as a figure.
    "deal_id": Term(ID, "the opportunity's id"),
    "acquisition": Term(T, "how a client or deal was acquired"),
    "stage": Term(T, "the CRM stage as exported"),
    "product": Term(T, "product or product line"),
    "currency": Term(T, "an ISO 4217 currency code"),
    "owner_rep_id": Term(T, "the client's owning rep"),
    "acquirer": Term(T, "the rep credited with a client (SPEC §5 attribution)"),
    "_file": Term(T, "provenance: the export file a row came from"),
    "closed": Term(D, "close date"),
    "created": Term(D, "creation date"),
    "churned": Term(D, "date the client left"),
    "acquired_year": Term(Y, "fiscal year of the client's acquisition"),
    "_row": Term(R, "provenance: the row's line in its export file"),
    "amount": Term(M),
    "salary": Term(M),
    "taxes": Term(M),
    "expenses": Term(M),
    "other": Term(M),
    "cost": Term(M),
    "in_reps_file": Term(F),
}

_UNIT_KIND = {
    "money": Kind.MONEY,
    "count": Kind.COUNT,
    "date": Kind.DATE,
    "flag": Kind.FLAG,
    "text": Kind.TEXT,
    "fraction": Kind.NUMBER,
    "change": Kind.NUMBER,
    "points": Kind.NUMBER,
    "ratio": Kind.NUMBER,
    "days": Kind.NUMBER,
    "number": Kind.NUMBER,
}
"""The kind a figure's unit implies; a figure may say otherwise (``Figure.kind``: a rate, an id …)."""


def _from_registry() -> dict[str, Term]:
    from generator.metrics.definitions import FIGURES

    return {
        name: Term(
            Kind(figure.kind) if figure.kind else _UNIT_KIND[figure.unit.value],
            figure.label,
            figure.low,
            figure.high,
        )
        for name, figure in FIGURES.items()
    }


TERMS: dict[str, Term] = {**_from_registry(), **_OWN}
"""Every column name used by a contract, and what it means."""


def term(name: str) -> Term:
    """The term of a column name; KeyError names the column (add it to TERMS)."""
    try:
        return TERMS[name]
    except KeyError:
        raise KeyError(
            f"column {name!r} has no term: add a Figure to generator/metrics/definitions.py "
            "(a published figure) or an entry to _OWN in generator/contracts/terms.py"
        ) from None
