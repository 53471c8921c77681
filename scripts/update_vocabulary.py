"""Regenerate hubfork/cards/tags.json from tfhub.dev-style tags/*.yaml files.

Usage: python scripts/update_vocabulary.py [TAGS_DIR]   (default: tests/data/cards-sample/tags)
"""

from __future__ import annotations

import sys
from pathlib import Path

from hubfork._files import atomic_write_text
from hubfork.cards.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    tags = Path(argv[0]) if argv else ROOT / "tests" / "data" / "cards-sample" / "tags"
    vocabulary = Vocabulary.from_tags_dir(tags)
    target = ROOT / "hubfork" / "cards" / "tags.json"
    atomic_write_text(target, vocabulary.to_json())
    counts = ", ".join(f"{key}: {len(ids)}" for key, ids in sorted(vocabulary.values.items()))
    print(f"wrote {target} ({counts}; url keys: {', '.join(sorted(vocabulary.url_keys))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
