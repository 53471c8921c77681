"""The TensorFlow tokenizer gives the Hugging Face tokenizer's ids and offsets.

Uncased: all-MiniLM-L6-v2's own `tokenizer.json`. Cased: the same pipeline with
``lowercase=False, strip_accents=False`` over a cased vocab made from MiniLM's
(see `write_cased_vocab`). Texts: a crafted set of the known pitfalls, every
line of the sample cards and seeds in tests/data (real prose nobody wrote for a test), and
every code point in context.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hubfork.errors import ModelError
from hubfork.models import _tf
from hubfork.models.tokenizer import MAX_CHARS_PER_WORD, SPECIAL_TOKENS, make_tokenizer, read_vocab
from tests.conftest import ROOT, SAMPLE_PATHS, SAMPLES, SEEDS
from tests.fixtures.models import minilm_folder

tf = _tf.tensorflow()

LONG = "x" * (MAX_CHARS_PER_WORD - 1)
# The known pitfalls, one family a line or so.
CRAFTED = [
    "Café déjà vu, naïve coöperation, Ångström, façade, ÉCOLE, Ñandú, São Paulo, Zürich",
    "cafe\u0301 e\u0301\u0301 a\u0308\u0304 \u0301lead Tiếng Việt có dấu, Zażółć gęślą jaźń",
    "中文分词测试：我爱北京天安门。 \U00020000\U0002A700\U0002B820\U0002B920\U0002F800 \uf900\ufa6c",
    "日本語のテキスト、カタカナとひらがな。ｶﾀｶﾅ ー 한국어 텍스트입니다. 서울",
    "한" * 40,  # 40 characters, but 120 jamo after NFD: [UNK] only when uncased
    "I ❤️ NY 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 🥰🫠 😀😀😀 #️⃣",
    "a\x00b\x01c\x7fd\x85e\u200bf\u200cg\u200dh\u2060i\ufeffj\u00adk\u180el",
    "tab\tnew\nline\rcr\x0bvt\x0cff\x1cfs \u202eRTL override\u202c \ufffd replaced \ue000 private \U000F0000",
    "no\u00a0break thin\u2009space ideographic\u3000space line\u2028sep para\u2029sep nnbsp\u202fx",
    "Wait... what?!?! (really) [sic] {x} <y> «z» „q“ — – ‐ ¿¡ ⹂ ⸿ ⹃ ፠",
    "!!!???...,,,;;;::: $100 + 50% = #1 @user ^_^ `code` ~tilde~ |pipe| \\back\\",
    "a" * 100, "a" * 101, "é" * 100, "é" * 101, "ü" * 50 + "e" * 50, "ü" * 50 + "e" * 51,
    "\u0301" + "a" * 100, "a" * 100 + "\u200b", LONG + "é", LONG + "ée", "İ" * 60, "ǅ" * 101,
    "ΟΔΟΣ ΣΑΣ Σίσυφος ὈΔΥΣΣΕΎΣ ς σ Σ ΣΣ",
    "İstanbul ISPARTA ıssız İİ ı i\u0307 İ",
    "Straße STRASSE ẞ ß Fußball ŉ",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ！？（）１２３",
    "x² + y³ = z⁴ H₂O ½ ﬁne ﬀ Ⅻ ℌ ㎏ … ‥ ′ ″ ™ © ® ≠ ≮ a\u1fefb",
    "مرحبا بالعالم! السلام عليكم اَلْعَرَبِيَّةُ שָׁלוֹם עוֹלָם",
    "https://tfhub.dev/google/bert_uncased_L-12_H-768_A-12/1?tf-hub-format=compressed#x",
    "me@example.com 3.14159 1,000,000 -42 1e-10 0x1F 2024-01-01T12:00:00Z ٣٤٥ १२३",
    "the [MASK] is [mask] and [CLS][SEP][PAD][UNK] x[MASK]y [[MASK]] [MASK [Mask] [ MASK ]",
    "[MASK]\u0301 \u0301[SEP] [MA\u200bSK] [UNK]é [CLS]",
    "", " ", "\t\n \r", "\x00", "\u200b\u200b", "\u3000", "\x01\x02\x03",
    "हिन्दी ภาษาไทย தமிழ் ПРИВЕТ мир Ёж Հայերեն Καλημέρα κόσμε",
    "𝐀𝐁𝐂 𝔸𝔹 𝒜 \U0001D15E\U0001D160 a\U0001D16D\U0001D165b \U000E0041 \U000E0100",
    # The known limits (see hubfork.models.tokenizer): marks NFD would reorder,
    # case new in Unicode 16, a decomposition Hugging Face lacks. [UNK] either way.
    "a\u1df6\u1df9 x\U0001D16D\U0001D165 \ua7cb \U00011938",
]


def real_lines() -> list[str]:
    """Every line of every markdown card in the sample and of every seed (tests/data)."""
    files = sorted(SAMPLE_PATHS) + sorted(SEEDS.glob("*"))
    assert files, f"no test text under {SAMPLES} and {SEEDS}"
    return [line for path in files for line in path.read_text(encoding="utf-8").split("\n")]


def write_cased_vocab(path: Path) -> Path:
    """A cased vocab: MiniLM's, then (appended, so its ids stay) cased forms.

    The additions are the capitalised and upper-case forms of MiniLM's whole-word
    ASCII tokens, capital letters as word starts and continuations, and accented,
    Greek, Turkish and German letters and combining marks, so that cased real
    text finds cased pieces and the cased/uncased differences show in the ids.
    """
    base = read_vocab(minilm_folder() / "vocab.txt")
    seen, extra = set(base), []

    def add(token: str) -> None:
        if token not in seen:
            seen.add(token)
            extra.append(token)

    for token in base:
        if token.isascii() and token.isalpha() and token.islower() and len(token) > 1:
            add(token.capitalize())
            add(token.upper())
    for char in ("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
                 "ĞğİıŞşŁłŒœŠšẞßΣσςΑΒΓΔΟΠΡΤ\u0301\u0308\u0307"):
        add(char)
        add("##" + char)
    path.write_text("\n".join(base + extra) + "\n", encoding="utf-8")
    return path


def hf_uncased():
    from tokenizers import Tokenizer

    hf = Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))
    hf.no_padding()
    hf.no_truncation()
    return hf


def hf_cased(vocab: Path):
    """Hugging Face's BERT pipeline, cased, over `vocab`."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    hf = Tokenizer(models.WordPiece.from_file(str(vocab), unk_token="[UNK]", max_input_chars_per_word=100))
    hf.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False,
                                               lowercase=False)
    hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    hf.add_special_tokens(list(SPECIAL_TOKENS))
    ids = {t: hf.token_to_id(t) for t in ("[CLS]", "[SEP]")}
    hf.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=list(ids.items()))
    return hf


@pytest.fixture(scope="module", params=["uncased", "cased"])
def case(request, tmp_path_factory):
    """(casing, our tokenizer, Hugging Face's tokenizer, vocab tokens)."""
    if request.param == "uncased":
        vocab, hf = minilm_folder() / "vocab.txt", hf_uncased()
    else:
        vocab = write_cased_vocab(tmp_path_factory.mktemp("cased") / "vocab.txt")
        hf = hf_cased(vocab)
    return request.param, make_tokenizer(vocab, request.param == "uncased"), hf, read_vocab(vocab)


def ours(tokenizer, texts: list[str]) -> list[list[int]]:
    return tokenizer.tokenize(tf.constant(texts)).merge_dims(1, 2).to_list()


def theirs(hf, texts: list[str]) -> list[list[int]]:
    return [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]


def assert_same(texts, mine, reference):
    wrong = [(text[:60], m, r) for text, m, r in zip(texts, mine, reference) if m != r]
    assert not wrong, f"{len(wrong)} of {len(texts)} differ, e.g. {wrong[:3]}"


def test_crafted_texts_match_hugging_face(case):
    _, tokenizer, hf, _ = case
    assert_same(CRAFTED, ours(tokenizer, CRAFTED), theirs(hf, CRAFTED))


def test_every_line_of_the_sample_cards_matches_hugging_face(case):
    _, tokenizer, hf, _ = case
    lines = real_lines()
    assert len(lines) > 1000
    assert_same(lines, ours(tokenizer, lines), theirs(hf, lines))


def test_every_code_point_matches_hugging_face(case):
    # Each character between letters and alone: cleaning, punctuation, CJK,
    # decomposition, marks and case of every code point that has any (planes
    # 0-2 and the tags/variation selectors of plane 14), plus private use.
    _, tokenizer, hf, _ = case
    points = [*range(0x30000), *range(0xE0000, 0xE0200), 0xF0000, 0x10FFFD, 0x10FFFF]
    texts = [f"a{chr(cp)}b {chr(cp)}" for cp in points if not 0xD800 <= cp <= 0xDFFF]
    assert_same(texts, ours(tokenizer, texts), theirs(hf, texts))


def byte_offsets(text: str, char_offsets) -> list[tuple[int, int]]:
    """Hugging Face's character offsets into `text` as byte offsets."""
    at = [0]
    for char in text:
        at.append(at[-1] + len(char.encode("utf-8")))
    return [(at[start], at[end]) for start, end in char_offsets]


def test_offsets_match_hugging_face(case):
    _, tokenizer, hf, _ = case
    texts = CRAFTED + real_lines()
    ids, starts, limits = tokenizer.tokenize_with_offsets(tf.constant(texts))
    starts, limits = starts.merge_dims(1, 2).to_list(), limits.merge_dims(1, 2).to_list()
    encodings = hf.encode_batch(texts, add_special_tokens=False)
    mine = [list(zip(s, e)) for s, e in zip(starts, limits)]
    assert_same(texts, mine, [byte_offsets(t, e.offsets) for t, e in zip(texts, encodings)])


def test_offsets_of_whole_words_slice_the_original_word(case):
    casing, tokenizer, _, vocab = case
    texts = real_lines()
    ids, starts, limits = tokenizer.tokenize_with_offsets(tf.constant(texts))
    # Words of one piece: their text, their piece, their span.
    one = (ids.values.row_lengths() == 1).numpy()
    first = ids.values.row_starts().numpy()[one]
    text_of = ids.value_rowids().numpy()[one]
    pieces = ids.flat_values.numpy()[first]
    spans = zip(starts.flat_values.numpy()[first], limits.flat_values.numpy()[first])
    data = [text.encode("utf-8") for text in texts]
    checked = 0
    for row, piece, (start, limit) in zip(text_of, pieces, spans):
        word = data[row][start:limit].decode("utf-8")
        if word.isascii() and vocab[piece] != "[UNK]":
            verbatim = casing == "cased" or word in SPECIAL_TOKENS  # the cards do write "[CLS]"
            assert vocab[piece] == (word if verbatim else word.lower()), texts[row]
            checked += 1
    assert checked > 5000


def test_output_types(case):
    _, tokenizer, _, _ = case
    ids, starts, limits = tokenizer.tokenize_with_offsets(tf.constant(["Hello there, world!", ""]))
    assert isinstance(ids, tf.RaggedTensor) and ids.dtype == tf.int32 and ids.ragged_rank == 2
    assert ids.shape.rank == 3 and ids.nrows() == 2
    assert starts.dtype == limits.dtype == tf.int64
    assert ids.to_list()[1] == []


def test_special_tokens_in_the_text_are_special(case):
    casing, tokenizer, _, vocab = case
    ids = {t: i for i, t in enumerate(vocab)}
    got = ours(tokenizer, ["the [MASK] is", "[mask]", "x[SEP]y", "[CLS][PAD][UNK]", "[Mask]", "[MA\u200bSK]"])
    assert ids["[MASK]"] in got[0]
    assert got[1] == [ids["["], ids["mask"], ids["]"]]  # lower-case: not the token, in either model
    assert got[2][1] == ids["[SEP]"] and len(got[2]) == 3
    assert got[3] == [ids["[CLS]"], ids["[PAD]"], ids["[UNK]"]]
    assert ids["[MASK]"] not in got[4] and ids["[MASK]"] not in got[5]  # matched before cleaning, case-sensitive


def test_blank_text_has_no_words(case):
    _, tokenizer, _, _ = case
    blank = ["", " ", "\t\n\r ", "\x00\x01\x7f", "\u200b\u2060\ufeff", "\u3000\u00a0 \U000F0000"]
    assert tokenizer.tokenize(tf.constant(blank)).to_list() == [[]] * len(blank)


def test_words_over_100_characters_are_unknown(case):
    casing, tokenizer, _, vocab = case
    unk = vocab.index("[UNK]")
    got = ours(tokenizer, ["a" * 100, "a" * 101, "é" * 100, "é" * 101, "한" * 40])
    assert got[0] != [unk] and got[1] == [unk]
    assert got[2] != [unk] and got[3] == [unk]  # 200 bytes is not too long: characters count
    if casing == "uncased":
        assert got[4] == [unk]  # 40 syllables are 120 jamo after NFD


def test_casing_follows_hugging_face_not_nfkc(case):
    casing, tokenizer, _, vocab = case
    ids = {t: i for i, t in enumerate(vocab)}
    got = ours(tokenizer, ["ß", "…", "！", "²", "ΟΔΟΣ", "İ", "ẞ"])
    assert got[:4] == [[ids["ß"]], [ids["…"]], [ids["！"]], [ids["²"]]]  # NFKC would give ss ... ! 2
    if casing == "uncased":
        assert ids["##σ"] in got[4] and ids["##ς"] not in got[4]  # no final sigma
        assert got[5] == [ids["i"]]  # NFD, then the dot above is dropped
        assert got[6] == [ids["ß"]]
    else:
        assert got[5] == [ids["İ"]] and got[6] == [ids["ẞ"]]


def test_a_batch_of_a_thousand_sentences_gives_each_its_own_pieces(case):
    # How fast: benchmarks/tokenize_bench.py.
    _, tokenizer, _, _ = case
    lines = [line for line in real_lines() if len(line.split()) > 3]
    texts = (lines * (1000 // len(lines) + 1))[:1000]
    alone = {line: ours(tokenizer, [line])[0] for line in lines[:50]}
    batched = ours(tokenizer, texts)
    assert len(batched) == 1000
    assert [batched[i] for i, text in enumerate(texts) if text in alone] == [alone[t] for t in texts if t in alone]


def test_a_vocab_without_the_special_tokens_is_refused(tmp_path):
    lacking = tmp_path / "lacking.txt"
    lacking.write_text("[PAD]\n[UNK]\n[SEP]\nhello\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"\[CLS\]"):
        make_tokenizer(lacking, True)
    repeated = tmp_path / "repeated.txt"
    repeated.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nhello\n", encoding="utf-8")
    with pytest.raises(ModelError, match="repeats"):
        make_tokenizer(repeated, True)


def test_importing_the_module_does_not_import_tensorflow(tripwire):
    code = ("import hubfork.models.tokenizer as t, hubfork.models.export.preprocessor\n"
            "assert t.normalize_char('É', True) == 'e'\n"
            "t.split_patterns(True, t.SPECIAL_TOKENS)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": f"{tripwire}:{ROOT}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
