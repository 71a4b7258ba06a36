"""Drive MkDocs from Python over the generated docs folder."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

from generator.errors import BuildError
from generator.site.render import resource


def mkdocs_build(docs_dir: Path, site_dir: Path, *, site_name: str, site_url: str | None,
                 nav: list[dict[str, str]]) -> None:
    """Build the site with MkDocs Material into ``site_dir``; raise BuildError on failure."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        overrides: dict[str, object] = {
            "docs_dir": str(docs_dir), "site_dir": str(site_dir), "site_name": site_name, "nav": nav,
        }
        if site_url:
            overrides["site_url"] = site_url
        config = load_config(config_file=str(resource("mkdocs.yml")), **overrides)
        build(config)
    except (MkDocsException, OSError, SystemExit) as exc:
        detail = stream.getvalue().strip().splitlines()
        raise BuildError([f"MkDocs build failed: {exc}", *detail[-5:]]) from None
    finally:
        logger.removeHandler(handler)
