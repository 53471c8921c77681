"""What a SavedModel folder is, read from the model itself: `ModelFacts` and `inspect_model`.

The record is plain data (no TensorFlow needed to hold, compare or print it);
`inspect_model` loads the model to fill it, by the same inspection the loader uses
(`hubfork.models.generations`), so a card written or checked from these facts
says what `load_text_model` will find.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hubfork.cards.records import Architecture
from hubfork.errors import ModelFormatError

Role = Literal["encoder", "preprocessor"]
#: The card-level API a generation implies (`Card.api`'s values).
API_OF_GENERATION = {"tf1-hub": "tf1-hub", "v1": "list", "v2": "list", "v3": "dict", "v4": "dict"}


@dataclass(frozen=True)
class TensorFacts:
    """One input or output of a signature: its key, dtype name and shape (None for unknown dims)."""

    name: str
    dtype: str
    shape: tuple[int | None, ...] | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": None if self.shape is None else list(self.shape)}


@dataclass(frozen=True)
class SignatureFacts:
    """A callable of the model: a serving signature (``serving_default``, ``tokens``) or a traced
    method (``__call__``, ``mlm``, ``tokenize``), with its inputs and outputs."""

    name: str
    inputs: tuple[TensorFacts, ...] = ()
    outputs: tuple[TensorFacts, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "inputs": [t.to_dict() for t in self.inputs],
                "outputs": [t.to_dict() for t in self.outputs]}


@dataclass(frozen=True)
class ModelFacts:
    """What a SavedModel folder holds, as `inspect_model` found it.

    `role` is ``encoder`` (a BERT-style text encoder of one of `GENERATIONS`) or ``preprocessor``
    (strings in, ``input_word_ids``/``input_mask``/``input_type_ids`` out). Sizes are None where
    the model does not tell them.
    """

    path: str
    role: Role
    #: One of `hubfork.constants.GENERATIONS` for an encoder; None for a preprocessor.
    generation: str | None = None
    signatures: tuple[SignatureFacts, ...] = ()
    layers: int | None = None
    hidden_size: int | None = None
    heads: int | None = None
    intermediate_size: int | None = None
    max_positions: int | None = None
    vocab_size: int | None = None
    #: "cased" or "uncased": the encoder's ``do_lower_case`` (or TF1 ``tokenization_info``), or a
    #: preprocessor's own tokenizer; None when the model does not say.
    casing: Literal["cased", "uncased"] | None = None
    #: sha256 of the vocab file the model carries (encoder's ``vocab_file``, preprocessor's table).
    vocab_sha256: str | None = None
    mlm: bool = False
    fine_tunable: bool = False
    #: The length a preprocessor packs to (``p(strings)``); None for an encoder.
    seq_length: int | None = None
    parameters: int = 0
    trainable_parameters: int = 0
    size_bytes: int = 0
    files: int = 0
    #: Op types the model's graphs hold, with counts (the scanner's report).
    ops: dict[str, int] = field(default_factory=dict)
    #: The scanner's findings, one line each (empty: the model scans clean).
    findings: tuple[str, ...] = ()

    @property
    def architecture(self) -> Architecture | None:
        """``L-…_H-…_A-…`` as a card states it, or None for a preprocessor."""
        if self.role != "encoder" or (self.layers, self.hidden_size, self.heads) == (None, None, None):
            return None
        return Architecture(self.layers, self.hidden_size, self.heads)

    @property
    def api(self) -> str | None:
        """The card-level API (``tf1-hub``, ``list``, ``dict``) of the encoder's generation."""
        return API_OF_GENERATION.get(self.generation or "")

    @property
    def card_format(self) -> str:
        """The ``format`` a card states for the model: ``hub`` for a TF1 Hub module, else ``saved_model_2``
        (a TF2 SavedModel: an encoder of a later generation, or a preprocessor)."""
        return "hub" if self.generation == "tf1-hub" else "saved_model_2"

    @property
    def scan_clean(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, every field plus ``architecture`` and ``api``."""
        return {
            "path": self.path, "role": self.role, "generation": self.generation, "api": self.api,
            "architecture": self.architecture.to_dict() if self.architecture else None,
            "layers": self.layers, "hidden_size": self.hidden_size, "heads": self.heads,
            "intermediate_size": self.intermediate_size, "max_positions": self.max_positions,
            "vocab_size": self.vocab_size, "casing": self.casing, "vocab_sha256": self.vocab_sha256,
            "mlm": self.mlm, "fine_tunable": self.fine_tunable, "seq_length": self.seq_length,
            "parameters": self.parameters, "trainable_parameters": self.trainable_parameters,
            "size_bytes": self.size_bytes, "files": self.files, "ops": dict(self.ops),
            "findings": list(self.findings), "signatures": [s.to_dict() for s in self.signatures],
        }


def inspect_model(path: str | os.PathLike[str], *, trust: bool = False) -> ModelFacts:
    """Load the SavedModel folder at `path` and say what it is: role, generation, sizes, vocab,
    callables, files and the scanner's verdict.

    The folder is scanned before it is loaded, as every load path does: a model whose graph
    has findings is not loaded unless `trust` (its facts then list the findings).

    Raises:
        UnreadableModelError: `path` holds no ``saved_model.pb``, or one that does not parse.
        UnsafeModelError: the scan has findings and `trust` is False.
        ModelFormatError: the SavedModel is neither an encoder of a known generation nor a
            text preprocessor; the message names the folder and what was expected.
    """
    from hubfork.errors import UnsafeModelError
    from hubfork.scanning.scanner import scan

    folder = Path(path)
    report = scan(folder)
    if report.findings and not trust:
        raise UnsafeModelError(str(folder), path=str(folder), report=report)
    common = dict(path=str(folder), ops=dict(report.ops), findings=tuple(str(f) for f in report.findings),
                  **_folder_size(folder))
    loaded = _load(folder)
    encoder, not_encoder = _encoder(folder, loaded)
    if encoder is not None:
        return _encoder_facts(encoder, common)
    if _is_preprocessor(loaded):
        return _preprocessor_facts(folder, loaded, common)
    raise ModelFormatError(f"{not_encoder}; nor is it a text preprocessor (a __call__ that takes strings and "
                           f"returns {', '.join(_input_keys())}, and a .tokenize)")


# --------------------------------------------------------------------------- loading


def _load(folder: Path) -> Any:
    from hubfork.models import _tf
    from hubfork.models.savedmodel import load_errors

    _tf.tensorflow_text()  # a preprocessor's ops must be registered before it loads; harmless otherwise
    with load_errors(folder):
        return _tf.tensorflow_hub().load(str(folder))


def _encoder(folder: Path, loaded: Any) -> tuple[Any, ModelFormatError | None]:
    """The loader's own adapter for `loaded`, or None and why it is not an encoder."""
    from hubfork.models.generations import encoder_of

    try:
        return encoder_of(folder, loaded), None
    except ModelFormatError as exc:
        return None, exc


def _is_preprocessor(loaded: Any) -> bool:
    """Strings in, the encoder's three inputs out, and a ``.tokenize``: the TF Hub preprocessor API."""
    from hubfork.models.generations import _takes_strings

    if not callable(loaded) or not hasattr(loaded, "tokenize") or not _takes_strings(loaded):
        return False
    outputs = [f.structured_outputs for f in _traces(getattr(loaded, "__call__", None))]
    return any(isinstance(out, dict) and set(_input_keys()) <= set(out) for out in outputs)


def _input_keys() -> tuple[str, ...]:
    from hubfork.models.bert import INPUT_KEYS

    return INPUT_KEYS


# --------------------------------------------------------------------------- encoders


def _encoder_facts(encoder: Any, common: dict[str, Any]) -> ModelFacts:
    loaded = encoder.loaded
    shapes = _architecture(loaded.variables)
    if shapes["heads"] is None:
        shapes["heads"] = _recorded_heads(encoder.path)
    vocab = encoder.vocab()
    vocab_file = Path(vocab[0]) if vocab else _vocab_asset(encoder.path, loaded)
    shapes["vocab_size"] = _vocab_rows(vocab_file, shapes["vocab_size"])
    parameters, trainable = _parameters(loaded)
    return ModelFacts(
        role="encoder", generation=encoder.generation, signatures=_encoder_signatures(encoder),
        max_positions=encoder.max_positions(), **shapes,
        casing=None if vocab is None else ("uncased" if vocab[1] else "cased"),
        vocab_sha256=_sha256(vocab_file), mlm=encoder.has_mlm, fine_tunable=encoder.fine_tunable,
        parameters=parameters, trainable_parameters=trainable, **common)


# Layer N of hubfork's layout (``bert_encoder/layer_0/attention/query/kernel``), of tf-models-official's
# (``transformer/layer_0/self_attention/query/kernel``) and of the original BERT's
# (``bert/encoder/layer_0/attention/self/query/kernel``).
_LAYER = re.compile(r"(?:^|/)layer_(\d+)/")
_QUERY = re.compile(r"(?:^|/)layer_0/.*query/kernel(?::\d+)?$")
_INTERMEDIATE = re.compile(r"(?:^|/)layer_0/intermediate/(?:dense/)?kernel(?::\d+)?$")


def _architecture(variables: Any) -> dict[str, int | None]:
    """Layers, hidden size, heads, intermediate size and vocab size, read from variable names and shapes.

    tf-models-official's attention kernels are ``[hidden, heads, head_size]``; hubfork's and the original
    BERT's are ``[hidden, hidden]``, which do not tell the heads (None here; see `_recorded_heads`).
    """
    shapes = {variable.name: _dims(variable.shape) for variable in variables}
    layers = {int(match.group(1)) for name in shapes if (match := _LAYER.search(name))}
    query = _first(shapes, lambda name, shape: bool(_QUERY.search(name)) and len(shape) in (2, 3))
    inner = _first(shapes, lambda name, shape: bool(_INTERMEDIATE.search(name)) and len(shape) == 2)
    words = _first(shapes, lambda name, shape: "word_embeddings" in name and len(shape) == 2)
    hidden = query[0] if query else (words[1] if words else None)
    return {"layers": max(layers) + 1 if layers else None, "hidden_size": hidden,
            "heads": query[1] if query and len(query) == 3 else None,
            "intermediate_size": inner[1] if inner else None, "vocab_size": words[0] if words else None}


def _first(shapes: dict[str, tuple[int | None, ...] | None], wanted: Any) -> tuple[int | None, ...] | None:
    return next((shape for name, shape in shapes.items() if shape is not None and wanted(name, shape)), None)


def _recorded_heads(folder: Path) -> int | None:
    """The heads a model states beside its weights: the config hubfork's TF1 writer puts in ``assets/``,
    or a Keras layer's config in ``keras_metadata.pb`` (hubfork's TF2 encoders save their `BertConfig`
    there, as tf-models-official's encoders save theirs)."""
    from hubfork.models.export.tf1_hub import CONFIG_ASSET
    from hubfork.models.model_files import read_model_file

    try:
        config = json.loads(read_model_file(folder, folder / "assets" / CONFIG_ASSET, CONFIG_ASSET))
    except (ModelFormatError, ValueError):
        config = None
    heads = _find_heads(config)
    return heads if heads is not None else _keras_metadata_heads(folder)


def _keras_metadata_heads(folder: Path) -> int | None:
    from google.protobuf.message import DecodeError

    from hubfork.models.model_files import read_model_file
    from hubfork.scanning.protos import parse
    from hubfork.scanning.scanner import KERAS_METADATA, MAX_PROTO_BYTES

    try:
        metadata = parse("KerasMetadata", read_model_file(folder, folder / KERAS_METADATA, KERAS_METADATA,
                                                          MAX_PROTO_BYTES))
    except (ModelFormatError, DecodeError, RecursionError):
        return None
    for node in metadata.nodes:
        try:
            heads = _find_heads(json.loads(node.metadata)) if node.metadata else None
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the reader goes
            continue
        if heads is not None:
            return heads
    return None


def _find_heads(data: Any) -> int | None:
    """The first ``num_attention_heads`` integer anywhere in JSON `data`."""
    if isinstance(data, dict):
        value = data.get("num_attention_heads")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        data = list(data.values())
    if isinstance(data, list):
        return next((heads for item in data if (heads := _find_heads(item)) is not None), None)
    return None


def _parameters(loaded: Any) -> tuple[int, int]:
    """(all, trainable) weights: floating-point variables of the model and of v4's ``.mlm`` (flags such as
    ``do_lower_case`` and TF1's vocab path are not weights). Trainable ones are those ``trainable_variables``
    lists: what fine-tuning through hub.KerasLayer trains (none for a TF1 module)."""
    owners = [loaded] + ([loaded.mlm] if hasattr(loaded, "mlm") else [])
    every = _unique(v for owner in owners for v in getattr(owner, "variables", ()))
    trainable = _unique(v for owner in owners for v in getattr(owner, "trainable_variables", ()))
    return _size(every), _size(trainable)


def _unique(variables: Any) -> list[Any]:
    # v4's .mlm shares the word embeddings with the encoder: count them once.
    seen: dict[Any, Any] = {}
    for variable in variables:
        seen.setdefault(variable.ref(), variable)
    return list(seen.values())


def _size(variables: list[Any]) -> int:
    return sum(int(variable.shape.num_elements() or 0) for variable in variables if variable.dtype.is_floating)


# --------------------------------------------------------------------------- preprocessors


def _preprocessor_facts(folder: Path, loaded: Any, common: dict[str, Any]) -> ModelFacts:
    from hubfork.models.preprocessing import Preprocessor

    preprocessor = Preprocessor(folder, "given", loaded=loaded)
    vocab_file = _vocab_asset(folder, loaded)
    methods = ("__call__", "tokenize", "tokenize_with_offsets", "bert_pack_inputs")
    return ModelFacts(
        role="preprocessor", signatures=_signatures(loaded, methods), vocab_size=_count_vocab(vocab_file),
        casing=_probe_casing(loaded, vocab_file), vocab_sha256=_sha256(vocab_file),
        seq_length=preprocessor.seq_length, **common)


def _vocab_asset(folder: Path, loaded: Any) -> Path | None:
    """The vocab file a model carries: its ``.vocab_file`` asset (hubfork's preprocessors, TF Hub encoders),
    else ``assets/vocab.txt``, else the only ``.txt`` file in ``assets/``; never one outside `folder`.

    Raises:
        ModelFormatError: the file found leads outside `folder` (`hubfork.models.model_files`).
    """
    from hubfork.models.model_files import inside_model

    found = _vocab_candidate(folder, loaded)
    if found is not None:
        inside_model(folder, found)
    return found


def _vocab_candidate(folder: Path, loaded: Any) -> Path | None:
    asset = getattr(loaded, "vocab_file", None)
    if asset is not None:
        value = asset.asset_path if hasattr(asset, "asset_path") else asset
        value = value.numpy() if hasattr(value, "numpy") else value
        found = Path(value.decode("utf-8") if isinstance(value, bytes) else str(value))
        if found.is_file():
            return found
    if (folder / "assets" / "vocab.txt").is_file():
        return folder / "assets" / "vocab.txt"
    texts = sorted((folder / "assets").glob("*.txt")) if (folder / "assets").is_dir() else []
    return texts[0] if len(texts) == 1 else None


def _probe_casing(loaded: Any, vocab_file: Path | None) -> Literal["cased", "uncased"] | None:
    """Casing, by running the model's own ``tokenize``: a saved preprocessor keeps no ``lower_case``
    flag (hubfork's and tfhub.dev's tokenizers hold it as a Python attribute, lost on saving).

    The probe is a lower-case vocab word whose upper-case spelling is not in the vocab (``the`` ->
    ``THE``): an uncased tokenizer maps the upper-case spelling to that word's one id, a cased one to
    other pieces or ``[UNK]``. None when the vocab has no such word.
    """
    from hubfork.models import _tf
    from hubfork.models.vocab import read_vocab

    if vocab_file is None:
        return None
    tokens = read_vocab(vocab_file)
    ids = {token: index for index, token in enumerate(tokens)}
    word = next((t for t in tokens if len(t) > 1 and t.isascii() and t.isalpha() and t.islower()
                 and t.upper() not in ids), None)
    if word is None:
        return None
    tf = _tf.tensorflow()
    pieces = loaded.tokenize(tf.constant([word.upper()]))
    flat = pieces.flat_values if hasattr(pieces, "flat_values") else pieces
    return "uncased" if flat.numpy().reshape(-1).tolist() == [ids[word]] else "cased"


# --------------------------------------------------------------------------- signatures


def _encoder_signatures(encoder: Any) -> tuple[SignatureFacts, ...]:
    # The list API is positional: the loader's adapter passes INPUT_KEYS in this order and reads
    # `outputs` back in its own; those names say what each position is.
    positional = {"__call__": (_input_keys(), encoder.outputs)}
    return _signatures(encoder.loaded, ("__call__", "mlm"), positional)


def _signatures(loaded: Any, methods: tuple[str, ...],
                positional: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None
                ) -> tuple[SignatureFacts, ...]:
    """Serving signatures (by name, sorted), then the traced `methods` the model has."""
    found = [_signature(name, function) for name, function in sorted(loaded.signatures.items())]
    for method in methods:
        owner = getattr(loaded, method, None)
        function = owner if method == "__call__" else getattr(owner, "__call__", None)
        traces = _traces(function)
        if traces:
            found.append(_signature(method, _inference_trace(traces), *(positional or {}).get(method, ((), ()))))
    return tuple(found)


def _traces(function: Any) -> list[Any]:
    return list(getattr(function, "concrete_functions", ()) or ())


def _inference_trace(traces: list[Any]) -> Any:
    """The trace a caller gets without ``training=True`` (the first, for methods without that flag)."""
    for trace in traces:
        args, kwargs = trace.structured_input_signature
        training = kwargs.get("training", args[1] if len(args) > 1 and isinstance(args[1], bool) else None)
        if training is False:
            return trace
    return traces[0]


def _signature(name: str, function: Any, inputs: tuple[str, ...] = (),
               outputs: tuple[str, ...] = ()) -> SignatureFacts:
    args, kwargs = function.structured_input_signature
    names = _parameter_names(function, len(args))
    tensors = [t for arg, own in zip(args, names) for t in _tensors(arg, own, inputs, top=True)]
    tensors += [t for key in sorted(kwargs) for t in _tensors(kwargs[key], key, top=True)]
    return SignatureFacts(name, tuple(tensors), tuple(_tensors(function.structured_outputs, "output", outputs,
                                                               top=True)))


def _parameter_names(function: Any, count: int) -> list[str]:
    parameters = getattr(getattr(function, "function_type", None), "parameters", None) or {}
    names = list(parameters)[:count]
    return names + [f"arg{i}" for i in range(len(names), count)]


def _tensors(value: Any, name: str, positional: tuple[str, ...] = (), *, top: bool = False) -> list[TensorFacts]:
    """The tensors of a (nested) structure of specs, named by dict key, by `positional` name or their own
    spec name in a top-level list, else ``name[i]``. Python values (``training=False``) are no tensors."""
    if isinstance(value, dict):
        return [t for key in sorted(value) for t in _tensors(value[key], str(key))]
    if isinstance(value, (list, tuple)):
        known = positional if len(positional) == len(value) else ()
        found = []
        for index, item in enumerate(value):
            own = known[index] if known else (top and getattr(item, "name", None)) or f"{name}[{index}]"
            found += _tensors(item, own)
        return found
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return [TensorFacts(name, value.dtype.name, _dims(value.shape))]
    return []


def _dims(shape: Any) -> tuple[int | None, ...] | None:
    if shape.rank is None:
        return None
    return tuple(None if dim is None else int(dim) for dim in shape.as_list())


# --------------------------------------------------------------------------- files


def _folder_size(folder: Path) -> dict[str, int]:
    files = [item for item in folder.rglob("*") if item.is_file()]
    return {"files": len(files), "size_bytes": sum(item.stat().st_size for item in files)}


def _vocab_rows(vocab_file: Path | None, rows: int | None) -> int | None:
    """The encoder's vocab size: its word embeddings' rows, which its vocab file must have as many
    tokens as (token i is row i), else the vocab file's tokens.

    Raises:
        ModelFormatError: the two differ (a token past the rows has no embedding; rows past the
            tokens are never looked up): the size would be a lie either way.
    """
    tokens = _count_vocab(vocab_file)
    if rows is not None and tokens is not None and tokens != rows:
        raise ModelFormatError(f"{vocab_file}: the vocab has {tokens:,} tokens, but the model's word embeddings "
                               f"have {rows:,} rows; expected one token a row")
    return rows if rows is not None else tokens


def _count_vocab(vocab_file: Path | None) -> int | None:
    from hubfork.models.vocab import vocab_size

    return None if vocab_file is None else vocab_size(vocab_file)


def _sha256(vocab_file: Path | None) -> str | None:
    from hubfork.models.vocab import read_vocab_bytes

    return None if vocab_file is None else hashlib.sha256(read_vocab_bytes(vocab_file)).hexdigest()


__all__ = ["ModelFacts", "SignatureFacts", "TensorFacts", "API_OF_GENERATION", "inspect_model"]
