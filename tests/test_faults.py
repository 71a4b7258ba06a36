"""OS faults and bad settings: each ends with one line naming what and where, exit 1 or 2, no traceback."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.publish.mkdocs_build import _jobs
from generator.publish.serve import PreviewServer
from generator.publish.swap import leftovers, publishing_lock
from tests.publishing import tree_digest, write_tiny_export


def _salesperf(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _fails_in_one_line(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code``, and its last line is one error naming each fragment."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught error
    assert "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in last, (fragment, last)
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors == [last], result.output
    return last


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small file system of its own at ``folder`` (needs root and mount; skipped otherwise)."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file systems")


def test_disk_full_on_the_first_build(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    with _tmpfs(tmp_path / "full", "2m") as disk:
        result = _salesperf("build", "-c", str(config), "--out", str(disk / "site"))
        _fails_in_one_line(result, 1, "No space left on device", str(disk))
        assert not (disk / "site").exists()
        assert leftovers(disk / "site") == []


def test_disk_full_on_a_rebuild_keeps_the_published_site(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    with _tmpfs(tmp_path / "disk", "8m") as disk:
        site = disk / "site"
        assert _salesperf("build", "-c", str(config), "--out", str(site)).exit_code == 0
        before = tree_digest(site)
        # The old site and the build folder (which share the data files) use about 6 of the 8 MB: a
        # second site (about 3.5 MB besides the data files it links) does not fit.
        result = _salesperf("build", "-c", str(config), "--out", str(site), "--force")
        line = _fails_in_one_line(result, 1, "No space left on device", str(disk))
        assert "the published site is unchanged" in line
        assert tree_digest(site) == before
        assert leftovers(site) == []


def test_read_only_output_folder(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    with _tmpfs(tmp_path / "disk", "16m") as disk:
        site = disk / "site"
        assert _salesperf("build", "-c", str(config), "--out", str(site)).exit_code == 0
        before = tree_digest(site)
        # chmod does not stop root: the file system itself becomes read-only.
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True, check=False
        )
        if remount.returncode:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
        result = _salesperf("build", "-c", str(config), "--out", str(site))
        _fails_in_one_line(result, 1, "Read-only file system", str(disk))
        assert tree_digest(site) == before


def test_first_build_into_a_read_only_folder(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    with _tmpfs(tmp_path / "disk", "1m") as disk:
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True, check=False
        )
        if remount.returncode:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
        result = _salesperf("build", "-c", str(config), "--out", str(disk / "site"))
        _fails_in_one_line(
            result, 1, "Read-only file system", str(disk), "preparing the output folder"
        )


def test_output_path_under_a_file(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    (tmp_path / "report.txt").write_text("a file, not a folder", encoding="utf-8")
    result = _salesperf("build", "-c", str(config), "--out", str(tmp_path / "report.txt" / "site"))
    _fails_in_one_line(
        result,
        1,
        f"error: {tmp_path / 'report.txt'}: is a file where salesperf needs a folder; move or delete it",
        "preparing the output folder",
    )
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == "a file, not a folder"


def test_output_name_too_long(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    result = _salesperf("build", "-c", str(config), "--out", str(tmp_path / ("s" * 300)))
    _fails_in_one_line(result, 1, "File name too long", "s" * 300)


def test_a_second_build_into_the_same_folder_stops_at_once(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    with publishing_lock(tmp_path / "export" / "site"):  # as a build in progress holds it
        result = _salesperf("build", "-c", str(config))
    _fails_in_one_line(result, 1, "another salesperf build is publishing into this folder")


@pytest.mark.parametrize(
    "value", ["two", "0", "-1", "1.5", "65", "99999999999999999999", "²", "+4", "1_0", "٣"]
)
def test_bad_mkdocs_jobs_fails_before_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    config = write_tiny_export(tmp_path / "export")
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", value)
    result = _salesperf("build", "-c", str(config))
    _fails_in_one_line(result, 2, f"SALESPERF_MKDOCS_JOBS={value!r}", "from 1 to 64")
    assert not (tmp_path / "export" / "site").exists()


def test_mkdocs_jobs_never_exceed_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Processes beyond the entity pages would each repeat the shared work for nothing."""
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", "40")
    assert [_jobs(n) for n in (0, 1, 30, 40, 5000)] == [1, 1, 30, 40, 40]
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", "64")
    assert _jobs(10_000) == 64


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "",
        "²",
        "99999999999999999999",
        "253402300799",
        "4294967296",
        "-1",
        "1e9",
        "1_700_000_000",
    ],
)
def test_bad_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    config = write_tiny_export(tmp_path / "export")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    _fails_in_one_line(
        _salesperf("build", "-c", str(config)), 2, f"SOURCE_DATE_EPOCH={value!r}", "4294967295"
    )
    assert not (tmp_path / "export" / "site").exists()


def test_last_source_date_epoch_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The largest accepted value builds: MkDocs puts it in the 32-bit gzip header of sitemap.xml.gz."""
    config = write_tiny_export(tmp_path / "export")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4294967295")
    assert _salesperf("build", "-c", str(config)).exit_code == 0
    header = (tmp_path / "export" / "site" / "sitemap.xml.gz").read_bytes()[4:8]
    # 2106-02-07 00:00 UTC: MkDocs keeps the day
    assert int.from_bytes(header, "little") == 4294944000


@pytest.mark.parametrize(
    "base_url",
    [
        'https://ex.com/"><script>alert(3)</script>/',
        "ftp://ex.com/",
        "sales.example.com",
        "https://ex.com/a b/",
        "https://ex.com:99999/",
        "https://ex.com/?page=1",
        "javascript:alert(1)//",
    ],
)
def test_bad_base_url_is_a_config_error(tmp_path: Path, base_url: str) -> None:
    """site.base_url goes into attributes and the sitemap: only an absolute http(s) URL is accepted."""
    config = write_tiny_export(tmp_path / "export")
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("site: {", "site: {base_url: " + json.dumps(base_url) + ", "), encoding="utf-8"
    )
    _fails_in_one_line(
        _salesperf("build", "-c", str(config)), 2, "site.base_url", "absolute http or https"
    )
    assert not (tmp_path / "export" / "site").exists()


def test_busy_port_fails_before_the_build(tmp_path: Path) -> None:
    config = write_tiny_export(tmp_path / "export")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _salesperf("serve", "-c", str(config), "--port", str(port))
    _fails_in_one_line(result, 2, f"--port {port}", "in use")
    assert not (tmp_path / "export" / "site").exists()  # nothing was built


@pytest.mark.parametrize("port", ["70000", "-1", "http", ""])
def test_invalid_port(tmp_path: Path, port: str) -> None:
    config = write_tiny_export(tmp_path / "export")
    _fails_in_one_line(
        _salesperf("serve", "-c", str(config), "--port", port), 2, "--port", "not a port number"
    )
    assert not (tmp_path / "export" / "site").exists()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[int]:
    """The preview server over a small site, on a free port."""
    (tmp_path / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("//", encoding="utf-8")
    server = PreviewServer(lambda: None, "127.0.0.1", 0, tmp_path)
    server.listen()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _raw_get(port: int, target: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    ("target", "status"),
    [
        (b"/", b"200"),
        (b"/assets/app.js", b"200"),
        (b"/assets/", b"404"),  # a folder without an index page is not listed
        (b"/%ff%00/../..", b"400"),
        (b"/a%00b", b"400"),
        (b"/%ff", b"400"),
        (b"/../../etc/passwd", b"404"),
    ],
)
def test_preview_server_answers_every_path_with_a_status(
    preview: int, target: bytes, status: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    answer = _raw_get(preview, target)
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == status, answer[:200]
    assert b"Directory listing" not in answer
    assert "Traceback" not in capfd.readouterr().err
