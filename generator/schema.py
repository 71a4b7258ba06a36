"""Canonical datasets and their fields (SPEC §4), declared once for config, loading and docs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from generator.vocabulary import DEFAULT_GOAL_METRIC, GOAL_METRICS


class Kind(StrEnum):
    """How a field's text is converted (rules documented on the methodology page)."""

    TEXT = "text"
    MONEY = "money"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"


@dataclass(frozen=True)
class Field:
    """One canonical field of a dataset."""

    name: str
    kind: Kind
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Dataset:
    """One canonical dataset: its fields, and whether the build needs it."""

    name: str
    fields: tuple[Field, ...]
    required: bool = False
    doc: str = ""

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


T, M, N, INT, D = Kind.TEXT, Kind.MONEY, Kind.NUMBER, Kind.INTEGER, Kind.DATE

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "deals",
            (
                Field("deal_id", T, True, "unique id of the opportunity"),
                Field("rep_id", T, True, "the rep who owns the deal"),
                Field("amount", M, True, "deal value in the site currency"),
                Field("stage", T, True, "CRM stage; won/lost per won_stages/lost_stages"),
                Field("closed", D, True, "close date (may be empty on open deals)"),
                Field("client_id", T, False, "the client (account) the deal is with"),
                Field("created", D, False, "creation date, for the sales cycle"),
                Field("acquisition", T, False, "acquisition method; overrides the client's"),
                Field("product", T, False, "product or product line"),
                Field("currency", T, False, "currency code; rows in another currency are reported"),
            ),
            required=True,
            doc="one row per opportunity (won, lost or open)",
        ),
        Dataset(
            "clients",
            (
                Field("client_id", T, True, "unique id of the client"),
                Field("name", T, False, "display name"),
                Field("region", T, False, "sales region"),
                Field("category", T, False, "business category (industry)"),
                Field("acquisition", T, False, "how the client was acquired"),
                Field("owner_rep_id", T, False, "owning rep, for attribution: owner"),
                Field("acquired", D, False, "date the client was acquired"),
                Field("churned", D, False, "date the client left"),
                Field("market_size", M, False, "size of the client's market"),
            ),
            doc="one row per client (account)",
        ),
        Dataset(
            "reps",
            (
                Field("rep_id", T, True, "unique id of the rep (drives the permalink)"),
                Field("name", T, False, "display name"),
                Field("team", T, False, "current team"),
                Field("manager", T, False, "the team's manager"),
                Field("region", T, False, "the rep's region"),
                Field("hired", D, False, "hire date"),
                Field("left", D, False, "leaving date (empty while employed)"),
            ),
            doc="one row per rep (HR or CRM users export)",
        ),
        Dataset(
            "costs",
            (
                Field("rep_id", T, True, "the rep"),
                Field("year", INT, True, "fiscal year"),
                Field("salary", M, True, "gross salary for the year"),
                Field("taxes", M, False, "employer taxes and charges"),
                Field("expenses", M, False, "travel and other expenses"),
                Field("other", M, False, "any other cost"),
            ),
            doc="one row per rep and fiscal year",
        ),
        Dataset(
            "goals",
            (
                Field("scope", T, True, "rep or team"),
                Field("id", T, True, "rep id or team name"),
                Field("year", INT, True, "fiscal year"),
                Field("target", N, True, "target value"),
                Field(
                    "metric",
                    T,
                    False,
                    f"{DEFAULT_GOAL_METRIC} (default), {', '.join(GOAL_METRICS[1:])}",
                ),
                Field("reward", T, False, "reward for meeting the goal"),
            ),
            doc="one row per goal",
        ),
        Dataset(
            "coaching",
            (
                Field("rep_id", T, True, "the coached rep"),
                Field("start", D, True, "first day"),
                Field("end", D, False, "last day"),
                Field("kind", T, False, "coaching or training kind"),
                Field("hours", N, False, "hours spent"),
                Field("cost", M, False, "cost, counted in the rep's annual cost"),
            ),
            doc="one row per coaching or training engagement",
        ),
        Dataset(
            "activities",
            (
                Field("rep_id", T, True, "the rep"),
                Field("date", D, True, "day of the activity"),
                Field("kind", T, True, "call, email, meeting, demo, ..."),
                Field("count", INT, False, "how many (default 1)"),
            ),
            doc="one row per rep, day and activity kind",
        ),
        Dataset(
            "memberships",
            (
                Field("rep_id", T, True, "the rep"),
                Field("team", T, True, "the team the rep belonged to"),
                Field("start", D, True, "first day in the team"),
                Field(
                    "manager",
                    T,
                    False,
                    "the rep's manager in that period (default: the team's manager in the reps export)",
                ),
                Field("end", D, False, "last day in the team (empty: still there)"),
            ),
            doc="one row per rep and period in a team: team and manager over time",
        ),
    )
}


def fold_stage(label: object) -> str:
    """A stage as compared with won_stages and lost_stages (SPEC §4: case- and space-insensitive): its
    letters and digits only, in lower case, so ``Closed Won``, ``closedwon`` (HubSpot's internal
    value), ``CLOSED_WON`` and ``Closed-Won`` match."""
    text = str(label).casefold()
    # "-" stays "-", not ""
    return "".join(c for c in text if c.isalnum()) or " ".join(text.split())


_WON_WORDS = frozenset(
    {
        "won",
        "ganho",
        "ganha",
        "ganado",
        "ganada",
        "gewonnen",
        "gagne",
        "gagné",
        "gagnée",
        "vinto",
        "vinta",
        "closedwon",
    }
)
_LOST_WORDS = frozenset(
    {
        "lost",
        "perdido",
        "perdida",
        "perdu",
        "perdue",
        "verloren",
        "perso",
        "persa",
        "closedlost",
    }
)
"""A stage label reads as won or lost when it starts with one of these words (both genders, as an
opportunity is feminine in Spanish, Portuguese, French and Italian), after an optional word for
"closed" or "deal" ("Won - Signed", "Closed/Lost", "closedwon", "Deal Won", "Ganho", Salesforce's
Spanish "Cerrada ganada"): a word further in is too often something else ("Not Won", "Re-engage
(was Lost)", "Won't proceed")."""

_STAGE_PREFIXES = frozenset(
    {
        "closed",
        "deal",
        "cerrada",
        "cerrado",
        "fechada",
        "fechado",
        "fermé",
        "fermée",
        "geschlossen",
        "chiusa",
        "chiuso",
    }
)
"""Words for "closed" (English, Spanish, Portuguese, French, German, Italian) or "deal" that may
come before the won or lost word of a stage label."""

_STAGE_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
"""A word of a stage label: letters and digits, with an apostrophe inside ("won't" is one word)."""


STAGE_NEAR_CUTOFF = 0.9
"""How alike (difflib's ratio of the folded labels, 0–1) an open stage must be to a won or lost
label to be taken for a misspelling of it: ``Verlorn`` and ``Verloren`` 0.93, ``Gewonen`` and
``Gewonnen`` 0.93; ``Contract Sent`` and ``Contract Signed`` 0.86 are two stages."""

STAGE_NEAR_MIN_LENGTH = 7
"""Folded labels shorter than this are never taken for misspellings: among short words one letter
is another word (``Pedido``, an order, beside ``Perdido``, lost; ``Ganando`` beside ``Ganado``)."""


def stage_near(
    label: object, won: tuple[str, ...], lost: tuple[str, ...]
) -> tuple[str, str] | None:
    """``("won" or "lost", the label it resembles)`` when ``label`` looks like a misspelling of one
    of the ``won`` or ``lost`` labels: their folded forms (``fold_stage``) both at least
    STAGE_NEAR_MIN_LENGTH long and alike by at least STAGE_NEAR_CUTOFF; else None. Only a hint for
    labels in neither list, as ``stage_looks`` is."""
    key = fold_stage(label)
    if len(key) < STAGE_NEAR_MIN_LENGTH:
        return None
    candidates: dict[str, tuple[str, str]] = {}
    for kind, labels in (("won", won), ("lost", lost)):
        for known in labels:
            folded = fold_stage(known)
            if len(folded) >= STAGE_NEAR_MIN_LENGTH:
                candidates.setdefault(folded, (kind, str(known)))
    candidates.pop(key, None)
    for match in difflib.get_close_matches(key, list(candidates), n=3, cutoff=STAGE_NEAR_CUTOFF):
        if not _other_stage(key, match):
            return candidates[match]
    return None


_NEGATIONS = ("un", "non", "not", "no", "dis", "in")
"""Prefixes that make a stage the opposite of another (``Qualified``, ``Unqualified``)."""

_DIGITS = re.compile(r"\d+")


def _other_stage(a: str, b: str) -> bool:
    """Whether two folded labels alike enough to be a misspelling are two stages all the same: one
    is the other negated (``qualified``, ``unqualified``; ``calificado``, ``nocalificado``), or their
    numbers differ (``stage6closed``, ``stage7closed``)."""
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if any(longer == prefix + shorter for prefix in _NEGATIONS):
        return True
    return _DIGITS.findall(a) != _DIGITS.findall(b)


def stage_looks(label: object) -> str | None:
    """``"won"`` or ``"lost"`` when a stage label reads as one (``Won - Signed``, ``Lost - No
    Budget``, ``Closed/Lost``, ``closedwon``, ``Ganho``), else None: its first word, after an
    optional "closed" or "deal", is a word for won or lost. Only a hint for labels in neither
    ``won_stages`` nor ``lost_stages``: the lists decide."""
    words = _STAGE_WORD.findall(str(label).casefold())
    if words[:1] and words[0] in _STAGE_PREFIXES:
        words = words[1:]
    first = words[0] if words else ""
    return "won" if first in _WON_WORDS else "lost" if first in _LOST_WORDS else None
