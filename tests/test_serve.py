"""``salesperf serve`` as a user runs it: a process that builds, serves, watches the config, the
exports and the templates, rebuilds on a change and tells the browser to reload."""

from __future__ import annotations

import contextlib
import csv
import io
import queue
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.publish.serve import Watch, valid_path_info, watched_paths
from generator.site.render import resource
from tests.conftest import write_crm_export
from tests.publishing import run_salesperf, salesperf

REBUILD_BOUND_S = 30.0
"""A change to an export must be on the served page within this many seconds (measured: ~3 s)."""

pytestmark = pytest.mark.slow


@dataclass
class Preview:
    """A running ``salesperf serve`` and what it has printed so far."""

    process: subprocess.Popen[str]
    origin: str
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    printed: list[str] = field(default_factory=list)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.origin + path, timeout=30) as answer:
            return answer.read().decode("utf-8")

    def wait_for_line(self, pattern: str, timeout: float) -> str:
        """The next printed line matching ``pattern`` (a regular expression), within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.printed.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(
            f"no line matching {pattern!r} within {timeout} s; printed: {self.printed}"
        )


def _pump(stream: io.TextIOBase, into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))


@contextlib.contextmanager
def preview(config: Path, *args: str) -> Iterator[Preview]:
    """``salesperf serve -c CONFIG --port 0`` until the block ends, then Ctrl+C (exit 0, "Stopped.")."""
    process = salesperf("serve", "-c", str(config), "--port", "0", *args)
    lines: queue.Queue[str] = queue.Queue()
    pumps = [
        threading.Thread(target=_pump, args=(stream, lines), daemon=True)
        for stream in (process.stdout, process.stderr)
    ]
    for pump in pumps:
        pump.start()
    running = Preview(process, origin="", lines=lines)
    try:
        serving = running.wait_for_line(r"^Serving .* at http://", timeout=120)
        running.origin = re.search(r"(http://[^/ ]+)/", serving)[1]  # type: ignore[index]
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(
                f"serve did not stop on Ctrl+C; printed: {running.printed}"
            ) from None
        finally:
            for pump in pumps:
                pump.join(timeout=10)
            for stream in (process.stdout, process.stderr):
                stream.close()  # type: ignore[union-attr]
    running.wait_for_line(r"^Stopped\.$", timeout=5)
    assert process.returncode == 0, running.printed
    assert not any("Traceback" in line for line in running.printed), running.printed


def _served_revenue(site: Preview, rep_id: str) -> str:
    rows = csv.DictReader(io.StringIO(site.get("/data/reps.csv")))
    return next(r["revenue"] for r in rows if r["rep_id"] == rep_id)


def _rep_page(site: Preview, rep_id: str) -> str:
    rows = csv.DictReader(io.StringIO(site.get("/data/reps.csv")))
    return site.get("/" + next(r["url"] for r in rows if r["rep_id"] == rep_id))


def test_serve_rebuilds_and_reloads_on_a_changed_export(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    deals = tmp_path / "export" / "deals.csv"
    with preview(config) as site:
        assert _served_revenue(site, "A") == "1000000.0"
        page = _rep_page(site, "A")
        assert "350,000" in page and "361,234" not in page  # OPP-2, won by A in 2024 Q2
        # MkDocs' reload script is in every page it serves, and its endpoint answers with the epoch.
        assert page.count("var livereload = function(epoch, requestId)") == 1
        assert page.index("var livereload") > page.index("assets/salesperf.js")  # after our scripts
        epoch = re.search(r"livereload\((\d+), \d+\);", page)[1]  # type: ignore[index]
        assert site.get(f"/livereload/0/{epoch}").strip().isdigit()
        assert "var livereload" not in site.get("/data/reps.csv")  # only HTML is touched

        changed = time.monotonic()
        deals.write_text(
            deals.read_text(encoding="utf-8").replace('"$350,000.00"', '"$361,234.00"'),
            encoding="utf-8",
        )
        site.wait_for_line(r"^\[\d\d:\d\d:\d\d\] Files changed: rebuilding$", REBUILD_BOUND_S)
        site.wait_for_line(r"Rebuilt \d+ pages in [\d.]+ s; reloading the browser", REBUILD_BOUND_S)
        while "361,234" not in _rep_page(site, "A"):
            assert time.monotonic() - changed < REBUILD_BOUND_S, "the served page never changed"
            time.sleep(0.1)
        seconds = time.monotonic() - changed
        print(f"export changed -> served page shows the new figure: {seconds:.1f} s")
        assert _served_revenue(site, "A") == "1011234.0"
        # The epoch moved on: a page open before the change is told to reload at once.
        assert int(site.get(f"/livereload/{epoch}/1").strip()) > int(epoch)


def test_serve_rebuilds_on_a_config_change_and_keeps_the_last_good_site_on_a_failure(
    tmp_path: Path,
) -> None:
    config = write_crm_export(tmp_path / "export")
    original = config.read_text(encoding="utf-8")
    with preview(config) as site:
        assert "- Fixture Co</title>" in site.get("/")
        config.write_text(original.replace("Fixture Co", "Renamed Co"), encoding="utf-8")
        site.wait_for_line(r"Rebuilt \d+ pages", REBUILD_BOUND_S)
        assert "- Renamed Co</title>" in site.get("/")

        config.write_text(original + "metrics: {gross_margn: 0.5}\n", encoding="utf-8")
        error = site.wait_for_line(r"^error: ", REBUILD_BOUND_S)
        assert 'metrics.gross_margn: unknown key; did you mean "gross_margin"?' in error
        site.wait_for_line(r"Rebuild failed; still serving the last good site", 10)
        assert "- Renamed Co</title>" in site.get("/")  # served, not stuck waiting for a good build
        with pytest.raises(urllib.error.HTTPError) as missing:
            site.get("/no-such-page/")
        assert missing.value.code == 404
        assert "Renamed Co" in missing.value.read().decode("utf-8")  # the site's own 404 page

        config.write_text(original.replace("Fixture Co", "Fixed Co"), encoding="utf-8")
        site.wait_for_line(r"Rebuilt \d+ pages", REBUILD_BOUND_S)
        assert "- Fixed Co</title>" in site.get("/")


def test_serve_on_a_taken_port_fails_at_once_without_building(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        code, out, err = run_salesperf("serve", "-c", str(config), "--port", str(port), timeout=60)
        seconds = time.monotonic() - started
    assert code == 2, err
    assert out == ""
    assert err.strip().splitlines() == [
        f"error: --port {port}: cannot listen on 127.0.0.1:{port}: Address already in use; "
        "choose another port (0: any free port)"
    ]
    assert not (tmp_path / "export" / "site").exists()  # nothing was built
    assert not (tmp_path / "export" / ".salesperf-build").exists()
    # no build ran (a build of this export takes longer to start MkDocs)
    assert seconds < 20, seconds


def test_serve_stops_when_the_first_build_fails(tmp_path: Path) -> None:
    config = tmp_path / "salesperf.yaml"
    config.write_text("sources:\n  deals: {path: nope.csv}\n", encoding="utf-8")
    code, out, err = run_salesperf("serve", "-c", str(config), "--port", "0", timeout=60)
    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == [
        f"error: {config}: sources.deals.path: file not found: {tmp_path / 'nope.csv'}"
    ]


def test_watched_paths_resolve_globs_and_missing_files(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    (tmp_path / "export" / "more").mkdir()
    (tmp_path / "export" / "more" / "2024").mkdir()
    text = config.read_text(encoding="utf-8")
    text = text.replace("path: users.xlsx", "path: more/*/users-*.xlsx").replace(
        "path: costs.xlsx", "path: gone/costs.xlsx"
    )
    config.write_text(text, encoding="utf-8")
    folder = (tmp_path / "export").resolve()
    assert watched_paths(config) == sorted(
        [
            Watch(folder / "deals.csv"),
            Watch(folder),  # gone/costs.xlsx: its nearest existing folder, where it would appear
            Watch(folder / "more" / "2024"),  # the glob's folders, each watched for new files
            Watch(folder / "salesperf.yaml"),
            Watch(resource("templates"), recursive=True),
            Watch(resource("mkdocs.yml")),
        ],
        key=lambda w: str(w.path),
    )


def test_a_broken_config_is_still_watched(tmp_path: Path) -> None:
    config = tmp_path / "salesperf.yaml"
    config.write_text("sources: [\n", encoding="utf-8")
    assert Watch(config.resolve()) in watched_paths(config)


@pytest.mark.parametrize(
    ("path_info", "valid"),
    [
        ("/", True),
        ("/reps/a/", True),
        ("/caf\xc3\xa9/", True),  # UTF-8 "café", as WSGI passes it
        ("/\xff", False),
        ("/a\x00b", False),
        ("/a\x7fb", False),
        ("relative", False),
    ],
)
def test_valid_path_info(path_info: str, valid: bool) -> None:
    assert valid_path_info(path_info) is valid
