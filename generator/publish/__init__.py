"""Publish stage: write the generated pages, run MkDocs, swap the new site into place, keep the build cache.

Only this stage writes files: ``write`` fills the docs folder, ``vega`` caches the chart bundle,
``mkdocs_build`` turns the docs folder into HTML (sharded over processes), ``swap`` puts the new
site at the output path atomically and recovers from killed builds, ``cache`` remembers what the
last build was made from so an unchanged rebuild skips to MkDocs, and ``serve`` previews the result.
"""
