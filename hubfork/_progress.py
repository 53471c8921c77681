"""Progress on stderr for a person watching a terminal, and for nobody else.

Every long command shows its progress through `Progress`: huggingface_hub's tqdm (so
``HF_HUB_DISABLE_PROGRESS_BARS`` silences it, as it silences hub downloads), drawn only when stderr is
a terminal. In a pipe, a file or a notebook's captured stream nothing at all is written (no bar, no
carriage return, no blank line): logs keep only the lines commands print on purpose.

Libraries never draw progress themselves: they take a callback, `StepReport` for the named steps of a
job or `CountReport` for n of total, and the command line decides by passing a `Progress`'s `step` or
`count`. tqdm is imported only when a bar is drawn, so this module costs nothing to import.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import IO, Any, Callable

#: A library's callback for the named steps of a job: called with each step's name as it starts.
StepReport = Callable[[str], None]
#: A library's callback for counted work: called with (done, total) as work completes.
CountReport = Callable[[int, int], None]

#: What each long command's help says of its progress.
HELP_NOTE = "Progress goes to stderr when it is a terminal."
#: How often a step display redraws its clock: a step says nothing until it ends, the clock shows it runs.
TICK_SECONDS = 1.0
#: The size drawn on a terminal that reports none (a pseudo-terminal nobody sized), where tqdm would draw
#: nothing at all: a common terminal's.
FALLBACK_SIZE = {"ncols": 80, "nrows": 24}
# A step display is its job, its current step and the time so far; a counted one is tqdm's usual bar.
_STEP_FORMAT = "{desc}  [{elapsed}]"


def on_terminal(stream: Any = None) -> bool:
    """Whether `stream` (default stderr) is a terminal; a closed, replaced or odd stream is not."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _columns(stream: Any) -> int:
    """The width of the terminal `stream` is, 0 when it reports none."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


def _terminal_of(stream: IO[str]) -> IO[str]:
    """A stream of its own onto the terminal `stream` writes to. While TensorFlow is imported, hubfork points
    file descriptor 2 at a file and sifts what lands there (`hubfork.models._quiet`): a redraw written into
    it would hide from the terminal and glue itself to the line TensorFlow writes next."""
    try:
        return os.fdopen(os.dup(stream.fileno()), "w", encoding=getattr(stream, "encoding", None) or "utf-8",
                         errors="replace")
    except (AttributeError, ValueError, OSError):
        return stream


class Progress:
    """The progress display of one job on stderr; a context manager, closed (and its line cleared) on exit.

    With `unit` None it shows named steps: ``TITLE: STEP  [elapsed]``, `step` naming the one now running.
    With a `unit` it counts: ``TITLE: 45%|████  | 450/1000 [00:01<00:01, 400 card/s]``, `count` or `update`
    moving it. `show` None draws it only when `file` (default stderr) is a terminal; True draws it wherever
    that goes (a caller who asked for it, e.g. ``embed(progress=True)``); False never.
    ``HF_HUB_DISABLE_PROGRESS_BARS`` silences it in every case.
    """

    def __init__(self, title: str, *, unit: str | None = None, total: int | None = None,
                 show: bool | None = None, file: IO[str] | None = None):
        self.title = title
        self._bar: Any = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._own: IO[str] | None = None
        stream = sys.stderr if file is None else file
        if show is False or (show is None and not on_terminal(stream)):
            return
        from huggingface_hub.utils import tqdm

        if on_terminal(stream):
            stream = self._own = _terminal_of(stream)

        # A sized terminal is followed as it is resized; one without a size is given one.
        size: dict[str, Any] = {"dynamic_ncols": True} if _columns(stream) else FALLBACK_SIZE
        if unit is None:
            self._bar = tqdm(desc=title, file=stream, leave=False, bar_format=_STEP_FORMAT, **size)
        else:
            self._bar = tqdm(desc=title, total=total, unit=unit, file=stream, leave=False, **size)
        if unit is None and not self._bar.disable:
            self._ticker = threading.Thread(target=self._tick, name="hubfork-progress", daemon=True)
            self._ticker.start()

    @property
    def shown(self) -> bool:
        """Whether anything is drawn (a terminal, and progress bars not disabled)."""
        return self._bar is not None and not self._bar.disable

    def step(self, name: str) -> None:
        """Show `name` as the step now running."""
        if self._bar is not None:
            self._bar.set_description_str(f"{self.title}: {name}")

    def count(self, done: int, total: int) -> None:
        """Show `done` of `total` done."""
        if self._bar is not None:
            if self._bar.total != total:
                self._bar.total = total
            self.update(done - self._bar.n)

    def update(self, n: int = 1) -> None:
        """Show `n` more done."""
        if self._bar is not None:
            self._bar.update(n)
            if self._bar.total is not None and self._bar.n >= self._bar.total:
                self._bar.refresh()  # tqdm skips draws closer than 0.1 s apart: the last state is always drawn

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()  # a redraw after the line is cleared would leave it on screen
        if self._bar is not None:
            self._bar.close()
        if self._own is not None:
            self._own.close()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self._bar.refresh()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["HELP_NOTE", "Progress", "StepReport", "CountReport", "on_terminal", "TICK_SECONDS"]
