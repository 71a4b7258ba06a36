"""``salesperf serve``: the built site on localhost, for preview (files only: no folder listings)."""

from __future__ import annotations

import functools
import http.server
import urllib.parse
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

from generator.errors import UsageError


def bind(host: str, port: str | int) -> http.server.ThreadingHTTPServer:
    """Listen on ``host:port`` now (before any build), or fail with one line naming the port."""
    text = str(port).strip()
    number = int(text) if text.isdigit() else -1
    if not 0 <= number <= 65535:
        raise UsageError(f"--port {port}: not a port number (1 to 65535, or 0 for any free port)")
    try:
        # The handler is set once the site is built; until then requests wait in the listen queue.
        return http.server.ThreadingHTTPServer((host, number), http.server.BaseHTTPRequestHandler)
    except OSError as exc:
        raise UsageError(f"--port {number}: cannot listen on {host}:{number}: {exc.strerror or exc}; "
                         "choose another port (0: any free port)") from None


def valid_request_path(path: str) -> bool:
    """A request path the preview serves: absolute, UTF-8 once decoded, with no control character."""
    location = urllib.parse.urlsplit(path).path if path.startswith("/") else ""
    if not location.startswith("/"):
        return False
    try:
        decoded = urllib.parse.unquote(location, errors="strict")
    except UnicodeDecodeError:
        return False
    return not any(ord(char) < 32 or ord(char) == 127 for char in decoded)


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's files; a folder without an index page is 404 and a malformed path 400."""

    def send_head(self) -> BytesIO | None:
        if not valid_request_path(self.path):
            self.send_error(HTTPStatus.BAD_REQUEST, "Malformed path")
            return None
        return super().send_head()  # type: ignore[return-value]

    def list_directory(self, path: str | Path) -> None:  # type: ignore[override]
        self.send_error(HTTPStatus.NOT_FOUND, "No page here")
        return None


def preview_handler(site: Path) -> functools.partial[PreviewHandler]:
    """The request handler for one built site."""
    return functools.partial(PreviewHandler, directory=str(site))
