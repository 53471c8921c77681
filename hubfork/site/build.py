"""Writing a registry's site into a folder: staged beside it and moved in whole, so a build that
fails leaves the folder as it was (or absent), never half-written.

Pages are rendered by worker processes (each writes its share of pages into the staging
folder); the output is the same bytes for the same registry and cards.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from hubfork._files import staged_folder
from hubfork._lifeline import die_with_parent
from hubfork.cards.parser import read_card_file
from hubfork.errors import RegistryError
from hubfork.registry.card_files import card_file_to_read
from hubfork.registry.registry import Registry
from hubfork.site.card_body import card_markdown
from hubfork.site.catalogue import SiteCatalogue
from hubfork.site.index import build_index, index_script
from hubfork.site.pages import all_page, entry_page, index_page
from hubfork.site.paths import PAGES_DIR
from hubfork.site.render import highlight_css, render_markdown, warm_up

if TYPE_CHECKING:  # pragma: no cover
    from hubfork._progress import CountReport

#: A file every built site holds: a folder without it is never replaced by a build.
MARKER = ".hubfork-site"
#: The site's own scripts and stylesheet, shipped in the package.
STATIC_FILES = ("site.css", "search.js", "copy.js")
# Below this many entries, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 200


@dataclass
class SiteResult:
    """What `build_site` wrote."""

    path: Path
    pages: int
    #: Bytes of every file written, and of ``index.js`` alone.
    total_bytes: int
    index_bytes: int
    seconds: float
    #: Things the caller should tell the user (a worker process that ended abruptly, ...).
    notes: tuple[str, ...] = ()


def build_site(registry: Registry, output: str | os.PathLike[str], *, jobs: int | None = None,
               progress: "CountReport | None" = None) -> SiteResult:
    """Write the static site of `registry` to the folder `output`: ``index.html`` (search),
    ``index.js`` (the index), ``all.html``, ``e/<page>.html`` per entry and ``static/``.

    A folder already at `output` is replaced only when it is a site built before (it holds
    ``.hubfork-site``); a failed build leaves it untouched. `progress` is called with (entry pages
    written, entry pages) as they are written.

    Raises:
        RegistryError: `output` is a file or a folder of something else, or an entry's card
            cannot be read or is not one the registry may name (`hubfork.registry.card_files`): the
            build stops rather than publish a site whose pages silently lack their cards.
    """
    started = time.perf_counter()
    target = Path(output)
    _check_target(target)
    catalogue = SiteCatalogue(registry)
    with staged_folder(target) as stage:
        (stage / PAGES_DIR).mkdir()
        static = stage / "static"
        static.mkdir()
        for name in STATIC_FILES:
            (static / name).write_bytes(resources.files("hubfork.site").joinpath("static", name).read_bytes())
        _write(static / "highlight.css", highlight_css())
        script = index_script(build_index(catalogue))
        _write(stage / "index.js", script)
        _write(stage / "index.html", index_page(len(catalogue.entries)))
        _write(stage / "all.html", all_page(catalogue))
        notes = _render_all(catalogue, stage, jobs, progress or (lambda done, total: None))
        _write(stage / MARKER, "A site written by `hubfork registry site`; a rebuild replaces this folder.\n")
        total = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file())
    return SiteResult(target, len(catalogue.entries), total, len(script.encode("utf-8")),
                      time.perf_counter() - started, notes)


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise RegistryError("the site's folder is not a folder (a file or a link is there)", path=str(target))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise RegistryError(f"not writing the site here: the folder holds other files (no {MARKER}); "
                            "give an empty or new folder", path=str(target))


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


# ------------------------------------------------------------- entry pages

_CATALOGUE: SiteCatalogue | None = None


def _render_page(catalogue: SiteCatalogue, index: int, stage: Path) -> None:
    entry = catalogue.entries[index]
    card = card_file_to_read(catalogue.registry, entry)
    html = ""
    if card is not None:
        _, text, problem = read_card_file(card)
        if problem is not None:
            raise RegistryError(f"cannot render {entry.handle} ({entry.kind}): {problem.message}", path=str(card))
        own = catalogue.page(entry)

        def link(url: str) -> str | None:
            found = catalogue.find(url)
            if found is None:
                return None
            page = catalogue.page(found)
            return page.rsplit("/", 1)[1] if page != own else "#main"

        html = render_markdown(card_markdown(text, str(card)), link)
    _write(stage / catalogue.page(entry), entry_page(catalogue, entry, html))


def _render_chunk(args: tuple[list[int], str]) -> int:
    indexes, stage = args
    assert _CATALOGUE is not None
    for index in indexes:
        _render_page(_CATALOGUE, index, Path(stage))
    return len(indexes)


def _start_worker(parent: int, catalogue: SiteCatalogue) -> None:
    global _CATALOGUE
    die_with_parent(parent)
    _CATALOGUE = catalogue


def _render_all(catalogue: SiteCatalogue, stage: Path, jobs: int | None,
                progress: "CountReport") -> tuple[str, ...]:
    """Write every entry page, in `jobs` worker processes for a large catalogue; the notes for the user."""
    count = len(catalogue.entries)
    jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if jobs <= 1 or count < _PARALLEL_THRESHOLD:
        for index in range(count):
            _render_page(catalogue, index, stage)
            progress(index + 1, count)
        return ()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    warm_up()
    # Interleaved chunks balance the work: long and short cards sit side by side. A worker
    # ends itself if this process dies (SIGKILL runs no cleanup); the pool lives in this call.
    chunks = [list(range(i, count, jobs * 4)) for i in range(jobs * 4)]
    left = set(range(len(chunks)))
    done = 0
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method),
                                 initializer=_start_worker, initargs=(os.getpid(), catalogue)) as pool:
            futures = {pool.submit(_render_chunk, (chunk, str(stage))): number for number, chunk in enumerate(chunks)}
            # Counted as chunks finish, in any order: counting them in order would hold the count behind a slow one.
            for future in as_completed(futures):
                done += future.result()
                left.discard(futures[future])
                progress(done, count)
    except BrokenProcessPool:
        # A worker that ends without a word (killed by a signal, or by the system when memory runs short)
        # takes the pool down with it; the pages no worker finished are written here instead (writing a
        # page twice writes the same bytes), so the build still completes, only slower.
        pages = sum(len(chunks[number]) for number in left)
        for number in sorted(left):
            for index in chunks[number]:
                _render_page(catalogue, index, stage)
                done += 1
                progress(done, count)
        return (f"a worker process ended abruptly; the {pages} pages no worker had finished were written in this "
                "process instead",)
    return ()


__all__ = ["MARKER", "SiteResult", "build_site"]
