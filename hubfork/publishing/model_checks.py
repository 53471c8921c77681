"""Does a card say what its SavedModel is? `compare` one against the other, and
`check_card_against_model` for the whole check (card rules, introspection, the companion
preprocessor, the scan, one batch through the model).

A card's facts are only what it *states* (`hubfork.cards.facts`): a card that is silent
on a fact never disagrees with the model on it. Each disagreement is a `Problem` at the
line of the card that states the fact, so an editor can jump to it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from hubfork.cards import facts as card_facts
from hubfork.cards.checks import SAVED_MODEL_FORMATS
from hubfork.cards.records import Card, Problem

if TYPE_CHECKING:  # pragma: no cover
    from hubfork._progress import StepReport
    from hubfork.hub.registry_sources import RegistryLike
    from hubfork.models.inspection import ModelFacts

#: The code of every disagreement between a card and its model.
MISMATCH = "model-mismatch"
#: What a card's ``api`` value calls each API, in messages.
API_NAMES = {"tf1-hub": "TF1 Hub format (hub.Module)", "list": "list API", "dict": "dict API"}
#: Tasks that make a card an encoder's (TF Hub tasks and Hugging Face pipeline tags).
_ENCODER_TASKS = card_facts.ENCODER_TASKS | {"feature-extraction", "fill-mask"}
# Where a card states its API: the signals `hubfork.cards.facts.api` reads, per API.
_API_LINES = {
    "tf1-hub": (r"^\s*(?:<!--\s*)?format\s*:\s*hub\b", r"signature\s*=\s*[\"']tokens[\"']", r"\bhub\.Module\("),
    "list": (r"\bpooled_output\s*,\s*sequence_output\s*=",),
    "dict": (r"outputs\[\s*[\"']", r"\bexpects\s+a\s+dict\b", r"\bUses\s+dicts\b"),
}


class CardLines:
    """Finds the line of a card's text (1-based) that states something; line 1 when none does."""

    def __init__(self, text: str | None):
        self.lines = text.split("\n") if text else []

    def find(self, *patterns: str, flags: int = 0, default: int = 1) -> int:
        for pattern in patterns:
            regex = re.compile(pattern, flags)
            for number, line in enumerate(self.lines, 1):
                if regex.search(line):
                    return number
        return default

    def metadata(self, *keys: str, fallback: tuple[str, ...] = ()) -> int:
        """The line of a ``<!-- key: value -->`` comment or a front-matter ``key:``, else of `fallback`."""
        patterns = [rf"^\s*(?:<!--\s*)?{re.escape(key)}\s*:" for key in keys]
        return self.find(*patterns, *fallback)


def compare(card: Card, facts: "ModelFacts", *, preprocessor_facts: "ModelFacts | None" = None,
            text: str | None = None) -> list[Problem]:
    """Every fact `card` states that the introspected model `facts` contradicts, as error
    Problems (code ``model-mismatch``) at the line that states it.

    Checks the role (a preprocessing card on an encoder and the reverse), L, H and A, casing,
    API generation, the ``.mlm`` subobject, fine-tunable, the format (``hub`` vs
    ``saved_model_2``), and, given the companion preprocessor's `preprocessor_facts`, that it is
    a preprocessor with the encoder's casing and vocab. `text` is the card's text (read from
    ``card.path`` when not given) for the lines; facts whose line is not found are at line 1.
    """
    lines = CardLines(text if text is not None else _read(card.path))

    def problem(line: int, message: str) -> Problem:
        return Problem(card.path, line, message, "error", MISMATCH)

    role = _card_role(card)
    if role is not None and role != facts.role:
        return [problem(_role_line(lines, role), _role_message(card, role, facts))]
    checks: list[Callable[..., list[Problem]]] = [_architecture, _casing, _format, _fine_tunable]
    if facts.role == "encoder":
        checks += [_api, _mlm]
    found = [p for check in checks for p in check(card, facts, lines, problem)]
    if preprocessor_facts is not None and card.preprocessor:
        found += _companion(card.preprocessor, preprocessor_facts, facts, lines, problem)
    return found


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # an unread card puts its problems at line 1


def _card_role(card: Card) -> str | None:
    if card_facts.is_preprocessor(card.name, card.tasks):
        return "preprocessor"
    if card.api is not None or any(task in _ENCODER_TASKS for task in card.tasks):
        return "encoder"
    return None


def _role_line(lines: CardLines, role: str) -> int:
    if role == "preprocessor":
        return lines.metadata("task", "module-type", fallback=(r"^\s*-\s*text-preprocessing\s*$", "preprocess"))
    return lines.metadata("task", "module-type", "pipeline_tag", fallback=(r"^\s*-\s*text-embedding\s*$",))


def _role_message(card: Card, role: str, facts: "ModelFacts") -> str:
    said = next((t for t in card.tasks if t in _ENCODER_TASKS or t == "text-preprocessing"), None)
    said = said or ("text-preprocessing" if role == "preprocessor" else f"the {card.api} API")
    return f"card says {said}, the model is {'a text encoder' if facts.role == 'encoder' else 'a preprocessor'}"


def _architecture(card: Card, facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    stated = card.architecture
    if stated is None or facts.role != "encoder":
        return []
    out = []
    # (letter, what the card says, what the model has, how the name and the prose spell it)
    for letter, said, has, what in (
        ("L", stated.layers, facts.layers, "{} layers"),
        ("H", stated.hidden_size, facts.hidden_size, "hidden size {}"),
        ("A", stated.heads, facts.heads, "{} attention heads"),
    ):
        if said is None or has is None or said == has:
            continue
        line = lines.find(rf"(?:^|[_/-]){letter}-{said}(?=$|[_/-])", rf"\b{letter}\s*=\s*{said}\b")
        out.append(problem(line, f"card says {letter}-{said}, the model has {what.format(has)}"))
    return out


def _casing(card: Card, facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    if card.casing is None or facts.casing is None or card.casing == facts.casing:
        return []
    return [problem(lines.find(_word(card.casing), flags=re.IGNORECASE),
                    f"card says {card.casing}, the model is {facts.casing}")]


def _word(word: str) -> str:
    # "cased" must not match inside "uncased".
    return rf"(?<![A-Za-z]){word}(?![A-Za-z])"


def _format(card: Card, facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    # Only the format the card's metadata gives: a Hugging Face card that mentions "SavedModel" is
    # read as saved_model_2 whatever it is, which is no statement about a TF1 module.
    stated = card.metadata.get("format")
    expected = facts.card_format
    if not isinstance(stated, str) or stated not in SAVED_MODEL_FORMATS or stated == expected:
        return []
    what = "a TF1 Hub module (format: hub)" if expected == "hub" else "a TF2 SavedModel (format: saved_model_2)"
    return [problem(lines.metadata("format"), f"card says format: {stated}, the model is {what}")]


def _fine_tunable(card: Card, facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    if card.fine_tunable is None or card.fine_tunable == facts.fine_tunable:
        return []
    has = "has trainable variables" if facts.fine_tunable else "has no trainable variables"
    line = lines.metadata("fine-tunable", fallback=(r"\btrainable\b",))
    return [problem(line, f"card says fine-tunable: {str(card.fine_tunable).lower()}, the model {has}")]


def _api(card: Card, facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    if card.api is None or facts.api is None or card.api == facts.api:
        return []
    changelog = card.changelog[-1].line if card.changelog else 1
    line = lines.find(*_API_LINES[card.api], default=changelog)
    return [problem(line, f"card says the {API_NAMES[card.api]}, the model is {facts.generation} "
                          f"({API_NAMES[facts.api]})")]


def _mlm(card: Card, facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    # A card that does not mention .mlm does not say the model lacks it: only a claim can be wrong.
    if card.mlm is not True or facts.mlm:
        return []
    line = lines.find(r"\.mlm\b", r"\bmlm\s+subobject", flags=re.IGNORECASE)
    return [problem(line, f"card says the model has the .mlm subobject, the model ({facts.generation}) has none")]


def _companion(name: str, pre: "ModelFacts", facts: "ModelFacts", lines: CardLines, problem) -> list[Problem]:
    line = lines.find(re.escape(name))
    if pre.role != "preprocessor":
        return [problem(line, f"card names {name} as its preprocessor, but it is {_a(pre.role)}")]
    out = []
    if pre.casing and facts.casing and pre.casing != facts.casing:
        out.append(problem(line, f"the preprocessor {name} is {pre.casing}, the model is {facts.casing}"))
    if pre.vocab_size and facts.vocab_size and pre.vocab_size != facts.vocab_size:
        out.append(problem(line, f"the preprocessor {name} has a vocab of {pre.vocab_size} word pieces, "
                                 f"the model has {facts.vocab_size}"))
    elif pre.vocab_sha256 and facts.vocab_sha256 and pre.vocab_sha256 != facts.vocab_sha256:
        out.append(problem(line, f"the preprocessor {name} has another vocab than the model "
                                 f"(sha256 {pre.vocab_sha256[:12]}… vs {facts.vocab_sha256[:12]}…)"))
    return out


def _a(role: str) -> str:
    return "an encoder" if role == "encoder" else f"a {role}"


# ------------------------------------------------------------------ the whole check


def check_card_against_model(
    card_path: str | os.PathLike[str],
    model_dir: str | os.PathLike[str],
    *,
    registry: "RegistryLike" = None,
    run: bool = True,
    trust: bool = False,
    progress: "StepReport | None" = None,
) -> list[Problem]:
    """Every problem of the card at `card_path` as a card and as a description of the
    SavedModel in `model_dir`: the card's own rule problems, `compare` with the model and
    with the companion preprocessor the card names (fetched, by any name, through
    `registry`), the scan's findings, and with `run` one batch through the model.

    A model whose scan has findings is neither loaded nor run unless `trust`: its findings
    are errors (warnings with `trust`). Problems about the model rather than a line of the
    card are at line 1; those about the companion at the line that names it. `progress` is called
    with the name of each step as it starts.

    Raises:
        ModelError: `model_dir` is not a SavedModel hubfork can inspect (`UnreadableModelError`,
            `ModelFormatError`).
    """
    from hubfork.cards.parser import parse_card

    say = progress or (lambda step: None)
    path = os.fspath(card_path)
    say("reading the card")
    card = parse_card(path)
    text = _read(path)
    problems = list(card.problems)
    say("inspecting the model")
    facts, found = _inspect(os.fspath(model_dir), path, 1, "the model", trust)
    problems += found
    if facts is None:
        return problems
    preprocessor_dir, preprocessor_facts = None, None
    if card.preprocessor and facts.role == "encoder":
        say(f"fetching the preprocessor {card.preprocessor}")
        preprocessor_dir, preprocessor_facts, found = _companion_facts(
            card, CardLines(text).find(re.escape(card.preprocessor)), registry, trust)
        problems += found
    problems += compare(card, facts, preprocessor_facts=preprocessor_facts, text=text)
    if run and facts.role == "encoder" and not (card.preprocessor and preprocessor_dir is None):
        say("running one batch")
        problems += _run_one_batch(path, os.fspath(model_dir), preprocessor_dir, registry, trust)
    return problems


def _inspect(folder: str, path: str, line: int, what: str,
             trust: bool) -> tuple["ModelFacts | None", list[Problem]]:
    """The facts of the model in `folder` and its scan findings as problems; no facts for a
    model the scan refuses (it is not loaded)."""
    from hubfork.errors import UnsafeModelError
    from hubfork.models.inspection import inspect_model

    severity = "warning" if trust else "error"
    try:
        facts = inspect_model(folder, trust=trust)
    except UnsafeModelError as exc:
        findings = [str(f) for f in exc.report.findings]
        return None, [Problem(path, line, f"{what} was not loaded (pass trust to load it anyway); "
                              f"its graph: {finding}", "error", "model-scan") for finding in findings]
    return facts, [Problem(path, line, f"{what}'s graph: {finding}", severity, "model-scan")  # type: ignore[arg-type]
                   for finding in facts.findings]


def _companion_facts(card: Card, line: int, registry: "RegistryLike",
                     trust: bool) -> tuple[str | None, "ModelFacts | None", list[Problem]]:
    """The companion preprocessor's folder and facts, or the problems that kept them from being known."""
    from hubfork.errors import HubError, ModelError
    from hubfork.hub.download import fetch

    name = card.preprocessor
    assert name is not None
    try:
        folder = fetch(name, registry=registry).path
    except HubError as exc:
        return None, None, [Problem(card.path, line, f"the preprocessor {name} cannot be fetched: {exc}",
                                    "error", "preprocessor")]
    try:
        facts, found = _inspect(folder, card.path, line, f"the preprocessor {name}", trust)
    except ModelError as exc:
        return None, None, [Problem(card.path, line, f"the preprocessor {name} cannot be inspected: {exc}",
                                    "error", "preprocessor")]
    return (folder if facts else None), facts, found


def _run_one_batch(path: str, model_dir: str, preprocessor_dir: str | None, registry: "RegistryLike",
                   trust: bool) -> list[Problem]:
    """Load the model as users will and embed one text; whatever goes wrong is a problem."""
    from hubfork.loading.text import load_text_model

    try:
        model = load_text_model(model_dir, preprocessor=preprocessor_dir, registry=registry, trust=trust)
        model.embed(["hello world"])
    except Exception as exc:  # noqa: BLE001 - any failure of the model is the finding
        return [Problem(path, 1, f"running one batch through the model failed: {type(exc).__name__}: {exc}",
                        "error", "model-run")]
    return []


__all__ = ["compare", "check_card_against_model", "CardLines", "MISMATCH", "API_NAMES"]
