"""Hugging Face cards: YAML front matter read by huggingface_hub, and prose."""

from __future__ import annotations

from hubfork import parse_card

ENCODER_README = """---
license: apache-2.0
language:
- en
- de
library_name: tfhub
pipeline_tag: feature-extraction
tags: [bert, text-embedding]
released: 2021-03-04
---

# my-org/bert_de_cased_L-4_H-256_A-4

A small German and English BERT encoder, cased, mirrored from TF Hub as a SavedModel.

## Usage

```python
encoder = pull_from_hub(repo_id="my-org/bert_de_cased_L-4_H-256_A-4", trainable=True)
preprocessor = pull_from_hub("my-org/bert_de_cased_preprocess")
outputs = encoder(preprocessor(text))
pooled = outputs["pooled_output"]
```
"""


def test_front_matter_is_the_metadata_and_the_title_names_the_repo():
    card = parse_card("README.md", ENCODER_README)
    assert card.errors == []
    assert card.family == "huggingface" and card.kind == "Model"
    assert card.handle == "my-org/bert_de_cased_L-4_H-256_A-4"
    assert card.metadata == {
        "language": ["en", "de"],
        "license": "apache-2.0",
        "library_name": "tfhub",
        "pipeline_tag": "feature-extraction",
        "tags": ["bert", "text-embedding"],
        "released": "2021-03-04",  # a YAML date, kept as ISO text so JSON can carry it
    }
    assert card.languages == ["en", "de"]
    assert card.tasks == ["feature-extraction", "text-embedding"]
    assert card.preprocessor == "my-org/bert_de_cased_preprocess"
    assert card.architecture.label == "L-4_H-256_A-4"
    assert card.casing == "cased"
    assert card.api == "dict"
    assert card.format == "saved_model_2"
    assert card.description == "A small German and English BERT encoder, cased, mirrored from TF Hub as a SavedModel."
    assert [s.title for s in card.sections] == ["my-org/bert_de_cased_L-4_H-256_A-4", "Usage"]
    assert card.sections[1].line == 16  # lines count from the top of the file, front matter included
    assert card.code_blocks[0].line == 18


def test_repo_id_given_by_the_caller_wins():
    card = parse_card("README.md", "---\nlicense: mit\n---\nJust text.\n", repo_id="org/name")
    assert card.handle == "org/name" and card.errors == []
    assert card.sources[0].repo_id == "org/name"


def test_repo_id_in_front_matter():
    card = parse_card("README.md", "---\nrepo_id: org/model\n---\nA model card with very little to say about it.\n")
    assert card.handle == "org/model"
    assert card.description == "A model card with very little to say about it."


def test_mirror_host_links_name_the_same_repo_as_huggingface():
    text = (
        "Model name: bert_en_uncased_L-2_H-128_A-2\n"
        "The preprocessor at https://hf-mirror.example/acme/bert_en_uncased_preprocess/tree/v2 "
        "turns text into inputs for this uncased model.\n"
        'model = snapshot_download(repo_id="acme/bert_en_uncased_L-2_H-128_A-2")\n'
    )
    card = parse_card("README.md", text)
    assert card.handle == "acme/bert_en_uncased_L-2_H-128_A-2"
    assert card.preprocessor == "acme/bert_en_uncased_preprocess"


def test_error_yaml_front_matter_gives_the_file_line():
    card = parse_card("README.md", "---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n# org/x\n")
    assert [(p.code, p.line, p.severity) for p in card.errors][0][:1] == ("front-matter",)
    assert card.errors[0].line in (3, 4)  # where PyYAML notices the unclosed flow sequence
    assert card.errors[0].message.startswith("YAML front matter:")


def test_error_front_matter_that_is_not_a_mapping():
    card = parse_card("README.md", "---\n- a\n- b\n---\nModel name: x\n")
    assert card.errors[0].code == "front-matter" and card.errors[0].line == 2


def test_error_front_matter_never_closed():
    card = parse_card("README.md", "\n---\nlicense: mit\n\nModel name: x\n")
    assert [(p.code, p.line) for p in card.errors][0] == ("front-matter", 2)


def test_error_card_that_names_no_model():
    card = parse_card("notes.md", "Some notes about models in general.\n")
    assert [(p.code, p.line) for p in card.errors] == [("unknown-card", 1)]
    assert card.handle is None
    assert "# Module publisher/name/version" in card.errors[0].message
