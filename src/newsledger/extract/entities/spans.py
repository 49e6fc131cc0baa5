"""Name spans: spaCy NER spans trimmed to the name, the index of titles, and the document-level person
repair (steps 1-2 of the package docstring), so every occurrence of a person's name is one PERSON span.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc

from newsledger.extract.entities.lexicon import ENTITY_LABELS, lex_of, norm
from newsledger.extract.quotes.marks import Region, scan
from newsledger.model import Mention

_NOT_NAME_POS = {"VERB", "AUX", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "INTJ", "ADV", "NUM", "SYM"}


@dataclass(slots=True)
class Ent:
    start: int  # token offsets, end exclusive
    end: int
    label: str
    titled: bool = False  # a title or honorific stands right before the name


@dataclass(slots=True)
class Title:
    start: int
    end: int  # exclusive
    kind: str  # role | honorific
    role: str
    gender: str  # m | f | "" (Mrs., spokeswoman)


# -- step 1: spans ---------------------------------------------------------------------------------


def title_index(doc: Doc) -> dict[int, Title]:
    """Longest title/honorific phrase ending at each token (keyed by the phrase's last token)."""
    L = lex_of(doc)
    out: dict[int, Title] = {}
    for tok in doc:
        most = L.title_last.get(tok.lower_)
        if most is None:
            continue
        j = tok.i
        for k in range(min(most, j + 1), 0, -1):
            hit = L.titles.get(norm(doc[j - k + 1 : j + 1].text))
            if hit is not None and hit[0] != "modifier":
                out[j] = Title(j - k + 1, j + 1, *hit)
                break
    return out


def before(doc: Doc, i: int) -> int:
    """Index of the token before i, skipping spaces within a line (non-breaking spaces in scraped text)."""
    j = i - 1
    while j >= 0 and doc[j].is_space and "\n" not in doc[j].text:
        j -= 1
    return j


def after(doc: Doc, j: int) -> int:
    i = j + 1
    while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += 1
    return i


def _title_starting(titles: dict[int, Title], i: int, end: int) -> Title | None:
    for j in range(end - 2, i - 1, -1):  # longest first; must leave one token for the name
        t = titles.get(j)
        if t is not None and t.start == i:
            return t
    return None


def trim(doc: Doc, ent: Ent, titles: dict[int, Title]) -> Ent | None:
    L = lex_of(doc)
    s, e = ent.start, ent.end
    if ent.label == "PERSON":
        if any("@" in doc[k].text or doc[k].like_url for k in range(s, e)):
            return None  # "Twitter @handle" bylines
        for k in range(s + 1, e):  # "Trump's 'Incredibly": a name ends before a possessive or a quote
            if doc[k].lower_ in L.possessive or doc[k].is_quote:
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
    while s < e and (doc[s].lower_ in L.grammar["article"] or doc[s].is_punct or doc[s].is_space):
        s += 1
    while e > s and (doc[e - 1].lower_ in L.possessive or doc[e - 1].is_punct or doc[e - 1].is_space):
        e -= 1
    if ent.label == "PERSON":
        if e - s >= 2 and doc[e - 1].lower_ in L.company_heads:
            ent.label = "ORG"
            return trim(doc, ent, titles)
        while s < e - 2 and doc[s].pos_ in _NOT_NAME_POS:  # "Follow Jeff Poor on Twitter"
            s += 1
        for k in range(s + 1, e):  # headline case: "Will Twitter Be Next"
            if doc[k].pos_ in _NOT_NAME_POS and doc[k].lower_ not in L.particles and not doc[k].is_punct:
                e = k
                break
        while s < e and (t := _title_starting(titles, s, e)) is not None:
            s, ent.titled = t.end, True
        while s < e - 1 and doc[s].lower_ in L.modifiers:
            s += 1
        while e - 1 > s and doc[e - 1].is_lower and doc[e - 1].lower_ not in L.particles:
            e -= 1
        t = titles.get(e - 1)
        if t is not None and t.start <= s:
            return None  # a title alone ("Sen.") is not a name
        if e - s == 1 and doc[s].lower_ in L.grammar["weekday"]:
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


def _is_place(doc: Doc, ent: Ent) -> bool:
    """A GPE/LOC the repair must leave alone: a known place name, or a name after 'in'/'near'/..."""
    L = lex_of(doc)
    if ent.label not in ("GPE", "LOC", "FAC"):
        return False
    if ent.label != "FAC" and doc[ent.start : ent.end].text in L.places:
        return True
    root = doc[ent.start : ent.end].root
    if L.grammar.ud:  # "à Laval": the place is an obl/nmod with its preposition as a "case" child
        return root.dep_ in ("obl", "obl:mod", "nmod") and any(
            c.dep_ == "case" and c.lower_ in L.grammar["loc_prep"] for c in root.children)
    return root.dep_ == "pobj" and root.head.lower_ in L.grammar["loc_prep"]


def surname_of(doc: Doc, s: int, e: int) -> tuple[int, int, str]:
    """(start of surname, end without suffix, suffix) of a person name span."""
    L = lex_of(doc)
    suffix = ""
    while e - 1 > s and (doc[e - 1].lower_ in L.suffixes or doc[e - 1].text == ","):
        if doc[e - 1].text != ",":
            suffix = doc[e - 1].lower_.rstrip(".")
        e -= 1
    k = e - 1
    # "von der Leyen", "Von der Leyen", "al-Assad"; but "Al Gore", "De Niro": a capitalised particle
    # is a given name unless another particle follows it.
    while k - 1 >= s and doc[k - 1].lower_ in L.particles and (
            doc[k - 1].is_lower or (k < e - 1 and doc[k].is_lower)):
        k -= 1
    return k, e, suffix


def mention(text: str, doc: Doc, s: int, e: int) -> Mention:
    a, b = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
    return Mention(a, b, text[a:b])


# -- step 2: person repair -------------------------------------------------------------------------


def repair(doc: Doc, ents: list[Ent], titles: dict[int, Title]) -> list[Ent]:
    """Make every occurrence of a person's name a PERSON span (see the package docstring)."""
    L = lex_of(doc)
    n = len(doc)
    owner = [-1] * n
    for idx, ent in enumerate(ents):
        for k in range(ent.start, ent.end):
            owner[k] = idx
    # Particles split off by NER ("Ursula von der" + "Leyen"): extend over the next capitalised word.
    for ent in ents:
        if ent.label == "PERSON" and doc[ent.end - 1].lower_ in L.particles and ent.end < n:
            nxt = doc[ent.end]
            if nxt.pos_ == "PROPN" and nxt.is_title:
                if owner[ent.end] >= 0:
                    ents[owner[ent.end]].label = ""
                owner[ent.end] = owner[ent.start]
                ent.end += 1
    # A name right after a title or honorific is a person ("Mr. Okafor", "President Biden").
    added: list[Ent] = []
    for j, t in titles.items():
        i = after(doc, j)
        if i >= n or doc[i].pos_ != "PROPN" or not doc[i].is_title:
            continue
        if any(owner[k] >= 0 and ents[owner[k]].label not in ("PERSON", "") for k in range(t.start, t.end)):
            continue  # the title is part of another name ("Premier League")
        if owner[i] >= 0:
            ent = ents[owner[i]]
            span = doc[ent.start : ent.end]
            if ent.start == i and (ent.label == "PERSON" or (
                    ent.end - ent.start <= 4 and all(tk.pos_ == "PROPN" for tk in span)
                    and span[-1].lower_ not in L.org_heads and not _is_place(doc, ent))):
                ent.label, ent.titled = "PERSON", True
        elif owner[i] == -1:
            e = _name_run(doc, i, owner)
            if doc[e - 1].lower_ not in L.org_heads and not any(k in titles for k in range(i, e)):
                added.append(Ent(i, e, "PERSON", titled=True))
                for k in range(i, e):
                    owner[k] = -3
    ents = [x for x in ents if x.label] + added
    # A full name tagged ORG/GPE whose first word is a common given name ("Carly Fiorina" as ORG).
    misread = ("ORG", "GPE", "NORP", "LOC") if L.grammar.ud else ("ORG", "GPE", "NORP")  # WikiNER's LOC too
    for ent in ents:
        if ent.label in misread and 2 <= ent.end - ent.start <= 3:
            span = doc[ent.start : ent.end]
            first, last = span[0].text, span[-1].lower_
            if (first in L.given_gender and first not in L.places and last not in L.org_heads
                    and all(t.pos_ == "PROPN" and t.is_title for t in span)):
                ent.label = "PERSON"
    # Headline case lets NER swallow the next word ("Donald Trump Rampages"): cut a long PERSON span
    # back to a name the document also uses on its own.
    # Likewise "Offensive Things Donald Trump", when the words cut off are not all proper nouns.
    known = {doc[x.start : x.end].text for x in ents if x.label == "PERSON" and x.end - x.start >= 2}
    for ent in ents:
        if ent.label == "PERSON" and ent.end - ent.start >= 3 and doc[ent.end - 1].lower_ not in L.suffixes:
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
        k, e, _ = surname_of(doc, ent.start, ent.end)
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
    names = surnames | {w for w, c in person_n.items() if c >= other_n[w] and w not in L.places}
    for ent in list(ents):  # "Trump’s Middle Eastern" as one ORG: the person, then the rest
        if ent.label in ENTITY_LABELS and ent.label != "PERSON":
            for k in range(ent.start + 1, ent.end - 1):
                if doc[k].lower_ in L.possessive and doc[k - 1].text in names:
                    ents.append(Ent(k + 1, ent.end, ent.label))
                    ent.end = k
                    break
    for ent in ents:  # "Trump Tower": a person's surname and an organisation or building word
        if (ent.label == "PERSON" and ent.end - ent.start >= 2 and doc[ent.start].text in surnames
                and doc[ent.end - 1].lower_ in L.org_heads):
            ent.label = "FAC" if doc[ent.end - 1].lower_ in L.fac_heads else "ORG"
    # The other way round: a lone known place the model once called a person, and no one here bears
    # that name ("Bermuda", "Monterey"), is a place.
    for ent in ents:
        if ent.label == "PERSON" and not ent.titled and ent.end - ent.start == 1:
            word = doc[ent.start].text
            if word in L.places and word not in surnames and (
                    word not in L.cities or place_n[word] >= person_n[word]):
                ent.label = "GPE"
    # A first name used alone, when only one person here has it ("Kamala" tagged GPE), unless it is
    # also a place or a demonym.
    given = {w for w, sn in firsts.items() if len(sn) == 1 and w not in L.places and w not in L.demonym}
    if not names and not given:
        return ents
    for ent in ents:
        if ent.label == "PERSON" or ent.label not in ENTITY_LABELS:
            continue
        k, e, _ = surname_of(doc, ent.start, ent.end)
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
            nxt_i = tok.i + 1
            if nxt_i < n and owner[nxt_i] == -1 and doc[nxt_i].pos_ == "PROPN" and doc[nxt_i].is_title:
                continue  # part of a longer unlabelled name ("Freeland Foundation")
            s = tok.i
            while (s - 1 >= 0 and s - tok.i > -3 and owner[s - 1] == -1 and doc[s - 1].pos_ == "PROPN"
                   and doc[s - 1].is_title and s - 1 not in titles and not doc[s].is_sent_start):
                s -= 1
            ents.append(Ent(s, tok.i + 1, "PERSON"))
            for k in range(s, tok.i + 1):
                owner[k] = 1
    return ents


def _line_of(doc: Doc, i: int) -> tuple[int, int]:
    """Token range of the line holding token i (a line ends at a newline token)."""
    a = i
    while a > 0 and not (doc[a - 1].is_space and "\n" in doc[a - 1].text):
        a -= 1
    b = i
    while b < len(doc) and not (doc[b].is_space and "\n" in doc[b].text):
        b += 1
    return a, b


def _headline(doc: Doc, a: int, b: int, stop_ok: bool = False) -> bool:
    """A title-case line without a closing full stop (`stop_ok`: with or without one, as a scraped title
    line may have): a headline, where every word is capitalised."""
    words = [t for t in doc[a:b] if t.is_alpha]
    if len(words) < 3 or (not stop_ok and b > a and doc[b - 1].text in (".", "?", "!")):
        return False
    return sum(t.text[:1].isupper() for t in words) >= 0.75 * len(words)


def headline_names(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """In a headline every word is capitalised, so the model runs names into the words around them
    ("More Offensive Things Donald Trump Has Said", "Hillary Clinton Slams Donald Trump"). A person
    span on a headline line shrinks to the longest run of its words that the article names as a person
    elsewhere; with no such run it stays as found."""
    lines: dict[int, bool] = {}

    def on_headline(e: Ent) -> bool:
        a, b = _line_of(doc, e.start)
        if a not in lines:
            lines[a] = _headline(doc, a, b)
        return lines[a]

    persons = [e for e in ents if e.label == "PERSON"]
    body = {doc[e.start:e.end].text for e in persons if not on_headline(e)}
    if not body:
        return ents
    for e in persons:
        if e.end - e.start < 2 or doc[e.start:e.end].text in body or not on_headline(e):
            continue
        best: tuple[int, int] | None = None
        for s in range(e.start, e.end):
            for t in range(e.end, s, -1):
                if doc[s:t].text in body and (best is None or t - s > best[1] - best[0]):
                    best = (s, t)
        if best is not None:
            e.start, e.end = best
    return ents


def headline_runs(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """The same run-on for organisations, places and the rest, on the title line (a scraped title may end
    with a full stop): "FDIC Accused Of Covering Up China Hacking To Protect" is one ORG to the model. A
    span of three or more words that the article never writes whole elsewhere, and that holds a verb or
    function word the article writes in lower case ("Accused", "Of", "To"; not "Museum"), shrinks to the
    longest run of its words that the article names elsewhere (in any case: "Bank Of America" is "Bank of
    America") and that holds no such word, and takes that name's type; with no such run it stays as
    found."""
    if not len(doc):
        return ents
    a, b = _line_of(doc, 0)
    if not _headline(doc, a, b, stop_ok=True):
        return ents
    first = [e for e in ents if e.label in ENTITY_LABELS and e.label != "PERSON" and e.start < b
             and e.end - e.start >= 3]
    if not first:
        return ents
    body = {doc[e.start:e.end].text.lower(): e.label for e in ents
            if e.start >= b and e.label in ENTITY_LABELS}
    lower = {t.text for t in doc[b:] if t.is_lower and t.is_alpha}
    for e in first:
        if doc[e.start:e.end].text.lower() in body:
            continue
        common = [k for k in range(e.start, e.end) if doc[k].text.lower() in lower and not doc[k].is_lower
                  and doc[k].pos_ in _NOT_NAME_POS]
        if not common:
            continue
        best: tuple[int, int] | None = None
        for i in range(e.start, e.end):
            for j in range(e.end, i, -1):
                if (best is None or j - i > best[1] - best[0]) and not any(i <= k < j for k in common) \
                        and doc[i:j].text.lower() in body:
                    best = (i, j)
        if best is not None:
            e.start, e.end = best
            e.label = body[doc[e.start:e.end].text.lower()]
    return ents


def leading_words(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """Words run into the front of a name where the model cannot tell them apart: an epithet in a
    quotation ("working Crooked Hillary Clinton") or title-case words on the title line, full stop and
    all ("9 (More) Offensive Things Donald Trump Has Said."). Such a person span (three or more words,
    used once, not starting with a given name) loses the words before its first given name when what
    is left (that name and at least one more word) is a person the article names elsewhere, and, on the
    title line, one of the words dropped is one the article writes in lower case too. Only there: a
    first name missing from the list ("Michaela Angela Davis") is never cut."""
    given = lex_of(doc).given_gender
    persons = [e for e in ents if e.label == "PERSON"]
    seen = Counter(doc[e.start:e.end].text for e in persons)
    lower: set[str] | None = None  # the words the article writes in lower case, when first needed
    regions: list[Region] | None = None
    starts: list[int] = []
    for e in persons:
        long = doc[e.start:e.end].text
        if e.end - e.start < 3 or doc[e.start].text in given or seen[long] > 1:
            continue
        if regions is None:  # the quoted stretches, found only when a candidate needs them
            regions = scan(doc.text)
            starts = [r.start for r in regions]
        r = bisect_right(starts, doc[e.start].idx) - 1
        quoted = r >= 0 and doc[e.start].idx < regions[r].end
        if not (quoted or _line_of(doc, e.start)[0] == 0):
            continue
        for k in range(e.start + 1, e.end - 1):
            if doc[k].text in given:
                # "things" is a word the article also writes in lower case; "Michaela" is a name
                if lower is None and not quoted:
                    lower = {t.text for t in doc if t.is_lower and t.is_alpha}
                common = not quoted and any(t.lower_ in (lower or ()) for t in doc[e.start:k])
                if seen[doc[k:e.end].text] > 0 and (quoted or common):
                    e.start = k
                break
    return ents

