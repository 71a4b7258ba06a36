"""The Vega-Embed bundle, generated from the installed vl-convert package and cached by version."""

from __future__ import annotations

import contextlib
import os
import tempfile
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


def shared_cache_dir() -> Path:
    """The user's cache folder for salesperf (``platformdirs.user_cache_dir``: on Linux
    ``$XDG_CACHE_HOME/salesperf``, else ``~/.cache/salesperf``), shared by every build of the user."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("salesperf", appauthor=False))


def vega_bundle(cache_dir: Path) -> bytes:
    """vega + vega-lite + vega-embed as one script defining ``window.vegaEmbed`` (no CDN), as bytes
    of UTF-8.

    Made by vl-convert (about 2 s of CPU) once per vl-convert and Vega-Lite version on a machine:
    it is kept in ``cache_dir`` (the build folder's cache) and in the user's cache folder
    (``shared_cache_dir``), so that a build into a new folder, a fresh clone's or a test's, finds it
    there. The user's cache is best effort: one that cannot be read or written (a read-only home)
    only means the bundle is made again. Raises OSError when ``cache_dir`` cannot be written."""
    import vl_convert

    version = vega_lite_version()
    name = f"vega-{getattr(vl_convert, '__version__', 'x')}-vl{version}.js"
    cached = cache_dir / name
    bundle = _read_whole(cached)
    if bundle is not None:
        return bundle
    shared = shared_cache_dir() / name
    bundle = _read_whole(shared)
    if bundle is None:  # not made yet on this machine, cut short, or the user's cache is unusable
        # vl_convert's stub marks ``snippet`` required; at run time it is optional, and its default
        # snippet is the one wanted here (it defines window.vegaEmbed).
        bundle = vl_convert.javascript_bundle(vl_version=version).encode("utf-8")  # type: ignore[call-arg]
        with contextlib.suppress(OSError):  # best effort: the next build makes it again
            _write_atomically(shared, bundle)
    _write_atomically(cached, bundle)
    return bundle


WHOLE_BUNDLE_END = b"window.vegaEmbed="
"""What the last part of a whole bundle holds: vl-convert's snippet, which ends the bundle, defines
``window.vegaEmbed`` (a file cut short, or left empty by a crash, lacks it)."""


def _read_whole(path: Path) -> bytes | None:
    """The bundle cached at ``path``, or None when there is none, it cannot be read, or it is not
    whole (``WHOLE_BUNDLE_END`` missing from its last 4 kB): it is then made again."""
    try:
        bundle = path.read_bytes()
    except OSError:
        return None
    return bundle if WHOLE_BUNDLE_END in bundle[-4096:] else None


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
