"""``salesperf init DIR --from EXPORTS/``: recognise each export by its headers and write a config that maps it."""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from babel import Locale
from babel.numbers import get_currency_symbol, get_territory_currencies

from generator.config import ReadOptions, SiteConfig
from generator.errors import DataError, UsageError
from generator.layouts import HeaderMatch, best_match
from generator.load.currency import currency_of_name, is_site_marker, marker_currencies
from generator.load.parse import convert_column
from generator.load.readers import HEADER_SCAN_ROWS, is_report_note, is_total_row, read_head
from generator.schema import DATASETS, Kind, fold_stage, stage_looks, stage_near

SAMPLE_ROWS = 200
"""Data rows read after the header to see stage labels, dates and currencies."""
NOT_EXPORTS = frozenset(
    {
        ".yaml",
        ".yml",
        ".md",
        ".json",
        ".py",
        ".toml",
        ".ini",
        ".cfg",
        ".log",
        ".pdf",
        ".png",
        ".jpg",
    }
)
"""Suffixes of files that sit beside exports (configs, notes) and are never one."""
GENERIC_DATE_FORMATS = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%d %b %Y",
)


@dataclass(frozen=True)
class TableSample:
    """The first non-blank rows of one export (one sheet of a workbook), cells as read, and how it was read."""

    path: Path
    rows: tuple[tuple[Any, ...], ...]
    lines: tuple[int, ...] = ()
    """Each row's number as ``options.header_row`` counts it (CSV line, sheet row)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Read options needed beyond the defaults (encoding, sheet)."""
    footer: int = 0
    """Report-footer lines (CSV) or rows (workbook) at the end of the file."""


@dataclass(frozen=True)
class RecognisedExport:
    """One export recognised as a dataset of a known layout, with what the config needs to read it."""

    path: Path
    match: HeaderMatch
    options: dict[str, Any]
    """Read options to write (only those that differ from the defaults)."""
    won_stages: tuple[str, ...] = ()
    lost_stages: tuple[str, ...] = ()
    stage_values: tuple[str, ...] = ()
    """Distinct stage labels seen in the sampled rows."""
    currency: str | None = None
    """Most frequent ISO code of the currency column, else the one currency the amounts' most
    frequent marker names, if any."""
    notes: tuple[str, ...] = ()
    """What was assumed and should be checked (ambiguous dates, no won stage seen, …)."""

    @property
    def dataset(self) -> str:
        return self.match.layout.dataset


@dataclass(frozen=True)
class ExportSurvey:
    """What ``init --from`` found in a folder: one export per dataset, and the files it did not use."""

    exports: Path
    used: tuple[RecognisedExport, ...]
    skipped: tuple[tuple[Path, str], ...]
    """(file, why it is not in the config)."""


# --------------------------------------------------------------------------- reading samples
# Files are read by generator.load.readers (read_head), so that `init` and `check` find the same
# file kind, encoding, delimiter, size bounds and report totals in a file.


def _footer_rows(last_rows: Sequence[Sequence[Any]]) -> int:
    """Rows (CSV: lines, blank ones included) of the report footer that ends ``last_rows``, counted
    as options.skip_footer counts them: total lines and report notes (copyright, confidential…)."""
    count = 0
    for row in reversed(last_rows):
        if any(c not in (None, "") for c in row) and not (is_total_row(row) or is_report_note(row)):
            break
        count += 1
    return count


def _score(rows: Sequence[Sequence[Any]]) -> tuple[int, int, HeaderMatch | None]:
    """(score, header row index, match) of the best header among the first rows."""
    best: tuple[int, int, HeaderMatch | None] = (0, 0, None)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        match = best_match(row)
        if match is not None and match.score > best[0]:
            best = (match.score, index, match)
    return best


def _without_path(path: Path, problem: str) -> str:
    """A reader's error line without the file name it starts with (the listing names the file)."""
    rest = problem.removeprefix(f"{path}:")
    line, colon, after = rest.partition(":")
    if rest != problem and colon and line.isdigit():
        return f"line {line}:{after}"
    return rest.lstrip() if rest != problem else problem


def read_samples(path: Path) -> list[TableSample]:
    """The first rows of an export, read as ``salesperf check`` reads it: one sample per sheet of a
    workbook (``options.sheet`` named for every sheet but the first, and for all when a sheet could
    not be read), one for any other file; DataError if not a table."""
    head = read_head(path, rows=HEADER_SCAN_ROWS + SAMPLE_ROWS)
    if not head.sheets:
        raise DataError(f"{path}: workbook without sheets")
    samples = []
    for index, sheet in enumerate(head.sheets):
        options: dict[str, Any] = {}
        if head.encoding not in (None, "utf-8"):
            options["encoding"] = head.encoding
        # The first sheet read is the workbook's first only when no sheet was refused before it.
        if sheet.name is not None and (index != 0 or head.skipped):
            options["sheet"] = sheet.name
        footer = _footer_rows(sheet.tail) if head.kind != "parquet" else 0
        samples.append(
            TableSample(
                path,
                tuple(row for _line, row in sheet.rows),
                tuple(line for line, _row in sheet.rows),
                options,
                footer,
            )
        )
    return samples


def _best_sample(samples: list[TableSample]) -> TableSample:
    """The sample whose header the layouts match best (the first sheet on a tie)."""
    return max(enumerate(samples), key=lambda item: (_score(list(item[1].rows))[0], -item[0]))[1]


def shown_name(path: Path, options: dict[str, Any]) -> str:
    """A file's name, with its sheet when the export is not a workbook's first sheet."""
    sheet = options.get("sheet")
    return f"{path.name} (sheet {sheet})" if sheet is not None else path.name


# --------------------------------------------------------------------------- recognising


def _column(sample_rows: Sequence[Sequence[Any]], header: Sequence[Any], name: str) -> list[Any]:
    index = list(header).index(name)
    return [row[index] for row in sample_rows if index < len(row)]


def _texts(values: Sequence[Any]) -> list[str]:
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parses(text: str, pattern: str) -> bool:
    try:
        datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


def choose_date_format(values: Sequence[str], hints: Sequence[str]) -> tuple[str | None, list[str]]:
    """(date_format to write, notes): None when the dates are ISO 8601 (the default) or absent.

    Tries the product's own formats first, then common ones, and writes the one that reads the most
    dates, when it reads most of them (a few odd cells, ``31.02.2024`` or an Excel day number, are
    named in a note: check lists each one). Excel day numbers are left to the reader's serial-date
    rule.
    """
    dates = [v for v in values if not v.replace(".", "", 1).isdigit()]
    not_iso = [v for v in dates if not _is_iso(v)]
    if not not_iso:
        return None, []
    if len(not_iso) * 2 < len(dates):  # ISO 8601, the default, with a few odd cells
        return None, [
            f'{len(not_iso)} of {len(dates)} dates sampled are not ISO 8601 (e.g. "{not_iso[0]}"): '
            "check lists each one"
        ]
    # The reader takes ISO dates whatever the format: the format is chosen on the others.
    candidates = list(dict.fromkeys([*hints, *GENERIC_DATE_FORMATS]))
    read = {pattern: [v for v in not_iso if _parses(v, pattern)] for pattern in candidates}
    pattern = max(candidates, key=lambda p: len(read[p]))  # the first of the best, in order
    if len(read[pattern]) * 2 <= len(not_iso):
        separator = next((c for c in not_iso[0] if not c.isalnum()), "/")
        first = not_iso[0]
        spelled = any(c.isalpha() for c in first) and any(c.isdigit() for c in first)
        month = "%B" if spelled else "%m"  # "15 March 2024"
        example = separator.join(("%d", month, "%Y"))
        return None, [
            f'dates such as "{not_iso[0]}" match no known format: set options.date_format '
            f"(strftime, e.g. {example})"
        ]
    notes = []
    odd = [v for v in not_iso if v not in read[pattern]]  # read neither way
    if odd:
        notes.append(
            f"{len(odd)} of {len(dates)} dates sampled read neither as {pattern} nor as ISO 8601 "
            f'(e.g. "{odd[0]}"): check lists each one'
        )
    swapped = pattern.replace("%m", "%_").replace("%d", "%m").replace("%_", "%d")
    if swapped != pattern and all(_parses(v, swapped) for v in read[pattern]):
        notes.append(
            f'dates such as "{read[pattern][0]}" read as {pattern}; day and month cannot be told '
            "apart in the rows seen: check options.date_format"
        )
    return pattern, notes


@functools.cache
def _current_currencies() -> frozenset[str]:
    """ISO codes some territory uses today (CLDR): a marker's historical currencies (``kr``: EEK)
    are no candidate for a new config."""
    today = datetime.now().date()
    return frozenset(
        code
        for territory in map(str, Locale("en").territories)
        if len(territory) == 2 and territory.isalpha()
        for code in get_territory_currencies(territory, today)
    )


def choose_number_reading(
    values: Sequence[str], *, currency: bool = True
) -> tuple[str | None, str | None, list[str]]:
    """(decimal mark to write, currency its markers name, notes) for the money cells sampled;
    ``currency`` False when the site currency will not be taken from them (no currency, no note).

    The decimal comma is written when it reads more of the cells than the default point (a cell
    that reads both ways, ``1.234``, counts for neither). The currency is the one ISO code the most
    frequent marker can stand for (``€``: EUR, ``R$``: BRL), else the one whose English symbol it is
    (``£``: GBP, ``¥``: JPY, with a note to check); a marker that names several (``kr``) is left to
    check, unless the default currency is one of them (``$``: USD, nothing written).
    """
    texts = pd.Series(list(values), dtype="string")
    if not len(texts):
        return None, None, []

    point = convert_column(texts, Kind.MONEY, ReadOptions(decimal="."))
    comma = convert_column(texts, Kind.MONEY, ReadOptions(decimal=","))
    # "1.234" is 1.234 or 1234: it tells neither mark (the loader lists it, on either reading).
    telling = pd.Series(True, index=texts.index)
    for converted in (point, comma):
        if converted.ambiguous is not None:
            telling &= converted.ambiguous.isna()
    decimal = "," if (~comma.bad & telling).sum() > (~point.bad & telling).sum() else None
    markers = (comma if decimal else point).markers
    notes: list[str] = []
    if decimal is None and not (~point.bad & telling).any() and (~telling).any():
        # Every amount reads both ways ("12.000 €"): say so now, not when check refuses them.
        example = str(texts[~telling].iloc[0])
        notes.append(
            f'amounts such as "{example}" read both ways (a decimal point or a thousands '
            'separator): if the export uses the decimal comma, set options.decimal: ","'
        )
    named = None
    if currency and markers is not None and markers.notna().any():
        marker = str(markers.value_counts().index[0])
        codes = marker_currencies(marker)
        codes = tuple(c for c in codes if c in _current_currencies()) or codes
        english = [code for code in codes if get_currency_symbol(code, "en") == marker]
        if len(codes) == 1:
            named = codes[0]
        elif is_site_marker(marker, SiteConfig().currency):
            pass  # the default currency is one of them ("$": USD): nothing to write
        elif len(english) == 1:
            named = english[0]
            notes.append(
                f'amounts are marked "{marker}", read as {named} (it can also mean '
                f"{', '.join(c for c in codes if c != named)}): check site.currency"
            )
        elif codes:
            notes.append(
                f'amounts are marked "{marker}", which can mean {", ".join(codes[:8])}'
                f"{' …' if len(codes) > 8 else ''}: set site.currency"
            )
    return decimal, named, notes


def recognise(sample: TableSample) -> RecognisedExport | None:
    """The export a sample is, with its mapping, stages, date format and read options; None if unknown."""
    _score_value, header_index, match = _score(sample.rows)
    if match is None:
        return None
    layout = match.layout
    header = sample.rows[header_index]
    body = [
        row
        for row in sample.rows[header_index + 1 :]
        if not (is_total_row(row) or is_report_note(row))
    ]
    mapped = dict(match.columns)
    options = dict(sample.options)
    notes: list[str] = []
    line = sample.lines[header_index] if sample.lines else header_index + 1
    if line > 1:
        options["header_row"] = line
    if sample.footer:
        options["skip_footer"] = sample.footer

    dataset = DATASETS[layout.dataset]
    # Column by column: ISO creation stamps beside dd/mm close dates must not hide the close
    # dates' format (one format per dataset: the first column's that needs one).
    date_format = None
    for name in dataset.field_names:
        if dataset.field(name).kind is not Kind.DATE or name not in mapped:
            continue
        found, column_notes = choose_date_format(
            _texts(_column(body, header, mapped[name])), layout.date_formats
        )
        notes += column_notes
        date_format = date_format or found
    if date_format:
        options["date_format"] = date_format

    money_values = [
        v
        for name in dataset.field_names
        if dataset.field(name).kind in {Kind.MONEY, Kind.NUMBER} and name in mapped
        for v in _texts(_column(body, header, mapped[name]))
    ]
    decimal, marked, money_notes = choose_number_reading(
        money_values, currency=layout.dataset == "deals" and "currency" not in mapped
    )
    notes += money_notes
    if decimal:
        options["decimal"] = decimal

    won, lost = layout.won_stages, layout.lost_stages
    seen: tuple[str, ...] = ()
    if "stage" in mapped:
        seen = tuple(dict.fromkeys(_texts(_column(body, header, mapped["stage"]))))
        # Compared as the loader compares stages, so init and check agree on what matches.
        by_key = {fold_stage(v): v for v in seen}
        won = tuple(by_key.get(fold_stage(w), w) for w in layout.won_stages)
        lost = tuple(by_key.get(fold_stage(w), w) for w in layout.lost_stages)
        # The file's own labels that read as won or lost ("Won - Signed") join the lists, as check
        # would otherwise count their deals as open (and warn).
        listed = {fold_stage(v) for v in won + lost}
        extra: dict[str, list[str]] = {"won": [], "lost": []}
        for value in seen:
            kind = stage_looks(value)
            if kind and fold_stage(value) not in listed:
                extra[kind].append(value)
                listed.add(fold_stage(value))
        # Then the labels spelt almost as one of those ("Verlorn" beside "Verloren").
        known_won, known_lost = won + tuple(extra["won"]), lost + tuple(extra["lost"])
        for value in seen:
            resembled = stage_near(value, known_won, known_lost)
            if resembled and fold_stage(value) not in listed:
                extra[resembled[0]].append(value)
                listed.add(fold_stage(value))
        # Two spellings of the layout may fold to the file's one: each label once.
        won = tuple(dict.fromkeys(won + tuple(extra["won"])))
        lost = tuple(dict.fromkeys(lost + tuple(extra["lost"])))
        if extra["won"] or extra["lost"]:
            added = [f'"{v}" as {kind}' for kind in ("won", "lost") for v in extra[kind]]
            notes.append(
                f"stages read from their labels: {', '.join(added)}: check won_stages and lost_stages"
            )
        if seen and not set(won + lost) & set(seen):
            notes.append(
                f"no stage in the rows seen is {layout.product}'s won or lost label "
                f"({', '.join(seen[:8])}): set sources.deals.won_stages and lost_stages"
            )

    currency = marked
    if "currency" in mapped:
        # ISO codes, or names ("US Dollar": Dynamics 365's exports)
        named = [
            v.upper() if len(v) == 3 and v.isalpha() else currency_of_name(v)
            for v in _texts(_column(body, header, mapped["currency"]))
        ]
        codes = [c for c in named if c]
        if codes:
            currency = Counter(codes).most_common(1)[0][0]
            if len(set(codes)) > 1:
                notes.append(
                    f"several currencies ({', '.join(sorted(set(codes)))}): site.currency is {currency}; "
                    "deals in the others are reported and left out"
                )
    return RecognisedExport(
        path=sample.path,
        match=match,
        options=options,
        won_stages=won if layout.dataset == "deals" else (),
        lost_stages=lost if layout.dataset == "deals" else (),
        stage_values=seen,
        currency=currency,
        notes=tuple(notes),
    )


def survey_exports(exports: Path) -> ExportSurvey:
    """Recognise every file in ``exports`` (or the one file it names); UsageError when nothing is usable.

    Keeps one export per dataset: the one whose headers the layout matches best (then by name).
    """
    if not exports.exists():
        raise UsageError(f"{exports}: no such file or folder (--from)")
    if not (exports.is_dir() or exports.is_file()):
        raise UsageError(f"{exports}: not a folder or a regular file (--from)")
    if exports.is_dir():
        files = sorted(
            p
            for p in exports.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in NOT_EXPORTS
        )
    else:
        files = [exports]
    skipped: list[tuple[Path, str]] = []
    found: list[RecognisedExport] = []
    for path in files:
        try:
            samples = read_samples(path)
        except DataError as exc:
            skipped.append((path, f"not read: {_without_path(path, exc.problems[0])}"))
            continue
        # Every sheet of a workbook is looked at (reps on one, costs on another).
        results = [(sample, recognise(sample)) for sample in samples]
        found.extend(result for _sample, result in results if result is not None)
        unknown = [sample for sample, result in results if result is None]
        if len(unknown) == len(samples):
            unknown = [_best_sample(samples)] if len(samples) > 1 else unknown
        for sample in unknown:
            if not any(any(c not in (None, "") for c in r) for r in sample.rows):
                continue  # an empty sheet says nothing
            headers = next((r for r in sample.rows if any(c not in (None, "") for c in r)), ())
            names = [str(h) for h in headers if h not in (None, "")]
            shown = ", ".join(names[:8])
            more = ", …" if len(names) > 8 else ""
            where = f"sheet {sample.options['sheet']}: " if "sheet" in sample.options else ""
            if len(samples) > 1 and "sheet" not in sample.options:
                where = "first sheet: "
            skipped.append((path, f"{where}headers not recognised ({shown}{more})"))
    used: dict[str, RecognisedExport] = {}
    for result in sorted(found, key=lambda r: (-r.match.score, not r.match.complete, str(r.path))):
        if result.dataset != "deals" and not result.match.complete:
            # An optional dataset without a required column would fail the whole check: leave it out.
            absent = ", ".join(result.match.missing)
            skipped.append(
                (
                    result.path,
                    f"looks like {result.dataset} ({result.match.layout.name}) but has no column for {absent}; "
                    f"add a sources.{result.dataset} block by hand",
                )
            )
        elif result.dataset in used:
            kept = used[result.dataset]
            sheet = f"sheet {result.options['sheet']}: " if "sheet" in result.options else ""
            skipped.append(
                (
                    result.path,
                    f"{sheet}also {result.dataset} ({result.match.layout.name}); "
                    f"{shown_name(kept.path, kept.options)} is used",
                )
            )
        else:
            used[result.dataset] = result
    if not used:
        listed = "; ".join(f"{p.name}: {why}" for p, why in skipped[:5]) or "no files"
        raise UsageError(f"{exports}: no recognised export ({listed})")
    if "deals" not in used:
        exports_found = ", ".join(
            f"{shown_name(r.path, r.options)} ({r.dataset})" for r in used.values()
        )
        raise UsageError(
            f"{exports}: no deals export recognised (found {exports_found}); deals are required"
        )
    order = list(DATASETS)
    ordered = tuple(sorted(used.values(), key=lambda r: order.index(r.dataset)))
    return ExportSurvey(exports=exports, used=ordered, skipped=tuple(skipped))


# --------------------------------------------------------------------------- writing


def config_for(survey: ExportSurvey, folder: Path, company: str | None = None) -> dict[str, Any]:
    """The config (as plain data for yaml.safe_dump) that reads the surveyed exports from ``folder``,
    titled "``company`` — sales performance" when given; pay is never published."""
    sources: dict[str, Any] = {}
    for export in survey.used:
        relative = Path(os.path.relpath(export.path.resolve(), folder.resolve())).as_posix()
        block: dict[str, Any] = {"path": relative, "columns": dict(export.match.columns)}
        if export.options:
            block["options"] = dict(export.options)
        if export.dataset == "deals":
            block["won_stages"] = list(export.won_stages)
            block["lost_stages"] = list(export.lost_stages)
        sources[export.dataset] = block
    config: dict[str, Any] = {}
    deals = next(e for e in survey.used if e.dataset == "deals")
    site: dict[str, str] = {}
    if company is not None:
        site["title"] = f"{company} — sales performance"
    if deals.currency:
        site["currency"] = deals.currency
    if site:
        config["site"] = site
    config["sources"] = sources
    config["privacy"] = {"show_compensation": False}
    return config


def write_config(survey: ExportSurvey, directory: Path, company: str | None = None) -> Path:
    """Write ``directory/salesperf.yaml`` for the surveyed exports (site titled after ``company``);
    returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "salesperf.yaml"
    recognised = "".join(
        f"#   {shown_name(e.path, e.options)}: {e.match.layout.name}\n" for e in survey.used
    )
    header = (
        "# Written by `salesperf init --from`, which recognised:\n"
        + recognised
        + "# Check it with `salesperf check -c <this file>`; every key is in the README's config reference.\n"
    )
    body = yaml.safe_dump(
        config_for(survey, directory, company), sort_keys=False, allow_unicode=True, width=100
    )
    target.write_text(header + body, encoding="utf-8")
    return target
