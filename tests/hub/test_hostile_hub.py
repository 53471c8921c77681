"""A hub that lies: every field huggingface_hub would make a path of, every bound a hub could stretch,
every way a token could leave its host. Each lie ends in one `HubReplyError` (or `RateLimitedError`)
naming the field, with nothing written outside the cache; the honest hub still works.

The hub is `tests.fixtures.hostile_hub.HostileHub` on loopback, which emulates the Hugging Face Hub's
download protocol as huggingface_hub 2.4's ``snapshot_download`` speaks it (see the fixture's doc);
a second one on 127.0.0.2 stands for "another host" and records whether any token reached it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubfork.errors import HubforkError, HubReplyError, RateLimitedError
from hubfork.hub import fetch
from hubfork.hub import guard as guard_module
from tests.fixtures.hostile_hub import COMMIT, HostileHub, Lies, small_repo

REPO = "hostile/model"
WEIGHTS = "variables/variables.data-00000-of-00001"
TOKEN = "hf_secrettokenthatmuststayhome"


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory):
    with HostileHub(REPO, small_repo(tmp_path_factory.mktemp("repo"))) as served:
        yield served


@pytest.fixture(scope="module")
def served_elsewhere(tmp_path_factory):
    with HostileHub(REPO, small_repo(tmp_path_factory.mktemp("other")), host="127.0.0.2") as served:
        yield served


def _honest(served: HostileHub) -> HostileHub:
    """`served` as a test gets it: one server for the module, honest again and with nothing logged. (A body
    a test left dripping or endless ends when its client has gone: its next write fails.)"""
    served.lies = Lies()
    served.log.clear()
    return served


@pytest.fixture
def hub(served_hub):
    return _honest(served_hub)


@pytest.fixture
def elsewhere(served_elsewhere):
    return _honest(served_elsewhere)


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the cache that nothing may be written into."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def _refused(hub: HostileHub, *words: str, **kwargs) -> HubReplyError:
    with pytest.raises(HubReplyError) as caught:
        fetch(REPO, endpoint=hub.endpoint, **kwargs)
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and hub.endpoint in message, message
    for word in words:
        assert word in message, message
    return caught.value


def _everything_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_the_honest_hub_is_fetched_whole(hub, hf_isolated):
    snapshot = fetch(REPO, endpoint=hub.endpoint)
    assert Path(snapshot.path).name == COMMIT
    assert (Path(snapshot.path) / WEIGHTS).read_bytes() == b"\x01\x02\x03" * 1000
    assert guard_module.watched_hubs() == []  # the guard lets go when the fetch ends


# ------------------------------------------------------------------------------ writes outside the cache

@pytest.mark.parametrize("sha", ["ABSOLUTE", "../../../../escaped", "0123456789abcdef0123456789abcdef0123456/",
                                 "..", "", 5, ["a"], "\u2028", "a" * 40 + "\n"])
def test_a_revision_sha_that_is_no_commit_is_refused(hub, hf_isolated, outside, sha):
    hub.lies.info = {"sha": str(outside / "etc") if sha == "ABSOLUTE" else sha}
    _refused(hub, "field 'sha'", "not a commit sha")
    assert _everything_under(outside) == set() and not (outside / "etc.json").exists()
    assert not (hf_isolated.parent / "escaped.json").exists()


@pytest.mark.parametrize("header", ["ETag", "X-Linked-Etag"])
def test_an_etag_that_climbs_out_of_blobs_is_refused(hub, hf_isolated, outside, header):
    hub.lies.file_headers = {header: f'"../../../../{outside.name}/body"'}
    _refused(hub, f"header {header.replace('Etag', 'ETag')}", "not a git blob id or sha256")
    assert _everything_under(outside) == set()


def test_a_commit_header_with_dots_on_a_404_is_refused_before_no_exist_is_written(hub, hf_isolated, outside):
    hub.lies.missing = {"config.json": {"X-Repo-Commit": f"../../../../{outside.name}/marker"}}
    _refused(hub, "header X-Repo-Commit", "not a commit sha")
    assert _everything_under(outside) == set()
    assert not list(hf_isolated.rglob(".no_exist"))


def test_a_commit_header_on_a_file_that_is_absolute_is_refused(hub, hf_isolated, outside):
    hub.lies.file_headers = {"X-Repo-Commit": str(outside / "snap")}
    _refused(hub, "header X-Repo-Commit")
    assert _everything_under(outside) == set()


@pytest.mark.parametrize("path, words", [
    ("../escaped.json", "'..' part"), ("/etc/passwd", "not a relative path"), ("a\x00b", "control or invisible"),
    ("sub//x", "empty"), ("C:evil", "not a relative path"), ("a\\..\\b", "not a relative path"),
    ("x\u202e.txt", "control or invisible"),
])
def test_a_listed_path_outside_the_repo_is_refused(hub, hf_isolated, outside, path, words):
    hub.lies.tree = [*hub.tree(), {"type": "file", "oid": "a" * 40, "size": 3, "path": path}]
    _refused(hub, "field 'path'", words)
    assert _everything_under(outside) == set()


def test_a_sibling_outside_the_repo_is_refused(hub, hf_isolated):
    hub.lies.info = {"siblings": [{"rfilename": "../../x"}]}
    _refused(hub, "siblings[0].rfilename")


# ------------------------------------------------------------------------------ replies of the wrong shape

@pytest.mark.parametrize("lie, words", [
    (dict(info_body=b"<html>not json</html>"), ["not JSON"]),
    (dict(info_body=b"[1, 2]"), ["not a JSON object"]),
    (dict(info={"siblings": "config.json"}), ["'siblings'", "not a list"]),
    (dict(info={"siblings": [7]}), ["siblings[0]", "not an object"]),
    (dict(tree_body=b'{"path": "x"}'), ["not a JSON list"]),
    (dict(tree_body=b"[[[[[[[[[[" * 20000), ["not JSON"]),
    (dict(tree=[{"type": "file", "path": "x", "oid": "a" * 40, "size": "big"}]), ["field 'size'"]),
    (dict(tree=[{"type": "file", "path": "x", "oid": "a" * 40, "size": -1}]), ["field 'size'"]),
    (dict(tree=[{"type": "file", "path": "x", "oid": "../x", "size": 1}]), ["field 'oid'"]),
    (dict(tree=[{"type": "file", "path": "x", "oid": "a" * 40, "size": 1, "lfs": {"oid": "b", "size": 1}}]),
     ["'lfs.oid'"]),
    (dict(tree=[{"type": "symlink", "path": "x"}]), ["type 'symlink'"]),
    (dict(tree=["x"]), ["entry 0", "not an object"]),
])
def test_a_reply_of_the_wrong_shape_is_one_line(hub, hf_isolated, lie, words):
    for key, value in lie.items():
        setattr(hub.lies, key, value)
    _refused(hub, *words)


def test_fields_hubfork_does_not_use_never_reach_huggingface_hubs_parser(hub, hf_isolated):
    hub.lies.info = {"lastModified": "yesterday", "createdAt": [1], "cardData": 5, "gguf": "x", "id": 7}
    snapshot = fetch(REPO, endpoint=hub.endpoint)
    assert Path(snapshot.path).name == COMMIT


def test_a_reply_huggingface_hub_still_cannot_read_is_one_line(hub, hf_isolated):
    # Shaped as hubfork checks, but without the pointerSize huggingface_hub's listing parser needs.
    hub.lies.tree = [{**entry, "lfs": {k: v for k, v in entry["lfs"].items() if k != "pointerSize"}}
                     if "lfs" in entry else entry for entry in hub.tree()]
    _refused(hub, "huggingface_hub could not read its reply", "KeyError")


def test_a_file_sent_compressed_when_asked_for_as_is_is_refused(hub, hf_isolated):
    hub.lies.file_headers = {"Content-Encoding": "gzip"}
    _refused(hub, "came compressed (gzip)")


def test_an_error_body_is_read_up_to_a_limit(hub, hf_isolated):
    hub.lies.info_status = 400
    hub.lies.missing_body = b" " * (guard_module.ERROR_BODY_MAX_BYTES + 1)
    _refused(hub, "longer than 1,048,576 bytes")


@pytest.mark.parametrize("value", ["-5", "3 GB", "1e9"])
def test_a_size_header_that_is_no_size_is_refused(hub, hf_isolated, value):
    hub.lies.file_headers = {"X-Linked-Size": value}
    _refused(hub, "header X-Linked-Size", "not a size in bytes")


def test_a_content_length_that_is_no_number_is_one_line(hub, hf_isolated):
    # httpx refuses it itself, before any hook: a broken HTTP reply, said as such.
    hub.lies.file_headers = {"Content-Length": "1e9"}
    with pytest.raises(HubforkError) as caught:
        fetch(REPO, endpoint=hub.endpoint)
    assert len(str(caught.value).splitlines()) == 1 and "bad Content-Length" in str(caught.value)


@pytest.mark.parametrize("location, words", [
    ("http://127.0.0.1:99999/x", ["refused"]),
    ("file:///etc/passwd", ["not an http(s) URL"]),
    ("http://user:pw@127.0.0.2/x", ["not an http(s) URL"]),
])
def test_a_redirect_hubfork_does_not_follow_is_one_line(hub, hf_isolated, location, words):
    hub.lies.redirect = {"config.json": location}
    _refused(hub, *words)


def test_a_redirect_loop_is_one_line(hub, hf_isolated):
    hub.lies.redirect = {"config.json": f"{hub.endpoint}/{REPO}/resolve/{COMMIT}/config.json"}
    _refused(hub, "redirect")


# ------------------------------------------------------------------------------ credentials stay home

def test_the_token_goes_to_its_own_hub_and_not_to_a_next_page_on_another_host(hub, elsewhere, hf_isolated,
                                                                             monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    hub.lies.next_page = f"{elsewhere.endpoint}/elsewhere"
    _refused(hub, "next page is on another host")
    assert elsewhere.log == []
    assert any(r.authorization == f"Bearer {TOKEN}" for r in hub.log)  # it is the token of this hub


def test_the_token_does_not_follow_a_file_redirect_to_another_host(hub, elsewhere, hf_isolated, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    hub.lies.redirect = {"config.json": f"{elsewhere.endpoint}/{REPO}/resolve/{COMMIT}/config.json"}
    fetch(REPO, endpoint=hub.endpoint)  # the other host serves the same bytes
    assert elsewhere.log and all(r.authorization is None for r in elsewhere.log)


def test_the_token_stays_with_its_hub_even_where_huggingface_hub_would_send_it(hub, elsewhere, hf_isolated,
                                                                             monkeypatch):
    # huggingface_hub keeps the token for a file whose HEAD points to one of its own hub origins
    # (utils/_http.py _HUB_ORIGINS, huggingface.co's hosts): here the other host is made one of them.
    from huggingface_hub.utils import _http

    monkeypatch.setattr(_http, "_HUB_ORIGINS", _http._HUB_ORIGINS | {_http._url_origin(elsewhere.endpoint)})
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    hub.lies.redirect = {"config.json": f"{elsewhere.endpoint}/{REPO}/resolve/{COMMIT}/config.json"}
    hub.lies.redirect_head = True
    fetch(REPO, endpoint=hub.endpoint)
    assert elsewhere.log and all(r.authorization is None for r in elsewhere.log)


def test_a_hub_named_by_a_card_or_endpoint_gets_no_token(hub, hf_isolated, monkeypatch):
    # HF_ENDPOINT stays huggingface.co's stand-in: HF_TOKEN is for that hub, not for whoever is named.
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    fetch(REPO, endpoint=hub.endpoint)
    assert hub.log and all(r.authorization is None for r in hub.log)
    fetch(REPO, endpoint=hub.endpoint, token="explicit", revision=COMMIT, verify=True)
    assert hub.log[-1].authorization == "Bearer explicit"  # a token given for the call goes with it


# ------------------------------------------------------------------------------ bounded

def test_a_retry_after_of_hours_is_refused_at_once(hub, hf_isolated):
    hub.lies.retry_after = "100000"
    with pytest.raises(RateLimitedError) as caught:
        fetch(REPO, endpoint=hub.endpoint)
    assert "100000 s" in str(caught.value) and "HUBFORK_RETRY_AFTER_MAX" in str(caught.value)
    assert len(hub.log) == 1


def test_the_retry_after_limit_is_configurable(hub, hf_isolated, monkeypatch):
    monkeypatch.setenv("HUBFORK_RETRY_AFTER_MAX", "0.5")
    hub.lies.retry_after = "1"
    with pytest.raises(RateLimitedError, match="at most 0.5 s"):
        fetch(REPO, endpoint=hub.endpoint)


def test_an_endless_body_is_cut_off_at_its_announced_size(hub, hf_isolated):
    hub.lies.endless = {"saved_model.pb"}
    error = _refused(hub, "goes on past its announced size (1,024 bytes)")
    assert error.file is None or error.file == "saved_model.pb"
    written = sum(p.stat().st_size for p in hf_isolated.rglob("*") if p.is_file())
    assert written < 1024 + guard_module.BODY_MARGIN_BYTES + 64 * 1024


def test_an_endless_body_without_any_announced_size_is_cut_off_at_the_listed_size(hub, hf_isolated):
    hub.lies.endless = {"config.json"}
    hub.lies.unsized = {"config.json"}  # neither HEAD nor GET says a size: the listing does
    _refused(hub, "goes on past its announced size (19 bytes)")


def test_a_file_whose_size_nothing_announces_is_refused(hub, hf_isolated):
    fetch(REPO, endpoint=hub.endpoint)
    blob = next(p for p in hf_isolated.rglob("blobs/*") if p.stat().st_size == 19)  # config.json
    blob.write_bytes(b"{}")  # corrupt: its repair is a download of its own, with no listing at hand
    hub.lies.endless = hub.lies.unsized = {"config.json"}
    _refused(hub, "size was announced nowhere")
    assert blob.stat().st_size <= 19


def test_a_dripping_body_is_given_up_at_its_deadline(hub, hf_isolated, monkeypatch):
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "1")  # the floor: 3 read timeouts
    monkeypatch.setenv("HUBFORK_MIN_DOWNLOAD_RATE", "100000")
    hub.lies.drip = {"saved_model.pb": 0.2}  # every read answers within its timeout
    _refused(hub, "came slower than 100,000 bytes/s", "HUBFORK_MIN_DOWNLOAD_RATE")


def test_a_pull_has_a_deadline_of_its_own(hub, hf_isolated, monkeypatch):
    monkeypatch.setenv("HUBFORK_PULL_DEADLINE", "1")
    monkeypatch.setenv("HUBFORK_MIN_DOWNLOAD_RATE", "1")
    hub.lies.drip = {"saved_model.pb": 0.2}
    _refused(hub, "longer than 1 s in all", "HUBFORK_PULL_DEADLINE")


def test_a_listing_longer_than_the_cap_is_refused_unread(hub, hf_isolated):
    hub.lies.tree_body = b"[" + b" " * guard_module.REPLY_MAX_BYTES + b"]"
    _refused(hub, "longer than 67,108,864 bytes")


def test_a_listing_with_too_many_entries_is_refused(hub, hf_isolated, monkeypatch):
    monkeypatch.setattr(guard_module, "LISTING_MAX_ENTRIES", 2)
    _refused(hub, "more than 2 entries")


def test_a_listing_whose_next_page_is_itself_is_read_once(hub, hf_isolated):
    hub.lies.next_page = "self"
    _refused(hub, "already read: a loop")
    assert hub.count("GET", "/tree/") == 1


def test_xet_is_declined_so_every_byte_passes_the_checks(hub, hf_isolated, elsewhere):
    # A hub announcing Xet storage would have hf_xet fetch from a CAS URL it names, past every check here.
    hub.lies.file_headers = {"X-Xet-Hash": "a" * 64, "X-Xet-Refresh-Route": f"{elsewhere.endpoint}/xet",
                             "X-Xet-Cas-Url": elsewhere.endpoint}
    hub.lies.tree = [{**entry, "xetHash": "a" * 64} for entry in hub.tree()]
    snapshot = fetch(REPO, endpoint=hub.endpoint)
    assert (Path(snapshot.path) / "config.json").read_text() == '{"hidden_size": 8}\n'
    assert elsewhere.log == []
    cached = json.loads(next(hf_isolated.rglob(f"trees/{COMMIT}.json")).read_text())
    assert "xetHash" not in json.dumps(cached)


def test_the_cli_says_one_line_and_exits_1(hub, hf_isolated, outside):
    from hubfork.cli.main import main

    hub.lies.info = {"sha": str(outside / "etc")}
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["pull", REPO, "--endpoint", hub.endpoint])
    assert code == 1 and err.getvalue().startswith("hubfork: error:") and "field 'sha'" in err.getvalue()
    assert isinstance(HubReplyError("n", repo_id=REPO, endpoint="e", detail="d"), HubforkError)


def test_a_registry_mapping_to_a_lying_hub_writes_nothing_outside_and_sends_no_token(hub, hf_isolated, outside,
                                                                                      tmp_path, monkeypatch):
    # A card whose hub-endpoint names the hub is all it takes (here written by add-source, as a shared
    # registry's card would be): the user's token is not sent there, and its lies are refused.
    from hubfork.registry.user import add_source

    monkeypatch.setenv("HUBFORK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    handle = "google/bert_multi_cased_L-12_H-768_A-12/1"
    add_source(handle, REPO, endpoint=hub.endpoint)
    hub.lies.info = {"sha": str(outside / "etc")}
    with pytest.raises(HubReplyError, match="field 'sha'"):
        fetch(handle, sources="mirrors")
    assert _everything_under(outside) == set() and hub.log
    assert all(r.authorization is None for r in hub.log)
