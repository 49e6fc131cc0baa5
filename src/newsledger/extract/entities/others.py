"""Non-person entities: mentions grouped by name, countries by their aliases, acronyms with their long
form (step 5 of the package docstring).
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc

from newsledger.extract.entities.lexicon import ENTITY_LABELS, lex_of, norm
from newsledger.extract.entities.spans import Ent, mention
from newsledger.model import Mention

_ACRONYM = re.compile(r"[A-Z](?:[A-Za-z&]|\.(?=[A-Za-z])){1,11}\.?")
_PAREN = re.compile(r"[ \t]?\(\s*([^()\n]{2,80}?)\s*\)")
_ACRO_STOP = {"of", "the", "and", "for", "on", "in", "to", "de", "du", "des", "la", "le", "&", "a", "an"}


# -- step 5: other entities ----------------------------------------------------------------------


def _key(s: str) -> str:
    s = re.sub(r"^the\s+", "", norm(s))
    return s.replace(".", "") if re.fullmatch(r"(?:[a-z]\.)+[a-z]?\.?", s) else s


def _initials(text: str, skip_stop: bool) -> str:
    words = re.findall(r"[A-Za-z][\w'’]*", text)
    return "".join(w[0].upper() for w in words if not (skip_stop and w.lower() in _ACRO_STOP))


def _acronym_of(acro: str, long: str) -> bool:
    """Does acro abbreviate long ("NATO" / "North Atlantic Treaty Organization")?"""
    letters = "".join(ch for ch in acro if ch.isupper())
    if len(letters) < 2 or len(long.split()) < 2:
        return False
    if letters in (_initials(long, True), _initials(long, False)):
        return True
    it = iter(_initials(long, False))
    return letters[0] == _initials(long, False)[:1] and all(ch in it for ch in letters)


def others(doc: Doc, ents: list[Ent], text: str) -> list[tuple[str, str, list[Mention]]]:
    """Group non-person mentions: same name, same country, or acronym and long form."""
    country_name = lex_of(doc).country_name
    items: list[tuple[str, str, Mention, str]] = []  # (key, label, mention, display name)
    occupied = [False] * len(doc)
    for ent in ents:
        for k in range(ent.start, ent.end):
            occupied[k] = True
    for ent in ents:
        if ent.label in ENTITY_LABELS and ent.label != "PERSON":
            m = mention(text, doc, ent.start, ent.end)
            country = country_name.get(m.text) if ent.label in ("GPE", "LOC") else None
            items.append((f"country:{country}" if country else _key(m.text), ent.label, m, country or m.text))
    alias: dict[str, str] = {}
    acronyms: set[str] = set()  # as written ("WHO", never "Who")
    extra: list[tuple[str, str, Mention, str]] = []
    for key, label, m, _ in items:
        p = _PAREN.match(text, m.end)
        if not p:
            continue
        inner = p.group(1)
        a, b = p.start(1), p.end(1)
        if _ACRONYM.fullmatch(inner) and _acronym_of(inner, m.text):
            alias[_key(inner)] = key
            acronyms.add(inner)
            extra.append((_key(inner), label, Mention(a, b, inner), inner))
        elif _ACRONYM.fullmatch(m.text) and _acronym_of(m.text, inner):
            alias[key] = _key(inner)
            acronyms.add(m.text)
            extra.append((_key(inner), label, Mention(a, b, inner), inner))
    if acronyms:  # unlabelled uses of an acronym the text introduced
        for tok in doc:
            if not occupied[tok.i] and tok.text in acronyms:
                m = Mention(tok.idx, tok.idx + len(tok.text), tok.text)
                extra.append((_key(tok.text), "", m, tok.text))
    seen = {(m.start, m.end) for _, _, m, _ in items}
    for x in extra:
        if (x[2].start, x[2].end) not in seen:
            seen.add((x[2].start, x[2].end))
            items.append(x)
    # An acronym never introduced, whose letters are the initials of exactly one longer name here.
    longs: dict[str, set[str]] = {}
    for key, _, m, _ in items:
        if len(m.text.split()) > 1:
            longs.setdefault(_initials(m.text, True), set()).add(key)
    for key, _, m, _ in items:
        if key not in alias and _ACRONYM.fullmatch(m.text) and m.text.replace(".", "").isupper():
            hits = longs.get(m.text.replace(".", ""), set())
            if len(hits) == 1:
                alias[key] = next(iter(hits))

    def resolve(k: str) -> str:
        for _ in range(4):
            if k not in alias or alias[k] == k:
                break
            k = alias[k]
        return k

    groups: dict[str, list[tuple[str, Mention, str, bool]]] = {}
    for key, label, m, display in items:
        root = resolve(key)
        groups.setdefault(root, []).append((label, m, display, key == root))
    out = []
    for members in groups.values():
        labels = Counter(lb for lb, _, _, _ in members if lb)
        first_label = next((lb for lb, _, _, _ in sorted(members, key=lambda x: x[1].start) if lb), "ORG")
        top = max(labels.values()) if labels else 0
        label = first_label if labels.get(first_label) == top else labels.most_common(1)[0][0]
        names = Counter(re.sub(r"^[Tt]he\s+", "", d) for _, _, d, main in members if main)
        if not names:
            names = Counter(d for _, _, d, _ in members)
        name = max(names, key=lambda d: (names[d], len(d)))
        out.append((name, label, sorted((m for _, m, _, _ in members), key=lambda x: x.start)))
    return out
