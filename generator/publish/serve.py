"""``salesperf serve``: the published site on localhost, rebuilt when its inputs change, with the
browser reloaded (MkDocs' own ``LiveReloadServer``: it watches the files, serves the site and
injects its reload script into every HTML page it serves)."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.livereload import LiveReloadServer

from generator.config import load_config
from generator.errors import SalesperfError, UsageError
from generator.schema import DATASETS
from generator.site.render import resource

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.progress import Progress

DEFAULT_HOST = "127.0.0.1"


def port_number(port: str | int) -> int:
    """``--port`` as a number 0–65535 (0: any free port), or a usage error naming it."""
    text = str(port).strip()
    number = int(text) if text.isascii() and text.isdigit() else -1
    if not 0 <= number <= 65535:
        raise UsageError(f"--port {port}: not a port number (1 to 65535, or 0 for any free port)")
    return number


def valid_path_info(path_info: str) -> bool:
    """A WSGI ``PATH_INFO`` (percent-decoded, as Latin-1) the preview serves: absolute, UTF-8, with
    no control character."""
    try:
        decoded = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return False
    return decoded.startswith("/") and not any(
        ord(char) < 32 or ord(char) == 127 for char in decoded
    )


class PreviewServer(LiveReloadServer):
    """MkDocs' LiveReloadServer, listening from ``listen()`` on (before the first build), answering a
    malformed path with 400 and a missing page with the site's own 404 page."""

    def __init__(self, builder: Callable[[], None], host: str, port: int, root: Path) -> None:
        super().__init__(builder=builder, host=host, port=port, root=str(root))
        self._listening = False
        self.error_handler = self._error_page

    def listen(self) -> None:
        """Take the port now, or fail with one line naming it (exit 2), before any work is done."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        try:
            super().server_bind()
            super().server_activate()
        except OSError as exc:
            self.server_close()
            raise UsageError(
                f"--port {port}: cannot listen on {host}:{port}: {exc.strerror or exc}; "
                "choose another port (0: any free port)"
            ) from None
        self._listening = True
        self.url = f"http://{self.server_name_for_url()}:{self.server_address[1]}/"

    def server_name_for_url(self) -> str:
        """The host as written in a URL (an IPv6 address in brackets)."""
        host = str(self.server_address[0])
        return f"[{host}]" if ":" in host else host

    def server_bind(self) -> None:
        if not self._listening:  # LiveReloadServer.serve() binds; listen() already did
            super().server_bind()

    def server_activate(self) -> None:
        if not self._listening:
            super().server_activate()

    def serve_request(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if not valid_path_info(environ.get("PATH_INFO") or "/"):
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Malformed path"]
        return super().serve_request(environ, start_response)

    def _error_page(self, code: int) -> bytes | None:
        page = Path(self.root) / f"{code}.html"
        return page.read_bytes() if code == 404 and page.is_file() else None


@dataclass(frozen=True)
class Watch:
    """A path the preview watches: a file, or a folder (its direct children unless ``recursive``)."""

    path: Path
    recursive: bool = False


def _existing(path: Path) -> Path:
    """``path`` if it exists, else its nearest existing folder (where it would appear)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def watched_paths(config_path: str | Path) -> list[Watch]:
    """The paths whose change rebuilds the site: the config file, every export it reads (for a glob,
    each folder matching files can appear in), the templates and the MkDocs config."""
    config_path = Path(config_path).resolve()
    watches = {Watch(_existing(config_path))}
    try:
        cfg = load_config(config_path)
    except SalesperfError:  # a broken config: its file is watched, so fixing it rebuilds
        cfg = None
    if cfg is not None:
        for name in DATASETS:
            source = getattr(cfg.config.sources, name)
            if source is None:
                continue
            target = cfg.resolve(source.path).resolve()
            if glob.has_magic(str(target)):
                folders = [Path(p) for p in glob.glob(str(target.parent)) if os.path.isdir(p)]
                watches |= {Watch(folder) for folder in folders} or {
                    Watch(_existing(target.parent))
                }
            else:
                watches.add(Watch(_existing(target)))
    watches |= {Watch(resource("templates"), recursive=True), Watch(resource("mkdocs.yml"))}
    return sorted(watches, key=lambda w: str(w.path))


class Watcher:
    """Keeps the server's watched paths equal to ``watched_paths`` of the config, as it changes."""

    def __init__(self, server: LiveReloadServer, config_path: Path) -> None:
        self.server = server
        self.config_path = config_path
        self.current: list[Watch] = []

    def refresh(self) -> list[Watch]:
        """Watch what the config now reads, stop watching what it no longer reads; the new list."""
        wanted = watched_paths(self.config_path)
        for gone in (w for w in self.current if w not in wanted):
            self.server.unwatch(str(gone.path))
        for new in (w for w in wanted if w not in self.current):
            self.server.watch(str(new.path), recursive=new.recursive)
        self.current = wanted
        return wanted


Rebuilt = Callable[["BuildResult"], None]
Failed = Callable[[SalesperfError | OSError], None]


def preview(
    config_path: str | Path,
    host: str,
    port: str | int,
    *,
    progress: Progress,
    notify: Callable[[str], None],
    serving: Callable[[str, BuildResult], None],
    rebuilding: Callable[[], None],
    rebuilt: Rebuilt,
    failed: Failed,
) -> None:
    """Take the port, build, serve the site and rebuild it on every change, until interrupted.

    The port is taken before the first build, so a busy one fails at once (``UsageError``). A failed
    first build raises; a failed rebuild goes to ``failed`` and the last good site stays served (each
    build publishes atomically into the same folder). ``serving`` gets the URL once the site is up,
    ``rebuilding`` is called when a change starts a rebuild, ``rebuilt`` when it is published.
    """
    from generator.build import build

    config_path = Path(config_path)
    # Nothing is served before serve() below; the root is set once the first build says where it is.
    server = PreviewServer(builder=lambda: None, host=host, port=port_number(port), root=Path.cwd())
    server.listen()
    try:
        first = build(config_path, progress=progress, notify=notify)
        server.root = str(first.out)
        watcher = Watcher(server, config_path)
        watcher.refresh()

        def rebuild() -> None:
            rebuilding()
            try:
                result = build(config_path, first.out, progress=progress, notify=notify)
            except (SalesperfError, OSError) as exc:
                failed(exc)
            else:
                rebuilt(result)
            finally:
                watcher.refresh()  # the config may now read other exports

        server.builder = rebuild
        serving(server.url, first)
        server.serve()
    finally:
        server.shutdown()
