"""Refresh the vendored tfhub.dev catalogue (cards/tfhub.dev) from a checkout of tensorflow/tfhub.dev.

Usage: python scripts/refresh_catalogue.py CHECKOUT [--cards cards] [--commit SHA] [--dry-run]
                                            [--registry registry.yaml] [--vocabulary hubfork/cards/tags.json]

Copies the checkout's assets/docs, tags, LICENSE, README.md and AUTHORS, writes its commit to COMMIT (from
git when the checkout is a git repository, else --commit, else the checkout's COMMIT file, else the one
vendored now) and NOTICE, and reports what changed: cards added, removed and changed (by handle), tag
vocabulary ids added and removed, and the change of the README's list of deleted models. A vendored
card carrying hubfork's own metadata keys (hub-repo, hub-endpoint, pooling, normalize) keeps them: the
refreshed card is the catalogue's text with those lines put back at the end of its metadata block.

Nothing is changed until every refreshed card parses without errors; the new folder is staged beside
the old one and swapped in at once. Then the registry and the tag vocabulary are rebuilt.
Exit status: 0 refreshed (or nothing to do), 1 the checkout or its cards are not usable.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hubfork._files import staged_folder
from hubfork.cards.catalogue import (
    CATALOGUE_DOCS,
    CATALOGUE_README,
    CATALOGUE_TAGS,
    deleted_folders,
    is_catalogue_root,
    project_key_lines,
    with_project_keys,
)
from hubfork.cards.checks import HUBFORK_KEYS
from hubfork.cards.parser import parse_card
from hubfork.cards.vocabulary import Vocabulary
from hubfork.errors import CardError, HubforkError
from hubfork.registry.build import build_registry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from update_vocabulary import write_vocabulary  # noqa: E402 - a sibling script, found through the line above

ROOT = Path(__file__).resolve().parent.parent
#: The catalogue's folder inside the cards folder.
CATALOGUE_FOLDER = "tfhub.dev"
#: Files copied from the top of a checkout (LICENSE must be there: it is the catalogue's licence).
TOP_FILES = ("LICENSE", CATALOGUE_README, "AUTHORS")
REQUIRED_TOP_FILES = ("LICENSE",)
COMMIT_FILE = "COMMIT"
NOTICE_FILE = "NOTICE"
UPSTREAM = "https://github.com/tensorflow/tfhub.dev"


class RefreshError(Exception):
    """The checkout cannot refresh the catalogue (nothing was changed). The script's own failure, shown
    as a message: not part of the library's error tree, which this maintenance script is no part of."""


@dataclass
class Plan:
    """The refreshed catalogue's files (relative POSIX path -> bytes) and what differs from the vendored one."""

    files: dict[str, bytes]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    #: Cards whose hubfork keys were carried over (path -> keys).
    kept_keys: dict[str, list[str]] = field(default_factory=dict)
    #: Cards with hubfork keys that the checkout no longer has: their keys go with them.
    lost_keys: dict[str, list[str]] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def read_tree(root: Path) -> dict[str, bytes]:
    """Every regular file under `root` (relative POSIX path -> bytes); none when `root` is missing.

    Raises:
        RefreshError: `root` holds a symbolic link (a checkout's files are copied, never what they point at).
    """
    files: dict[str, bytes] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise RefreshError(f"{path}: a symbolic link; expected the checkout's own files")
        if path.is_file():
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def checkout_files(checkout: Path) -> dict[str, bytes]:
    """The files of a tfhub.dev checkout that make up the catalogue (cards, tags, LICENSE, README, AUTHORS).

    Raises:
        RefreshError: `checkout` is not a tfhub.dev checkout (no assets/docs or tags, no LICENSE, no cards).
    """
    if not is_catalogue_root(checkout):
        raise RefreshError(f"{checkout}: not a tfhub.dev checkout; expected the folders "
                           f"{'/'.join(CATALOGUE_DOCS)} and {CATALOGUE_TAGS} in it")
    missing = [name for name in REQUIRED_TOP_FILES if not (checkout / name).is_file()]
    if missing:
        raise RefreshError(f"{checkout}: no {', '.join(missing)}; the catalogue is only copied with its licence")
    docs = "/".join(CATALOGUE_DOCS)
    files = {f"{docs}/{rel}": data for rel, data in read_tree(checkout.joinpath(*CATALOGUE_DOCS)).items()}
    if not any(rel.endswith(".md") for rel in files):
        raise RefreshError(f"{checkout}: no cards (*.md) under {docs}")
    files.update({f"{CATALOGUE_TAGS}/{rel}": data for rel, data in read_tree(checkout / CATALOGUE_TAGS).items()})
    for name in TOP_FILES:
        if (checkout / name).is_file():
            files[name] = (checkout / name).read_bytes()
    return files


def checkout_commit(checkout: Path, given: str | None, vendored: Path) -> str | None:
    """The commit the checkout is at: git's HEAD for a git repository, else `given`, else its COMMIT
    file, else the one vendored now (None when nobody knows)."""
    if (checkout / ".git").exists():
        result = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=60)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    if given:
        return given
    for source in (checkout / COMMIT_FILE, vendored / COMMIT_FILE):
        if source.is_file():
            return source.read_text(encoding="utf-8").strip() or None
    return None


def notice(commit: str | None) -> str:
    """The NOTICE that goes with the vendored catalogue (Apache License 2.0, section 4)."""
    at = f"commit {commit}" if commit else "an unrecorded commit"
    keys = ", ".join(f"<!-- {key}: ... -->" for key in sorted(HUBFORK_KEYS))
    return (
        "hubfork: the vendored tfhub.dev catalogue\n"
        "\n"
        f"This folder is a copy of files from {UPSTREAM}\n({at}; also in COMMIT):\n"
        "assets/docs/ (the model, collection and publisher cards tfhub.dev served), tags/ (its tag\n"
        "vocabularies), LICENSE, README.md and AUTHORS. They are the work of the TensorFlow Hub authors\n"
        "(see AUTHORS) and are licensed under the Apache License, Version 2.0, in LICENSE.\n"
        "\n"
        "Modifications: hubfork may add its own metadata lines to a card's metadata block\n"
        f"({keys}),\n"
        "saying where the model is mirrored and how its embeddings are used. Nothing else in these files\n"
        "is changed. This NOTICE and COMMIT are hubfork's; scripts/refresh_catalogue.py writes them.\n"
    )


def plan_refresh(new: dict[str, bytes], vendored: dict[str, bytes], commit: str | None) -> Plan:
    """The refreshed catalogue from the checkout's files `new` and the vendored ones, with every
    vendored card's hubfork keys carried over, and what differs.

    Raises:
        CardError: a card with hubfork keys cannot take them (the checkout's card is not a TF Hub card).
    """
    files = dict(new)
    plan = Plan(files)
    for rel, data in vendored.items():
        if not rel.endswith(".md") or not rel.startswith("/".join(CATALOGUE_DOCS) + "/"):
            continue
        keys = project_key_lines(data.decode("utf-8", errors="replace"), rel)
        if not keys:
            continue
        if rel not in files:
            plan.lost_keys[rel] = [key for key, _ in keys]
            continue
        merged = with_project_keys(files[rel].decode("utf-8"), keys, rel)
        files[rel] = merged.encode("utf-8")
        plan.kept_keys[rel] = [key for key, _ in keys]
    if commit is not None:
        files[COMMIT_FILE] = f"{commit}\n".encode()
    elif COMMIT_FILE in vendored:
        files[COMMIT_FILE] = vendored[COMMIT_FILE]
    files[NOTICE_FILE] = notice(commit).encode("utf-8")
    plan.added = sorted(set(files) - set(vendored))
    plan.removed = sorted(set(vendored) - set(files))
    plan.changed = sorted(rel for rel in set(files) & set(vendored) if files[rel] != vendored[rel])
    return plan


def card_label(rel: str, data: bytes) -> str:
    """``Kind handle (path)`` for a card file, ``path`` for any other file."""
    if not rel.endswith(".md") or not rel.startswith("/".join(CATALOGUE_DOCS) + "/"):
        return rel
    card = parse_card(rel, data.decode("utf-8", errors="replace"))
    return f"{card.kind} {card.handle} ({rel})" if card.handle else rel


def vocabulary_changes(old: Vocabulary | None, new: Vocabulary) -> list[str]:
    """One line per tag key whose ids changed: ``task: +a, -b``."""
    lines = []
    old_values = old.values if old else {}
    for key in sorted(set(old_values) | set(new.values)):
        before, after = set(old_values.get(key, {})), set(new.values.get(key, {}))
        if before != after:
            change = [f"+{i}" for i in sorted(after - before)] + [f"-{i}" for i in sorted(before - after)]
            lines.append(f"{key}: {', '.join(change)}")
    old_urls = dict(old.url_keys) if old else {}
    if old_urls != dict(new.url_keys):
        lines.append(f"url keys: {old_urls} -> {dict(new.url_keys)}")
    return lines


def report(plan: Plan, vendored: dict[str, bytes], old_tags: Vocabulary | None, new_tags: Vocabulary,
           old_deleted: tuple[str, ...], new_deleted: tuple[str, ...]) -> list[str]:
    """What the refresh changes, line by line; ``no changes`` when nothing does."""
    if plan.unchanged:
        return ["no changes"]
    out = []
    for title, names, source in (("added", plan.added, plan.files), ("removed", plan.removed, vendored),
                                 ("changed", plan.changed, plan.files)):
        if names:
            out.append(f"{title}: {len(names)}")
            out += [f"  {card_label(rel, source[rel])}" for rel in names]
    tags = vocabulary_changes(old_tags, new_tags)
    if tags:
        out.append("tag vocabulary:")
        out += [f"  {line}" for line in tags]
    if old_deleted != new_deleted:
        out.append("deleted models (README): "
                   + ", ".join([f"+{d}" for d in new_deleted if d not in old_deleted]
                               + [f"-{d}" for d in old_deleted if d not in new_deleted]))
    for rel, keys in sorted(plan.kept_keys.items()):
        out.append(f"kept hubfork keys ({', '.join(keys)}) in {rel}")
    for rel, keys in sorted(plan.lost_keys.items()):
        out.append(f"warning: {rel} is gone from the checkout; its hubfork keys ({', '.join(keys)}) go with it")
    return out


def check_cards(folder: Path, vocabulary: Vocabulary) -> list[str]:
    """Errors of the cards under a staged catalogue, ``PATH:LINE: error: ...``."""
    from hubfork.cards.parser import parse_cards

    return [str(problem) for card in parse_cards([folder], vocabulary=vocabulary) for problem in card.errors]


def _tags(folder: Path) -> Vocabulary:
    import yaml

    try:
        return Vocabulary.from_tags_dir(folder)
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise RefreshError(f"{folder}: not tfhub.dev tag files ({exc.__class__.__name__}: {exc})") from exc


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def refresh(checkout: Path, cards: Path, *, commit: str | None = None, dry_run: bool = False,
            registry: Path | None = None, vocabulary_file: Path | None = None) -> list[str]:
    """Refresh ``cards/tfhub.dev`` from `checkout`; return the report's lines.

    Raises:
        RefreshError: the checkout is not usable; its cards have errors (nothing is changed).
        RegistryError: the registry cannot be rebuilt (the catalogue is refreshed).
    """
    target = cards / CATALOGUE_FOLDER
    new = checkout_files(checkout)
    vendored = read_tree(target)
    try:
        plan = plan_refresh(new, vendored, checkout_commit(checkout, commit, target))
    except CardError as exc:
        raise RefreshError(f"a card with hubfork keys cannot keep them: {exc}") from exc
    old_tags = _tags(target / CATALOGUE_TAGS) if (target / CATALOGUE_TAGS).is_dir() else None
    new_tags = _tags(checkout / CATALOGUE_TAGS)
    lines = report(plan, vendored, old_tags, new_tags, deleted_folders(target), deleted_folders(checkout))
    if plan.unchanged or dry_run:
        return lines + (["(dry run: nothing written)"] if dry_run and not plan.unchanged else [])
    with staged_folder(target) as stage:
        write_files(stage, plan.files)
        errors = check_cards(stage, new_tags)
        if errors:
            raise RefreshError("the refreshed cards have errors; nothing was changed:\n" + "\n".join(errors))
    registry = registry or cards.parent / "registry.yaml"
    result = build_registry(cards, registry, vocabulary=new_tags)
    lines.append(f"wrote {result.path}: {len(result.registry)} entries; {len(result.warnings)} warnings")
    lines.append(write_vocabulary(target / CATALOGUE_TAGS, vocabulary_file or ROOT / "hubfork" / "cards" / "tags.json"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a checkout of tensorflow/tfhub.dev")
    parser.add_argument("--cards", type=Path, default=ROOT / "cards", help="the cards folder (default: cards)")
    parser.add_argument("--commit", help="the checkout's commit, when it is not a git repository")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    parser.add_argument("--registry", type=Path, help="the registry to rebuild (default: beside the cards folder)")
    parser.add_argument("--vocabulary", type=Path, help="the tag vocabulary to rewrite (default: hubfork's)")
    args = parser.parse_args(argv)
    try:
        lines = refresh(args.checkout, args.cards, commit=args.commit, dry_run=args.dry_run,
                        registry=args.registry, vocabulary_file=args.vocabulary)
    except (RefreshError, HubforkError, OSError, UnicodeDecodeError) as exc:
        print(f"refresh_catalogue: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
