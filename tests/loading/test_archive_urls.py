"""Archive URLs hubfork leaves to tensorflow_hub's own resolvers are still scanned before they load.

After ``hubfork.install()``, an http(s) URL that is no name hubfork serves (a ``.tar.gz`` on some server,
a ``?tf-hub-format=compressed`` URL, a page on a host that is no Hugging Face-style hub) is downloaded
and unpacked by tensorflow_hub, as without hubfork; hubfork scans what tensorflow_hub unpacked before
``hub.load``, ``hub.KerasLayer`` or ``hub.resolve`` hands it on. The server is a real one on loopback
that answers every GET with a malicious model's archive; tensorflow_hub's download and cache are real.
"""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

import hubfork
from hubfork.errors import ModelFormatError, UnsafeModelError
from hubfork.models import _tf
from tests.fixtures.tfhub_emulator import tar_gz

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()

#: What the server is asked for: a path ending in .tar.gz, the compressed format query, and a plain path
#: (which hubfork first tries as a Hugging Face-style repo on that host).
URLS = ("/x.tar.gz", "/models/evil/1?tf-hub-format=compressed", "/org/evil")


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> tuple[bytes, Path]:
    """The tar.gz of a SavedModel whose ``__call__`` writes a file, and the file it would write."""
    root = tmp_path_factory.mktemp("evil-archive")
    target = root / "written.txt"

    class Evil(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, text):
            tf.io.write_file(str(target), text)
            return text

    tf.saved_model.save(Evil(), str(root / "model"))
    return tar_gz(root / "model"), target


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, archive: bytes):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.archive = archive
        self.gets: list[str] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.gets.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(self.server.archive)))
        self.end_headers()
        self.wfile.write(self.server.archive)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(evil):
    """A loopback server that answers every GET with the malicious archive."""
    server = _Server(evil[0])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def installed():
    hubfork.install()
    try:
        yield
    finally:
        hubfork.uninstall()


def url_of(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.mark.parametrize("path", URLS)
def test_an_archive_tensorflow_hub_fetches_is_scanned_before_it_loads(server, evil, installed, path):
    url = url_of(server, path)
    for load in (hub.resolve, hub.load, hub.KerasLayer):
        with pytest.raises(UnsafeModelError, match="WriteFile") as caught:
            load(url)
        assert caught.value.name == url
    # tensorflow_hub really fetched the archive (hubfork's refusal came after, not instead of, the download).
    assert any(get.split("?")[0] == path.split("?")[0] for get in server.gets), server.gets
    assert not evil[1].exists()


def test_an_archive_tensorflow_hub_cached_before_install_is_scanned_too(server, evil):
    url = url_of(server, URLS[0])
    folder = Path(hub.resolve(url))  # tensorflow_hub alone: downloaded, unpacked, not loaded
    assert (folder / "saved_model.pb").is_file()
    fetched = len(server.gets)
    hubfork.install()
    try:
        with pytest.raises(UnsafeModelError, match="WriteFile") as caught:
            hub.load(url)
        assert caught.value.path == str(folder)
    finally:
        hubfork.uninstall()
    assert len(server.gets) == fetched  # tensorflow_hub's cached copy, not a new download
    assert not evil[1].exists()


def test_assets_tensorflow_hub_unpacked_are_checked_before_they_load(tmp_path):
    # A clean graph whose vocab became a FIFO in tensorflow_hub's cache: TensorFlow would block on it.
    class Clean(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, text):
            return text

    tf.saved_model.save(Clean(), str(tmp_path / "model"))
    (tmp_path / "model" / "assets").mkdir(exist_ok=True)
    (tmp_path / "model" / "assets" / "vocab.txt").write_text("a\n")
    server = _Server(tar_gz(tmp_path / "model"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = url_of(server, "/clean.tar.gz")
        vocab = Path(hub.resolve(url)) / "assets" / "vocab.txt"
        vocab.unlink()
        os.mkfifo(vocab)
        hubfork.install()
        try:
            with pytest.raises(ModelFormatError, match="FIFO"):
                hub.resolve(url)
        finally:
            hubfork.uninstall()
    finally:
        server.shutdown()
        server.server_close()
