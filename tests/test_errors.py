"""hubfork.errors: one error tree, every error pickles whole (errors cross process pools)."""

from __future__ import annotations

import inspect
import pickle

import pytest

from hubfork import errors
from hubfork.cards.records import Problem
from hubfork.scanning.report import Finding, ScanReport

REPO = dict(repo_id="org/bert", revision="v1", endpoint="http://127.0.0.1:1")

# One instance of every error, built as hubfork builds it.
SAMPLES = [
    errors.HubforkError("plain"),
    errors.SettingError("HF_HOME", "must name a folder, but /x is a file", value="/x"),
    errors.SettingError("HF_TOKEN", "is no token"),
    errors.CardError([Problem("cards/a.md", 3, "missing metadata", "error", "missing-metadata")]),
    errors.RegistryError("unreadable", path="registry.yaml"),
    errors.RegistryNotFoundError("no registry", path="missing.yaml"),
    errors.RegistryFormatError("expected a mapping", path="registry.yaml", line=7),
    errors.SourceError("google/bert", "a TF Hub handle is publisher/name/version"),
    errors.EntryNotFoundError("google/bert/1", path="registry.yaml", suggestions=["google/bert/2"]),
    errors.ModelError("cannot build"),
    errors.ModelFormatError("model: no saved_model.pb"),
    errors.NoMaskedLMError("model", "v3"),
    errors.TextInputError("text 2 is not a string"),
    errors.CorpusError("corpus/*.txt: no file matches"),
    errors.UnreadableModelError("model", "saved_model.pb is not a SavedModel protobuf"),
    errors.UnsafeModelError("org/evil", path="/snap", report=ScanReport(
        "/snap", "ab" * 32, (Finding("ReadFile", "file-read", "__inference_f_3", "ReadFile", ("signature x", "f")),))),
    errors.HubError("hub failed"),
    errors.InvalidNameError("../x", "it could escape its folder"),
    errors.UnresolvedNameError("???", ["org/repo", "hf://org/repo"]),
    errors.NotInRegistryError("https://tfhub.dev/a/b/1", handle="a/b/1", registry="r.yaml", suggestions=["a/b/2"]),
    errors.ModelDeletedError("https://tfhub.dev/svampeatlas/vision/embedder/fungi_V2/1",
                             handle="svampeatlas/vision/embedder/fungi_V2/1", deleted="2024-03-18"),
    errors.NoSourceError("google/nnlm-en-dim128/2", selection="HUBFORK_SOURCES=mirrors",
                         available=["tfhub (https://tfhub.dev/google/nnlm-en-dim128/2)"]),
    errors.LocalModelNotFoundError("./m", "/abs/m"),
    errors.RepoNotFoundError("org/bert@v1", detail="404", **REPO),
    errors.HubUnreachableError("org/bert@v1", **REPO),
    errors.AccessDeniedError("google/gated/1", repo_id="google/gated/1", revision=None, endpoint="https://tfhub.dev",
                             detail="HTTP 403"),
    errors.RateLimitedError("google/x/1", repo_id="google/x/1", revision=None, endpoint="https://tfhub.dev",
                            detail="Retry-After: 100000"),
    errors.NotCachedError("org/bert", repo_id="org/bert", revision=None, cache_dir="/c", why="HF_HUB_OFFLINE=1"),
    errors.CorruptCacheError("org/bert", repo_id="org/bert", revision="v1", cache_dir="/c", why="HF_HUB_OFFLINE=1",
                             files=["saved_model.pb"], problems=["saved_model.pb: size 10, expected 4096"]),
    errors.NoMatchingFilesError("org/bert", repo_id="org/bert", filters="allow_patterns=['*.h5']"),
    errors.DownloadError("org/bert", repo_id="org/bert", endpoint="http://127.0.0.1:1", detail="500"),
    errors.HubUnreachableError("org/bert@v1", file="variables/variables.data-00000-of-00001", **REPO),
    errors.DownloadError("org/bert", repo_id="org/bert", endpoint="http://x", detail="short read", file="a.bin"),
    errors.HubReplyError("org/bert", repo_id="org/bert", endpoint="http://x", detail="its reply was refused: sha"),
    errors.ArchiveError("m.tar.gz", "a member would land outside its folder", member="../x"),
    errors.LocalHubError("not a hub", path="/hub"),
    errors.PublishError("tag 'v1' already names another commit", repo_id="org/model", step="tag"),
    errors.HubServerError("olah did not start", path="/hub", log="/hub/logs/serve.log", endpoint="http://x"),
    errors.NotTrainableError("org/tf1", path="/snap", reason="a TF1 module"),
]


def test_all_lists_every_error_class_once():
    defined = {name for name, value in vars(errors).items()
               if inspect.isclass(value) and issubclass(value, BaseException) and not name.startswith("_")}
    assert sorted(errors.__all__) == sorted(defined)
    assert len(errors.__all__) == len(set(errors.__all__))


def test_every_error_is_a_hubfork_error_and_has_a_sample():
    assert {type(e).__name__ for e in SAMPLES} == set(errors.__all__)
    assert all(isinstance(e, errors.HubforkError) for e in SAMPLES)


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_error_survives_pickle(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error) and copy.args == error.args
    assert vars(copy) == vars(error)
    with pytest.raises(type(error)):  # and can be raised again where it lands
        raise copy
