"""Two copies of a story side by side: what the copy dropped, added or changed, word by word.

A re-post is often the original with a banner, a stale date or a paragraph cut; an analyst checking
whether a quote survived the copy needs to see exactly that. difflib (stdlib) aligns the word
sequences; each side is escaped text with <del>/<ins> around the words only it has.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_WORDS = 20_000  # beyond this the rest of each text is shown without marks (alignment is quadratic)
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True, slots=True)
class Comparison:
    left: Markup
    right: Markup
    same: float  # share of the words the two texts have in common (0–1)
    cut: bool  # the texts were longer than MAX_WORDS: only their beginnings are compared


def compare(left: str, right: str) -> Comparison:
    a, b = _TOKEN.findall(left), _TOKEN.findall(right)
    cut = len(a) > MAX_WORDS or len(b) > MAX_WORDS
    head_a, head_b = a[:MAX_WORDS], b[:MAX_WORDS]
    # compare words without their trailing space, so a re-wrapped line is not a change
    m = difflib.SequenceMatcher(None, [t.strip() for t in head_a], [t.strip() for t in head_b],
                                autojunk=False)
    out_a: list[str] = []
    out_b: list[str] = []
    for op, i1, i2, j1, j2 in m.get_opcodes():
        wa, wb = "".join(head_a[i1:i2]), "".join(head_b[j1:j2])
        if op == "equal":
            out_a.append(str(escape(wa)))
            out_b.append(str(escape(wb)))
            continue
        if wa:
            out_a.append(f"<del>{escape(wa)}</del>")
        if wb:
            out_b.append(f"<ins>{escape(wb)}</ins>")
    out_a.append(str(escape("".join(a[MAX_WORDS:]))))
    out_b.append(str(escape("".join(b[MAX_WORDS:]))))
    same = sum(block.size for block in m.get_matching_blocks())
    return Comparison(Markup("".join(out_a)), Markup("".join(out_b)),
                      same / max(1, max(len(head_a), len(head_b))), cut)
