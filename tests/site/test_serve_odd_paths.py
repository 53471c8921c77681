"""A request for a path no file can have (a NUL, a lone surrogate) gets a 404 from the site server, not a
dropped connection and a traceback in its log."""

from __future__ import annotations

import http.client
import threading

import pytest

from hubfork.site.serve import make_server


@pytest.fixture
def server(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>site</title>\n", encoding="utf-8")
    server = make_server(tmp_path, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def request(server, method: str, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.request(method, path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/%00", "/index.html%00", "/e/%00.html", "/%ed%a0%80", "/e/%ed%a0%80.html"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_path_no_file_can_have_is_not_found(server, capsys, method, path):
    assert request(server, method, path) == 404
    assert request(server, "GET", "/index.html") == 200
    assert "Traceback" not in capsys.readouterr().err
