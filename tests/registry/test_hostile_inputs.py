"""Registry files a hostile or careless user could hand hubfork, and places it could be told to
write one: each is a `RegistryError` naming the file (and the entry, field or line), never a
traceback, a hang, garbage read as entries, or a write anywhere else.

Reading whatever could hang (a FIFO, /dev/zero) runs in a subprocess with a bound.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubfork import Registry, build_registry
from hubfork.errors import RegistryError, RegistryFormatError
from hubfork.registry import store
from tests.conftest import ROOT, run_cli

SHIPPED = (ROOT / "registry.yaml").read_text(encoding="utf-8")
SHIPPED_COUNT = int(SHIPPED.rsplit("# end of registry: ", 1)[1].split()[0])
BERT_MULTI = '- {"handle": "google/bert_multi'
ENTRY = "- handle: acme/bert/1\n  kind: Module\n  description: A BERT.\n"


def registry_file(tmp_path: Path, entries: str, *, name: str = "registry.yaml") -> Path:
    """A registry as an older hubfork wrote it (no trailer), with these entries."""
    path = tmp_path / name
    path.write_text("format: 1\ncards: cards\nentries:\n" + entries, encoding="utf-8")
    return path


def read_error(path: Path) -> RegistryFormatError:
    with pytest.raises(RegistryFormatError) as info:
        Registry.load_file(path)
    assert info.value.path == str(path) and str(info.value).startswith(str(path))
    return info.value


# ------------------------------------------------------------------------ fields of the wrong type


@pytest.mark.parametrize("field, expected", [
    ("description: [a, list]", "has 'description' as list ['a', 'list']; expected text"),
    ("name: 7", "has 'name' as int 7; expected text"),
    ("languages: english", "has 'languages' as str 'english'; expected a list of text"),
    ("tasks: [text-embedding, 3]", "has 'tasks' as list ['text-embedding', 3]; expected a list of text"),
    ("version: '1'", "has 'version' as str '1'; expected a whole number"),
    ("version: true", "has 'version' as bool True; expected a whole number"),
    ("mlm: 'no'", "has 'mlm' as str 'no'; expected true or false"),
    ("architecture: big", "has 'architecture' as str 'big'; expected a mapping of layers, hidden_size and heads"),
    ("architecture: {layers: twelve}", "has 'architecture' as dict {'layers': 'twelve'}; expected a mapping"),
    ("metadata: [x]", "has 'metadata' as list ['x']; expected a mapping of text keys to plain values"),
    ("metadata: {x: !!binary aGVsbG8=}", "has 'metadata' as dict {'x': b'hello'}; expected a mapping"),
    ("metadata: {x: " + "[" * 40 + "]" * 40 + "}", "(at most 32 levels deep)"),
    ("card: cards/a.md", "has 'card' as str 'cards/a.md'; expected a mapping with 'path' and 'sha256'"),
    ("sources: [org/bert]", "has 'sources' as list ['org/bert']; expected a list of mappings with 'repo_id'"),
    ("sources: [{repo_id: org/bert, revision: 1}]", "has 'sources' as list [{'repo_id': 'org/bert', 'revision': 1}]"),
])
def test_a_field_of_the_wrong_type_names_entry_and_field(tmp_path, field, expected):
    path = registry_file(tmp_path, ENTRY + "- handle: acme/bad/1\n  kind: Module\n  " + field + "\n")
    error = read_error(path)
    assert str(error).startswith(f"{path}: entry 2 (acme/bad/1) ") and expected in str(error), str(error)


@pytest.mark.parametrize("entry, expected", [
    ("- handle: 5\n  kind: Module\n", "entry 2 needs at least 'handle' and 'kind' as text; 'handle' is int 5"),
    ("- handle: ''\n  kind: Module\n", "entry 2 needs at least 'handle' and 'kind' as text; 'handle' is str ''"),
    ("- handle: a/b/1\n", "entry 2 (a/b/1) needs at least 'handle' and 'kind' as text; 'kind' is missing"),
    ("- just text\n", "entry 2 is str 'just text'; expected a mapping of fields"),
])
def test_an_entry_without_handle_or_kind(tmp_path, entry, expected):
    assert str(read_error(registry_file(tmp_path, ENTRY + entry))) == f"{tmp_path / 'registry.yaml'}: {expected}"


def test_the_cards_folder_must_be_text(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text("format: 1\ncards: [1]\nentries: []\n")
    assert "'cards' should be the cards folder as text, not list" in str(read_error(path))


def test_browse_commands_report_the_bad_field_without_a_traceback(tmp_path):
    path = registry_file(tmp_path, ENTRY + "- handle: acme/bad/1\n  kind: Module\n  description: [a, list]\n")
    for command in (["list"], ["search", "bert"], ["show", "acme/bert/1"]):
        result = run_cli(*command, "--registry", str(path))
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr == f"hubfork: error: {path}: entry 2 (acme/bad/1) has 'description' as list " \
                                "['a', 'list']; expected text\n"


# ------------------------------------------------------------------------ cut short, not UTF-8, aliases


def test_the_written_registry_ends_with_its_trailer(tmp_path):
    text = store.render({"format": 1, "cards": "cards", "entries": [{"handle": "a/b/1", "kind": "Module"}]})
    assert text.splitlines()[2].startswith("# The last line of this file says how many entries")
    assert text.endswith("\n# end of registry: 1 entries\n")
    assert SHIPPED.endswith(f"\n# end of registry: {SHIPPED_COUNT} entries\n") and SHIPPED_COUNT > 2800


@pytest.mark.parametrize("cut", [
    lambda text: text[: text.index(BERT_MULTI)] + '- {"handle": "google/bert_multi/1", "kind": "Module"}\n',
    lambda text: text[: text.index(BERT_MULTI)],  # between two entries: valid YAML
    lambda text: text[: len(text) // 2],
    lambda text: text[: text.rindex("# end of registry")],  # only the trailer lost
])
def test_a_registry_cut_short_is_refused(tmp_path, cut):
    path = tmp_path / "registry.yaml"
    path.write_text(cut(SHIPPED), encoding="utf-8")
    error = read_error(path)
    assert "cut short: the file does not end with its '# end of registry: N entries' line" in str(error)
    assert error.line == path.read_text().count("\n") + 1


def test_a_trailer_that_miscounts_is_refused(tmp_path):
    path = tmp_path / "registry.yaml"
    start = SHIPPED.index(BERT_MULTI)
    end = SHIPPED.index("\n", start) + 1
    path.write_text(SHIPPED[:start] + SHIPPED[end:], encoding="utf-8")  # one entry taken out of the middle
    assert f"its last line says {SHIPPED_COUNT} entries, but it holds {SHIPPED_COUNT - 1}" in str(read_error(path))


def test_a_registry_from_before_the_trailer_still_reads(tmp_path):
    # What earlier hubfork versions wrote: the old two-line header, no trailer.
    old = SHIPPED.replace(store._TRAILED + "\n", "").replace(f"# end of registry: {SHIPPED_COUNT} entries\n", "")
    path = tmp_path / "registry.yaml"
    path.write_text(old, encoding="utf-8")
    assert len(Registry.load_file(path)) == SHIPPED_COUNT


def test_a_registry_that_is_not_utf8_is_refused_at_its_line(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_bytes(SHIPPED.encode("utf-8").replace(b"BERT-Base", b"BERT\xe9Base", 1))
    error = read_error(path)
    assert "not UTF-8 text (byte" in str(error)
    assert error.line == SHIPPED[: SHIPPED.index("BERT-Base")].count("\n") + 1


def billion_laughs(levels: int) -> str:
    lines = ["    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"    l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 9) + "]")
    return "- handle: a/b/1\n  kind: Module\n  metadata:\n" + "\n".join(lines) + "\n"


def test_an_alias_bomb_registry_is_refused_at_its_line(tmp_path):
    # Loading builds the aliases as shared objects; caching the document as JSON then wrote
    # out all 9**levels of them.
    error = read_error(registry_file(tmp_path, billion_laughs(5)))
    assert error.line == 8 and "an alias ('*name') is not read" in str(error)


def test_any_alias_is_refused_but_quoted_stars_are_text(tmp_path):
    path = registry_file(tmp_path, ENTRY.replace("A BERT.", '"*stars* & &amp; [*x]"') + "- &e handle: a/b/1\n")
    assert "an alias" not in str(read_error(path))  # the anchor is harmless; the entry lacks a kind
    path = registry_file(tmp_path, ENTRY.replace("A BERT.", '"*stars* & &amp; [*x]"'))
    assert Registry.load_file(path).get("acme/bert/1").description == "*stars* & &amp; [*x]"
    path = registry_file(tmp_path, "- &e {handle: a/b/1, kind: Module}\n- *e\n")
    assert read_error(path).line == 5


# ------------------------------------------------------------------------ what is not a registry file


def bounded_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))


def read_in_subprocess(path: str) -> subprocess.CompletedProcess:
    # Bounded in time and memory: reading a FIFO blocks and /dev/zero never ends, should the checks go.
    return subprocess.run([sys.executable, "-m", "hubfork", "list", "--registry", path], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, preexec_fn=bounded_memory)


@pytest.mark.parametrize("what", ["fifo", "/dev/zero", "folder"])
def test_what_is_not_a_regular_file_is_refused_unread(tmp_path, what):
    kinds = {"fifo": "a FIFO (named pipe)", "/dev/zero": "a character device", "folder": "a folder"}
    path = what if what.startswith("/") else str(tmp_path / "registry.yaml")
    if what == "fifo":
        os.mkfifo(path)
    elif what == "folder":
        os.mkdir(path)
    result = read_in_subprocess(path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr == f"hubfork: error: {path}: not read: not a regular file but {kinds[what]}\n"


def test_a_registry_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "registry.yaml"
    with path.open("wb") as handle:
        handle.truncate(store.MAX_REGISTRY_BYTES + 1)  # sparse: nothing on disk
    real_open = os.open

    def no_open(name, *args, **kwargs):
        assert os.fspath(name) != str(path), "the oversized registry was opened"
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_open)
    error = read_error(path)
    assert str(error) == f"{path}: not read: the file is 100,000,001 bytes; at most 100,000,000 bytes is read"


# ------------------------------------------------------------------------ where a registry is written


def test_build_into_a_folder_is_refused_and_writes_nothing(tmp_path):
    copy_cards(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    message = f"{out}: is a folder; name the registry file to write (e.g. registry.yaml)"
    with pytest.raises(RegistryError) as info:
        build_registry(tmp_path / "cards", out)
    assert str(info.value) == message
    assert list(out.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["cards", "out"]
    result = run_cli("registry", "build", str(tmp_path / "cards"), "-o", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == f"hubfork: error: {message}\n"


def test_names_too_long_for_the_system_are_errors(tmp_path):
    copy_cards(tmp_path)
    long = tmp_path / ("a" * 10_000)
    with pytest.raises(RegistryError, match="File name too long"):
        build_registry(tmp_path / "cards", str(long) + ".yaml")
    with pytest.raises(RegistryError, match="not a folder of cards"):
        build_registry(long)
    for args in (["registry", "build", str(tmp_path / "cards"), "-o", f"{long}.yaml"], ["registry", "build", str(long)],
                 ["list", "--registry", str(long)]):
        result = run_cli(*args)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"hubfork: error: {long}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards"]


def copy_cards(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "cards" / "hubfork", tmp_path / "cards")
