"""Drive MkDocs from Python over the generated docs folder, on every core.

MkDocs builds one page after another on one core. With thousands of entity pages, salesperf
splits them into shards (the shared pages, data and assets go to the first one), builds the shards
side by side in forked processes, then merges their output: the page folders, the search index
and the sitemap, in the order a single ``mkdocs build`` writes them, so the site is the same byte
for byte whatever the number of processes (``generator.parallel``: the worker processes never
outlive the build).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import re
import shutil
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import BuildError, UsageError
from generator.parallel import WHOLE_NUMBER, in_background, jobs, whole_number_setting
from generator.site.render import resource

ENTITY_FOLDERS = ("reps", "teams", "managers", "regions", "categories", "channels")
"""Folders whose pages (other than index.md) are out of the navigation and can be built apart
(``not_in_nav`` in mkdocs.yml lists the same folders)."""

PAGE_OVERHEAD_BYTES = 20_000
"""MkDocs' work on a page besides its Markdown (theme, navigation, search entry), as bytes of Markdown."""

MIN_PAGES_PER_SHARD = 300
"""Below this many entity pages per extra process, forking costs more than it saves."""


JOBS_VARIABLE = "SALESPERF_MKDOCS_JOBS"
"""Environment variable: the number of MkDocs processes (a whole number 1–64; unset: ``SALESPERF_JOBS``,
else one per core)."""

MAX_SOURCE_DATE_EPOCH = 2**32 - 1
"""The last SOURCE_DATE_EPOCH MkDocs can build with (2106-02-07 06:28:15 UTC): it writes the time
into sitemap.xml.gz, whose gzip header holds 32 bits (year 9999, 253402300799, fails there)."""


def requested_jobs() -> int | None:
    """``SALESPERF_MKDOCS_JOBS`` when set; a value that is not a whole number 1–64 is a usage error."""
    return whole_number_setting(JOBS_VARIABLE, "the number of MkDocs processes")


def check_environment() -> None:
    """Check the environment variables a build reads (SALESPERF_JOBS, SALESPERF_MKDOCS_JOBS,
    SOURCE_DATE_EPOCH) before it does any work; raises UsageError for a bad value."""
    requested_jobs()
    jobs()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not (
        WHOLE_NUMBER.fullmatch(epoch.strip()) and int(epoch.strip()) <= MAX_SOURCE_DATE_EPOCH
    ):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={epoch!r}: must be a whole number of seconds since 1970-01-01 UTC, "
            f"from 0 to {MAX_SOURCE_DATE_EPOCH} (2106-02-07)"
        )


def _jobs(entity_pages: int) -> int:
    """MkDocs processes for ``entity_pages`` pages: as requested, else one per core and per
    MIN_PAGES_PER_SHARD pages; never more than there are pages to share out (an extra process
    would only repeat the shared work)."""
    requested = requested_jobs()
    if requested:
        return max(1, min(requested, entity_pages))
    return max(1, min(jobs(), entity_pages // MIN_PAGES_PER_SHARD))


def _build_one(
    docs_dir: Path,
    site_dir: Path,
    site_name: str,
    site_url: str | None,
    nav: list[dict[str, str]],
    skip_pages: tuple[str, ...] = (),
) -> None:
    """One ``mkdocs build`` of ``docs_dir`` into ``site_dir``, leaving out the pages ``skip_pages``
    (paths in ``docs_dir``: built by another shard)."""
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
        overrides: dict[str, Any] = {  # load_config takes any option as a keyword
            "docs_dir": str(docs_dir),
            "site_dir": str(site_dir),
            "site_name": site_name,
            "nav": nav,
        }
        if site_url:
            overrides["site_url"] = site_url
        config = load_config(config_file=str(resource("mkdocs.yml")), **overrides)
        config.plugins["salesperf"] = salesperf_plugin(skip_pages)
        build(config)
    except OSError as exc:  # the destination of a copy, else the one path
        where = next((p for p in (exc.filename2, exc.filename) if p is not None), site_dir)
        raise BuildError(
            f"{where}: {exc.strerror or exc} (while building the site with MkDocs; "
            "the published site is unchanged)"
        ) from None
    except (MkDocsException, SystemExit) as exc:
        detail = stream.getvalue().strip().splitlines()
        raise BuildError([f"MkDocs build failed: {exc}", *detail[-5:]]) from None
    finally:
        logger.removeHandler(handler)


def salesperf_plugin(skip_pages: tuple[str, ...] = ()) -> Any:
    """salesperf's MkDocs plugin, configured (registered by hand: it needs no entry point); it leaves
    out the pages ``skip_pages`` (paths in the docs folder), which another shard builds."""
    from generator.publish.plugin import SalesperfPlugin

    plugin = SalesperfPlugin()
    errors, _warnings = plugin.load_config(
        {"summary_folders": list(ENTITY_FOLDERS), "skip_pages": list(skip_pages)}
    )
    if errors:
        raise BuildError([f"salesperf plugin: {name}: {error}" for name, error in errors])
    return plugin


def _entity_pages(docs_dir: Path) -> list[str]:
    return sorted(
        f"{folder}/{path.name}"
        for folder in ENTITY_FOLDERS
        if (docs_dir / folder).is_dir()
        for path in (docs_dir / folder).glob("*.md")
        if path.name != "index.md"
    )


def _link_tree(source: Path, target: Path, names: list[str]) -> None:
    """A docs folder for one shard: hard links (or copies) of the given files."""
    for name in names:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / name, destination)
        except OSError:
            shutil.copy2(source / name, destination)


def page_order(docs_dir: Path) -> dict[str, int]:
    """Each page's URL and its place in MkDocs' build order (the order of ``get_files``: folders
    walked in name order, ``index.md`` first in each), which orders the search index and sitemap."""
    from mkdocs.structure.files import File

    order: dict[str, int] = {}
    for folder, subfolders, names in os.walk(docs_dir):
        subfolders.sort()
        for name in sorted(
            names, key=lambda n: (os.path.splitext(n)[0] not in ("index", "README"), n)
        ):
            if name.endswith(".md"):
                relative = os.path.relpath(os.path.join(folder, name), docs_dir)
                url = File(relative, str(docs_dir), "", use_directory_urls=True).url
                order.setdefault("" if url in (".", "./") else url, len(order))
    return order


def _merge_search(into: Path, shards: list[Path], order: dict[str, int]) -> None:
    """One search index from every shard's, in single-build order (a page's entries stay together)."""
    index_path = into / "search" / "search_index.json"
    merged = json.loads(index_path.read_text(encoding="utf-8"))
    known = {doc["location"] for doc in merged["docs"]}
    for shard in shards:
        extra = json.loads((shard / "search" / "search_index.json").read_text(encoding="utf-8"))
        merged["docs"] += [doc for doc in extra["docs"] if doc["location"] not in known]
    merged["docs"].sort(key=lambda doc: order.get(doc["location"].partition("#")[0], len(order)))
    # As Material's search plugin writes it, so the file is the one a single build writes.
    index_path.write_text(json.dumps(merged, separators=(",", ":"), default=str), encoding="utf-8")


_URL = re.compile(r"<url>.*?</url>", re.DOTALL)
_LOC = re.compile(r"<loc>(.*?)</loc>", re.DOTALL)


def _merge_sitemap(
    into: Path, shards: list[Path], order: dict[str, int], site_url: str | None
) -> None:
    """One sitemap from every shard's, in single-build order, with the same spacing."""
    sitemap = into / "sitemap.xml"
    if not sitemap.exists():
        return
    text = sitemap.read_text(encoding="utf-8")
    urls = dict.fromkeys(_URL.findall(text))
    for shard in shards:
        if (shard / "sitemap.xml").exists():
            urls.update(
                dict.fromkeys(_URL.findall((shard / "sitemap.xml").read_text(encoding="utf-8")))
            )
    if not urls:
        return
    base = site_url or ""

    def place(url: str) -> int:
        loc = _LOC.search(url)
        path = loc.group(1).strip() if loc else ""
        return order.get(path[len(base) :] if path.startswith(base) else path, len(order))

    entries = list(_URL.finditer(text))
    if not entries:
        return
    head, tail = text[: entries[0].start()], text[entries[-1].end() :]
    spacing = text[entries[0].end() : entries[1].start()] if len(entries) > 1 else "\n"
    text = head + spacing.join(sorted(urls, key=place)) + tail
    sitemap.write_text(text, encoding="utf-8")
    gz_path = into / "sitemap.xml.gz"
    mtime = int.from_bytes(gz_path.read_bytes()[4:8], "little") if gz_path.exists() else 0
    with (
        gz_path.open("wb") as handle,
        gzip.GzipFile(fileobj=handle, filename=str(gz_path), mode="wb", mtime=mtime) as packed,
    ):
        packed.write(text.encode("utf-8"))


def _balanced(docs_dir: Path, entities: list[str], shared: list[str], jobs: int) -> list[list[str]]:
    """Entity pages split into ``jobs`` shards of about equal work. MkDocs' time per page grows with
    the page's size, and the first shard also builds the shared pages, so pages go, largest first,
    to the shard with the least Markdown so far. Each shard's list stays in name order."""

    def size(name: str) -> int:
        return (docs_dir / name).stat().st_size + PAGE_OVERHEAD_BYTES

    loads = [sum(size(name) for name in shared if name.endswith(".md"))] + [0] * (jobs - 1)
    shards: list[list[str]] = [[] for _ in range(jobs)]
    for name in sorted(entities, key=lambda n: (-size(n), n)):
        lightest = loads.index(min(loads))
        shards[lightest].append(name)
        loads[lightest] += size(name)
    return [sorted(shard) for shard in shards]


def mkdocs_build(
    docs_dir: Path,
    site_dir: Path,
    *,
    site_name: str,
    site_url: str | None,
    nav: list[dict[str, str]],
) -> None:
    """Build the site with MkDocs Material into ``site_dir``; raise BuildError on failure."""
    entities = _entity_pages(docs_dir)
    count = _jobs(len(entities))
    shards_root = docs_dir.parent / "shards"
    shutil.rmtree(shards_root, ignore_errors=True)  # left by a build that was killed
    if count == 1:
        _build_one(docs_dir, site_dir, site_name, site_url, nav)
        return
    in_nav = [page for entry in nav for page in entry.values()]
    others = set(entities)
    shared = sorted(
        str(p.relative_to(docs_dir))
        for p in docs_dir.rglob("*.md")
        if str(p.relative_to(docs_dir)) not in others
    )
    mine = _balanced(docs_dir, entities, shared, count)
    # The first shard builds the docs folder itself, leaving out the other shards' pages; the others
    # each build a folder of their own pages (hard links), plus stubs for the navigation's pages
    # (their output is discarded; the nav titles come from `nav`).
    folders = [docs_dir]
    for index in range(1, count):
        folder = shards_root / f"docs-{index}"
        _link_tree(docs_dir, folder, mine[index])
        for page in in_nav:
            stub = folder / page
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("# Built by another shard\n", encoding="utf-8")
        folders.append(folder)
    elsewhere = tuple(page for pages in mine[1:] for page in pages)
    outputs = [site_dir] + [shards_root / f"site-{index}" for index in range(1, count)]
    try:
        with ExitStack() as workers:
            shards = [
                workers.enter_context(
                    in_background(
                        partial(
                            _build_one, folders[index], outputs[index], site_name, site_url, nav
                        ),
                        "MkDocs build failed",
                        fork=True,
                    )
                )
                for index in range(1, count)
            ]
            _build_one(folders[0], outputs[0], site_name, site_url, nav, skip_pages=elsewhere)
            for shard in shards:
                shard.result()
        order = page_order(docs_dir)
        for index in range(1, count):
            for page in mine[index]:
                parent, _sep, name = page.rpartition("/")
                # a folder with no index page
                (site_dir / parent).mkdir(parents=True, exist_ok=True)
                shutil.move(
                    str(outputs[index] / parent / name[: -len(".md")]), str(site_dir / parent)
                )
        _merge_search(site_dir, outputs[1:], order)
        _merge_sitemap(site_dir, outputs[1:], order, site_url)
    finally:
        shutil.rmtree(shards_root, ignore_errors=True)
