"""Escaping and number formatting for generated Markdown (SPEC §7: data text is always shown as text)."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

import babel
import babel.numbers
import pandas as pd
from slugify import slugify as python_slugify

from generator.errors import BuildError


class Markdown(str):
    """Markdown produced by salesperf itself: templates emit it as is (everything else is escaped)."""

    __slots__ = ()


_SAFE_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.;:%/()")
_ENTITIES = {code: f"&#{code};" for code in range(128) if chr(code) not in _SAFE_ASCII} | {
    code: f"&#{code};" for code in range(0xE000, 0xE004)
}
"""Every ASCII character Markdown or HTML could read as syntax, and the private-use characters that
mark salesperf's own HTML blocks while a page is rendered (``generator.site.fragments``,
``generator.site.prerender``), as numeric entities."""


def escape(value: object) -> str:
    """Data text for Markdown and HTML: every character that Markdown or HTML could read as
    syntax becomes a numeric entity, so ``<script>`` or ``**x**`` shows exactly as typed."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split()).translate(_ENTITIES)  # a line break would end a table row


def missing(value: object) -> bool:
    """True for an empty cell of any kind: None, <NA>, NaT or NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):  # the usual cell, np.float64 included: pd.isna takes 10× longer
        return math.isnan(value)
    if isinstance(value, int | str):
        return False
    try:
        # pandas-stubs take only known scalars and containers; a cell may be any object.
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


EMPTY = "—"


LOCALE = "en"
"""The locale of every number on the pages (CLDR data through Babel): "," groups thousands, "." marks
decimals, K/M/B/T abbreviate, the currency symbol comes first ("$3.8B", "€3.8B", "SEK3.8B")."""

COMPACT_DIGITS = 1
"""Decimals a compact amount keeps at most ("$101.3M"); a trailing zero is dropped ("$1M", not "$1.0M")."""


def money(value: object, currency: str | None = None) -> str:
    """Whole currency units with thousands separators: ``1,234,568`` in a table whose header names the
    currency; with ``currency`` its symbol too, ``$1,234,568`` (Babel ``format_currency``, locale en).

    Both are Babel's en format (``format_decimal(value, "#,##0")``, ``format_currency(value, currency,
    "¤#,##0", currency_digits=False)``) written as a format string: a figure is written thousands of
    times a build, and Babel takes 40× longer (tests/test_overview.py checks they agree). The data
    files keep the exact figure."""
    if missing(value):
        return EMPTY
    amount = float(value)  # type: ignore[arg-type]
    if currency is None:
        return f"{amount:,.0f}"
    if not abs(amount) < EXACT_FLOATS:
        return babel.numbers.format_currency(
            amount, currency, "¤#,##0", locale=LOCALE, currency_digits=False
        )
    digits = f"{amount:,.0f}"
    # Babel writes the sign before the symbol ("-$1,234"), and keeps it when the amount rounds to 0.
    sign = "-" if digits.startswith("-") else ""
    return f"{sign}{_currency_symbol(currency)}{digits.removeprefix('-')}"


EXACT_FLOATS = 2.0**53
"""Below this, a float's shortest decimal form (which Babel rounds, half to even) is on the same side of
every half as the float itself (which a format string rounds): both write the same whole number."""


@cache
def _currency_symbol(currency: str) -> str:
    """The symbol ``format_currency`` writes for ``¤`` (locale en): ``$``, ``€``, ``SEK``."""
    return babel.numbers.get_currency_symbol(currency, locale=LOCALE)


def compact_money(value: object, currency: str) -> str:
    """Money in the site's one compact form (Babel ``format_compact_currency``, locale en, at most one
    decimal, rounded half to even): every compact amount on the pages comes from here.

    In USD: 3_800_000_000 → ``$3.8B``; 101_272_100.17 → ``$101.3M``; 302_563.21 → ``$302.6K``;
    1_250_000 → ``$1.2M`` (half to even); 999_950 → ``$1M`` (rounding carries into the next unit);
    950 → ``$950``; 999.6 → ``$1K`` (under 1,000: whole units); 0 → ``$0``; -4_200_000 → ``-$4.2M``.
    Other currencies: EUR → ``€3.8B``, GBP → ``£3.8B``, SEK → ``SEK3.8B`` (CLDR's symbol for the
    locale). Missing or not finite → ``—``. ``compact_steps`` gives the units, for chart axes."""
    if missing(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return EMPTY
    amount = float(value)  # type: ignore[arg-type]
    if abs(amount) < 1000:
        # below the first unit CLDR keeps the currency's cents; a page shows whole units
        amount = round(amount)
    for unit, bigger in itertools.pairwise(_UNITS):
        # Babel before 2.19 writes 999_950 as "$1000K": carry into the next unit as CLDR says.
        if (
            unit <= abs(amount) < bigger
            and round(Decimal(repr(abs(amount))) / unit, COMPACT_DIGITS) * unit >= bigger
        ):
            amount = math.copysign(bigger, amount)
    return babel.numbers.format_compact_currency(
        amount, currency, locale=LOCALE, fraction_digits=COMPACT_DIGITS
    )


@dataclass(frozen=True)
class CompactSteps:
    """How ``compact_money`` abbreviates, for a chart axis that must write amounts the same way."""

    symbol: str
    """The currency symbol written before the number (``$``; ``SEK`` where CLDR has no symbol)."""
    steps: tuple[tuple[int, str], ...]
    """(unit, suffix) from the smallest: ``((1000, "K"), (10**6, "M"), (10**9, "B"), (10**12, "T"))``.
    An amount of at least ``unit`` (after rounding) is divided by the largest such unit."""
    fraction_digits: int
    """Decimals kept at most (1), a trailing zero dropped; rounded half to even."""


def compact_steps(currency: str) -> CompactSteps:
    """The units, suffixes and symbol ``compact_money`` uses for ``currency`` (read from Babel's CLDR
    data for the locale, not restated here). In USD: symbol ``$``, steps K, M, B, T at 10³, 10⁶, 10⁹,
    10¹²; an axis label expression that divides by the largest step not above ``abs(value)``, keeps
    one decimal without a trailing zero and writes the symbol first (``-$4.2M``) matches the pages.
    Only exact halves can differ: Babel rounds the decimal half to even (1_250_000 → ``$1.2M``), while
    JavaScript's ``toFixed`` rounds the binary value (``(1.25).toFixed(1)`` is ``"1.3"``)."""
    patterns = babel.Locale.parse(LOCALE).compact_currency_formats["short"]["other"]
    steps: dict[int, str] = {}
    for magnitude, pattern in sorted(patterns.items(), key=lambda item: int(item[0])):
        shape = pattern.pattern.split(";")[0]
        unit = int(magnitude) // 10 ** (shape.count("0") - 1)
        steps.setdefault(unit, shape.replace("¤", "").replace("0", "").strip())
    symbol = babel.numbers.get_currency_symbol(currency, locale=LOCALE)
    return CompactSteps(symbol, tuple(sorted(steps.items())), COMPACT_DIGITS)


_UNITS = (1, *(unit for unit, _suffix in compact_steps("XXX").steps))
"""1 and the compact units (10³, 10⁶, 10⁹, 10¹²), for the carry in ``compact_money``."""


BREAK_EVEN = 1.0
"""The boundary every ratio and rate is read against: a value ratio of 1 (clients worth one year of
cost), 100 % attainment or pace."""

_MAX_DIGITS = 60
"""Enough decimals to write any float near 1 exactly, so the search for a safe rounding always ends."""


def side_safe(
    value: float, scale: int, digits: int, boundaries: Iterable[float], tolerance: float = 0.0
) -> str:
    """``value × scale`` with ``digits`` decimals, or more when fewer would round it across a boundary.

    A figure beside a status word must agree with it: 0.9999 attainment is "missed", so it shows as
    99.99 (never 100.0); a value ratio of 0.996 is below break-even, so it shows as 0.996 (never
    1.00). For every boundary ``b`` the shown number ``s`` satisfies ``s ≥ b × scale`` exactly when
    ``value + tolerance ≥ b`` (the comparison the status words use, e.g. goals' float tolerance; ``b``
    read as the decimal it is written as).
    """
    limits = [(b, Decimal(repr(float(b))) * scale) for b in boundaries]

    def agrees(shown: str) -> bool:
        return all((Decimal(shown) >= limit) == (value + tolerance >= b) for b, limit in limits)

    for places in range(digits, digits + 8):  # the usual case: plain float formatting
        shown = f"{value * scale:.{places}f}"
        if agrees(shown):
            return shown
    exact = Decimal(value) * scale  # a float is an exact binary fraction: no rounding here
    for places in range(digits + 8, _MAX_DIGITS):  # within 1e-9 of a boundary: the exact decimal
        shown = str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
        if agrees(shown):
            return shown
    return str(exact)


def ordered(
    a: float, b: float, scale: int, digits: int, boundaries: Iterable[float] = ()
) -> tuple[str, str]:
    """Two figures compared in words ("below", "beats"), each with ``digits`` decimals or the fewest
    more that show them in their true order (never the same text for different values), and each on
    its side of every boundary, as in ``side_safe``."""
    limits = [(bound, Decimal(repr(float(bound))) * scale) for bound in boundaries]

    def agrees(value: float, shown: Decimal) -> bool:
        return all((shown >= limit) == (value >= bound) for bound, limit in limits)

    for places in range(digits, _MAX_DIGITS):
        first, second = f"{a * scale:.{places}f}", f"{b * scale:.{places}f}"
        x, y = Decimal(first), Decimal(second)
        if (x < y) == (a < b) and (x > y) == (a > b) and agrees(a, x) and agrees(b, y):
            return first, second
    return str(Decimal(a) * scale), str(Decimal(b) * scale)


def ratio(value: object, boundaries: Iterable[float] = (BREAK_EVEN,)) -> str:
    """A value ratio with two decimals (more when two would round it across break-even, 1.0); a band
    (``1–2``, privacy.rep_value_ratios: band) as it is."""
    if isinstance(value, str):
        return escape(value)
    if missing(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return EMPTY if missing(value) else f"{float(value):.2f}"  # type: ignore[arg-type]
    return side_safe(float(value), 1, 2, boundaries)  # type: ignore[arg-type]


def percent(
    value: object, boundaries: Iterable[float] = (BREAK_EVEN,), tolerance: float = 0.0
) -> str:
    """A fraction as a percentage with one decimal, more when one would round it across a boundary
    (100 % by default: 0.9999 shows as 99.99 %, never 100.0 %)."""
    if missing(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return EMPTY if missing(value) else f"{float(value) * 100:.1f} %"  # type: ignore[arg-type]
    return f"{side_safe(float(value), 100, 1, boundaries, tolerance)} %"  # type: ignore[arg-type]


def percent_against(boundaries: Iterable[float], tolerance: float = 0.0) -> Callable[[object], str]:
    """A ``percent`` formatter that keeps every figure on its side of each of ``boundaries`` (and of
    100 %), compared as ``value + tolerance ≥ boundary``: for attainment against reward tiers, pace
    against ``goals.at_risk_from``."""
    kept = tuple(sorted({BREAK_EVEN, *(float(b) for b in boundaries)}))
    return lambda value: percent(value, kept, tolerance)


def signed(value: float, scale: int = 100, digits: int = 1) -> str:
    """``value × scale`` with its sign and ``digits`` decimals, more when fewer would round it to 0:
    a change's boundary is 0 (an interval that excludes 0 never shows "+0.0 %" at its end), so a
    figure above 0 always shows above it, one below always below."""
    if not math.isfinite(value) or value == 0:
        return f"{abs(value) * scale if value == 0 else value * scale:+.{digits}f}"
    for places in range(digits, _MAX_DIGITS):
        shown = f"{value * scale:+.{places}f}"
        if Decimal(shown) != 0:
            return shown
    return f"{Decimal(value) * scale:+}"


def change(value: object) -> str:
    """A relative change with its sign (one decimal, more when one would show it as 0: see ``signed``)."""
    return EMPTY if missing(value) else f"{signed(float(value))} %"  # type: ignore[arg-type]


def points(value: object) -> str:
    """A difference of two rates, in percentage points (one decimal, more when one would show 0)."""
    return EMPTY if missing(value) else f"{signed(float(value))} pts"  # type: ignore[arg-type]


def integer(value: object) -> str:
    """A count with thousands separators."""
    return EMPTY if missing(value) else f"{int(value):,}"  # type: ignore[call-overload]


def number(value: object, digits: int = 0) -> str:
    """A plain number."""
    return EMPTY if missing(value) else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def day(value: object) -> str:
    """A date as YYYY-MM-DD."""
    return EMPTY if missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")  # type: ignore[arg-type]


SLUG_MAX = 64
"""Longest slug: a long id keeps a readable prefix, then the hash (file names stay far below 255 bytes)."""

SLUG_HASH_CHARS = 10
"""Hex characters of the id's hash in a slug (40 bits; a collision in one build stops the build)."""

RESERVED_SLUGS = frozenset(
    {
        "index",
        "assets",
        "data",
        "search",
        "404",
        "sitemap",
        "sitemap-xml",
        "javascripts",
        "stylesheets",
        "reps",
        "teams",
        "managers",
        "regions",
        "categories",
        "channels",
        "goals",
        "coaching",
        "forecast",
        "activity",
        "trends",
        "methodology",
        "data-quality",
    }
)
"""Names of a section's own pages and folders: no entity may take one (SPEC §6)."""

_VERBATIM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HASHED = re.compile(rf".*-[0-9a-f]{{{SLUG_HASH_CHARS}}}")


def id_hash(identifier: str) -> str:
    """The first hex characters of the SHA-256 of the exact id (case and punctuation included)."""
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:SLUG_HASH_CHARS]


def slug(identifier: str, kind: str = "id") -> str:
    """The URL slug of an entity (SPEC §6): a function of its id alone, the same on every build.

    An id that is already a plain lowercase slug (``jsmith``, ``12345``, ``north-east``) is its own
    slug. Any other id gets a readable prefix transliterated by python-slugify (or ``kind`` when
    nothing readable is left) and a hash of the exact id, so ``0058d000004KLmA`` and
    ``0058d000004KLma`` differ. A plain id that could be mistaken for a hashed slug, is too long,
    or is a section's own name (``index``, ``data``, …) is hashed too: the two forms never meet.
    """
    if (
        len(identifier) <= SLUG_MAX
        and _VERBATIM.fullmatch(identifier)
        and identifier not in RESERVED_SLUGS
        and not _HASHED.fullmatch(identifier)
    ):
        return identifier
    readable = python_slugify(identifier, max_length=SLUG_MAX - SLUG_HASH_CHARS - 1) or kind
    return f"{readable}-{id_hash(identifier)}"


def entity_slugs(identifiers: Iterable[str], kind: str = "id") -> dict[str, str]:
    """Each id's slug; two ids whose slugs meet (a 40-bit hash collision) stop the build, never share a page."""
    slugs: dict[str, str] = {}
    owner: dict[str, str] = {}
    for identifier in dict.fromkeys(identifiers):
        value = slug(identifier, kind)
        if value in owner:
            raise BuildError(
                f"{kind} ids {owner[value]!r} and {identifier!r} have the same slug {value!r}; "
                "rename one of them"
            )
        owner[value] = identifier
        slugs[identifier] = value
    return slugs


def legacy_slug(identifier: str) -> str:
    """The slug of salesperf up to 0.1 (lowercase, runs of other characters as one dash); empty when
    nothing is left. Kept only to find the addresses those builds published, which now redirect."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", identifier.strip().lower())).strip("-")


def _legacy_hash(identifier: str) -> str:
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:8]


def legacy_slugs(identifiers: Iterable[str], prefix: str = "id") -> dict[str, tuple[str, ...]]:
    """Every address the 0.1 scheme could have given these ids: old slug → the ids that may have had it.

    The old scheme depended on the other ids of a build: an id had ``legacy_slug(id)`` when alone,
    ``legacy_slug(id)-<hash>`` when another id of the same build shared that form (or when the form was
    ``index``), ``<prefix>-<hash>`` when nothing was left. An id alone in January and joined by its
    lowercase twin in February had the plain form then: both forms are listed.
    """
    claims: dict[str, list[str]] = {}
    ids = list(dict.fromkeys(identifiers))
    shared: dict[str, int] = {}
    for identifier in ids:
        shared[legacy_slug(identifier)] = shared.get(legacy_slug(identifier), 0) + 1
    for identifier in ids:
        plain = legacy_slug(identifier)
        forms = [plain] if plain else [f"{prefix}-{_legacy_hash(identifier)}"]
        if plain and ((shared[plain] > 1 and identifier != plain) or plain == "index"):
            forms.append(f"{plain}-{_legacy_hash(identifier)}")
        for form in forms:
            claims.setdefault(form, []).append(identifier)
    return {form: tuple(owners) for form, owners in claims.items()}
