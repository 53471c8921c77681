"""docs/notebooks/: stored without outputs, and run top to bottom in a real Jupyter kernel
(nbclient) against the embedded local hub, with every cache in a temporary folder."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.fixtures.hub import DEAD_ENDPOINT

QUICKSTART = ROOT / "docs" / "notebooks" / "quickstart.ipynb"
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
#: Seconds a cell may take: the first model load converts all-MiniLM-L6-v2 on a cold cache.
CELL_TIMEOUT = 600

nbformat = pytest.importorskip("nbformat")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebooks_are_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source
        assert "execution" not in cell.metadata


@pytest.fixture(scope="module")
def quickstart(embedded_hub, tmp_path_factory) -> dict[str, object]:
    """The quickstart notebook after a run, its code cells by tag."""
    nbclient = pytest.importorskip("nbclient")
    root = tmp_path_factory.mktemp("notebook")
    work = root / "work"
    work.mkdir()
    notebook = nbformat.read(QUICKSTART, as_version=4)
    # The kernel inherits this process's environment: the session's embedded hub (HUBFORK_LOCAL_HUB,
    # set by embedded_hub), and caches and a hubfork home of the test's own. HF_ENDPOINT is a closed
    # port, so nothing reaches huggingface.co; JUPYTER_DATA_DIR leaves out any user kernel spec, so
    # "python3" is ipykernel's own, run by this interpreter.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBFORK_CACHE", str(root / "hubfork-cache"))
        patch.setenv("HUBFORK_HOME", str(root / "hubfork-home"))
        patch.setenv("HF_HOME", str(root / "hf-home"))
        patch.setenv("HF_HUB_CACHE", str(root / "hf-cache"))
        patch.setenv("HF_ENDPOINT", DEAD_ENDPOINT)
        patch.setenv("JUPYTER_DATA_DIR", str(root / "jupyter"))
        patch.setenv("IPYTHONDIR", str(root / "ipython"))
        patch.delenv("HF_HUB_OFFLINE", raising=False)
        patch.delenv("HUBFORK_REGISTRY", raising=False)
        # What a user who set neither gets (this process's hubfork may have set both).
        patch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
        patch.delenv("TF_USE_LEGACY_KERAS", raising=False)
        client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": str(work)}})
        client.execute()
    cells = {}
    for cell in notebook.cells:
        for tag in cell.metadata.get("tags", []):
            cells[tag] = cell
    return {"notebook": notebook, "cells": cells, "hf_cache": root / "hf-cache"}


def text(cell) -> str:
    """What a cell printed, and its result as plain text."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type == "execute_result":
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def streams(cell, name: str) -> list[str]:
    """The lines a cell wrote to stdout or stderr, as a notebook shows them: a carriage return
    (a progress bar's update) overwrites its line."""
    written = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)
    return [line.rsplit("\r", 1)[-1] for line in written.splitlines() if line.rsplit("\r", 1)[-1].strip()]


def html(cell) -> str:
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert len(results) == 1, cell.source
    return results[0].data["text/html"]


def test_every_code_cell_ran_without_an_error(quickstart):
    code = [cell for cell in quickstart["notebook"].cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]


def test_models_came_from_the_embedded_hub_into_the_tests_cache(quickstart):
    assert (quickstart["hf_cache"] / "models--hubfork--all-MiniLM-L6-v2").is_dir()
    assert (quickstart["hf_cache"] / "models--hubfork--all-MiniLM-L6-v2_preprocess").is_dir()


def test_load_text_model_shows_a_table(quickstart):
    shown = html(quickstart["cells"]["load-text-model"])
    assert "<td>hubfork/all-MiniLM-L6-v2</td>" in shown
    assert '<th style="text-align:left">generation</th><td>v3</td>' in shown
    assert '<th style="text-align:left">preprocessor</th><td>companion</td>' in shown


def test_paraphrases_are_closer_than_an_unrelated_sentence(quickstart):
    printed = text(quickstart["cells"]["similarity"])
    assert "embeddings: (3, 384)" in printed
    paraphrases = float(re.search(r"paraphrases: (-?[\d.]+)", printed).group(1))
    unrelated = float(re.search(r"unrelated: (-?[\d.]+)", printed).group(1))
    assert paraphrases > 0.6 and unrelated < 0.2


def test_tensorflow_hub_calls_go_through_hubfork(quickstart):
    assert "pooled_output: (3, 384)" in text(quickstart["cells"]["keras-layer"])
    printed = text(quickstart["cells"]["tfhub-calls"]).splitlines()
    assert {"True", "do_lower_case: True", "vocab file: vocab.txt"} <= set(printed)


def test_fill_mask_gives_the_top_three_of_the_vocab(quickstart):
    # TensorFlow's own logging of the conversion may share stdout; the predictions are "token  score".
    found = re.findall(r"^ *(\S+)  (0\.\d{3})$", text(quickstart["cells"]["fill-mask"]), re.MULTILINE)
    assert len(found) == 3
    tokens = [token for token, _ in found]
    scores = [float(score) for _, score in found]
    vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "capital", "of", "france", "is", "paris", "a",
             "city", "."}
    assert set(tokens) <= vocab and len(set(tokens)) == 3
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)


def test_keras3_fit_trains_every_encoder_weight(quickstart):
    printed = text(quickstart["cells"]["keras3"])
    changed, total = map(int, re.search(r"encoder weights trained: (\d+) of (\d+)", printed).groups())
    assert changed == total > 0
    losses = [float(x) for x in re.search(r"loss per epoch: \[(.*)\]", printed).group(1).split(",")]
    assert len(losses) == 3


def test_search_and_entry(quickstart):
    import hubfork

    expected = hubfork.load_registry().search("bert", language="en")
    lines = text(quickstart["cells"]["search"]).splitlines()
    assert lines[0] == f"{len(expected)} entries; the first five:" and len(expected) >= 5
    assert [line.strip() for line in lines[1:]] == [entry.handle for entry in expected[:5]]
    assert '<th style="text-align:left">Handle</th><td>hubfork/all-MiniLM-L6-v2/1</td>' in html(
        quickstart["cells"]["entry"])


def test_scan_report_says_clean(quickstart):
    shown = html(quickstart["cells"]["scan"])
    assert "models--hubfork--all-MiniLM-L6-v2" in shown and ": clean (" in shown


#: A tqdm bar's line (huggingface_hub's "Fetching 6 files: 100%|██████████| 6/6 [00:01<00:00,  3.25it/s]").
PROGRESS_BAR = re.compile(r"^[^|]+: +\d+%\|[^|]*\| *\d+/\d+ \[[^\]]*\]$")


def code_cells(quickstart) -> list:
    return [cell for cell in quickstart["notebook"].cells if cell.cell_type == "code"]


def test_stderr_holds_nothing_but_progress_bars(quickstart):
    # TensorFlow's C++ start-up lines, CUDA's cuInit, absl's preamble, tqdm's "IProgress not found"
    # and TensorFlow's Python logging all went here before hubfork kept them out of sight.
    written = {cell.metadata["tags"][0]: streams(cell, "stderr") for cell in code_cells(quickstart)}
    assert {tag: [line for line in lines if not PROGRESS_BAR.match(line)] for tag, lines in written.items()} == {
        tag: [] for tag in written}
    assert any(written.values())  # the first load fetched the embedded hub's files, with a bar


def test_no_cell_writes_a_line_twice(quickstart):
    for cell in code_cells(quickstart):
        lines = streams(cell, "stdout") + streams(cell, "stderr")
        assert len(lines) == len(set(lines)), cell.source


def test_cells_that_ask_for_nothing_show_nothing(quickstart):
    for tag in ("install", "cleanup"):
        assert quickstart["cells"][tag].outputs == []


def test_tensorflow_logs_nothing_at_info(quickstart):
    # TensorFlow lowers its logger to INFO in Jupyter; hubfork's saves then logged "Assets written to".
    logged = [line for cell in code_cells(quickstart) for line in streams(cell, "stdout") + streams(cell, "stderr")
              if line.startswith("INFO:")]
    assert logged == []


def test_tensorflow_logs_no_warning(quickstart):
    logged = [line for cell in code_cells(quickstart) for line in streams(cell, "stdout")
              if line.startswith("WARNING:tensorflow:")]
    assert logged == []
