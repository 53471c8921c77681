"""A CLI call prints what hubfork means to say: TensorFlow's start-up logging and
tensorflow_hub's pkg_resources warning stay off stderr unless ``--verbose``."""

from __future__ import annotations

import pytest

from hubfork.models._quiet import is_chatter
from tests.conftest import isolate, run_cli

# What TensorFlow, CUDA, absl and tensorflow_hub print on their own when nobody quiets them.
NOISE = ("onednn", "cuda", "absl", "pkg_resources", "i0000", "e0000", "w0000", "to enable the following instructions")


@pytest.mark.parametrize("line, chatter", [
    ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n", True),
    ("I0000 00:00:1795962750.437162   27058 port.cc:153] oneDNN custom operations are on.\n", True),
    ("W0000 00:00:1795962750.439761   27058 cudart_stub.cc:31] Could not find cuda drivers\n", True),
    ("E0000 00:00:1795962754.080895   27058 cuda_platform.cc:52] failed call to cuInit\n", False),
    ("Traceback (most recent call last):\n", False),
    ("hubfork: error: no such model\n", False),
])
def test_only_info_and_warning_lines_of_absl_are_chatter(line, chatter):
    assert is_chatter(line) is chatter


def _embed(encoder, preprocessor, *options: str, env: dict[str, str] | None = None):
    return run_cli(*options, "embed", "--model", str(encoder), "--preprocessor", str(preprocessor), "hello",
                   env=env)


# An explicit level, whatever the environment the tests run in sets: "0" is TensorFlow's own default,
# what a user who set nothing gets.
LOUDEST = {"TF_CPP_MIN_LOG_LEVEL": "0"}


@pytest.fixture(scope="module")
def quiet(generations, tiny_preprocessor, tmp_path_factory):
    """One fresh process's plain ``hubfork embed`` (its C++ start-up lines are on fd 2, which only a real
    process shows), read by both tests below; `isolate`d as each test is (a module's fixture runs before
    `isolated_env`)."""
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, tmp_path_factory)
        return _embed(generations["v3"], tiny_preprocessor, env=LOUDEST)


@pytest.mark.subprocess
def test_embed_prints_only_hubfork_s_own_output(quiet):
    assert quiet.returncode == 0, quiet.stderr
    assert "1 embedding (pooled pooling)" in quiet.stdout and "hello" in quiet.stdout
    found = [word for word in NOISE if word in quiet.stderr.lower()]
    assert not found, quiet.stderr


def test_verbose_lets_tensorflow_speak_and_still_embeds(quiet, generations, tiny_preprocessor):
    # The level a parent that imported TensorFlow through hubfork leaves: --verbose speaks all the same.
    loud = _embed(generations["v3"], tiny_preprocessor, "--verbose", env={"TF_CPP_MIN_LOG_LEVEL": "2"})
    assert loud.returncode == 0, loud.stderr
    assert loud.stdout == quiet.stdout
    assert any(is_chatter(line) for line in loud.stderr.splitlines()), loud.stderr
    # What TensorFlow logs depends on the machine (CPU, GPU, drivers); whatever it is, it is
    # only in the verbose run.
    assert not any(is_chatter(line) for line in quiet.stderr.splitlines())
