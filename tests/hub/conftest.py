"""Fixtures of the hub tests: tiny real SavedModels (written by hubfork's own
writers) committed to a local hub served by olah on a free loopback port
(started once per session, stopped by its process id), a small registry whose
cards point at that hub, and an isolated Hugging Face environment per test.

Nothing here talks to huggingface.co, and nothing is mocked: HF_ENDPOINT points
at the local hub or at a closed loopback port, and HF_HOME at a temporary folder.
huggingface.co URLs are resolved to the configured endpoint by design, so they
reach the local hub without patching anything.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubfork.hub.local_hub import LocalHub
from hubfork.hub.server import HubServer, free_port
from tests.conftest import ROOT
from tests.models.conftest import tiny_config, tiny_vocab  # noqa: F401  (session fixtures reused)

REPO = "hubfork-test/bert-tiny"
TF1_REPO = "hubfork-test/bert-tiny-tf1"
HANDLE = "hubfork-test/bert_en_uncased_L-2_H-32_A-2"
TF1_HANDLE = "hubfork-test/bert_multi_cased_L-2_H-32_A-2/1"
KAGGLE = ("https://www.kaggle.com/models/hubfork-test/bert/frameworks/tensorFlow2/variations/"
          "en-uncased-l-2-h-32-a-2/versions/{version}")
#: A loopback port nothing listens on: any request sent there is refused at once.
DEAD_ENDPOINT = f"http://127.0.0.1:{free_port()}"


@dataclass(frozen=True)
class HubModels:
    """SavedModels on disk: two v3 encoders with different weights and a TF1 Hub module."""

    v1: Path
    v2: Path
    tf1: Path


@dataclass(frozen=True)
class RunningHub:
    hub: LocalHub
    server: HubServer
    #: Commit shas: "v1", "v2" of REPO, "tf1" of TF1_REPO.
    commits: dict[str, str]

    @property
    def endpoint(self) -> str:
        return self.server.endpoint


@pytest.fixture(scope="session")
def hub_models(tmp_path_factory, tiny_config, tiny_vocab) -> HubModels:  # noqa: F811
    from hubfork.models.convert import write_encoder
    from hubfork.models.weights import random_weights

    root = tmp_path_factory.mktemp("hub-models")

    def write(name: str, generation: str, seed: int) -> Path:
        return write_encoder(root / name, tiny_config, random_weights(tiny_config, seed=seed), generation,
                             vocab_file=tiny_vocab, do_lower_case=True)

    return HubModels(v1=write("v1", "v3", 1), v2=write("v2", "v3", 2), tf1=write("tf1", "tf1-hub", 1))


@pytest.fixture(scope="session")
def local_hub(tmp_path_factory, hub_models) -> RunningHub:
    hub = LocalHub(tmp_path_factory.mktemp("local-hub")).init()
    commits = {
        "v1": hub.add(hub_models.v1, REPO, tag="v1").commit,
        "v2": hub.add(hub_models.v2, REPO, tag="v2").commit,
        "tf1": hub.add(hub_models.tf1, TF1_REPO, tag="v1").commit,
    }
    server = hub.start(port=0)
    try:
        yield RunningHub(hub, server, commits)
    finally:
        server.stop()
        assert not server.running()


@pytest.fixture(autouse=True)
def hf_isolated(tmp_path, tmp_path_factory, monkeypatch) -> Path:
    """Every hub test: a fresh HF_HUB_CACHE, a private HF_HOME, no token, online, and
    HF_ENDPOINT on a closed port (tests that want the hub use `hf_env`)."""
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_HOME", str(tmp_path_factory.getbasetemp() / "hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
                 "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    return cache


@pytest.fixture
def hf_env(local_hub, hf_isolated, monkeypatch) -> Path:
    """HF_ENDPOINT on the session's local hub; returns the test's HF_HUB_CACHE."""
    monkeypatch.setenv("HF_ENDPOINT", local_hub.endpoint)
    return hf_isolated


CARD = """\
# Module {handle}
A tiny random BERT for hubfork's hub tests.

<!-- asset-path: legacy -->
<!-- fine-tunable: {fine_tunable} -->
<!-- format: {format} -->
<!-- task: text-embedding -->
{hub_repo}

## Overview

A BERT encoder with random weights: 2 layers, hidden size 32, 2 attention heads.
"""


@pytest.fixture(scope="session")
def hub_registry(tmp_path_factory) -> Path:
    """A registry built from cards that point at the local hub's repos."""
    from hubfork.registry.build import build_registry

    root = tmp_path_factory.mktemp("hub-registry")
    cards = {
        f"{HANDLE}/1": (f"<!-- hub-repo: {REPO}@v1 -->", "saved_model_2", "true"),
        f"{HANDLE}/2": (f"<!-- hub-repo: {REPO} -->", "saved_model_2", "true"),  # no revision: tag v2
        TF1_HANDLE: (f"<!-- hub-repo: {TF1_REPO} -->", "hub", "true"),
        "hubfork-test/no_source_model/1": ("", "saved_model_2", "false"),
    }
    for handle, (hub_repo, fmt, fine_tunable) in cards.items():
        publisher, rest = handle.split("/", 1)
        name, version = rest.rsplit("/", 1)
        path = root / "cards" / publisher / "models" / name / f"{version}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CARD.format(handle=handle, hub_repo=hub_repo, format=fmt, fine_tunable=fine_tunable))
    return build_registry(root / "cards", root / "registry.yaml").path


def sha256_tree(folder: str | Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> sha256), symlinks followed as the cache makes them."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# The CLI as it will be once cli/main.py registers the hub commands (added here if it does not yet).
CLI_DRIVER = """
import argparse, sys
from hubfork.cli import hub_cmd, pull_cmd, main as cli
build = cli.build_parser
def build_parser():
    parser = build()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, module in (("hub", hub_cmd), ("pull", pull_cmd)):
        if name not in commands.choices:
            module.register(commands)
    return parser
cli.build_parser = build_parser
sys.exit(cli.main(sys.argv[1:]))
"""


def hub_cli_command(*args: str) -> list[str]:
    return [sys.executable, "-c", CLI_DRIVER, *args]


def run_hub_cli(*args: str, pythonpath: list[Path] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``hubfork ARGS`` with the hub commands, in a fresh process, with this test's environment."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(p) for p in (pythonpath or [])] + [str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(hub_cli_command(*args), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
