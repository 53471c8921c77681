"""`hubfork publish --kaggle` / ``push_to_hub(..., kaggle=...)``: scan, card check, ``kagglehub.model_upload``
against the loopback Kaggle API emulator (`tests.fixtures.kaggle_emulator`), then the registry. Nothing is
mocked between hubfork, kagglehub, kagglesdk and requests; what Kaggle received is read back from the emulator.
``hubfork publish --kaggle`` runs in this process (`run_cli_here`): it is the command's output and exit
status under test, and test_publish runs ``hubfork publish`` as a fresh process."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from hubfork.cards.parser import parse_card
from hubfork.cards.records import Source
from hubfork.errors import InvalidNameError, PublishError
from hubfork.publishing.publish import push_to_hub
from hubfork.registry.registry import Registry
from tests.conftest import run_cli_here
from tests.fixtures.hub import sha256_tree
from tests.fixtures.kaggle_emulator import API_HOST, STORAGE_HOST

KAGGLE = "acme/tiny-enc/tensorFlow2/default"


@pytest.fixture
def target(tmp_path, hf_isolated, kaggle_emulator):
    """A registry of the test's own, and Kaggle credentials for the emulator."""
    registry = tmp_path / "reg"
    return {"cards": registry / "cards", "registry": registry / "registry.yaml"}


@pytest.fixture
def signed_in(monkeypatch):
    monkeypatch.setenv("KAGGLE_USERNAME", "acme")
    monkeypatch.setenv("KAGGLE_KEY", "acme-key")
    return "Basic " + base64.b64encode(b"acme:acme-key").decode()


def tree(files: dict[str, bytes]) -> dict[str, str]:
    import hashlib

    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def test_publish_uploads_files_and_card_and_records_the_version(generations, target, kaggle_emulator, signed_in):
    published = push_to_hub(generations["v3"], kaggle=KAGGLE, license="apache-2.0", kaggle_license="Apache 2.0",
                            run=False, **target)
    assert (published.handle, published.repo_id, published.version, published.revision, published.endpoint) == \
        ("acme/tiny-enc_default/1", KAGGLE, 1, "1", "kaggle")
    assert published.created_repo and published.changed
    uploaded = kaggle_emulator.instance(KAGGLE).versions[1]
    # The model's files byte for byte, and the checked card as README.md.
    assert {k: v for k, v in tree(uploaded).items() if k != "README.md"} == sha256_tree(generations["v3"])
    readme = uploaded["README.md"].decode()
    assert readme.startswith("# Module acme/tiny-enc_default/1")
    assert f"<!-- hub-repo: {KAGGLE} -->" in readme and "<!-- hub-endpoint: kaggle -->" in readme
    assert published.files == len(uploaded)
    # The upload as kagglehub makes it: the model created private, the variation with its license.
    [created] = kaggle_emulator.seen("CreateModel")
    assert (created.body["ownerSlug"], created.body["slug"], created.body["isPrivate"]) == ("acme", "tiny-enc", True)
    [instance] = kaggle_emulator.seen("CreateModelInstance")
    assert instance.body["body"]["licenseName"] == "Apache 2.0"
    assert instance.body["body"]["framework"] == "MODEL_FRAMEWORK_TENSOR_FLOW_2"
    # The key goes to the API only, never with the file bytes to the storage host.
    assert {r.authorization for r in kaggle_emulator.seen(host=API_HOST)} == {signed_in}
    puts = kaggle_emulator.seen(host=STORAGE_HOST, method="PUT")
    assert len(puts) == len(uploaded) and {r.authorization for r in puts} == {None}
    # The registry's card names the version Kaggle gave the upload.
    card = published.card.read_text()
    assert f"<!-- hub-repo: {KAGGLE}@1 -->" in card and "<!-- hub-endpoint: kaggle -->" in card
    entry = Registry.load_file(target["registry"]).get("acme/tiny-enc_default/1")
    assert [s.to_dict() for s in entry.sources] == [{"repo_id": KAGGLE, "revision": "1", "endpoint": "kaggle"}]


def test_publishing_again_makes_the_next_version(generations, target, kaggle_emulator, signed_in):
    push_to_hub(generations["v3"], kaggle=KAGGLE, run=False, **target)
    second = push_to_hub(generations["v2"], kaggle=KAGGLE, message="retrained", run=False, **target)
    assert (second.handle, second.version, second.created_repo) == ("acme/tiny-enc_default/2", 2, False)
    instance = kaggle_emulator.instance(KAGGLE)
    assert sorted(instance.versions) == [1, 2] and instance.version_notes[2] == "retrained"
    assert {k: v for k, v in tree(instance.versions[2]).items() if k != "README.md"} == sha256_tree(generations["v2"])
    # kagglehub tried to create the variation, was told it exists (409), and made a version instead.
    assert [r.rpc for r in kaggle_emulator.requests if r.rpc and r.rpc.startswith("Create")] == \
        ["CreateModel", "CreateModelInstance", "CreateModelInstance", "CreateModelInstanceVersion"]
    registry = Registry.load_file(target["registry"])
    assert registry.get("acme/tiny-enc_default/1").sources[0].revision == "1"
    assert registry.get("acme/tiny-enc_default/2").sources[0].revision == "2"


def test_refused_credentials_write_nothing(generations, target, kaggle_emulator):
    with pytest.raises(PublishError) as caught:
        push_to_hub(generations["v3"], kaggle=KAGGLE, run=False, **target)
    assert caught.value.step == "push"
    assert "HTTP 401" in str(caught.value) and "KAGGLE_USERNAME and KAGGLE_KEY" in str(caught.value)
    assert kaggle_emulator.instances == {}
    assert not target["registry"].exists() and not target["cards"].exists()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kaggle": "acme/tiny-enc/notaframework/default"}, InvalidNameError, "not a Kaggle framework"),
    ({"kaggle": f"{KAGGLE}/3"}, InvalidNameError, "numbers the versions"),
    ({"kaggle": "acme/tiny-enc/default"}, InvalidNameError, "owner/model/framework/variation"),
    ({"kaggle": "acme/../tensorFlow2/default"}, InvalidNameError, "letters, digits"),
    ({"kaggle": KAGGLE, "tag": "v1"}, PublishError, "a tag cannot be given"),
    ({"kaggle": KAGGLE, "repo_id": "acme/x"}, PublishError, "not both"),
    ({"kaggle": KAGGLE, "card_format": "huggingface"}, PublishError, "TF Hub-format card"),
])
def test_refused_calls_send_nothing_to_kaggle(generations, target, kaggle_emulator, signed_in, kwargs, error, match):
    with pytest.raises(error, match=match):
        push_to_hub(generations["v3"], run=False, **target, **kwargs)
    assert not [r for r in kaggle_emulator.requests if r.rpc != "GetModelInstance"]  # only looked, never wrote
    assert not target["registry"].exists()


CARD = """\
# Module acme/tiny-enc_default/1
A tiny encoder.

<!-- asset-path: legacy -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- task: text-embedding -->
<!-- hub-repo: {repo} -->
<!-- hub-endpoint: kaggle -->

## Overview

Tiny.
"""


@pytest.mark.parametrize("repo", [KAGGLE, f"{KAGGLE}@3", "Acme/Tiny.Enc/TensorFlow2/v_1@12"])
def test_a_kaggle_source_on_a_card_is_accepted(repo):
    card = parse_card("card.md", CARD.format(repo=repo))
    assert card.problems == []
    handle, _, version = repo.partition("@")
    assert card.sources == [Source(handle, version or None, "kaggle")]


@pytest.mark.parametrize("repo, match", [
    ("acme/tiny-enc", "owner/model/framework/variation"),
    (f"{KAGGLE}/3", "owner/model/framework/variation"),
    (f"{KAGGLE}@v3", "@version, a number from 1"),
    (f"{KAGGLE}@0", "@version, a number from 1"),
    ("acme/tiny-enc/caffe/default", "not a Kaggle framework"),
])
def test_a_bad_kaggle_source_is_one_error_line(repo, match):
    card = parse_card("card.md", CARD.format(repo=repo))
    [problem] = card.problems
    assert (problem.severity, problem.code, problem.line) == ("error", "hub-endpoint", 8)
    assert match in problem.message and "\n" not in problem.message


def test_the_cli_publishes_to_kaggle(generations, target, kaggle_emulator, signed_in):
    result = run_cli_here("publish", str(generations["v3"]), "--kaggle", KAGGLE, "--cards", str(target["cards"]),
                          "--registry", str(target["registry"]), "--kaggle-license", "Apache 2.0", "--no-run", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["repo_id"], out["version"], out["revision"], out["endpoint"]) == (KAGGLE, 1, "1", "kaggle")
    assert sorted(kaggle_emulator.instance(KAGGLE).versions) == [1]
    text = run_cli_here("publish", str(generations["v2"]), "--kaggle", KAGGLE, "--cards", str(target["cards"]),
                        "--registry", str(target["registry"]), "--no-run")
    assert text.returncode == 0, text.stderr
    assert f"{KAGGLE}/2" in text.stdout
    refused = run_cli_here("publish", str(generations["v3"]), "--kaggle", KAGGLE, "--hub", str(Path(target["cards"])))
    assert refused.returncode == 2 and "not allowed with argument" in refused.stderr
