"""``hubfork search``, ``show`` and ``list`` on the shipped catalogue, as a user types them (through the
command's `main`, in this process; tests/cli/test_cli.py runs them in a fresh Python): facets, ranking,
pages, and what ``show`` tells of a model's versions, variants, collections and status."""

from __future__ import annotations

import json

import pytest

from hubfork.registry import store
from hubfork.registry.search import model_key
from tests.conftest import run_cli_here

USE = "google/universal-sentence-encoder"
#: Kinds of card that name no model files of their own.
NO_FILES = ("Collection", "Publisher", "Placeholder")


def table_handles(stdout: str) -> list[str]:
    """The first column of a rich table's rows."""
    return [line.split("│")[1].strip() for line in stdout.splitlines() if line.startswith("│")]


def search_json(*args: str) -> dict:
    result = run_cli_here("search", *args, "--json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_done_when_a_fresh_install_finds_and_shows_the_universal_sentence_encoder():
    # The isolated environment of every test is a fresh install's: no cache, no home, the default registry.
    found = run_cli_here("search", "universal-sentence-encoder")
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("results 1-20 of 23 for 'universal-sentence-encoder' (page 1 of 2; --page 2 ")
    listed = table_handles(found.stdout)
    assert listed[:2] == [f"{USE}/4", USE]  # the model by its newest version (its older ones in one row), then
    assert "Module v4 · 3 older" in found.stdout  # its collection
    assert f"{USE}-large/5" in listed + table_handles(run_cli_here("search", "universal-sentence-encoder",
                                                              "--page", "2").stdout)
    shown = run_cli_here("show", f"{USE}/4")
    assert shown.returncode == 0, shown.stderr
    lines = [" ".join(line.split()) for line in shown.stdout.splitlines()]
    assert lines[0] == f"{USE}/4"
    for fact in ["Kind Module", "Description Encoder of greater-than-word length text trained on a variety of data.",
                 "Publisher google", "Version 4", "Versions 4 (shown), 3, 2, 1", f"Collections {USE}",
                 "Format saved_model_2", "Tasks text-embedding", "Languages en", "Fine-tunable yes",
                 "network-architecture dan"]:
        assert fact in lines, fact
    assert any(line.startswith("Card ") and line.endswith("google/models/universal-sentence-encoder/4.md "
                                                          "(sha256 8e5492d02ebe…)") for line in lines)


def test_show_json_carries_versions_variants_collections_and_the_preprocessor():
    use = json.loads(run_cli_here("show", f"{USE}/2", "--json").stdout)
    assert [(v["handle"], v["shown"]) for v in use["versions"]] == [
        (f"{USE}/4", False), (f"{USE}/3", False), (f"{USE}/2", True), (f"{USE}/1", False)]
    assert (use["variants"], use["collections"], use["models"]) == ([], [USE], [])
    bert = json.loads(run_cli_here("show", "tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "--json").stdout)
    assert (bert["preprocessor"], bert["preprocessor_known"]) == ("tensorflow/bert_en_uncased_preprocess/3", True)
    ondevice = json.loads(run_cli_here("show", f"{USE}-qa-ondevice/1", "--json").stdout)
    assert ondevice["kind"] == "Placeholder"
    assert ondevice["variants"] == [{"handle": f"{USE}-qa-ondevice/1", "kind": "Lite"},
                                    {"handle": f"{USE}-qa-ondevice/1", "kind": "Tfjs"}]
    lite = run_cli_here("show", f"{USE}-qa-ondevice/1", "--kind", "LITE")
    assert " ".join(lite.stdout.splitlines()[1].split()) == "Kind Lite"


def test_show_of_a_collection_lists_its_models():
    result = run_cli_here("show", USE, "--kind", "collection")
    assert result.returncode == 0, result.stderr
    assert "11 models in google/universal-sentence-encoder" in result.stdout
    assert table_handles(result.stdout)[:3] == [f"{USE}/4", f"{USE}-large/5", f"{USE}-lite/2"]
    models = json.loads(run_cli_here("show", USE, "--kind", "collection", "--json").stdout)["models"]
    assert models[0] == {"member": USE, "handle": f"{USE}/4", "kind": "Module",
                         "description": "Encoder of greater-than-word length text trained on a variety of data."}
    # Without --kind the bare handle is the newest model, not the collection of the same name.
    assert json.loads(run_cli_here("show", USE, "--json").stdout)["handle"] == f"{USE}/4"


def test_show_marks_a_deleted_model_and_an_unknown_member(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(store.render({"format": 1, "cards": "cards", "entries": [
        {"handle": "acme/set", "kind": "Collection", "version": 1, "members": ["acme/gone", "acme/kept"]},
        {"handle": "acme/gone/1", "kind": "Module", "version": 1, "status": "deleted", "preprocessor": "acme/pre/1"},
        {"handle": "acme/kept/1", "kind": "Module", "version": 1, "status": "deleted",
         "sources": [{"repo_id": "org/kept"}]},
    ]}), encoding="utf-8")
    gone = [" ".join(line.split()) for line in run_cli_here("show", "acme/gone/1", "--registry", str(path)).stdout
            .splitlines()]
    assert "Status deleted 2024-03-18: tfhub.dev removed it; no mirror of it is known" in gone
    assert "Sources deleted 2024-03-18" in gone
    assert "Preprocessor acme/pre/1 (not in the registry)" in gone
    kept = [" ".join(line.split()) for line in run_cli_here("show", "acme/kept/1", "--registry", str(path)).stdout
            .splitlines()]
    assert "Status deleted 2024-03-18: tfhub.dev removed it; a mirror serves it (see its sources)" in kept
    assert "Sources deleted 2024-03-18, org/kept" in kept
    collection = run_cli_here("show", "acme/set", "--registry", str(path))
    rows = [" ".join(line.replace("│", " ").split()) for line in collection.stdout.splitlines() if "│" in line]
    assert rows == ["acme/gone/1 Module", "acme/kept/1 Module"]
    path.write_text(path.read_text().replace('"acme/kept"]', '"acme/nowhere"]'), encoding="utf-8")
    models = json.loads(run_cli_here("show", "acme/set", "--registry", str(path), "--json").stdout)["models"]
    assert models[1] == {"member": "acme/nowhere", "handle": None, "kind": None, "description": None}
    table = run_cli_here("show", "acme/set", "--registry", str(path)).stdout
    assert "acme/nowhere" in table and "(not in the registry)" in table
    found = run_cli_here("search", "acme", "--kind", "module", "--registry", str(path)).stdout
    assert [" ".join(line.replace("│", " ").split()) for line in found.splitlines() if "│" in line] == [
        "acme/gone/1 Module v1 (deleted) deleted", "acme/kept/1 Module v1 (deleted) mirror"]  # Kind, then Source


@pytest.mark.parametrize("args, check", [
    (["--publisher", "DEEPMIND"], lambda e: e["publisher"] == "deepmind"),
    (["--task", "embedding"], lambda e: any("embedding" in t for t in e["tasks"])),
    (["--kind", "LiTe"], lambda e: e["kind"] == "Lite"),
    (["--format", "tfjs"], lambda e: e["format"] == "tfjs"),
    (["--language", "English"], lambda e: "en" in e["languages"]),
    (["--architecture", "L-12_H-768_A-12"], lambda e: e["architecture"] == {"layers": 12, "hidden_size": 768,
                                                                            "heads": 12}),
    (["--fine-tunable"], lambda e: e["fine_tunable"] is True),
    (["--fine-tunable", "no"], lambda e: e["fine_tunable"] is False),
    (["--license", "MIT"], lambda e: e["license"] == "mit"),
    # A source: a mirror, or tfhub.dev (Kaggle Models) for every catalogue model it did not delete.
    (["--has-source"], lambda e: e["sources"] or (e["kind"] not in NO_FILES and e.get("status") != "deleted")),
    (["--has-source", "no"], lambda e: not e["sources"] and (e["kind"] in NO_FILES or e.get("status") == "deleted")),
])
def test_each_facet_narrows_the_results(args, check):
    entries = json.loads(run_cli_here("list", "--json").stdout)
    kept = [e for e in entries if check(e)]
    assert 0 < len(kept) < len(entries)
    narrowed = search_json(*args, "--per-page", "5000")
    # One result per model and kind, standing for every version the facet keeps.
    assert narrowed["total"] == len(narrowed["results"]) == len({(model_key(e["handle"]), e["kind"]) for e in kept})
    assert sorted(v["handle"] for r in narrowed["results"] for v in r["versions"]) == sorted(e["handle"] for e in kept)
    assert all(check(e) for e in narrowed["results"])


def test_facets_combine_and_arch_is_architecture():
    both = search_json("bert", "--arch", "12/768/12", "--has-source", "--per-page", "100")
    handles = [e["handle"] for e in both["results"]]
    assert (both["total"], handles[:2], handles[-1]) == (16, ["tensorflow/bert_en_uncased_L-12_H-768_A-12/4",
                                                               "tensorflow/bert_en_cased_L-12_H-768_A-12/4"],
                                                         "jeongukjae/klue_roberta_cased_L-12_H-768_A-12/1")
    # The official model before its mirror.
    assert handles.index("Dimitre/bert_en_cased_L-12_H-768_A-12") > 1
    assert both["filters"] == {"arch": "12/768/12", "has_source": True}
    assert search_json("bert", "--architecture", "12/768/12", "--has-source", "--per-page", "100") == both


@pytest.mark.slow
def test_pages_count_and_limit_is_per_page():
    # Pages count results: one per model and kind, its versions riding with it.
    first = search_json("bert")
    assert (first["total"], first["page"], first["per_page"], first["pages"], len(first["results"])) == \
        (177, 1, 20, 9, 20)
    last = search_json("bert", "--page", "9")
    assert len(last["results"]) == 17
    every = [(e["handle"], e["kind"]) for page in range(1, 10)
             for e in search_json("bert", "--page", str(page))["results"]]
    assert len(set(every)) == 177  # each result on one page (a model and its variants share a handle)
    assert search_json("bert", "--limit", "7") == search_json("bert", "--per-page", "7")
    table = run_cli_here("search", "bert", "--per-page", "100", "--page", "2")
    assert table.stdout.startswith("results 101-177 of 177 for 'bert' (page 2 of 2)")
    past = run_cli_here("search", "bert", "--page", "10")
    assert (past.returncode, past.stdout) == (1, "")
    assert past.stderr == "hubfork: error: page 10 is past the end: 177 results make 9 pages of 20\n"
    none = run_cli_here("search", "bert", "--kind", "coral")
    assert none.returncode == 1 and none.stdout.startswith("0 results for 'bert' --kind Coral among 2824 entries")


@pytest.mark.parametrize("args, message", [
    (["--fine-tunable", "maybe"], "argument --fine-tunable: expected yes or no, not 'maybe'"),
    (["--page", "0"], "argument --page: expected a whole number of at least 1, not '0'"),
    (["--kind", "gadget"], "argument --kind: unknown kind 'gadget'"),
])
def test_bad_facet_values_are_usage_errors(args, message):
    result = run_cli_here("search", "bert", *args)
    assert result.returncode == 2 and message in result.stderr


def test_show_lists_where_a_model_can_be_fetched():
    def fields(*args: str) -> list[str]:
        result = run_cli_here("show", *args)
        assert result.returncode == 0, result.stderr
        return [" ".join(line.split()) for line in result.stdout.splitlines()]

    assert "Sources tfhub.dev (served by Kaggle Models)" in fields(f"{USE}/4")
    assert "Sources tfhub.dev (served by Kaggle Models), Dimitre/bert_en_cased_L-12_H-768_A-12" in \
        fields("tensorflow/bert_en_cased_L-12_H-768_A-12/4")
    assert "Sources none: a Collection card names no model files of its own" in fields(USE, "--kind", "collection")
    deleted = fields("silero/silero-stt/en/1")
    assert "Status deleted 2024-03-18: tfhub.dev removed it; no mirror of it is known" in deleted
    assert "Sources deleted 2024-03-18" in deleted

    shown = json.loads(run_cli_here("show", "tensorflow/bert_en_cased_L-12_H-768_A-12/4", "--json").stdout)
    # "sources" keeps its registry meaning (the card's hub repos); where the model comes from is beside it.
    assert shown["sources"] == [{"repo_id": "Dimitre/bert_en_cased_L-12_H-768_A-12"}]
    assert (shown["sources_available"], shown["has_source"]) == (
        ["tfhub.dev (served by Kaggle Models)", "Dimitre/bert_en_cased_L-12_H-768_A-12"], True)
    gone = json.loads(run_cli_here("show", "silero/silero-stt/en/1", "--json").stdout)
    assert (gone["sources_available"], gone["has_source"], gone["status"]) == (
        ["deleted 2024-03-18"], False, "deleted")


def test_has_source_keeps_what_can_be_fetched_and_marks_the_deleted():
    # svampeatlas's own models were deleted; the one google published is served by tfhub.dev.
    served = search_json("svampeatlas", "--has-source")["results"]
    assert [(e["handle"], e["sources_available"]) for e in served] == [
        ("google/svampeatlas/vision/embedder/fungi_V1/1", ["tfhub.dev (served by Kaggle Models)"])]
    unserved = run_cli_here("search", "svampeatlas", "--has-source", "no")
    # Handle, Kind and Source of each row.
    rows = [" ".join(part.strip() for part in line.split("│")[1:4]) for line in unserved.stdout.splitlines()
            if "│" in line]
    # Each model once, by its newest version, its older ones counted in the Kind cell; a Module before its Lite.
    assert rows == ["svampeatlas Publisher none",
                    "svampeatlas/vision/classifier/fungi_mobile_V1/2 Module v2 · 1 older (deleted) deleted",
                    "svampeatlas/vision/embedder/fungi_V2/1 Module v1 (deleted) deleted",
                    "svampeatlas/vision/classifier/fungi_mobile_V1/1/default/1 Lite v1 (deleted) deleted"]


def test_show_and_search_tell_the_license_a_card_states():
    shown = run_cli_here("show", "hubfork/all-MiniLM-L6-v2/1")
    assert shown.returncode == 0, shown.stderr
    lines = [" ".join(line.split()) for line in shown.stdout.splitlines()]
    # The labels and texts of the table of facts (hubfork.cards.schema), as Jupyter and the site show them.
    for fact in ["License apache-2.0", "Architecture L-6_H-384_A-12 (6 layers, hidden size 384, 12 heads); transformer",
                 "API dict (TF2 SavedModel, dict outputs)", "Masked LM head no", "Fine-tunable yes"]:
        assert fact in lines, fact
    assert json.loads(run_cli_here("show", "hubfork/all-MiniLM-L6-v2/1", "--json").stdout)["license"] == "apache-2.0"
    found = search_json("--license", "Apache-2.0", "--per-page", "5000")
    assert found["filters"] == {"license": "Apache-2.0"}
    assert "hubfork/all-MiniLM-L6-v2/1" in [e["handle"] for e in found["results"]]
    assert {e["license"] for e in found["results"]} == {"apache-2.0"}
    table = run_cli_here("search", "minilm", "--license", "apache-2.0")
    assert table.stdout.startswith("results 1-") and "--license apache-2.0" in table.stdout.splitlines()[0]


# --------------------------------------------------------------------------- availability at a glance

BERT = "tensorflow/bert_en_cased_L-12_H-768_A-12/4"
DELETED = "silero/silero-stt/en/1"


def lines_of(*args: str) -> list[str]:
    result = run_cli_here(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def use_section(lines: list[str]) -> list[str]:
    """What ``show`` prints after its table of fields: the lines to copy under their heading, if any."""
    headings = [i for i, line in enumerate(lines) if line in ("Use it", "Add a source")]
    return lines[headings[0]:] if headings else []


@pytest.mark.parametrize("handle, kind, word", [(BERT, "Module", "tfhub.dev"),
                                                ("Dimitre/bert_en_cased_L-12_H-768_A-12", "Model", "mirror"),
                                                (DELETED, "Module", "deleted"), (USE, "Collection", "none")])
def test_json_says_in_one_word_where_a_model_comes_from(handle, kind, word):
    shown = json.loads(run_cli_here("show", handle, "--kind", kind, "--json").stdout)
    assert (shown["handle"], shown["source"], shown["has_source"]) == (handle, word, word in ("tfhub.dev", "mirror"))
    listed = {(e["handle"], e["kind"]): e["source"] for e in json.loads(run_cli_here("list", "--json").stdout)}
    assert listed[(handle, kind)] == word
    found = search_json(handle.split("/")[-2] if handle.count("/") > 1 else handle, "--per-page", "5000")["results"]
    assert {e["source"] for e in found if e["handle"] == handle and e["kind"] == shown["kind"]} == {word}


def test_search_has_source_agrees_with_the_source_words():
    served = search_json("mobilenet", "--has-source", "--per-page", "5000")["results"]
    unserved = search_json("fungi", "--has-source", "no", "--per-page", "5000")["results"]
    assert served and {e["source"] for e in served} <= {"tfhub.dev", "mirror"}
    assert unserved and {e["source"] for e in unserved} <= {"deleted", "none"} and "deleted" in \
        {e["source"] for e in unserved}


def test_show_prints_the_lines_to_use_a_model_some_source_serves():
    section = use_section(lines_of("show", BERT))
    assert section[:3] == ["Use it", "  Download it", f"    hubfork pull https://tfhub.dev/{BERT}"]
    assert f'    model = hubfork.load_text_model("{BERT}")' in section
    assert f'    layer = hub.KerasLayer("https://tfhub.dev/{BERT}")' in section
    assert "add-source" not in "\n".join(lines_of("show", BERT))


def test_show_of_a_model_no_source_serves_says_how_to_add_one_and_that_line_works(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBFORK_HOME", str(tmp_path / "home"))
    section = use_section(lines_of("show", DELETED))
    assert section == ["Add a source", "  No source is known: if a hub repo holds a copy, record it",
                       f"    hubfork registry add-source {DELETED} org/repo@rev"]
    assert "hubfork pull" not in "\n".join(lines_of("show", DELETED))
    # The line as printed, run as it is: the model then has a source, and show offers to pull it.
    added = run_cli_here(*section[-1].split()[1:])
    assert added.returncode == 0, added.stderr
    shown = json.loads(run_cli_here("show", DELETED, "--json").stdout)
    assert (shown["source"], shown["has_source"], shown["sources"]) == (
        "mirror", True, [{"repo_id": "org/repo", "revision": "rev"}])
    assert use_section(lines_of("show", DELETED))[:3] == [
        "Use it", "  Download it", f"    hubfork pull https://tfhub.dev/{DELETED}"]


@pytest.mark.parametrize("args", [[USE, "--kind", "collection"], ["google"]])
def test_show_of_a_collection_or_publisher_says_nothing_about_fetching(args):
    shown = "\n".join(lines_of("show", *args))
    assert use_section(shown.splitlines()) == [] and "hubfork pull" not in shown and "add-source" not in shown


def test_a_kind_note_goes_beside_the_kind(capsys, monkeypatch):
    from hubfork.cli.browse import _print_entries
    from hubfork.registry.registry import Registry
    from tests.conftest import ROOT

    registry = Registry.load_file(ROOT / "registry.yaml")
    monkeypatch.setenv("COLUMNS", "200")
    _print_entries([registry.get(BERT), registry.get(DELETED)], "two", kind_note=lambda e: f"v{e.version} · 3 older")
    rows = [[part.strip() for part in line.split("│")[1:4]] for line in capsys.readouterr().out.splitlines()
            if line.startswith("│")]
    assert rows == [[BERT, "Module v4 · 3 older", "tfhub.dev"], [DELETED, "Module v1 · 3 older (deleted)", "deleted"]]
