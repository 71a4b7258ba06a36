"""Write the docs folder: only files whose content changed are rewritten; stale files are removed."""

from __future__ import annotations

import os
import posixpath
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.site.render import resource


@dataclass(frozen=True)
class WriteStats:
    """What one write of the docs folder changed."""

    written: int
    unchanged: int
    removed: int


def _relative_name(name: str) -> str:
    """``name`` as a clean path inside the docs folder: generated names never escape it.

    Checked on the text (absolute, or with a ``..`` part), not by resolving each path on disk: the
    docs folder is salesperf's own, and resolving 11,000 paths cost two seconds at 1,000 reps.
    """
    clean = posixpath.normpath(name)
    if posixpath.isabs(clean) or clean == ".." or clean.startswith("../") or clean in {"", "."}:
        raise ValueError(f"refusing to write outside the docs folder: {name!r}")
    return clean


def bundled_assets() -> list[Path]:
    """The files of ``templates/assets`` (scripts, styles), copied into every site's ``assets/``."""
    return sorted((resource("templates") / "assets").iterdir())


def write_docs(
    root: Path,
    files: dict[str, str | bytes],
    on_file: Callable[[int, str], None] = lambda _steps, _name: None,
) -> WriteStats:
    """Make ``root`` hold exactly ``files`` (plus the bundled assets), touching only what changed;
    ``on_file(1, name)`` as each file is taken (written, or found unchanged).

    Raises ValueError for a name outside ``root`` (absolute, or climbing out with ``..``).
    """
    root.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str | bytes] = {
        _relative_name(name): content for name, content in files.items()
    }
    for asset in bundled_assets():
        wanted[f"assets/{asset.name}"] = asset.read_bytes()
    base = str(root)
    made = {""}  # folders known to exist, relative to root
    written = unchanged = 0
    for name, content in wanted.items():
        on_file(1, name)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = os.path.join(base, name)
        try:
            if os.stat(target).st_size == len(data):
                with open(target, "rb") as existing:
                    if existing.read() == data:
                        unchanged += 1
                        continue
            # Replaced, never rewritten in place: the published site may hold a hard link to it.
            os.unlink(target)
        except FileNotFoundError:
            folder = posixpath.dirname(name)
            if folder not in made:
                os.makedirs(os.path.join(base, folder), exist_ok=True)
                made.add(folder)
        try:
            with open(target, "xb") as out:
                out.write(data)
        except OSError as exc:  # a failed write() names no file: name it
            raise OSError(exc.errno, exc.strerror, target) from None
        written += 1
    removed = 0
    for dirpath, _dirs, names in os.walk(base, topdown=False):
        folder = os.path.relpath(dirpath, base).replace(os.sep, "/")
        for filename in names:
            if (filename if folder == "." else f"{folder}/{filename}") not in wanted:
                os.unlink(os.path.join(dirpath, filename))
                removed += 1
        if dirpath != base and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return WriteStats(written, unchanged, removed)


def clear(path: Path) -> None:
    """Remove a folder if it exists."""
    if path.exists():
        shutil.rmtree(path)
