"""Currency markers in amount cells (``$``, ``R$``, ``kr``, ``USD`` …), resolved with CLDR data from Babel.

The rule (documented in the README and on the methodology page): a marker is accepted when it is
the ISO 4217 code of the site currency (any letter case) or a symbol CLDR writes for the site currency in
any locale (``Rs`` and ``₹`` for INR, ``C$`` and ``$`` for CAD). So ``$`` is accepted for USD, CAD,
AUD, MXN …, ``kr`` for SEK, NOK and DKK, ``¥`` for JPY and CNY. Any other marker names another
currency (``JPY 10,000`` in a USD site) or none at all, and the cell is not read.
"""

from __future__ import annotations

import functools

import pycountry
from babel import Locale, localedata
from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision, list_currencies


def _fold(marker: str) -> str:
    # Spaces inside a symbol vary between exports ("US $"); letter case does not: "K" is a currency, "k" is not.
    return "".join(marker.split())


@functools.cache
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 code Babel knows."""
    return frozenset(list_currencies())


def _locale_symbols(identifiers: list[str], currency: str | None = None) -> dict[str, set[str]]:
    """Folded symbol -> ISO codes, over the given locales (only ``currency`` when given)."""
    found: dict[str, set[str]] = {}
    for identifier in identifiers:
        try:
            symbols = Locale.parse(identifier).currency_symbols
        except (ValueError, LookupError):  # pragma: no cover - a locale Babel lists but cannot load
            continue
        items = [(currency, symbols.get(currency, currency))] if currency else symbols.items()
        for code, symbol in items:
            found.setdefault(_fold(symbol), set()).add(code)
    return found


@functools.cache
def site_markers(currency: str) -> frozenset[str]:
    """Markers read as ``currency`` (spaces removed): its ISO code and its CLDR symbols where it is used."""
    currency = currency.upper()
    territories = {
        territory
        for territory, spans in get_global("territory_currencies").items()
        if any(code == currency and end is None for code, _start, end, *_rest in spans)
    }
    identifiers = [
        i for i in localedata.locale_identifiers() if i.rsplit("_", 1)[-1] in territories
    ]
    symbols = _locale_symbols([*identifiers, "en", "root"], currency)
    return frozenset({currency, *symbols})


ABBREVIATIONS: dict[str, frozenset[str]] = {
    "Rs.": frozenset({"INR", "PKR", "NPR", "LKR", "MUR", "SCR"}),
    "Bs.": frozenset({"BOB", "VES", "VEF"}),
    "S/.": frozenset({"PEN"}),
}
"""Abbreviations exports write that CLDR gives to fewer currencies: "Rs." is Sri Lanka's symbol in
CLDR and the usual way India, Pakistan and Nepal abbreviate their rupee ("Rs. 1,23,456.00"); "Bs."
is Bolivia's boliviano as well as Venezuela's; "S/." is the sol's traditional symbol."""


@functools.cache
def _all_symbols() -> dict[str, frozenset[str]]:
    # Every locale: about a second, paid only when a cell carries a marker of another currency.
    return {k: frozenset(v) for k, v in _locale_symbols(localedata.locale_identifiers()).items()}


@functools.cache
def marker_currencies(marker: str) -> tuple[str, ...]:
    """ISO codes a marker can stand for (sorted; empty when it is no currency marker at all).

    An abbreviation's dot (``R.``, ``Rp.``) names what the marker names without it, unless CLDR
    gives the dotted form to a currency of its own (``kr.``: DKK and ISK, never SEK) or it is one of
    ``ABBREVIATIONS`` (``Rs.``)."""
    code = "".join(marker.split()).upper()
    if code in iso_codes():
        return (code,)
    folded = _fold(marker)
    codes = set(_all_symbols().get(folded, ())) | ABBREVIATIONS.get(folded, frozenset())
    if not codes and _abbreviation(folded):
        return marker_currencies(folded[:-1])
    return tuple(sorted(codes))


def _abbreviation(folded: str) -> bool:
    """Whether a marker (spaces removed) is an abbreviation and its dot: letters (or ``S/``) then
    ".", not an ISO code. ``€.`` and ``USD.`` are no abbreviations: the dot is a decimal point
    written where a decimal comma is expected (``€.50``), never a marker's."""
    stem = folded[:-1]
    return (
        folded.endswith(".")
        and bool(stem)
        and (stem[-1].isalpha() or stem[-1] == "/")
        and stem.upper() not in iso_codes()
    )


@functools.cache
def is_currency_marker(marker: str) -> bool:
    """True when CLDR knows ``marker`` as a currency code or symbol in some locale, or it is one of
    ``ABBREVIATIONS``, or such a marker followed by an abbreviation's dot (``R.``)."""
    if "".join(marker.split()).upper() in iso_codes():
        return True
    folded = _fold(marker)
    if folded in ABBREVIATIONS:
        return True
    if _abbreviation(folded) and is_currency_marker(folded[:-1]):
        return True
    # Common symbols first; the scan of every locale stops at the first that writes this symbol.
    for identifier in ["en", "root", *localedata.locale_identifiers()]:
        if folded in _locale_symbols([identifier]):
            return True
    return False


@functools.cache
def is_site_marker(marker: str, currency: str) -> bool:
    """True when ``marker`` can mean the site currency: its ISO code, or a symbol CLDR writes for it.

    The symbols of the countries that use the currency are checked first (fast); a rarer spelling
    (``Rs`` for INR, ``C$`` for CAD) is then looked up in every CLDR locale, so a marker the message
    would name as the site currency is never refused.
    """
    currency = currency.upper()
    if _fold(marker).upper() == currency or _fold(marker) in site_markers(currency):
        return True
    return currency in marker_currencies(marker)


NAME_LOCALES = ("en", "de", "fr", "es", "pt", "it", "nl")
"""Languages whose currency names a ``currency`` column may hold (Dynamics 365 writes "US Dollar")."""


@functools.cache
def currency_names(currency: str) -> frozenset[str]:
    """The names of ``currency``, case-folded: ISO 4217's own (pycountry: "pound sterling", "yen")
    and CLDR's in NAME_LOCALES, singular and plural ("us dollar", "us dollars", "us-dollar",
    "dollar des états-unis", …)."""
    listed = pycountry.currencies.get(alpha_3=currency.upper())
    names = {listed.name} if listed is not None else set()
    for locale in NAME_LOCALES:
        for count in (None, 1, 2):
            try:
                names.add(" ".join(get_currency_name(currency, count=count, locale=locale).split()))
            except (ValueError, KeyError):
                continue
    return frozenset(name.casefold() for name in names if name)


@functools.cache
def _codes_by_name() -> dict[str, str]:
    by_name: dict[str, set[str]] = {}
    for code in list_currencies():
        for name in currency_names(code):
            by_name.setdefault(name, set()).add(code)
    return {name: next(iter(codes)) for name, codes in by_name.items() if len(codes) == 1}


def currency_of_name(name: str) -> str | None:
    """The ISO code a currency name stands for ("US Dollar": USD, "Euro": EUR), None when none or
    several do."""
    return _codes_by_name().get(" ".join(name.split()).casefold())


def names_site_currency(cell: str, currency: str) -> bool:
    """Whether a ``currency`` cell names the site currency: as a marker (``is_site_marker``) or by
    its name (``currency_names``)."""
    text = " ".join(cell.split())
    return is_site_marker(text, currency) or text.casefold() in currency_names(currency.upper())


def describe_marker(marker: str, currency: str) -> str | None:
    """The problem with a marker that is not the site currency's (None when it is)."""
    if is_site_marker(marker, currency):
        return None
    codes = marker_currencies(marker)
    if not codes:
        return f'has "{marker}", which is not a currency marker'
    named = (
        codes[0]
        if len(codes) == 1
        else f"{marker} ({', '.join(codes[:6])}{' …' if len(codes) > 6 else ''})"
    )
    return f"is in {named}, not the site currency {currency.upper()} (no conversion)"


@functools.cache
def minor_digits(currency: str) -> int:
    """Digits after the decimal mark in ``currency`` (CLDR): 2 for USD and EUR, 0 for JPY, 3 for KWD and TND."""
    return int(get_currency_precision(currency.upper()))
