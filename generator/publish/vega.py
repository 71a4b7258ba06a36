"""The Vega-Embed bundle, generated from the installed vl-convert package and cached by version."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from generator.lazy import lazy_module

if TYPE_CHECKING:
    import altair as alt
else:
    alt = lazy_module("altair")  # its version only: imported by the process that makes the bundle


def vega_lite_version() -> str:
    """The Vega-Lite minor version Altair writes specs for (e.g. ``6.4``)."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


CACHE_VARIABLE = "SALESPERF_CACHE_DIR"
"""Environment variable: the folder where salesperf keeps what it makes once per machine (the chart
bundle); unset or empty: the user's cache folder (``shared_cache_dir``)."""

STALE_TMP_SECONDS = 3600
"""A half-written cache file older than this was left by a killed build: the next save deletes it."""


def shared_cache_dir() -> Path | None:
    """The folder every build of the user shares for the chart bundle: ``SALESPERF_CACHE_DIR`` when
    set, else the user's cache folder for salesperf (``platformdirs.user_cache_dir``:
    ``$XDG_CACHE_HOME/salesperf`` or ``~/.cache/salesperf`` on Linux, ``~/Library/Caches/salesperf``
    on macOS, ``%LOCALAPPDATA%\\salesperf\\Cache`` on Windows); None when there is no home folder to
    find it in. The folder is not made here."""
    chosen = os.environ.get(CACHE_VARIABLE, "").strip()
    if chosen:
        return Path(chosen)
    import platformdirs

    try:
        return Path(platformdirs.user_cache_dir("salesperf", appauthor=False))
    except RuntimeError:  # no home folder (HOME unset and no password entry)
        return None


def _vl_convert_version() -> str:
    """The installed vl-convert-python's version (its distribution's metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vl-convert-python")
    except PackageNotFoundError:  # imported from a source tree, not installed
        import vl_convert

        return str(getattr(vl_convert, "__version__", "unknown"))


def vega_bundle(cache_dir: Path) -> bytes:
    """vega + vega-lite + vega-embed as one script defining ``window.vegaEmbed`` (no CDN), as bytes
    of UTF-8.

    Made by vl-convert (about 2 s of CPU) once per vl-convert and Vega-Lite version on a machine:
    it is kept in ``cache_dir`` (the build folder's cache) and in the shared cache folder
    (``shared_cache_dir``: the user's, or SALESPERF_CACHE_DIR), so that a build into a new folder, a
    fresh clone's or a test's, finds it there. The shared cache is best effort: one that cannot be
    found, read or written (a read-only home) only means the bundle is made again, as does a cached
    bundle that is not the one written there (``_read_whole``: its SHA-256 is checked). Raises
    OSError when ``cache_dir`` cannot be written."""
    import vl_convert

    version = vega_lite_version()
    name = f"vega-{_vl_convert_version()}-vl{version}.js"
    cached = cache_dir / name
    bundle = _read_whole(cached)
    if bundle is not None:
        return bundle
    shared = shared_cache_dir()
    bundle = _read_whole(shared / name) if shared is not None else None
    if bundle is None:  # not made yet on this machine, damaged, or the user's cache is unusable
        # vl_convert's stub marks ``snippet`` required; at run time it is optional, and its default
        # snippet is the one wanted here (it defines window.vegaEmbed).
        bundle = vl_convert.javascript_bundle(vl_version=version).encode("utf-8")  # type: ignore[call-arg]
        if shared is not None:
            with contextlib.suppress(OSError):  # best effort: the next build makes it again
                _keep(shared / name, bundle)
                _tidy(shared, name)
    _keep(cached, bundle)
    return bundle


def _tidy(folder: Path, name: str) -> None:
    """Delete from the shared cache ``folder`` the bundles of other versions (an upgrade of
    vl-convert or Altair leaves the old one) and half-written files older than STALE_TMP_SECONDS
    (a build killed while writing); a file another build is writing right now is younger."""
    now = time.time()
    for path in folder.iterdir():
        stale = (path.name.endswith(".tmp") and now - path.stat().st_mtime > STALE_TMP_SECONDS) or (
            path.name.startswith("vega-")
            and path.name not in (name, name + ".sha256")
            and path.name.endswith((".js", ".js.sha256"))
        )
        if stale:
            path.unlink(missing_ok=True)


def _read_whole(path: Path) -> bytes | None:
    """The bundle cached at ``path``, or None when there is none, it cannot be read, or it is not
    the one written there: its SHA-256 differs from the one recorded beside it (``path`` +
    ``.sha256``, written after the bundle), as after a crash while writing or a damaged disk. It is
    then made again."""
    try:
        bundle = path.read_bytes()
        recorded = _digest_path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return bundle if hashlib.sha256(bundle).hexdigest() == recorded else None


def _digest_path(path: Path) -> Path:
    """Where the SHA-256 of the bundle cached at ``path`` is kept: beside it, ``.sha256`` added."""
    return path.with_name(path.name + ".sha256")


def _keep(path: Path, bundle: bytes) -> None:
    """Cache ``bundle`` at ``path``, then its SHA-256 beside it (``_read_whole`` checks it)."""
    _write_atomically(path, bundle)
    _write_atomically(_digest_path(path), hashlib.sha256(bundle).hexdigest().encode("ascii"))


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a file of its own beside it, renamed into place: a reader
    never sees half a file, and builds writing the same file at once do not collide."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
