"""What the Beam tests share: a tiny v3 encoder with its preprocessor (tests/fixtures/models.py), the
same model loaded in this process as the reference, and a corpus of a few hundred lines over three files
(two plain text files and one JSONL file). Nothing here needs the internet."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.models import WORDS, real_sentences

pytest.importorskip("apache_beam")

#: The options every run uses: the reference embeds with the same.
POOLING, NORMALIZE = "mean", True


@pytest.fixture(autouse=True)
def _hf_isolated(hf_isolated):
    return hf_isolated


@dataclass(frozen=True)
class TinyModel:
    encoder: Path
    preprocessor: Path

    def load_options(self) -> dict:
        return {"preprocessor": str(self.preprocessor)}


@pytest.fixture(scope="session")
def tiny_model(wide_encoders, tiny_preprocessor) -> TinyModel:
    return TinyModel(wide_encoders["v3"], tiny_preprocessor)


@pytest.fixture(scope="session")
def reference(tiny_model):
    """The model `embed_corpus` loads on its workers, loaded here: its `embed` is what every vector must equal."""
    import hubfork

    return hubfork.load_text_model(tiny_model.encoder, preprocessor=tiny_model.preprocessor)


def texts(count: int, seed: int) -> list[str]:
    """`count` texts of 1 to 40 words of the tiny vocab (so their token counts, and paddings, differ) mixed
    with real sentences (mostly [UNK] to the tiny vocab)."""
    draw = random.Random(seed)
    real = real_sentences(100)
    return [draw.choice(real) if i % 5 == 0 else " ".join(draw.choices(WORDS, k=draw.randint(1, 40)))
            for i in range(count)]


@dataclass(frozen=True)
class Corpus:
    folder: Path
    glob: str
    #: id -> text, for every line that should come out embedded.
    expected: dict[str, str]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Corpus:
    """300 texts: a.txt (120 lines, a blank line among them), sub/b.txt (80), c.jsonl (100 records)."""
    folder = tmp_path_factory.mktemp("corpus")
    expected: dict[str, str] = {}
    a = texts(120, seed=1)
    lines_a = a[:60] + [""] + a[60:]  # the blank line 61 is skipped; later ids keep their line numbers
    (folder / "a.txt").write_text("\n".join(lines_a) + "\n", encoding="utf-8")
    expected.update({f"a.txt:{n}": t for n, t in enumerate(lines_a, 1) if t})
    (folder / "sub").mkdir()
    b = texts(80, seed=2)
    (folder / "sub" / "b.txt").write_text("\n".join(b) + "\n", encoding="utf-8")
    expected.update({f"sub/b.txt:{n}": t for n, t in enumerate(b, 1)})
    c = texts(100, seed=3)
    records = [{"id": f"doc-{i:03d}", "text": t} for i, t in enumerate(c)]
    (folder / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    expected.update({r["id"]: r["text"] for r in records})
    assert len(expected) == 300
    return Corpus(folder, str(folder / "**"), expected)


def read_output(folder: Path) -> list[tuple[str, np.ndarray]]:
    """Every (id, vector) of the embeddings files in `folder`, duplicates kept, whatever their format."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    found: list[tuple[str, np.ndarray]] = []
    for path in sorted(folder.glob("embeddings-*")):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            vector = table.schema.field("vector").type
            assert table.schema.field("id").type == pa.string()
            assert pa.types.is_list(vector) and vector.value_type == pa.float32()
            found += [(row["id"], np.asarray(row["vector"], np.float32)) for row in table.to_pylist()]
        else:
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                found.append((record["id"], np.asarray(record["vector"], np.float32)))
    return found


def read_errors(folder: Path) -> list[dict]:
    path = folder / "errors-00000-of-00001.jsonl"
    return sorted((json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()),
                  key=lambda r: (r["file"], r["line"]))


def assert_embedded(found: list[tuple[str, np.ndarray]], expected: dict[str, str], reference) -> None:
    """Each expected id exactly once, its vector `TextModel.embed`'s for its text within 1e-6."""
    ids = [identifier for identifier, _ in found]
    assert sorted(ids) == sorted(expected), "ids missing, repeated or unexpected"
    order = sorted(expected)
    want = reference.embed([expected[i] for i in order], pooling=POOLING, normalize=NORMALIZE)
    got = np.stack([dict(found)[i] for i in order])
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
