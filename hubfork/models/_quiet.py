"""Keeping TensorFlow's start-up chatter off a terminal or a notebook's cells.

TensorFlow's C++ runtime logs a few lines while ``import tensorflow`` loads its
libraries (oneDNN, missing CUDA drivers), before absl's logging is initialised:
TF_CPP_MIN_LOG_LEVEL does not reach those, so they are written straight to file
descriptor 2. The only way to keep them off is to point fd 2 elsewhere during the
import. Lines that are not such chatter (an import error, a crash's message) are
written back to stderr afterwards, so nothing else is lost.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

#: absl's line for messages logged before its initialisation, and INFO/WARNING lines in its
#: format (``I0000 00:00:1795962750.437162   27058 port.cc:153] ...``). ERROR and FATAL lines pass.
_CHATTER = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} \d+:\d+:\d+\.\d+ +\d+ [\w.-]+:\d+\]")
#: TensorFlow's INFO line on a machine without CUDA drivers, and the ERROR line CUDA's start-up then
#: logs: after the first, the second says nothing more than "no GPU", so it is chatter too.
_NO_CUDA_DRIVERS = "Could not find cuda drivers on your machine"
_CUINIT_FAILED = re.compile(r"E\d{4} \d+:\d+:\d+\.\d+ +\d+ [\w.-]+:\d+\] failed call to cuInit")


def is_chatter(line: str) -> bool:
    """Whether a stderr line is TensorFlow's start-up INFO/WARNING logging."""
    return _CHATTER.match(line) is not None


def sift(lines: list[str]) -> list[str]:
    """`lines` without TensorFlow's start-up chatter (`is_chatter`), nor, where TensorFlow found no
    CUDA drivers, CUDA's failed start-up."""
    no_gpu = any(_NO_CUDA_DRIVERS in line for line in lines)
    return [line for line in lines if not (is_chatter(line) or no_gpu and _CUINIT_FAILED.match(line))]


@contextlib.contextmanager
def sifted_stderr() -> Iterator[None]:
    """Capture fd 2 for the block, then write back every line `sift` keeps."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = sift(capture.read().decode("utf-8", "replace").splitlines(keepends=True))
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
