"""Escaping and number formatting for generated Markdown (SPEC §7: data text is always shown as text)."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable

import pandas as pd


class Markdown(str):
    """Markdown produced by salesperf itself: templates emit it as is (everything else is escaped)."""

    __slots__ = ()


_SAFE_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.;:%/()")
_ENTITIES = {code: f"&#{code};" for code in range(128) if chr(code) not in _SAFE_ASCII}
"""Every ASCII character Markdown or HTML could read as syntax, as a numeric entity."""


def escape(value: object) -> str:
    """Data text for Markdown and HTML: every character that Markdown or HTML could read as
    syntax becomes a numeric entity, so ``<script>`` or ``**x**`` shows exactly as typed."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split()).translate(_ENTITIES)  # a line break would end a table row


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


EMPTY = "—"


def money(value: object) -> str:
    """Whole currency units with thousands separators (the CSV keeps the exact figure)."""
    return EMPTY if _missing(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def short_money(value: object) -> str:
    """Compact money for headline figures: 1.2M, 350k."""
    if _missing(value):
        return EMPTY
    amount = float(value)  # type: ignore[arg-type]
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"{amount / limit:,.1f}{suffix}"
    return f"{amount:,.0f}"


def ratio(value: object) -> str:
    """A value ratio with two decimals."""
    return EMPTY if _missing(value) else f"{float(value):.2f}"  # type: ignore[arg-type]


def percent(value: object) -> str:
    """A fraction as a percentage."""
    return EMPTY if _missing(value) else f"{float(value) * 100:.1f} %"  # type: ignore[arg-type]


def change(value: object) -> str:
    """A relative change with its sign."""
    return EMPTY if _missing(value) else f"{float(value) * 100:+.1f} %"  # type: ignore[arg-type]


def points(value: object) -> str:
    """A difference of two rates, in percentage points."""
    return EMPTY if _missing(value) else f"{float(value) * 100:+.1f} pts"  # type: ignore[arg-type]


def integer(value: object) -> str:
    """A count with thousands separators."""
    return EMPTY if _missing(value) else f"{int(value):,}"  # type: ignore[call-overload]


def number(value: object, digits: int = 0) -> str:
    """A plain number."""
    return EMPTY if _missing(value) else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def day(value: object) -> str:
    """A date as YYYY-MM-DD."""
    return EMPTY if _missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")  # type: ignore[arg-type]


def slugify(identifier: str) -> str:
    """Lowercase ``[a-z0-9-]`` form of an id; empty when nothing is left."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", identifier.strip().lower())).strip("-")


def short_hash(identifier: str) -> str:
    """Eight hex characters derived from the id alone (stable across builds)."""
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:8]


def stable_slugs(identifiers: Iterable[str], prefix: str = "id") -> dict[str, str]:
    """Distinct, stable URL slugs (SPEC §6), derived from each id only.

    An id that is already its own slug (``r001``) keeps it; ids whose slug would be empty, or that
    collide with another id's slug, get a suffix from a hash of the id itself, so the same id keeps
    the same slug on every build. The one id that equals the shared slug exactly keeps the plain form.
    """
    ids = list(dict.fromkeys(identifiers))
    base = {i: slugify(i) for i in ids}
    owners: dict[str, list[str]] = {}
    for identifier, slug in base.items():
        owners.setdefault(slug, []).append(identifier)
    slugs: dict[str, str] = {}
    for identifier, slug in base.items():
        if not slug:
            slugs[identifier] = f"{prefix}-{short_hash(identifier)}"
        elif len(owners[slug]) == 1 or identifier == slug:
            slugs[identifier] = slug
        else:
            slugs[identifier] = f"{slug}-{short_hash(identifier)}"
    return slugs
