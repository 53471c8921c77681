"""The local hub: init, add (one atomic commit per add), serve (olah, started and
stopped by process id)."""

from __future__ import annotations

import os
import socket

import pytest

from hubfork.errors import HubServerError, InvalidNameError, LocalHubError
from hubfork.hub import LocalHub, snapshot_download
from hubfork.hub import local_hub as local_hub_module
from hubfork.hub.git import git, rev_parse
from hubfork.hub.server import free_port
from tests.fixtures.hub import sha256_tree


@pytest.fixture
def model(tmp_path):
    folder = tmp_path / "model"
    (folder / "variables").mkdir(parents=True)
    (folder / "saved_model.pb").write_bytes(b"graph")
    (folder / "variables" / "variables.index").write_bytes(b"one")
    return folder


@pytest.fixture
def hub(tmp_path):
    return LocalHub(tmp_path / "hub").init()


def test_init_makes_the_layout(tmp_path):
    hub = LocalHub(tmp_path / "hub").init()
    assert (hub.root / "mirrors" / "models").is_dir() and (hub.root / "cache").is_dir()
    config = (hub.root / "olah.toml").read_text()
    assert 'mirrors-path = ["mirrors"]' in config and "offline = true" in config
    assert hub.address() == ("127.0.0.1", 18090)
    (hub.root / "olah.toml").write_text(config.replace("18090", "18100"))
    LocalHub(tmp_path / "hub").init()  # again: keeps what is there
    assert hub.address()[1] == 18100


def test_each_add_is_one_commit_holding_exactly_the_folder(hub, model):
    first = hub.add(model, "acme/bert", tag="v1")
    (model / "variables" / "variables.index").write_bytes(b"two")
    (model / "saved_model.pb").unlink()
    (model / "assets").mkdir()
    (model / "assets" / "vocab.txt").write_text("[PAD]\n")
    second = hub.add(model, "acme/bert", tag="v2", message="Version 2")
    repo = hub.repo_path("acme/bert")
    assert git(repo, "rev-list", "--count", "main") == "2"
    assert git(repo, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert rev_parse(repo, "v1") == first.commit and rev_parse(repo, "v2") == second.commit == rev_parse(repo, "main")
    assert git(repo, "ls-tree", "-r", "--name-only", "v1").split() == ["saved_model.pb", "variables/variables.index"]
    assert git(repo, "ls-tree", "-r", "--name-only", "v2").split() == ["assets/vocab.txt",
                                                                       "variables/variables.index"]
    assert git(repo, "log", "-1", "--format=%s", "v2") == "Version 2"
    assert sha256_tree_without_git(repo) == sha256_tree(model)  # the work tree follows main
    assert hub.repos() == ["acme/bert"] and hub.tags("acme/bert") == ["v1", "v2"]


def sha256_tree_without_git(folder):
    return {k: v for k, v in sha256_tree(folder).items() if not k.startswith(".git/")}


@pytest.mark.parametrize("repo_id", ["acme--x/bert", "../bert", "acme/../../x", "/abs/path", "acme/b$rt", "bert"])
def test_repo_ids_are_validated(hub, model, repo_id):
    with pytest.raises(InvalidNameError):
        hub.add(model, repo_id)
    assert hub.repos() == []


def test_a_failed_add_leaves_no_commit(hub, model, monkeypatch):
    hub.add(model, "acme/bert", tag="v1")
    repo = hub.repo_path("acme/bert")
    before = {ref: rev_parse(repo, ref) for ref in ("main", "v1")}
    (model / "saved_model.pb").write_bytes(b"changed")
    with pytest.raises(LocalHubError, match="tag 'v1' already exists"):
        hub.add(model, "acme/bert", tag="v1")

    real_git = local_hub_module.git

    def broken(repo, *args, **kwargs):
        if "update-ref" in args:  # the last step of an add: the commit exists, the refs have not moved
            raise LocalHubError("simulated failure while moving refs")
        return real_git(repo, *args, **kwargs)

    monkeypatch.setattr(local_hub_module, "git", broken)
    with pytest.raises(LocalHubError, match="simulated"):
        hub.add(model, "acme/bert", tag="v2")
    assert {ref: rev_parse(repo, ref) for ref in ("main", "v1")} == before
    assert rev_parse(repo, "v2") is None and git(repo, "rev-list", "--count", "main") == "1"
    with pytest.raises(LocalHubError, match="simulated"):
        hub.add(model, "acme/new-model")
    assert not hub.repo_path("acme/new-model").exists() and hub.repos() == ["acme/bert"]


def test_bad_model_folders_are_refused(hub, model, tmp_path):
    with pytest.raises(LocalHubError, match="is not a model folder"):
        hub.add(tmp_path / "absent", "acme/bert")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LocalHubError, match="holds no files"):
        hub.add(tmp_path / "empty", "acme/bert")
    os.symlink("/etc/passwd", model / "link")
    with pytest.raises(LocalHubError, match="symbolic link"):
        hub.add(model, "acme/bert")
    assert hub.repos() == [] and not (hub.root / "mirrors" / "models" / "acme").exists()


def test_needs_init(tmp_path, model):
    with pytest.raises(LocalHubError, match="hubfork hub init"):
        LocalHub(tmp_path / "nothing").add(model, "acme/bert")


def test_a_commit_made_while_serving_is_served_at_once(hf_env, local_hub, model):
    made = local_hub.hub.add(model, "hubfork-test/added-late", tag="v1")
    path = snapshot_download("hubfork-test/added-late@v1")
    assert path.endswith(made.commit) and sha256_tree(path) == sha256_tree(model)


def test_serve_starts_and_stops_by_pid(hub, model, hf_isolated, monkeypatch):
    hub.add(model, "acme/bert")
    with hub.serve(port=0) as endpoint:
        port = int(endpoint.rsplit(":", 1)[1])
        assert hub.address()[1] == port  # olah reads only its file
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        assert sha256_tree(snapshot_download("acme/bert")) == sha256_tree(model)
        assert (hub.root / "logs").is_dir()  # olah ran inside the hub folder
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more


def test_serve_refuses_a_busy_port(hub):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(HubServerError, match="in use"):
            hub.start(port=sock.getsockname()[1])


def test_serve_reports_olah_failing(hub, monkeypatch):
    (hub.root / "olah.toml").write_text("[basic\nthis is not toml")
    with pytest.raises(HubServerError, match="exited") as caught:
        hub.start(port=free_port(), timeout=30)
    assert caught.value.log and os.path.exists(caught.value.log)


def test_adding_the_same_files_again_makes_no_commit(hub, model):
    first = hub.add(model, "acme/bert", tag="v1")
    repo = hub.repo_path("acme/bert")
    again = hub.add(model, "acme/bert", tag="v1")
    assert (again.commit, again.changed) == (first.commit, False)
    untagged = hub.add(model, "acme/bert")
    assert (untagged.commit, untagged.changed) == (first.commit, False)
    # A new tag on unchanged files names main's commit rather than making an empty one.
    retagged = hub.add(model, "acme/bert", tag="v1.0")
    assert (retagged.commit, retagged.changed) == (first.commit, True)
    assert rev_parse(repo, "v1.0") == first.commit and git(repo, "rev-list", "--count", "main") == "1"
    (model / "extra.txt").write_text("more", encoding="utf-8")
    changed = hub.add(model, "acme/bert", tag="v2")
    assert changed.changed and changed.commit != first.commit
    assert git(repo, "rev-list", "--count", "main") == "2"
    with pytest.raises(LocalHubError, match="tag 'v1' already exists and names other files"):
        hub.add(model, "acme/bert", tag="v1")
