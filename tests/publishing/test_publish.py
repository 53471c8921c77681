"""`hubfork publish` / `hubfork.push_to_hub`: convert -> card new -> publish to a local hub -> olah
serves it -> the model is found and loaded by its new handle, with the outputs of the folder it
came from. Real SavedModels, real git repos, olah on loopback; only huggingface.co is played by
the recording fake of `test_hf_push` (see there for what that leaves uncovered).

``hubfork publish`` runs as a fresh process (`run_cli`) in the CLI round trip's first publish of the
encoder and in the kill and two-at-once tests, which are about processes; the other commands run in
this process (`run_cli_here`): their output and exit status are the same, without a fresh Python
importing TensorFlow for each. ``card new`` and ``cards validate --model`` run as fresh processes in
test_card_cli."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from hubfork.errors import CardError, PublishError
from hubfork.hub.git import git, rev_parse
from hubfork.hub.local_hub import LocalHub
from hubfork.publishing.publish import default_handle, push_to_hub, registry_target
from hubfork.registry.registry import Registry
from tests.conftest import ROOT, run_cli, run_cli_here
from tests.fixtures.hub import sha256_tree

TEXTS = ["hello world", "the cat sat on the mat", "a dog"]
PREPROCESSOR = "acme/tiny_preprocess/1"


@pytest.fixture
def place(tmp_path, hf_isolated):
    """A local hub folder and a registry of the test's own (cards beside it)."""
    registry = tmp_path / "reg"
    return {"hub": tmp_path / "hub", "cards": registry / "cards", "registry": registry / "registry.yaml"}


def _where(place) -> list[str]:
    return ["--hub", str(place["hub"]), "--cards", str(place["cards"]), "--registry", str(place["registry"])]


def _publish_preprocessor(tiny_preprocessor, place) -> None:
    published = push_to_hub(tiny_preprocessor, "acme/tiny_preprocess", tag="v1", hub=place["hub"],
                            cards=place["cards"], registry=place["registry"])
    assert published.handle == PREPROCESSOR


def _reference(encoder: Path, preprocessor: Path):
    from hubfork.models.load import text_model_from_folders

    return text_model_from_folders(encoder, preprocessor)


def test_the_cli_round_trip_of_a_v3_encoder_and_its_preprocessor(generations, tiny_preprocessor, place, tmp_path):
    _publish_preprocessor(tiny_preprocessor, place)
    card = tmp_path / "encoder.md"
    written = run_cli_here("card", "new", str(generations["v3"]), "--handle", "acme/tiny_encoder/1",
                           "--preprocessor", PREPROCESSOR, "--license", "apache-2.0", "--language", "en", "-o",
                           str(card))
    assert written.returncode == 0, written.stderr
    published = run_cli("publish", str(generations["v3"]), "--repo-id", "acme/tiny_encoder", "--card", str(card),
                        "--tag", "v1", *_where(place), "--json")
    assert published.returncode == 0, published.stderr
    result = json.loads(published.stdout)
    assert (result["handle"], result["revision"], result["changed"]) == ("acme/tiny_encoder/1", "v1", True)
    assert result["endpoint"] == LocalHub(place["hub"]).url

    # The hub holds the model's files and the card as README.md, in one tagged commit.
    repo = LocalHub(place["hub"]).repo_path("acme/tiny_encoder")
    assert rev_parse(repo, "v1") == result["commit"] == rev_parse(repo, "main")
    files = set(git(repo, "ls-tree", "-r", "--name-only", "v1").split("\n"))
    assert files == set(sha256_tree(generations["v3"])) | {"README.md"}

    # Found at once by search and show, through the registry the publish rebuilt.
    found = run_cli_here("search", "tiny_encoder", "--registry", str(place["registry"]), "--json")
    assert [hit["handle"] for hit in json.loads(found.stdout)["results"]] == ["acme/tiny_encoder/1"]
    shown = run_cli_here("show", "acme/tiny_encoder/1", "--registry", str(place["registry"]), "--json")
    entry = json.loads(shown.stdout)
    assert (entry["preprocessor"], entry["api"], entry["casing"]) == (PREPROCESSOR, "dict", "uncased")
    assert entry["sources"] == [{"repo_id": "acme/tiny_encoder", "revision": "v1",
                                 "endpoint": LocalHub(place["hub"]).url}]

    # Pulled and loaded by the new handle (olah serves the folder hub for the download): the same outputs.
    from hubfork import load_text_model, pull_from_hub

    layer = pull_from_hub("acme/tiny_encoder/1", registry=place["registry"])
    reference = _reference(generations["v3"], tiny_preprocessor)
    packed = reference.preprocessor.pack(TEXTS, seq_length=16)
    np.testing.assert_array_equal(layer(packed)["pooled_output"].numpy(),
                                  reference.encoder(packed)["pooled_output"].numpy())
    model = load_text_model("acme/tiny_encoder/1", registry=place["registry"])
    assert model.preprocessor_source == "companion"
    np.testing.assert_array_equal(model.embed(TEXTS), reference.embed(TEXTS))

    # The same again: no new commit, the registry as it was.
    registry_bytes = place["registry"].read_bytes()
    again = run_cli_here("publish", str(generations["v3"]), "--repo-id", "acme/tiny_encoder", "--card", str(card),
                         "--tag", "v1", *_where(place), "--json")
    assert again.returncode == 0, again.stderr
    assert (json.loads(again.stdout)["changed"], json.loads(again.stdout)["commit"]) == (False, result["commit"])
    assert git(repo, "rev-list", "--count", "--all") == "1" and place["registry"].read_bytes() == registry_bytes


def test_the_python_round_trip_of_a_v4_encoder_with_mlm(generations, tiny_preprocessor, place):
    _publish_preprocessor(tiny_preprocessor, place)
    published = push_to_hub(generations["v4"], "acme/tiny_mlm", tag="v2", hub=place["hub"], cards=place["cards"],
                            registry=place["registry"], preprocessor=PREPROCESSOR)
    assert (published.handle, published.revision, published.changed) == ("acme/tiny_mlm/2", "v2", True)
    assert published.card == place["cards"] / "acme" / "models" / "tiny_mlm" / "2.md"
    entry = Registry.load_file(place["registry"]).get("acme/tiny_mlm/2")
    assert (entry.mlm, entry.api, entry.architecture.label) == (True, "dict", "L-2_H-32_A-2")

    from hubfork import load_text_model

    model = load_text_model("acme/tiny_mlm/2", registry=place["registry"])
    reference = _reference(generations["v4"], tiny_preprocessor)
    np.testing.assert_array_equal(model.embed(TEXTS), reference.embed(TEXTS))
    assert model.fill_mask("the cat [MASK] on the mat") == reference.fill_mask("the cat [MASK] on the mat")


def test_a_card_that_contradicts_the_model_is_refused_and_nothing_is_written(generations, place, tmp_path):
    card = tmp_path / "wrong.md"
    card.write_text("# Module acme/bert_en_uncased_L-12_H-768_A-12/1\nA BERT.\n\n<!-- asset-path: legacy -->\n"
                    "<!-- fine-tunable: true -->\n<!-- format: saved_model_2 -->\n<!-- task: text-embedding -->\n",
                    encoding="utf-8")
    with pytest.raises(CardError) as caught:
        push_to_hub(generations["v3"], "acme/wrong", card=card, hub=place["hub"], cards=place["cards"],
                    registry=place["registry"], run=False)
    assert f"{card}:1: error: card says L-12, the model has 2 layers" in str(caught.value)
    assert not LocalHub(place["hub"]).repo_path("acme/wrong").exists()
    assert not place["registry"].exists() and not place["cards"].exists()

    cli = run_cli_here("publish", str(generations["v3"]), "--repo-id", "acme/wrong", "--card", str(card),
                       "--no-run", *_where(place))
    assert cli.returncode == 1 and "card says H-768, the model has hidden size 32" in cli.stderr
    assert not place["registry"].exists()


def test_a_registry_that_cannot_be_rebuilt_takes_the_local_hub_back(generations, place):
    first = push_to_hub(generations["v3"], "acme/enc", tag="v1", hub=place["hub"], cards=place["cards"],
                        registry=place["registry"], run=False)
    repo = LocalHub(place["hub"]).repo_path("acme/enc")
    registry_bytes = place["registry"].read_bytes()
    broken = place["cards"] / "acme" / "models" / "broken" / "1.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("# Module acme/broken\n", encoding="utf-8")
    with pytest.raises(CardError, match="broken"):
        push_to_hub(generations["v2"], "acme/enc", tag="v2", hub=place["hub"], cards=place["cards"],
                    registry=place["registry"], run=False)
    assert rev_parse(repo, "main") == first.commit and rev_parse(repo, "v2") is None
    assert place["registry"].read_bytes() == registry_bytes
    with pytest.raises(CardError):
        push_to_hub(generations["v2"], "acme/new", hub=place["hub"], cards=place["cards"],
                    registry=place["registry"], run=False)
    assert not LocalHub(place["hub"]).repo_path("acme/new").exists()


def test_the_earlier_forks_call_saves_the_model_first(generations, place, tmp_path):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(generations["v3"]))
    published = push_to_hub(loaded, repo_id="acme/saved", folder_path=str(tmp_path / "saved"), path_in_repo="./",
                            token=None, hub=place["hub"], cards=place["cards"], registry=place["registry"],
                            run=False)
    assert (tmp_path / "saved" / "saved_model.pb").is_file() and published.handle == "acme/saved/1"
    with pytest.raises(PublishError, match="root of its repo"):
        push_to_hub(loaded, repo_id="acme/saved", folder_path=str(tmp_path / "x"), path_in_repo="sub/")
    with pytest.raises(PublishError, match="give folder_path"):
        push_to_hub(loaded, repo_id="acme/saved")


def test_the_endpoint_path_is_one_commit_of_the_files_and_the_card(generations, place, monkeypatch):
    """huggingface.co cannot be reached here: the recording fake of test_hf_push plays it."""
    from hubfork.publishing import hf_push
    from tests.publishing.test_hf_push import FakeHub

    hub = FakeHub("https://hub.example.org")
    monkeypatch.setattr(hf_push, "_make_api", lambda endpoint, token: hub)
    published = push_to_hub(generations["v3"], "acme/remote", tag="v1", endpoint="https://hub.example.org",
                            token="hf_x", cards=place["cards"], registry=place["registry"], run=False)
    assert hub.writes() == ["create_repo", "create_commit", "create_tag"]
    pushed = hub.files("acme/remote")
    assert set(pushed) - {".gitattributes"} == set(sha256_tree(generations["v3"])) | {"README.md"}
    assert b"<!-- hub-repo: acme/remote@v1 -->" in pushed["README.md"]
    assert b"<!-- hub-endpoint: https://hub.example.org -->" in pushed["README.md"]
    source = Registry.load_file(place["registry"]).get("acme/remote/1").sources[0]
    assert (source.repo_id, source.revision, source.endpoint) == ("acme/remote", "v1", "https://hub.example.org")
    assert published.changed and published.created_repo


def test_where_a_publish_records_its_card(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBFORK_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert registry_target() == registry_target(cards=tmp_path / "cards", registry=tmp_path / "registry.yaml")
    (tmp_path / "home").mkdir()
    assert registry_target().registry == tmp_path / "home" / "registry.yaml"
    assert registry_target(registry=tmp_path / "r" / "reg.yaml").cards == tmp_path / "r" / "cards"
    assert default_handle("org/name", "v3") == "org/name/3" and default_handle("org/name", None) == "org/name/1"


# ------------------------------------------------------------------ killed mid-way, and two at once


PUBLISH = [sys.executable, "-m", "hubfork", "publish", "--no-run"]


def _publish_command(model: Path, repo_id: str, tag: str, place) -> list[str]:
    return [*PUBLISH, str(model), "--repo-id", repo_id, "--tag", tag, *_where(place)]


def _state(place, repo_id: str, tag: str) -> tuple[str | None, str | None, set[str]]:
    repo = LocalHub(place["hub"]).repo_path(repo_id)
    handles = {e.handle for e in Registry.load_file(place["registry"])} if place["registry"].exists() else set()
    return rev_parse(repo, "main"), rev_parse(repo, tag), handles


#: Kill trials, one moment drawn in each of as many equal slices of [0.5, 1.05] x a publish's span: together
#: they reach from the checks to past the end of the writes, which the targeted kill at the tag write adds to.
KILL_SLICES = 4


def test_a_publish_killed_at_any_moment_leaves_hub_and_registry_whole(hub_models, place):
    started = time.monotonic()
    first = subprocess.run(_publish_command(hub_models.v1, "acme/enc", "v1", place), cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    span = time.monotonic() - started  # how long a publish runs here: the kills fall inside it
    repo = LocalHub(place["hub"]).repo_path("acme/enc")
    # A second entry the registry must keep through every kill; made in this process, as `--no-run` does.
    push_to_hub(hub_models.v2, "acme/other", tag="v2", hub=place["hub"], cards=place["cards"],
                registry=place["registry"], run=False)
    rng = random.Random(12)
    width = 0.55 * span / KILL_SLICES
    for trial, version in enumerate(range(2, 2 + KILL_SLICES)):
        # Each trial a new tag, so a new card and a real commit to push.
        before = rev_parse(repo, "main")
        process = subprocess.Popen(_publish_command((hub_models.v1, hub_models.v2)[version % 2], "acme/enc",
                                                    f"v{version}", place),
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Most of a publish is starting Python and TensorFlow and checking; the writes come last.
        time.sleep(0.5 * span + rng.uniform(trial * width, (trial + 1) * width))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        main, tag, handles = _state(place, "acme/enc", f"v{version}")
        # The hub: main is where it was, or one new commit that the tag names; git is whole.
        assert main == before or (tag == main and git(repo, "rev-parse", "main~1") == before)
        git(repo, "fsck", "--no-dangling")
        # The registry loads, keeps what it had, and names the new version only once the hub holds it.
        assert {"acme/enc/1", "acme/other/2"} <= handles
        assert f"acme/enc/{version}" not in handles or tag is not None
    # Killed the moment the hub holds the new commit, while the registry is being rebuilt.
    process = subprocess.Popen(_publish_command(hub_models.v1, "acme/enc", "v12", place), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tag_file = repo / ".git" / "refs" / "tags" / "v12"
    while not tag_file.exists() and process.poll() is None:
        time.sleep(0.001)  # a millisecond is well inside the registry's rebuild, and leaves the core to the publish
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    main, tag, handles = _state(place, "acme/enc", "v12")
    assert tag == main is not None and {"acme/enc/1", "acme/other/2"} <= handles
    # Running it again finishes the job without a commit of its own.
    finished = push_to_hub(hub_models.v1, "acme/enc", tag="v12", hub=place["hub"], cards=place["cards"],
                           registry=place["registry"], run=False)
    assert finished.commit == main
    assert _state(place, "acme/enc", "v12")[:2] == (main, main)
    assert "acme/enc/12" in _state(place, "acme/enc", "v12")[2]


def test_two_publishes_at_once_both_end_up_in_the_registry(hub_models, place):
    runs = [subprocess.Popen(_publish_command(model, repo_id, "v2", place), cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for model, repo_id in ((hub_models.v1, "acme/one"), (hub_models.v2, "acme/two"))]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    handles = {e.handle for e in Registry.load_file(place["registry"])}
    assert handles == {"acme/one/2", "acme/two/2"}


def test_converted_minilm_is_found_and_loaded_by_its_new_handle(embedded_hub, place, tmp_path):
    """The issue's own check: all-MiniLM-L6-v2, converted (the embedded hub's build), gets a card
    from ``card new``, passes ``cards validate --model``, is published to a local hub, found by
    ``search`` and loaded by its handle with the outputs of the converted folders."""
    encoder = embedded_hub.repo_path("hubfork/all-MiniLM-L6-v2")
    preprocessor = embedded_hub.repo_path("hubfork/all-MiniLM-L6-v2_preprocess")
    handles = {"acme/minilm_preprocess/1": preprocessor, "acme/minilm/1": encoder}
    for handle, folder in handles.items():
        card = tmp_path / f"{handle.split('/')[1]}.md"
        extra = ["--preprocessor", "acme/minilm_preprocess/1"] if folder == encoder else []
        written = run_cli_here("card", "new", str(folder), "--handle", handle, "--language", "en", "--license",
                               "apache-2.0", *extra, "-o", str(card))
        assert written.returncode == 0, written.stderr
        repo_id = handle.rsplit("/", 1)[0]
        published = run_cli_here("publish", str(folder), "--repo-id", repo_id, "--card", str(card), "--tag", "v1",
                                 *_where(place))
        assert published.returncode == 0, published.stderr
    validated = run_cli_here("cards", "validate", str(tmp_path / "minilm.md"), "--model", str(encoder),
                             "--registry", str(place["registry"]))
    assert validated.returncode == 0, validated.stdout + validated.stderr

    searched = run_cli_here("search", "minilm", "--registry", str(place["registry"]), "--json")
    found = json.loads(searched.stdout)["results"]
    assert [hit["handle"] for hit in found] == ["acme/minilm/1", "acme/minilm_preprocess/1"]
    assert found[0]["architecture"] == {"layers": 6, "hidden_size": 384, "heads": 12}
    embedded = run_cli_here("embed", "--model", "acme/minilm/1", "--registry", str(place["registry"]), "--json",
                            *TEXTS)
    assert embedded.returncode == 0, embedded.stderr
    vectors = np.array([row["embedding"] for row in json.loads(embedded.stdout)])
    np.testing.assert_allclose(vectors, _reference(encoder, preprocessor).embed(TEXTS), rtol=0, atol=1e-6)
