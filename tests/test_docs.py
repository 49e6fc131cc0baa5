"""Every command and option a user can type is documented in the README (datasette's habit: a test
that fails when a setting is undocumented)."""

from __future__ import annotations

import argparse

from conftest import ROOT
from newsledger.cli import _build_parser


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = []
    for name, sub in _subcommands().items():
        if f"newsledger {name}" not in readme:
            missing.append(f"newsledger {name}")
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help" and opt not in readme:
                    missing.append(f"newsledger {name} {opt}")
    assert not missing, f"undocumented in README.md: {missing}"


def test_every_command_explains_itself() -> None:
    for name, sub in _subcommands().items():
        assert sub.description and len(sub.description) > 30, f"newsledger {name} --help says too little"
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"newsledger {name} {action.option_strings[0]} has no help text"


def test_every_documented_make_target_is_in_the_readme() -> None:
    """The Makefile's `## target:` lines are the targets a user is meant to type."""
    import re

    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^## ([a-z][a-z-]*):", makefile, flags=re.M)
    assert {"demo", "test", "lock"} <= set(targets)
    readme = (ROOT / "README.md").read_text()
    assert not [t for t in targets if f"make {t}" not in readme]
