"""Drive MkDocs from Python over the generated docs folder, on every core.

MkDocs builds one page after another on one core. With thousands of entity pages, salesperf
splits them into shards (the shared pages, data and assets go to the first one), builds the shards
side by side in forked processes, then merges their output: the page folders, the search index
and the sitemap. The pages are the same ones a single ``mkdocs build`` writes.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import multiprocessing
import os
import re
import shutil
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from generator.errors import BuildError
from generator.site.render import resource

ENTITY_FOLDERS = ("reps", "teams", "managers", "regions", "categories", "channels")
"""Folders whose pages (other than index.md) are out of the navigation and can be built apart
(``not_in_nav`` in mkdocs.yml lists the same folders)."""

PAGE_OVERHEAD_BYTES = 20_000
"""MkDocs' work on a page besides its Markdown (theme, navigation, search entry), as bytes of Markdown."""

MIN_PAGES_PER_SHARD = 300
"""Below this many entity pages per extra process, forking costs more than it saves."""


def _jobs(entity_pages: int) -> int:
    requested = os.environ.get("SALESPERF_MKDOCS_JOBS")
    if requested:
        return max(1, int(requested))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, entity_pages // MIN_PAGES_PER_SHARD))


def _build_one(docs_dir: Path, site_dir: Path, site_name: str, site_url: str | None,
               nav: list[dict[str, str]]) -> None:
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


def _entity_pages(docs_dir: Path) -> list[str]:
    return sorted(
        f"{folder}/{path.name}"
        for folder in ENTITY_FOLDERS if (docs_dir / folder).is_dir()
        for path in (docs_dir / folder).glob("*.md") if path.name != "index.md"
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


def _merge_search(into: Path, shard: Path) -> None:
    index_path = into / "search" / "search_index.json"
    merged = json.loads(index_path.read_text(encoding="utf-8"))
    extra = json.loads((shard / "search" / "search_index.json").read_text(encoding="utf-8"))
    known = {doc["location"] for doc in merged["docs"]}
    merged["docs"] += [doc for doc in extra["docs"] if doc["location"] not in known]
    index_path.write_text(json.dumps(merged, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


_URL = re.compile(r"<url>.*?</url>", re.DOTALL)


def _merge_sitemap(into: Path, shard: Path) -> None:
    sitemap = into / "sitemap.xml"
    if not sitemap.exists() or not (shard / "sitemap.xml").exists():
        return
    text = sitemap.read_text(encoding="utf-8")
    urls = dict.fromkeys(_URL.findall(text))
    urls.update(dict.fromkeys(_URL.findall((shard / "sitemap.xml").read_text(encoding="utf-8"))))
    body = "\n".join(sorted(urls))
    head, _sep, _rest = text.partition("<url>") if "<url>" in text else text.partition("</urlset>")
    text = head.rstrip() + ("\n" + body + "\n" if body else "\n") + "</urlset>"
    sitemap.write_text(text, encoding="utf-8")
    gz_path = into / "sitemap.xml.gz"
    mtime = int.from_bytes(gz_path.read_bytes()[4:8], "little") if gz_path.exists() else 0
    with gz_path.open("wb") as handle, gzip.GzipFile(fileobj=handle, filename=str(gz_path), mode="wb",
                                                     mtime=mtime) as packed:
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


def mkdocs_build(docs_dir: Path, site_dir: Path, *, site_name: str, site_url: str | None,
                 nav: list[dict[str, str]]) -> None:
    """Build the site with MkDocs Material into ``site_dir``; raise BuildError on failure."""
    entities = _entity_pages(docs_dir)
    jobs = _jobs(len(entities))
    if jobs == 1:
        _build_one(docs_dir, site_dir, site_name, site_url, nav)
        return
    shards_root = docs_dir.parent / "shards"
    shutil.rmtree(shards_root, ignore_errors=True)
    in_nav = [page for entry in nav for page in entry.values()]
    others = set(entities)
    shared = sorted(str(p.relative_to(docs_dir)) for p in docs_dir.rglob("*")
                    if p.is_file() and str(p.relative_to(docs_dir)) not in others)
    mine = _balanced(docs_dir, entities, shared, jobs)
    folders = []
    for index, pages in enumerate(mine):
        folder = shards_root / f"docs-{index}"
        # The first shard carries everything shared; the others only their own pages, plus stubs
        # for the navigation's pages (their output is discarded; the nav titles come from `nav`).
        _link_tree(docs_dir, folder, shared + pages if index == 0 else pages)
        if index:
            for page in in_nav:
                stub = folder / page
                stub.parent.mkdir(parents=True, exist_ok=True)
                stub.write_text("# Built by another shard\n", encoding="utf-8")
        folders.append(folder)
    outputs = [site_dir] + [shards_root / f"site-{index}" for index in range(1, jobs)]
    try:
        context = multiprocessing.get_context("fork")  # the children inherit MkDocs, already imported
        with warnings.catch_warnings(), ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
            # Python 3.12+ warns about fork() beside threads (pyarrow's idle pool); the children
            # only run MkDocs, which never touches those threads' locks.
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            pending = [pool.submit(_build_one, folders[i], outputs[i], site_name, site_url, nav)
                       for i in range(1, jobs)]
            _build_one(folders[0], outputs[0], site_name, site_url, nav)
            for future in pending:
                future.result()
        for index in range(1, jobs):
            for page in mine[index]:
                folder, _sep, name = page.rpartition("/")
                (site_dir / folder).mkdir(parents=True, exist_ok=True)  # a folder with no index page
                shutil.move(str(outputs[index] / folder / name[: -len(".md")]), str(site_dir / folder))
            _merge_search(site_dir, outputs[index])
            _merge_sitemap(site_dir, outputs[index])
    finally:
        shutil.rmtree(shards_root, ignore_errors=True)
