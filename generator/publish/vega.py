"""The Vega-Embed bundle, generated from the installed vl-convert package and cached by version."""

from __future__ import annotations

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


def vega_bundle(cache_dir: Path) -> bytes:
    """vega + vega-lite + vega-embed as one script defining ``window.vegaEmbed`` (no CDN)."""
    import vl_convert

    version = vega_lite_version()
    cached = cache_dir / f"vega-{getattr(vl_convert, '__version__', 'x')}-vl{version}.js"
    if cached.exists():
        return cached.read_bytes()
    # vl_convert's stub marks ``snippet`` required; at run time it is optional, and its default
    # snippet is the one wanted here (it defines window.vegaEmbed).
    bundle = vl_convert.javascript_bundle(vl_version=version).encode("utf-8")  # type: ignore[call-arg]
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(bundle)
    tmp.replace(cached)
    return bundle
