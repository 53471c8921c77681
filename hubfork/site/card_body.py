"""The part of a card file its page renders: what follows the parts the page shows as facts.

A TF Hub card's first line (the handle), description and ``<!-- key: value -->`` metadata
block are read by `hubfork.cards.tfhub_format.parse_header` exactly as the registry read them;
the page shows them as its title, lead and facts, and renders the body from the line after.
A Hugging Face card's YAML front matter is metadata too, never text.
"""

from __future__ import annotations

from hubfork.cards.huggingface_format import has_front_matter, read_front_matter
from hubfork.cards.tfhub_format import looks_like_tfhub_card, parse_header


def card_markdown(text: str, path: str = "") -> str:
    """The markdown body of a card's text (newlines normalised to '\\n')."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and looks_like_tfhub_card(lines[0]):
        header = parse_header(lines, path)
        if header.kind is not None:
            return "\n".join(lines[header.body_line - 1:])
    if has_front_matter(text):
        return read_front_matter(text, path).body
    return text


__all__ = ["card_markdown"]
