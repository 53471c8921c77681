"""Write the reference parts of docs/cli.md (from hubfork's command-line parser) and docs/environment.md
(from `hubfork.constants.ENVIRONMENT`).

Usage: python scripts/gen_docs.py [--check]

Only what lies between a page's generated markers is written; the prose around them is kept as it is
(a page without markers gets them at its end). --check writes nothing and exits 1 naming each page that
differs from what would be written. Building the parser imports no TensorFlow.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hubfork.cli.main import build_parser  # noqa: E402 - after the checkout is on the path
from hubfork.constants import ENVIRONMENT, EnvironmentVariable  # noqa: E402

BEGIN = "<!-- generated: begin (python scripts/gen_docs.py; edit the source, not this part) -->"
END = "<!-- generated: end -->"
#: Usage lines are wrapped at this width whatever the terminal running the script.
WIDTH = 100
#: What regenerates the pages, for messages.
COMMAND = "python scripts/gen_docs.py"
CLI_PAGE = ROOT / "docs" / "cli.md"
ENVIRONMENT_PAGE = ROOT / "docs" / "environment.md"
_DEFAULT_GROUPS = ("positional arguments", "options", "optional arguments")


# ------------------------------------------------------------------ markdown


def prose(text: str) -> str:
    """`text` as markdown shows it as written: ``*``, ``<``, ``\\`` and ``|`` escaped outside its
    `code spans` (inside them markdown escapes nothing, and they show as written already)."""
    parts = re.split(r"(`[^`]*`)", " ".join(text.split()))
    return "".join(part if part.startswith("`") and part.endswith("`") and len(part) > 1
                   else part.replace("\\", "\\\\").replace("*", "\\*").replace("<", "&lt;").replace("|", "\\|")
                   for part in parts)


def code(text: str) -> str:
    """`text` as a code span in a table cell (where ``|`` must be escaped even in code)."""
    return "`" + text.replace("|", "\\|") + "`"


def anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


# ------------------------------------------------------------------ the command line


def commands(parser: argparse.ArgumentParser) -> Iterator[tuple[argparse.ArgumentParser, list[str], str]]:
    """(parser, its other names, its one-line help) for `parser` and every subcommand under it, in the
    order they were added."""
    yield parser, [], ""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        names: dict[int, list[str]] = {}
        for name, sub in action.choices.items():
            names.setdefault(id(sub), []).append(name)
        for name, sub in action.choices.items():
            first, *aliases = names[id(sub)]
            if name != first:
                continue
            for found, other_names, summary in commands(sub):
                yield found, (aliases if found is sub else other_names), (helps[name] if found is sub else summary)


def _formatter(parser: argparse.ArgumentParser) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(parser.prog, width=WIDTH)


def usage(parser: argparse.ArgumentParser) -> str:
    """The usage lines ``--help`` prints, wrapped at `WIDTH`."""
    formatter = _formatter(parser)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _rows(parser: argparse.ArgumentParser, actions: Iterable[argparse.Action]) -> list[str]:
    formatter = _formatter(parser)
    rows = []
    for action in actions:
        if action.help == argparse.SUPPRESS or isinstance(action, (argparse._HelpAction,
                                                                   argparse._SubParsersAction)):
            continue
        meaning = formatter._expand_help(action) if action.help else ""
        if action.required and action.option_strings:
            meaning = f"required; {meaning}" if meaning else "required"
        rows.append(f"| {code(formatter._format_action_invocation(action))} | {prose(meaning)} |")
    return rows


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """A table of the arguments and options, then one per titled group of options."""
    lines: list[str] = []
    groups = [(None, [a for g in parser._action_groups if g.title in _DEFAULT_GROUPS for a in g._group_actions])]
    groups += [(g.title, g._group_actions) for g in parser._action_groups if g.title not in _DEFAULT_GROUPS]
    for title, actions in groups:
        rows = _rows(parser, actions)
        if not rows:
            continue
        if title:
            lines += [f"{prose(title[0].upper() + title[1:])}:", ""]
        lines += ["| argument | meaning |", "|---|---|", *rows, ""]
    return lines


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    lines = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            lines += ["| command | does |", "|---|---|"]
            lines += [f"| [{code(f'{parser.prog} {choice.metavar}')}](#{anchor(f'{parser.prog} {choice.dest}')}) "
                      f"| {prose(choice.help or '')} |" for choice in action._choices_actions]
            lines.append("")
    return lines


def command_reference(parser: argparse.ArgumentParser) -> str:
    """Markdown for every command of `parser`: its names, description, usage, arguments, options, epilog."""
    lines = ["## Command reference", ""]
    for command, aliases, summary in commands(parser):
        lines += [f"### `{command.prog}`", ""]
        if aliases:
            lines += [f"Also `{' '.join(command.prog.split()[:-1] + [aliases[0]])}`"
                      + "".join(f", `{alias}`" for alias in aliases[1:]) + ".", ""]
        text = command.description or (summary[:1].upper() + summary[1:] + "." if summary else "")
        if text:
            lines += [prose(text), ""]
        lines += ["```", usage(command), "```", ""]
        lines += _subcommands(command)
        lines += _options(command)
        if command.epilog:
            lines += [prose(command.epilog), ""]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------ the environment


def _variable(variable: EnvironmentVariable) -> list[str]:
    lines = [f"### `{variable.name}`", "", prose(variable.meaning), "", f"- Default: {prose(variable.default)}"]
    if variable.bounds:
        lines.append(f"- Takes: {prose(variable.bounds)}")
    return lines + [""]


def environment_reference(variables: Sequence[EnvironmentVariable]) -> str:
    """Markdown for `variables`: hubfork's own first, then those of the tools it works with."""
    own = [v for v in variables if v.name.startswith("HUBFORK_")]
    others = [v for v in variables if not v.name.startswith("HUBFORK_")]
    lines = ["## hubfork's own", ""]
    for variable in own:
        lines += _variable(variable)
    lines += ["## Read from the tools hubfork works with", ""]
    for variable in others:
        lines += _variable(variable)
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------ pages


def splice(current: str | None, generated: str, title: str) -> str:
    """`current` with what lies between its markers replaced by `generated`; a page without markers
    gets them at its end, and no page at all is `title` and the markers."""
    block = f"{BEGIN}\n\n{generated}\n{END}"
    if current is None:
        return f"# {title}\n\n{block}\n"
    start, end = current.find(BEGIN), current.find(END)
    if start < 0 or end < start:
        return current.rstrip("\n") + "\n\n" + block + "\n"
    return current[:start] + block + current[end + len(END):]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def pages() -> dict[Path, str]:
    """Each generated page and the text it should hold."""
    return {
        CLI_PAGE: splice(_read(CLI_PAGE), command_reference(build_parser()), "The hubfork command"),
        ENVIRONMENT_PAGE: splice(_read(ENVIRONMENT_PAGE), environment_reference(ENVIRONMENT),
                                 "Environment variables"),
    }


def stale() -> list[Path]:
    """The pages whose text differs from what `pages` would write."""
    return [path for path, text in pages().items() if _read(path) != text]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is out of date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"{path.relative_to(ROOT)} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1 if out_of_date else 0
    for path, text in pages().items():
        if _read(path) != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
