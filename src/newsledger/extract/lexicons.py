"""Reading the lexicon data files that live beside the extractors (extract/*.tsv, extract/events/*.tsv)."""

from __future__ import annotations

from importlib import resources


def tsv_rows(name: str, package: str = "newsledger.extract") -> list[list[str]]:
    """The rows of NAME in `package`'s folder, split on tabs: blank and '#' lines skipped, the header
    line dropped."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]
