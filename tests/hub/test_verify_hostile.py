"""A hub or a cache that lies: ``pull --verify``, ``cache verify`` and `verify_cache` fail (exit 1,
one line per problem) whatever the hub says after the snapshot was made and whatever stands in the
cache in a file's place, and a pull never prints a snapshot that is not there.

The hub is `tests.fixtures.faulty_hub.FaultyHub` on loopback (it must lie); FIFOs, links to
``/dev/zero`` and links to nothing are real ones in the test's cache. A check that opened a FIFO
would block: those run as subprocesses (`_bounded`: real processes of ``cache verify`` and ``pull``),
whose timeout only turns a hang into a failure. The others run the command in this process
(`run_cli_here`): what they check is its output and exit status.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hubfork.errors import DownloadError, NoMatchingFilesError
from hubfork.hub import fetch, verify_cache
from tests.conftest import ROOT, run_cli_here
from tests.fixtures.faulty_hub import COMMIT, Faults, FaultyHub, RepoFile, git_blob_id

REPO = "hostile/bert"
CONFIG = "config.json"
WEIGHTS = "variables/variables.data-00000-of-00001"
REAL_CONFIG = b'{"hidden_size": 768}\n'
OTHER_CONFIG = b'{"hidden_size": 769}\n'  # as long as the real one: only a hash tells them apart
WEIGHT_BYTES = bytes(range(256)) * 8


def _serve(root: Path) -> FaultyHub:
    (root / "variables").mkdir(parents=True)
    (root / CONFIG).write_bytes(REAL_CONFIG)
    (root / WEIGHTS).write_bytes(WEIGHT_BYTES)
    return FaultyHub(REPO, [RepoFile(CONFIG, root / CONFIG), RepoFile(WEIGHTS, root / WEIGHTS, lfs=True)]).start()


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory):
    served = _serve(tmp_path_factory.mktemp("repo"))
    yield served
    served.stop()


@pytest.fixture
def hub(served_hub):
    """The module's hub, honest again, with nothing logged (every test has a cache of its own)."""
    served_hub.faults, served_hub.listings_served = Faults(), 0
    served_hub.log.clear()
    return served_hub


@pytest.fixture
def hub_to_stop(tmp_path):
    """A hub of the test's own, which it may stop."""
    served = _serve(tmp_path / "repo")
    yield served
    served.stop()


def _repo_folder(cache: Path) -> Path:
    return cache / f"models--{REPO.replace('/', '--')}"


def _pull(hub: FaultyHub, *extra: str) -> subprocess.CompletedProcess:
    return run_cli_here("pull", REPO, "--endpoint", hub.endpoint, *extra)


def _bounded(*args: str) -> subprocess.CompletedProcess:
    # The timeout only turns a hang (a FIFO opened) into a failure; the command ends at once.
    return subprocess.run([sys.executable, "-m", "hubfork", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


#: Runs each command (a JSON list of argument lists, argv[1]) through `hubfork.cli.main.main` in turn;
#: prints a JSON list of [exit status, stdout, stderr], one per command.
_EACH = """
import contextlib, io, json, sys
from hubfork.cli.main import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


def _bounded_each(*commands: list[str]) -> list[subprocess.CompletedProcess]:
    """`_bounded` for several commands, run one after the other in one fresh process (bounded as one):
    what each prints and its exit status."""
    result = subprocess.run([sys.executable, "-c", _EACH, json.dumps(commands)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [subprocess.CompletedProcess(["hubfork", *args], code, out, err)
            for args, (code, out, err) in zip(commands, json.loads(result.stdout))]


# ------------------------------------------------------------------ the hub's bytes are not its listing's


class _NoWait:
    """`time` for huggingface_hub's retries: every retry is made, without the seconds between them."""

    def __getattr__(self, name: str):
        import time

        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        pass


def test_pull_verify_finds_bytes_that_are_not_the_listed_blob_even_with_the_hub_gone(hub_to_stop, monkeypatch):
    hub = hub_to_stop
    # The hub announces the ETag of the bytes it serves, its listing another blob id of the same size.
    hub.faults.serve_instead[CONFIG] = OTHER_CONFIG
    hub.faults.etag[CONFIG] = git_blob_id(OTHER_CONFIG)
    mismatch = f"{CONFIG}: git-sha1 mismatch: {git_blob_id(OTHER_CONFIG)}, expected {git_blob_id(REAL_CONFIG)}"

    assert _pull(hub).returncode == 0  # sizes agree: only hashing tells
    online = _pull(hub, "--verify")
    assert online.returncode == 1 and online.stdout == ""
    assert f"fetched again, it still differs from the hub's listing ({mismatch[len(CONFIG) + 2:]})" in online.stderr

    hub.stop()  # snapshot_download falls back to the cached snapshot; the check keeps its listing
    from huggingface_hub.utils import _http

    monkeypatch.setattr(_http, "time", _NoWait())  # its backoff before giving up on the gone hub
    gone = _pull(hub, "--verify")
    assert gone.returncode == 1 and gone.stdout == ""
    assert f"hubfork: the hub at {hub.endpoint} did not answer" in gone.stderr
    [error] = [line for line in gone.stderr.splitlines() if line.startswith("hubfork: error:")]
    assert mismatch in error and f"the hub at {hub.endpoint} could not be reached" in error


def test_cache_verify_hashes_against_the_listing_the_snapshot_was_made_from(hub, hf_isolated):
    hub.faults.serve_instead[CONFIG] = OTHER_CONFIG
    hub.faults.etag[CONFIG] = git_blob_id(OTHER_CONFIG)  # the blob is named after what it holds
    fetch(REPO, endpoint=hub.endpoint)

    every = run_cli_here("cache", "verify")
    assert every.returncode == 1, every.stderr
    assert f"  {CONFIG}: git-sha1 mismatch: {git_blob_id(OTHER_CONFIG)}, expected {git_blob_id(REAL_CONFIG)}" \
        in every.stdout.splitlines()
    [check] = verify_cache()
    assert [(problem.path, problem.kind) for problem in check.problems] == [(CONFIG, "file")]


# ------------------------------------------------------------------ a listing that changed under the snapshot


def _changed(hub: FaultyHub, how: str) -> list[dict]:
    tree = hub.tree()
    config = next(entry for entry in tree if entry["path"] == CONFIG)
    weights = next(entry for entry in tree if entry["path"] == WEIGHTS)
    if how == "emptied":
        return []
    if how == "file added":
        return [*tree, {"type": "file", "oid": "1" * 40, "size": 3, "path": "added.txt"}]
    if how == "file dropped":
        return [weights]
    if how == "file renamed":
        return [weights, {**config, "path": "config2.json"}]
    if how == "size changed":
        return [weights, {**config, "size": config["size"] + 1}]
    assert how == "LFS sha256 changed"
    return [config, {**weights, "lfs": {**weights["lfs"], "oid": hashlib.sha256(b"other").hexdigest()}}]


CHANGES = {
    "emptied": {CONFIG: "the hub no longer lists it", WEIGHTS: "the hub no longer lists it"},
    "file added": {"added.txt": "the hub lists it now (size 3, git-sha1 " + "1" * 40 + ")"},
    "file dropped": {CONFIG: "the hub no longer lists it"},
    "file renamed": {CONFIG: "the hub no longer lists it", "config2.json": "the hub lists it now"},
    "size changed": {CONFIG: f"the hub's listing changed: size {len(REAL_CONFIG) + 1}, git-sha1"},
    "LFS sha256 changed": {WEIGHTS: f"the hub's listing changed: size {len(WEIGHT_BYTES)}, sha256 "
                                    f"{hashlib.sha256(b'other').hexdigest()} now, size {len(WEIGHT_BYTES)}, sha256 "
                                    f"{hashlib.sha256(WEIGHT_BYTES).hexdigest()} when the snapshot was made"},
}


@pytest.mark.parametrize("how", sorted(CHANGES))
def test_verify_fails_when_the_hub_lists_the_commit_otherwise_than_the_snapshot_was_made_from(hub, how):
    hub.faults.listing, hub.faults.listing_from = _changed(hub, how), 1  # the snapshot gets the real one
    with pytest.raises(DownloadError) as caught:
        fetch(REPO, endpoint=hub.endpoint, verify=True)
    header, *lines = str(caught.value).splitlines()
    assert header.endswith(f"the snapshot of commit {COMMIT} and the hub's listing disagree:")
    assert {line.strip().partition(": ")[0] for line in lines} == set(CHANGES[how])
    for path, reason in CHANGES[how].items():
        assert any(line.startswith(f"  {path}: {reason}") for line in lines), (path, lines)
    assert fetch(REPO, endpoint=hub.endpoint).repaired == ()  # sizes only: the kept listing still holds


def test_cache_verify_of_a_name_fails_on_an_emptied_listing(hub):
    assert _pull(hub).returncode == 0
    hub.faults.listing = []
    verified = run_cli_here("cache", "verify", REPO, "--endpoint", hub.endpoint)
    assert verified.returncode == 1 and verified.stdout == ""
    error = verified.stderr[verified.stderr.index("hubfork: error:"):].splitlines()
    assert error[0].endswith(f"the snapshot of commit {COMMIT} and the hub's listing disagree:")
    gone = "the hub no longer lists it at this commit"
    assert [line.partition(" (")[0] for line in error[1:]] == [f"  {CONFIG}: {gone}", f"  {WEIGHTS}: {gone}"]


# ------------------------------------------------------------------ nothing to fetch


def test_a_hub_that_lists_no_file_is_an_error_not_a_path(hub, hf_isolated):
    hub.faults.listing = []
    for extra in ((), ("--verify",), ("--json",)):
        pulled = _pull(hub, *extra)
        assert pulled.returncode == 1 and pulled.stdout == "", extra
        assert f"it lists no file at commit {COMMIT}: there is no snapshot to use" in pulled.stderr
    with pytest.raises(DownloadError, match="lists no file"):
        fetch(REPO, endpoint=hub.endpoint)
    assert not (_repo_folder(hf_isolated) / "snapshots").exists()


def test_patterns_that_leave_no_file_are_an_error_not_a_path(hub, hf_isolated):
    with pytest.raises(NoMatchingFilesError, match="no file of hostile/bert passes the file patterns given"):
        fetch(REPO, endpoint=hub.endpoint, allow_patterns="*.nothing")
    pulled = _pull(hub, "--include", "*.nothing")
    assert pulled.returncode == 1 and pulled.stdout == "" and "passes the file patterns given" in pulled.stderr
    assert not (_repo_folder(hf_isolated) / "snapshots").exists()


# ------------------------------------------------------------------ what stands in a file's place


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


STAND_INS = {
    "blob linked to /dev/zero": (_dev_zero, "blob", "not a regular file but a character device"),
    "blob a FIFO": (os.mkfifo, "blob", "not a regular file but a FIFO (named pipe)"),
    "snapshot file a FIFO": (os.mkfifo, "link", "not a regular file but a FIFO (named pipe)"),
    "snapshot file linked to /dev/zero": (_dev_zero, "link", "not a regular file but a character device"),
    "blob gone": (lambda path: None, "blob", "missing: its link leads to nothing"),
}


@pytest.mark.parametrize("case", sorted(STAND_INS))
def test_cache_verify_fails_on_what_is_not_a_regular_file_and_opens_none(hub, case):
    make, which, reason = STAND_INS[case]
    snapshot = Path(fetch(REPO, endpoint=hub.endpoint).path)
    for path in (CONFIG, WEIGHTS):
        target = Path(os.path.realpath(snapshot / path)) if which == "blob" else snapshot / path
        target.unlink()
        make(target)

    # One process for the five commands: none may open what stands there, the first as much as the last.
    every, as_json, offline, pulled, repaired = _bounded_each(
        ["cache", "verify"], ["cache", "verify", "--json"], ["cache", "verify", REPO, "--offline"],
        ["pull", REPO, "--offline"], ["cache", "verify", REPO, "--endpoint", hub.endpoint])
    assert every.returncode == 1, every.stderr
    assert every.stdout.splitlines() == [f"{REPO}@{COMMIT[:12]}: 2 corrupt (2 files, sizes and hashes against the "
                                         "cache)", f"  {CONFIG}: {reason}", f"  {WEIGHTS}: {reason}"]
    [check] = json.loads(as_json.stdout)
    assert [problem["path"] for problem in check["problems"]] == [CONFIG, WEIGHTS] and check["checked"] == 2

    assert offline.returncode == 1 and f"  {CONFIG}: {reason}" in offline.stdout.splitlines()
    assert pulled.returncode == 1  # sizes alone find it, on every fetch

    assert repaired.returncode == 0, repaired.stderr
    if case != "blob gone":  # else snapshot_download fetched them again itself, finding no file there
        assert f"fetched again: {CONFIG}, {WEIGHTS}" in repaired.stdout
    assert (snapshot / CONFIG).read_bytes() == REAL_CONFIG and (snapshot / WEIGHTS).read_bytes() == WEIGHT_BYTES


def test_cache_verify_reads_no_ref(hub, hf_isolated):
    fetch(REPO, endpoint=hub.endpoint)
    ref = _repo_folder(hf_isolated) / "refs" / "main"
    ref.unlink()
    os.mkfifo(ref)  # nothing is ever written into it: reading it would block
    every = _bounded("cache", "verify")
    assert every.returncode == 0, every.stderr
    assert every.stdout.startswith(f"{REPO}@{COMMIT[:12]}: ok (2 files, sizes and hashes against the cache)")


def test_cache_verify_reads_the_kept_listing_only_if_it_is_a_regular_file(hub, hf_isolated):
    fetch(REPO, endpoint=hub.endpoint)
    listing = _repo_folder(hf_isolated) / "trees" / f"{COMMIT}.json"
    listing.unlink()
    os.mkfifo(listing)
    every = _bounded("cache", "verify")
    assert every.returncode == 1, every.stderr
    assert f"  the listing kept in the cache is unusable: {listing}: not a regular file but a FIFO (named pipe)" \
        in every.stdout.splitlines()


def _set(field: str, value: object):
    def change(data: dict) -> str:
        data["files"][CONFIG][field] = value
        return json.dumps(data)
    return change


KEPT_LISTINGS = {
    "blob id not hex": (_set("blob_id", "z" * 40), "'config.json': git-sha1 'zzzzz"),
    "blob id a page long": (_set("blob_id", "a" * 5000), "'config.json': git-sha1 'aaaa"),
    "size a string": (_set("size", "21"), "'config.json': size '21' is no byte count"),
    "size negative": (_set("size", -1), "'config.json': size -1 is no byte count"),
    "path with a newline": (lambda data: json.dumps({**data, "files": {"a\nb": data["files"][CONFIG]}}),
                            "an entry's path is 'a\\nb'"),
    "entry not an object": (lambda data: json.dumps({**data, "files": {CONFIG: 21}}), "an entry is not an object"),
    "files not an object": (lambda data: json.dumps({**data, "files": []}), 'no "files" object'),
    "not JSON": (lambda data: "{", "not JSON"),
}


@pytest.mark.parametrize("case", sorted(KEPT_LISTINGS))
def test_a_kept_listing_without_usable_sizes_or_hashes_is_a_problem(hub, hf_isolated, case):
    change, said = KEPT_LISTINGS[case]
    fetch(REPO, endpoint=hub.endpoint)
    listing = _repo_folder(hf_isolated) / "trees" / f"{COMMIT}.json"
    listing.write_text(change(json.loads(listing.read_text())))
    [check] = verify_cache()
    [problem] = [problem for problem in check.problems if problem.kind == "snapshot"]
    assert str(problem).startswith(f"the listing kept in the cache is unusable: {listing}: ")
    assert said in str(problem) and len(str(problem)) < 400 and "\n" not in str(problem)


def test_cache_verify_fails_on_a_snapshot_that_holds_no_file(hub, hf_isolated):
    snapshot = Path(fetch(REPO, endpoint=hub.endpoint).path)
    (snapshot / CONFIG).unlink()
    (snapshot / WEIGHTS).unlink()
    every = run_cli_here("cache", "verify")
    assert every.returncode == 1, every.stderr
    assert every.stdout.splitlines()[1:] == ["  the snapshot holds no file"]


def test_cache_verify_fails_on_what_stands_in_a_snapshot_folder_s_place(hub, hf_isolated):
    fetch(REPO, endpoint=hub.endpoint)
    os.mkfifo(_repo_folder(hf_isolated) / "snapshots" / ("f" * 40))
    every = _bounded("cache", "verify")
    assert every.returncode == 1, every.stderr
    lines = every.stdout.splitlines()
    assert lines[0].startswith(f"{REPO}@{COMMIT[:12]}: ok") and lines[1:] == [
        f"{REPO}@{'f' * 12}: 1 corrupt (0 files, sizes and hashes against the cache)", "  not a snapshot folder"]


def test_a_problem_is_one_line_whatever_the_file_s_name(hub, hf_isolated):
    snapshot = Path(fetch(REPO, endpoint=hub.endpoint).path)
    os.mkfifo(snapshot / "x\n  config.json: ok")
    every = _bounded("cache", "verify")
    assert every.returncode == 1, every.stderr
    assert every.stdout.splitlines()[1:] == ["  'x\\n  config.json: ok': not a regular file but a FIFO (named pipe)"]


def test_hashing_opens_no_device():
    probe = ("from pathlib import Path\nfrom hubfork.hub.cache_check import file_digest\n"
             "try:\n    file_digest(Path('/dev/zero'), 'sha256')\nexcept OSError as exc:\n    print(exc.strerror)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout == "not a regular file but a character device\n", result.stderr


@pytest.mark.parametrize("ref", ["a FIFO", "a link to /dev/zero", "a path out of the cache"])
def test_a_ref_that_is_no_commit_names_no_snapshot(tmp_path, ref):
    # refs/<revision> is read to find a snapshot: it must neither block, nor run on, nor lead outside.
    import os

    from hubfork.hub.patterns import cached_snapshot

    storage = tmp_path / "models--org--m"
    (storage / "refs").mkdir(parents=True)
    (storage / "snapshots").mkdir()
    (tmp_path / "escape").mkdir()
    target = storage / "refs" / "main"
    if ref == "a FIFO":
        os.mkfifo(target)
    elif ref == "a link to /dev/zero":
        target.symlink_to("/dev/zero")
    else:
        target.write_text("../../escape")  # snapshots/../../escape is a folder, outside the repo
    assert cached_snapshot("org/m", "main", tmp_path) is None
