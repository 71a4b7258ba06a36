"""Config file (SPEC §3): YAML read with a safe loader, validated by pydantic, paths resolved."""

from __future__ import annotations

import codecs
import difflib
import glob
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from generator.errors import ConfigError
from generator.schema import DATASETS, fold_stage

DEFAULT_CONFIG = Path("config/example.yaml")

URL_FORBIDDEN = frozenset("\"'<>`\\{}|^")
"""Characters site.base_url may not hold: they would end an HTML attribute or an XML text, or are not
allowed unescaped in a URL."""


class _Strict(BaseModel):
    """Every config section: immutable, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Strict):
    """How the site presents itself."""

    title: str = "Sales performance"
    """Shown on every page and in the browser tab, as text (never as HTML)."""
    currency: str = "USD"
    """ISO code of the amounts; a row whose amount carries another currency is excluded."""
    base_url: str | None = None
    """Address the site is published at (canonical links, sitemap); null: links stay relative.
    An absolute http(s) URL; a missing final ``/`` is added."""

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        # MkDocs and the theme write this into attributes and the sitemap as is: only a plain URL may pass.
        if value is None:
            return None
        url = value.strip()
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or parts.fragment
            or any(ch in URL_FORBIDDEN or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url)
        ):
            raise ValueError(
                "must be an absolute http or https address such as https://sales.example.com/ "
                "(no quotes, spaces, < or >, query or fragment)"
            )
        return url if url.endswith("/") else url + "/"

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        from babel.numbers import list_currencies

        code = value.strip().upper()
        if code not in list_currencies():
            raise ValueError("must be an ISO 4217 currency code such as USD, EUR or BRL")
        return code

    @property
    def html_title(self) -> Markup:
        """The title as HTML text, for MkDocs' ``site_name``: the theme writes it into the page
        unescaped in some places and escaped in others; a Markup string is right in both."""
        return escape(self.title)


class ReportConfig(_Strict):
    """Which period the site reports on."""

    as_of: date | None = None
    """Report date; default: the latest close date of a won or lost deal."""
    fiscal_year_start: Annotated[int, Field(ge=1, le=12)] = 1
    """Month (1-12) in which the fiscal year starts; a fiscal year is named by the year it ends in."""


class ReadOptions(_Strict):
    """How to read one export file."""

    encoding: str = "utf-8"
    """Text encoding of a CSV export (a UTF-8 byte-order mark is always accepted)."""
    delimiter: str = "auto"
    """Field separator of a CSV export; ``auto`` sniffs ``,`` ``;`` tab or ``|`` from the header line."""
    decimal: Literal[".", ","] = "."
    """Decimal mark of amounts (``locale`` sets it too)."""
    thousands: str | None = None
    """Grouping character removed from amounts, when it is not the usual one."""
    locale: str | None = None
    """CLDR locale of the export's numbers (e.g. ``pt_BR``, ``de_DE``): its decimal and grouping marks."""
    date_format: str | None = None
    """strftime pattern of dates (e.g. ``%d/%m/%Y``); default ISO 8601."""
    sheet: str | int | None = None
    """Worksheet of a workbook, by name or 0-based position (default: the first)."""
    header_row: Literal["auto"] | Annotated[int, Field(ge=1)] = "auto"
    """Row (1-based) holding the column names; ``auto``: the first of the first 30 rows that holds every mapped column."""
    skip_footer: Annotated[int, Field(ge=0)] = 0
    """Lines at the end of the file that are a report footer, not data."""

    @field_validator("delimiter")
    @classmethod
    def _one_char(cls, value: str) -> str:
        if value == "auto":
            return value
        if len(value) != 1:
            raise ValueError('must be a single character or "auto"')
        if value in "\"'\r\n" or value.isalnum():
            raise ValueError(
                'cannot be a quote, a line break, a letter or a digit; use e.g. "," ";" or "\\t"'
            )
        return value

    @field_validator("thousands")
    @classmethod
    def _grouping_mark(cls, value: str | None) -> str | None:
        if value is not None and value not in GROUPING_MARKS:
            raise ValueError(
                'must be one of "." "," "\'" or a space (plain, no-break U+00A0, thin U+2009, '
                "narrow no-break U+202F)"
            )
        return value

    @model_validator(mode="after")
    def _distinct_marks(self) -> ReadOptions:
        # The locale's decimal mark counts unless decimal is given: de_DE with thousands "." is fine.
        explicit = "decimal" in self.model_fields_set or not self.locale
        decimal = self.decimal if explicit else get_decimal_symbol(self.locale)
        if self.thousands is not None and self.thousands == decimal:
            source = (
                "the decimal mark (decimal)"
                if "decimal" in self.model_fields_set
                else "the default decimal mark"
                if explicit
                else f"the decimal mark of locale {self.locale}"
            )
            raise ValueError(
                f'thousands "{self.thousands}" is also {source}: one mark cannot both group digits '
                "and start the decimals; set thousands to the other mark, or decimal"
            )
        return self

    # Before-validators so that a bad value is one error on the key, not one per member of the union.
    @field_validator("header_row", mode="before")
    @classmethod
    def _auto_or_row(cls, value: object) -> object:
        if value == "auto" or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        ):
            return value
        raise ValueError('must be "auto" or a row number from 1')

    @field_validator("sheet", mode="before")
    @classmethod
    def _name_or_position(cls, value: object) -> object:
        if (
            value is None
            or isinstance(value, str)
            or (isinstance(value, int) and not isinstance(value, bool))
        ):
            return value
        raise ValueError("must be a sheet name or a 0-based position")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        return check_encoding(value)

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        return None if value is None else check_locale(value)

    @field_validator("date_format")
    @classmethod
    def _valid_date_format(cls, value: str | None) -> str | None:
        return None if value is None else check_date_format(value)


GROUPING_MARKS = frozenset({".", ",", "'", "\u2019", " ", "\u00a0", "\u2009", "\u202f"})
"""The characters ``options.thousands`` may name: the marks exports group digits with."""

NOT_FILE_ENCODINGS = frozenset(
    {"idna", "punycode", "utf-7", "raw-unicode-escape", "unicode-escape", "undefined"}
)
"""Codecs Python decodes text with that no export file is written in (domain names, escapes, UTF-7)."""


def check_encoding(name: str) -> str:
    """``name`` if Python can decode text with it; else ValueError naming close matches."""
    try:
        codecs.lookup(name)
    except LookupError:
        from encodings.aliases import aliases

        known = sorted(set(aliases) | set(aliases.values()))
        close = difflib.get_close_matches(name.lower().replace("-", "_"), known, n=1)
        hint = (
            f'; did you mean "{close[0]}"?' if close else " (e.g. utf-8, cp1252, latin-1, utf-16)"
        )
        raise ValueError(f"unknown text encoding{hint}") from None
    try:
        "".encode(name)  # bytes-to-bytes codecs (base64, zip, hex) are not text encodings
    except LookupError:
        raise ValueError("not a text encoding (e.g. utf-8, cp1252, latin-1, utf-16)") from None
    if codecs.lookup(name).name in NOT_FILE_ENCODINGS:
        raise ValueError(
            "not an encoding export files are written in (e.g. utf-8, cp1252, latin-1, utf-16)"
        )
    return name


def check_locale(name: str) -> str:
    """The CLDR identifier (``pt_BR``) of a locale written ``pt_BR`` or ``pt-BR``; else ValueError."""
    try:
        return str(Locale.parse(name.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(
            "unknown locale; use a CLDR identifier such as en_US, de_DE or pt_BR"
        ) from None


_SAMPLE_MOMENT = datetime(2024, 11, 23, 13, 45, 56, tzinfo=UTC)
"""A day above 12 in a month above 10, so that a format that loses or swaps a part is caught."""


def check_date_format(pattern: str) -> str:
    """``pattern`` if formatting a date with it and reading it back gives the same day; else ValueError."""
    try:
        text = _SAMPLE_MOMENT.strftime(pattern)
        back = datetime.strptime(text, pattern)
    except ValueError as exc:
        raise ValueError(
            f"not a valid date format ({exc}); use strftime directives such as %d/%m/%Y"
        ) from None
    if back.date() != _SAMPLE_MOMENT.date():
        raise ValueError(
            "does not hold a whole date (year, month and day); use e.g. %d/%m/%Y or %Y-%m-%d"
        )
    return pattern


class SourceConfig(_Strict):
    """One dataset: where its files are and how their columns map to canonical fields."""

    path: str
    columns: dict[str, str] = {}
    options: ReadOptions = ReadOptions()
    won_stages: tuple[str, ...] | None = None
    lost_stages: tuple[str, ...] | None = None


class SourcesConfig(_Strict):
    """One block per dataset (SPEC §4); only deals is required."""

    deals: SourceConfig
    clients: SourceConfig | None = None
    reps: SourceConfig | None = None
    costs: SourceConfig | None = None
    goals: SourceConfig | None = None
    coaching: SourceConfig | None = None
    activities: SourceConfig | None = None
    memberships: SourceConfig | None = None
    """Team and manager over time; without it each rep counts in their current team for every year."""


class DefinitionChange(_Strict):
    """One dated change of a metric definition, listed on /methodology/."""

    date: date
    """When the definition changed."""
    change: Annotated[str, Field(min_length=1)]
    """What changed, e.g. "gross margin 1.0 → 0.8"."""


class MetricsConfig(_Strict):
    """Choices in the metric definitions (SPEC §5)."""

    ltv_method: Literal["historical", "projected"] = "historical"
    gross_margin: Annotated[float, Field(gt=0, le=1)] = 1.0
    attribution: Literal["acquirer", "owner"] = "acquirer"
    include_coaching_cost: bool = True
    definition_changes: tuple[DefinitionChange, ...] = ()
    """Dated changes of these definitions; every year is restated under the current ones."""


class CoachingConfig(_Strict):
    """How the coaching effect is estimated on /coaching/ (matched difference-in-differences)."""

    window_months: Annotated[int, Field(ge=1, le=24)] = 6
    """Months compared before and after each coaching start (the start month itself is left out)."""
    min_reps: Annotated[int, Field(ge=1)] = 5
    """Fewest coached reps behind an estimate before a verdict is given."""
    min_controls: Annotated[int, Field(ge=1)] = 3
    """Comparison reps (employed and uncoached in every window) an engagement needs to be estimated."""
    match_k: Annotated[int, Field(ge=1, le=50)] = 5
    """Comparison reps matched to each engagement: the nearest on level and trend over the months before."""
    min_clusters: Annotated[int, Field(ge=2)] = 6
    """Teams among the coached reps needed to resample whole teams; with fewer, single reps are resampled."""
    max_interval_width: Annotated[float, Field(gt=0)] = 0.5
    """Widest 95 % interval, as a fraction of the coached reps' expected revenue without coaching, that still gets a verdict."""
    bootstrap_samples: Annotated[int, Field(ge=100, le=100_000)] = 2000
    """Resamples (of teams of coached reps and of comparison reps) behind each confidence interval."""
    seed: int = 0
    """Seed of the bootstrap, so the same data always gives the same interval."""


class PrivacyConfig(_Strict):
    """What may be published (SPEC §3); the methodology page says what each setting protects and what not."""

    show_compensation: bool = False
    """Publish salaries and costs; false: no cost figure, raw cost cell, coaching cost or reward text is published."""
    rep_value_ratios: Literal["exact", "band"] = "exact"
    """exact: a rep's ratio to two decimals; band: only its band (``1–2``), so cost cannot be divided out of it."""
    min_group_size: Annotated[int, Field(ge=1)] = 3
    """Reps with cost data a team, manager, segment or the company needs for its ratio to be shown while pay is hidden."""

    def warnings(self, has_costs: bool) -> list[str]:
        """What these settings let a reader work out (printed by ``salesperf build``)."""
        if has_costs and not self.show_compensation and self.rep_value_ratios == "exact":
            return [
                "privacy: exact rep value ratios are published while show_compensation is false: a rep's "
                "annual cost is mean client LTV ÷ value ratio (set privacy.rep_value_ratios: band to prevent it)"
            ]
        return []


class SegmentsConfig(_Strict):
    """Regions, categories and channels pages (SPEC §5 segment ratios)."""

    min_deals: Annotated[int, Field(ge=1)] = 20
    """Closed deals a segment or heatmap cell needs before its figures are read without a caution mark."""
    bootstrap_resamples: Annotated[int, Field(ge=100, le=100_000)] = 1000
    """Resamples of the segment's clients for the value-ratio interval (seeded: rebuilds are identical)."""


class RankingsConfig(_Strict):
    """Who the site ranks (highest and lowest value ratios, the headline median)."""

    min_clients: Annotated[int, Field(ge=1)] = 3
    """Clients a current rep needs before being ranked: a mean over one or two clients is an anecdote."""


class RewardTier(_Strict):
    """One reward tier: earned when attainment reaches ``attainment``."""

    attainment: Annotated[float, Field(gt=0)]
    """Attainment (actual ÷ target, 1.0 = 100 %) from which the reward is earned."""
    reward: str
    """What is earned, as shown on the goals page."""


class GoalsConfig(_Strict):
    """Goals and rewards (/goals/): reward tiers and how progress is paced through the year."""

    reward_tiers: tuple[RewardTier, ...] = ()
    """Tiers earned by attainment (the highest tier reached is earned); a goal's own reward needs 100 %."""
    pacing: Literal["linear", "quarterly"] = "linear"
    """linear: the target is due evenly over the days of the year; quarterly: by quarter ends."""
    quarter_weights: tuple[float, float, float, float] = (0.25, 0.25, 0.25, 0.25)
    """Share of the target due in each fiscal quarter with pacing: quarterly (must sum to 1)."""
    at_risk_from: Annotated[float, Field(gt=0, lt=1)] = 0.8
    """Pace (actual ÷ expected to date) from which a goal is "at risk" rather than "behind"; 1.0 is "on track"."""

    @field_validator("quarter_weights")
    @classmethod
    def _sum_to_one(
        cls, value: tuple[float, float, float, float]
    ) -> tuple[float, float, float, float]:
        if any(w < 0 for w in value) or abs(sum(value) - 1.0) > 1e-6:
            raise ValueError("must be four non-negative shares that sum to 1")
        return value

    @field_validator("reward_tiers")
    @classmethod
    def _distinct_tiers(cls, value: tuple[RewardTier, ...]) -> tuple[RewardTier, ...]:
        levels = [t.attainment for t in value]
        if len(set(levels)) != len(levels):
            raise ValueError("two tiers have the same attainment")
        return tuple(sorted(value, key=lambda t: t.attainment))


class PublishConfig(_Strict):
    """Where the site goes."""

    out: str = "site"


class Config(_Strict):
    """A whole salesperf config file."""

    site: SiteConfig = SiteConfig()
    report: ReportConfig = ReportConfig()
    sources: SourcesConfig
    metrics: MetricsConfig = MetricsConfig()
    coaching: CoachingConfig = CoachingConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    segments: SegmentsConfig = SegmentsConfig()
    rankings: RankingsConfig = RankingsConfig()
    goals: GoalsConfig = GoalsConfig()
    publish: PublishConfig = PublishConfig()

    @model_validator(mode="after")
    def _stages_on_deals_only(self) -> Config:
        for name in DATASETS:
            source = getattr(self.sources, name)
            if name != "deals" and source is not None:
                for key in ("won_stages", "lost_stages"):
                    if getattr(source, key) is not None:
                        raise ValueError(f"sources.{name}.{key}: only the deals source has stages")
        if self.metrics.attribution == "owner" and self.sources.clients is None:
            raise ValueError(
                "metrics.attribution: owner credits each client to clients.owner_rep_id, and there "
                "is no clients export: add sources.clients, or use attribution: acquirer"
            )
        deals = self.sources.deals
        for key in ("won_stages", "lost_stages"):
            if getattr(deals, key) == ():
                raise ValueError(
                    f"sources.deals.{key}: an empty list; name at least one stage, or leave the "
                    "key out for the defaults"
                )
        won = {fold_stage(s): s for s in deals.won_stages or DEFAULT_WON_STAGES}
        lost = {fold_stage(s): s for s in deals.lost_stages or DEFAULT_LOST_STAGES}
        both = [
            f'"{won[k]}"' + (f' / "{lost[k]}"' if lost[k] != won[k] else "")
            for k in won
            if k in lost
        ]
        if both:
            defaults = [
                f"{key} is the default, {', '.join(default)}"
                for key, given, default in (
                    ("won_stages", deals.won_stages, DEFAULT_WON_STAGES),
                    ("lost_stages", deals.lost_stages, DEFAULT_LOST_STAGES),
                )
                if given is None
            ]
            raise ValueError(
                f"sources.deals: {'stages' if len(both) > 1 else 'stage'} {', '.join(both)} "
                f"{'are' if len(both) > 1 else 'is'} in both won_stages and lost_stages "
                f"(stages match ignoring case, spaces and punctuation"
                f"{'; ' + '; '.join(defaults) if defaults else ''}): name it in one of them only"
            )
        return self


DEFAULT_WON_STAGES = ("Closed Won", "Won")
DEFAULT_LOST_STAGES = ("Closed Lost", "Lost")


class LoadedConfig(BaseModel):
    """A validated config with the file it came from, so paths resolve against its folder."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: Config
    path: Path
    label: str = ""
    """The config path as the user gave it, for messages."""

    @property
    def folder(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        """A config path, relative to the config file's folder."""
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else (self.folder / candidate)

    def source_files(self, dataset: str) -> list[Path]:
        """The files of one dataset (a glob may match several), sorted by name."""
        source: SourceConfig = getattr(self.config.sources, dataset)
        target = self.resolve(source.path)
        if glob.has_magic(str(target)):
            return sorted(Path(p) for p in glob.glob(str(target)))
        return [target]

    def won_stages(self) -> tuple[str, ...]:
        return self.config.sources.deals.won_stages or DEFAULT_WON_STAGES

    def lost_stages(self) -> tuple[str, ...]:
        return self.config.sources.deals.lost_stages or DEFAULT_LOST_STAGES


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _ConfigLoader(yaml.SafeLoader):
    """The safe loader, plus: a key given twice in one mapping is recorded (not silently overwritten),
    and unquoted dates stay text, so that pydantic validates them and names the key of a bad one."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, list[tuple[int, int]]]] = []
        """(dotted key, 1-based (line, column) of each occurrence) for every key given more than once."""

    def construct_document(self, node: yaml.Node) -> Any:
        self._find_duplicates(node, (), set())
        return super().construct_document(node)

    def _find_duplicates(self, node: yaml.Node, path: tuple[str, ...], seen: set[int]) -> None:
        # An alias is the same node object: visit it once (also keeps a "billion laughs" file fast).
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[str, list[tuple[int, int]]] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                mark = key_node.start_mark
                lines.setdefault(key, []).append((mark.line + 1, mark.column + 1))
                self._find_duplicates(value_node, (*path, key), seen)
            for key, where in lines.items():
                if len(where) > 1:
                    self.duplicates.append((".".join((*path, key)), where))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._find_duplicates(item, (*path, str(index)), seen)


# Unquoted dates (as_of: 2024-02-30) are read as text; pydantic then parses them and an impossible
# day is reported under its key, instead of the YAML library raising a bare ValueError.
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _explicit_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """An explicit ``!!timestamp`` tag: an impossible date is a YAML error with its line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a date ({exc})", node.start_mark
        ) from None


_ConfigLoader.add_constructor(_TIMESTAMP_TAG, _explicit_timestamp)


def _where_repeated(marks: list[tuple[int, int]]) -> str:
    """Where a key was repeated: lines 3 and 7, or line 8, columns 12 and 20 (a flow mapping)."""
    lines = sorted({line for line, _column in marks})
    if len(lines) == len(marks):
        places, label = [str(line) for line in lines], "lines"
    elif len(lines) == 1:
        places, label = [str(column) for _line, column in marks], f"line {lines[0]}, columns"
    else:
        places, label = [f"{line}:{column}" for line, column in marks], "line:column"
    return f"{label} " + ", ".join(places[:-1]) + f" and {places[-1]}"


def _parse_yaml(text: str, where: str) -> tuple[Any, list[tuple[str, list[tuple[int, int]]]]]:
    """The YAML document and its duplicated keys; ConfigError (with the line) when it is not YAML."""
    loader = _ConfigLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}{line}: not valid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{where}: not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the model reached by following ``loc`` (for "did you mean")."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: its model was already taken from the list's item type
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return []
        annotation = current.model_fields[part].annotation
        candidates = list(getattr(annotation, "__args__", (annotation,)))
        # tuple[RewardTier, ...] and similar: look inside the item type.
        candidates += [a for c in candidates for a in getattr(c, "__args__", ())]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return list(current.model_fields) if current is not None else []


def _describe(error: ErrorDetails, where: str) -> str:
    loc = tuple(error["loc"])
    key = ".".join(str(p) for p in loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _fields_at(Config, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = (
            f'; did you mean "{close[0]}"?'
            if close
            else (f" (known keys: {', '.join(known)})" if known else "")
        )
        return f"{where}: {key}: unknown key{hint}"
    if kind == "missing":
        return f"{where}: {key}: required key is missing"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind in ("tuple_type", "list_type", "set_type"):  # Python's word for a YAML list
        example = ' ["Closed Won"] or' if str(loc[-1]).endswith("_stages") else ""
        message = f'should be a list, e.g.{example} one "- item" per line'
    value = error.get("input")
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    return f"{where}: {key}: {message}{shown}" if key else f"{where}: {message}"


def _check_columns(config: Config, where: str) -> list[str]:
    """Column mappings must name canonical fields of their dataset."""
    problems = []
    for name, dataset in DATASETS.items():
        source = getattr(config.sources, name)
        if source is None:
            continue
        for canonical in source.columns:
            if canonical not in dataset.field_names:
                close = difflib.get_close_matches(canonical, dataset.field_names, n=1)
                hint = (
                    f'; did you mean "{close[0]}"?'
                    if close
                    else f" (fields: {', '.join(dataset.field_names)})"
                )
                problems.append(
                    f"{where}: sources.{name}.columns.{canonical}: not a field of {name}{hint}"
                )
    return problems


def load_config(path: str | Path = DEFAULT_CONFIG) -> LoadedConfig:
    """Read and validate a config file; raise ConfigError with one line per problem."""
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read config file: {exc}") from None
    raw, duplicates = _parse_yaml(text, where)
    problems = [
        f"{where}: {key}: given {len(marks)} times ({_where_repeated(marks)}); keep one"
        for key, marks in duplicates
    ]
    if not isinstance(raw, dict):
        raise ConfigError([*problems, f"{where}: expected a mapping of settings at the top level"])
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        # A problem inside a duplicated block would be about whichever copy happened to win.
        doubled = [tuple(key.split(".")) for key, _marks in duplicates]
        problems += [
            _describe(e, where)
            for e in exc.errors()
            if not any(tuple(str(p) for p in e["loc"])[: len(d)] == d for d in doubled)
        ]
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    problems = _check_columns(config, where)
    if problems:
        raise ConfigError(problems)
    return LoadedConfig(config=config, path=path.resolve(), label=str(path))
