"""Command line: parse options, call one library function, map its errors to exit codes (0, 1, 2)."""

from __future__ import annotations

import contextlib
import functools
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NoReturn

import click

from generator import __version__
from generator.build import BuildResult, build, check
from generator.config import DEFAULT_CONFIG, load_config
from generator.entry import interrupted, stop_on_sigterm
from generator.errors import SalesperfError, after_publishing
from generator.progress import for_terminal
from generator.publish.serve import DEFAULT_HOST, preview
from generator.quality import QualityReport, format_issue

MAX_LISTED = 50
"""Findings printed in the terminal; all of them are on /data-quality/ and in data/data_quality.csv."""

MAX_REASONS = 20
"""Lines of the "cells by reason" summary printed after the findings."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (CI cancelling a job) stops a command like Ctrl+C: a build removes its half-built site
    and its MkDocs workers, and the published site stays as it was."""
    # signals reach the main thread only
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _one_line_os_error(exc: OSError) -> NoReturn:
    """End the command on an OSError the library did not expect: one line naming the path, exit 1."""
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    where = f"{path}: " if path is not None else ""
    click.echo(f"error: {where}{exc.strerror or exc}", err=True)
    sys.exit(1)


def _stdout_closed() -> bool:
    """Whether nobody reads stdout any more (a pipe whose reader exited): polled, so a broken pipe
    of anything else (a worker process) is not taken for it."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        # Linux reports a pipe without a reader as POLLERR, BSD and macOS as POLLHUP.
        closed = select.POLLERR | select.POLLHUP
        return any(event & closed for _fd, event in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _discard_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises no second BrokenPipeError
    (the recipe of Python's signal module documentation, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _fail_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every failure ends with one line per problem and exit 1 or 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_interrupts():
                return command(*args, **kwargs)
        except SalesperfError as exc:
            for line in exc.problems:
                click.echo(f"error: {line}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError as exc:
            if not _stdout_closed():
                _one_line_os_error(exc)
            # The output was piped into a reader that stopped (`| head`): end quietly with the
            # status a shell gives a command that SIGPIPE ended (128 + 13), as `yes | head` does.
            # What a command writes to disk is written before its report (init, sample), and a
            # build publishes before its summary.
            _discard_stdout()
            sys.exit(128 + signal.SIGPIPE)
        except OSError as exc:  # a file-system error the library did not expect; still one line
            _one_line_os_error(exc)
        except KeyboardInterrupt as exc:
            click.echo(interrupted(exc, "before it finished"), err=True)
            sys.exit(1)

    return wrapper


def _note(message: str) -> None:
    """What the user must see, terminal or CI: e.g. an interrupted build's leftovers cleaned up."""
    click.echo(f"note: {message}", err=True)


def _print_quality(quality: QualityReport) -> None:
    shown = quality.by_attention()
    for record in shown.head(MAX_LISTED).to_dict("records"):
        click.echo(f"{record['severity']}: {format_issue(record)}", err=True)
    if len(shown) > MAX_LISTED:
        click.echo(
            f"… and {len(shown) - MAX_LISTED:,} more (see /data-quality/ or data/data_quality.csv)",
            err=True,
        )
    by_reason = quality.by_reason()
    if len(by_reason):
        click.echo("cells by reason:", err=True)
        for r in by_reason.head(MAX_REASONS).to_dict("records"):
            where = f"{r['dataset']}{'.' + r['column'] if r['column'] else ''}"
            click.echo(
                f"  {int(r['count']):>9,}  {r['severity']}: {where}: {r['problem']}"
                + (f" ({r['action']})" if r["action"] else ""),
                err=True,
            )
        if len(by_reason) > MAX_REASONS:
            click.echo(
                f"  … and {len(by_reason) - MAX_REASONS:,} more reasons (see /data-quality/)",
                err=True,
            )
    for s in quality.summaries:
        click.echo(
            f"{s.dataset}: {s.rows_used:,} of {s.rows_read:,} rows used ({', '.join(s.files)})",
            err=True,
        )


config_option = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Config file (YAML).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesperf")
def main() -> None:
    """salesperf: what every rep, team and segment is worth, in money, as a static site."""


@main.command("build")
@config_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: publish.out of the config, else site/).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) when the inputs have any warning.")
@click.option("--profile", is_flag=True, help="Print the time spent in each stage.")
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild every page and run MkDocs even when nothing changed since the last build.",
)
@_fail_cleanly
def build_command(
    config_path: Path, out: Path | None, strict: bool, profile: bool, force: bool
) -> None:
    """Load, validate, compute, render and publish the site."""
    result = build(
        config_path, out, strict=strict, force=force, progress=for_terminal(), notify=_note
    )
    with after_publishing():
        _print_summary(result, config_path, profile)


def _print_summary(result: BuildResult, config_path: Path, profile: bool) -> None:
    """What a finished build prints: the data-quality findings, privacy warnings and one line."""
    _print_quality(result.quality)
    config = load_config(config_path).config
    for line in config.privacy.warnings(has_costs=config.sources.costs is not None):
        click.echo(f"warning: {line}", err=True)
    warnings = result.quality.count("warning")
    if result.skipped:
        click.echo(
            f"{result.out} is up to date ({result.pages:,} pages; nothing changed since the last build; "
            f"{warnings:,} data-quality warning(s); checked in {result.total_seconds:.1f} s)"
        )
    else:
        click.echo(
            f"Built {result.pages:,} pages into {result.out} in {result.total_seconds:.1f} s "
            f"({warnings:,} data-quality warning(s); "
            + (
                "exports unchanged, pages reused)"
                if result.reused
                else f"{result.write.written:,} files changed)"
            )
        )
    if profile:
        click.echo("stage      seconds  peak MB")
        for timing in result.timings:
            click.echo(f"{timing.stage:<10} {timing.seconds:7.2f}  {timing.peak_mb:7.0f}")
        click.echo(f"{'total':<10} {result.total_seconds:7.2f}")


@main.command("check")
@config_option
@_fail_cleanly
def check_command(config_path: Path) -> None:
    """Load and validate only; print the data-quality report."""
    _cfg, inputs = check(config_path)
    _print_quality(inputs.quality)
    click.echo(f"OK: {inputs.quality.count('warning'):,} warning(s), as of {inputs.as_of}")


def _on_terminal() -> bool:
    """Someone can answer a question: standard input is a terminal (not CI, not a pipe)."""
    return sys.stdin.isatty()


def _company_name(title: str | None, directory: Path) -> str:
    """``--title``, else the answer to a prompt on a terminal, else a name made from the folder's."""
    words = directory.resolve().name.replace("-", " ").replace("_", " ").split()
    # Each word's first letter raised, the rest as written: "ACME" stays, "acme-corp" is "Acme Corp"
    # (str.title() made "ACME" "Acme" and "initA" "Inita").
    suggested = " ".join(w[:1].upper() + w[1:] for w in words) or "Our company"
    if title is None:
        title = (
            click.prompt("Company name (shown in the site's title)", default=suggested)
            if _on_terminal()
            else suggested
        )
    name = title.strip()
    if not name or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise click.BadParameter("give the company name as one line of text", param_hint="--title")
    return name


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "exports",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder (or file) of your own exports: write a config that maps them instead of sample data.",
)
@click.option(
    "--title",
    default=None,
    metavar="NAME",
    help="Company name for the site's title  [default: asked on a terminal, else the folder's name]",
)
@_fail_cleanly
def init_command(directory: Path, exports: Path | None, title: str | None) -> None:
    """Scaffold a config and sample exports a new user can edit, or a config for your own exports.
    The config never publishes pay (privacy.show_compensation: false)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise click.UsageError(f"{directory}: folder is not empty; choose a new folder")
    company = _company_name(title, directory)
    if exports is not None:
        _init_from_exports(directory, exports, company)
        return
    from generator.sample import generate, write_config

    data = directory / "data"
    generate(data)
    config = write_config(directory / "salesperf.yaml", data, company=company)
    click.echo(
        f"Wrote sample exports to {data} and a config for {company} to {config} "
        "(pay is not published: privacy.show_compensation is false)."
    )
    click.echo(f"Next: salesperf serve -c {config}, then point its sources at your own exports")


@main.command("sample")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/sample"),
    show_default=True,
    help="Folder the exports are written to.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a config that reads the exports (paths relative to it).",
)
@click.option(
    "--reps", type=click.IntRange(min=1), default=40, show_default=True, help="Sales reps."
)
@click.option(
    "--deals",
    type=click.IntRange(min=1),
    default=None,
    help="Deals  [default: about 175 per rep over 4 years]",
)
@click.option(
    "--years",
    type=click.IntRange(min=1, max=100),
    default=4,
    show_default=True,
    help="Years covered, ending on --end.",
)
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2025-12-31",
    show_default=True,
    help="Last day of the period (YYYY-MM-DD).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["crm", "parquet"]),
    default="crm",
    show_default=True,
    help="crm: imitations of real exports; parquet: canonical columns, for benchmarks.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@_fail_cleanly
def sample_command(
    out: Path,
    config_path: Path | None,
    reps: int,
    deals: int | None,
    years: int,
    end: datetime,
    fmt: Literal["crm", "parquet"],
    seed: int,
) -> None:
    """Generate the seeded sample company's exports (the same arguments write the same bytes)."""
    from generator.sample import generate, write_config

    files = generate(out, reps=reps, deals=deals, years=years, seed=seed, end=end.date(), fmt=fmt)
    # Written before anything is printed: output piped into `head` may stop being read.
    config = write_config(config_path, out, fmt=fmt) if config_path is not None else None
    for name, path in files.items():
        click.echo(f"{name:<11} {path}  ({path.stat().st_size:,} bytes)")
    if config is not None:
        click.echo(f"config      {config}")


def _init_from_exports(directory: Path, exports: Path, company: str) -> None:
    from generator.load.readers import HEADER_SCAN_ROWS
    from generator.scaffold import SAMPLE_ROWS, survey_exports, write_config

    survey = survey_exports(exports)
    # Written before anything is printed: output piped into `head` may stop being read.
    config = write_config(survey, directory, company=company)
    for export in survey.used:
        layout = export.match.layout
        click.echo(f"{export.path}: {layout.name} → {export.dataset}")
        mapped = ", ".join(f'{field} = "{header}"' for field, header in export.match.columns)
        click.echo(f"  mapped: {mapped}")
        for field in export.match.missing:
            click.echo(
                f"  not found: {field} (required; set sources.{export.dataset}.columns.{field} "
                "to the column that holds it)"
            )
        if export.dataset == "deals":
            click.echo(
                f"  won: {', '.join(export.won_stages) or '-'}; lost: {', '.join(export.lost_stages) or '-'}"
                + (
                    f" (stages seen in the first {HEADER_SCAN_ROWS + SAMPLE_ROWS} rows: "
                    f"{', '.join(export.stage_values[:10])}; check reads them all)"
                    if export.stage_values
                    else ""
                )
            )
        for key, value in export.options.items():
            click.echo(f"  options.{key}: {value}")
        if export.dataset == "deals" and export.currency:
            click.echo(f"  site.currency: {export.currency}")
        for note in export.notes:
            click.echo(f"  check: {note}")
    for path, why in survey.skipped:
        click.echo(f"{path}: not used: {why}")
    click.echo(f"Wrote {config}.")
    incomplete = [e for e in survey.used if e.match.missing]
    if incomplete:
        click.echo(
            f"Next: map the fields not found above in {config}, then salesperf check -c {config}"
        )
    else:
        click.echo(f"Next: salesperf check -c {config}, then salesperf build -c {config}")


@main.command("serve")
@config_option
@click.option(
    "--port",
    default="8000",
    show_default=True,
    metavar="PORT",
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    metavar="ADDRESS",
    help="Address to listen on; anything but localhost shares the site with the network.",
)
@_fail_cleanly
def serve_command(config_path: Path, port: str, host: str) -> None:
    """Build and serve the site; rebuild and reload the browser when the config, an export or a
    template changes."""

    def serving(url: str, result: BuildResult) -> None:
        if result.skipped:
            click.echo(
                f"{result.out} is up to date ({result.pages:,} pages; nothing changed since the last build)"
            )
        else:
            click.echo(
                f"Built {result.pages:,} pages into {result.out} in {result.total_seconds:.1f} s"
            )
        if host not in ("127.0.0.1", "localhost", "::1"):
            _note(f"--host {host}: anyone who can reach this machine can read the site")
        click.echo(
            f"Serving {result.out} at {url} (Ctrl+C to stop); watching the config, "
            "its exports and the templates"
        )

    def rebuilding() -> None:
        click.echo(f"[{datetime.now():%H:%M:%S}] Files changed: rebuilding")

    def rebuilt(result: BuildResult) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        if result.skipped:
            click.echo(f"[{stamp}] Nothing the site is made from changed; it is up to date")
        else:
            click.echo(
                f"[{stamp}] Rebuilt {result.pages:,} pages in {result.total_seconds:.1f} s; "
                "reloading the browser"
            )

    def failed(exc: SalesperfError | OSError) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        problems = (
            exc.problems
            if isinstance(exc, SalesperfError)
            else [f"{exc.filename or ''}: {exc.strerror or exc}"]
        )
        for line in problems:
            click.echo(f"error: {line}", err=True)
        click.echo(f"[{stamp}] Rebuild failed; still serving the last good site", err=True)

    try:
        preview(
            config_path,
            host,
            port,
            progress=for_terminal(),
            notify=_note,
            serving=serving,
            rebuilding=rebuilding,
            rebuilt=rebuilt,
            failed=failed,
        )
    except KeyboardInterrupt:  # Ctrl+C (or SIGTERM) is how a preview ends: not an error
        click.echo("Stopped.")
