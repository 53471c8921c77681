"""olah dies with whatever started it, even when that is killed with SIGKILL: `hubfork hub serve`,
a local hub served on loopback for a download, and the embedded hub served the same way."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hubfork.constants import ENV_LOCAL_HUB
from hubfork.hub.embedded import EMBEDDED_REPOS
from hubfork.hub.local_hub import LocalHub
from tests.conftest import ROOT
from tests.fixtures.processes import (
    HUBFORK,
    descendants,
    kill_now,
    needs_proc,
    survivors_of_killed_parent,
)

pytestmark = needs_proc

#: Serves a hub the way a download does, says so on stdout, and waits to be killed.
SERVE = """\
import sys, time
from hubfork.hub.embedded import serve_embedded
from hubfork.hub.local_hub import LocalHub
with ({serve}) as endpoint:
    print(endpoint, flush=True)
    time.sleep(600)
"""


@pytest.fixture
def tiny_hub(tmp_path, hub_models) -> LocalHub:
    hub = LocalHub(tmp_path / "hub").init()
    hub.add(hub_models.v1, "acme/bert", tag="v1")
    return hub


def test_olah_dies_with_a_killed_hub_serve(tiny_hub):
    serve = subprocess.Popen([*HUBFORK, "hub", "serve", str(tiny_hub.root), "--port", "0"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = ""
        while "olah pid" not in ready:
            ready = serve.stderr.readline()
            assert ready, "hub serve ended before olah answered"
        olah = int(ready.split("olah pid ", 1)[1].split(",", 1)[0])
        assert olah in descendants(serve.pid)
        assert not survivors_of_killed_parent(serve, olah), "olah outlived `hubfork hub serve`"
    finally:
        kill_now({serve.pid})
        serve.wait()


def _served_then_killed(code: str, env: dict[str, str] | None = None) -> set[int]:
    import os

    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        endpoint = process.stdout.readline()  # printed once olah answers
        assert endpoint.startswith("http://127.0.0.1:"), process.stderr.read()
        (olah,) = descendants(process.pid)
        return survivors_of_killed_parent(process, olah)
    finally:
        kill_now({process.pid})
        process.wait()


def test_olah_dies_with_a_process_killed_while_a_local_hub_serves_it_on_loopback(tiny_hub):
    code = SERVE.format(serve=f"LocalHub({str(tiny_hub.root)!r}).serve_on_loopback()")
    assert not _served_then_killed(code), "olah outlived the process it served"


def test_olah_dies_with_a_process_killed_while_the_embedded_hub_serves_it(tmp_path, hub_models):
    # The embedded hub's repos and tags, holding a tiny model: nothing to build, only to serve.
    hub = LocalHub(tmp_path / "embedded").init()
    for repo in EMBEDDED_REPOS:
        hub.add(hub_models.v1, repo.repo_id, tag=repo.tag)
    code = SERVE.format(serve="serve_embedded()")
    assert not _served_then_killed(code, env={ENV_LOCAL_HUB: str(hub.root)}), "olah outlived the process it served"
