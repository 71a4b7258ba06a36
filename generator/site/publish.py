"""Atomic publishing: the new site is built beside the old one and swapped in only on success."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.errors import ConfigError

MARKER = ".salesperf-site"
"""A file in every published site, so salesperf never replaces a folder it did not build."""


def staging_dir(out: Path) -> Path:
    """Where a new site is built: beside ``out``, on the same file system, so the swap is a rename."""
    return out.parent / f".{out.name}.new-{os.getpid()}"


def remove_stale(out: Path) -> None:
    """Remove staging folders left beside ``out`` by builds that were killed (their process is gone)."""
    for path in out.parent.glob(f".{out.name}.*-*"):
        kind, _sep, pid = path.name.rpartition("-")
        if not (kind.endswith((".new", ".old")) and pid.isdigit() and path.is_dir()):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            continue


def check_target(out: Path) -> None:
    """Refuse to replace an existing folder that is not a salesperf site."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ConfigError(
            f"{out}: exists and is not a site built by salesperf (no {MARKER} file); "
            "choose another --out or remove it"
        )


def publish(staged: Path, out: Path) -> None:
    """Swap ``staged`` in as ``out``; on any failure the previous ``out`` is restored."""
    (staged / MARKER).write_text("built by salesperf\n", encoding="utf-8")
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    had_old = out.exists()
    if had_old:
        os.replace(out, old)
    try:
        os.replace(staged, out)
    except OSError:
        if had_old:
            os.replace(old, out)
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)
