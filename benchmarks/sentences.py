"""Real English sentences nobody here wrote, in a deterministic order, for benchmarks.

First the sentences the tests use (`tests.fixtures.models.real_sentences`: sample
catalogue cards, the seeds, MiniLM's card), then the prose of every card of the
vendored tfhub.dev catalogue (cards/tfhub.dev), in path order: all of it in the
repository, so every machine and every run gets the same sentences. Kept: 3 to 80
words, no URLs, no code or markup-heavy lines, mostly ASCII (English), not
shouting, each once.

  python benchmarks/sentences.py [N]   # print the first N (default 1000), one per line
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

MIN_WORDS, MAX_WORDS = 3, 80
_URL = re.compile(r"https?://|www\.|\w+\.(com|org|io|dev|html?)\b|@\w+\.", re.I)
# Characters that mark markup, code or tables rather than prose.
_MARKUP = set("`<>[]{}|#*=_\\~^$")
_FENCE = re.compile(r"^(```|~~~).*?^(```|~~~)[^\n]*$", re.S | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
# Lines that open a paragraph which is not prose: code, tables, headings, rst directives, prompts.
_NOT_PROSE = re.compile(r"^(\s{4}|\t|\||#|\.\. |>>>|\$ |[=\-~^*+]{3,}\s*$|:\w+:)")


def collect_sentences(count: int = 1000) -> list[str]:
    """The first `count` sentences (fewer if the cards do not hold that many)."""
    from tests.fixtures.models import real_sentences

    seen: set[str] = set()
    sentences: list[str] = []

    def add(candidates: list[str]) -> None:
        for sentence in candidates:
            if len(sentences) >= count:
                return
            if sentence not in seen and is_prose(sentence):
                seen.add(sentence)
                sentences.append(sentence)

    add(real_sentences(100000))
    for text in catalogue_texts():
        if len(sentences) >= count:
            break
        add(split_sentences(text))
    return sentences


def catalogue_texts() -> list[str]:
    """The text of every card of the vendored tfhub.dev catalogue, in path order."""
    from tests.conftest import SAMPLES

    return [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.rglob("*.md"))]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`'s prose paragraphs (code blocks, tables and headings dropped)."""
    text = _FENCE.sub("\n\n", text.replace("\r\n", "\n"))
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = paragraph.split("\n")
        if any(_NOT_PROSE.match(line) for line in lines):
            continue
        # A list item's bullet is not part of its sentence.
        joined = " ".join(re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", line) for line in lines)
        sentences += [s.strip() for s in _SENTENCE_END.split(" ".join(joined.split())) if s.strip()]
    return sentences


def is_prose(sentence: str) -> bool:
    """A sentence worth embedding: a plain English sentence of 3 to 80 words."""
    words = sentence.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or _URL.search(sentence):
        return False
    if not sentence[0].isupper() or sentence[-1] not in ".!?":
        return False
    if sum(c in _MARKUP for c in sentence) > 2 or sum(not c.isascii() for c in sentence) > len(sentence) // 20:
        return False
    letters = [c for c in sentence if c.isalpha()]
    # Licence shouting (THE SOFTWARE IS PROVIDED...) and identifier soup are not prose.
    return len(letters) >= 0.6 * len(sentence) and sum(c.isupper() for c in letters) <= 0.3 * len(letters)


if __name__ == "__main__":
    for line in collect_sentences(int(sys.argv[1]) if len(sys.argv) > 1 else 1000):
        print(line)
