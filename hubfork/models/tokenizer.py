"""BERT word-piece tokenization in TensorFlow that gives the ids Hugging Face gives.

`make_tokenizer(vocab_file, lower_case)` returns a `tf.Module` whose
`tokenize(strings)` maps a batch of UTF-8 strings to a RaggedTensor of ids
``[batch, words, pieces]``, as the Hugging Face `tokenizers` library does with a
BERT `tokenizer.json` (``BertNormalizer``, ``BertPreTokenizer``, ``WordPiece``
with ``max_input_chars_per_word=100``, the five special tokens as added tokens).
The module is what `hubfork.models.export.preprocessor` saves as a TF Hub
preprocessor; every op in it is a TensorFlow or TensorFlow Text op.

Choices, where BERT implementations disagree (Hugging Face wins each time):

- Special tokens written in the text (``[CLS] [SEP] [MASK] [PAD] [UNK]``,
  case-sensitive, matched before any normalization, even inside a word) map to
  their ids, as Hugging Face's added tokens do: ``"the [MASK] is"`` gives the
  mask id, ``"[mask]"`` in an uncased model gives ``[ mask ]``. The original BERT
  code split them into ``[``, ``mask``, ``]``.
- Lower-casing is not TensorFlow Text's ``lower_case=True`` (NFKC case folding,
  which turns ``ß`` into ``ss``, ``…`` into ``...``, fullwidth punctuation and
  super/subscript digits into ASCII) nor ``tf.strings.lower`` (ICU, which writes
  a final ``Σ`` as ``ς``). Uncased text is, character by character: NFD,
  nonspacing marks dropped, then full lower case (``İ`` -> ``I`` + U+0307 ->
  ``i``; ``ẞ`` -> ``ß``, ``ß`` kept; ``Σ`` -> ``σ`` everywhere, no final
  ``ς``). Cased text is neither decomposed nor lower-cased.
- Cleaning: NUL, U+FFFD and control, format and private-use characters are
  dropped (so ``"a\\u200bb"`` is one word); other whitespace separates words;
  each CJK ideograph is a word of its own; punctuation (ASCII symbols and
  Unicode P*, judged after normalization, so uncased ``≠`` is ``=``) is a word
  of its own.
- The character classes are Unicode 8.0's, as in the ``unicode_categories``
  crate behind Hugging Face's normalizer (e.g. U+166D counts as punctuation,
  U+2E43 does not); decomposition and lower case come from Python's
  `unicodedata` when the model is built.
- A word of more than 100 characters (after normalization) is ``[UNK]``:
  Hugging Face counts characters where TensorFlow Text counts bytes.
- Empty text, or text of only spaces and control characters, has no words:
  packed, it is ``[CLS] [SEP]``.

Byte offsets (`tokenize_with_offsets`) point into the original strings: a piece
spans the original characters it was normalized from, as Hugging Face's do.

Known limits, none of which changes an id with BERT's vocabs (such words are
``[UNK]`` either way): NFD runs a character at a time, so marks that uncased
text keeps (spacing marks, marks newer than Unicode 8) are not reordered
across characters; decomposition and lower case are those of the building
Python's `unicodedata` (14.0 on Python 3.11), where Hugging Face lower-cases
with Unicode 16 (e.g. U+A7CB) and does not decompose U+11938.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from hubfork.errors import ModelError
from hubfork.models.vocab import SPECIAL_TOKENS, read_vocab

#: Longer words (in characters, after normalization) become ``[UNK]``.
MAX_CHARS_PER_WORD = 100

# Unicode 8.0 tables, as in the `unicode_categories` crate that Hugging Face's
# BertNormalizer (format characters, Cf; nonspacing marks, Mn) and
# BertPreTokenizer (punctuation, P*, beyond ASCII) use. Newer Unicode moved or
# added characters, so these cannot come from today's `unicodedata`.
_FORMAT = """
00AD 0600-0605 061C 06DD 070F 180E 200B-200F 202A-202E 2060-2064 2066-206F FEFF FFF9-FFFB 110BD
1BCA0-1BCA3 1D173-1D17A E0001 E0020-E007F
"""
_PUNCTUATION = """
00A1 00A7 00AB 00B6-00B7 00BB 00BF 037E 0387 055A-055F 0589-058A 05BE 05C0 05C3 05C6 05F3-05F4
0609-060A 060C-060D 061B 061E-061F 066A-066D 06D4 0700-070D 07F7-07F9 0830-083E 085E 0964-0965
0970 0AF0 0DF4 0E4F 0E5A-0E5B 0F04-0F12 0F14 0F3A-0F3D 0F85 0FD0-0FD4 0FD9-0FDA 104A-104F 10FB
1360-1368 1400 166D-166E 169B-169C 16EB-16ED 1735-1736 17D4-17D6 17D8-17DA 1800-180A 1944-1945
1A1E-1A1F 1AA0-1AA6 1AA8-1AAD 1B5A-1B60 1BFC-1BFF 1C3B-1C3F 1C7E-1C7F 1CC0-1CC7 1CD3 2010-2027
2030-2043 2045-2051 2053-205E 207D-207E 208D-208E 2308-230B 2329-232A 2768-2775 27C5-27C6
27E6-27EF 2983-2998 29D8-29DB 29FC-29FD 2CF9-2CFC 2CFE-2CFF 2D70 2E00-2E2E 2E30-2E42 3001-3003
3008-3011 3014-301F 3030 303D 30A0 30FB A4FE-A4FF A60D-A60F A673 A67E A6F2-A6F7 A874-A877
A8CE-A8CF A8F8-A8FA A8FC A92E-A92F A95F A9C1-A9CD A9DE-A9DF AA5C-AA5F AADE-AADF AAF0-AAF1 ABEB
FD3E-FD3F FE10-FE19 FE30-FE52 FE54-FE61 FE63 FE68 FE6A-FE6B FF01-FF03 FF05-FF0A FF0C-FF0F
FF1A-FF1B FF1F-FF20 FF3B-FF3D FF3F FF5B FF5D FF5F-FF65 10100-10102 1039F 103D0 1056F 10857 1091F
1093F 10A50-10A58 10A7F 10AF0-10AF6 10B39-10B3F 10B99-10B9C 11047-1104D 110BB-110BC 110BE-110C1
11140-11143 11174-11175 111C5-111C9 111CD 111DB 111DD-111DF 11238-1123D 112A9 114C6 115C1-115D7
11641-11643 1173C-1173E 12470-12474 16A6E-16A6F 16AF5 16B37-16B3B 16B44 1BC9F 1DA87-1DA8B
"""
_NONSPACING_MARKS = """
0300-033F 0342 0345-036F 0483-0487 0591-05BD 05BF 05C1-05C2 05C4-05C5 05C7 0610-061A 064B-065F
0670 06D6-06DC 06DF-06E4 06E7-06E8 06EA-06ED 0711 0730-074A 07A6-07B0 07EB-07F3 0816-0819
081B-0823 0825-0827 0829-082D 0859-085B 08E3-0902 093A 093C 0941-0948 094D 0951-0957 0962-0963
0981 09BC 09C1-09C4 09CD 09E2-09E3 0A01-0A02 0A3C 0A41-0A42 0A47-0A48 0A4B-0A4D 0A51 0A70-0A71
0A75 0A81-0A82 0ABC 0AC1-0AC5 0AC7-0AC8 0ACD 0AE2-0AE3 0B01 0B3C 0B3F 0B41-0B44 0B4D 0B56
0B62-0B63 0B82 0BC0 0BCD 0C00 0C3E-0C40 0C46-0C47 0C4A-0C4D 0C55-0C56 0C62-0C63 0C81 0CBC 0CBF
0CC6 0CCC-0CCD 0CE2-0CE3 0D01 0D41-0D44 0D4D 0D62-0D63 0DCA 0DD2-0DD4 0DD6 0E31 0E34-0E3A
0E47-0E4E 0EB1 0EB4-0EB9 0EBB-0EBC 0EC8-0ECD 0F18-0F19 0F35 0F37 0F39 0F71-0F72 0F74 0F77
0F79-0F7E 0F80 0F82-0F84 0F86-0F87 0F8D-0F92 0F94-0F97 0F99-0F9C 0F9E-0FA1 0FA3-0FA6 0FA8-0FAB
0FAD-0FB8 0FBA-0FBC 0FC6 102D-1030 1032-1037 1039-103A 103D-103E 1058-1059 105E-1060 1071-1074
1082 1085-1086 108D 109D 135D-135F 1712-1714 1732-1734 1752-1753 1772-1773 17B4-17B5 17B7-17BD
17C6 17C9-17D3 17DD 180B-180D 18A9 1920-1922 1927-1928 1932 1939-193B 1A17-1A18 1A1B 1A56
1A58-1A5E 1A60 1A62 1A65-1A6C 1A73-1A7C 1A7F 1AB0-1ABD 1B00-1B03 1B34 1B36-1B3A 1B3C 1B42
1B6B-1B73 1B80-1B81 1BA2-1BA5 1BA8-1BA9 1BAB-1BAD 1BE6 1BE8-1BE9 1BED 1BEF-1BF1 1C2C-1C33
1C36-1C37 1CD0-1CD2 1CD4-1CE0 1CE2-1CE8 1CED 1CF4 1CF8-1CF9 1DC0-1DF5 1DFC-1DFF 20D0-20DC 20E1
20E5-20F0 2CEF-2CF1 2D7F 2DE0-2DFF 302A-302D 3099-309A A66F A674-A67D A69E-A69F A6F0-A6F1 A802
A806 A80B A825-A826 A8C4 A8E0-A8F1 A926-A92D A947-A951 A980-A982 A9B3 A9B6-A9B9 A9BC A9E5
AA29-AA2E AA31-AA32 AA35-AA36 AA43 AA4C AA7C AAB0 AAB2-AAB4 AAB7-AAB8 AABE-AABF AAC1 AAEC-AAED
AAF6 ABE5 ABE8 ABED FB1E FE00-FE0F FE20-FE2F 101FD 102E0 10376-1037A 10A01-10A03 10A05-10A06
10A0C-10A0F 10A38-10A3A 10A3F 10AE5-10AE6 11001 11038-11046 1107F-11081 110B3-110B6 110B9-110BA
11100-11102 11127-1112B 1112D 11130-11134 11173 11180-11181 111B6-111BE 111CA-111CC 1122F-11231
11234 11236-11237 112DF 112E3-112EA 11300-11301 1133C 11340 11366-1136C 11370-11374 114B3-114B8
114BA 114BF-114C0 114C2-114C3 115B2-115B5 115BC-115BD 115BF-115C0 115DC-115DD 11633-1163A 1163D
1163F-11640 116AB 116AD 116B0-116B5 116B7 1171D-1171F 11722-11725 11727-1172B 16AF0-16AF4
16B30-16B36 16F8F-16F92 1BC9D-1BC9E 1D167-1D169 1D17B-1D182 1D185-1D18B 1D1AA-1D1AD 1D242-1D244
1DA00-1DA36 1DA3B-1DA6C 1DA75 1DA84 1DA9B-1DA9F 1DAA1-1DAAF 1E8D0-1E8D6 E0100-E01EF
"""
_CONTROL = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))  # Cc but \t \n \r
_PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_ASCII_PUNCTUATION = ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E))
# Rust's char::is_whitespace minus the control characters cleaning drops first.
_WHITESPACE = (
    (0x09, 0x0A), (0x0D, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
    (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
)
# BERT's "Chinese character" blocks, as Hugging Face spells them.
_CJK = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)
# Above this, no character decomposes or has a lower case.
_LAST_MAPPED = 0x2FFFF

Ranges = tuple[tuple[int, int], ...]


def _parse(table: str) -> Ranges:
    """``"00AD 0600-0605"`` -> ``((0xAD, 0xAD), (0x600, 0x605))``."""
    out = []
    for item in table.split():
        first, _, last = item.partition("-")
        out.append((int(first, 16), int(last or first, 16)))
    return tuple(out)


def _merge(*tables: Ranges) -> Ranges:
    """The union of range tables, sorted, overlapping and touching ranges joined."""
    out: list[list[int]] = []
    for first, last in sorted(r for table in tables for r in table):
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return tuple((first, last) for first, last in out)


def _contains(table: Ranges, cp: int) -> bool:
    """Whether `cp` is in `table` (sorted, as `_merge` makes them)."""
    i = bisect.bisect_right(table, (cp, 0x110000)) - 1
    return i >= 0 and table[i][0] <= cp <= table[i][1]


@functools.cache
def _dropped() -> Ranges:
    """Characters cleaning removes: NUL and other controls, format, private use, U+FFFD."""
    return _merge(_CONTROL, _parse(_FORMAT), _PRIVATE_USE, ((0xFFFD, 0xFFFD),))


@functools.cache
def _marks() -> frozenset[int]:
    return frozenset(cp for first, last in _parse(_NONSPACING_MARKS) for cp in range(first, last + 1))


@functools.cache
def _punctuation() -> Ranges:
    return _merge(_ASCII_PUNCTUATION, _parse(_PUNCTUATION))


def normalize_char(char: str, lower_case: bool) -> str:
    """What Hugging Face's BertNormalizer makes of one character inside a word.

    Whitespace and CJK spacing are left out: those characters never reach here,
    since they separate words.
    """
    if _contains(_dropped(), ord(char)):
        return ""
    if not lower_case:
        return char
    marks = _marks()
    stripped = "".join(c for c in unicodedata.normalize("NFD", char) if ord(c) not in marks)
    # One character at a time, so a final capital sigma is never a final small one.
    return "".join(c.lower() for c in stripped)


@functools.cache
def _removed(lower_case: bool) -> Ranges:
    """Characters that vanish, as ranges (the rest of the vanishing ones are in `_char_map`)."""
    if not lower_case:
        return _dropped()
    return _merge(_dropped(), _parse(_NONSPACING_MARKS))


@functools.cache
def _char_map(lower_case: bool) -> dict[int, str]:
    """Every character that normalizes to something else (besides dropped ones)."""
    if not lower_case:
        return {}
    removed = _removed(lower_case)
    table = {}
    for cp in range(_LAST_MAPPED + 1):
        if 0xD800 <= cp <= 0xDFFF or _contains(removed, cp):
            continue
        char = chr(cp)
        out = normalize_char(char, lower_case)
        if out != char:
            table[cp] = out
    return table


def _is_punctuation(char: str) -> bool:
    return _contains(_punctuation(), ord(char))


@functools.cache
def _isolated(lower_case: bool) -> Ranges:
    """Characters that are a word of their own: punctuation (after normalization) and CJK."""
    extra = []
    for cp, out in _char_map(lower_case).items():
        # e.g. U+1FEF GREEK VARIA decomposes to "`": Hugging Face splits after
        # normalizing, so it is punctuation in uncased models only.
        if any(_is_punctuation(c) for c in out):
            if len(out) != 1:  # no such character in Unicode 14; splitting raw text relies on it
                raise ModelError(f"U+{cp:04X} normalizes to mixed punctuation {out!r}")
            extra.append((cp, cp))
    return _merge(_punctuation(), _CJK, tuple(extra))


def _char_class(table: Ranges) -> str:
    """An RE2 character class matching the code points in `table`."""
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in table)
    return "[" + "".join(parts) + "]"


def split_patterns(lower_case: bool, special_tokens: tuple[str, ...]) -> tuple[str, str]:
    """RE2 patterns (delimiters, kept delimiters) that cut raw text into words.

    Splitting the original text rather than the normalized one keeps byte
    offsets exact; it gives the same words because normalization never makes
    or unmakes whitespace, punctuation or a CJK ideograph, except the
    characters `_isolated` adds.
    """
    isolated = _char_class(_isolated(lower_case))
    special = "|".join(re.escape(t) for t in special_tokens)
    keep = f"(?:{special})|{isolated}" if special else isolated
    return f"{keep}|{_char_class(_WHITESPACE)}", keep


def make_tokenizer(vocab_file: str | Path, lower_case: bool) -> Any:
    """A `tf.Module` with `tokenize`, `tokenize_with_offsets` and `get_special_tokens_dict`.

    Raises `ModelError` if the vocab lacks ``[PAD]``, ``[UNK]``, ``[CLS]`` or
    ``[SEP]``, or repeats a token.
    """
    return _tokenizer_class()(vocab_file, lower_case)


def _ids(vocab_file: str | Path) -> tuple[dict[str, int], int]:
    tokens = read_vocab(vocab_file)
    ids = {token: i for i, token in enumerate(tokens)}
    if len(ids) != len(tokens):
        raise ModelError(f"{vocab_file}: the vocab repeats tokens")
    missing = [t for t in SPECIAL_TOKENS[:4] if t not in ids]
    if missing:
        raise ModelError(f"{vocab_file}: the vocab lacks {' '.join(missing)}")
    return ids, len(tokens)


def _bounds(table: Ranges) -> list[int]:
    """Range starts and ends+1 interleaved: x is inside iff an odd number of them are <= x."""
    return [b for first, last in table for b in (first, last + 1)]


@functools.cache
def _tokenizer_class() -> type:
    from hubfork.models import _tf

    tf = _tf.tensorflow()
    text = _tf.tensorflow_text()
    import numpy as np

    def in_ranges(cp, bounds):
        return tf.math.floormod(tf.searchsorted(bounds, cp, side="right"), 2) == 1

    def utf8_length(cp):
        return 1 + tf.cast(cp >= 0x80, tf.int64) + tf.cast(cp >= 0x800, tf.int64) + tf.cast(cp >= 0x10000, tf.int64)

    class BertTokenizer(tf.Module):
        """BERT tokenization with Hugging Face's ids; see the module docstring."""

        def __init__(self, vocab_file: str | Path, lower_case: bool):
            super().__init__(name="bert_tokenizer")
            ids, vocab_size = _ids(vocab_file)
            self.lower_case = bool(lower_case)
            self.vocab_file = tf.saved_model.Asset(str(vocab_file))
            table = tf.lookup.StaticHashTable(
                tf.lookup.TextFileInitializer(
                    self.vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                    tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER,
                ),
                default_value=-1,
            )
            # Words of over 100 characters are replaced by "[UNK]" before this
            # sees them, so its byte limit never decides anything.
            self._wordpiece = text.WordpieceTokenizer(
                table, suffix_indicator="##", max_bytes_per_word=4 * MAX_CHARS_PER_WORD,
                token_out_type=tf.int64, unknown_token="[UNK]",
            )
            specials = tuple(t for t in SPECIAL_TOKENS if t in ids)
            self._specials = np.array(specials, dtype=object)
            self._special_ids = {
                "start_of_sequence_id": ids["[CLS]"],
                "end_of_segment_id": ids["[SEP]"],
                "padding_id": ids["[PAD]"],
                **({"mask_id": ids["[MASK]"]} if "[MASK]" in ids else {}),
                "vocab_size": vocab_size,
            }
            self._delimiters, self._kept = split_patterns(self.lower_case, specials)
            self._removed_bounds = np.array(_bounds(_removed(self.lower_case)), dtype=np.int32)
            mapping = sorted(_char_map(self.lower_case).items())
            # Sorted keys, and each key's replacement as a slice of one array;
            # a sentinel key and a spare value keep every gather in range.
            self._map_keys = np.array([cp for cp, _ in mapping] + [0x7FFFFFFF], dtype=np.int32)
            self._map_lengths = np.array([len(out) for _, out in mapping] + [0], dtype=np.int32)
            self._map_values = np.array([ord(c) for _, out in mapping for c in out] + [0], dtype=np.int32)

        @property
        def special_ids(self) -> dict[str, int]:
            """``start_of_sequence_id``, ``end_of_segment_id``, ``padding_id``, ``mask_id``, ``vocab_size``."""
            return dict(self._special_ids)

        @tf.function(input_signature=[])
        def get_special_tokens_dict(self):
            return {k: tf.constant(v, tf.int32) for k, v in self._special_ids.items()}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def tokenize(self, strings):
            """int32 ids ``[batch, words, pieces]``."""
            # A call, not a second copy of the graph and its tables.
            return self.tokenize_with_offsets(strings)[0]

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def tokenize_with_offsets(self, strings):
            """(ids, start offsets, limit offsets), offsets int64 bytes into `strings`."""
            return self._tokenize(strings)

        def _tokenize(self, strings):
            # TF Text's regex split stops at a NUL byte. NUL and U+0001 are both
            # one byte and both dropped, so swapping them changes no id or offset.
            strings = tf.strings.regex_replace(strings, "\\x00", "\x01")
            words, word_starts, _ = text.regex_split_with_offsets(strings, self._delimiters, self._kept)
            flat_words = words.flat_values
            n_words = tf.shape(flat_words, out_type=tf.int64)[0]
            special = tf.reduce_any(flat_words[:, None] == tf.constant(self._specials)[None, :], axis=1)

            # Characters, each with its byte span in the original string.
            chars, char_starts = tf.strings.unicode_decode_with_offsets(flat_words, "UTF-8", errors="replace")
            cp, char_word = chars.flat_values, chars.value_rowids()
            n_chars = tf.shape(cp, out_type=tf.int64)[0]
            in_word_start = char_starts.flat_values
            last = tf.concat([char_word[1:] != char_word[:-1], [True]], 0)[:n_chars]
            next_start = tf.concat([in_word_start[1:], [0]], 0)[:n_chars]
            word_bytes = tf.cast(tf.strings.length(flat_words), tf.int64)
            in_word_limit = tf.where(last, tf.gather(word_bytes, char_word), next_start)
            word_start = tf.gather(word_starts.flat_values, char_word)
            char_start, char_limit = word_start + in_word_start, word_start + in_word_limit

            # Normalize: each character becomes zero or more code points.
            verbatim = tf.gather(special, char_word)
            removed = in_ranges(cp, self._removed_bounds) & ~verbatim
            key = tf.searchsorted(self._map_keys, cp)
            mapped = (tf.gather(self._map_keys, key) == cp) & ~removed & ~verbatim
            map_lengths = tf.cast(self._map_lengths, tf.int64)
            zero = tf.constant(0, tf.int64)
            out_length = tf.where(removed, zero, tf.where(mapped, tf.gather(map_lengths, key), 1))
            out_char = tf.repeat(tf.range(n_chars), out_length)
            out_pos = tf.range(tf.reduce_sum(out_length)) - tf.gather(tf.cumsum(out_length, exclusive=True), out_char)
            map_starts = tf.cumsum(map_lengths, exclusive=True)
            source = tf.gather(tf.gather(map_starts, key), out_char) + out_pos
            out_cp = tf.where(tf.gather(mapped, out_char), tf.gather(self._map_values, source), tf.gather(cp, out_char))
            word_length = tf.math.unsorted_segment_sum(out_length, char_word, n_words)
            normalized = tf.strings.unicode_encode(tf.RaggedTensor.from_row_lengths(out_cp, word_length), "UTF-8")

            # Where each character's output starts, in all normalized words laid end to end.
            char_bytes = tf.math.unsorted_segment_sum(utf8_length(out_cp), out_char, n_chars)
            char_at = tf.cumsum(char_bytes, exclusive=True)
            word_bytes = tf.math.unsorted_segment_sum(char_bytes, char_word, n_words)
            word_at = tf.cumsum(word_bytes, exclusive=True)

            # Word pieces of the words left; too long ones are "[UNK]" whole.
            too_long = (word_length > MAX_CHARS_PER_WORD) & ~special
            normalized = tf.where(too_long, "[UNK]", normalized)
            kept = tf.where(word_length > 0)[:, 0]
            pieces, piece_starts, piece_limits = self._wordpiece.tokenize_with_offsets(tf.gather(normalized, kept))

            # Back to the original bytes: the characters that hold a piece's first and last byte.
            piece_word = tf.gather(kept, pieces.value_rowids())
            whole = tf.gather(too_long, piece_word)
            start = tf.where(whole, zero, piece_starts.flat_values)
            limit = tf.where(whole, tf.gather(word_bytes, piece_word), piece_limits.flat_values)
            base = tf.gather(word_at, piece_word)
            first = tf.searchsorted(char_at, base + start, side="right", out_type=tf.int64) - 1
            final = tf.searchsorted(char_at, base + limit - 1, side="right", out_type=tf.int64) - 1

            rows, nrows = tf.gather(words.value_rowids(), kept), words.nrows()

            def nest(values):
                return tf.RaggedTensor.from_value_rowids(pieces.with_flat_values(values), rows, nrows=nrows)

            ids = nest(tf.cast(pieces.flat_values, tf.int32))
            return ids, nest(tf.gather(char_start, first)), nest(tf.gather(char_limit, final))

    return BertTokenizer
