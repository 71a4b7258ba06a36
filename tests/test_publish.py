"""Publishing: a whole site at the output path at every instant, whatever step a build is killed at."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.publish.swap import MARKER, exchange, leftovers, recover
from tests.publishing import (
    children_of,
    finish,
    processes_mentioning,
    run_salesperf,
    salesperf,
    tree_digest,
    write_tiny_export,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="kills and /proc: Linux only"
)

EPOCHS = ("1700000000", "1710000000")
"""Two build dates: the same inputs give two different sites (the sitemap's date differs)."""


def _site(folder: Path, **files: str) -> Path:
    folder.mkdir()
    (folder / MARKER).write_text("built by salesperf\n", encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    a = _site(tmp_path / "a", **{"index.html": "A"})
    b = _site(tmp_path / "b", **{"index.html": "B"})
    if not exchange(a, b):
        pytest.skip(
            "this file system cannot exchange two folders (the fallback swap is tested below)"
        )
    assert (a / "index.html").read_text() == "B" and (b / "index.html").read_text() == "A"


def test_recover_puts_back_the_old_site_when_the_output_path_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _site(tmp_path / ".site.old-4242", **{"index.html": "old"})
    _site(tmp_path / ".site.new-4242", **{"index.html": "new, never published"})
    message = recover(out)
    assert (out / "index.html").read_text() == "old"
    assert leftovers(out) == []
    assert message == (
        f"{out}: restored the previous site from .site.old-4242, left by an interrupted build; "
        "removed .site.new-4242"
    )


def test_recover_never_restores_a_half_deleted_copy(tmp_path: Path) -> None:
    out = tmp_path / "site"
    half = tmp_path / ".site.old-7"
    half.mkdir()
    (half / "index.html").write_text("its marker was deleted first", encoding="utf-8")
    assert recover(out) == f"{out}: removed what an interrupted build left beside it (.site.old-7)"
    assert not out.exists() and not half.exists()


def test_recover_leaves_other_folders_alone(tmp_path: Path) -> None:
    out = _site(tmp_path / "site", **{"index.html": "published"})
    others = [tmp_path / ".site.new-x", tmp_path / ".sites.new-1", tmp_path / "site.old-1"]
    for other in others:
        other.mkdir()
    (tmp_path / ".site.new-9").write_text("a file, not a folder", encoding="utf-8")
    assert recover(out) is None
    assert all(other.exists() for other in others) and (tmp_path / ".site.new-9").exists()


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, dict[str, dict[str, str]]]:
    """A tiny export, its site, and the site as built on each of the two dates (by its digest)."""
    folder = tmp_path_factory.mktemp("publish")
    config = write_tiny_export(folder)
    digests = {}
    with pytest.MonkeyPatch.context() as patch:
        for epoch in EPOCHS:
            patch.setenv("SOURCE_DATE_EPOCH", epoch)
            digests[epoch] = tree_digest(build(config).out)
    assert digests[EPOCHS[0]] != digests[EPOCHS[1]]
    return config, folder / "site", digests


def _whole_sites(digests: dict[str, dict[str, str]], site: Path) -> str:
    """Which of the two sites ``site`` is, byte for byte; fails unless it is one of them."""
    found = tree_digest(site)
    matches = [epoch for epoch, digest in digests.items() if digest == found]
    assert matches, f"{site} is not a whole site"
    return matches[0]


@pytest.mark.parametrize(
    ("swap", "steps"),
    [
        ("exchange", ["staged", "swapped", "discarding", "recovering"]),
        ("fallback", ["staged", "set-aside", "swapped", "discarding"]),
    ],
)
def test_a_build_killed_at_each_publishing_step_leaves_a_whole_site(
    published: tuple[Path, Path, dict[str, dict[str, str]]], swap: str, steps: list[str]
) -> None:
    """SIGKILL at every file-system step of publishing, in turn: the output path holds the old site
    or the new one (with the fallback swap it may be missing, with the old site set aside whole, until
    the next build puts it back), and each next build cleans up after the killed one and says so."""
    config, site, digests = published
    env = {"SALESPERF_TEST_NO_EXCHANGE": "1"} if swap == "fallback" else {}
    current = _whole_sites(digests, site)
    left_behind = False
    for step in steps:
        new = next(epoch for epoch in EPOCHS if epoch != current)
        status, _out, err = run_salesperf(
            "build",
            "-c",
            str(config),
            env={**env, "SOURCE_DATE_EPOCH": new, "SALESPERF_TEST_KILL_AT": step},
        )
        assert status == -signal.SIGKILL, (step, err)
        assert "Traceback" not in err
        if left_behind and step != "recovering":  # killed while cleaning up, it says nothing yet
            assert f"note: {site}: re" in err, (step, err)  # "restored …" or "removed …"
        if step == "set-aside":
            assert not site.exists()
            (aside,) = [p for p in leftovers(site) if ".old-" in p.name]
            assert _whole_sites(digests, aside) == current
        else:
            expected = new if step in ("swapped", "discarding") else current
            assert _whole_sites(digests, site) == expected, step
            current = expected
        left_behind = bool(leftovers(site))
        assert left_behind, step  # the replaced, set-aside or half-deleted copy
    status, _out, err = run_salesperf(
        "build", "-c", str(config), env={"SOURCE_DATE_EPOCH": current}
    )
    assert status == 0, err
    assert f"note: {site}: removed what an interrupted build left beside it" in err
    assert leftovers(site) == [] and _whole_sites(digests, site) == current


def test_the_next_build_restores_a_site_set_aside_by_a_killed_fallback_swap(
    published: tuple[Path, Path, dict[str, dict[str, str]]],
) -> None:
    config, site, digests = published
    before = _whole_sites(digests, site)
    status, _out, _err = run_salesperf(
        "build",
        "-c",
        str(config),
        "--force",
        env={
            "SALESPERF_TEST_NO_EXCHANGE": "1",
            "SALESPERF_TEST_KILL_AT": "set-aside",
            "SOURCE_DATE_EPOCH": before,
        },
    )
    assert status == -signal.SIGKILL and not site.exists()
    status, _out, err = run_salesperf("build", "-c", str(config), env={"SOURCE_DATE_EPOCH": before})
    assert status == 0, err
    assert f"note: {site}: restored the previous site from .site.old-" in err
    assert leftovers(site) == [] and _whole_sites(digests, site) == before


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_a_sharded_build_stopped_mid_mkdocs_leaves_no_process(
    published: tuple[Path, Path, dict[str, dict[str, str]]], stop: signal.Signals
) -> None:
    """The MkDocs worker is frozen (SIGSTOP) so that only its parent's death can end it; then the
    build is killed (the kernel must kill the worker) or terminated (the build must kill it)."""
    config, site, _digests = published
    before = tree_digest(site)
    process = salesperf("build", "-c", str(config), "--force", env={"SALESPERF_MKDOCS_JOBS": "2"})
    workers: list[int] = []
    # The worker's shard output appears once it runs MkDocs, past its own set-up (PR_SET_PDEATHSIG).
    shard_output = site.parent / ".salesperf-build" / site.name / "shards" / "site-1"
    try:
        deadline = time.monotonic() + 60
        while not workers and process.poll() is None and time.monotonic() < deadline:
            workers = children_of(process.pid) if shard_output.exists() else []
            time.sleep(0.002)
        assert workers, "the build ended before its MkDocs worker could be seen"
        for worker in workers:
            os.kill(worker, signal.SIGSTOP)
        process.send_signal(stop)
        _out, err = finish(process, 60)
        deadline = time.monotonic() + 5
        while processes_mentioning(str(config)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_mentioning(str(config)) == {}
    finally:
        for pid in processes_mentioning(str(config)):
            os.kill(pid, signal.SIGKILL)  # only processes of this test's build
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert tree_digest(site) == before  # the published site was never touched
    if stop == signal.SIGTERM:
        assert process.returncode == 1
        assert err.strip().splitlines()[-1].startswith("error: interrupted (SIGTERM)")
        assert "Traceback" not in err
        assert leftovers(site) == []  # the build removed its half-built site itself
    else:
        assert process.returncode == -signal.SIGKILL
        left = leftovers(site)
        status, _out, err = run_salesperf("build", "-c", str(config))
        assert status == 0, err
        assert (f"note: {site}: removed what an interrupted build left beside it" in err) == bool(
            left
        )
        assert leftovers(site) == []


def test_sharded_and_single_mkdocs_builds_are_byte_identical(
    published: tuple[Path, Path, dict[str, dict[str, str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, _site, _digests = published
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCHS[0])
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", "1")
    single = tree_digest(build(config, tmp_path / "one").out)
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", "2")
    sharded = tree_digest(build(config, tmp_path / "two").out)
    assert single == sharded
