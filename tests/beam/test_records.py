"""The corpus rules alone: lines to records or reports, ids of plain lines, the record kept of a repeated id."""

from __future__ import annotations

import json

from hubfork.beam.records import Malformed, Record, first_of, jsonl_row, read_lines


def test_plain_lines_are_texts_with_file_and_line_ids():
    found = list(read_lines("d/a.txt", [b"\xef\xbb\xbfhello\r\n", b"  \n", b"world\n", b"\xc3\n"]))
    assert found == [Record("d/a.txt:1", "hello", "d/a.txt", 1), Record("d/a.txt:3", "world", "d/a.txt", 3),
                     Malformed("d/a.txt", 4, "not UTF-8 text (byte 0xc3 at column 1)", "\ufffd")]
    assert str(found[2]) == "d/a.txt:4: not UTF-8 text (byte 0xc3 at column 1)"


def test_jsonl_records_and_what_is_wrong_with_each_bad_one():
    lines = [{"id": "x", "text": "a"}, {"id": 7, "text": "b"}, {"id": True, "text": "c"}, {"id": "", "text": "d"},
             {"id": "y", "text": None}, "just a string"]
    found = list(read_lines("c.jsonl", [json.dumps(v).encode() + b"\n" for v in lines] + [b"{oops\n"]))
    assert found[:2] == [Record("x", "a", "c.jsonl", 1), Record("7", "b", "c.jsonl", 2)]
    assert [(m.line, m.error.split(",")[0]) for m in found[2:]] == [
        (3, "'id' must be a non-empty string or an integer"), (4, "'id' must be a non-empty string or an integer"),
        (5, "'text' must be a string"), (6, "expected a JSON object with id and text"), (7, "not JSON: Expecting "
                                                                                         "property name enclosed in "
                                                                                         "double quotes: line 1 "
                                                                                         "column 2 (char 1)")]


def test_the_first_occurrence_of_an_id_is_kept_whatever_the_arrival_order():
    records = [Record("x", "late", "b.jsonl", 1), Record("x", "second", "a.jsonl", 9),
               Record("x", "first", "a.jsonl", 2)]
    kept, repeats = first_of("x", records)
    assert kept.text == "first"
    assert [(m.file, m.line, m.error) for m in repeats] == [
        ("a.jsonl", 9, "duplicate id 'x' (kept a.jsonl:2)"), ("b.jsonl", 1, "duplicate id 'x' (kept a.jsonl:2)")]
    assert first_of("x", list(reversed(records)))[0] == kept


def test_jsonl_rows_read_back_to_the_same_float32_values():
    import numpy as np

    vector = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    back = np.asarray(json.loads(jsonl_row("i", vector))["vector"], np.float32)
    assert np.array_equal(back, vector)
