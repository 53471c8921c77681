"""The few git commands the local hub needs, run as subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Mapping

from hubfork.errors import LocalHubError

#: Used when git has no identity configured (a fresh container, CI).
FALLBACK_IDENTITY = {"user.name": "hubfork", "user.email": "hubfork@localhost"}


def git(repo: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True,
        input: str | None = None) -> str:
    """Run ``git -C repo ARGS`` (with `input` on its stdin) and return its stdout (stripped); a
    failure is a `LocalHubError`."""
    if shutil.which("git") is None:
        raise LocalHubError("git is not installed; the local hub keeps its repos in git", path=str(repo))
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    result = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, text=True,
                            env=full_env)
    if check and result.returncode != 0:
        command = " ".join(["git", *args])
        raise LocalHubError(f"{command} failed: {result.stderr.strip() or result.stdout.strip()}", path=str(repo))
    return result.stdout.strip()


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
