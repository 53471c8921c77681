"""`hubfork.publishing.hf_push.push_folder` against a recording fake of ``HfApi``; `push_to_hub`
refuses a model its scan refuses before it writes anything, to a hub, a card or a registry.

No server that takes huggingface_hub's write API (create_repo, preupload, the NDJSON commit,
tags) installs from the package registries: ``hf-local-hub`` on PyPI (0.1.0, 0.2.0, 3.0.0) is only
a Python wrapper around a Go binary it does not ship, ``hfmirror`` is a client, and olah is a
read-only mirror. huggingface.co itself cannot be reached here. So `FakeHub` plays the hub: an
in-memory repo store that records every call and binds each one to the real ``HfApi`` method's
signature (a misspelt keyword fails here as it would against a hub). huggingface_hub's own
no-op detection is exercised separately through its real ``create_commit`` over a mocked HTTP
transport (`test_real_create_commit_*`).

Not covered: a real hub's HTTP behaviour for create_repo, list_repo_refs, list_repo_tree,
create_tag and delete_repo; LFS/Xet uploads of large files; the 412 a hub sends when
``parent_commit`` is stale; README metadata validation by a hub (``/api/validate-yaml``);
``snapshot_download`` of what was pushed.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.hf_api import RepoFile
from huggingface_hub.utils import _http

from hubfork.errors import PublishError, UnsafeModelError
from hubfork.publishing.hf_push import PushResult, push_folder
from tests.conftest import ROOT
from tests.fixtures.unsafe import OP, WEIGHTS_GONE, Unsafe, unsafe_model, without_weights

ENDPOINT = "http://127.0.0.1:9"
REPO = "org/model"
TOKEN = "hf_SECRETsecretSECRETsecret"
WRITES = {"create_repo", "create_commit", "create_tag", "delete_repo"}


def _sha(n: int) -> str:
    return f"{n:040x}"


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _http_error(cls: type[HfHubHTTPError], status: int, message: str = "refused") -> HfHubHTTPError:
    request = httpx2.Request("GET", f"{ENDPOINT}/api/models/{REPO}")
    return cls(message, response=httpx2.Response(status, request=request))


class FakeHub:
    """An in-memory hub with HfApi's methods: each call is recorded as (name, bound arguments)
    after binding it to the real HfApi method, and `fail[name]` makes that method raise."""

    def __init__(self, endpoint: str = ENDPOINT):
        self.endpoint = endpoint
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail: dict[str, BaseException] = {}
        self.repos: dict[str, dict[str, Any]] = {}
        self._next = 0

    # -- test helpers
    def seed(self, repo_id: str, files: dict[str, bytes], tags: dict[str, str] | None = None) -> str:
        self.repos[repo_id] = {"commits": {}, "main": None, "tags": dict(tags or {})}
        return self._add_commit(repo_id, files)

    def files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        repo = self.repos[repo_id]
        sha = repo["main"] if revision == "main" else repo["tags"].get(revision, revision)
        return dict(repo["commits"][sha])

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def writes(self) -> list[str]:
        return [name for name in self.names() if name in WRITES]

    def _add_commit(self, repo_id: str, files: dict[str, bytes]) -> str:
        self._next += 1
        sha = _sha(self._next)
        self.repos[repo_id]["commits"][sha] = dict(files)
        self.repos[repo_id]["main"] = sha
        return sha

    def _record(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        bound = inspect.signature(getattr(HfApi, name)).bind(self, *args, **kwargs)
        arguments = dict(bound.arguments)
        arguments.pop("self")
        self.calls.append((name, arguments))
        if name in self.fail:
            raise self.fail[name]
        return arguments

    def _repo(self, repo_id: str) -> dict[str, Any]:
        if repo_id not in self.repos:
            raise _http_error(RepositoryNotFoundError, 404, "Repository Not Found")
        return self.repos[repo_id]

    # -- HfApi
    def repo_info(self, *args: Any, **kwargs: Any) -> SimpleNamespace:
        a = self._record("repo_info", *args, **kwargs)
        return SimpleNamespace(sha=self._repo(a["repo_id"])["main"])

    def list_repo_refs(self, *args: Any, **kwargs: Any) -> SimpleNamespace:
        a = self._record("list_repo_refs", *args, **kwargs)
        repo = self._repo(a["repo_id"])
        tags = [SimpleNamespace(name=n, ref=f"refs/tags/{n}", target_commit=c) for n, c in repo["tags"].items()]
        main = SimpleNamespace(name="main", ref="refs/heads/main", target_commit=repo["main"])
        return SimpleNamespace(branches=[main], tags=tags, converts=[], pull_requests=None)

    def list_repo_tree(self, *args: Any, **kwargs: Any) -> list[RepoFile]:
        a = self._record("list_repo_tree", *args, **kwargs)
        files = self.files(a["repo_id"], a["revision"])
        return [RepoFile(path=p, size=len(d), oid=_blob_id(d)) for p, d in sorted(files.items())]

    def list_repo_files(self, *args: Any, **kwargs: Any) -> list[str]:
        a = self._record("list_repo_files", *args, **kwargs)
        return sorted(self.files(a["repo_id"], a["revision"]))

    def create_repo(self, *args: Any, **kwargs: Any) -> str:
        a = self._record("create_repo", *args, **kwargs)
        if a["repo_id"] in self.repos:
            raise _http_error(HfHubHTTPError, 409, "You already created this model repo")
        # As huggingface.co does: a new repo starts with a commit holding .gitattributes.
        self.seed(a["repo_id"], {".gitattributes": b"*.bin filter=lfs diff=lfs merge=lfs -text\n"})
        return f"{self.endpoint}/{a['repo_id']}"

    def create_commit(self, *args: Any, **kwargs: Any) -> SimpleNamespace:
        a = self._record("create_commit", *args, **kwargs)
        repo = self._repo(a["repo_id"])
        assert a["parent_commit"] == repo["main"], "a stale parent_commit is refused by a hub (HTTP 412)"
        files = dict(repo["commits"][repo["main"]])
        new = dict(files)
        for op in a["operations"]:
            if isinstance(op, CommitOperationDelete):
                del new[op.path_in_repo]
            else:
                new[op.path_in_repo] = Path(op.path_or_fileobj).read_bytes()
        # As huggingface_hub does: nothing changed -> no commit, main's sha returned.
        if new == files:
            return SimpleNamespace(oid=repo["main"])
        return SimpleNamespace(oid=self._add_commit(a["repo_id"], new))

    def create_tag(self, *args: Any, **kwargs: Any) -> None:
        a = self._record("create_tag", *args, **kwargs)
        self._repo(a["repo_id"])["tags"][a["tag"]] = a["revision"]

    def delete_repo(self, *args: Any, **kwargs: Any) -> None:
        a = self._record("delete_repo", *args, **kwargs)
        del self.repos[a["repo_id"]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "model"
    (root / "variables").mkdir(parents=True)
    (root / "README.md").write_text("---\nlicense: apache-2.0\n---\n# model\n")
    (root / "saved_model.pb").write_bytes(b"\x08\x01graph")
    (root / "variables" / "variables.index").write_bytes(b"index")
    return root


FOLDER_FILES = ["README.md", "saved_model.pb", "variables/variables.index"]


def _push(hub: FakeHub, folder: Path, tag: str | None = "v1", **kwargs: Any) -> PushResult:
    kwargs.setdefault("message", "publish model")
    return push_folder(folder, REPO, endpoint=ENDPOINT, token=TOKEN, tag=tag, api=hub, **kwargs)


def _on_disk(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _commit_call(hub: FakeHub) -> dict[str, Any]:
    (call,) = [a for name, a in hub.calls if name == "create_commit"]
    return call


# ------------------------------------------------------------------------- new repo


def test_first_push_creates_repo_commit_and_tag(folder: Path) -> None:
    hub = FakeHub()
    result = _push(hub, folder)

    assert hub.names() == ["repo_info", "create_repo", "repo_info", "list_repo_files", "create_commit",
                           "create_tag"]
    assert hub.calls[0][1] == {"repo_id": REPO, "repo_type": "model", "revision": "main"}
    assert hub.calls[1][1] == {"repo_id": REPO, "repo_type": "model", "exist_ok": False}
    initial = _sha(1)
    commit = _commit_call(hub)
    assert commit["commit_message"] == "publish model"
    assert commit["parent_commit"] == initial
    assert (commit["repo_type"], commit["revision"]) == ("model", "main")
    ops = commit["operations"]
    assert all(isinstance(op, CommitOperationAdd) for op in ops)
    assert [(op.path_in_repo, op.path_or_fileobj) for op in ops] == [(p, str(folder / p)) for p in FOLDER_FILES]
    assert hub.calls[-1][1] == {"repo_id": REPO, "tag": "v1", "revision": result.commit, "repo_type": "model",
                                "tag_message": "hubfork: v1"}

    assert result == PushResult(REPO, _sha(2), "v1", ENDPOINT, created_repo=True, changed=True, files=3)
    # The hub's own .gitattributes stays; every folder file is there, byte for byte.
    assert hub.files(REPO, "v1") == {**_on_disk(folder), ".gitattributes": hub.files(REPO, initial)[".gitattributes"]}


def test_no_tag_means_no_refs_read_and_no_tag_written(folder: Path) -> None:
    hub = FakeHub()
    result = _push(hub, folder, tag=None)
    assert "list_repo_refs" not in hub.names() and "create_tag" not in hub.names()
    assert result.tag is None and result.changed


# -------------------------------------------------------------------- existing repo


def test_second_push_of_same_folder_makes_no_commit(folder: Path) -> None:
    hub = FakeHub()
    first = _push(hub, folder, tag=None)
    hub.calls.clear()

    again = _push(hub, folder, tag=None)

    assert hub.names() == ["repo_info", "list_repo_files", "create_commit"]  # no create_repo either
    assert again == PushResult(REPO, first.commit, None, ENDPOINT, created_repo=False, changed=False, files=3)
    assert _commit_call(hub)["parent_commit"] == first.commit


def test_unchanged_folder_with_new_tag_tags_the_existing_commit(folder: Path) -> None:
    hub = FakeHub()
    first = _push(hub, folder, tag="v1")
    hub.calls.clear()
    again = _push(hub, folder, tag="v2")
    assert hub.writes() == ["create_commit", "create_tag"]
    assert not again.changed and again.commit == first.commit
    assert hub.repos[REPO]["tags"] == {"v1": first.commit, "v2": first.commit}


def test_changed_folder_makes_one_commit_whose_tree_is_the_folder(folder: Path) -> None:
    hub = FakeHub()
    head = hub.seed(REPO, {".gitattributes": b"*.bin lfs\n", "README.md": b"old", "old.txt": b"gone",
                           "variables/old.data": b"gone too"})
    (folder / "saved_model.pb").write_bytes(b"changed")

    result = _push(hub, folder, tag="v2")

    assert hub.writes() == ["create_commit", "create_tag"]
    commit = _commit_call(hub)
    assert commit["parent_commit"] == head
    deletes = [op.path_in_repo for op in commit["operations"] if isinstance(op, CommitOperationDelete)]
    assert deletes == ["old.txt", "variables/old.data"]  # .gitattributes is kept: the folder has none
    assert result.changed and result.commit != head and not result.created_repo
    assert hub.files(REPO) == {**_on_disk(folder), ".gitattributes": b"*.bin lfs\n"}


def test_folder_gitattributes_replaces_the_hubs(folder: Path) -> None:
    hub = FakeHub()
    hub.seed(REPO, {".gitattributes": b"hub's\n"})
    (folder / ".gitattributes").write_bytes(b"mine\n")
    _push(hub, folder, tag=None)
    assert hub.files(REPO) == _on_disk(folder)


# ----------------------------------------------------------------------------- tags


def test_existing_tag_on_the_same_files_writes_nothing(folder: Path) -> None:
    hub = FakeHub()
    first = _push(hub, folder, tag="v1")
    hub.calls.clear()

    again = _push(hub, folder, tag="v1")

    assert hub.names() == ["repo_info", "list_repo_refs", "list_repo_tree"]
    assert again == PushResult(REPO, first.commit, "v1", ENDPOINT, created_repo=False, changed=False, files=3)


def test_existing_tag_on_other_files_is_refused_before_any_write(folder: Path) -> None:
    hub = FakeHub()
    tagged = hub.seed(REPO, {"README.md": b"something else"})
    hub.repos[REPO]["tags"]["v1"] = tagged

    with pytest.raises(PublishError) as info:
        _push(hub, folder, tag="v1")

    assert info.value.step == "tag" and info.value.repo_id == REPO
    assert tagged in str(info.value) and "nothing was written" in str(info.value)
    assert hub.writes() == []
    assert hub.files(REPO) == {"README.md": b"something else"}


def test_tag_named_like_a_branch_is_refused(folder: Path) -> None:
    hub = FakeHub()
    hub.seed(REPO, {"README.md": b"x"})
    with pytest.raises(PublishError, match="branch") as info:
        _push(hub, folder, tag="main")
    assert info.value.step == "tag" and hub.writes() == []


def test_tag_failure_after_commit_says_what_main_holds(folder: Path) -> None:
    hub = FakeHub()
    head = hub.seed(REPO, {"README.md": b"old"})
    hub.fail["create_tag"] = _http_error(HfHubHTTPError, 500, "boom")

    with pytest.raises(PublishError) as info:
        _push(hub, folder, tag="v1")

    error = info.value
    new = hub.repos[REPO]["main"]
    assert new != head and error.step == "tag"
    assert new in str(error) and "cannot remove a commit" in str(error)
    assert hub.writes() == ["create_commit", "create_tag"]  # no delete_repo: the repo was not ours


def test_tag_failure_on_a_repo_this_push_created_deletes_it(folder: Path) -> None:
    hub = FakeHub()
    hub.fail["create_tag"] = _http_error(HfHubHTTPError, 500, "boom")
    with pytest.raises(PublishError, match="deleted again") as info:
        _push(hub, folder, tag="v1")
    assert info.value.step == "tag"
    assert hub.writes() == ["create_repo", "create_commit", "create_tag", "delete_repo"]
    assert REPO not in hub.repos


# ------------------------------------------------------------------------- rollback


def test_commit_failure_deletes_a_repo_this_push_created(folder: Path) -> None:
    hub = FakeHub()
    hub.fail["create_commit"] = _http_error(HfHubHTTPError, 500, "commit failed")

    with pytest.raises(PublishError, match="deleted again") as info:
        _push(hub, folder)

    assert info.value.step == "push"
    assert hub.writes() == ["create_repo", "create_commit", "delete_repo"]
    assert hub.calls[-1][1] == {"repo_id": REPO, "repo_type": "model"}
    assert REPO not in hub.repos


def test_commit_failure_leaves_an_existing_repo_alone(folder: Path) -> None:
    hub = FakeHub()
    head = hub.seed(REPO, {"README.md": b"old"})
    hub.fail["create_commit"] = _http_error(HfHubHTTPError, 500, "commit failed")

    with pytest.raises(PublishError, match="commit failed"):
        _push(hub, folder)

    assert hub.writes() == ["create_commit"]
    assert hub.repos[REPO]["main"] == head


def test_failed_rollback_says_to_delete_by_hand(folder: Path) -> None:
    hub = FakeHub()
    hub.fail["create_commit"] = _http_error(HfHubHTTPError, 500, "commit failed")
    hub.fail["delete_repo"] = _http_error(HfHubHTTPError, 500, "delete failed")
    with pytest.raises(PublishError, match="could not be deleted.*delete it by hand"):
        _push(hub, folder)


def test_stale_parent_commit_is_said_as_a_concurrent_push(folder: Path) -> None:
    hub = FakeHub()
    hub.seed(REPO, {"README.md": b"old"})
    hub.fail["create_commit"] = _http_error(HfHubHTTPError, 412, "parent commit mismatch")
    with pytest.raises(PublishError, match="main changed while pushing"):
        _push(hub, folder)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_is_named_but_never_shown(folder: Path, status: int) -> None:
    hub = FakeHub()
    hub.fail["repo_info"] = _http_error(HfHubHTTPError, status, f"Invalid credentials: Bearer {TOKEN}")

    with pytest.raises(PublishError) as info:
        _push(hub, folder)

    text = str(info.value)
    assert "token" in text and f"HTTP {status}" in text and "'org'" in text
    assert TOKEN not in text and TOKEN not in repr(info.value.args)
    assert hub.writes() == []


def test_unreachable_hub_names_the_endpoint(folder: Path) -> None:
    hub = FakeHub()
    hub.fail["repo_info"] = httpx2.ConnectError("[Errno 111] Connection refused")
    with pytest.raises(PublishError, match=f"could not reach the hub at {ENDPOINT}"):
        _push(hub, folder)


def test_unreachable_hub_through_a_real_hfapi(folder: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    with pytest.raises(PublishError, match=f"could not reach the hub at {ENDPOINT}") as info:
        push_folder(folder, REPO, endpoint=ENDPOINT, token=TOKEN, tag="v1", message="m")
    assert TOKEN not in str(info.value)


STALLED_PUSH = """
import sys
from pathlib import Path
from hubfork.publishing import hf_push
hf_push.PUBLISH_TIMEOUT = 1.0
hf_push.push_folder(Path(sys.argv[1]), "org/model", endpoint=sys.argv[2], token="hf_x", tag="v1", message="m")
"""


def test_a_hub_that_never_answers_ends_the_push_with_an_error(folder: Path) -> None:
    # The kernel completes connections into the backlog: nothing ever accept()s or answers them.
    with socket.socket() as stalled:
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(8)
        endpoint = f"http://127.0.0.1:{stalled.getsockname()[1]}"
        env = {**os.environ, "HF_HUB_DOWNLOAD_TIMEOUT": "1"}
        # The subprocess timeout only turns a hang into a failure; the push must end on its own.
        result = subprocess.run([sys.executable, "-c", STALLED_PUSH, str(folder), endpoint], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"PublishError: org/model: could not reach the hub at {endpoint} (ReadTimeout" in result.stderr


# --------------------------------------------------------------------------- checks


@pytest.mark.parametrize("repo_id, tag", [("org/../x", "v1"), ("no-slash", "v1"), (REPO, "bad tag"),
                                          (REPO, "..")])
def test_bad_names_are_refused_before_any_call(folder: Path, repo_id: str, tag: str) -> None:
    hub = FakeHub()
    with pytest.raises(PublishError) as info:
        push_folder(folder, repo_id, endpoint=ENDPOINT, token=TOKEN, tag=tag, message="m", api=hub)
    assert info.value.step == "check" and hub.calls == []


def test_symlink_in_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("outside")
    os.symlink(tmp_path / "secret", folder / "link.txt")
    hub = FakeHub()
    with pytest.raises(PublishError, match="symbolic link") as info:
        _push(hub, folder)
    assert info.value.step == "check" and hub.calls == []


def test_symlinked_subfolder_is_refused(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", folder / "assets")
    with pytest.raises(PublishError, match="symbolic link"):
        _push(FakeHub(), folder)


@pytest.mark.parametrize("make", ["missing", "file", "empty"])
def test_folder_must_exist_and_hold_files(tmp_path: Path, make: str) -> None:
    path = tmp_path / "target"
    if make == "file":
        path.write_text("x")
    elif make == "empty":
        (path / "sub").mkdir(parents=True)
    hub = FakeHub()
    with pytest.raises(PublishError) as info:
        _push(hub, path)
    assert info.value.step == "check" and hub.calls == []


def test_empty_message_is_refused(folder: Path) -> None:
    with pytest.raises(PublishError, match="message"):
        _push(FakeHub(), folder, message="  ")


# ------------------------------------------------- huggingface_hub's own no-op commit


@pytest.fixture
def mocked_http():
    """Route huggingface_hub's HTTP client through a handler; `requests` lists what it was sent."""
    requests: list[httpx2.Request] = []
    routes: dict[tuple[str, str], Any] = {}

    def handler(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        answer = routes[(request.method, request.url.path)]
        return httpx2.Response(200, json=answer(request) if callable(answer) else answer)

    _http.set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(handler)))
    _http.close_session()
    yield SimpleNamespace(requests=requests, routes=routes)
    _http.set_client_factory(_http.default_client_factory)
    _http.close_session()


def _preupload_answer(remote: dict[str, str]):
    def answer(request: httpx2.Request) -> dict:
        files = json.loads(request.content)["files"]
        return {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                           "oid": remote.get(f["path"])} for f in files]}
    return answer


def _real_commit(tmp_path: Path, endpoint: str) -> tuple[Any, Path]:
    (tmp_path / "a.txt").write_bytes(b"same")
    (tmp_path / "b.txt").write_bytes(b"new content")
    api = HfApi(endpoint=endpoint, token=False)
    ops = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(tmp_path / p)) for p in ("a.txt", "b.txt")]
    return api.create_commit(REPO, ops, commit_message="m", parent_commit=_sha(7)), tmp_path


def test_real_create_commit_skips_when_no_file_changed(mocked_http, tmp_path: Path) -> None:
    endpoint = "http://hub.invalid"
    remote = {"a.txt": _blob_id(b"same"), "b.txt": _blob_id(b"new content")}
    mocked_http.routes[("POST", f"/api/models/{REPO}/preupload/main")] = _preupload_answer(remote)
    mocked_http.routes[("GET", f"/api/models/{REPO}/revision/main")] = {"id": REPO, "sha": _sha(7)}

    info, _ = _real_commit(tmp_path, endpoint)

    assert info.oid == _sha(7)  # what push_folder reads as "nothing changed"
    assert [r.url.path for r in mocked_http.requests] == [f"/api/models/{REPO}/preupload/main",
                                                          f"/api/models/{REPO}/revision/main"]


def test_real_create_commit_sends_only_changed_files(mocked_http, tmp_path: Path) -> None:
    endpoint = "http://hub.invalid"
    remote = {"a.txt": _blob_id(b"same"), "b.txt": _blob_id(b"old content")}
    mocked_http.routes[("POST", f"/api/models/{REPO}/preupload/main")] = _preupload_answer(remote)
    mocked_http.routes[("POST", f"/api/models/{REPO}/commit/main")] = {
        "commitUrl": f"{endpoint}/{REPO}/commit/{_sha(8)}", "commitOid": _sha(8)}

    info, _ = _real_commit(tmp_path, endpoint)

    assert info.oid == _sha(8)
    lines = [json.loads(line) for line in mocked_http.requests[-1].content.splitlines()]
    assert lines[0] == {"key": "header", "value": {"summary": "m", "description": "", "parentCommit": _sha(7)}}
    assert lines[1:] == [{"key": "file", "value": {"path": "b.txt", "encoding": "base64",
                                                   "content": base64.b64encode(b"new content").decode()}}]


# ------------------------------------------------------------------- push_to_hub scans first


@pytest.fixture(scope="module")
def unsafe(tmp_path_factory) -> Unsafe:
    return unsafe_model(tmp_path_factory)


def _written(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.mark.tf
@pytest.mark.parametrize("how", [None, *sorted(WEIGHTS_GONE)])
def test_push_to_hub_refuses_a_malicious_model_before_any_write(unsafe, tmp_path, monkeypatch, how):
    from hubfork.publishing import hf_push
    from hubfork.publishing.publish import push_to_hub

    model = unsafe.path if how is None else without_weights(unsafe.path, tmp_path / "model", how)
    hub = FakeHub()
    monkeypatch.setattr(hf_push, "_make_api", lambda endpoint, token: hub)
    out = tmp_path / "out"
    out.mkdir()
    places = [dict(endpoint=ENDPOINT, token=TOKEN), dict(hub=out / "hub")]
    for place in places:
        with pytest.raises(UnsafeModelError, match=OP) as caught:
            push_to_hub(str(model), REPO, tag="v1", cards=out / "cards", registry=out / "registry.yaml", **place)
        assert caught.value.path == str(model)
    # No hub call, no local hub, no card, no registry.
    assert hub.calls == [] and _written(out) == []
    assert not unsafe.target.exists()
