"""The models a Collection card lists: the tfhub.dev links of its body, as handles."""

from __future__ import annotations

from hubfork.cards.names import urls_in
from hubfork.handles import tfhub_collection_handle, tfhub_url_to_handle


def collection_members(kind: str | None, body_lines: list[str]) -> tuple[str, ...]:
    """The handles of the models a Collection card's body links to on tfhub.dev, in card order,
    once each, as the links write them (usually ``publisher/name`` without a version).

    Links inside HTML comments count: tfhub.dev listed most of a collection's models as hidden
    ``<!-- (https://tfhub.dev/...) -->`` lines. Links to other collections
    (``publisher/collections/...``) are not models and are left out; a card of any other kind
    has no members."""
    if kind != "Collection":
        return ()
    text = "\n".join(body_lines)
    handles = (tfhub_url_to_handle(url) for url in urls_in(text))
    return tuple(dict.fromkeys(h for h in handles if h and tfhub_collection_handle(h) is None))
