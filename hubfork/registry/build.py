"""Building registry.yaml from a folder of cards."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hubfork._lifeline import die_with_parent
from hubfork.cards.catalogue import deleted_cards
from hubfork.cards.parser import is_folder, iter_card_paths, parse_card, read_card_file
from hubfork.cards.records import Card, Problem
from hubfork.cards.vocabulary import Vocabulary
from hubfork.constants import REGISTRY_FORMAT, STATUS_DELETED
from hubfork.errors import CardError, RegistryError
from hubfork.registry import store
from hubfork.registry.entry import RegistryEntry
from hubfork.registry.links import card_links
from hubfork.registry.registry import Registry

if TYPE_CHECKING:  # pragma: no cover
    from hubfork._progress import CountReport

#: A card, its sha256 and the models it links to.
_Parsed = tuple[Card, str, tuple[str, ...]]
# Below this many cards, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 400
# Batches of cards per worker process: enough for the faster ones to take over the slower ones' share.
_BATCHES_PER_WORKER = 16


@dataclass
class BuildResult:
    """What `build_registry` wrote."""

    path: Path
    registry: Registry
    warnings: list[Problem] = field(default_factory=list)
    #: Errors of the cards left out (with ``skip_invalid``).
    skipped: list[Problem] = field(default_factory=list)


def build_registry(
    cards_dir: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    vocabulary: Vocabulary | None = None,
    jobs: int | None = None,
    skip_invalid: bool = False,
    progress: "CountReport | None" = None,
) -> BuildResult:
    """Parse every card under `cards_dir` and write the registry to `output`
    (default: ``registry.yaml`` beside `cards_dir`).

    The output is the same bytes for the same cards, whatever the order files
    are found in. It is written atomically, and only when every card is free of
    errors: otherwise `CardError` lists every error and the old registry stays.
    With `skip_invalid`, cards with errors are left out instead (their errors
    are in `BuildResult.skipped`). Cards of one kind sharing a handle are kept,
    with a warning. `progress` is called with (cards parsed, cards) as parsing goes on.

    Raises:
        CardError: cards with errors (every one, ``PATH:LINE: error: ...``), unless `skip_invalid`.
        RegistryError: `cards_dir` is not a folder, or `output` cannot be written.
    """
    cards_dir = Path(cards_dir)
    if not is_folder(cards_dir):
        raise RegistryError("not a folder of cards", path=str(cards_dir))
    output = Path(output) if output is not None else cards_dir.parent / "registry.yaml"
    paths = sorted(iter_card_paths([cards_dir]), key=lambda p: p.as_posix())
    parsed = _parse_all(paths, vocabulary or Vocabulary.default(), jobs, progress or (lambda done, total: None))
    errors = [problem for card, _, _ in parsed for problem in card.errors]
    if errors and not skip_invalid:
        raise CardError(errors)
    parsed = [(card, digest, links) for card, digest, links in parsed if card.ok]
    _mark_deleted([card for card, _, _ in parsed])
    base = output.resolve().parent
    entries = []
    real_paths: dict[str, str] = {}
    for card, digest, links in parsed:
        card_path = Path(os.path.relpath(_real_path(card.path, real_paths), base)).as_posix()
        entries.append(RegistryEntry.from_card(card, card_path=card_path, sha256=digest, links=links))
    entries.sort(key=lambda e: (e.handle, e.kind, e.card_path))
    cards_rel = Path(os.path.relpath(cards_dir.resolve(), base)).as_posix()
    document = {"format": REGISTRY_FORMAT, "cards": cards_rel, "entries": [e.to_dict() for e in entries]}
    store.write(output, document)
    warnings = [problem for card, _, _ in parsed for problem in card.warnings] + _duplicates(entries)
    return BuildResult(output, Registry(entries, output, cards_rel), warnings, errors)


# -- the catalogue's deleted models (status from the catalogue README's list; see cards/catalogue.py)
def _mark_deleted(cards: list[Card]) -> None:
    """Give the cards of models a catalogue lists as deleted their status."""
    try:
        deleted = deleted_cards([card.path for card in cards])
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read the catalogue's list of deleted models: {exc}") from exc
    for card in cards:
        if card.path in deleted:
            card.status = STATUS_DELETED
# -- end of the deleted models


def _real_path(path: str, known: dict[str, str]) -> str:
    """``os.path.realpath(path)`` (what `Path.resolve` gives), each folder looked up once in `known`:
    the real path of a folder's entry is the folder's real path and its name, read again only when
    that is a symbolic link. Cards share their folders, so this saves most ``lstat`` calls."""
    found = known.get(path)
    if found is None:
        folder, name = os.path.split(path)
        if not folder or folder == path or name in ("", ".", ".."):
            found = os.path.realpath(path)
        else:
            joined = os.path.join(_real_path(folder, known), name)
            found = os.path.realpath(joined) if os.path.islink(joined) else joined
        known[path] = found
    return found


def _duplicates(entries: list[RegistryEntry]) -> list[Problem]:
    """Warnings for cards of one kind that claim the same handle.

    tfhub.dev named a model and its Lite, Tfjs or Coral variant (or its
    placeholder) with one handle, so a shared handle across kinds is normal;
    two cards of the same kind for one handle is ambiguous, and the registry
    keeps both with the first (by card path) preferred.
    """
    warnings = []
    seen: dict[tuple[str, str], RegistryEntry] = {}
    for entry in entries:
        key = (entry.handle, entry.kind)
        if key in seen:
            warnings.append(Problem(entry.card_path, 1, f"{entry.kind} {entry.handle} is also the handle of "
                                    f"{seen[key].card_path}; lookups use that one", "warning", "duplicate-handle"))
        else:
            seen[key] = entry
    return warnings


def _parse_one(path: Path, vocabulary: Vocabulary) -> _Parsed:
    """The card at `path`, its sha256 and the models it links to (`hubfork.registry.links`)."""
    raw, text, problem = read_card_file(path)
    digest = hashlib.sha256(raw).hexdigest()
    if problem is not None:
        return Card(str(path), problems=[problem]), digest, ()
    card = parse_card(path, text, vocabulary=vocabulary)
    links = card_links(card, text)
    # Body details are not part of an entry; dropping them keeps results small
    # to send back from worker processes.
    card.code_blocks = []
    card.sections = []
    card.changelog = []
    card.code_handles = []
    return card, digest, links


def _parse_chunk(args: tuple[list[Path], Vocabulary]) -> list[_Parsed]:
    paths, vocabulary = args
    return [_parse_one(path, vocabulary) for path in paths]


def _parse_all(paths: list[Path], vocabulary: Vocabulary, jobs: int | None,
               progress: "CountReport") -> list[_Parsed]:
    jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    total = len(paths)
    parsed: list[_Parsed] = []
    if jobs <= 1 or total < _PARALLEL_THRESHOLD:
        for path in paths:
            parsed.append(_parse_one(path, vocabulary))
            progress(len(parsed), total)
        return parsed
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Small batches, handed to whichever worker is free, balance the work however it is spread: the
    # first Hugging Face card a worker reads costs it the import of huggingface_hub (0.15 s, as much
    # as 200 cards), and the cards of one folder are alike in size. Results come back (in the order
    # of `paths`) while the workers parse on.
    size = max(1, -(-len(paths) // (jobs * _BATCHES_PER_WORKER)))
    batches = [(paths[i : i + size], vocabulary) for i in range(0, len(paths), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    # A build killed with SIGKILL cannot shut its pool down: each worker ends itself when its parent
    # dies, instead of waiting forever for work. The pool lives and dies in this call (this thread).
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        for batch in pool.map(_parse_chunk, batches):
            parsed += batch
            progress(len(parsed), total)
    return parsed
