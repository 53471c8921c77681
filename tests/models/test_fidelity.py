"""Converted weights against code nobody here wrote: PyTorch transformers and
sentence-transformers on the same checkpoints.

The encoder is fed token ids from the Hugging Face tokenizer, so these tests
measure the encoder alone (the preprocessor has its own fidelity tests).
"""

from __future__ import annotations

import numpy as np
import pytest

from hubfork.models import _tf
from hubfork.models.convert import convert
from hubfork.models.inspection import inspect_model
from tests.fixtures.models import minilm_folder, real_sentences

tf = _tf.tensorflow()
hub = _tf.tensorflow_hub()
# The references are declared test dependencies (pyproject's `test` extra): imported, not skipped
# when missing. After TensorFlow, the order these tests always loaded them in.
import torch  # noqa: E402
import transformers  # noqa: E402


@pytest.fixture(scope="module")
def minilm_v3(embedded_hub):
    """MiniLM converted to a v3 encoder by hubfork's converter (the embedded hub's build, made once per
    session), loaded as users load it."""
    folder = embedded_hub.repo_path("hubfork/all-MiniLM-L6-v2")
    facts = inspect_model(folder)
    assert (facts.generation, facts.casing, facts.architecture.label) == ("v3", "uncased", "L-6_H-384_A-12")
    return hub.KerasLayer(str(folder))


def _tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))


@pytest.fixture(scope="module")
def sentences():
    """32 of the real sentences, in token-length order: the shortest, the longest (past the 256 tokens
    both sides truncate at) and evenly spaced between. They span the lengths all of them span, short
    texts, texts past the preprocessor's 128 positions and a truncated one; each batch holds texts of
    similar length, so the tokens compared, not padding, are what the comparison costs."""
    found = real_sentences(300)
    assert len(found) >= 250
    tokenizer = _tokenizer()
    tokenizer.no_truncation()
    tokenizer.no_padding()
    lengths = [len(e.ids) for e in tokenizer.encode_batch(found)]
    by_length = sorted(range(len(found)), key=lambda i: (lengths[i], i))
    chosen = [by_length[i] for i in np.linspace(0, len(found) - 1, 32).round().astype(int)]
    assert lengths[chosen[0]] == min(lengths) < 16 and lengths[chosen[-1]] == max(lengths) > 256
    assert sum(128 < lengths[i] <= 256 for i in chosen) >= 2
    return [found[i] for i in chosen]


def _hf_batches(sentences, max_length=256, batch_size=8):
    tokenizer = _tokenizer()
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding()
    for start in range(0, len(sentences), batch_size):
        encoded = tokenizer.encode_batch(sentences[start:start + batch_size])
        yield {
            "input_word_ids": np.array([e.ids for e in encoded], np.int32),
            "input_mask": np.array([e.attention_mask for e in encoded], np.int32),
            "input_type_ids": np.array([e.type_ids for e in encoded], np.int32),
        }


def test_minilm_matches_transformers_bert_model(minilm_v3, sentences):
    reference = transformers.BertModel.from_pretrained(str(minilm_folder())).eval()
    worst_sequence = worst_pooled = 0.0
    for batch in _hf_batches(sentences):
        ours = minilm_v3(batch)
        with torch.no_grad():
            theirs = reference(input_ids=torch.from_numpy(batch["input_word_ids"]).long(),
                               attention_mask=torch.from_numpy(batch["input_mask"]).long(),
                               token_type_ids=torch.from_numpy(batch["input_type_ids"]).long())
        # Padding positions carry no meaning (and no comparable value): compare real tokens.
        real = batch["input_mask"].astype(bool)
        difference = np.abs(ours["sequence_output"].numpy() - theirs.last_hidden_state.numpy())[real]
        worst_sequence = max(worst_sequence, float(difference.max()))
        worst_pooled = max(worst_pooled, float(np.abs(ours["pooled_output"].numpy()
                                                     - theirs.pooler_output.numpy()).max()))
    assert worst_sequence < 1e-4, worst_sequence
    assert worst_pooled < 1e-4, worst_pooled


def test_minilm_sentence_embeddings_match_sentence_transformers(minilm_v3, sentences):
    import sentence_transformers as st

    model = st.SentenceTransformer(str(minilm_folder()), device="cpu")
    theirs = model.encode(sentences, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    ours = []
    for batch in _hf_batches(sentences, max_length=model.max_seq_length):
        sequence = minilm_v3(batch)["sequence_output"].numpy()
        mask = batch["input_mask"][..., None].astype(np.float32)
        mean = (sequence * mask).sum(1) / mask.sum(1)
        ours.append(mean / np.linalg.norm(mean, axis=1, keepdims=True))
    difference = float(np.abs(np.concatenate(ours) - theirs).max())
    assert difference < 1e-4, difference


def test_random_bert_for_masked_lm_converted_to_v4(tmp_path):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"tok{i}" for i in range(95)]
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=48, num_hidden_layers=3,
                                     num_attention_heads=4, intermediate_size=96, max_position_embeddings=64)
    torch.manual_seed(0)
    reference = transformers.BertForMaskedLM(config).eval()
    folder = tmp_path / "hf"
    reference.save_pretrained(folder, safe_serialization=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    result = convert(tmp_path / "v4", "v4", checkpoint=folder)
    assert any("pooler" in note for note in result.notes)  # BertForMaskedLM has none

    rng = np.random.default_rng(0)
    ids = rng.integers(5, len(vocab), size=(3, 20)).astype(np.int32)
    ids[:, 0], ids[:, -1] = 2, 3
    mask = np.ones_like(ids)
    mask[1, 15:] = 0
    positions = np.array([[1, 5, 7], [2, 3, 14], [10, 11, 18]], np.int32)
    encoder = hub.load(str(tmp_path / "v4"))
    ours = hub.KerasLayer(encoder.mlm)(dict(input_word_ids=ids, input_mask=mask, input_type_ids=np.zeros_like(ids),
                                            masked_lm_positions=positions))["mlm_logits"].numpy()
    with torch.no_grad():
        logits = reference(input_ids=torch.from_numpy(ids).long(), attention_mask=torch.from_numpy(mask).long()).logits
    theirs = np.take_along_axis(logits.numpy(), positions[..., None].astype(np.int64), axis=1)
    assert ours.shape == (3, 3, len(vocab))
    assert float(np.abs(ours - theirs).max()) < 1e-4
