"""Shared fixtures: the real spaCy model (loaded once per session) and paths to the repo's examples and
to ../shared (only the dev-set quality gates need it)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # the dev sets and scorers: only tests/evalgate.py and the gates read it
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "000_bb25887ebd4fa9e7.txt"  # the founding example ships with the repo


@pytest.fixture(scope="session")
def nlp():
    from newsledger import nlp as nlp_mod

    return nlp_mod.load()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED
