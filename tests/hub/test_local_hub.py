"""The local hub: init, add (one atomic commit per add, of a model the scan accepts), serve (olah,
started and stopped by process id)."""

from __future__ import annotations

import os
import re
import socket

import pytest
import toml  # olah's own TOML reader: what it reads of olah.toml is what counts

from hubfork.errors import HubServerError, InvalidNameError, LocalHubError, UnreadableModelError, UnsafeModelError
from hubfork.hub import LocalHub, snapshot_download
from hubfork.hub import local_hub as local_hub_module
from hubfork.hub.git import git, rev_parse
from hubfork.hub.server import free_port
from tests.fixtures.hub import sha256_tree
from tests.fixtures.unsafe import OP, WEIGHTS_GONE, Unsafe, unsafe_model, without_weights


@pytest.fixture
def model(tmp_path):
    """Files named as a SavedModel's are, but not one: the tests of git's side add it with trust=True,
    which skips the scan (`test_add_scans_*` below are about the scan)."""
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
    first = hub.add(model, "acme/bert", tag="v1", trust=True)
    (model / "variables" / "variables.index").write_bytes(b"two")
    (model / "saved_model.pb").unlink()
    (model / "assets").mkdir()
    (model / "assets" / "vocab.txt").write_text("[PAD]\n")
    second = hub.add(model, "acme/bert", tag="v2", message="Version 2", trust=True)
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
        hub.add(model, repo_id, trust=True)
    assert hub.repos() == []


def test_a_failed_add_leaves_no_commit(hub, model, monkeypatch):
    hub.add(model, "acme/bert", tag="v1", trust=True)
    repo = hub.repo_path("acme/bert")
    before = {ref: rev_parse(repo, ref) for ref in ("main", "v1")}
    (model / "saved_model.pb").write_bytes(b"changed")
    with pytest.raises(LocalHubError, match="tag 'v1' already exists"):
        hub.add(model, "acme/bert", tag="v1", trust=True)

    real_git = local_hub_module.git

    def broken(repo, *args, **kwargs):
        if "update-ref" in args:  # the last step of an add: the commit exists, the refs have not moved
            raise LocalHubError("simulated failure while moving refs")
        return real_git(repo, *args, **kwargs)

    monkeypatch.setattr(local_hub_module, "git", broken)
    with pytest.raises(LocalHubError, match="simulated"):
        hub.add(model, "acme/bert", tag="v2", trust=True)
    assert {ref: rev_parse(repo, ref) for ref in ("main", "v1")} == before
    assert rev_parse(repo, "v2") is None and git(repo, "rev-list", "--count", "main") == "1"
    with pytest.raises(LocalHubError, match="simulated"):
        hub.add(model, "acme/new-model", trust=True)
    assert not hub.repo_path("acme/new-model").exists() and hub.repos() == ["acme/bert"]


def test_bad_model_folders_are_refused(hub, model, tmp_path):
    with pytest.raises(LocalHubError, match="is not a model folder"):
        hub.add(tmp_path / "absent", "acme/bert")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LocalHubError, match="holds no files"):
        hub.add(tmp_path / "empty", "acme/bert")
    os.symlink("/etc/passwd", model / "link")
    with pytest.raises(LocalHubError, match="symbolic link"):
        hub.add(model, "acme/bert", trust=True)
    assert hub.repos() == [] and not (hub.root / "mirrors" / "models" / "acme").exists()


def test_needs_init(tmp_path, model):
    with pytest.raises(LocalHubError, match="hubfork hub init"):
        LocalHub(tmp_path / "nothing").add(model, "acme/bert", trust=True)


def test_a_commit_made_while_serving_is_served_at_once(hf_env, local_hub, model):
    made = local_hub.hub.add(model, "hubfork-test/added-late", tag="v1", trust=True)
    path = snapshot_download("hubfork-test/added-late@v1")
    assert path.endswith(made.commit) and sha256_tree(path) == sha256_tree(model)


def test_serve_starts_and_stops_by_pid(hub, model, hf_isolated, monkeypatch):
    hub.add(model, "acme/bert", trust=True)
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
    # Valid TOML that olah cannot use: its proxy rules must be a list.
    with (hub.root / "olah.toml").open("a") as config:
        config.write("proxy = 5\n")
    with pytest.raises(HubServerError, match="exited") as caught:
        hub.start(port=free_port(), timeout=30)
    assert caught.value.log and os.path.exists(caught.value.log)


def test_an_olah_toml_that_is_not_toml_is_named_before_olah_starts(hub):
    (hub.root / "olah.toml").write_text("[basic\nthis is not toml")
    with pytest.raises(LocalHubError) as caught:
        hub.start(port=free_port(), timeout=30)
    assert str(caught.value) == (f"{hub.root / 'olah.toml'}: not a TOML file: Unexpected character: '\\n' at line 1 "
                                 "col 6")
    assert not (hub.root / "logs").exists()  # olah never ran


def test_adding_the_same_files_again_makes_no_commit(hub, model):
    first = hub.add(model, "acme/bert", tag="v1", trust=True)
    repo = hub.repo_path("acme/bert")
    again = hub.add(model, "acme/bert", tag="v1", trust=True)
    assert (again.commit, again.changed) == (first.commit, False)
    untagged = hub.add(model, "acme/bert", trust=True)
    assert (untagged.commit, untagged.changed) == (first.commit, False)
    # A new tag on unchanged files names main's commit rather than making an empty one.
    retagged = hub.add(model, "acme/bert", tag="v1.0", trust=True)
    assert (retagged.commit, retagged.changed) == (first.commit, True)
    assert rev_parse(repo, "v1.0") == first.commit and git(repo, "rev-list", "--count", "main") == "1"
    (model / "extra.txt").write_text("more", encoding="utf-8")
    changed = hub.add(model, "acme/bert", tag="v2", trust=True)
    assert changed.changed and changed.commit != first.commit
    assert git(repo, "rev-list", "--count", "main") == "2"
    with pytest.raises(LocalHubError, match="tag 'v1' already exists and names other files"):
        hub.add(model, "acme/bert", tag="v1", trust=True)


# --------------------------------------------------------------------------- the address


@pytest.mark.parametrize(("host", "port", "message"), [
    # A host that would add settings of its own to olah.toml, were it written into it as text.
    ('127.0.0.1"\nmirrors-path = ["/"]\nx = "', 18090, "host '127.0.0.1\"\\nmirrors-path"),
    ("localhost\nport = 1", 18090, "host 'localhost\\nport = 1' is not a host name or an IP address"),
    ("", 18090, "host '' is not"),
    (" 127.0.0.1", 18090, "host ' 127.0.0.1' is not"),
    ("[::1]", 18090, "host '[::1]' is not"),
    ("999.1.1.1", 18090, "host '999.1.1.1' is not"),
    ("-bad.example", 18090, "host '-bad.example' is not"),
    ("a" * 64 + ".example", 18090, "is not a host name"),  # a label has at most 63 characters
    (".".join(["a" * 63] * 4), 18090, "is not a host name"),  # a name at most 253
    ("127.0.0.1", 99999, "port 99999 is not a TCP port (1-65535)"),
    ("127.0.0.1", 65536, "port 65536 is not a TCP port (1-65535)"),
    ("127.0.0.1", 0, "port 0 is not a TCP port (1-65535)"),  # olah.toml needs a port; `serve --port 0` picks one
    ("127.0.0.1", -1, "port -1 is not"),
    ("127.0.0.1", True, "port True is not"),
    ("127.0.0.1", "18090", "port '18090' is not"),
])
def test_init_refuses_an_address_olah_cannot_serve_on_and_creates_nothing(tmp_path, host, port, message):
    with pytest.raises(LocalHubError, match=re.escape(message)) as caught:
        LocalHub(tmp_path / "hub").init(host=host, port=port)
    assert str(caught.value).startswith(f"{tmp_path / 'hub'}: ") and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("host", "port"), [("127.0.0.1", 1), ("::1", 65535), ("0.0.0.0", 8090), ("localhost", 18090),
                                            ("hub-1.example.org", 443), ("fe80::1%lo", 18090), ("localhost.", 80)])
def test_init_writes_the_address_as_toml(tmp_path, host, port):
    hub = LocalHub(tmp_path / "hub").init(host=host, port=port)
    assert hub.address() == (host, port)
    text = hub.config.read_text(encoding="utf-8")
    assert toml.loads(text) == {"basic": {"host": host, "port": port, "mirrors-path": ["mirrors"],
                                             "repos-path": "cache"}, "accessibility": {"offline": True}}
    assert text.startswith("# olah's configuration for a hubfork local hub (written by `hubfork hub init`).\n")


@pytest.mark.parametrize(("basic", "message"), [
    ("port = 99999", "port 99999 is not a TCP port (1-65535)"),
    ("port = 0", "port 0 is not a TCP port (1-65535)"),
    ('port = "18090"', "port '18090' is not a TCP port"),
    ('host = "a b"', "host 'a b' is not a host name"),
])
def test_a_hand_edited_olah_toml_with_a_bad_address_is_named(hub, basic, message):
    key = basic.split(" ")[0]
    text = re.sub(rf"^{key} = .*$", basic, hub.config.read_text(encoding="utf-8"), flags=re.M)
    hub.config.write_text(text, encoding="utf-8")
    with pytest.raises(LocalHubError, match=re.escape(f"{hub.config}: {message}")):
        hub.address()
    with pytest.raises(LocalHubError, match=re.escape(message)):
        hub.start()
    assert hub.config.read_text(encoding="utf-8") == text and not (hub.root / "logs").exists()


@pytest.mark.parametrize(("options", "message"), [
    ({"port": 99999}, "port 99999 is not a TCP port (0-65535; 0 picks a free one)"),
    ({"port": -5}, "port -5 is not a TCP port"),
    ({"host": 'localhost"\nrepos-path = "/etc'}, "is not a host name or an IP address"),
    ({"host": ""}, "host '' is not"),
])
def test_start_refuses_an_address_before_writing_or_starting_anything(hub, options, message):
    config = hub.config.read_bytes()
    with pytest.raises(LocalHubError, match=re.escape(message)):
        hub.start(**options)
    assert hub.config.read_bytes() == config and not (hub.root / "logs").exists()


def test_start_writes_its_address_into_olah_toml_as_toml(hub):
    # A hand-written olah.toml: an inline [basic] table, a comment, a key hubfork does not write.
    hub.config.write_text('# mine\nbasic = { host = "127.0.0.1", port = 18090, mirrors-path = ["mirrors"] }\n'
                          "[accessibility]\noffline = true # keep\n", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        with pytest.raises(HubServerError, match="in use"):  # olah.toml is written, then the port is tried
            hub.start(host="localhost", port=busy)
    text = hub.config.read_text(encoding="utf-8")
    assert toml.loads(text) == {"basic": {"host": "localhost", "port": busy, "mirrors-path": ["mirrors"]},
                                   "accessibility": {"offline": True}}
    assert text.startswith("# mine\n") and "offline = true # keep" in text
    assert hub.address() == ("localhost", busy)


def test_start_names_a_host_it_cannot_pick_a_port_on(hub):
    # 192.0.2.1 is TEST-NET-1: no machine has it, so nothing can be bound there.
    with pytest.raises(HubServerError, match=r"cannot pick a free port on 192\.0\.2\.1: Cannot assign requested"):
        hub.start(host="192.0.2.1", port=0)
    assert not (hub.root / "logs").exists()


def test_an_olah_toml_larger_than_any_config_is_refused_unread(hub):
    padding = "# " + "x" * 1000 + "\n"
    hub.config.write_text(hub.config.read_text(encoding="utf-8") + padding * 2000, encoding="utf-8")
    with pytest.raises(LocalHubError, match=re.escape(f"{hub.config}: cannot read it: the file is 2 MB; at most "
                                                      "1 MB is read")):
        hub.address()


def test_a_hub_another_process_is_initialising_can_be_initialised_too(tmp_path):
    """Two publishes to one new hub folder: the second finds the first's half-made hub (its folders,
    olah.toml being written) and completes it instead of calling the folder foreign."""
    half = LocalHub(tmp_path / "half")
    (half.mirrors / "models").mkdir(parents=True)
    (half.root / ".olah.toml.x1y2.tmp").write_text("")
    assert not half.initialised and half.can_init
    assert half.init().initialised
    assert LocalHub(tmp_path / "new").can_init
    foreign = LocalHub(tmp_path / "foreign")
    (foreign.mirrors).mkdir(parents=True)
    (foreign.root / "notes.txt").write_text("mine")
    assert not foreign.can_init
    (tmp_path / "file").write_text("")
    assert not LocalHub(tmp_path / "file").can_init


# ---------------------------------------------------------------------------- the scan


@pytest.fixture(scope="module")
def unsafe(tmp_path_factory) -> Unsafe:
    return unsafe_model(tmp_path_factory)


def _left_in(hub: LocalHub) -> list[str]:
    """Everything under the hub's repos folder: empty after an add that was refused."""
    return sorted(str(p.relative_to(hub.mirrors)) for p in hub.mirrors.rglob("*"))


@pytest.mark.tf
@pytest.mark.parametrize("how", [None, *sorted(WEIGHTS_GONE)])
def test_add_scans_and_refuses_a_malicious_model_leaving_nothing(hub, unsafe, tmp_path, how):
    folder = unsafe.path if how is None else without_weights(unsafe.path, tmp_path / "model", how)
    with pytest.raises(UnsafeModelError, match=OP) as caught:
        hub.add(folder, "acme/unsafe", tag="v1")
    assert caught.value.path == str(folder)
    assert hub.repos() == [] and _left_in(hub) == ["models"]
    # Into a repo that exists: no commit, no tag.
    hub.add(model_files(tmp_path / "plain"), "acme/unsafe")
    main = rev_parse(hub.repo_path("acme/unsafe"), "main")
    with pytest.raises(UnsafeModelError):
        hub.add(folder, "acme/unsafe", tag="v1")
    assert rev_parse(hub.repo_path("acme/unsafe"), "main") == main and hub.tags("acme/unsafe") == []


@pytest.mark.tf
def test_add_with_trust_commits_without_scanning(hub, unsafe):
    made = hub.add(unsafe.path, "acme/unsafe", tag="v1", trust=True)
    assert made.changed and hub.files("acme/unsafe", "v1") == sorted(
        str(p.relative_to(unsafe.path)) for p in unsafe.path.rglob("*") if p.is_file())


def test_add_scans_what_calls_itself_a_savedmodel(hub, model):
    # Bytes that are no SavedModel cannot be judged: refused as the loaders refuse them.
    with pytest.raises(UnreadableModelError, match="saved_model.pb is not a SavedModel protobuf"):
        hub.add(model, "acme/bert")
    assert hub.repos() == [] and _left_in(hub) == ["models"]


def model_files(folder):
    """A folder of plain files, no SavedModel: nothing to scan."""
    folder.mkdir()
    (folder / "README.md").write_text("# plain\n")
    return folder
