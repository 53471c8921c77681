"""Write a model card from what the SavedModel is (`ModelFacts`): `write_card`.

The card states every fact in the form `hubfork.cards.facts` reads back (so `parse_card`
of the card gives the model's architecture, casing, API, ``.mlm``, preprocessor, task and
format, and how its embeddings are pooled and normalised), in tfhub.dev's markdown format or
as a Hugging Face README. A card the user wrote
(`existing`) wins: it is completed, never corrected, and each fact it states that the model
contradicts is a conflict at its line.

Plain text work: no TensorFlow here (the facts were read before).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hubfork.cards.parser import parse_card
from hubfork.cards.records import Card, Problem
from hubfork.cards.tfhub_format import parse_header
from hubfork.cards.values import card_value_problem
from hubfork.constants import POOLINGS
from hubfork.errors import PublishError
from hubfork.handles import is_tfhub_handle
from hubfork.models.pooling import sentence_transformers_defaults
from hubfork.publishing.model_checks import CardLines, compare

if TYPE_CHECKING:  # pragma: no cover
    from hubfork.models.inspection import ModelFacts, SignatureFacts

CardFormat = Literal["tfhub", "huggingface"]
FORMATS: tuple[CardFormat, ...] = ("tfhub", "huggingface")
#: Sections every written card has, in order.
SECTIONS = ("Overview", "Usage", "Inputs", "Outputs", "Changelog")
#: ``library_name`` of a Hugging Face card. Not ``tf-keras``: the Hub would offer a
#: ``from_pretrained_keras`` snippet, which neither loads a TF1 Hub module nor pairs an
#: encoder with its preprocessor; hubfork's loader does both, and the ``tensorflow`` and
#: ``tf-hub`` tags keep the model findable by framework.
LIBRARY_NAME = "hubfork"
# The signature whose inputs and outputs a card lists: what callers use first, the traced __call__
# (hub.KerasLayer, hubfork), then TF1's "tokens", then the serving signature.
_MAIN_SIGNATURES = ("__call__", "tokens", "serving_default", "default")


@dataclass
class CardDraft:
    """A written card, and the facts it (or the card it started from) gets wrong.

    `conflicts` are errors (a stated fact the model contradicts; publishing must not go on)
    and warnings (something `parse_card` will not read back as meant).
    """

    text: str
    conflicts: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.conflicts)


@dataclass(frozen=True)
class _Spec:
    """Everything a card is written from, checked and normalised."""

    facts: "ModelFacts"
    handle: str
    preprocessor: str | None
    license: str | None
    languages: tuple[str, ...]
    hub_repo: str | None
    hub_endpoint: str | None
    description: str
    base_model: str | None
    #: hubfork's ``pooling`` and ``normalize`` keys (an encoder's; None: the card does not say).
    pooling: str | None = None
    normalize: bool | None = None

    @property
    def version(self) -> int:
        return int(self.handle.rsplit("/", 1)[1])

    @property
    def is_encoder(self) -> bool:
        return self.facts.role == "encoder"

    @property
    def repo_id(self) -> str:
        """The Hugging Face repo id the card is about: the hub repo, else one made from the handle."""
        if self.hub_repo and not self.hub_repo.startswith(("http://", "https://")):
            return self.hub_repo.split("@", 1)[0].strip()
        publisher, name = self.handle.rsplit("/", 1)[0].split("/", 1)
        return f"{publisher}/{name.replace('/', '-')}"


def write_card(
    facts: "ModelFacts",
    handle: str,
    *,
    format: CardFormat | None = None,
    preprocessor: str | None = None,
    license: str | None = None,
    language: str | None = None,
    hub_repo: str | None = None,
    hub_endpoint: str | None = None,
    description: str | None = None,
    base_model: str | None = None,
    pooling: str | None = None,
    normalize: bool | None = None,
    existing: str | None = None,
    path: str = "<card>",
) -> CardDraft:
    """A card for the model `facts` describe, published as `handle` (``publisher/name/version``).

    `format` is ``tfhub`` (tfhub.dev's markdown) or ``huggingface`` (a README with YAML front
    matter); by default the format of `existing`, else ``tfhub``. `preprocessor` is the
    companion preprocessor's handle (for an encoder), `language` one code or a comma list,
    `hub_repo`/`hub_endpoint` hubfork's ``hub-repo``/``hub-endpoint`` keys, `base_model` the
    Hugging Face ``base_model``. `pooling` (one of `POOLINGS`) and `normalize` are an encoder's
    ``pooling``/``normalize`` keys; each not given is what the model folder's sentence-transformers
    configuration says (`hubfork.models.pooling`, what ``hubfork convert`` carries), else not
    stated. `existing` is the text of a card the user wrote: it is kept
    as written, missing metadata and sections are added, and every fact it states that the
    model contradicts is a conflict at its line of `path`.

    Raises:
        PublishError: `handle` is not ``publisher/name/version``, `format` is unknown,
            `hub_endpoint` is given without `hub_repo`, `pooling` is not one of `POOLINGS`, or a value
            is not one line of plain text (`check_values`) (step ``card``).
    """
    spec = _spec(facts, handle, preprocessor, license, language, hub_repo, hub_endpoint, description, base_model)
    spec = _with_embedding_keys(spec, pooling, normalize)
    if existing is None:
        chosen = format or "tfhub"
        _check_format(chosen)
        text = render(spec, chosen)
        return CardDraft(text, _check_written(text, spec, path))
    return _complete(existing, spec, format, path)


def check_values(**values: str | None) -> None:
    """Refuse any of `values` (keyword: the option, ``hub_repo`` for ``--hub-repo``; None: not given)
    that cannot be written into a card (`hubfork.cards.values`): every value `write_card` writes
    goes through here, and commands call it before the slow work of inspecting a model.

    Raises:
        PublishError: naming the first such option, its value and what is wrong with it (step ``card``).
    """
    for name, value in values.items():
        problem = None if value is None else card_value_problem(value)
        if problem is not None:
            raise PublishError(f"--{name.replace('_', '-')} {value!r} {problem}", step="card")


def _check_names(facts: "ModelFacts") -> None:
    # The model's own names go into the card's Inputs and Outputs sections, one a line.
    for signature in facts.signatures:
        for name in (signature.name, *(t.name for t in (*signature.inputs, *signature.outputs))):
            problem = card_value_problem(name)
            if problem is not None:
                raise PublishError(f"{facts.path}: the model's signature {signature.name!r} has a name, {name!r}, "
                                   f"that cannot be written into a card: it {problem}", step="card")


def _spec(facts: "ModelFacts", handle: str, preprocessor: str | None, license: str | None, language: str | None,
          hub_repo: str | None, hub_endpoint: str | None, description: str | None, base_model: str | None) -> _Spec:
    if not is_tfhub_handle(handle):
        raise PublishError(f"{handle!r} is not a TF Hub handle publisher/name/version", step="card")
    check_values(preprocessor=preprocessor, license=license, language=language, hub_repo=hub_repo,
                 hub_endpoint=hub_endpoint, description=description, base_model=base_model)
    _check_names(facts)
    if hub_endpoint and not hub_repo:
        raise PublishError("a hub endpoint says which hub holds the hub repo; give the hub repo too", step="card")
    languages = tuple(part.strip() for part in (language or "").split(",") if part.strip())
    text = " ".join((description or _default_description(facts)).split())
    return _Spec(facts, handle, preprocessor if facts.role == "encoder" else None, license, languages,
                 hub_repo, hub_endpoint, text, base_model)


def _with_embedding_keys(spec: _Spec, pooling: str | None, normalize: bool | None) -> _Spec:
    """`spec` with the encoder's pooling and normalisation: each as given, else as its folder says."""
    if pooling is not None and pooling not in POOLINGS:
        raise PublishError(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}", step="card")
    if not spec.is_encoder:
        return spec
    folder = sentence_transformers_defaults(Path(spec.facts.path)) if pooling is None or normalize is None else None
    if folder is not None:
        pooling = folder.pooling if pooling is None else pooling
        normalize = folder.normalize if normalize is None else normalize
    return dataclasses.replace(spec, pooling=pooling, normalize=normalize)


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise PublishError(f"card format must be one of {', '.join(FORMATS)}, not {format!r}", step="card")


def _default_description(facts: "ModelFacts") -> str:
    if facts.role == "preprocessor":
        return "Text preprocessing for BERT encoders, as a TF Hub SavedModel published with hubfork."
    size = f" with {facts.layers} layers" if facts.layers else ""
    return f"BERT text encoder{size} in the TF Hub format ({facts.generation}), published with hubfork."


# --------------------------------------------------------------------- rendering


def render(spec: _Spec, format: CardFormat) -> str:
    """The whole card for `spec` in `format`."""
    head = _tfhub_head(spec) if format == "tfhub" else _huggingface_head(spec)
    body = [_section(title, lines) for title, lines in _sections(spec).items()]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"


def _section(title: str, lines: list[str]) -> str:
    return "\n".join([f"## {title}", "", *lines]).rstrip()


def _tfhub_head(spec: _Spec) -> list[str]:
    lines = [f"# Module {spec.handle}", spec.description, ""]
    lines += [f"<!-- {key}: {value} -->" for key, value in _tfhub_metadata(spec)]
    return lines


def _tfhub_metadata(spec: _Spec) -> list[tuple[str, str]]:
    """The metadata tfhub.dev required of a Module, the optional keys known, and hubfork's."""
    facts = spec.facts
    pairs = [
        ("asset-path", "legacy"),
        ("fine-tunable", "true" if facts.fine_tunable else "false"),
        ("format", facts.card_format),
    ]
    pairs += [("language", code) for code in spec.languages]
    if spec.license:
        pairs.append(("license", spec.license))
    pairs.append(("task", "text-embedding" if spec.is_encoder else "text-preprocessing"))
    if spec.is_encoder:
        pairs.append(("network-architecture", "transformer"))
    if spec.pooling is not None:
        pairs.append(("pooling", spec.pooling))
    if spec.normalize is not None:
        pairs.append(("normalize", "true" if spec.normalize else "false"))
    if spec.hub_repo:
        pairs.append(("hub-repo", spec.hub_repo))
    if spec.hub_endpoint:
        pairs.append(("hub-endpoint", spec.hub_endpoint))
    return pairs


def _huggingface_head(spec: _Spec) -> list[str]:
    import yaml

    front = yaml.safe_dump(_huggingface_metadata(spec), sort_keys=False, allow_unicode=True).rstrip("\n")
    return ["---", front, "---", "", f"# {spec.repo_id}", "", spec.description]


def _huggingface_metadata(spec: _Spec) -> dict[str, object]:
    facts = spec.facts
    data: dict[str, object] = {"library_name": LIBRARY_NAME}
    if spec.license:
        data["license"] = spec.license
    if spec.languages:
        data["language"] = list(spec.languages)
    if spec.base_model:
        data["base_model"] = spec.base_model
    if spec.is_encoder:
        # The Hub's widget follows pipeline_tag: fill-mask where there is a masked-LM head to fill with.
        data["pipeline_tag"] = "fill-mask" if facts.mlm else "feature-extraction"
    generation = facts.generation or "preprocessor"
    tags = ["tensorflow", "tf-hub", "bert", "text-embedding" if spec.is_encoder else "text-preprocessing",
            generation if generation == "tf1-hub" else f"tf-hub-{generation}"]
    data["tags"] = tags
    # hubfork's own keys: which repo this is (cards kept outside their repo), the TF Hub handle
    # it stands for, and the model format (the TF Hub ``format`` key).
    data["repo_id"] = spec.repo_id
    data["tfhub_handle"] = spec.handle
    data["format"] = facts.card_format
    if spec.pooling is not None:
        data["pooling"] = spec.pooling
    if spec.normalize is not None:
        data["normalize"] = spec.normalize
    return data


def _sections(spec: _Spec) -> dict[str, list[str]]:
    return {
        "Overview": _overview(spec),
        "Usage": _usage(spec),
        "Inputs": _tensors(spec, "inputs"),
        "Outputs": _tensors(spec, "outputs"),
        "Changelog": [f"### Version {spec.version}", "", "  * Published with hubfork from the SavedModel."],
    }


def _overview(spec: _Spec) -> list[str]:
    facts = spec.facts
    lines = _encoder_overview(spec) if spec.is_encoder else _preprocessor_overview(spec)
    if facts.casing == "uncased":
        lines.append('Text is normalized the "uncased" way: lower-cased, with accent marks removed, '
                     "before it is split into word pieces.")
    elif facts.casing == "cased":
        lines.append('Text keeps its case and accent marks: it is tokenized the "cased" way.')
    lines.append("")
    lines.append("All parameters in the model are trainable." if facts.fine_tunable
                 else "The model has no trainable parameters.")
    if facts.parameters:
        lines.append(f"It holds {facts.parameters:,} parameters.")
    return lines


def _encoder_overview(spec: _Spec) -> list[str]:
    facts = spec.facts
    lines = [f"A BERT text encoder in the TF Hub format of generation {facts.generation}."]
    if facts.layers and facts.hidden_size and facts.heads:
        label = f"L-{facts.layers}_H-{facts.hidden_size}_A-{facts.heads}"
        lines.append(f"It has L={facts.layers} hidden layers (Transformer blocks), a hidden size of "
                     f"H={facts.hidden_size} and A={facts.heads} attention heads ({label}).")
    extra = []
    if facts.intermediate_size:
        extra.append(f"an intermediate size of {facts.intermediate_size}")
    if facts.max_positions:
        extra.append(f"up to {facts.max_positions} positions")
    if facts.vocab_size:
        extra.append(f"a WordPiece vocabulary of {facts.vocab_size} word pieces")
    if extra:
        lines.append("It has " + ", ".join(extra) + ".")
    lines += ["", _api_sentence(facts.generation)]
    lines.append("It also has the `.mlm` subobject: a masked-language-model head over the same weights, "
                 "which `TextModel.fill_mask` uses." if facts.mlm else "It has no masked-language-model head.")
    lines.append("")
    if spec.preprocessor:
        lines.append(f"Its companion preprocessor `{spec.preprocessor}` turns plain text into its inputs.")
    else:
        lines.append("It takes token ids: a preprocessor for its vocabulary turns plain text into them.")
    return lines


def _api_sentence(generation: str | None) -> str:
    if generation == "tf1-hub":
        return ("It is a TF1 Hub module (format `hub`): load it with `hub.Module` and call its `tokens` "
                "signature, which takes and returns named tensors.")
    if generation in ("v1", "v2"):
        return (f"Its API is the list one of generation {generation}: it takes "
                "`[input_word_ids, input_mask, input_type_ids]` and returns `[pooled_output, sequence_output]`.")
    return (f"It expects a dict of `input_word_ids`, `input_mask` and `input_type_ids` and returns a dict "
            f"(generation {generation}) of `pooled_output`, `sequence_output` and `encoder_outputs`.")


def _preprocessor_overview(spec: _Spec) -> list[str]:
    facts = spec.facts
    seq = facts.seq_length or 128
    lines = ["A text preprocessor for BERT encoders, as a TF2 SavedModel: it turns plain strings into "
             f"`input_word_ids`, `input_mask` and `input_type_ids` of seq_length={seq} tokens."]
    if facts.vocab_size:
        lines.append(f"Its WordPiece vocabulary has {facts.vocab_size} word pieces.")
    if _signature(facts, "bert_pack_inputs"):
        lines.append("Its `tokenize` and `bert_pack_inputs` parts take other lengths and pairs of texts.")
    return lines


def _usage(spec: _Spec) -> list[str]:
    if not spec.is_encoder:
        return _preprocessor_usage(spec)
    facts = spec.facts
    extra = f', preprocessor="{spec.preprocessor}"' if spec.preprocessor else ""
    hubfork_code = ["import hubfork", "",
                    f'model = hubfork.load_text_model("{spec.handle}"{extra})',
                    f'embeddings = model.embed(["hello world"])  # [1, {facts.hidden_size or "hidden_size"}]']
    if facts.mlm:
        hubfork_code.append('predictions = model.fill_mask("hello [MASK]")')
    lines = ["With hubfork, which pairs the encoder with its preprocessor:", "", *_code(hubfork_code), ""]
    if facts.generation == "tf1-hub":
        lines += ["With `hub.Module`, in TF1 graph mode:", "", *_code(_tf1_code(spec))]
    else:
        lines += ["With `hub.KerasLayer`:", "", *_code(_keras_code(spec))]
    return lines


def _code(lines: list[str]) -> list[str]:
    return ["```python", *lines, "```"]


def _imports(spec: _Spec, tf: str = "tensorflow as tf") -> list[str]:
    lines = [f"import {tf}", "import tensorflow_hub as hub"]
    if spec.preprocessor or not spec.is_encoder:
        lines.append("import tensorflow_text  # registers the ops the preprocessor uses")
    return lines + ["from hubfork import snapshot_download", ""]


def _encoder_inputs(spec: _Spec) -> list[str]:
    if spec.preprocessor:
        return [f'preprocessor = hub.KerasLayer(snapshot_download("{spec.preprocessor}"))',
                'encoder_inputs = preprocessor(tf.constant(["hello world"]))']
    return ["seq_length = 128  # your choice",
            "encoder_inputs = {name: tf.keras.layers.Input(shape=(seq_length,), dtype=tf.int32)",
            '                  for name in ("input_word_ids", "input_mask", "input_type_ids")}']


def _keras_code(spec: _Spec) -> list[str]:
    facts, width = spec.facts, spec.facts.hidden_size or "hidden_size"
    lines = _imports(spec) + _encoder_inputs(spec)
    lines.append(f'encoder = hub.KerasLayer(snapshot_download("{spec.handle}"), trainable=True)')
    if facts.api == "list":
        lines += ["pooled_output, sequence_output = encoder([encoder_inputs[\"input_word_ids\"],",
                  "                                           encoder_inputs[\"input_mask\"],",
                  "                                           encoder_inputs[\"input_type_ids\"]])",
                  f"# pooled_output: [batch_size, {width}]; sequence_output: [batch_size, seq_length, {width}]"]
        return lines
    lines += ["outputs = encoder(encoder_inputs)",
              f'pooled_output = outputs["pooled_output"]      # [batch_size, {width}]',
              f'sequence_output = outputs["sequence_output"]  # [batch_size, seq_length, {width}]']
    if facts.mlm:
        lines += ["", "# The masked-LM head: add masked_lm_positions to the inputs.",
                  f'mlm = hub.KerasLayer(hub.load(snapshot_download("{spec.handle}")).mlm)']
    return lines


def _tf1_code(spec: _Spec) -> list[str]:
    # A TF1 BERT module's "tokens" signature names its inputs the way the original BERT code did.
    ids, mask, types = "input_ids", "input_mask", "segment_ids"
    lines = _imports(spec, "tensorflow.compat.v1 as tf") + ["tf.disable_v2_behavior()"]
    lines += _encoder_inputs(spec)
    lines += [f'encoder = hub.Module(snapshot_download("{spec.handle}"), trainable=True)',
              "bert_outputs = encoder(",
              f'    inputs=dict({ids}=encoder_inputs["input_word_ids"], {mask}=encoder_inputs["input_mask"],',
              f'                {types}=encoder_inputs["input_type_ids"]),',
              '    signature="tokens", as_dict=True)',
              'pooled_output = bert_outputs["pooled_output"]',
              'sequence_output = bert_outputs["sequence_output"]']
    return lines


def _preprocessor_usage(spec: _Spec) -> list[str]:
    seq = spec.facts.seq_length or 128
    code = _imports(spec) + [
        f'preprocessor = hub.KerasLayer(snapshot_download("{spec.handle}"))',
        f'encoder_inputs = preprocessor(tf.constant(["hello world"]))  # a dict of [batch_size, {seq}] int32',
    ]
    if _signature(spec.facts, "bert_pack_inputs"):
        code += ["", "# Another length, or pairs of texts:",
                 f'model = hub.load(snapshot_download("{spec.handle}"))',
                 "tokenize = hub.KerasLayer(model.tokenize)",
                 "pack = hub.KerasLayer(model.bert_pack_inputs, arguments=dict(seq_length=64))",
                 'encoder_inputs = pack([tokenize(tf.constant(["hello world"]))])']
    return ["Feed its outputs to a BERT encoder with the same vocabulary:", "", *_code(code)]


def _signature(facts: "ModelFacts", name: str) -> "SignatureFacts | None":
    return next((s for s in facts.signatures if s.name == name), None)


def _main_signature(facts: "ModelFacts") -> "SignatureFacts | None":
    for name in _MAIN_SIGNATURES:
        found = _signature(facts, name)
        if found is not None:
            return found
    return facts.signatures[0] if facts.signatures else None


def _tensors(spec: _Spec, which: Literal["inputs", "outputs"]) -> list[str]:
    main = _main_signature(spec.facts)
    if main is None:
        return ["The model's signatures could not be read."]
    lines = [f"The `{main.name}` signature {'takes' if which == 'inputs' else 'returns'}:", ""]
    lines += [_tensor_line(t) for t in getattr(main, which)] or ["  * nothing"]
    if which == "outputs":
        others = [s for s in spec.facts.signatures if s is not main]
        if others:
            lines += ["", "Other signatures and methods of the model:", ""]
            lines += [f"  * `{s.name}`: takes {_names(s.inputs)}; returns {_names(s.outputs)}" for s in others]
    return lines


def _tensor_line(tensor) -> str:
    shape = "unknown" if tensor.shape is None else "[" + ", ".join(str(d) for d in tensor.shape) + "]"
    return f"  * `{tensor.name}`: {tensor.dtype}, shape `{shape}`"


def _names(tensors) -> str:
    return ", ".join(f"`{t.name}`" for t in tensors) or "nothing"


# ---------------------------------------------------------- checking what was written


def _check_written(text: str, spec: _Spec, path: str) -> list[Problem]:
    """What a freshly written card gets wrong: only its handle can (it names the size or the
    casing), and anything `parse_card` would not read back as written."""
    card = parse_card(path, text)
    conflicts = list(card.errors) + compare(card, spec.facts, text=text)
    return conflicts + _readback_warnings(card, spec, text, path)


def _readback_warnings(card: Card, spec: _Spec, text: str, path: str) -> list[Problem]:
    if spec.preprocessor and card.preprocessor != spec.preprocessor:
        line = CardLines(text).find(re.escape(spec.preprocessor))
        return [Problem(path, line, f"the card names {spec.preprocessor} as the preprocessor, but only a name with "
                        "'preprocess' in it is read as one", "warning", "preprocessor")]
    return []


# ------------------------------------------------------------- completing a user's card


def _complete(existing: str, spec: _Spec, format: CardFormat | None, path: str) -> CardDraft:
    """The user's card with what it lacks added, and the conflicts of what it states."""
    card = parse_card(path, existing)
    family = card.family or "tfhub"
    if format is not None:
        _check_format(format)
        if format != family:
            return CardDraft(existing, [Problem(path, 1, f"the card given is a {family} card, not a {format} one",
                                                "error", "card-format")])
    if card.family == "tfhub" and card.kind is None:
        return CardDraft(existing, card.errors)  # no first line to build on: nothing to complete
    lines = CardLines(existing)
    conflicts = compare(card, spec.facts, text=existing) + _stated_names(card, spec, lines, path)
    text = _add_metadata(existing, card, spec, path) if family == "tfhub" else _add_front_matter(existing, card, spec)
    text = _add_sections(text, spec, path)
    final = parse_card(path, text)
    # Errors the completion could not fix (they are the user's, at lines of the completed card).
    conflicts += [p for p in final.errors if p.code != "missing-metadata"]
    return CardDraft(text, conflicts)


def _stated_names(card: Card, spec: _Spec, lines: CardLines, path: str) -> list[Problem]:
    """The handle and the preprocessor the card names, against the ones being published."""
    out = []
    expected = spec.handle if card.family == "tfhub" else spec.repo_id
    if card.handle is not None and card.handle != expected:
        out.append(Problem(path, lines.find(re.escape(card.handle)),
                           f"card says {card.handle}, the model is published as {expected}", "error", "handle"))
    if card.preprocessor and spec.preprocessor and card.preprocessor != spec.preprocessor:
        out.append(Problem(path, lines.find(re.escape(card.preprocessor)),
                           f"card says its preprocessor is {card.preprocessor}, the model is published with "
                           f"{spec.preprocessor}", "error", "preprocessor"))
    return out + _stated_embedding_keys(card, spec, lines, path)


def _stated_embedding_keys(card: Card, spec: _Spec, lines: CardLines, path: str) -> list[Problem]:
    """The pooling and normalisation the card states, against those asked for or the model folder's."""
    out = []
    for key, stated, wanted in (("pooling", card.pooling, spec.pooling), ("normalize", card.normalize, spec.normalize)):
        if stated is not None and wanted is not None and stated != wanted:
            shown = {True: "true", False: "false"}
            out.append(Problem(path, lines.metadata(key), f"card says {key} {shown.get(stated, stated)}, but "
                               f"{shown.get(wanted, wanted)} is asked for (--{key}, else the model folder's "
                               "sentence-transformers configuration)", "error", key))
    return out


def _add_metadata(text: str, card: Card, spec: _Spec, path: str) -> str:
    """Add the metadata lines the card lacks at the end of its metadata block."""
    present = set(card.metadata) | ({"task"} if "module-type" in card.metadata else set())
    missing = [f"<!-- {key}: {value} -->" for key, value in _tfhub_metadata(spec) if key not in present]
    if not missing:
        return text
    lines = text.split("\n")
    header = parse_header([line.rstrip("\r") for line in lines], path)
    if header.metadata_lines:
        at = header.metadata_lines[-1].line  # after the last metadata line
    else:
        at = header.body_line - 1  # before the first heading
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        missing = [""] + missing + ([""] if at < len(lines) else [])
    return "\n".join(lines[:at] + missing + lines[at:])


def _add_front_matter(text: str, card: Card, spec: _Spec) -> str:
    """Add the front-matter keys the card lacks (a front matter too, when it has none)."""
    import yaml

    wanted = _huggingface_metadata(spec)
    if card.handle is not None:
        wanted.pop("repo_id")  # the card names its repo already
    missing = {key: value for key, value in wanted.items() if key not in card.metadata}
    if not missing:
        return text
    block = yaml.safe_dump(missing, sort_keys=False, allow_unicode=True).rstrip("\n").split("\n")
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if lines[start].strip() == "---":
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            return "\n".join(lines[:end] + block + lines[end:])
    return "\n".join(["---", *block, "---", "", *lines])


def _add_sections(text: str, spec: _Spec, path: str) -> str:
    """Add the sections the card lacks: before its changelog when it has one, the changelog last."""
    card = parse_card(path, text)
    have = {section.title.strip().lower() for section in card.sections}
    missing = {t: body for t, body in _sections(spec).items() if t.lower() not in have}
    if not missing:
        return text
    changelog = missing.pop("Changelog", None)
    lines = text.rstrip("\n").split("\n")
    anchor = next((s.line for s in card.sections if s.title.strip().lower() == "changelog"), None)
    blocks = [_section(title, body) + "\n" for title, body in missing.items()]
    if anchor is not None and blocks:
        before, after = lines[: anchor - 1], lines[anchor - 1 :]
        lines = before + "\n".join(blocks).split("\n") + after
    elif blocks:
        lines += [""] + "\n".join(blocks).rstrip("\n").split("\n")
    if changelog is not None:
        lines += ["", _section("Changelog", changelog)]
    return "\n".join(lines) + "\n"


__all__ = ["CardDraft", "write_card", "check_values", "render", "FORMATS", "SECTIONS", "LIBRARY_NAME"]
