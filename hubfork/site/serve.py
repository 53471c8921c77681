"""Showing a built site over HTTP on loopback only, for a browser that prefers http:// to
``file://``. Files are served as they are; folders are never listed."""

from __future__ import annotations

import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from hubfork.constants import SITE_HOST, SITE_PORT
from hubfork.site.pages import CSP

#: The only address the server listens on: the catalogue is for this machine's browser.
HOST, DEFAULT_PORT = SITE_HOST, SITE_PORT


class _Handler(SimpleHTTPRequestHandler):
    """Static files of one folder, with the site's security headers and no folder listings."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP + "; frame-ancestors 'none'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self):  # noqa: D102 - a path no file can have is not found
        if not _openable(self.translate_path(self.path)):
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def list_directory(self, path):  # noqa: D102 - a folder without index.html is not found
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the signature of the base class
        pass


def _openable(path: str) -> bool:
    # open() raises ValueError for a NUL (%00) and UnicodeEncodeError for a lone surrogate (%ed%a0%80),
    # not the OSError the base class answers 404 to: the request would end unanswered, in a traceback.
    try:
        return b"\0" not in os.fsencode(path)
    except UnicodeError:
        return False


def make_server(directory: str | os.PathLike[str], port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A server (not yet serving) of `directory` on ``127.0.0.1:port``; port 0 picks a free one,
    which ``server.server_address[1]`` then tells."""
    handler = partial(_Handler, directory=str(Path(directory).resolve()))
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    """The address a browser opens."""
    return f"http://{HOST}:{server.server_address[1]}/"


__all__ = ["HOST", "DEFAULT_PORT", "make_server", "url_of"]
