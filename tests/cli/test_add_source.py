"""``hubfork registry add-source`` through the real command line: the mapping it writes is what
``show``, ``search`` and ``pull`` then see, TensorFlow-free (the tripwire kills any process that
imports it)."""

from __future__ import annotations

import json

import pytest

from hubfork.registry import store
from tests.conftest import run_cli
from tests.fixtures.hub import REPO

SHIPPED = "google/bert_multi_cased_L-12_H-768_A-12/1"
MAPPED = "hubfork-test/user_mapped_bert/1"


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "home"
    monkeypatch.setenv("HUBFORK_HOME", str(folder))
    return folder


def test_add_source_then_show_and_search(home, tripwire):
    added = run_cli("registry", "add-source", SHIPPED, "org/bert@v1", pythonpath=[tripwire])
    assert added.returncode == 0, added.stderr
    card = home / "cards/google/models/bert_multi_cased_L-12_H-768_A-12/1.md"
    assert f"{SHIPPED} -> org/bert@v1 (replaces the shipped entry)" in added.stderr
    validated = run_cli("cards", "validate", str(home / "cards"), pythonpath=[tripwire])
    assert validated.returncode == 0 and validated.stdout == ""  # no errors, no warnings

    shown = run_cli("show", SHIPPED, "--json", pythonpath=[tripwire])
    assert shown.returncode == 0, shown.stderr
    entry = json.loads(shown.stdout)
    assert entry["sources"] == [{"repo_id": "org/bert", "revision": "v1"}]
    assert entry["registry"] == str(home / "registry.yaml")
    table = run_cli("show", SHIPPED, pythonpath=[tripwire])
    assert "org/bert@v1" in table.stdout and str(card) in table.stdout

    found = run_cli("search", "bert_multi", "--json", pythonpath=[tripwire])
    # Search finds the user's entry, with the source they added, in place of the shipped one.
    assert [(e["handle"], e["sources"]) for e in json.loads(found.stdout)["results"] if e["handle"] == SHIPPED] == [
        (SHIPPED, [{"repo_id": "org/bert", "revision": "v1"}])]
    only_shipped = run_cli("show", "tensorflow/bert_en_uncased_preprocess/1", "--json", pythonpath=[tripwire])
    assert json.loads(only_shipped.stdout)["registry"] == str(store.default_registry_path())

    explicit = run_cli("show", SHIPPED, "--json", "--registry", str(store.default_registry_path()))
    assert json.loads(explicit.stdout)["sources"] == []  # --registry FILE is that file alone


@pytest.mark.parametrize(("args", "says"), [
    (("google/bert", "org/bert"), "publisher/name/version"),
    ((SHIPPED, "not a repo"), "repo id org/name"),
    ((SHIPPED, "org/bert", "--endpoint", "nowhere"), "http(s) URL"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(home, args, says):
    result = run_cli("registry", "add-source", *args)
    assert result.returncode == 1
    assert result.stderr.startswith("hubfork: error: cannot map") and says in result.stderr
    assert not home.exists() or not any(p.is_file() for p in home.rglob("*"))


def test_pull_goes_through_the_users_mapping_with_endpoint(home, hf_isolated, local_hub, tripwire):
    added = run_cli("registry", "add-source", MAPPED, f"{REPO}@v1", "--endpoint", local_hub.endpoint,
                    pythonpath=[tripwire])
    assert added.returncode == 0, added.stderr
    pulled = run_cli("pull", f"https://tfhub.dev/{MAPPED}", "--json", pythonpath=[tripwire])
    assert pulled.returncode == 0, pulled.stderr
    data = json.loads(pulled.stdout)
    assert (data["repo_id"], data["revision"], data["commit"]) == (REPO, "v1", local_hub.commits["v1"])

    # A Kaggle URL the shipped registry knows, mapped and then pulled by that URL.
    kaggle = ("https://www.kaggle.com/models/tensorflow/bert/frameworks/tensorFlow2/variations/"
              "en-wwm-uncased-l-24-h-1024-a-16/versions/3")
    assert run_cli("registry", "add-source", kaggle, f"{REPO}@v2", "--endpoint", local_hub.endpoint).returncode == 0
    pulled = run_cli("pull", kaggle, "--json", pythonpath=[tripwire])
    assert json.loads(pulled.stdout)["commit"] == local_hub.commits["v2"], pulled.stderr


def test_pull_goes_through_the_users_mapping_on_hf_endpoint(home, hf_env, local_hub, tripwire):
    # No revision: version 1 of a TF Hub model is tag v1 on our hubs; then remapped to v2.
    assert run_cli("registry", "add-source", MAPPED, REPO, pythonpath=[tripwire]).returncode == 0
    first = json.loads(run_cli("pull", MAPPED, "--json", pythonpath=[tripwire]).stdout)
    assert first["commit"] == local_hub.commits["v1"]
    assert run_cli("registry", "add-source", MAPPED, f"{REPO}@v2", pythonpath=[tripwire]).returncode == 0
    second = run_cli("pull", f"https://tfhub.dev/{MAPPED}", "--json", pythonpath=[tripwire])
    assert json.loads(second.stdout)["commit"] == local_hub.commits["v2"]
