"""The usage lines an entry's page offers to copy, by kind, family and availability, and that they work as
written: the command parses as ``hubfork pull NAME`` with NAME naming the entry, the Python compiles and
calls only what hubfork exports, ``hubfork.install()`` before tensorflow_hub; nothing is offered that no
source could serve."""

from __future__ import annotations

import ast
import shlex
from dataclasses import replace

import pytest

import hubfork
from hubfork.cards.records import Source
from hubfork.cli.main import build_parser
from hubfork.cli.pull_cmd import run_pull
from hubfork.handles import tfhub_url_to_handle
from hubfork.hub.resolvers import TfhubUrlResolver
from hubfork.registry.availability import has_source
from hubfork.site.facts import fact_rows
from hubfork.site.usage import ADD_A_SOURCE, USE_IT, Snippet, snippets, tfhub_url, use_lines

BIRDS = "google/aiy/vision/classifier/birds_V1/1"


def entry_of(registry, handle, kind):
    return next(e for e in registry if e.handle == handle and e.kind == kind)


def check_works_as_written(entry, registry) -> None:
    """Each snippet of `entry` does what it says, as far as can be told without fetching."""
    for snippet in snippets(entry):
        if snippet.code.startswith("hubfork pull "):
            args = build_parser().parse_args(shlex.split(snippet.code)[1:])
            assert args.func is run_pull
            url = tfhub_url(entry)
            if url is not None:
                # The tfhub.dev URL users have in their code: hubfork takes it, and it names this entry.
                assert args.name == url and TfhubUrlResolver(registry=registry).is_supported(args.name)
                assert tfhub_url_to_handle(args.name) == entry.handle
            else:
                assert registry.get(args.name).handle == entry.handle
            continue
        tree = ast.parse(snippet.code)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        hubfork_calls = [c.func.attr for c in calls if isinstance(c.func, ast.Attribute)
                         and isinstance(c.func.value, ast.Name) and c.func.value.id == "hubfork"]
        assert hubfork_calls and all(name in hubfork.__all__ for name in hubfork_calls), hubfork_calls
        hub_lines = [c.lineno for c in calls if isinstance(c.func, ast.Attribute)
                     and isinstance(c.func.value, ast.Name) and c.func.value.id == "hub"]
        if hub_lines:
            install = next(c.lineno for c in calls if getattr(c.func, "attr", None) == "install")
            assert install < min(hub_lines)  # tensorflow_hub reaches hubfork only once it is installed
            assert {c.args[0].value for c in calls if c.lineno in hub_lines} == {tfhub_url(entry)}


def test_a_bert_encoder_gets_pull_text_model_and_tensorflow_hub(small_registry):
    bert = entry_of(small_registry, "tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "Module")
    found = snippets(bert)
    assert [s.title for s in found] == ["Download it", "Load it as a text model", "Load it with tensorflow_hub"]
    assert found[0].code == "hubfork pull https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4"
    assert 'hubfork.load_text_model("tensorflow/bert_en_uncased_L-12_H-768_A-12/4")' in found[1].code
    assert 'hub.KerasLayer("https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4")' in found[2].code
    assert 'hub.load("https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4")' in found[2].code
    assert "hubfork.install()" in found[2].code


def test_a_variant_is_pulled_by_its_tfhub_url_and_groups_get_nothing(small_registry):
    # The small registry's one Lite variant is of a deleted model: as tfhub.dev still serves other variants.
    lite = replace(entry_of(small_registry, BIRDS, "Lite"), status=None)
    assert tfhub_url(lite) == "https://tfhub.dev/google/lite-model/aiy/vision/classifier/birds_V1/1"
    assert [s.code for s in snippets(lite)] == ["hubfork pull https://tfhub.dev/google/lite-model/aiy/vision/"
                                                "classifier/birds_V1/1"]
    assert snippets(entry_of(small_registry, "google/universal-sentence-encoder", "Collection")) == []
    assert snippets(entry_of(small_registry, "google", "Publisher")) == []
    placeholder = replace(entry_of(small_registry, "google/universal-sentence-encoder/4", "Module"), kind="Placeholder")
    assert snippets(placeholder) == []


def test_a_hugging_face_model_is_pulled_by_its_repo_id(small_registry):
    hf = entry_of(small_registry, "Dimitre/bert_en_cased_L-12_H-768_A-12", "Model")
    assert tfhub_url(hf) is None
    assert [s.title for s in snippets(hf)] == ["Download it", "Load it as a text model"]
    assert snippets(hf)[0].code == "hubfork pull Dimitre/bert_en_cased_L-12_H-768_A-12"


def test_a_deleted_model_gets_lines_only_when_a_mirror_serves_it(small_registry):
    birds = entry_of(small_registry, BIRDS, "Module")
    assert snippets(birds) == [] and snippets(entry_of(small_registry, BIRDS, "Lite")) == []
    mirrored = replace(birds, sources=(Source("acme/birds_V1", "v1"),))
    assert [s.code.splitlines()[0] for s in snippets(mirrored)] == [
        f"hubfork pull https://tfhub.dev/{BIRDS}", "import hubfork"]


@pytest.mark.parametrize("mirror", [False, True])
def test_every_line_offered_works_as_written(small_registry, mirror):
    offered = 0
    for entry in small_registry:
        if mirror:  # the same entries as a user's registry that maps each to a mirror would hold them
            entry = replace(entry, sources=entry.sources or (Source(f"mirror/{entry.handle.replace('/', '_')}"),))
        assert bool(snippets(entry)) == (has_source(entry) and entry.kind not in
                                         ("Collection", "Publisher", "Placeholder")), entry.handle
        check_works_as_written(entry, small_registry)
        offered += len(snippets(entry))
    assert offered == (20 if mirror else 17)  # with mirrors: the deleted model and its Lite variant too


def test_facts_of_a_deleted_model(small_registry):
    birds = entry_of(small_registry, BIRDS, "Module")
    rows = dict(fact_rows(birds))
    assert rows["Status"] == "deleted 2024-03-18: tfhub.dev removed it; no mirror of it is known"
    assert rows["Kind"] == "Module" and rows["Version"] == "1"
    mirrored = dict(fact_rows(replace(birds, sources=(Source("acme/birds_V1"),))))
    assert mirrored["Status"] == "deleted 2024-03-18: tfhub.dev removed it; a mirror serves it (see its sources)"
    use = entry_of(small_registry, "google/universal-sentence-encoder/4", "Module")
    assert dict(fact_rows(use))["Architecture"] == "dan" and "Status" not in dict(fact_rows(use))


def test_use_lines_say_how_to_add_a_source_to_a_model_none_serves(small_registry):
    birds = entry_of(small_registry, BIRDS, "Module")
    assert use_lines(birds) == (ADD_A_SOURCE, [Snippet("No source is known: if a hub repo holds a copy, record it",
                                                       f"hubfork registry add-source {BIRDS} org/repo@rev")])
    # The command maps a model by its handle: not a variant of it, nor a card that names no files.
    assert use_lines(entry_of(small_registry, BIRDS, "Lite")) == (USE_IT, [])
    assert use_lines(entry_of(small_registry, "google/universal-sentence-encoder", "Collection")) == (USE_IT, [])
    assert use_lines(entry_of(small_registry, "google", "Publisher")) == (USE_IT, [])
    bert = entry_of(small_registry, "tensorflow/bert_en_uncased_L-12_H-768_A-12/4", "Module")
    assert use_lines(bert) == (USE_IT, snippets(bert)) and snippets(bert)
    mirrored = replace(birds, sources=(Source("acme/birds_V1", "v1"),))
    assert use_lines(mirrored) == (USE_IT, snippets(mirrored)) and snippets(mirrored)


def test_the_add_source_line_parses_as_the_command_it_names(small_registry):
    from hubfork.cli.registry_cmd import run_add_source

    _, [line] = use_lines(entry_of(small_registry, BIRDS, "Module"))
    args = build_parser().parse_args(shlex.split(line.code)[1:])
    assert (args.func, args.handle, args.repo) == (run_add_source, BIRDS, "org/repo@rev")


def test_the_page_of_a_model_no_source_serves_offers_the_add_source_line(small_site):
    birds = (small_site / "e" / "google~aiy~vision~classifier~birds_V1~1.html").read_text(encoding="utf-8")
    section = birds.split('<section aria-labelledby="use-title">')[1].split("</section>")[0]
    assert '<h2 id="use-title">Add a source</h2>' in section
    assert f'<code id="code-0">hubfork registry add-source {BIRDS} org/repo@rev</code>' in section
    assert "hubfork pull" not in birds and "Use it" not in birds
    bert = (small_site / "e" / "tensorflow~bert_en_uncased_L-12_H-768_A-12~4.html").read_text(encoding="utf-8")
    assert '<h2 id="use-title">Use it</h2>' in bert and "add-source" not in bert
    collection = (small_site / "e" / "google~universal-sentence-encoder.html").read_text(encoding="utf-8")
    assert "use-title" not in collection
