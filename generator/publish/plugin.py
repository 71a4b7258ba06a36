"""salesperf's MkDocs plugin: pre-rendered HTML bypasses Markdown and search; search finds what matters.

Registered by ``mkdocs_build`` on every build (no entry point needed). Per page, in MkDocs' order:

1. ``on_page_markdown``: the page file's HTML blocks (tables, charts) are cut off its end
   (``fragments.unpack``); Python-Markdown only sees a short placeholder comment for each.
2. ``on_page_context``, before the search plugin: an entity page (a rep, team, manager, segment) is
   indexed by its title and its first paragraph (a rep's id, team, manager and region), not by each
   of its sections: the index stays small at 5,000 reps. Other pages are indexed whole
   (headings and prose). After the search plugin the page's content is put back.
3. ``on_page_content``: an entity page whose sections were made HTML in the render stage
   (``generator.site.prerender``; their table-of-contents entries follow the page's Markdown,
   ``fragments.split_toc``) gets those entries under its title's, as if Python-Markdown had
   converted the page whole.
4. ``on_post_page``: the placeholders become the HTML blocks again (``fragments.substitute``), so
   the published page is the same as if the HTML had gone through Markdown.

Material's Jinja templates are compiled to Python once per process, not on every build
(``on_env``, ``TemplateCache``): ``salesperf serve``'s rebuilds reuse the compiled code.

It also fixes the search worker (``on_files``): Material's worker bundles lunr 2.3.9, whose token
set merges two different nodes when their keys (edge letters and child ids written one after the
other, with no separator) happen to read alike, which digits make likely (``"1" + "23"`` and
``"12" + "3"``). A prefix search then expands to a word the index does not hold and the worker
throws ``TypeError: Cannot read properties of undefined (reading '_index')``: "No matching
documents". The fix appends a key with a separator to the worker; nothing else in it changes.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any, ClassVar

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from generator.errors import BuildError
from generator.site.fragments import split_toc, substitute, unpack

WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")
"""Material's search worker, as the theme ships it."""

LUNR_KEY_FIX = """
/* salesperf: lunr 2.3.9 keys token-set nodes by edge labels and child ids written with no
   separator, so digit labels make two different nodes look equal and the minimised set accepts
   words the index lacks ("Cannot read properties of undefined (reading '_index')"). A comma
   after each id makes the key unambiguous. */
;(function () {
  var TokenSet = self.lunr && self.lunr.TokenSet;
  if (!TokenSet || TokenSet.prototype.toString.salesperf) return;
  var key = function () {
    if (this._str) return this._str;
    var labels = Object.keys(this.edges).sort(), str = this.final ? "1" : "0";
    for (var i = 0; i < labels.length; i++) str += labels[i] + this.edges[labels[i]].id + ",";
    return str;
  };
  key.salesperf = true;
  TokenSet.prototype.toString = key;
})();
"""

_FIRST_H2 = re.compile(r"<h2[\s>]")
_SEARCH_ATTRIBUTE = re.compile(r'\s?data-search-\w+="[^"]+"')
"""Material's search plugin removes these attributes from the page it indexed (same pattern)."""


def compile_setup(env: Environment) -> str:
    """What Jinja's compiled code depends on besides a template's source, as a SHA-1 hex digest:
    the environment's class (sandboxed or not), syntax, extensions (MkDocs adds i18n for some theme
    languages) and their settings, policies, the filters and tests (each function by name and by
    the arguments it takes: Jinja runs a plain filter on constants while compiling), ``finalize``,
    autoescaping, async and optimisation."""

    def function(f: object) -> str:
        name = f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', type(f).__name__)}"
        return f"{name}({getattr(f, 'jinja_pass_arg', None)!r})"

    def functions(table: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((name, function(f)) for name, f in table.items())

    autoescape = env.autoescape
    setup = (
        f"{type(env).__module__}.{type(env).__qualname__}",
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        sorted(env.extensions),
        getattr(env, "newstyle_gettext", None),
        sorted((key, repr(value)) for key, value in env.policies.items()),
        functions(env.filters),
        functions(env.tests),
        None if env.finalize is None else function(env.finalize),
        autoescape if isinstance(autoescape, bool) else function(autoescape),
        env.is_async,
        env.optimized,
    )
    return hashlib.sha1(repr(setup).encode("utf-8")).hexdigest()


class TemplateCache(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the life of the process (and inherited by
    its forked children) and never written to disk (a cache file would be code that the next
    build runs, from a folder others may be able to write to).

    A kept template is found by its name, file and the environment's ``compile_setup``, and Jinja
    uses it only when the checksum of its source is unchanged: an edited override, another theme
    language or a plugin's new or replaced filter while ``salesperf serve`` runs compiles the
    template again. The dict is never pruned: each new setup adds the theme's ~36 templates."""

    compiled: ClassVar[dict[str, bytes]] = {}
    """Compiled templates made in this process: Jinja's bucket bytes (a format marker, the source's
    checksum, the marshalled code) by cache key (``get_cache_key``)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.setup: str | None = None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key (a SHA-1 of the template's name and file) and the environment's setup, read
        when the first template loads (after every plugin's ``on_env``)."""
        if self.setup is None:
            self.setup = compile_setup(self.env)
        return f"{super().get_cache_key(name, filename)}-{self.setup}"

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill ``bucket`` with the kept code, if any (Jinja discards it if the source changed)."""
        kept = self.compiled.get(bucket.key)
        if kept is not None:
            bucket.bytecode_from_string(kept)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code Jinja has just compiled into ``bucket``."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class SalesperfConfig(Config):
    """Options of the plugin (set by ``mkdocs_build``)."""

    summary_folders = config_options.ListOfItems(config_options.Type(str), default=[])
    """Folders whose pages (other than ``index.md``) are indexed by title and lead prose only."""
    skip_pages = config_options.ListOfItems(config_options.Type(str), default=[])
    """Pages of the docs folder this build leaves out (another MkDocs process builds them)."""


def summary_only(src_uri: str, folders: list[str]) -> bool:
    """True for an entity page: ``reps/x.md`` when ``reps`` is a summary folder, not ``reps/index.md``."""
    folder, _sep, name = src_uri.rpartition("/")
    return folder in folders and name != "index.md"


def lead(content: str) -> str:
    """A page's HTML up to its first ``<h2>`` and at most its first paragraph: the title and the
    line under it (a rep's id, team, manager and region; a team's manager), not the notes every
    page of its kind repeats. (An entity page whose sections are HTML already holds them as one
    placeholder comment at this point, which the search plugin skips.)"""
    match = _FIRST_H2.search(content)
    head = content if match is None else content[: match.start()]
    end = head.find("</p>")
    return head if end < 0 else head[: end + len("</p>")]


def _anchors(tokens: list[dict[str, Any]]) -> list[AnchorLink]:
    """Python-Markdown's table-of-contents tokens as MkDocs' entries (as ``get_toc`` makes them)."""
    out = []
    for token in tokens:
        anchor = AnchorLink(token["name"], token["id"], token["level"])
        anchor.children.extend(_anchors(token["children"]))
        out.append(anchor)
    return out


def link_static_files(files: Files, docs_dir: str) -> int:
    """Hard-link every file of ``docs_dir`` that is not a page (CSV and JSON downloads, row files,
    scripts) to its place in the site, and return how many were linked.

    MkDocs would copy them one by one (about 10,000 files at 1,000 reps); a link costs one system
    call, and MkDocs then skips the copy (``shutil.SameFileError``). A file that cannot be linked
    (another file system) is left to MkDocs' copy. The docs folder's files are only ever replaced,
    never rewritten in place (``write_docs``), so a published site never changes under a build.
    """
    root = os.path.abspath(docs_dir) + os.sep
    made: set[str] = set()
    linked = 0
    for file in files:
        source = file.abs_src_path
        if (
            file.is_documentation_page()
            or file.generated_by is not None
            or source is None
            or not source.startswith(root)
        ):
            continue
        target = file.abs_dest_path
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(source, target)
        except OSError:
            continue
        linked += 1
    return linked


class SalesperfPlugin(BasePlugin[SalesperfConfig]):
    """Pre-rendered HTML around Markdown and search; entity pages indexed by their lead."""

    def __init__(self) -> None:
        self.blocks: dict[str, list[str]] = {}
        self.held: dict[str, str] = {}
        self.toc: dict[str, list[dict[str, Any]]] = {}

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Leave out ``skip_pages``, append the lunr key fix to Material's search worker (once, whatever
        the rebuilds), and hard-link the docs folder's data files into the site (``link_static_files``)."""
        if self.config.skip_pages:
            skip = set(self.config.skip_pages)
            files = Files([file for file in files if file.src_uri not in skip])
        for file in files:
            if WORKER.fullmatch(file.src_uri):
                source = file.content_string
                if "salesperf: lunr" not in source:
                    file.content_string = source + LUNR_KEY_FIX
        link_static_files(files, config.docs_dir)
        return files

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """Compile the theme's templates once per process (``TemplateCache``), not on every build."""
        env.bytecode_cache = TemplateCache(env)
        return env

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Cut the page's HTML blocks off its Markdown and keep them for ``on_post_page``, and the
        table of contents of its sections when they are HTML already, for ``on_page_content``."""
        try:
            text, blocks = unpack(markdown)
            text, toc = split_toc(text)
        except (BuildError, ValueError) as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}") from None
        self.blocks[page.file.src_uri] = blocks
        if toc is not None:
            if not blocks:
                raise PluginError(f"{page.file.src_uri}: the page's sections are missing")
            self.toc[page.file.src_uri] = toc
        return text

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A page whose sections were HTML before MkDocs (``generator.site.prerender``): their
        headings join its title's entry in the table of contents, as Python-Markdown nests them."""
        toc = self.toc.get(page.file.src_uri)
        if toc is not None:
            if len(page.toc.items) != 1:
                raise PluginError(
                    f"{page.file.src_uri}: a page with sections made HTML has one title"
                )
            page.toc.items[0].children.extend(_anchors(toc))
        return html

    @event_priority(100)  # before the search plugin indexes page.content
    def _index_lead_only(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        if page.content is not None and summary_only(
            page.file.src_uri, self.config.summary_folders
        ):
            self.held[page.file.src_uri] = page.content
            page.content = lead(page.content)
        return context

    @event_priority(-100)  # after it: the page is rendered whole
    def _restore_content(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        held = self.held.pop(page.file.src_uri, None)
        if held is not None:  # with the search attributes removed, as the search plugin does
            page.content = _SEARCH_ATTRIBUTE.sub("", held)
        return context

    on_page_context = CombinedEvent(_index_lead_only, _restore_content)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put the page's HTML blocks back in place of their placeholders."""
        blocks = self.blocks.pop(page.file.src_uri, [])
        self.toc.pop(page.file.src_uri, None)
        try:
            return substitute(output, blocks, page.file.src_uri)
        except BuildError as exc:
            raise PluginError(str(exc)) from None
