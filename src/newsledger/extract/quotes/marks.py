"""Quotation-mark scanning: where the quoted stretches of a text are, from the marks alone.

News uses curly (“ ” ‘ ’), straight (" '), doubled ('' as in the NYT) and guillemet (« » ‹ ›) marks,
and routinely leaves a mark unbalanced: a quote running over several paragraphs opens each paragraph
and closes only the last, and scraped text drops or duplicates marks. So the scan never fails: it
works line by line, pairs marks by their family and their surroundings, lets an unclosed quote run
on into the next paragraph only when that one reopens with a mark, and otherwise ends it at the
paragraph's end. Marks inside a quote of another family are nested quotes and do not end it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# '' (two apostrophes) first so it is read as one double mark, never as two single ones.
_MARK = re.compile(r"''|``|[\"“”„‟«»‹›‘’‚']")
_LINE = re.compile(r"[^\n]+")
_OPENERS = {"“": "d", "„": "d", "‟": "d", "``": "d", "«": "g", "‹": "h", "‘": "s", "‚": "s"}
_CLOSERS = {"”": "d", "»": "g", "›": "h", "’": "s"}
_AMBIGUOUS = {'"': "d", "''": "d", "'": "s"}
_SPACE_BEFORE = " \t\u00a0([{—–-/\n"


@dataclass(frozen=True, slots=True)
class Region:
    """A quoted stretch: `start` at the opening mark, `end` after the closing mark (or at the end of the
    paragraph when the quote was never closed there; `closed` then says False)."""

    start: int
    end: int
    closed: bool = True
    dash: bool = False  # a dialogue turn opened by a dash (French), not by quotation marks


def _letter(ch: str) -> bool:
    return ch.isalnum()


def _role(text: str, i: int, mark: str, lo: int, hi: int) -> tuple[str, str]:
    """(family, role) of the mark at i: role is 'open', 'close', 'either' or '' (an apostrophe)."""
    prev = text[i - 1] if i > lo else " "
    nxt = text[i + len(mark)] if i + len(mark) < hi else " "
    if mark in _OPENERS:
        return _OPENERS[mark], "open"
    if mark in _CLOSERS:
        fam = _CLOSERS[mark]
        if fam == "s" and _letter(prev) and _letter(nxt):
            return fam, ""  # don’t, O’Brien
        return fam, "close"
    fam = _AMBIGUOUS[mark]
    if fam == "s" and _letter(prev) and (_letter(nxt) or nxt in "sS"):
        return fam, ""  # don't
    before_space = prev in _SPACE_BEFORE or prev.isspace()
    after_space = nxt.isspace() or nxt in ",.;:!?)]}—–-"
    if before_space and not after_space:
        if fam == "s" and re.match(r"(?:em|tis|twas|\d0s)\b", text[i + 1 : i + 6]):
            return fam, ""  # 'em, '90s
        return fam, "open"
    if after_space and not before_space:
        return fam, "close"
    if fam == "s":
        return fam, ""  # a straight single quote glued on both sides or spaced on both is no quote
    return fam, "either"


def _scan_line(text: str, lo: int, hi: int) -> tuple[list[Region], bool]:
    """Top-level regions of one line, and whether a quote is still open at the line's end."""
    out: list[Region] = []
    open_at: int | None = None
    fam_open = "d"
    for m in _MARK.finditer(text, lo, hi):
        mark, i = m.group(), m.start()
        fam, role = _role(text, i, mark, lo, hi)
        if not role:
            continue
        if open_at is None:
            if role in ("open", "either"):
                open_at, fam_open = i, fam
            continue  # a closer with nothing open: a stray mark
        if fam != fam_open:
            continue  # a nested quote of the other family
        if role in ("close", "either"):
            out.append(Region(open_at, m.end()))
            open_at = None
    if open_at is not None:
        end = hi
        while end > open_at and text[end - 1].isspace():
            end -= 1
        if end - open_at > 1:
            out.append(Region(open_at, end, closed=False))
        return out, True
    return out, False


def _reopens(text: str, lo: int, hi: int) -> bool:
    """Does the line start with an opening mark (a quote continued from the previous paragraph)?"""
    m = _MARK.match(text, lo, hi)
    if not m:
        return False
    fam, role = _role(text, lo, m.group(), lo, hi)
    return fam != "s" and role in ("open", "either")


def scan(text: str) -> list[Region]:
    """Quoted regions of `text` in order; a quote continued over paragraphs is one region."""
    regions: list[Region] = []
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text) if m.group().strip()]
    carry = False
    for k, (lo, hi) in enumerate(lines):
        while lo < hi and text[lo].isspace():
            lo += 1
        found, still_open = _scan_line(text, lo, hi)
        if carry and regions and not regions[-1].closed and found and found[0].start == lo:
            # The previous paragraph's quote goes on here: one region over both.
            first = found[0]
            regions[-1] = Region(regions[-1].start, first.end, first.closed)
            found = found[1:]
        regions.extend(found)
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        carry = still_open and nxt is not None and _reopens(text, nxt[0], nxt[1])
    return regions
