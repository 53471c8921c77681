"""BERT vocab files, read exactly as TensorFlow's lookup tables read them.

A preprocessor maps a token to its id with a ``tf.lookup.TextFileInitializer``
(``WHOLE_LINE`` -> ``LINE_NUMBER``), so a token's id is the number of its line
as TensorFlow counts lines. Everything else that reads a vocab (the tokenizer's
checks, fill-mask's id -> token, checkpoint and conversion sizes, ``[MASK]``'s
id) must count the same way, or ids shift and fill-mask names the wrong tokens.

TensorFlow (``InputBuffer::ReadLine``) ends a line at ``\\n`` only and drops one
``\\r`` before it; the text after the last ``\\n`` is a last line unless it is
empty once a ``\\r`` is dropped; any other empty line is an error, and so is an
empty file. Python's ``str.splitlines`` and universal newlines (``open()`` in
text mode) also break lines at ``\\r``, ``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``,
U+0085, U+2028 and U+2029, all of which may sit inside a token.

A vocab is a file of a model someone else made: `read_vocab_bytes` reads only a regular file of a
bounded size, inside the model's folder when the caller names it (`hubfork.models.model_files`).

TensorFlow-free, so card and conversion code can count a vocab without it.
"""

from __future__ import annotations

import os

from hubfork._reading import read_regular_file
from hubfork.errors import ModelFormatError
from hubfork.models.model_files import MAX_TEXT_FILE_BYTES, read_model_file

#: BERT's special tokens, in the order of their ids in BERT's vocabs (and Hugging Face's added tokens).
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
#: The token fill-mask predicts.
MASK_TOKEN = "[MASK]"


def read_vocab_bytes(path: str | os.PathLike[str], *, folder: str | os.PathLike[str] | None = None) -> bytes:
    """The bytes of the vocab file at `path`: a regular file of at most `MAX_TEXT_FILE_BYTES`, and, given
    the model `folder` it belongs to, inside it (`hubfork.models.model_files`).

    Raises:
        ModelFormatError: the file is outside `folder`, not a regular file, too large or unreadable.
    """
    what = "the vocab file"
    if folder is not None:
        return read_model_file(folder, path, what)
    try:
        return read_regular_file(path, MAX_TEXT_FILE_BYTES)
    except OSError as exc:
        raise ModelFormatError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None


def read_vocab(path: str | os.PathLike[str], *, folder: str | os.PathLike[str] | None = None) -> list[str]:
    """The tokens of the vocab file at `path` (read by `read_vocab_bytes`); a token's id is its index.

    Raises:
        ModelFormatError: the file cannot be read (as `read_vocab_bytes` says), is empty, has an
            empty line (as TensorFlow refuses it), or a line that is not UTF-8; the message gives
            the file and the line.
    """
    lines = read_vocab_bytes(path, folder=folder).split(b"\n")
    last = lines.pop()  # the text after the last "\n": a line only if something is left of it
    if last.removesuffix(b"\r"):
        lines.append(last)
    if not lines:
        raise ModelFormatError(f"{path}: the vocab file is empty; expected one token a line")
    tokens = []
    for number, raw in enumerate(lines, start=1):
        line = raw.removesuffix(b"\r")
        if not line:
            raise ModelFormatError(f"{path}:{number}: empty line in the vocab file; expected one token a line "
                                   "(TensorFlow's vocab tables refuse empty lines)")
        try:
            tokens.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ModelFormatError(f"{path}:{number}: the vocab file is not UTF-8 ({exc.reason} at byte "
                                   f"{exc.start} of the line)") from None
    return tokens


def vocab_size(path: str | os.PathLike[str], *, folder: str | os.PathLike[str] | None = None) -> int:
    """How many tokens the vocab file at `path` holds (see `read_vocab`)."""
    return len(read_vocab(path, folder=folder))


__all__ = ["read_vocab", "read_vocab_bytes", "vocab_size", "SPECIAL_TOKENS", "MASK_TOKEN"]
