"""Reading the lexicon data files that live beside the extractors (extract/*.tsv)."""

from __future__ import annotations

from importlib import resources


def tsv_rows(name: str) -> list[list[str]]:
    """The rows of extract/NAME, split on tabs: blank and '#' lines skipped, the header line dropped."""
    text = resources.files("newsledger.extract").joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]
