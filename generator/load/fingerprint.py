"""A fingerprint of everything a build's pages depend on, so an unchanged rebuild can skip to MkDocs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator import __version__
from generator.config import LoadedConfig
from generator.schema import DATASETS

PACKAGE = Path(__file__).resolve().parent.parent


def _file_digest(path: Path, digest: hashlib._Hash) -> None:
    digest.update(str(path).encode("utf-8") + b"\0")
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    digest.update(b"\0")


def inputs_fingerprint(cfg: LoadedConfig, resources: list[Path]) -> str:
    """SHA-256 over the config, every export file, the templates and salesperf's own code."""
    digest = hashlib.sha256(f"salesperf {__version__}\0".encode())
    digest.update(cfg.config.model_dump_json().encode("utf-8"))
    for name in DATASETS:
        if getattr(cfg.config.sources, name) is not None:
            for path in cfg.source_files(name):
                if path.is_file():  # a FIFO or a device is never opened: the loader reports it
                    _file_digest(path, digest)
    code = sorted(PACKAGE.rglob("*.py"))
    for folder in resources:
        code += sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else [folder]
    for path in code:
        _file_digest(path, digest)
    return digest.hexdigest()
