"""Shared fixtures: the real spaCy model (loaded once per session) and paths to shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_bb25887ebd4fa9e7.txt"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def nlp():
    from newsledger import nlp as nlp_mod

    return nlp_mod.load()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    return SEED
