"""Serving a site on loopback: its files with the security headers, no folder listings, nothing
outside the folder; the command builds into a temporary folder it removes, or serves a built one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hubfork.site.pages import CSP
from hubfork.site.serve import HOST, make_server, url_of
from tests.conftest import ROOT, run_cli


@pytest.fixture
def served(small_site):
    server = make_server(small_site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url_of(server)
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_it_listens_on_loopback_only(small_site):
    server = make_server(small_site, 0)
    try:
        assert server.server_address[0] == HOST == "127.0.0.1"
    finally:
        server.server_close()


def test_files_come_with_the_security_headers(served, small_site):
    status, headers, body = get(served + "index.html")
    assert status == 200 and body == (small_site / "index.html").read_bytes()
    assert headers["Content-Security-Policy"] == CSP + "; frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = get(served + "e/google~universal-sentence-encoder~4.html")
    assert status == 200 and b"<h1>" in body


def test_no_listings_and_nothing_outside_the_folder(served):
    assert get(served + "e/")[0] == 404
    assert get(served + "static/")[0] == 404
    assert get(served + "../registry.yaml")[0] == 404
    assert get(served + "%2e%2e/%2e%2e/etc/passwd")[0] == 404


def test_the_command_serves_a_built_site_and_refuses_other_folders(serve_site, small_site, tmp_path):
    base = serve_site("--dir", str(small_site))
    status, _, body = get(base)
    assert status == 200 and body == (small_site / "index.html").read_bytes()
    refused = run_cli("registry", "serve", "--dir", str(tmp_path), "--port", "0")
    assert refused.returncode == 1 and "not a site written by" in refused.stderr


def test_the_command_builds_into_a_temporary_folder_it_removes(small_registry_path, tmp_path, tripwire):
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "hubfork", "registry", "serve", "--registry",
                                str(small_registry_path), "--port", "0"], cwd=ROOT, stderr=subprocess.PIPE,
                               # The tripwire ends the process if anything imports TensorFlow.
                               text=True, env={**os.environ, "TMPDIR": str(env_tmp), "PYTHONPATH": str(tripwire)})
    try:
        line = ""
        for line in process.stderr:
            if "serving" in line:
                break
        base = re.search(r"at (http://127\.0\.0\.1:\d+/)", line).group(1)
        folder = Path(re.search(r"serving (.+) at http", line).group(1))
        assert folder.parent.parent == env_tmp and (folder / "index.html").is_file()
        assert get(base + "all.html")[0] == 200
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
    assert list(env_tmp.iterdir()) == []
