"""Helpers of the publishing and fault tests: the smallest export that builds, and salesperf as a process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_tiny_export(folder: Path, *, title: str = "Tiny Co") -> Path:
    """Three deals, no other dataset: the quickest site to build (about 20 pages)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "1,r1,c1,100,Won,2024-01-01\n2,r2,c2,200,Won,2024-02-01\n3,r3,c3,50,Lost,2024-03-01\n",
        encoding="utf-8",
    )
    config = folder / "salesperf.yaml"
    config.write_text(
        f'site: {{title: "{title}"}}\n'
        "sources:\n  deals: {path: deals.csv, won_stages: [Won], lost_stages: [Lost]}\n"
        "publish: {out: site}\n",
        encoding="utf-8",
    )
    return config


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the hash of its bytes."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def salesperf(
    *args: str, env: dict[str, str] | None = None, **popen: object
) -> subprocess.Popen[str]:
    """Start ``python -m generator ARGS`` from this checkout; its output goes to pipes, not the test's."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "generator", *args],
        cwd=REPO,
        env=environment,
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


def run_salesperf(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[int, str, str]:
    """Run salesperf to its end: exit status (negative: killed by that signal), stdout, stderr."""
    process = salesperf(*args, env=env)
    out, err = finish(process, timeout)
    return process.returncode, out, err


def finish(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """Wait for a salesperf process; past ``timeout`` kill it and fail with what it printed."""
    try:
        return process.communicate(timeout=timeout)  # type: ignore[no-any-return]
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        raise AssertionError(
            f"salesperf did not end within {timeout} s; it printed: {err[-3000:]}"
        ) from None


def processes_mentioning(text: str) -> dict[int, str]:
    """Live processes (zombies excluded) whose command line contains ``text``: pid → state."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = (
                Path(f"/proc/{entry}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
            )
            state = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found[int(entry)] = state
    return found


def children_of(pid: int) -> list[int]:
    """Live child processes of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found
