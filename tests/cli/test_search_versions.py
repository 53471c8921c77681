"""``hubfork search`` gives one result per model: ``--json`` lists each result's versions, newest first,
with its hint ("v4 · 3 older"); pages count results; filters apply to every version. On the shipped
catalogue, through the command's `main` in this process."""

from __future__ import annotations

import json

from tests.conftest import run_cli_here

BERT = "tensorflow/bert_en_uncased_L-12_H-768_A-12"


def search_json(*args: str) -> dict:
    result = run_cli_here("search", *args, "--json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_each_result_lists_its_versions_newest_first():
    found = search_json("bert", "uncased", "--per-page", "5")
    bert = next(r for r in found["results"] if r["handle"].startswith(BERT + "/"))
    assert bert["handle"] == f"{BERT}/4" and bert["version"] == 4
    assert bert["versions"] == [{"handle": f"{BERT}/{v}", "version": v} for v in (4, 3, 2, 1)]
    assert bert["versions_hint"] == "v4 · 3 older"
    # A mirror has no version: itself alone, no hint.
    mirror = search_json("Dimitre/bert_en_cased_L-12_H-768_A-12")["results"][0]
    assert mirror["versions"] == [{"handle": "Dimitre/bert_en_cased_L-12_H-768_A-12", "version": None}]
    assert mirror["versions_hint"] == ""


def test_pages_count_results_each_model_on_one_page():
    first = search_json("bert", "cased", "--per-page", "10")
    every = [r for page in range(1, first["pages"] + 1)
             for r in search_json("bert", "cased", "--per-page", "10", "--page", str(page))["results"]]
    assert len(every) == first["total"] and first["pages"] == -(-first["total"] // 10)
    models = [(r["handle"].rsplit("/", 1)[0] if r["version"] is not None else r["handle"], r["kind"]) for r in every]
    assert len(set(models)) == len(models)
    versions = [v["handle"] for r in every for v in r["versions"]]
    assert len(versions) > len(every) and len(set(versions)) == len(versions)


def test_filters_apply_to_every_version():
    # The Universal Sentence Encoder's versions 1 and 2 are TF1 Hub modules, 3 and 4 TF2 SavedModels.
    use = "google/universal-sentence-encoder"
    every = search_json(use, "--kind", "module")["results"][0]
    tf1 = search_json(use, "--kind", "module", "--format", "hub")["results"][0]
    assert [v["version"] for v in every["versions"]] == [4, 3, 2, 1] and every["versions_hint"] == "v4 · 3 older"
    assert (tf1["handle"], [v["version"] for v in tf1["versions"]]) == (f"{use}/2", [2, 1])
    assert tf1["versions_hint"] == "v2 · 1 older"
