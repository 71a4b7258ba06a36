"""Write the docs folder: only files whose content changed are rewritten; stale files are removed."""

from __future__ import annotations

import os
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


def _safe_target(root: Path, name: str) -> Path:
    """A path inside ``root``: generated names never escape the docs folder."""
    target = (root / name).resolve()
    if root.resolve() not in target.parents:
        raise ValueError(f"refusing to write outside the docs folder: {name!r}")
    return target


def bundled_assets() -> list[Path]:
    """The files of ``templates/assets`` (scripts, styles), copied into every site's ``assets/``."""
    return sorted((resource("templates") / "assets").iterdir())


def write_docs(root: Path, files: dict[str, str | bytes],
               on_file: Callable[[int, str], None] = lambda _steps, _name: None) -> WriteStats:
    """Make ``root`` hold exactly ``files`` (plus the bundled assets), touching only what changed;
    ``on_file(1, name)`` as each file is taken (written, or found unchanged)."""
    root.mkdir(parents=True, exist_ok=True)
    wanted = dict(files)
    for asset in bundled_assets():
        wanted[f"assets/{asset.name}"] = asset.read_bytes()
    written = unchanged = 0
    for name, content in wanted.items():
        on_file(1, name)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = _safe_target(root, name)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    keep = {_safe_target(root, name) for name in wanted}
    removed = 0
    for dirpath, _dirs, names in os.walk(root, topdown=False):
        for filename in names:
            path = Path(dirpath, filename).resolve()
            if path not in keep:
                path.unlink()
                removed += 1
        if dirpath != str(root) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return WriteStats(written, unchanged, removed)


def clear(path: Path) -> None:
    """Remove a folder if it exists."""
    if path.exists():
        shutil.rmtree(path)
