"""TF Hub markdown cards: first line, description, metadata block, and one test
per kind of problem (each with its file and line)."""

from __future__ import annotations

import pytest

from hubfork import CardError, parse_card

BODY = "\n## Overview\n\nText.\n"


def card(text: str):
    return parse_card("card.md", text)


def codes(parsed) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.severity) for p in parsed.problems]


MODULE_META = (
    "<!-- asset-path: legacy -->\n<!-- task: text-embedding -->\n"
    "<!-- fine-tunable: true -->\n<!-- format: saved_model_2 -->\n"
)


@pytest.mark.parametrize(
    "first_line, kind, handle, publisher, name, version",
    [
        ("# Module google/bert/1", "Module", "google/bert/1", "google", "bert", 1),
        ("# Placeholder google/a/b/c/12", "Placeholder", "google/a/b/c/12", "google", "a/b/c", 12),
        ("# Lite google/spice/1/default/1", "Lite", "google/spice/1/default/1", "google", "spice/1/default", 1),
        ("# Tfjs google/spice/1/default/1", "Tfjs", "google/spice/1/default/1", "google", "spice/1/default", 1),
        ("# Coral tf/mobilenet_v1_1.0_224/1/default/1", "Coral", "tf/mobilenet_v1_1.0_224/1/default/1", "tf",
         "mobilenet_v1_1.0_224/1/default", 1),
        ("# Collection google/bert/1", "Collection", "google/bert", "google", "bert", 1),
        ("# Publisher google", "Publisher", "google", "google", None, None),
    ],
)
def test_every_first_line_kind(first_line, kind, handle, publisher, name, version):
    meta = {
        "Module": MODULE_META,
        "Placeholder": "<!-- task: text-embedding -->\n",
        "Collection": "<!-- task: text-embedding -->\n",
        "Publisher": "",
    }.get(kind, "<!-- asset-path: legacy -->\n<!-- parent-model: google/spice/1 -->\n")
    parsed = card(f"{first_line}\nDescription.\n\n{meta}{BODY}")
    assert (parsed.kind, parsed.handle, parsed.publisher, parsed.name, parsed.version) == (
        kind, handle, publisher, name, version)
    assert parsed.family == "tfhub"
    assert parsed.errors == []


def test_zwnj_is_removed_from_the_handle_only():
    parsed = card(
        "# Module tensorflow/&zwnj;small_bert/&zwnj;bert_en_uncased_L-2_H-128_A-2/1\n"
        "Small &zwnj; BERT.\n\n" + MODULE_META + BODY
    )
    assert parsed.handle == "tensorflow/small_bert/bert_en_uncased_L-2_H-128_A-2/1"
    assert parsed.name == "small_bert/bert_en_uncased_L-2_H-128_A-2"
    assert parsed.description == "Small &zwnj; BERT."  # only the first line loses it, as on tfhub.dev


def test_description_may_follow_one_empty_line_and_span_lines():
    parsed = card("# Module a/b/1\n\nFirst line\n  second line.\n" + MODULE_META + BODY)
    assert parsed.description == "First line second line."
    assert parsed.metadata["format"] == "saved_model_2"


def test_metadata_rules_repeated_keys_are_lists_and_values_are_trimmed():
    parsed = card(
        "# Module a/b/1\nDesc.\n\n"
        "<!-- asset-path:   legacy   -->\n"
        "<!--task: text-embedding-->\n"
        "\n"
        "<!-- language: en -->\n<!-- language: de -->\n<!-- language: en -->\n"
        "<!-- dataset: wikipedia -->\n<!-- network-architecture: transformer -->\n"
        "<!-- fine-tunable: true -->\n<!-- format: saved_model_2 -->\n"
        "<!-- format: saved_model_2 -->\n"  # the same value twice is one value, as tfhub.dev's sets had it
        "<!-- colab: https://colab.research.google.com/x.ipynb -->\n"
        "## Overview\n<!-- license: mit -->\n"
    )
    assert parsed.metadata == {
        "asset-path": "legacy",
        "task": ["text-embedding"],
        "language": ["en", "de"],
        "dataset": ["wikipedia"],
        "network-architecture": ["transformer"],
        "fine-tunable": "true",
        "format": "saved_model_2",
        "colab": "https://colab.research.google.com/x.ipynb",
    }
    # The comment after the first heading is not metadata, and the card says so.
    assert ("stray-metadata", 17, "warning") in codes(parsed)
    assert parsed.errors == []


def test_value_may_contain_colons_and_key_may_contain_spaces():
    parsed = card("# Module a/b/1\nDesc.\n" + MODULE_META + "<!-- my key : a: b -- c -->\n" + BODY)
    assert parsed.metadata["my key"] == "a: b -- c"


def test_publisher_icon_line_and_colab_badge_are_part_of_the_block():
    parsed = card(
        "# Publisher acme\nAcme Inc.\n\n[![Icon URL]](https://example.org/acme.png)\n\n## About\n\nText.\n"
    )
    assert parsed.icon_url == "https://example.org/acme.png"
    assert parsed.errors == [] and parsed.metadata == {}
    badge = card("# Module a/b/1\nDesc.\n" + MODULE_META +
                 "\n[![Open Colab notebook]](https://colab.research.google.com/x)\n" + BODY)
    assert badge.problems == []


def test_module_type_stands_for_task_in_older_cards():
    parsed = card("# Module a/b/1\nDesc.\n<!-- asset-path: legacy -->\n<!-- module-type: text-embedding -->\n"
                  "<!-- fine-tunable: true -->\n<!-- format: hub -->\n" + BODY)
    assert parsed.errors == []
    assert parsed.metadata["module-type"] == ["text-embedding"]
    assert parsed.tasks == ["text-embedding"]


def test_crlf_and_missing_final_newline_are_read_like_plain_newlines():
    text = "# Module a/b/1\r\nDesc.\r\n\r\n" + MODULE_META.replace("\n", "\r\n") + "## Usage\r\n\r\nText."
    parsed = card(text)
    assert parsed.handle == "a/b/1" and parsed.errors == []
    assert parsed.metadata["asset-path"] == "legacy"


# ----------------------------------------------------------------- one test per problem


def test_error_first_line():
    parsed = card("# Module google/bert\nDesc.\n")
    assert codes(parsed) == [("first-line", 1, "error")]
    assert parsed.handle is None
    assert "# Module publisher/name/version" in parsed.problems[0].message


def test_error_first_line_with_trailing_text():
    parsed = card("# Module google/bert/1 (deprecated)\nDesc.\n")
    assert codes(parsed) == [("first-line", 1, "error")]


def test_error_missing_description():
    parsed = card("# Module a/b/1\n<!-- format: hub -->\n" + BODY)
    assert ("description", 2, "error") in codes(parsed)


def test_error_unexpected_line_in_metadata_block():
    parsed = card("# Module a/b/1\nDesc.\n\n" + MODULE_META + "Some prose before any heading.\n" + BODY)
    assert ("metadata-line", 8, "error") in codes(parsed)
    assert "Some prose before any heading." in parsed.problems[0].message


def test_error_whitespace_only_line_in_metadata_block():
    # tfhub.dev counted only a truly empty line as empty.
    parsed = card("# Module a/b/1\nDesc.\n\n" + MODULE_META + "   \n" + BODY)
    assert ("metadata-line", 8, "error") in codes(parsed)


def test_error_missing_required_metadata():
    parsed = card("# Module a/b/1\nDesc.\n\n<!-- asset-path: legacy -->\n" + BODY)
    problem = parsed.errors[0]
    assert (problem.code, problem.line) == ("missing-metadata", 4)
    for key in ("fine-tunable", "format", "task"):
        assert f"'{key}'" in problem.message


def test_error_two_values_for_a_one_value_key():
    parsed = card("# Module a/b/1\nDesc.\n" + MODULE_META + "<!-- format: hub -->\n" + BODY)
    assert codes(parsed) == [("duplicate-metadata", 7, "error")]
    assert "'saved_model_2' (line 6)" in parsed.problems[0].message


def test_error_format_of_a_module():
    parsed = card("# Module a/b/1\nDesc.\n" + MODULE_META.replace("saved_model_2", "onnx") + BODY)
    assert codes(parsed) == [("format", 6, "error")]


def test_error_empty_file_and_undecodable_bytes(tmp_path):
    assert codes(card("")) == [("empty", 1, "error")]
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# Module a/b/1\nDesc \xff\xfe.\n")
    parsed = parse_card(bad)
    assert codes(parsed) == [("encoding", 2, "error")]


def test_error_unreadable_file(tmp_path):
    parsed = parse_card(tmp_path / "missing.md")
    assert codes(parsed) == [("io", 1, "error")]


def test_warning_unknown_tag_value_with_suggestion():
    parsed = card("# Module a/b/1\nDesc.\n" + MODULE_META + "<!-- dataset: Wikipedia and BooksCorpus -->\n" + BODY)
    assert codes(parsed) == [("value", 7, "warning")]
    assert "did you mean 'wikipedia-and-bookscorpus'" in parsed.problems[0].message
    assert parsed.ok


def test_warning_unknown_key_and_bad_url():
    parsed = card("# Module a/b/1\nDesc.\n" + MODULE_META + "<!-- owner: me -->\n<!-- colab: https://x.org/n -->\n"
                  + BODY)
    assert codes(parsed) == [("unknown-key", 7, "warning"), ("value", 8, "warning")]


def test_warning_uppercase_publisher_and_trailing_blanks():
    parsed = card("# Publisher CallmeMehdi  \nMehdi.\n")
    assert parsed.handle == "CallmeMehdi"
    assert {p.code for p in parsed.warnings} == {"first-line", "publisher-id"}


def test_raise_for_problems_lists_every_error_with_path_and_line():
    parsed = card("# Module a/b/1\n<!-- format: hub -->\nprose\n")
    with pytest.raises(CardError) as info:
        parsed.raise_for_problems()
    error = info.value
    assert error.path == "card.md" and error.line == 2
    assert [str(p).split(": ")[0] for p in error.problems] == ["card.md:2", "card.md:3", "card.md:2"]
