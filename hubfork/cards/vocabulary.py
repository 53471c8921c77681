"""The tag vocabulary cards are checked against (dataset, language, license,
network-architecture, task, interactive-visualizer ids; colab and demo URLs).

The project ships it as ``tags.json`` beside this module, made from tfhub.dev's
``tags/*.yaml`` by ``scripts/update_vocabulary.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Mapping

from hubfork.handles import split_url

#: Card metadata keys checked against another key's vocabulary.
_ALIASES = {"module-type": "task"}
_SEPARATORS = re.compile(r"[\s_]+")


def _normal(value: str) -> str:
    """The id a free-text value most likely means: "Wikipedia and BooksCorpus" -> "wikipedia-and-bookscorpus"."""
    return _SEPARATORS.sub("-", value.strip().lower())


@dataclass(frozen=True)
class Vocabulary:
    """Allowed values per metadata key: id -> display name."""

    values: Mapping[str, Mapping[str, str]]
    #: Keys whose values are URLs, with the domain they must be on (or None).
    url_keys: Mapping[str, str | None]

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> "Vocabulary":
        """The vocabulary the project ships."""
        text = resources.files("hubfork.cards").joinpath("tags.json").read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(data["values"], data["url_keys"])

    @classmethod
    def from_tags_dir(cls, folder: str | Path) -> "Vocabulary":
        """Read tfhub.dev-style ``tags/*.yaml`` files (``values: [{id, display_name}]``,
        or ``format: url`` with an optional ``required_domain``)."""
        import yaml

        values: dict[str, dict[str, str]] = {}
        url_keys: dict[str, str | None] = {}
        for path in sorted(Path(folder).glob("*.yaml")):
            key = path.stem.replace("_", "-")
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if data.get("format") == "url":
                url_keys[key] = data.get("required_domain")
            else:
                values[key] = {
                    str(item["id"]): str(item.get("display_name", item["id"])) for item in data.get("values", [])
                }
        return cls(values, url_keys)

    def to_json(self) -> str:
        data = {
            "values": {k: dict(sorted(v.items())) for k, v in sorted(self.values.items())},
            "url_keys": dict(sorted(self.url_keys.items())),
        }
        return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"

    def check(self, key: str, value: str) -> str | None:
        """Why `value` is not a known value of `key`, or None when it is (or `key`
        has no vocabulary)."""
        vocab_key = _ALIASES.get(key, key)
        if vocab_key in self.url_keys:
            parts = split_url(value)
            if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
                return f"'{key}' should be a URL, not {value!r}"
            domain = self.url_keys[vocab_key]
            if domain and parts.hostname != domain:
                return f"'{key}' should be a URL on {domain}, not {value!r}"
            return None
        known = self.values.get(vocab_key)
        if known is None or value in known:
            return None
        message = f"unknown {vocab_key} {value!r}"
        if _normal(value) in known:
            message += f" (did you mean {_normal(value)!r}?)"
        return message + f"; known values are in the {vocab_key} vocabulary"

    @property
    def language_ids_by_name(self) -> dict[str, str]:
        """``{"english": "en", ...}`` from the language display names."""
        return {name.lower(): lang for lang, name in self.values.get("language", {}).items()}
