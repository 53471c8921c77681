"""Environment variables set badly never end in a traceback: a bad timeout falls back to the default with
one warning line naming the variable (huggingface_hub's import-time reading of it included), a folder
variable that names a file is one error line naming the variable, and text a terminal's encoding cannot
show is escaped."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hubfork import _environment, constants
from hubfork._environment import env_number, usable_folder
from hubfork.errors import SettingError
from hubfork.hub import settings
from tests.conftest import ROOT, run_cli


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test sees its warnings, not ones an earlier test already gave."""
    monkeypatch.setattr(_environment, "_warned", set())


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return path


@pytest.fixture
def offline_hf(tmp_path):
    """The environment of a `hubfork pull` that stops at the cache: offline, with its own HF_HOME."""
    env = {"HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_OFFLINE": "1"}
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_TOKEN_PATH", "HF_HUB_DOWNLOAD_TIMEOUT",
                 "HF_HUB_ETAG_TIMEOUT", "TRANSFORMERS_OFFLINE"):
        env[name] = ""
    return env


def not_offline_at_import(monkeypatch):
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


# --------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, integer, expected", [
    ("7", True, 7), (" 7 ", True, 7), ("2.5", False, 2.5),
    ("abc", True, 10), ("0.5", True, 10), ("-5", True, 10), ("0", True, 10), ("-5", False, 10),
    ("inf", False, 10), ("nan", False, 10), ("1e400", False, 10), ("86401", True, 10), ("9" * 30, True, 10),
])
def test_env_number_falls_back_to_the_default_with_one_warning(monkeypatch, capsys, text, integer, expected):
    monkeypatch.setenv("HUBFORK_TEST_NUMBER", text)
    assert env_number("HUBFORK_TEST_NUMBER", 10, maximum=86_400, integer=integer) == expected
    assert env_number("HUBFORK_TEST_NUMBER", 10, maximum=86_400, integer=integer) == expected
    err = capsys.readouterr().err
    if expected == 10:
        # Said once, however often the value is read (a timeout is read at every request).
        wanted = "a whole number from 1 to 86400" if integer else "a finite number above 0 and at most 86400"
        assert error_lines(err) == [f"hubfork: warning: HUBFORK_TEST_NUMBER={text.strip()!r} is not {wanted}; "
                                    "using 10"]
    else:
        assert err == ""


def test_a_long_value_is_shortened_in_its_warning(monkeypatch, capsys):
    monkeypatch.setenv("HUBFORK_TEST_NUMBER", "x" * 5000)
    assert env_number("HUBFORK_TEST_NUMBER", 3) == 3
    assert error_lines(capsys.readouterr().err) == [
        f"hubfork: warning: HUBFORK_TEST_NUMBER='{'x' * 40}...' is not a finite number above 0; using 3"]


def test_env_number_keeps_its_minimum_and_is_quiet_when_unset(monkeypatch, capsys):
    monkeypatch.setenv("HUBFORK_TEST_NUMBER", "3")
    assert env_number("HUBFORK_TEST_NUMBER", 8, minimum=4) == 8
    assert "HUBFORK_TEST_NUMBER='3' is not a finite number of at least 4; using 8" in capsys.readouterr().err
    monkeypatch.setenv("HUBFORK_TEST_NUMBER", "")
    monkeypatch.delenv("HUBFORK_TEST_NUMBER")
    assert env_number("HUBFORK_TEST_NUMBER", 8, minimum=4) == 8
    assert capsys.readouterr().err == ""


def test_a_bad_timeout_read_at_call_time_falls_back(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "0.5")
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "25")
    assert settings.download_timeout() == 10.0 and settings.etag_timeout() == 25.0
    assert "HF_HUB_DOWNLOAD_TIMEOUT='0.5' is not a whole number from 1 to 86400; using 10" in capsys.readouterr().err
    # Far longer than any wait for one answer, and beyond what the system's timers take.
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "99999999999")
    assert settings.etag_timeout() == 10.0
    assert "HF_HUB_ETAG_TIMEOUT='99999999999' is not a whole number" in capsys.readouterr().err


def test_huggingface_hub_imported_after_hubfork_gets_the_default_timeouts():
    # huggingface_hub parses these with int() at import: abc would fail the import, -5 its downloads.
    script = ("import hubfork, os, huggingface_hub.constants as c; "
              "print(c.HF_HUB_DOWNLOAD_TIMEOUT, c.HF_HUB_ETAG_TIMEOUT, os.environ['HF_HUB_DOWNLOAD_TIMEOUT'])")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HF_HUB_DOWNLOAD_TIMEOUT": "abc", "HF_HUB_ETAG_TIMEOUT": "-5"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10", "10", "10"]
    assert error_lines(result.stderr) == [
        "hubfork: warning: HF_HUB_DOWNLOAD_TIMEOUT='abc' is not a whole number from 1 to 86400; using 10",
        "hubfork: warning: HF_HUB_ETAG_TIMEOUT='-5' is not a whole number from 1 to 86400; using 10"]


def test_a_good_timeout_reaches_huggingface_hub_as_given():
    script = "import hubfork, huggingface_hub.constants as c; print(c.HF_HUB_DOWNLOAD_TIMEOUT)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HF_HUB_DOWNLOAD_TIMEOUT": "7"})
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "7", "")


def test_the_command_line_warns_about_a_bad_timeout_and_goes_on(offline_hf):
    result = run_cli("pull", "org/repo", env={**offline_hf, "HF_HUB_DOWNLOAD_TIMEOUT": "0.5"})
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert lines[0] == "hubfork: warning: HF_HUB_DOWNLOAD_TIMEOUT='0.5' is not a whole number from 1 to 86400; using 10"
    assert len(lines) == 2 and lines[1].startswith("hubfork: error: 'org/repo': offline (HF_HUB_OFFLINE=1)")


# ---------------------------------------------------------------- offline mode


@pytest.mark.parametrize("value, reason", [("1", "HF_HUB_OFFLINE=1"), ("yes", "HF_HUB_OFFLINE=yes"), ("0", None),
                                           ("off", None), ("", None)])
def test_offline_values_that_are_clear_are_taken_quietly(monkeypatch, capsys, value, reason):
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    not_offline_at_import(monkeypatch)
    assert settings.offline_reason() == reason
    assert capsys.readouterr().err == ""


def test_an_unclear_offline_value_is_taken_as_off_with_a_warning(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "y")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    not_offline_at_import(monkeypatch)
    assert settings.offline_reason() is None
    assert settings.offline_reason() is None
    assert error_lines(capsys.readouterr().err) == [
        "hubfork: warning: HF_HUB_OFFLINE='y' is neither 1, ON, YES, TRUE nor 0, OFF, NO, FALSE; taken as off, "
        "as huggingface_hub takes it"]


# --------------------------------------------------------------------- folders


def test_usable_folder_takes_folders_and_paths_not_made_yet(tmp_path):
    assert usable_folder("X", tmp_path) == tmp_path
    assert usable_folder("X", tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    (tmp_path / "link").symlink_to(tmp_path)
    assert usable_folder("X", tmp_path / "link") == tmp_path / "link"


def test_usable_folder_refuses_a_file_a_path_under_one_and_a_broken_link(tmp_path, a_file):
    with pytest.raises(SettingError) as caught:
        usable_folder("X", a_file / "sub" / "deeper", "the text")
    assert str(caught.value) == f"X='the text': must name a folder, but {a_file} is a file"
    assert caught.value.variable == "X"
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(SettingError, match="is a broken link"):
        usable_folder("X", tmp_path / "dangling")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(SettingError, match="fifo is not a folder"):
        usable_folder("X", fifo)


@pytest.mark.parametrize("variable", ["HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME"])
def test_a_hugging_face_folder_variable_naming_a_file_is_an_error(monkeypatch, a_file, variable):
    for name in ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "HF_TOKEN_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, str(a_file))
    with pytest.raises(SettingError, match=f"^{variable}='.*': must name a folder, but .* is a file$"):
        settings.hub_cache()


def test_hf_home_naming_a_file_is_an_error_even_beside_an_explicit_cache(monkeypatch, tmp_path, a_file):
    # huggingface_hub reads its token from HF_HOME/token at every request, whatever the cache.
    monkeypatch.setenv("HF_HOME", str(a_file))
    with pytest.raises(SettingError, match="^HF_HOME="):
        settings.hub_cache(tmp_path)


def test_a_token_path_naming_a_folder_or_under_a_file_is_an_error(monkeypatch, tmp_path, a_file):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path))
    with pytest.raises(SettingError, match="^HF_TOKEN_PATH='.*': must name the token's file, but it is a folder$"):
        settings.hub_cache()
    monkeypatch.setenv("HF_TOKEN_PATH", str(a_file / "token"))
    with pytest.raises(SettingError, match=f"^HF_TOKEN_PATH='.*': must name a folder, but {a_file} is a file$"):
        settings.hub_cache()
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "token"))
    assert settings.hub_cache() == tmp_path / "home" / "hub"


@pytest.mark.parametrize("variable, read", [("HUBFORK_HOME", constants.home_dir),
                                            ("HUBFORK_CACHE", constants.cache_dir)])
def test_a_hubfork_folder_variable_naming_a_file_is_an_error(monkeypatch, a_file, variable, read):
    monkeypatch.setenv(variable, str(a_file / "sub"))
    with pytest.raises(SettingError, match=f"^{variable}='.*': must name a folder, but .* is a file$"):
        read()


def test_the_default_hubfork_folders_follow_a_bad_xdg_cache_home(monkeypatch, a_file):
    monkeypatch.delenv("HUBFORK_HOME")
    monkeypatch.delenv("HUBFORK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(a_file))
    for read in (constants.home_dir, constants.cache_dir):
        with pytest.raises(SettingError, match="^XDG_CACHE_HOME="):
            read()


def test_tensorflow_hubs_cache_naming_a_file_finds_nothing_there(monkeypatch, a_file):
    # hubfork only looks for models tensorflow_hub already fetched there; it never writes there.
    from hubfork.hub.backends.tfhub import tfhub_cache_folder
    from hubfork.hub.resolvers import resolve

    monkeypatch.setenv("TFHUB_CACHE_DIR", str(a_file))
    assert tfhub_cache_folder(resolve("https://tfhub.dev/google/nnlm-en-dim128/2")) is None


def test_the_command_line_says_which_variable_names_a_file(offline_hf, a_file):
    # Online (on a closed port): huggingface_hub read its token from HF_HOME/token and failed there.
    pulled = run_cli("pull", "org/repo", env={**offline_hf, "HF_HOME": str(a_file), "HF_HUB_OFFLINE": "",
                                              "HF_ENDPOINT": "http://127.0.0.1:9"})
    assert pulled.returncode == 1
    assert error_lines(pulled.stderr) == [f"hubfork: error: HF_HOME='{a_file}': must name a folder, but {a_file} is "
                                          "a file"]
    searched = run_cli("search", "bert", env={"HUBFORK_HOME": str(a_file)})
    assert searched.returncode == 1 and searched.stdout == ""
    assert error_lines(searched.stderr) == [f"hubfork: error: HUBFORK_HOME='{a_file}': must name a folder, but "
                                            f"{a_file} is a file"]


# -------------------------------------------------------------------- encodings


def test_an_ascii_terminal_gets_escapes_instead_of_a_traceback():
    env = {"PYTHONIOENCODING": "ascii"}
    shown = run_cli("show", "google/universal-sentence-encoder/4", env=env)
    assert shown.returncode == 0 and shown.stderr == ""
    assert "\\u2026" in shown.stdout and shown.stdout.isascii()
    searched = run_cli("search", "universal-sentence-encoder", env=env)
    assert searched.returncode == 0 and searched.stderr == ""
    assert "google/universal-sentence-encoder/4" in searched.stdout and searched.stdout.isascii()


def test_a_warning_about_a_value_the_terminal_cannot_show_is_escaped():
    result = run_cli("search", "universal-sentence-encoder",
                     env={"PYTHONIOENCODING": "ascii", "HF_HUB_ETAG_TIMEOUT": "\u00e9"})
    assert result.returncode == 0
    assert error_lines(result.stderr) == ["hubfork: warning: HF_HUB_ETAG_TIMEOUT='\\xe9' is not a whole number from 1 "
                                          "to 86400; using 10"]
