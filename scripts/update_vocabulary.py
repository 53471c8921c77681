"""Regenerate hubfork/cards/tags.json from tfhub.dev-style tags/*.yaml files.

Usage: python scripts/update_vocabulary.py [TAGS_DIR]   (default: cards/tfhub.dev/tags, the vendored catalogue's)
"""

from __future__ import annotations

import sys
from pathlib import Path

from hubfork._files import atomic_write_text
from hubfork.cards.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TAGS = ROOT / "cards" / "tfhub.dev" / "tags"
DEFAULT_TARGET = ROOT / "hubfork" / "cards" / "tags.json"


def write_vocabulary(tags: Path, target: Path = DEFAULT_TARGET) -> str:
    """Write the vocabulary of the tag files in `tags` to `target` (atomically); return a summary line.

    Raises:
        CardError: a tag file is not a tfhub.dev tag vocabulary.
        OSError: `target` cannot be written.
    """
    vocabulary = Vocabulary.from_tags_dir(tags)
    atomic_write_text(target, vocabulary.to_json())
    counts = ", ".join(f"{key}: {len(ids)}" for key, ids in sorted(vocabulary.values.items()))
    return f"wrote {target} ({counts}; url keys: {', '.join(sorted(vocabulary.url_keys))})"


def main(argv: list[str]) -> int:
    print(write_vocabulary(Path(argv[0]) if argv else DEFAULT_TAGS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
