"""A hub in a folder named by its ``file://`` URL (a card's ``hub-endpoint``, what ``hubfork publish
--hub DIR`` records): its repos are fetched by olah served on loopback for the download, or read
from the cache for a tag, and its files listed straight from git."""

from __future__ import annotations

import pytest

from hubfork.errors import HubUnreachableError, InvalidNameError, LocalHubError, RepoNotFoundError
from hubfork.hub.download import fetch
from hubfork.hub.local_hub import LocalHub, hub_from_url
from hubfork.hub.patterns import repo_files
from hubfork.hub.resolvers import resolve
from hubfork.registry.build import build_registry
from tests.fixtures.hub import sha256_tree

CARD = """\
# Module acme/tiny/{version}
A tiny model on a hub in a folder.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
<!-- hub-repo: acme/tiny{revision} -->
<!-- hub-endpoint: {endpoint} -->
"""


@pytest.fixture
def folder_hub(tmp_path, hub_models):
    hub = LocalHub(tmp_path / "my hub").init()  # a space: the URL is percent-encoded
    hub.add(hub_models.v1, "acme/tiny", tag="v1")
    cards = tmp_path / "cards" / "acme" / "models" / "tiny"
    cards.mkdir(parents=True)
    (cards / "1.md").write_text(CARD.format(version=1, revision="@v1", endpoint=hub.url), encoding="utf-8")
    (cards / "2.md").write_text(CARD.format(version=2, revision="@main", endpoint=hub.url), encoding="utf-8")
    registry = build_registry(tmp_path / "cards", tmp_path / "registry.yaml").path
    return hub, registry


def test_a_handle_on_a_folder_hub_is_served_for_the_download_and_then_read_from_the_cache(
        folder_hub, hub_models, hf_isolated):
    hub, registry = folder_hub
    config = hub.config.read_bytes()
    snapshot = fetch("acme/tiny/1", registry=registry)
    assert sha256_tree(snapshot.path) == sha256_tree(hub_models.v1)
    assert snapshot.endpoint == hub.url and snapshot.revision == "v1"
    assert hub.config.read_bytes() == config  # olah.toml's address is where it was
    # A tag never moves on a local hub: the cached snapshot answers without serving, even with the hub gone.
    moved = hub.root.with_name("moved")
    hub.root.rename(moved)
    again = fetch("acme/tiny/1", registry=registry)
    assert again.path == snapshot.path
    with pytest.raises(HubUnreachableError, match="no local hub in"):
        fetch("acme/tiny/2", registry=registry)  # main is not a fixed revision: the hub is asked
    moved.rename(hub.root)


def test_main_on_a_folder_hub_follows_new_commits(folder_hub, hub_models, hf_isolated):
    hub, registry = folder_hub
    assert sha256_tree(fetch("acme/tiny/2", registry=registry).path) == sha256_tree(hub_models.v1)
    hub.add(hub_models.v2, "acme/tiny", tag="v2")
    assert sha256_tree(fetch("acme/tiny/2", registry=registry).path) == sha256_tree(hub_models.v2)


def test_files_of_a_folder_hub_are_listed_from_git(folder_hub, hub_models, hf_isolated):
    hub, registry = folder_hub
    expected = sorted(sha256_tree(hub_models.v1))
    assert repo_files(resolve("acme/tiny/1", registry=registry)) == expected
    hub.add(hub_models.v2, "acme/other")
    with pytest.raises(RepoNotFoundError, match="has no such repo or revision"):
        repo_files(resolve("acme/tiny/1", registry=registry).with_revision("v9"))


def test_file_urls_name_local_hubs_only():
    assert hub_from_url("https://huggingface.co") is None and hub_from_url(None) is None
    assert hub_from_url("file:///srv/my%20hub").root.as_posix() == "/srv/my hub"
    with pytest.raises(LocalHubError, match="file:///absolute/path"):
        hub_from_url("file://server/share/hub")
    with pytest.raises(InvalidNameError):
        LocalHub("/srv/hub").repo_path("../x")
