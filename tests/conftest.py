"""Fixtures for every test: where the test data is (tests/data, in the repository),
an isolated hubfork cache, and a way to run the real CLI in a subprocess."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Fixtures several folders share, registered once so that each session fixture is built once.
# tests.fixtures.lanes marks every test with its lanes (tf, slow, browser, ...) from the fixtures it uses.
pytest_plugins = ("tests.fixtures.lanes", "tests.fixtures.models", "tests.fixtures.hub",
                  "tests.fixtures.kaggle_emulator", "tests.fixtures.tfhub_emulator")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # see tests/data/README.md
SEEDS = DATA / "seeds"
#: The vendored tfhub.dev catalogue (cards/tfhub.dev): its cards and tag vocabularies.
CATALOGUE = ROOT / "cards" / "tfhub.dev"
SAMPLES = CATALOGUE / "assets" / "docs"
TAGS = CATALOGUE / "tags"
#: 21 catalogue cards (relative to `SAMPLES`) the sample tests cover: every first-line kind (Module,
#: Placeholder, Lite, Tfjs, Coral, Publisher, Collection), both BERT API generations, preprocessors and
#: a TF1 Hub-format module. Tests that read "every sample card" read these, not all 2,819.
SAMPLE_CARDS = (
    "google/collections/bert/1.md",
    "google/google.md",
    "google/models/bert_multi_cased_L-12_H-768_A-12/1.md",
    "google/models/imagenet/mobilenet_v2_075_224/feature_vector/3/default/tfjs/1.md",
    "google/models/imagenet/mobilenet_v2_100_224/feature_vector/1.md",
    "google/models/universal-sentence-encoder/4.md",
    "sayannath/sayannath.md",
    "sayannath/zero-dce/1.md",
    "svampeatlas/models/vision/classifier/fungi_mobile_V1/1/default/lite/1.md",
    "svampeatlas/svampeatlas.md",
    "tensorflow/models/bert_en_cased_L-12_H-768_A-12/1.md",
    "tensorflow/models/bert_en_cased_L-12_H-768_A-12/2.md",
    "tensorflow/models/bert_en_cased_L-12_H-768_A-12/3.md",
    "tensorflow/models/bert_en_cased_L-12_H-768_A-12/4.md",
    "tensorflow/models/bert_en_cased_preprocess/1.md",
    "tensorflow/models/bert_en_cased_preprocess/3.md",
    "tensorflow/models/bert_en_uncased_preprocess/3.md",
    "tensorflow/models/mobilenet_v1_1.0_224_quantized/1/default/coral/1.md",
    "tensorflow/models/small_bert/bert_en_uncased_L-2_H-128_A-2/1.md",
    "tensorflow/models/small_bert/bert_en_uncased_L-2_H-128_A-2/2.md",
    "tensorflow/tensorflow.md",
)
SAMPLE_PATHS = [SAMPLES / rel for rel in SAMPLE_CARDS]

# tfhub.dev and Kaggle Models are live sources, but no test may reach them: tests that fetch from them run
# loopback emulators and point these at them; every other fetch is refused at once (nothing listens on port 9).
for _variable in ("HUBFORK_TFHUB_ENDPOINT", "HUBFORK_KAGGLE_ENDPOINT"):
    os.environ.setdefault(_variable, "http://127.0.0.1:9")
# kagglehub 1.x has no URL variable: its LOCALHOST environment is http://localhost, where nothing listens
# unless a test's Kaggle emulator proxies it (tests/fixtures/kaggle_emulator.py).
os.environ.setdefault("KAGGLE_API_ENVIRONMENT", "LOCALHOST")

# Hypothesis: no deadlines anywhere (a deadline is a wall-clock assert; speed is measured in
# benchmarks/). Under CI (the CI environment variable set, as CI services do) every run draws the
# same examples, from a seed derived from each test, and keeps no example database between runs,
# so a result depends on the code alone; locally runs stay random and remember failing examples.
# `pytest --hypothesis-profile NAME` picks a profile explicitly.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)


def in_ci() -> bool:
    """Whether this run is CI's (the CI environment variable set, as CI services do)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


settings.load_profile("ci" if in_ci() else "dev")

# Modules that must never be imported on the card, registry and browse paths.
HEAVY_MODULES = ("tensorflow", "tensorflow_hub", "tensorflow_text", "tf_keras", "keras", "torch")


def isolate(patch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Its own hubfork cache, an empty hubfork home (no user registry) and no registry override."""
    patch.setenv("HUBFORK_CACHE", str(tmp_path_factory.mktemp("hubfork-cache")))
    patch.setenv("HUBFORK_HOME", str(tmp_path_factory.mktemp("hubfork-home")))
    patch.delenv("HUBFORK_REGISTRY", raising=False)
    # Tables are laid out for COLUMNS when it is set; a test that wants a width sets it. (A terminal's
    # COLUMNS, or pytest-xdist's workers, which set 80, would otherwise change what every table shows.)
    patch.delenv("COLUMNS", raising=False)
    patch.delenv("LINES", raising=False)


@pytest.fixture(scope="session", autouse=True)
def run_model_cache(tmp_path_factory):
    """The run's own Hugging Face home (its cache, no token), shared by its workers: a model a test
    downloads comes from a hub in this run, never from what the machine's cache kept of an earlier build
    (``~/.cache``). A test that sets HF_HOME or HF_HUB_CACHE itself still gets its own."""
    from tests.fixtures.shared import run_folder

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HOME", str(run_folder(tmp_path_factory) / "hf-home"))
        for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_TOKEN", "HF_TOKEN_PATH"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Each test runs `isolate`d (a module's fixture, which runs before it, can call `isolate` itself)."""
    isolate(monkeypatch, tmp_path_factory)


@pytest.fixture(scope="session")
def tripwire(tmp_path_factory) -> Path:
    """A folder of fake heavy packages that kill the process (exit 97) when imported.

    Put it first on PYTHONPATH to prove a command never imports TensorFlow & co.
    A real install would import silently; this makes the import itself fail the test.
    """
    folder = tmp_path_factory.mktemp("tripwire")
    for name in HEAVY_MODULES:
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text(
            "import os, sys\n"
            f"sys.stderr.write('TRIPWIRE: {name} imported\\n')\n"
            "os._exit(97)\n"
        )
    return folder


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            pythonpath: list[Path] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m hubfork ARGS`` the way a user would, in a fresh process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    if pythonpath:
        full_env["PYTHONPATH"] = os.pathsep.join([str(p) for p in pythonpath] + [full_env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "hubfork", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        input=input,
        timeout=300,
    )


def run_cli_here(*args: str, env: dict[str, str] | None = None, input: str | None = None,
                 cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``hubfork ARGS`` through `hubfork.cli.main.main` in this process, with what it prints
    captured: the same command a user runs, without a fresh Python's start (about a second each, six
    with TensorFlow). For a test of what a command does and prints; `run_cli` stays the test of a real
    process (its start-up, exit status, imports, signals, TensorFlow's own log lines on fd 2)."""
    import io

    from hubfork.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    # The command may set variables for itself (`keep_quiet` silences TensorFlow through one): they end
    # with it, as they would with its process, instead of reaching the processes later tests start.
    with _environ_restored(), pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.setattr(sys, "stdin", io.StringIO(input or ""))
        patch.chdir(cwd or ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["hubfork", *args], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _environ_restored():
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def embedded_hub(tmp_path_factory):
    """hubfork's embedded hub (all-MiniLM-L6-v2 and its preprocessor), built once per session by a
    real conversion (about 15 s, with TensorFlow) in a temporary folder, which HUBFORK_LOCAL_HUB
    names for the rest of the session: fetching ``hubfork/all-MiniLM-L6-v2`` then serves it from there.
    The folder is the run's, shared by pytest-xdist's workers: the first to get there builds it, the
    others wait for it as any process needing the embedded hub does (`ensure_embedded_hub`)."""
    from hubfork.constants import ENV_LOCAL_HUB
    from hubfork.hub.embedded import ensure_embedded_hub
    from tests.fixtures.shared import run_folder

    root = run_folder(tmp_path_factory) / "shared-embedded-hub" / "local-hub"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_LOCAL_HUB, str(root))
        yield ensure_embedded_hub()
