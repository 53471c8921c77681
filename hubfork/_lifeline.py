"""Child processes that die with their parent, even when the parent is killed with SIGKILL.

A parent killed by SIGKILL runs no cleanup: the worker processes of a registry build would sleep
forever on their task queue, and an olah server would keep serving a hub nobody stopped. Each
such child calls `die_with_parent` as it starts (a process pool's initializer, or
``python -m hubfork._lifeline PARENT_PID MODULE ARGS...`` in front of a module run as a program).

On Linux the kernel kills the child the moment its parent dies (``prctl(PR_SET_PDEATHSIG)``).
Strictly, it does so when the parent's *thread* that started the child ends: hubfork starts its
pools and servers in the thread that also stops them (one call, or one ``with`` block), so that
thread outlives them. Elsewhere a daemon thread in the child checks its parent twice a second.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1
#: Seconds between two checks of the portable fallback.
POLL_INTERVAL = 0.5


def die_with_parent(parent: int) -> None:
    """Make this process end when its parent, process `parent` (its pid, read by the parent before
    it started this one), dies; end it now if that parent is gone already.

    A parent that dies between starting this process and this call is caught by the last check:
    this process has been handed to another parent by then.
    """
    if not _kernel_kills_on_parent_death():
        watch_parent(parent)
    if os.getppid() != parent:
        os._exit(1)


def watch_parent(parent: int, interval: float = POLL_INTERVAL) -> threading.Thread:
    """The portable fallback: a daemon thread that ends this process once its parent is no longer
    `parent` (an orphan is handed to another process)."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(interval)
        os._exit(1)

    thread = threading.Thread(target=watch, name="hubfork-watch-parent", daemon=True)
    thread.start()
    return thread


def _kernel_kills_on_parent_death() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def command(module: str, *args: str) -> list[str]:
    """The command that runs ``python -m MODULE ARGS`` as a child of this process that dies with it."""
    return [sys.executable, "-m", "hubfork._lifeline", str(os.getpid()), module, *args]


def _main(argv: list[str]) -> None:
    """``python -m hubfork._lifeline PARENT_PID MODULE ARGS...``: run MODULE as ``python -m`` would,
    bound to PARENT_PID."""
    import runpy

    parent, module, *args = argv
    die_with_parent(int(parent))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


__all__ = ["die_with_parent", "watch_parent", "command", "POLL_INTERVAL"]

if __name__ == "__main__":
    _main(sys.argv[1:])
