"""Named entities: spaCy NER, document-level repair, and clustering of mentions into entities.

A statistical NER labels each occurrence on its own, so one person comes out as PERSON, GPE and ORG
in the same article, and "the Prime Minister" is not a mention at all. This module works at the
document level, in passes that are each linear in the number of tokens:

1. NER spans, trimmed to the name (no "the", no possessive "'s", no leading "Mr."/"President").
2. Person repair: a name that is a PERSON somewhere (a full name's surname, a name after a title, or a
   name the model mostly calls PERSON) is a PERSON everywhere, whatever label the model gave it —
   except a known place labelled as a place, or a name inside a longer non-person name.
3. Person clustering: full names (same surname and first name, initials allowed, "Jr." kept apart);
   then bare surnames, "Mr."/"Mrs." + surname and first names alone (only when one person has it).
   A surname two people share goes to the one whose gender the honorific matches ("Mrs. Clinton"),
   else to one mentioned in the same or the previous sentence, else to the one mentioned most so far.
   Role nouns used alone ("the prime minister") join the one person holding that role (or, of
   several, the one mentioned last); a role with a place or party ("the Vermont senator") must match.
4. Roles and affiliation from premodifiers ("Brazilian President ..."), appositives ("..., Kenya's foreign
   minister,") and US party labels ("(D-Mass.)"), read from the parse and the lexicons beside this file.
5. Other types: identical names grouped ("the"/case ignored), countries by their aliases, acronyms
   with their long form.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from spacy.tokens import Doc, Token

from newsledger.model import Article, Entity, Mention

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
_AFFIL_LABELS = {"GPE", "ORG", "NORP", "LOC", "FAC"}
_POSSESSIVE = {"'s", "’s", "'", "’"}
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_NOT_NAME_POS = {"VERB", "AUX", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "INTJ", "ADV", "NUM", "SYM"}
_LOC_PREPS = {"in", "at", "near", "across", "outside", "inside", "throughout", "into", "around", "within"}
_NOT_ANAPHOR_BEFORE = {"a", "an", "his", "her", "their", "its", "our", "my", "your", "whose", "this", "that",
                       "another", "every", "each", "any", "no", "one", "some", "as", "former", "new"}
_ACRONYM = re.compile(r"[A-Z](?:[A-Za-z&]|\.(?=[A-Za-z])){1,11}\.?")
_PAREN = re.compile(r"[ \t]?\(\s*([^()\n]{2,80}?)\s*\)")
_PARTY_LABEL = re.compile(r"\s*[(,]\s*([A-Z])\s*(?:[-–—]\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*[),]")
_ACRO_STOP = {"of", "the", "and", "for", "on", "in", "to", "de", "du", "des", "la", "le", "&", "a", "an"}


def _rows(name: str) -> list[list[str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]  # first line is the header


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


# Lexicons, compiled once at import.
_TITLES: dict[str, tuple[str, str, str]] = {
    f: (kind, role, g.strip("-")) for f, role, kind, g in _rows("roles.tsv")}
_MODIFIERS = {f: ("" if r == "-" else r) for f, (k, r, _) in _TITLES.items() if k == "modifier"}
_ROLE_GENDER = {r: g for _, (k, r, g) in _TITLES.items() if k == "role" and g}
_GIVEN_GENDER = dict(_rows("given_names.tsv"))
_TITLE_LAST: dict[str, int] = {}  # last word of a title form -> most tokens a form ending in it may span
for _f, (_k, _r, _) in _TITLES.items():
    if _k != "modifier":
        _last = re.split(r"[\s-]", _f)[-1]
        _TITLE_LAST[_last] = max(_TITLE_LAST.get(_last, 1), len(re.findall(r"\w+|[^\w\s]", _f)))
_DEMONYM: dict[str, str] = {}
_COUNTRY_NAME: dict[str, str] = {}
_PLACES: set[str] = set()
_CITIES: set[str] = set()
for _f, _c, _k in _rows("demonyms.tsv"):
    if _k in ("name", "alias"):
        _COUNTRY_NAME.setdefault(_f, _c)
    if _k not in ("region", "city"):
        _DEMONYM.setdefault(_f, _c)
    if _k in ("name", "alias", "region", "city"):
        _PLACES.add(_f)
    if _k == "city":
        _CITIES.add(_f)
_PARTY_WORD = {f: p for f, p, k in _rows("parties.tsv") if k == "word"}
_PARTY_CODE = {f: p for f, p, k in _rows("parties.tsv") if k == "code"}
_NAME_WORDS = [(w.lower(), c) for w, c in _rows("name_words.tsv")]
_PARTICLES = {w for w, c in _NAME_WORDS if c == "particle"}
_SUFFIXES = {w for w, c in _NAME_WORDS if c == "suffix"}
_ORG_HEADS = {w for w, c in _NAME_WORDS if c in ("org_head", "company", "facility")}
_COMPANY_HEADS = {w for w, c in _NAME_WORDS if c == "company"}
_FAC_HEADS = {w for w, c in _NAME_WORDS if c == "facility"}


@dataclass(slots=True)
class _Ent:
    start: int  # token offsets, end exclusive
    end: int
    label: str
    titled: bool = False  # a title or honorific stands right before the name


@dataclass(slots=True)
class _Title:
    start: int
    end: int  # exclusive
    kind: str  # role | honorific
    role: str
    gender: str  # m | f | "" (Mrs., spokeswoman)


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


# -- step 1: spans ---------------------------------------------------------------------------------


def _title_index(doc: Doc) -> dict[int, _Title]:
    """Longest title/honorific phrase ending at each token (keyed by the phrase's last token)."""
    out: dict[int, _Title] = {}
    for tok in doc:
        most = _TITLE_LAST.get(tok.lower_)
        if most is None:
            continue
        j = tok.i
        for k in range(min(most, j + 1), 0, -1):
            hit = _TITLES.get(_norm(doc[j - k + 1 : j + 1].text))
            if hit is not None and hit[0] != "modifier":
                out[j] = _Title(j - k + 1, j + 1, *hit)
                break
    return out


def _before(doc: Doc, i: int) -> int:
    """Index of the token before i, skipping spaces within a line (non-breaking spaces in scraped text)."""
    j = i - 1
    while j >= 0 and doc[j].is_space and "\n" not in doc[j].text:
        j -= 1
    return j


def _after(doc: Doc, j: int) -> int:
    i = j + 1
    while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += 1
    return i


def _title_starting(titles: dict[int, _Title], i: int, end: int) -> _Title | None:
    for j in range(end - 2, i - 1, -1):  # longest first; must leave one token for the name
        t = titles.get(j)
        if t is not None and t.start == i:
            return t
    return None


def _trim(doc: Doc, ent: _Ent, titles: dict[int, _Title]) -> _Ent | None:
    s, e = ent.start, ent.end
    if ent.label == "PERSON":
        if any("@" in doc[k].text or doc[k].like_url for k in range(s, e)):
            return None  # "Twitter @handle" bylines
        for k in range(s + 1, e):  # "Trump's 'Incredibly": a name ends before a possessive or a quote
            if doc[k].lower_ in _POSSESSIVE or doc[k].is_quote:
                e = k
                break
    for k in range(s, e):  # a name never runs across a line break
        if doc[k].is_space and "\n" in doc[k].text:
            e = k
            break
    for k in range(s + 1, e):  # "The World Health Organization (WHO": the name ends at the bracket
        if doc[k].text == "(":
            e = k
            break
    while s < e and (doc[s].lower_ == "the" or doc[s].is_punct or doc[s].is_space):
        s += 1
    while e > s and (doc[e - 1].lower_ in _POSSESSIVE or doc[e - 1].is_punct or doc[e - 1].is_space):
        e -= 1
    if ent.label == "PERSON":
        if e - s >= 2 and doc[e - 1].lower_ in _COMPANY_HEADS:
            ent.label = "ORG"
            return _trim(doc, ent, titles)
        while s < e - 2 and doc[s].pos_ in _NOT_NAME_POS:  # "Follow Jeff Poor on Twitter"
            s += 1
        for k in range(s + 1, e):  # headline case: "Will Twitter Be Next"
            if doc[k].pos_ in _NOT_NAME_POS and doc[k].lower_ not in _PARTICLES and not doc[k].is_punct:
                e = k
                break
        while s < e and (t := _title_starting(titles, s, e)) is not None:
            s, ent.titled = t.end, True
        while s < e - 1 and doc[s].lower_ in _MODIFIERS:
            s += 1
        while e - 1 > s and doc[e - 1].is_lower and doc[e - 1].lower_ not in _PARTICLES:
            e -= 1
        t = titles.get(e - 1)
        if t is not None and t.start <= s:
            return None  # a title alone ("Sen.") is not a name
        if e - s == 1 and doc[s].lower_ in _WEEKDAYS:
            return None
    if s >= e or not any(c.isalpha() for c in doc[s:e].text):
        return None
    ent.start, ent.end = s, e
    return ent


def _name_run(doc: Doc, i: int, owner: list[int], limit: int = 4) -> int:
    """End (exclusive) of the run of unlabelled capitalised proper nouns starting at token i."""
    j = i
    while j < len(doc) and j - i < limit and owner[j] == -1 and doc[j].pos_ == "PROPN" and doc[j].is_title:
        j += 1
    return j


def _is_place(doc: Doc, ent: _Ent) -> bool:
    """A GPE/LOC the repair must leave alone: a known place name, or a name after 'in'/'near'/..."""
    if ent.label not in ("GPE", "LOC", "FAC"):
        return False
    if ent.label != "FAC" and doc[ent.start : ent.end].text in _PLACES:
        return True
    root = doc[ent.start : ent.end].root
    return root.dep_ == "pobj" and root.head.lower_ in _LOC_PREPS


def _surname_of(doc: Doc, s: int, e: int) -> tuple[int, int, str]:
    """(start of surname, end without suffix, suffix) of a person name span."""
    suffix = ""
    while e - 1 > s and (doc[e - 1].lower_ in _SUFFIXES or doc[e - 1].text == ","):
        if doc[e - 1].text != ",":
            suffix = doc[e - 1].lower_.rstrip(".")
        e -= 1
    k = e - 1
    # "von der Leyen", "Von der Leyen", "al-Assad"; but "Al Gore", "De Niro": a capitalised particle
    # is a given name unless another particle follows it.
    while k - 1 >= s and doc[k - 1].lower_ in _PARTICLES and (
            doc[k - 1].is_lower or (k < e - 1 and doc[k].is_lower)):
        k -= 1
    return k, e, suffix


def _repair(doc: Doc, ents: list[_Ent], titles: dict[int, _Title]) -> list[_Ent]:
    """Make every occurrence of a person's name a PERSON span (see the module docstring)."""
    n = len(doc)
    owner = [-1] * n
    for idx, ent in enumerate(ents):
        for k in range(ent.start, ent.end):
            owner[k] = idx
    # Particles split off by NER ("Ursula von der" + "Leyen"): extend over the next capitalised word.
    for ent in ents:
        if ent.label == "PERSON" and doc[ent.end - 1].lower_ in _PARTICLES and ent.end < n:
            nxt = doc[ent.end]
            if nxt.pos_ == "PROPN" and nxt.is_title:
                if owner[ent.end] >= 0:
                    ents[owner[ent.end]].label = ""
                owner[ent.end] = owner[ent.start]
                ent.end += 1
    # A name right after a title or honorific is a person ("Mr. Okafor", "President Biden").
    added: list[_Ent] = []
    for j, t in titles.items():
        i = _after(doc, j)
        if i >= n or doc[i].pos_ != "PROPN" or not doc[i].is_title:
            continue
        if any(owner[k] >= 0 and ents[owner[k]].label not in ("PERSON", "") for k in range(t.start, t.end)):
            continue  # the title is part of another name ("Premier League")
        if owner[i] >= 0:
            ent = ents[owner[i]]
            span = doc[ent.start : ent.end]
            if ent.start == i and (ent.label == "PERSON" or (
                    ent.end - ent.start <= 4 and all(tk.pos_ == "PROPN" for tk in span)
                    and span[-1].lower_ not in _ORG_HEADS and not _is_place(doc, ent))):
                ent.label, ent.titled = "PERSON", True
        elif owner[i] == -1:
            e = _name_run(doc, i, owner)
            if doc[e - 1].lower_ not in _ORG_HEADS and not any(k in titles for k in range(i, e)):
                added.append(_Ent(i, e, "PERSON", titled=True))
                for k in range(i, e):
                    owner[k] = -3
    ents = [x for x in ents if x.label] + added
    # A full name tagged ORG/GPE whose first word is a common given name ("Carly Fiorina" as ORG).
    for ent in ents:
        if ent.label in ("ORG", "GPE", "NORP") and 2 <= ent.end - ent.start <= 3:
            span = doc[ent.start : ent.end]
            first, last = span[0].text, span[-1].lower_
            if (first in _GIVEN_GENDER and first not in _PLACES and last not in _ORG_HEADS
                    and all(t.pos_ == "PROPN" and t.is_title for t in span)):
                ent.label = "PERSON"
    # Headline case lets NER swallow the next word ("Donald Trump Rampages"): cut a long PERSON span
    # back to a name the document also uses on its own.
    # Likewise "Offensive Things Donald Trump", when the words cut off are not all proper nouns.
    known = {doc[x.start : x.end].text for x in ents if x.label == "PERSON" and x.end - x.start >= 2}
    for ent in ents:
        if ent.label == "PERSON" and ent.end - ent.start >= 3 and doc[ent.end - 1].lower_ not in _SUFFIXES:
            for cut in range(ent.end - 1, ent.start + 1, -1):
                if doc[ent.start : cut].text in known:
                    ent.end = cut
                    break
            for cut in range(ent.start + 1, ent.end - 1):
                if doc[cut : ent.end].text in known and any(t.pos_ != "PROPN" for t in doc[ent.start : cut]):
                    ent.start = cut
                    break
    # Which single words are person names in this document.
    surnames: set[str] = set()
    person_n: Counter[str] = Counter()
    other_n: Counter[str] = Counter()
    place_n: Counter[str] = Counter()
    firsts: dict[str, set[str]] = {}  # first given name -> surnames it goes with
    for ent in ents:
        k, e, _ = _surname_of(doc, ent.start, ent.end)
        word = doc[e - 1].text
        if ent.label == "PERSON":
            if k > ent.start:
                firsts.setdefault(doc[ent.start].text, set()).add(word)
            if k > ent.start or ent.titled:
                surnames.add(word)
            elif e - ent.start == 1:
                person_n[word] += 1
        elif ent.end - ent.start == 1:
            other_n[word] += 1
            place_n[word] += ent.label in ("GPE", "LOC")
    names = surnames | {w for w, c in person_n.items() if c >= other_n[w] and w not in _PLACES}
    for ent in list(ents):  # "Trump’s Middle Eastern" as one ORG: the person, then the rest
        if ent.label in ENTITY_LABELS and ent.label != "PERSON":
            for k in range(ent.start + 1, ent.end - 1):
                if doc[k].lower_ in _POSSESSIVE and doc[k - 1].text in names:
                    ents.append(_Ent(k + 1, ent.end, ent.label))
                    ent.end = k
                    break
    for ent in ents:  # "Trump Tower": a person's surname and an organisation or building word
        if (ent.label == "PERSON" and ent.end - ent.start >= 2 and doc[ent.start].text in surnames
                and doc[ent.end - 1].lower_ in _ORG_HEADS):
            ent.label = "FAC" if doc[ent.end - 1].lower_ in _FAC_HEADS else "ORG"
    # The other way round: a lone known place the model once called a person, and no one here bears
    # that name ("Bermuda", "Monterey"), is a place.
    for ent in ents:
        if ent.label == "PERSON" and not ent.titled and ent.end - ent.start == 1:
            word = doc[ent.start].text
            if word in _PLACES and word not in surnames and (
                    word not in _CITIES or place_n[word] >= person_n[word]):
                ent.label = "GPE"
    # A first name used alone, when only one person here has it ("Kamala" tagged GPE), unless it is
    # also a place or a demonym.
    given = {w for w, sn in firsts.items() if len(sn) == 1 and w not in _PLACES and w not in _DEMONYM}
    if not names and not given:
        return ents
    for ent in ents:
        if ent.label == "PERSON" or ent.label not in ENTITY_LABELS:
            continue
        k, e, _ = _surname_of(doc, ent.start, ent.end)
        word = doc[e - 1].text
        if k == ent.start and e == ent.end and not _is_place(doc, ent) and (
                word in names or (e - k == 1 and word in given and word not in surnames)):
            ent.label = "PERSON"
    # Unlabelled occurrences of those names.
    owner = [-1] * n
    for ent in ents:
        for k in range(ent.start, ent.end):
            owner[k] = 1
    for tok in doc:
        if owner[tok.i] == -1 and tok.text in names and tok.pos_ == "PROPN" and tok.is_title:
            after = tok.i + 1
            if after < n and owner[after] == -1 and doc[after].pos_ == "PROPN" and doc[after].is_title:
                continue  # part of a longer unlabelled name ("Freeland Foundation")
            s = tok.i
            while (s - 1 >= 0 and s - tok.i > -3 and owner[s - 1] == -1 and doc[s - 1].pos_ == "PROPN"
                   and doc[s - 1].is_title and s - 1 not in titles and not doc[s].is_sent_start):
                s -= 1
            ents.append(_Ent(s, tok.i + 1, "PERSON"))
            for k in range(s, tok.i + 1):
                owner[k] = 1
    return ents


# -- step 4: roles and affiliation ---------------------------------------------------------------


def _affiliation(text: str, label: str | None) -> str | None:
    """Normalise an affiliation as written: demonyms and country aliases map to the country."""
    text = re.sub(r"^[Tt]he\s+", "", " ".join(text.split()))
    if text in _DEMONYM:
        return _DEMONYM[text]
    if text in _PARTY_WORD:
        return _PARTY_WORD[text]
    return text if label in _AFFIL_LABELS else None


class _Ctx:
    """Per-document lookups shared by the role and anaphora passes."""

    def __init__(self, doc: Doc, ents: list[_Ent], titles: dict[int, _Title]) -> None:
        self.doc = doc
        self.titles = titles
        self.ent_at = [-1] * len(doc)
        self.ends: dict[int, _Ent] = {}
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
        if doc[j].lower_ in _POSSESSIVE and j - 1 >= lo:
            ent = self.ends.get(j - 1)
            if ent is not None:
                if ent.label == "PERSON":
                    return None, j, True
                return _affiliation(doc[ent.start : ent.end].text, ent.label), ent.start - 1, False
            if doc[j - 1].pos_ == "PRON":
                return None, j, True
            s = j - 1
            while s - 1 >= lo and doc[s - 1].pos_ == "PROPN" and self.ent_at[s - 1] == -1 and j - s < 4:
                s -= 1
            if doc[j - 1].pos_ == "PROPN" and doc[j - 1].is_title:
                return _affiliation(doc[s:j].text, "ORG"), s - 1, False
            return None, j, False
        ent = self.ends.get(j)
        if ent is not None and ent.label in _AFFIL_LABELS and (with_role or ent.label == "NORP"):
            return _affiliation(doc[ent.start : ent.end].text, ent.label), ent.start - 1, False
        if doc[j].text in _DEMONYM or doc[j].text in _PARTY_WORD:
            return _affiliation(doc[j].text, None), j - 1, False
        if (with_role and self.ent_at[j] == -1 and doc[j].pos_ == "PROPN" and doc[j].is_title
                and j not in self.titles):
            s = j
            while s - 1 >= lo and doc[s - 1].pos_ == "PROPN" and self.ent_at[s - 1] == -1 and j - s < 3:
                s -= 1
            if s - 1 >= 0 and doc[s - 1].text in "-–":
                return None, j, False  # "Anti-Illegal-Immigration Leader": part of a compound
            return _affiliation(doc[s : j + 1].text, "ORG"), s - 1, False
        return None, j, False

    def modifiers(self, j: int, lo: int) -> tuple[str, int]:
        """Skip "former", "acting", "then-" ... leftwards from j; the kept prefix ("Former") and new j."""
        prefix = ""
        while j >= lo:
            low = self.doc[j].lower_
            if low in _MODIFIERS:
                prefix = prefix or _MODIFIERS[low]
            elif low not in ("-", "–"):
                break
            j -= 1
        return prefix, j

    def role_before(self, i: int, lo: int) -> tuple[list[str], str | None, int, bool]:
        """Role and affiliation in the words right before token i: (role, affiliation, first token used,
        blocked by a person possessor)."""
        j = _before(self.doc, i)
        t = self.titles.get(j)
        if t is not None and t.kind == "honorific" and t.start > lo:
            j = _before(self.doc, t.start)
            t = self.titles.get(j)
        roles: list[str] = []
        while t is not None and t.kind == "role" and t.start >= lo and len(roles) < 2:
            # "presidential candidate Sen. X": two titles in a row
            prefix, j = self.modifiers(_before(self.doc, t.start), lo)
            roles.append(f"{prefix} {t.role}" if prefix else t.role)
            t = self.titles.get(j)
        aff, j, blocked = self.affil_left(j, lo, bool(roles))
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
            aff = self.of_affiliation(c, ("of", "for", "at"))
        return roles, aff

    def of_affiliation(self, c: Token, preps: tuple[str, ...]) -> str | None:
        for p in c.children:
            if p.dep_ == "prep" and p.lower_ in preps:
                for o in p.children:
                    if o.dep_ == "pobj":
                        idx = self.ent_at[o.i]
                        if idx >= 0 and self.ents[idx].label in _AFFIL_LABELS:
                            ent = self.ents[idx]
                            return _affiliation(self.doc[ent.start : ent.end].text, ent.label)
                        if o.text in _DEMONYM:
                            return _DEMONYM[o.text]
        return None


def _describe(ctx: _Ctx, ent: _Ent, text: str) -> _Said:
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
    nxt = _after(doc, ent.end - 1)
    if titles and nxt + 1 < len(doc) and doc[nxt].lower_ == "of":  # "President Lula of Brazil"
        k = nxt + 1 + (doc[nxt + 1].lower_ == "the")
        idx = ctx.ent_at[k] if k < len(doc) else -1
        if idx >= 0 and ctx.ents[idx].start == k and ctx.ents[idx].label in ("GPE", "ORG"):
            ent2 = ctx.ents[idx]
            if a2 := _affiliation(doc[ent2.start : ent2.end].text, ent2.label):
                affs.append(a2)
    m = _PARTY_LABEL.match(text, doc[ent.end - 1].idx + len(doc[ent.end - 1].text))
    if m and m.group(1) in _PARTY_CODE:
        affs.append(_PARTY_CODE[m.group(1)])
    hon = ctx.titles.get(_before(doc, ent.start))
    gender = hon.gender if hon is not None and hon.kind == "honorific" else ""
    gender = gender or next((_ROLE_GENDER[r.split(" ", 1)[-1]] for r in roles
                             if r.split(" ", 1)[-1] in _ROLE_GENDER), "")
    return _Said(titles, roles, affs, gender)


# -- step 3: person clustering -------------------------------------------------------------------


def _mention(text: str, doc: Doc, s: int, e: int) -> Mention:
    a, b = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
    return Mention(a, b, text[a:b])


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


def _pick(cands: list[_Person], pos: int, ctx: _Ctx) -> _Person | None:
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


def _people(ctx: _Ctx, persons: list[_Ent], text: str) -> list[_Person]:
    """Cluster PERSON mentions: full names first, then surnames and first names (see _pick)."""
    doc = ctx.doc
    said = {ent.start: _describe(ctx, ent, text) for ent in persons}
    clusters: list[_Person] = []
    singles: list[tuple[_Ent, str]] = []
    by_surname: dict[str, list[_Person]] = {}
    # Longest names first, so "Vander Plaats" finds "Bob Vander Plaats" (a name ending another name).
    for ent in sorted(persons, key=lambda x: (x.start - x.end, x.start)):
        k, e, suffix = _surname_of(doc, ent.start, ent.end)
        surname = _norm(doc[k:e].text)
        if k == ent.start:
            singles.append((ent, surname))
            continue
        first = doc[ent.start].lower_
        name = _norm(doc[ent.start : e].text)
        longer = {c for c in by_surname.get(surname, ()) if any(n.endswith(" " + name) for n in c.full)}
        for c in by_surname.get(surname, ()):
            if c.first and c.suffix == suffix and (_compatible(c.first, first) or longer == {c}):
                break
        else:
            c = _Person(first, surname, suffix, gender=_GIVEN_GENDER.get(doc[ent.start].text, ""))
            clusters.append(c)
            by_surname.setdefault(surname, []).append(c)
        c.full.add(name)
        m = _mention(text, doc, ent.start, ent.end)
        c.names.append((ent.end - ent.start, m.text))
        c.gender = c.gender or said[ent.start].gender
        _add(c, m, said[ent.start])
    singles.sort(key=lambda x: x[0].start)
    by_first: dict[str, list[_Person]] = {}
    for c in clusters:
        by_first.setdefault(c.first, []).append(c)
    alone: dict[str, _Person] = {}  # people known here by one name only
    for ent, surname in singles:  # in document order, so "most recent" sees earlier links
        m, s = _mention(text, doc, ent.start, ent.end), said[ent.start]
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


def _anaphors(ctx: _Ctx, clusters: list[_Person], text: str) -> None:
    """Link role nouns used alone ("the Prime Minister said") to the one person holding that role."""
    doc = ctx.doc
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
        if head.tag_ in ("NNS", "NNPS") or head.dep_ in ("attr", "oprd", "appos"):
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
        det = k >= 0 and doc[k].lower_ == "the"
        if det and k >= 1 and doc[k - 1].lower_ == "as":
            continue  # "as the candidate with ...": a description, not a mention
        phrase = doc[t.start : t.end].text
        if not det and aff is None and not (phrase[:1].isupper() and not phrase.isupper()):
            continue
        if not det and k >= 0 and doc[k].lower_ in _NOT_ANAPHOR_BEFORE:
            continue
        of = ctx.of_affiliation(head, ("of",))
        if any(p.dep_ == "prep" and p.lower_ == "of" for p in head.children):
            if of is None:
                continue  # "the president of the company": not one of our people
            aff = aff or of
        role = f"{prefix} {t.role}" if prefix else t.role
        cands = holders.get(role, [])
        if aff is not None:
            # "the Vermont senator" is nobody if no senator here is said to be from Vermont
            cands = [c for c in cands if aff in c.affiliations]
        start = k if det else k + 1
        m = _mention(text, doc, start, t.end)
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


def _person_name(c: _Person) -> str:
    full = [n for n in c.names if n[0] > 0]
    if not full:
        return Counter(n[1] for n in c.names).most_common(1)[0][0]
    freq = Counter(n[1] for n in full)
    # Fullest: most spelled-out words ("Eddie Mannix" over "E. J. Mannix"), then most words, most used.
    return max(full, key=lambda n: (sum(len(w.rstrip(".")) > 1 for w in n[1].split()), n[0], freq[n[1]]))[1]


# -- step 5: other entities ----------------------------------------------------------------------


def _key(s: str) -> str:
    s = re.sub(r"^the\s+", "", _norm(s))
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


def _others(doc: Doc, ents: list[_Ent], text: str) -> list[tuple[str, str, list[Mention]]]:
    """Group non-person mentions: same name, same country, or acronym and long form."""
    items: list[tuple[str, str, Mention, str]] = []  # (key, label, mention, display name)
    occupied = [False] * len(doc)
    for ent in ents:
        for k in range(ent.start, ent.end):
            occupied[k] = True
    for ent in ents:
        if ent.label in ENTITY_LABELS and ent.label != "PERSON":
            m = _mention(text, doc, ent.start, ent.end)
            country = _COUNTRY_NAME.get(m.text) if ent.label in ("GPE", "LOC") else None
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


# -- the extractor ---------------------------------------------------------------------------------


def extract_entities(doc: Doc, article: Article) -> tuple[Entity, ...]:
    """Entities of one document, ids E1, E2, ... in order of first mention."""
    text = article.text
    titles = _title_index(doc)
    ents: list[_Ent] = []
    for e in doc.ents:
        if e.label_ in ENTITY_LABELS:
            trimmed = _trim(doc, _Ent(e.start, e.end, e.label_), titles)
            if trimmed is not None:
                ents.append(trimmed)
        else:  # dates and numbers keep their tokens from being read as names
            ents.append(_Ent(e.start, e.end, e.label_))
    ents = _repair(doc, ents, titles)
    ents.sort(key=lambda x: x.start)
    # Names inside a multi-word title ("Secretary of State", "Chancellor of the Exchequer") are not entities.
    inside = bytearray(len(doc))
    for t in titles.values():
        if t.end - t.start > 1:
            for k in range(t.start, t.end):
                inside[k] = 1
    ents = [x for x in ents if x.label == "PERSON" or not all(inside[k] for k in range(x.start, x.end))]
    ctx = _Ctx(doc, ents, titles)
    persons = [x for x in ents if x.label == "PERSON"]
    clusters = _people(ctx, persons, text)
    _anaphors(ctx, clusters, text)
    records: list[tuple[str, str, list[Mention], tuple[str, ...], str | None]] = [
        (_person_name(c), "PERSON", c.mentions, tuple(c.roles), c.affiliation) for c in clusters
    ]
    records += [(name, label, ms, (), None) for name, label, ms in _others(doc, ents, text)]
    out = []
    for name, label, ms, roles, aff in records:
        uniq = sorted({(m.start, m.end): m for m in ms}.values(), key=lambda m: (m.start, m.end))
        if uniq:
            out.append((uniq[0].start, name, label, uniq, roles, aff))
    out.sort(key=lambda r: r[0])
    return tuple(Entity(id=f"E{i}", name=name, type=label, roles=roles, affiliation=aff, mentions=tuple(ms))
                 for i, (_, name, label, ms, roles, aff) in enumerate(out, 1))
