"""The resolver chain: every form of name, what it resolves to, and what is refused.
No server and no TensorFlow: resolving reads only the name and the registry."""

from __future__ import annotations

import tarfile

import pytest

from hubfork.errors import (
    InvalidNameError,
    LocalModelNotFoundError,
    UnresolvedNameError,
)
from hubfork.hub import ResolvedName, Resolver, ResolverChain, default_resolvers, resolve, settings
from tests.fixtures.hub import HANDLE, KAGGLE, REPO, TF1_HANDLE, TF1_REPO


@pytest.mark.parametrize("name, form, repo_id, revision, endpoint", [
    ("org/repo", "repo-id", "org/repo", None, None),
    ("org/repo@v1", "repo-id", "org/repo", "v1", None),
    ("Org-1/my_model.v2@refs/pr/3", "repo-id", "Org-1/my_model.v2", "refs/pr/3", None),
    ("hf://org/repo", "hf-uri", "org/repo", None, None),
    ("hf://org/repo@0123456789abcdef0123456789abcdef01234567", "hf-uri", "org/repo",
     "0123456789abcdef0123456789abcdef01234567", None),
    ("hf://models/org/repo@main", "hf-uri", "org/repo", "main", None),
    # huggingface.co itself: the configured endpoint (HF_ENDPOINT may send it to a mirror)
    ("https://huggingface.co/org/repo", "hub-url", "org/repo", None, None),
    ("https://huggingface.co/org/repo/tree/v2", "hub-url", "org/repo", "v2", None),
    ("https://hf.co/org/repo/blob/v1/saved_model.pb", "hub-url", "org/repo", "v1", None),
    # any other host is a mirror, and becomes the endpoint
    ("https://hf-mirror.com/org/repo", "hub-url", "org/repo", None, "https://hf-mirror.com"),
    ("http://127.0.0.1:18090/org/repo/tree/refs%2Fpr%2F1", "hub-url", "org/repo", "refs/pr/1",
     "http://127.0.0.1:18090"),
])
def test_hub_forms(name, form, repo_id, revision, endpoint):
    resolved = resolve(name)
    assert (resolved.form, resolved.kind, resolved.repo_id, resolved.revision, resolved.endpoint) == \
        (form, "repo", repo_id, revision, endpoint)
    assert resolved.pinned is (revision is not None)


@pytest.mark.parametrize("name, repo_id, revision, handle", [
    (f"{HANDLE}/1", REPO, "v1", f"{HANDLE}/1"),          # the card's hub-repo gives @v1
    (f"{HANDLE}/2", REPO, "v2", f"{HANDLE}/2"),          # no revision on the card: the tag v{N}
    (HANDLE.upper().replace("HUBFORK-TEST", "hubfork-test") + "/1", REPO, "v1", f"{HANDLE}/1"),
    (TF1_HANDLE, TF1_REPO, "v1", TF1_HANDLE),
    (f"https://tfhub.dev/{HANDLE}/1", REPO, "v1", f"{HANDLE}/1"),
    (f"https://tfhub.dev/{HANDLE}/2?tf-hub-format=compressed", REPO, "v2", f"{HANDLE}/2"),
    (f"https://tfhub.dev/{HANDLE}", REPO, "v2", f"{HANDLE}/2"),  # no version: the newest
    (KAGGLE.format(version=1), REPO, "v1", f"{HANDLE}/1"),
    (KAGGLE.format(version=2), REPO, "v2", f"{HANDLE}/2"),
])
def test_registry_forms(hub_registry, name, repo_id, revision, handle):
    resolved = resolve(name, registry=hub_registry)
    assert (resolved.kind, resolved.repo_id, resolved.revision, resolved.handle) == ("repo", repo_id, revision, handle)
    assert resolved.origin == "user"  # a registry the user chose: their own mapping, tried first
    assert not resolved.pinned  # an explicit revision= may still override the registry's
    # Then the model's official home, where tensorflow_hub would have fetched it.
    official = resolved.fallbacks[-1]
    assert (official.kind, official.origin, official.handle) == ("compressed", "official", handle)
    if "kaggle.com" in name:  # the Kaggle page itself, on the Kaggle endpoint
        assert official.url == settings.kaggle_endpoint() + name.split("kaggle.com", 1)[1]
    else:
        assert official.url.lower() == f"{settings.tfhub_endpoint()}/{handle}".lower()  # the case as written


def test_registry_comes_from_hubfork_registry_env(hub_registry, monkeypatch):
    monkeypatch.setenv("HUBFORK_REGISTRY", str(hub_registry))
    assert resolve(f"https://tfhub.dev/{HANDLE}/1").repo_id == REPO


@pytest.mark.parametrize("name, url", [
    ("hubfork-test/unknown_model/1", "{tfhub}/hubfork-test/unknown_model/1"),
    (f"https://tfhub.dev/{HANDLE}/9", f"{{tfhub}}/{HANDLE}/9"),
    ("https://tfhub.dev/google/bert_multi_cased_L-12_H-768_A-12/1",
     "{tfhub}/google/bert_multi_cased_L-12_H-768_A-12/1"),
    ("hubfork-test/no_source_model/1", "{tfhub}/hubfork-test/no_source_model/1"),
    (KAGGLE.format(version=7), "{kaggle}/" + KAGGLE.format(version=7).split("/", 3)[3]),
    ("https://www.kaggle.com/models/google/nnlm/TensorFlow2/en-dim128/2",
     "{kaggle}/models/google/nnlm/TensorFlow2/en-dim128/2"),
])
def test_names_the_registry_cannot_place_go_to_their_official_home(hub_registry, name, url, monkeypatch):
    monkeypatch.setenv("HUBFORK_TFHUB_ENDPOINT", "https://tfhub.example/")
    monkeypatch.setenv("HUBFORK_KAGGLE_ENDPOINT", "http://127.0.0.2:8")
    resolved = resolve(name, registry=hub_registry)
    assert (resolved.kind, resolved.origin, resolved.fallbacks) == ("compressed", "official", ())
    assert resolved.url == url.format(tfhub="https://tfhub.example", kaggle="http://127.0.0.2:8")
    assert resolved.name == name


def test_tfhub_and_kaggle_names_in_every_form(monkeypatch):
    monkeypatch.delenv("HUBFORK_TFHUB_ENDPOINT")
    monkeypatch.delenv("HUBFORK_KAGGLE_ENDPOINT")
    handle = "google/nnlm-en-dim128/2"
    for name in (f"https://tfhub.dev/{handle}", handle, f"https://tfhub.dev/{handle}?tf-hub-format=compressed"):
        resolved = resolve(name)
        assert (resolved.kind, resolved.url, resolved.handle) == ("compressed", f"https://tfhub.dev/{handle}", handle)
    for name in ("https://www.kaggle.com/models/google/nnlm/TensorFlow2/en-dim128/2",
                 "https://www.kaggle.com/models/google/nnlm/frameworks/TensorFlow2/variations/en-dim128/versions/2"):
        resolved = resolve(name)
        assert (resolved.kind, resolved.url, resolved.handle, resolved.kaggle) == (
            "compressed", name, handle, "google/nnlm/TensorFlow2/en-dim128/2")  # the catalogue entry it matches
    kaggle = resolve("google/nnlm/tensorFlow2/en-dim128/2")
    assert (kaggle.kind, kaggle.kaggle, kaggle.handle, kaggle.form) == (
        "kaggle", "google/nnlm/tensorFlow2/en-dim128/2", handle, "kaggle-handle")
    assert resolve("google/nnlm/tensorFlow2/en-dim128").kaggle == "google/nnlm/tensorFlow2/en-dim128"
    # Five parts whose third is no Kaggle framework: a TF Hub handle (tfhub.dev has many of those).
    assert resolve("google/imagenet/mobilenet_v2_100_224/classification/5").kind == "compressed"
    lite = resolve("https://tfhub.dev/google/lite-model/aiy/vision/classifier/birds_V1/3")
    assert (lite.variant, lite.handle, lite.url) == (
        "lite", "google/aiy/vision/classifier/birds_V1/3",
        "https://tfhub.dev/google/lite-model/aiy/vision/classifier/birds_V1/3")
    china = resolve(f"https://hub.tensorflow.google.cn/{handle}")
    assert china.url == f"https://gcs.tensorflow.google.cn/tfhub-modules/{handle}.tar.gz"  # as tensorflow_hub reads it
    archive = resolve("https://example.com/models/bert?tf-hub-format=compressed")
    assert (archive.kind, archive.form, archive.url) == (
        "compressed", "compressed-url", "https://example.com/models/bert?tf-hub-format=compressed")


def test_the_shipped_mirrors_come_after_the_official_home(monkeypatch):
    monkeypatch.delenv("HUBFORK_TFHUB_ENDPOINT")
    resolved = resolve("tensorflow/bert_en_cased_L-12_H-768_A-12/4")
    assert [(p.kind, p.origin, p.where) for p in resolved.candidates()] == [
        ("compressed", "official", "https://tfhub.dev/tensorflow/bert_en_cased_L-12_H-768_A-12/4"),
        ("repo", "mirror", "Dimitre/bert_en_cased_L-12_H-768_A-12@v4")]


def test_a_deleted_model_says_when(monkeypatch):
    from hubfork.errors import ModelDeletedError

    for name in ("svampeatlas/vision/embedder/fungi_V2/1", "https://tfhub.dev/svampeatlas/vision/embedder/fungi_V2/1"):
        with pytest.raises(ModelDeletedError, match="deleted svampeatlas/vision/embedder/fungi_V2/1 on 2024-03-18"):
            resolve(name)


def test_a_bad_endpoint_variable_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("HUBFORK_TFHUB_ENDPOINT", "ftp://example.com")
    with pytest.raises(InvalidNameError, match="HUBFORK_TFHUB_ENDPOINT must be an http"):
        resolve("google/nnlm-en-dim128/2")


def test_registry_is_loaded_only_for_registry_forms(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    assert resolve("org/repo", registry=missing).repo_id == "org/repo"  # never loaded


def test_local_forms(tmp_path, monkeypatch):
    model = tmp_path / "my model"
    model.mkdir()
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz"):
        pass
    assert resolve(str(model)) == ResolvedName(str(model), "local-folder", "folder", path=model)
    assert resolve(model.as_uri()).path == model and resolve(model.as_uri()).form == "file-url"
    assert resolve(f"file://localhost{model}").path == model
    assert resolve(str(archive)).kind == "archive" and resolve(archive.as_uri()).path == archive
    monkeypatch.chdir(tmp_path)
    assert resolve("./my model").path == model
    (tmp_path / "org" / "repo").mkdir(parents=True)
    # An existing folder named like a repo id is that folder, as in tensorflow_hub and transformers.
    assert resolve("org/repo").kind == "folder"
    assert resolve("model.tar.gz").kind == "archive"


@pytest.mark.parametrize("make_name, says", [
    (lambda p: str(p / "absent"), "no such folder"),
    (lambda p: (p / "absent").as_uri(), "no such folder"),
    (lambda p: str(p / "absent.tar.gz"), "no such archive"),
    (lambda p: str(p / "file.txt"), "is a file, not a model folder"),
])
def test_missing_local_models(tmp_path, make_name, says):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(LocalModelNotFoundError, match=says):
        resolve(make_name(tmp_path))


@pytest.mark.parametrize("name", [
    "org/../etc",
    "../../etc/passwd/x/1".replace("../../", "org/../../"),
    "org/repo@../../refs",
    "org/repo@v1/../../x",
    "org/repo@-rf",
    "org/..",
    "../org/repo@v1".replace("../", "x/../"),
    "hf://../../etc/passwd",
    "hf:///etc/passwd",
    "hf://org//repo",
    "hf://datasets/org/data",
    "https://huggingface.co/org/../../etc/passwd",
    "https://huggingface.co/org/%2E%2E/x",
    "https://huggingface.co/org/repo/tree/..%2F..%2Fx",
    "https://tfhub.dev/google/../../x/1",
    "https://www.kaggle.com/models/google/../frameworks/tf2/variations/x/versions/1",
    "org--x/repo",
    "org/re--po",
    "org/re$po",
    "org/re po",
    "org/repo\\x",
    "org\\repo",
    "org/repo\x00",
    "org/" + "a" * 97,
    "org/repo.git",
    "a/../1",
    "file://evil.example/etc",
    "",
    "   ",
])
def test_escaping_and_odd_names_are_refused(name):
    with pytest.raises(InvalidNameError) as caught:
        resolve(name)
    assert caught.value.name.strip() == name.strip() or "\x00" in name
    assert "refusing model name" in str(caught.value)


@pytest.mark.parametrize("name", ["bert", "a/b/c", "ftp://host/org/repo", "org@v1", "publisher/name/version"])
def test_unknown_names_list_every_form_tried(name):
    chain = ResolverChain(default_resolvers())
    with pytest.raises(UnresolvedNameError) as caught:
        chain(name)
    assert caught.value.forms == chain.forms and len(chain.forms) == 11
    for form in chain.forms:
        assert form in str(caught.value)


def test_a_new_form_is_one_small_class():
    class ShortResolver(Resolver):
        id = "short"
        form = "short:NAME, a repo of the acme org"

        def is_supported(self, name: str) -> bool:
            return name.startswith("short:")

        def __call__(self, name: str) -> ResolvedName:
            return resolve(f"acme/{name[len('short:'):]}")

    chain = ResolverChain([ShortResolver(), *default_resolvers()])
    assert chain("short:bert@v3").repo_id == "acme/bert"
    assert chain.forms[0] == ShortResolver.form
    with pytest.raises(UnresolvedNameError, match="short:NAME"):
        chain("nothing")
