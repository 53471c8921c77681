"""The few git commands the local hub needs, run as subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Mapping

from hubfork.constants import GIT_TIMEOUT
from hubfork.errors import LocalHubError

#: Used when git has no identity configured (a fresh container, CI).
FALLBACK_IDENTITY = {"user.name": "hubfork", "user.email": "hubfork@localhost"}


def git(repo: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True,
        input: str | None = None, timeout: float = GIT_TIMEOUT) -> str:
    """Run ``git -C repo ARGS`` (with `input` on its stdin) and return its stdout (stripped).

    Raises:
        LocalHubError: git is missing, failed (with `check`), or ran longer than `timeout` seconds
            (it is killed: a stuck git never hangs hubfork).
    """
    if shutil.which("git") is None:
        raise LocalHubError("git is not installed; the local hub keeps its repos in git", path=str(repo))
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    command = " ".join(["git", *args])
    # stdin is closed when there is no input (git never waits for a person to type), and git runs in a
    # session of its own so that a timeout stops what it started too (a helper holding its pipes open
    # would otherwise keep us waiting after git itself is gone).
    process = subprocess.Popen(["git", "-C", str(repo), *args], stdin=subprocess.PIPE if input is not None
                               else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=full_env, start_new_session=os.name == "posix")
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise LocalHubError(f"{command} did not finish within {timeout:g} s and was stopped",
                            path=str(repo)) from None
    except BaseException:
        _stop(process)
        raise
    if check and process.returncode != 0:
        raise LocalHubError(f"{command} failed: {stderr.strip() or stdout.strip()}", path=str(repo))
    return stdout.strip()


def _stop(process: subprocess.Popen) -> None:
    """Kill `process` and everything in its session, and reap it."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - no sessions to kill on Windows
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()


def identity_options(repo: Path) -> list[str]:
    """``-c user.name=... -c user.email=...`` for whatever identity git lacks."""
    options: list[str] = []
    for key, value in FALLBACK_IDENTITY.items():
        if not git(repo, "config", "--get", key, check=False):
            options += ["-c", f"{key}={value}"]
    return options


def rev_parse(repo: Path, ref: str) -> str | None:
    """The commit `ref` names, or None."""
    out = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return out or None


__all__ = ["git", "identity_options", "rev_parse", "FALLBACK_IDENTITY"]
