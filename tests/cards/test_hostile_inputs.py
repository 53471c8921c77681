"""Card files a hostile or careless user could hand hubfork: each ends in a located `Problem`,
never a traceback, a hang or garbage read as a card.

Whatever could hang (a FIFO, /dev/zero, a regex that backtracks) is parsed in a subprocess
with a bound, so a regression fails the test instead of stopping the suite. Work that was
quadratic is checked by counting it (characters copied, list items copied, names compared),
not by timing it.
"""

from __future__ import annotations

import errno
import os
import resource
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from hubfork import _reading, parse_card, parse_cards
from hubfork.cards import body, names
from hubfork.cards.body import parse_body
from hubfork.cards.names import names_in_code
from hubfork.cards.parser import MAX_CARD_BYTES, MAX_CARD_LINES
from hubfork.cards.yaml_limits import MAX_DEPTH
from tests.conftest import ROOT

MODULE = (
    "# Module acme/bert_en_uncased_L-2_H-128_A-2/1\n"
    "A small BERT.\n"
    "\n"
    "<!-- asset-path: legacy -->\n"
    "<!-- task: text-embedding -->\n"
    "<!-- fine-tunable: true -->\n"
    "<!-- format: saved_model_2 -->\n"
    "\n"
    "## Overview\n"
    "\n"
    "An encoder.\n"
    "\n"
)
#: What parsing may take in a subprocess before the test calls it a hang (it takes about a second).
BOUND = 120
MEMORY = 2_000_000_000


def bounded_memory() -> None:
    # Should a check go, reading /dev/zero must fail the test, not fill the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def parse_in_subprocess(*paths: Path | str) -> list[str]:
    """``hubfork cards validate`` on `paths` in a fresh process, bounded in time and memory: its
    problems, one a line."""
    result = subprocess.run([sys.executable, "-m", "hubfork", "cards", "validate", *map(str, paths)],
                            cwd=ROOT, capture_output=True, text=True, timeout=BOUND, preexec_fn=bounded_memory)
    assert "Traceback" not in result.stderr and result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


def errors_of(card) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in card.errors]


# ------------------------------------------------------------------------ size and kind of file


def test_a_card_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB on paper, nothing on disk
    real_open = os.open

    def no_open(path, *args, **kwargs):
        assert os.fspath(path) != str(big), "the oversized card was opened"
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_open)
    card = parse_card(big)
    assert errors_of(card) == [(1, "too-large")]
    assert card.errors[0].message == "cannot read the card: the file is 50 MB; at most 10 MB is read"
    assert card.errors[0].path == str(big)


def test_a_card_of_exactly_the_limit_is_read(tmp_path):
    card_file = tmp_path / "card.md"
    text = MODULE + "## Notes\n\n" + ("x" * 999 + "\n") * ((MAX_CARD_BYTES - len(MODULE) - 10) // 1000)
    card_file.write_text(text + "y" * (MAX_CARD_BYTES - len(text.encode())))
    assert card_file.stat().st_size == MAX_CARD_BYTES
    card = parse_card(card_file)
    assert card.ok and card.handle == "acme/bert_en_uncased_L-2_H-128_A-2/1"


def test_a_card_given_as_text_obeys_the_same_limits():
    too_big = parse_card("big.md", MODULE + "x" * MAX_CARD_BYTES)
    assert errors_of(too_big) == [(1, "too-large")] and "at most 10 MB" in too_big.errors[0].message
    too_long = parse_card("long.md", MODULE + "x\n" * MAX_CARD_LINES)
    assert errors_of(too_long) == [(MAX_CARD_LINES + 1, "too-large")]
    assert too_long.errors[0].message == f"the card has {MAX_CARD_LINES + 13:,} lines; at most 100,000 are read"


def test_a_fifo_named_like_a_card_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "x.md"
    os.mkfifo(fifo)
    # Directly, and found in a folder (where it used to be skipped without a word): opening it
    # would block until a writer came, so a regression hangs, in the subprocess.
    lines = parse_in_subprocess(fifo, tmp_path)
    assert lines == [f"{fifo}:1: error: cannot read the card: not a regular file but a FIFO (named pipe)"] * 2


def test_a_device_is_refused_without_reading_it():
    # /dev/zero never ends: read whole, it would fill the memory.
    assert parse_in_subprocess("/dev/zero") == [
        "/dev/zero:1: error: cannot read the card: not a regular file but a character device"]


@contextmanager
def memory_bound(extra: int = 1_000_000_000):
    """At most `extra` more bytes of address space in this process, while in the block: an
    unbounded read then fails with MemoryError instead of filling the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    in_use = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_a_file_swapped_for_a_device_after_its_check_is_read_no_further_than_the_limit(monkeypatch):
    # Between the check and the read a file can change; the read itself stops at the limit.
    monkeypatch.setattr(_reading, "_check", lambda status, path, limit: None)
    with memory_bound(), pytest.raises(OSError) as info:
        _reading.read_regular_file("/dev/zero", 2_000_000)
    assert info.value.errno == errno.EFBIG
    assert info.value.strerror == "the file is more than 2 MB (it grew while read); at most 2 MB is read"


def test_a_file_that_grew_after_its_check_is_read_whole_or_refused(tmp_path, monkeypatch):
    # The read is sized by the file's fstat; what was appended since is read too, up to the limit.
    card = tmp_path / "card.md"
    card.write_bytes(b"x" * 5000)
    real_stat, real_fstat = os.stat, os.fstat
    monkeypatch.setattr(_reading.os, "stat", lambda path: os.stat_result((*real_stat(path)[:6], 10, 0, 0, 0)))
    monkeypatch.setattr(_reading.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, 0, 0, 0)))
    assert _reading.read_regular_file(card, 5000) == b"x" * 5000
    with pytest.raises(OSError) as info:
        _reading.read_regular_file(card, 4999)
    assert info.value.errno == errno.EFBIG and "it grew while read" in info.value.strerror


def test_a_folder_named_like_a_card_is_not_a_card(tmp_path):
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "real.md").write_text(MODULE)
    assert [card.path for card in parse_cards([tmp_path])] == [str(tmp_path / "real.md")]


def test_a_path_too_long_for_the_system_is_a_problem(tmp_path):
    path = tmp_path / ("a" * 10_000)
    [card] = parse_cards([path])
    assert errors_of(card) == [(1, "io")] and "File name too long" in card.errors[0].message


@pytest.mark.parametrize("data, line", [(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), 1),
                                        (MODULE.encode() + b"caf\xe9\n", 13)])
def test_binary_card_is_not_utf8(tmp_path, data, line):
    path = tmp_path / "card.md"
    path.write_bytes(data)
    card = parse_card(path)
    assert [(p.line, p.code) for p in card.errors] == [(line, "encoding")]
    assert "not UTF-8 text" in card.errors[0].message


# ------------------------------------------------------------------------ deep markdown


CHANGELOG = "\n## Changelog\n\n### Version 1\n\n* First.\n"


@pytest.mark.parametrize("nested, line", [
    (">" * 100_000 + " deep\n", 13),
    ("- " * 100_000 + "item\n", 13),
    ("1. " * 50_000 + "item\n", 13),
    ("> - " * 50_000 + "item\n", 13),
    ("".join("> " * depth + "x\n" for depth in range(1, 300)), 32),  # line 13 + 19: the 20th quote
    ("".join("  " * depth + "- x\n" for depth in range(300)), 22),  # line 13 + 9: the 10th list
])
def test_deeply_nested_markdown_is_an_error_at_its_line(nested, line):
    # markdown-it-py stops at its nesting limit instead of recursing; what it then leaves unread
    # (for a list, the rest of the card: its changelog here) is an error, not a silent loss.
    card = parse_card("deep.md", MODULE + nested + CHANGELOG)
    assert errors_of(card) == [(line, "nesting")], card.problems
    assert card.errors[0].message.startswith("lists and block quotes nest too deep here (more than 20 levels")


@pytest.mark.parametrize("nested", ["- " * 9 + "item\n", ">" * 19 + " deep\n", "> - " * 6 + "x\n"])
def test_markdown_nested_up_to_the_limit_is_read_whole(nested):
    card = parse_card("nested.md", MODULE + nested + CHANGELOG)
    assert card.ok, card.problems
    assert [s.title for s in card.sections] == ["Overview", "Changelog", "Version 1"]
    assert [(e.version, e.notes) for e in card.changelog] == [(1, ("First.",))]


# ------------------------------------------------------------------------ work linear in the card


class CountedLine(str):
    """A line of a card that counts the characters copied when text is added to it with '+'."""

    copied = 0

    def __add__(self, other):
        CountedLine.copied += len(self) + len(other)
        return CountedLine(str.__add__(self, other))

    def __radd__(self, other):
        CountedLine.copied += len(self) + len(other)
        return CountedLine(str.__add__(other, self))

    def strip(self, *args):
        return CountedLine(str.strip(self, *args))


def test_a_long_changelog_entry_is_gathered_in_linear_work(monkeypatch):
    # 50 MB of changelog took minutes: each continuation line was added to a growing note.
    monkeypatch.setattr(CountedLine, "copied", 0)
    n = 3_000
    text = ["# Model", "", "## Changelog", "", "### Version 2", "", "* Dicts, and then"]
    text += [f"more words, line {i} of a very long note" for i in range(n)]
    lines = [CountedLine(line) for line in text]
    parsed = parse_body(lines, 1)
    [entry] = parsed.changelog
    expected = "Dicts, and then " + " ".join(f"more words, line {i} of a very long note" for i in range(n))
    assert entry.version == 2 and entry.notes == (expected,)
    # Joined once: no more copying than the note's length (adding line by line copied ~n/2 notes).
    assert CountedLine.copied <= 2 * len(expected), CountedLine.copied


class CountingList(list):
    """Headings that count the items copied when a slice of them is taken."""

    copied = 0

    def __getitem__(self, index):
        item = super().__getitem__(index)
        if isinstance(index, slice):
            CountingList.copied += len(item)
        return item


def test_sections_of_many_headings_are_found_in_one_pass(monkeypatch):
    # 50,000 headings took minutes: each heading copied the list of every heading after it.
    monkeypatch.setattr(CountingList, "copied", 0)
    n = 5_000
    headings = CountingList((2 + i % 3, i * 2, f"h{i}") for i in range(n))
    sections = body._sections(headings, 2 * n, 10)
    assert len(sections) == n and CountingList.copied <= n
    # Each runs to the next heading at its level or above; the last ones to the end.
    assert [(s.level, s.line, s.end_line) for s in sections[:4]] == [(2, 11, 16), (3, 13, 16), (4, 15, 16),
                                                                      (2, 17, 22)]
    assert sections[-1].end_line == 2 * n + 10


class CountedName(str):
    """A model name that counts the comparisons made with it."""

    compared = 0

    def __eq__(self, other):
        CountedName.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_names_in_code_are_kept_once_each_in_linear_work(monkeypatch):
    # A card naming 300,000 distinct models compared each with every one before it.
    monkeypatch.setattr(CountedName, "compared", 0)
    real = names.name_from_url
    monkeypatch.setattr(names, "name_from_url", lambda url: CountedName(real(url)) if real(url) else None)
    n = 3_000
    code = "".join(f"https://tfhub.dev/acme/m{i}/1 https://tfhub.dev/acme/m{i}/1\n" for i in range(n))
    assert names_in_code(code) == [f"acme/m{i}/1" for i in range(n)]
    assert CountedName.compared <= 2 * n, CountedName.compared


def test_an_eight_megabyte_changelog_card_is_read(tmp_path):
    # The card of the report (its bulk in a changelog), just under the limits, end to end.
    lines = [f"words of a note that goes on for a while, line {i}" + " padding" * 10 for i in range(62_000)]
    text = MODULE + "## Changelog\n\n### Version 1\n\n* Uses dicts.\n" + "\n".join(lines) + "\n"
    assert 8_000_000 < len(text) < MAX_CARD_BYTES
    path = tmp_path / "big-changelog.md"
    path.write_text(text)
    assert parse_in_subprocess(path) == []  # valid, read within the bound


def test_a_changelog_line_of_blanks_is_matched_without_backtracking(tmp_path):
    # "- " and 200,000 blanks: the version-bullet pattern tried every split of the blanks.
    path = tmp_path / "blanks.md"
    path.write_text(MODULE + "## Changelog\n\n- " + " " * 200_000 + "x\n* Version 2: dicts\n")
    assert parse_in_subprocess(path) == []
    assert [(e.version, e.notes) for e in parse_card(path).changelog] == [(2, ("dicts",))]


# ------------------------------------------------------------------------ Hugging Face front matter


def billion_laughs(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 9) + "]")
    return "---\nrepo_id: acme/bert\n" + "\n".join(lines) + "\n---\n# bert\n\nA BERT encoder for English text.\n"


def test_an_alias_bomb_in_front_matter_is_refused_at_its_line():
    # 9**6 nodes here; 9**8 took 16 s and 1.2 GB and passed, more ran out of memory.
    card = parse_card("bomb.md", billion_laughs(6))
    assert errors_of(card)[0] == (4, "front-matter")
    assert card.errors[0].message.startswith("YAML front matter: an alias ('*name') is not read")
    assert card.metadata == {}


def test_an_alias_bomb_in_a_card_file_ends_in_a_subprocess(tmp_path):
    path = tmp_path / "bomb.md"
    path.write_text(billion_laughs(9))
    assert parse_in_subprocess(path)[0].startswith(f"{path}:4: error: YAML front matter: an alias")


@pytest.mark.parametrize("depth, message", [(MAX_DEPTH + 1, "mappings and lists nest more than 32 levels deep"),
                                            (100_000, "exceeded maximum nesting depth")])
def test_deep_front_matter_is_refused(depth, message):
    text = "---\nrepo_id: acme/bert\nx: " + "[" * depth + "]" * depth + "\n---\n# bert\n"
    card = parse_card("deep.md", text)
    assert card.errors[0].line == 3 and card.errors[0].message == f"YAML front matter: {message}"


def test_front_matter_as_deep_as_allowed_is_read():
    depth = MAX_DEPTH - 1  # the front matter's own mapping is the first level
    card = parse_card("ok.md", "---\nrepo_id: acme/bert\nx: " + "[" * depth + "]" * depth + "\n---\n# bert\n")
    assert card.ok and card.handle == "acme/bert"


def test_front_matter_binary_data_is_refused():
    card = parse_card("bin.md", "---\nrepo_id: acme/bert\nblob: !!binary aGVsbG8=\n---\n# bert\n")
    assert card.errors[0].line == 2 and card.errors[0].code == "front-matter"
    assert "'blob' holds bytes data" in card.errors[0].message
    card.to_dict()  # JSON-ready, as `cards parse --json` needs


# ------------------------------------------------------------------------ metadata comments


def test_two_metadata_comments_on_one_line_are_an_error_at_that_line():
    text = MODULE.replace("<!-- format: saved_model_2 -->",
                          "<!-- format: saved_model_2 -->\n"
                          "<!-- hub-repo: org/x@v1 --> <!-- hub-endpoint: http://elsewhere -->")
    card = parse_card("two.md", text)
    assert errors_of(card) == [(8, "metadata-line")]
    assert "one '<!-- key: value -->' comment per line" in card.errors[0].message
    # The second comment is not folded into the revision, nor read as an endpoint.
    assert card.metadata["hub-repo"] == "org/x@v1" and "hub-endpoint" not in card.metadata
    assert [(s.repo_id, s.revision, s.endpoint) for s in card.sources] == [("org/x", "v1", None)]


def test_a_symlink_to_a_device_is_refused_as_the_device(tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to("/dev/zero")
    assert stat.S_ISCHR(link.stat().st_mode)
    assert errors_of(parse_card(link)) == [(1, "not-a-file")]


def test_a_lone_carriage_return_keeps_line_numbers_in_step():
    # markdown-it breaks lines at a lone "\r" as well; its line numbers then ran past the card's
    # own lines (an IndexError on an HTML block near the end).
    text = "\r# Placeholder acme/x/1\nDesc.\n\n<!-- task: text-embedding -->\n<!-- license: apache-2.0 -->"
    card = parse_card("cr.md", text)
    assert errors_of(card) == [(1, "unknown-card")]
    card = parse_card("cr.md", "---\nrepo_id: acme/x\n---\n# x\r## y\r\n\n## z\n<div>\r</div>\n")
    assert [(s.title, s.line, s.end_line) for s in card.sections] == [("x ## y", 4, 8), ("z", 6, 8)]
