"""The build, in one readable orchestrator: gather everything first, write last (SPEC §2)."""

from __future__ import annotations

import resource as os_resource
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from generator import contracts
from generator.config import LoadedConfig, load_config
from generator.errors import BuildError, DataError, after_publishing
from generator.load.fingerprint import inputs_fingerprint
from generator.load.loader import Inputs, load_inputs
from generator.metrics import Metrics, compute_metrics
from generator.parallel import in_background
from generator.progress import QUIET, Advance, Progress
from generator.publish.cache import (
    DOCS,
    forget,
    published_is_current,
    read_manifest,
    write_manifest,
    write_published,
)
from generator.publish.mkdocs_build import check_environment, mkdocs_build
from generator.publish.swap import check_target, publish, publishing_lock, recover, staging_dir
from generator.publish.vega import vega_bundle
from generator.publish.write import WriteStats, bundled_assets, clear, write_docs
from generator.quality import QualityReport, format_issue
from generator.schema import DATASETS
from generator.site.assemble import build_site
from generator.site.charts import designs_for, prepare_designs
from generator.site.render import resource

Notify = Callable[[str], None]

STAGES = ("load", "metrics", "render", "write", "mkdocs", "publish")


@dataclass(frozen=True)
class StageTime:
    """Wall time of one build stage, and the build's peak memory by its end: the build process's
    peak plus that of its largest worker process (an upper bound: they may not peak together)."""

    stage: str
    seconds: float
    peak_mb: float = 0.0


@dataclass(frozen=True)
class BuildResult:
    """What a build produced and how long each stage took."""

    out: Path
    pages: int
    files: int
    write: WriteStats
    quality: QualityReport
    timings: tuple[StageTime, ...] = field(default_factory=tuple)
    reused: bool = False
    """True when the exports were unchanged and the previous pages were reused."""
    skipped: bool = False
    """True when the published site was already the one these inputs build: nothing was rebuilt."""

    @property
    def total_seconds(self) -> float:
        return sum(t.seconds for t in self.timings)


class _Clock:
    def __init__(self, progress: Progress) -> None:
        self.times: list[StageTime] = []
        self.progress = progress

    @contextmanager
    def stage(self, name: str, message: str, total: int | None = None) -> Iterator[Advance]:
        start = time.perf_counter()
        with self.progress.stage(message, total) as advance:
            yield advance
        peak_kb = (
            os_resource.getrusage(os_resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
            + os_resource.getrusage(os_resource.RUSAGE_CHILDREN).ru_maxrss
        )
        self.times.append(StageTime(name, time.perf_counter() - start, peak_kb / 1024))


def resolve_out(cfg: LoadedConfig, out: str | Path | None) -> Path:
    """``--out`` (relative to the working folder) wins over ``publish.out`` (relative to the config)."""
    return (Path(out) if out is not None else cfg.resolve(cfg.config.publish.out)).resolve()


def failed_path(exc: OSError, default: Path) -> str:
    """The path an OSError is about: the destination of a copy or rename, else its one path."""
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    return str(default if path is None else path)


def file_in_the_way(path: str) -> str | None:
    """What stands where a build needs a folder, as "PATH: is a file" or "PATH: is a broken
    symbolic link": the nearest of ``path`` and its parents that exists (or is a link), when it is
    not a folder; None when that nearest one is a folder, or when it cannot be looked at. mkdir says
    only "File exists" or "Not a directory"."""
    try:
        for candidate in (Path(path), *Path(path).parents):
            if candidate.is_symlink() and not candidate.exists():
                return f"{candidate}: is a broken symbolic link"
            if candidate.exists():
                return None if candidate.is_dir() else f"{candidate}: is a file"
    except OSError:
        return None
    return None


@contextmanager
def os_errors(doing: str, where: Path) -> Iterator[None]:
    """Turn a file-system error into one line naming the path, the reason and the step."""
    try:
        yield
    except OSError as exc:
        path = failed_path(exc, where)
        blocker = (
            file_in_the_way(path)
            if isinstance(exc, (FileExistsError, NotADirectoryError))
            else None
        )
        if blocker is not None:
            raise BuildError(
                f"{blocker} where salesperf needs a folder; move or delete it (while {doing})"
            ) from None
        raise BuildError(f"{path}: {exc.strerror or exc} (while {doing})") from None


def build_folder(out: Path) -> Path:
    """Generated Markdown and caches: beside the site, outside the repository's source folders."""
    return out.parent / ".salesperf-build" / out.name


def chart_assets(currency: str, cache_dir: Path) -> tuple[dict[str, dict], bytes | None]:
    """The chart designs for ``currency`` (``designs_for``: kept by the process) and the Vega
    bundle (``vega_bundle``, cached in ``cache_dir``), made by a second process while the exports
    load.

    The bundle is None when a file-system error (OSError: the cache folder cannot be made or
    written) stopped it there: the write stage makes it again, and reports the error naming the
    path. Any other failure stops the build at the render stage ("preparing the charts: …")."""
    try:
        bundle: bytes | None = vega_bundle(cache_dir)
    except OSError:
        bundle = None
    return designs_for(currency), bundle


def check(config_path: str | Path) -> tuple[LoadedConfig, Inputs]:
    """Load and validate only (``salesperf check``)."""
    cfg = load_config(config_path)
    return cfg, load_inputs(cfg)


def strict_failures(quality: QualityReport) -> list[str]:
    """With ``--strict`` every warning fails the build."""
    return [format_issue(r) for r in quality.warnings.to_dict("records")]


def build(
    config_path: str | Path,
    out: str | Path | None = None,
    *,
    strict: bool = False,
    force: bool = False,
    progress: Progress = QUIET,
    notify: Notify = lambda _message: None,
) -> BuildResult:
    """load → validate → compute → render → MkDocs build → publish; the old site survives any failure.

    When the config, the exports, the templates and salesperf itself are unchanged since the last
    build into the same folder, the generated pages are reused and only MkDocs runs; when the
    published site is also untouched since that build (every file's size and time), nothing runs.
    ``force`` rebuilds everything regardless.
    ``progress`` shows the long stages (bars on a terminal); ``notify`` gets what the user must
    always see (a recovered interrupted build).
    """
    clock = _Clock(progress)
    check_environment()
    cfg = load_config(config_path)
    datasets = sum(getattr(cfg.config.sources, name) is not None for name in DATASETS)
    with ExitStack() as setup, clock.stage("load", "Loading exports", datasets) as loaded:
        target = resolve_out(cfg, out)
        with os_errors("preparing the output folder", target):
            check_target(target)
            setup.enter_context(publishing_lock(target))
            recovered = recover(target)
            if recovered:
                notify(recovered)
            check_target(target)
            work = build_folder(target)
            # Made now, so that a file in their way stops the build before the exports are read.
            work.mkdir(exist_ok=True)
            (work.parent / "cache").mkdir(exist_ok=True)
        docs = work / DOCS
        fingerprint = inputs_fingerprint(cfg, [resource("templates"), resource("mkdocs.yml")])
        reused = None if force else read_manifest(work, fingerprint)
        charts_made = None
        if reused is None:  # the charts' designs and script are made meanwhile, in a second process
            charts_made = setup.enter_context(
                in_background(
                    partial(chart_assets, cfg.config.site.currency, work.parent / "cache"),
                    "preparing the charts",
                )
            )
        if reused:
            loaded(datasets, "unchanged")
        inputs = None if reused else contracts.checked(load_inputs(cfg, on_dataset=loaded))
        quality = reused.quality if reused else inputs.quality  # type: ignore[union-attr]
        if strict and len(quality.warnings):
            raise DataError(["--strict: the inputs have warnings", *strict_failures(quality)])
        # held until the site is published; released at once on a failure above
        lock = setup.pop_all()
    with lock:
        if reused is None:
            assert inputs is not None and charts_made is not None
            with clock.stage(
                "metrics",
                f"Computing metrics ({len(inputs.deals):,} deals, {len(inputs.reps):,} reps)",
            ):
                metrics: Metrics = contracts.checked(compute_metrics(inputs, cfg.config))
            with clock.stage("render", "Rendering pages and charts"):
                designs, bundle = charts_made.result()
                prepare_designs(cfg.config.site.currency, designs)
                output = build_site(cfg, metrics, quality)
            files: dict[str, str | bytes] = dict(output.files)
            with (
                clock.stage(
                    "write", "Writing pages", len(files) + 1 + len(bundled_assets())
                ) as wrote,
                os_errors("writing the pages; the published site is unchanged", docs),
            ):
                files["assets/vega.js"] = (
                    bundle if bundle is not None else vega_bundle(work.parent / "cache")
                )
                # a build that stops while writing must not leave a valid-looking manifest
                forget(work)
                stats = write_docs(docs, files, on_file=wrote)
                write_manifest(work, fingerprint, output.nav, output.pages, len(files), quality)
            nav, pages, count = output.nav, output.pages, len(files)
        else:
            nav, pages, count = reused.nav, reused.pages, reused.files
            stats = WriteStats(0, count, 0)
            if published_is_current(work, fingerprint, target):
                progress.note(
                    f"Nothing changed since the last build: {target} is already up to date"
                )
                return BuildResult(
                    target,
                    pages,
                    count,
                    WriteStats(0, 0, 0),
                    quality,
                    tuple(clock.times),
                    reused=True,
                    skipped=True,
                )
            progress.note("Exports unchanged since the last build: reusing its pages")
        staged = staging_dir(target)
        try:
            with (
                clock.stage("mkdocs", f"Building {pages:,} pages with MkDocs"),
                os_errors("building the site with MkDocs; the published site is unchanged", staged),
            ):
                clear(staged)
                mkdocs_build(
                    docs,
                    staged,
                    site_name=cfg.config.site.html_title,
                    site_url=cfg.config.site.base_url,
                    nav=nav,
                )
            with (
                clock.stage("publish", f"Publishing to {target}"),
                os_errors("publishing; the published site is unchanged", target),
            ):
                publish(staged, target)
                with after_publishing():
                    write_published(work, fingerprint, target)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
    if not (target / "index.html").exists():
        raise BuildError(f"{target}: the build produced no index.html")
    return BuildResult(
        target, pages, count, stats, quality, tuple(clock.times), reused=reused is not None
    )
