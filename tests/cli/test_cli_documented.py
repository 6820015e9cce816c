"""docs/cli.md documents every command of the project, each action of those with
actions (``program check``, ``email retry``, ...), and no command that does not exist.
"""

from __future__ import annotations

import argparse
import re

from django.core.management import get_commands, load_command_class

from tests.support.docs import DOCS, table_rows

# A command's reference entry: a `### `certwright ...`` heading or the first cell of
# a table row; plus every `$ certwright ...` line of an example.
HEADING = re.compile(r"^###\s+`(certwright [^`]+)`", re.MULTILINE)
CONSOLE = re.compile(r"^\$ (certwright .+)$", re.MULTILINE)
CODE = re.compile(r"`(certwright [^`]+)`")


def actions(name: str, app: str) -> set[str]:
    """The actions of command ``name`` (its sub-commands), empty when it has none."""
    parser = load_command_class(app, name).create_parser("certwright", name)
    return {
        choice
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for choice in action.choices
    }


def project_commands() -> dict[str, set[str]]:
    """Each of the project's own commands, with its actions."""
    return {
        name: actions(name, app)
        for name, app in get_commands().items()
        if isinstance(app, str) and app.startswith("certwright.")
    }


def reference_entries() -> list[str]:
    """Each command line documented as a heading or in a table's first cell."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    entries = HEADING.findall(text)
    for row in table_rows("cli.md"):
        entries += CODE.findall(row[0])
    return entries


def named(line: str, commands: dict[str, set[str]]) -> tuple[str, str | None]:
    """(command, action) a documented ``certwright ...`` line runs."""
    words = line.split()[1:]
    command = words[0]
    if commands.get(command) and len(words) > 1:
        return command, words[1]
    return command, None


def test_every_command_and_action_of_the_project_is_documented():
    """Each project command has a reference entry, and so has each of its actions."""
    # given the project's commands and the documented entries
    commands = project_commands()
    documented = {named(line, commands) for line in reference_entries()}
    # then every command, and every action of one, is among them
    expected: set[tuple[str, str | None]] = {
        (command, action)
        for command, its_actions in commands.items()
        for action in (its_actions or [None])
    }
    assert len(expected) > 15  # found through Django's command discovery
    missing = sorted(
        f"certwright {c} {a or ''}".strip() for c, a in expected - documented
    )
    assert not missing, f"add to docs/cli.md: {missing}"


def test_every_documented_command_exists():
    """Each command the page names (in a reference entry or an example run) is a
    command, and an action it names is one of that command's actions."""
    # given every command Certwright runs (Django's and the libraries' included)
    commands = project_commands()
    known = set(get_commands())
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    # when each documented command line is read
    wrong = []
    for line in reference_entries() + CONSOLE.findall(text):
        command, action = named(line, commands)
        if command not in known:
            wrong.append(f"{line}: no command {command!r}")
        elif commands.get(command) and action not in commands[command]:
            wrong.append(f"{line}: {command} has no action {action!r}")
    # then there is none that does not exist
    assert wrong == []
