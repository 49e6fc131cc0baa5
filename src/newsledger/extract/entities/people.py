"""People: clustering PERSON mentions into persons, their roles and affiliation, and role nouns used
alone ("the prime minister") linked to the person holding the role (steps 3-4 of the package docstring).
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from newsledger.extract.entities.lexicon import EntityLexicon, lex_of, norm
from newsledger.extract.entities.spans import Ent, Title, after, before, mention, surname_of
from newsledger.model import Mention

_AFFIL_LABELS = {"GPE", "ORG", "NORP", "LOC", "FAC"}
_PARTY_LABEL = re.compile(r"\s*[(,]\s*([A-Z])\s*(?:[-–—]\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*[),]")


@dataclass(slots=True)
class _Said:
    """What the text says around one name mention."""

    titles: list[str]  # roles written right before the name ("President Obama")
    roles: list[str]  # those and the appositive ones
    affs: list[str]
    gender: str  # from an honorific or a gendered title, else ""


@dataclass(slots=True, eq=False)  # compared by identity
class _Person:
    first: str  # lower-cased first given name ("" for a surname-only cluster)
    surname: str  # lower-cased surname with its particles
    suffix: str
    names: list[tuple[int, str]] = field(default_factory=list)  # (token count, name text) of full names
    full: set[str] = field(default_factory=set)  # its full names, lower-cased
    starts: list[int] = field(default_factory=list)  # sorted char starts of all mentions
    mentions: list[Mention] = field(default_factory=list)
    gender: str = ""  # m | f | "" unknown
    titles: list[str] = field(default_factory=list)  # roles written right before its names
    roles: list[str] = field(default_factory=list)
    affiliation: str | None = None
    affiliations: set[str] = field(default_factory=set)  # every one written, for matching anaphors


# -- step 4: roles and affiliation ---------------------------------------------------------------


def _affiliation(L: EntityLexicon, text: str, label: str | None) -> str | None:
    """Normalise an affiliation as written: demonyms and country aliases map to the country."""
    text = re.sub(r"^[Tt]he\s+", "", " ".join(text.split()))
    if text in L.demonym:
        return L.demonym[text]
    if text in L.party_word:
        return L.party_word[text]
    return text if label in _AFFIL_LABELS else None


class Ctx:
    """Per-document lookups shared by the role and anaphora passes."""

    def __init__(self, doc: Doc, ents: list[Ent], titles: dict[int, Title]) -> None:
        self.doc = doc
        self.L = lex_of(doc)
        self.titles = titles
        self.ent_at = [-1] * len(doc)
        self.ends: dict[int, Ent] = {}
        for idx, ent in enumerate(ents):
            for k in range(ent.start, ent.end):
                self.ent_at[k] = idx
            self.ends[ent.end - 1] = ent
        self.ents = ents
        self.consumed = bytearray(len(doc))  # tokens used as a name's role/appositive context
        # Sentence starts, for "mentioned in this sentence or the one before" (a pipeline without a
        # parser or senter has none: the document is then one sentence).
        self.sent_starts = ([sent.start_char for sent in doc.sents] if doc.has_annotation("SENT_START")
                            else [0])

    def affil_left(self, j: int, lo: int, with_role: bool) -> tuple[str | None, int, bool]:
        """Affiliation written just before token j+1: (value, new j, blocked by a person possessor)."""
        doc = self.doc
        if j < lo:
            return None, j, False
        if doc[j].lower_ in self.L.possessive and j - 1 >= lo:
            ent = self.ends.get(j - 1)
            if ent is not None:
                if ent.label == "PERSON":
                    return None, j, True
                return _affiliation(self.L, doc[ent.start : ent.end].text, ent.label), ent.start - 1, False
            if doc[j - 1].pos_ == "PRON":
                return None, j, True
            s = j - 1
            while s - 1 >= lo and doc[s - 1].pos_ == "PROPN" and self.ent_at[s - 1] == -1 and j - s < 4:
                s -= 1
            if doc[j - 1].pos_ == "PROPN" and doc[j - 1].is_title:
                return _affiliation(self.L, doc[s:j].text, "ORG"), s - 1, False
            return None, j, False
        ent = self.ends.get(j)
        if ent is not None and ent.label in _AFFIL_LABELS and (with_role or ent.label == "NORP"):
            return _affiliation(self.L, doc[ent.start : ent.end].text, ent.label), ent.start - 1, False
        if doc[j].text in self.L.demonym or doc[j].text in self.L.party_word:
            return _affiliation(self.L, doc[j].text, None), j - 1, False
        if (with_role and self.ent_at[j] == -1 and doc[j].pos_ == "PROPN" and doc[j].is_title
                and j not in self.titles):
            s = j
            while s - 1 >= lo and doc[s - 1].pos_ == "PROPN" and self.ent_at[s - 1] == -1 and j - s < 3:
                s -= 1
            if s - 1 >= 0 and doc[s - 1].text in "-–":
                return None, j, False  # "Anti-Illegal-Immigration Leader": part of a compound
            return _affiliation(self.L, doc[s : j + 1].text, "ORG"), s - 1, False
        return None, j, False

    def modifiers(self, j: int, lo: int) -> tuple[str, int]:
        """Skip "former", "acting", "then-" ... leftwards from j; the kept prefix ("Former") and new j."""
        prefix = ""
        while j >= lo:
            low = self.doc[j].lower_
            if low in self.L.modifiers:
                prefix = prefix or self.L.modifiers[low]
            elif low not in ("-", "–"):
                break
            j -= 1
        return prefix, j

    def role_before(self, i: int, lo: int) -> tuple[list[str], str | None, int, bool]:
        """Role and affiliation in the words right before token i: (role, affiliation, first token used,
        blocked by a person possessor)."""
        j = before(self.doc, i)
        t = self.titles.get(j)
        if t is not None and t.kind == "honorific" and t.start > lo:
            j = before(self.doc, t.start)
            t = self.titles.get(j)
        # a demonym after the role noun, where adjectives follow it ("le président russe X")
        after_noun = None
        if t is None and j > lo and self.L.grammar.settings.get("adj_after") == "yes" \
                and self.doc[j].text in self.L.demonym:
            k = before(self.doc, j)
            t2 = self.titles.get(k)
            if t2 is not None and t2.kind == "role" and t2.start >= lo:
                after_noun, j, t = self.L.demonym[self.doc[j].text], k, t2
        roles: list[str] = []
        while t is not None and t.kind == "role" and t.start >= lo and len(roles) < 2:
            # "presidential candidate Sen. X": two titles in a row
            prefix, j = self.modifiers(before(self.doc, t.start), lo)
            roles.append(f"{prefix} {t.role}" if prefix else t.role)
            t = self.titles.get(j)
        aff, j, blocked = self.affil_left(j, lo, bool(roles))
        aff = aff or after_noun
        if aff is not None and roles:
            p2, j = self.modifiers(j, lo)
            if p2 and " " not in roles[-1]:
                roles[-1] = f"{p2} {roles[-1]}"
        return roles, aff, j + 1, blocked

    def role_of_noun(self, c: Token) -> tuple[list[str], str | None]:
        """Role and affiliation of a noun phrase headed by c ("Kenya's foreign minister", "a spokesman
        for the Kremlin", "the president of France")."""
        t = self.titles.get(c.i)
        if t is None or t.kind != "role" or self.ent_at[c.i] >= 0:
            return [], None
        roles, aff, _, _ = self.role_before(c.i + 1, c.left_edge.i)
        if aff is None:
            aff = self.of_affiliation(c, self.L.grammar["affil_prep"])
        return roles, aff

    def of_affiliation(self, c: Token, preps: frozenset[str] | tuple[str, ...]) -> str | None:
        for o in self.prep_objects(c, preps):
            idx = self.ent_at[o.i]
            if idx >= 0 and self.ents[idx].label in _AFFIL_LABELS:
                ent = self.ents[idx]
                return _affiliation(self.L, self.doc[ent.start : ent.end].text, ent.label)
            if o.text in self.L.demonym:
                return self.L.demonym[o.text]
        return None

    def prep_objects(self, c: Token, preps: frozenset[str] | tuple[str, ...]) -> list[Token]:
        """The objects of c's prepositional phrases headed by one of `preps`: "of Brazil" is prep → pobj
        in the English parse; in Universal Dependencies the noun hangs from c (nmod) with its preposition
        as a "case" child ("du Québec")."""
        if self.L.grammar.ud:
            return [o for o in c.children if o.dep_ in ("nmod", "obl", "obl:arg", "obl:mod") and o.i > c.i
                    and any(k.dep_ == "case" and k.lower_ in preps for k in o.children)]
        return [o for p in c.children if p.dep_ == "prep" and p.lower_ in preps
                for o in p.children if o.dep_ == "pobj"]


def _describe(ctx: Ctx, ent: Ent, text: str) -> _Said:
    """Roles, affiliations and gender written around one name mention."""
    doc = ctx.doc
    lo = ent.start
    while lo > 0 and not doc[lo].is_sent_start and ent.start - lo < 10:
        lo -= 1
    titles, aff, first, _ = ctx.role_before(ent.start, lo)
    for k in range(first, ent.start):
        ctx.consumed[k] = 1
    roles, affs = list(titles), [aff] if aff else []
    root = doc[ent.start : ent.end].root
    nouns = [c for c in root.children if c.dep_ == "appos" and c.i >= ent.end]
    if root.dep_ == "appos" and root.head.i < ent.start:
        nouns.append(root.head)
    for c in nouns:
        r2, a2 = ctx.role_of_noun(c)
        if r2:
            roles += r2
            if a2:
                affs.append(a2)
            for k in range(c.left_edge.i, c.right_edge.i + 1):
                ctx.consumed[k] = 1
    nxt = after(doc, ent.end - 1)
    if titles and nxt + 1 < len(doc) and doc[nxt].lower_ in ctx.L.grammar["of"]:  # "President Lula of Brazil"
        k = nxt + 1 + (doc[nxt + 1].lower_ in ctx.L.grammar["article"])
        idx = ctx.ent_at[k] if k < len(doc) else -1
        if idx >= 0 and ctx.ents[idx].start == k and ctx.ents[idx].label in ("GPE", "ORG"):
            ent2 = ctx.ents[idx]
            if a2 := _affiliation(ctx.L, doc[ent2.start : ent2.end].text, ent2.label):
                affs.append(a2)
    m = _PARTY_LABEL.match(text, doc[ent.end - 1].idx + len(doc[ent.end - 1].text))
    if m and m.group(1) in ctx.L.party_code:
        affs.append(ctx.L.party_code[m.group(1)])
    hon = ctx.titles.get(before(doc, ent.start))
    gender = hon.gender if hon is not None and hon.kind == "honorific" else ""
    gender = gender or next((ctx.L.role_gender[r.split(" ", 1)[-1]] for r in roles
                             if r.split(" ", 1)[-1] in ctx.L.role_gender), "")
    return _Said(titles, roles, affs, gender)


# -- step 3: person clustering -------------------------------------------------------------------


def _compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    a, b = a.rstrip("."), b.rstrip(".")
    return (len(a) == 1 or len(b) == 1) and a[:1] == b[:1]


_SPOUSE_TITLES = {"First Lady", "Second Lady", "First Gentleman"}


def _title_clash(titles: list[str], held: list[str]) -> bool:
    """"President Obama" is not "first lady Michelle Obama". (Other differing titles may be one person's
    career — "Gov. Bill Clinton", later "President Clinton" — so only a spouse's title clashes.)"""
    a, b = set(titles), set(held)
    return bool(a and b and not a & b and bool(a & _SPOUSE_TITLES) != bool(b & _SPOUSE_TITLES))


def _pick(cands: list[_Person], pos: int, ctx: Ctx) -> _Person | None:
    """Which of several same-named people a bare name at char pos means: one mentioned in this sentence
    or the one before; else the most mentioned so far (ties: most recent); else the next one mentioned."""
    if len(cands) == 1:
        return cands[0]
    sent = bisect_left(ctx.sent_starts, pos + 1) - 1
    best, best_key = None, (-1, -1, -1)
    for c in cands:
        k = bisect_left(c.starts, pos)
        if not k:
            continue
        last = c.starts[k - 1]
        near = int(sent - (bisect_left(ctx.sent_starts, last + 1) - 1) <= 1)
        key = (near, k if not near else 0, last)
        if key > best_key:
            best, best_key = c, key
    if best is None:
        later = [c for c in cands if c.starts]
        best = min(later, key=lambda c: c.starts[0]) if later else None
    return best


def _add(c: _Person, m: Mention, said: _Said) -> None:
    c.mentions.append(m)
    insort(c.starts, m.start)
    c.titles += said.titles
    for r in said.roles:
        if r not in c.roles:
            c.roles.append(r)
    if c.affiliation is None and said.affs:
        c.affiliation = said.affs[0]
    c.affiliations.update(said.affs)


def people(ctx: Ctx, persons: list[Ent], text: str) -> list[_Person]:
    """Cluster PERSON mentions: full names first, then surnames and first names (see _pick)."""
    doc = ctx.doc
    said = {ent.start: _describe(ctx, ent, text) for ent in persons}
    clusters: list[_Person] = []
    singles: list[tuple[Ent, str]] = []
    by_surname: dict[str, list[_Person]] = {}
    # Longest names first, so "Vander Plaats" finds "Bob Vander Plaats" (a name ending another name).
    for ent in sorted(persons, key=lambda x: (x.start - x.end, x.start)):
        k, e, suffix = surname_of(doc, ent.start, ent.end)
        surname = norm(doc[k:e].text)
        if k == ent.start:
            singles.append((ent, surname))
            continue
        first = doc[ent.start].lower_
        name = norm(doc[ent.start : e].text)
        longer = {c for c in by_surname.get(surname, ()) if any(n.endswith(" " + name) for n in c.full)}
        for c in by_surname.get(surname, ()):
            if c.first and c.suffix == suffix and (_compatible(c.first, first) or longer == {c}):
                break
        else:
            c = _Person(first, surname, suffix, gender=ctx.L.given_gender.get(doc[ent.start].text, ""))
            clusters.append(c)
            by_surname.setdefault(surname, []).append(c)
        c.full.add(name)
        m = mention(text, doc, ent.start, ent.end)
        c.names.append((ent.end - ent.start, m.text))
        c.gender = c.gender or said[ent.start].gender
        _add(c, m, said[ent.start])
    singles.sort(key=lambda x: x[0].start)
    by_first: dict[str, list[_Person]] = {}
    for c in clusters:
        by_first.setdefault(c.first, []).append(c)
    alone: dict[str, _Person] = {}  # people known here by one name only
    for ent, surname in singles:  # in document order, so "most recent" sees earlier links
        m, s = mention(text, doc, ent.start, ent.end), said[ent.start]
        cands = [c for c in by_surname.get(surname, ())]
        if not cands and " " not in surname:
            cands = by_first.get(surname, [])
            cands = cands if len(cands) == 1 else []  # a first name alone only when unambiguous
        if surname in alone:
            cands.append(alone[surname])
        if s.gender:  # "Mrs. Clinton" is not Bill Clinton
            cands = [c for c in cands if c.gender == s.gender] or [c for c in cands if not c.gender]
        cands = [c for c in cands if not _title_clash(s.titles, c.titles)]
        target = _pick(cands, m.start, ctx) if cands else None
        if target is None:
            target = alone.get(surname)
            if target is None or target.gender not in ("", s.gender) or _title_clash(s.titles, target.titles):
                target = alone[surname] = _Person("", surname, "")
                clusters.append(target)
            target.names.append((0, m.text))
        if len(cands) <= 1:
            target.gender = target.gender or s.gender
        _add(target, m, s)
    for c in clusters:
        c.mentions.sort(key=lambda x: x.start)
    return clusters


def anaphors(ctx: Ctx, clusters: list[_Person], text: str) -> None:
    """Link role nouns used alone ("the Prime Minister said") to the one person holding that role."""
    doc = ctx.doc
    grammar = ctx.L.grammar
    holders: dict[str, list[_Person]] = {}
    for c in clusters:
        for r in c.roles:
            holders.setdefault(r, []).append(c)
    if not holders:
        return
    for j in sorted(ctx.titles):
        t = ctx.titles[j]
        if t.kind != "role" or any(ctx.consumed[k] or ctx.ent_at[k] >= 0 for k in range(t.start, t.end)):
            continue
        head = doc[j]
        if head.tag_ in ("NNS", "NNPS") or head.dep_ in ("attr", "oprd", "appos") or (
                grammar.ud and "Plur" in head.morph.get("Number", [])):
            continue
        if head.dep_ in ("compound", "amod", "nmod") and head.head.i > j:
            continue  # modifies a later noun: "the president's office" is fine, "general public" is not
        if j + 1 < len(doc) and doc[j + 1].pos_ == "PROPN" and doc[j + 1].is_title:
            continue  # a title before a name NER missed
        lo = max(0, t.start - 6)
        prefix, k = ctx.modifiers(t.start - 1, lo)
        aff, k, blocked = ctx.affil_left(k, lo, True)
        if blocked:
            continue  # "his spokesman", "Biden's spokesman": someone else
        p2, k = ctx.modifiers(k, lo)
        prefix = prefix or p2
        det = k >= 0 and doc[k].lower_ in grammar["article"]
        if det and k >= 1 and doc[k - 1].lower_ in grammar["as"]:
            continue  # "as the candidate with ...": a description, not a mention
        phrase = doc[t.start : t.end].text
        if not det and aff is None and not (phrase[:1].isupper() and not phrase.isupper()):
            continue
        if not det and k >= 0 and doc[k].lower_ in grammar["not_anaphor"]:
            continue
        of = ctx.of_affiliation(head, grammar["of"])
        if ctx.prep_objects(head, grammar["of"]) if grammar.ud else any(
                p.dep_ == "prep" and p.lower_ == "of" for p in head.children):
            if of is None:
                continue  # "the president of the company": not one of our people
            aff = aff or of
        role = f"{prefix} {t.role}" if prefix else t.role
        cands = holders.get(role, [])
        if aff is not None:
            # "the Vermont senator" is nobody if no senator here is said to be from Vermont
            cands = [c for c in cands if aff in c.affiliations]
        start = k if det else k + 1
        m = mention(text, doc, start, t.end)
        target = cands[0] if len(cands) == 1 else _nearest_before(cands, m.start)
        if target is not None:
            target.mentions.append(m)
            insort(target.starts, m.start)


def _nearest_before(cands: list[_Person], pos: int) -> _Person | None:
    best, best_at = None, -1
    for c in cands:
        k = bisect_left(c.starts, pos)
        if k and c.starts[k - 1] > best_at:
            best, best_at = c, c.starts[k - 1]
    return best


def person_name(c: _Person) -> str:
    full = [n for n in c.names if n[0] > 0]
    if not full:
        return Counter(n[1] for n in c.names).most_common(1)[0][0]
    freq = Counter(n[1] for n in full)
    # Fullest: most spelled-out words ("Eddie Mannix" over "E. J. Mannix"), then most words, most used.
    return max(full, key=lambda n: (sum(len(w.rstrip(".")) > 1 for w in n[1].split()), n[0], freq[n[1]]))[1]
