"""Attribution from the dependency parse: reporting cues, their sources and the content they report.

The cues and what each one takes as content (its frames) come from `cues.tsv` beside this file. One
linear pass over the tokens finds every cue and reads, from the parse:

- the source: the cue's subject (`nsubj`), the agent of a passive, the subject of the verb a participle
  or infinitive hangs from ("..., saying that", "declined to say"), the antecedent of a relative "who";
- the content: a clausal complement ("said (that) ..."), the clause a cue interrupts or follows
  ("..., the Times said."), an infinitive ("vowed to ..."), a prepositional object ("warned of ..."),
  a direct object ("denied the report"), or the clause an "according to X" phrase modifies.

Cues without content here (`He said:` before a quotation) are kept: the quotation-mark pass in
`quotes.py` gives them their content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

_REL_PRONOUNS = {"who", "that", "which", "whom"}
_SUBJ = ("nsubj", "csubj")
_EDGE_PUNCT = {",", ";", ":", "—", "–", "-", "--", "(", ")"}
# A clause marked by one of these is an adverbial ("said after X said ..."), not reported content.
_ADVERBIAL_MARKS = {"after", "before", "when", "while", "if", "because", "since", "as", "although", "though",
                    "until", "unless", "once", "whereas", "whenever"}


@dataclass(frozen=True, slots=True)
class CueSense:
    frames: frozenset[str]
    cls: str

    @property
    def preps(self) -> frozenset[str]:
        return frozenset(f[5:] for f in self.frames if f.startswith("prep:"))


@dataclass(slots=True)
class Lexicon:
    verbs: dict[str, CueSense] = field(default_factory=dict)  # lemma
    phrasal: dict[tuple[str, str], CueSense] = field(default_factory=dict)  # (lemma, particle)
    nouns: dict[str, CueSense] = field(default_factory=dict)
    media: set[str] = field(default_factory=set)
    phrases: dict[tuple[str, ...], CueSense] = field(default_factory=dict)
    phrase_starts: set[str] = field(default_factory=set)
    forms: dict[str, str] = field(default_factory=dict)  # inflected form -> lemma (the lemmatizer errs)
    hashes: set[int] = field(default_factory=set)  # string ids of every word that may start a cue

    def __len__(self) -> int:
        return len(self.verbs) + len(self.phrasal) + len(self.nouns) + len(self.media) + len(self.phrases)


def load_lexicon(name: str = "cues.tsv") -> Lexicon:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    rows = [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")][1:]
    lex = Lexicon()
    for form, kind, frames, cls in rows:
        sense = CueSense(frozenset(frames.split()) - {"-"}, cls)
        words = tuple(form.lower().split())
        if kind == "verb" and len(words) == 2:
            lex.phrasal[(words[0], words[1])] = sense
        elif kind == "verb":
            lex.verbs[words[0]] = sense
        elif kind == "noun":
            lex.nouns[words[0]] = sense
        elif kind == "medium":
            lex.media.add(words[0])
        elif kind == "phrase":
            lex.phrases[words] = sense
            lex.phrase_starts.add(words[0])
        elif kind == "form":
            lex.forms[words[0]] = frames
        else:
            raise ValueError(f"{name}: unknown cue type {kind!r} for {form!r}")
    for lemma in {*lex.verbs, *(v for v, _ in lex.phrasal)}:
        for f in _inflections(lemma):
            lex.forms.setdefault(f, lemma)
    cue_words = {*lex.forms, *lex.verbs, *(v for v, _ in lex.phrasal), *lex.nouns, *lex.phrase_starts}
    lex.hashes = {get_string_id(w) for w in cue_words} | {get_string_id(w.capitalize()) for w in cue_words}
    return lex


def _inflections(v: str) -> set[str]:
    """Regular forms of a verb (both spellings where consonant doubling is unsure: "admitted", "edited")."""
    stem = v[:-1] if v.endswith("e") else v
    out = {v, v + "s", stem + "ed", stem + "ing"}
    if v.endswith(("s", "sh", "ch", "x", "z", "o")):
        out.add(v + "es")
    if v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        out |= {v[:-1] + "ies", v[:-1] + "ied"}
    if len(v) > 2 and v[-1] not in "aeiouwxy" and v[-2] in "aeiou" and v[-3] not in "aeiou":
        out |= {v + v[-1] + "ed", v + v[-1] + "ing"}
    return out


LEXICON = load_lexicon()  # loaded once per process


@dataclass(slots=True)
class Attribution:
    """One cue with its source and content, in token and character terms (content is a char span)."""

    cue: tuple[int, int]  # token range [start, end) of the cue words
    source: int | None  # head token of the source phrase, None when the text names nobody
    content: tuple[int, int] | None  # char span of what is reported, None when the parse gives none
    frame: str  # that | inverted | to | prep | obj | source | quote | noun
    sense: CueSense
    rel: int | None = None  # a relative pronoun standing for the source ("who said")
    via: list[int] = field(default_factory=list)  # source tokens of outer reporters, outermost first
    content_root: int | None = None  # the token heading the content (chains)


_REL_TAIL = {"which", "who", "whom", "whose"}


def _tail(doc: Doc, a: int, b: int) -> int:
    """Where reported content ends before a trailing aside: "..., which is spread by mosquitoes", "...,
    when voters head to the polls", "..., although he refused to ..." (the reporter's gloss, not the
    speaker's words)."""
    for i in range(a + 3, b - 1):
        if doc[i].text != ",":
            continue
        k = doc[i + 1]
        if k.lower_ in _REL_TAIL:
            return i
    return b


def _span_chars(doc: Doc, a: int, b: int) -> tuple[int, int] | None:
    """Char span of tokens [a, b), trimmed of edge commas, dashes and spaces and of a trailing aside;
    None if nothing is left."""
    b = _tail(doc, a, b)
    while a < b and (doc[a].is_space or doc[a].text in _EDGE_PUNCT):
        a += 1
    while b > a and (doc[b - 1].is_space or doc[b - 1].text in _EDGE_PUNCT or doc[b - 1].text == "."):
        b -= 1
    if a >= b:
        return None
    return doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)


def _subtree(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i + 1


def _is_verb(tok: Token) -> bool:
    if tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"):
        return True
    # "He notes that ...", "Trump says ...": a verb the tagger took for a plural noun, told by its clause
    return tok.tag_ == "NNS" and tok.dep_ in ("ROOT", "conj") and any(
        c.dep_ in ("nsubj", "ccomp") for c in tok.children)


def verb_sense(tok: Token, lex: Lexicon = LEXICON) -> tuple[CueSense, int] | None:
    """The cue sense of a verb token and the index after its last cue word (a particle), if it is a cue."""
    if not _is_verb(tok):
        return None
    lemma = lex.forms.get(tok.lower_) or tok.lemma_.lower()
    for c in tok.children:
        if c.dep_ in ("prt", "prep") and c.i == tok.i + 1:
            s = lex.phrasal.get((lemma, c.lower_))
            if s is not None:
                return s, c.i + 1
    s = lex.verbs.get(lemma)
    return (s, tok.i + 1) if s is not None else None


def _source(tok: Token, depth: int = 0) -> tuple[int | None, int | None, bool]:
    """(source head token, relative pronoun token, passive-without-agent) of a cue verb."""
    passive = False
    subj = None
    for c in tok.children:
        if c.dep_ in _SUBJ and (subj is None or abs(c.i - tok.i) < abs(subj.i - tok.i)):
            subj = c  # the nearest, when a misparse gives a verb two subjects
        if c.dep_ == "nsubjpass" or c.dep_ == "auxpass":
            passive = True
    if subj is not None:
        if subj.lower_ in _REL_PRONOUNS and tok.dep_ == "relcl":
            return tok.head.i, subj.i, False
        return subj.i, None, False
    if passive:
        for c in tok.children:
            if c.dep_ == "agent":
                for o in c.children:
                    if o.dep_ == "pobj":
                        return o.i, None, False
        return None, None, True
    if depth < 3 and tok.dep_ in ("xcomp", "advcl", "conj", "pcomp") and tok.head.i != tok.i:
        head = tok.head
        if tok.dep_ == "pcomp":  # "in saying that": the preposition's head
            head = head.head
        if _is_verb(head):
            return _source(head, depth + 1)
    if tok.dep_ == "acl" and tok.tag_ == "VBG" and tok.head.pos_ in ("NOUN", "PROPN"):
        noun = tok.head
        if noun.lemma_.lower() in LEXICON.media and noun.dep_ in ("dobj", "pobj"):
            gov = noun.head if noun.dep_ == "dobj" else noun.head.head
            if _is_verb(gov):
                s, r, _ = _source(gov, depth + 1)
                if s is not None:
                    return s, r, False
        return noun.i, None, False  # "a report saying that ..."
    if tok.dep_ == "ROOT":
        orphan = _orphan_subject(tok)
        if orphan is not None:
            return orphan, None, False
        missed = _misparsed_subject(tok)
        if missed is not None:
            return missed, None, False
    return None, None, False


_NOMINAL = {"NOUN", "PROPN", "NUM", "PRON"}


def _misparsed_subject(tok: Token) -> int | None:
    """A subjectless main cue whose subject the parser labelled otherwise: "“...,” added a South Carolina
    Democrat" (read as an object after a quotation), "About 4 in 10 say ..." (read as a number)."""
    kids = list(tok.children)
    left = [c for c in kids
            if c.i < tok.i and c.pos_ in _NOMINAL and c.dep_ in ("nummod", "npadvmod", "dep", "nmod")]
    if left:
        return left[-1].i
    prev = tok.doc[tok.i - 1] if tok.i > 0 else None
    if prev is not None and (prev.is_quote or prev.text == ","):
        after = [c for c in kids
                 if c.i > tok.i and c.pos_ in ("NOUN", "PROPN") and c.dep_ in ("dobj", "attr", "npadvmod")]
        if after:
            return after[0].i
    return None


def _agent(tok: Token) -> int | None:
    for c in tok.children:
        if c.dep_ == "agent":
            return next((o.i for o in c.children if o.dep_ == "pobj"), None)
    return None


def _orphan_subject(tok: Token) -> int | None:
    """"Putin, speaking after the French president said X, said Y": the parser gave the inner verb both
    subjects; a subjectless main verb takes the extra, outer one."""
    for c in tok.children:
        if c.i < tok.i and c.dep_ in ("ccomp", "advcl"):
            subs = [g for g in c.children if g.dep_ in _SUBJ and g.i < c.i]
            if len(subs) >= 2:
                return subs[0].i
    return None


_Found = tuple[tuple[int, int] | None, str, int | None]  # (content char span, frame, content root token)


def _content(doc: Doc, tok: Token, sense: CueSense, cue_end: int) -> _Found:
    """(char span, frame, root token) of the content a verb cue takes in the parse."""
    frames = sense.frames
    kids = list(tok.children)
    if "raise" in frames or ("raise:pass" in frames and _passive(tok)):
        raised = _raised(doc, tok, kids)
        if raised is not None:
            return raised
    if "that" in frames or "quote" in frames:
        cc = [c for c in kids if c.dep_ == "ccomp" and not any(
            g.dep_ == "mark" and g.lower_ in _ADVERBIAL_MARKS for g in c.children)]
        if not cc:  # "He said: the talks failed." - a clause after a colon hangs as parataxis
            cc = [c for c in kids if c.dep_ == "parataxis" and c.i > tok.i
                  and any(doc[k].text == ":" for k in range(cue_end, c.left_edge.i))]
        if cc:
            a = min(_subtree(c)[0] for c in cc)
            b = max(_subtree(c)[1] for c in cc)
            if a < tok.i < b:  # content on both sides: keep the side of the main clause
                cc = [max(cc, key=lambda c: _subtree(c)[1] - _subtree(c)[0])]
                a, b = _subtree(cc[0])
            if cc[-1].i > tok.i:
                b = _cut_conj(cc[-1], b)
            return _span_chars(doc, a, b), "that", cc[0].i
        inv = _inverted(doc, tok)
        if inv is not None:
            return inv
        if "that" in frames and (late := _late_that(doc, tok, cue_end)) is not None:
            return late
    if "to" in frames:
        for c in kids:
            if c.dep_ == "xcomp" and c.i > tok.i and _infinitive(c):
                return _span_chars(doc, c.left_edge.i, _clause_end(tok, c)), "to", c.i
    preps = sense.preps
    if preps:
        for c in kids:
            if c.dep_ == "prep" and c.lower_ in preps and c.i > tok.i:
                objs = [o for o in c.children if o.dep_ in ("pobj", "pcomp")]
                if objs:
                    return _span_chars(doc, objs[0].left_edge.i, _clause_end(tok, objs[0])), "prep", objs[0].i
    if "obj" in frames:
        for c in kids:
            if c.dep_ == "dobj" and c.i > tok.i:
                return _span_chars(doc, c.left_edge.i, _clause_end(tok, c)), "obj", c.i
    return None, "quote", None


def _cut_conj(c: Token, b: int) -> int:
    """"She said she has no plans to change her vote and would not identify ...": a subjectless verb
    conjoined to the content, or one that is itself a cue, belongs to the speaker's sentence."""
    for k in c.children:
        vs = verb_sense(k) if k.dep_ == "conj" and k.i > c.i and k.pos_ in ("VERB", "AUX") else None
        if vs is not None and "quote" in vs[0].frames:
            j = k.left_edge.i
            while j - 1 > c.i and c.doc[j - 1].dep_ in ("cc", "punct"):
                j -= 1
            return min(b, j)
    return b


def _infinitive(c: Token) -> bool:
    return any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)


def _passive(tok: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)


def _raised(doc: Doc, tok: Token, kids: list[Token]) -> _Found | None:
    """"The hotel would appear to have ...", "Trump is expected to attend": the whole clause is what is
    believed or reported (by nobody named). Not when the infinitive is itself a cue ("seems to feel that")."""
    xc = next((c for c in kids if c.dep_ == "xcomp" and c.i > tok.i), None)
    if xc is None or verb_sense(xc) is not None:
        return None
    subj = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i), None)
    a = subj.left_edge.i if subj is not None else tok.i
    return _span_chars(doc, a, _clause_end(tok, xc)), "raise", xc.i


def _clause_end(tok: Token, first: Token) -> int:
    """End of the content that starts with `first`: the rest of the cue's clause ("denied the report in an
    interview", "urged Trump to release the tapes"), up to a comma, dash or conjunction of the cue's own."""
    end = tok.right_edge.i + 1
    for c in tok.children:
        if c.i <= first.i:
            continue
        if c.dep_ in ("punct", "cc", "conj", "parataxis", "advcl", "ccomp", "mark") or c.is_quote:
            end = min(end, c.left_edge.i)
            break
    return max(end, first.right_edge.i + 1)


def _late_that(doc: Doc, tok: Token, cue_end: int) -> _Found | None:
    """"told allies earlier during the day that ...": a that-clause the parser hung elsewhere (a relative
    clause of a nearby noun), right after the cue's object and adverbials."""
    for i in range(cue_end, min(cue_end + 10, len(doc))):
        t = doc[i]
        if t.is_sent_start:
            return None
        if t.lower_ == "that" and t.dep_ in ("mark", "advmod") and t.head.i > t.i:
            head = t.head
            if head.dep_ == "relcl" and any(c.dep_ in _SUBJ for c in head.children if c.i > t.i):
                span = _span_chars(doc, t.i, head.right_edge.i + 1)
                return (span, "that", head.i) if span else None
            return None
        if t.pos_ in ("VERB", "AUX") or t.text in (".", ";", ":") or t.is_quote:
            return None
    return None


def _inverted(doc: Doc, tok: Token) -> _Found | None:
    """The cue hangs off the clause it reports, set apart by commas: "The talks failed, he said.",
    "Mrs. Clinton, analysts said, has other reasons", "Rubio says, win or lose, he's staying",
    "As Crane said, the two have become ...". The content is that clause without the cue's words."""
    head = tok.head
    if head.i == tok.i or tok.dep_ not in ("parataxis", "ccomp", "advcl"):
        return None
    a, b = _subtree(tok)
    ha, hb = _subtree(head)
    if head.i > tok.i:
        as_clause = any(c.dep_ == "mark" and c.lower_ == "as" for c in tok.children)
        if not as_clause and (tok.dep_ != "parataxis" or not _has_subject(tok)):
            return None
        if not as_clause and not _set_off(doc, a, b, tok, "right"):
            return None
        span = _span_chars(doc, b, hb) if a <= ha else _span_chars(doc, ha, hb)
        return (span, "inverted", head.i) if span else None
    if not _has_subject(tok) or not _set_off(doc, a, b, tok, "left"):
        return None
    if any(c.dep_ == "mark" for c in tok.children):
        return None  # "said that X promised ...": a complement, not a parenthetical
    if head.dep_ not in ("ROOT", "ccomp", "conj", "parataxis"):
        return None
    end = hb if hb > b else a
    span = _span_chars(doc, ha, end)
    return (span, "inverted", head.i) if span else None


def _has_subject(tok: Token) -> bool:
    return any(c.dep_ in _SUBJ for c in tok.children)


def _set_off(doc: Doc, a: int, b: int, tok: Token, side: str) -> bool:
    """Is the cue's phrase [a, b) set off by a comma, dash or quotation mark on that side?"""
    while a < tok.i and doc[a].is_punct and not doc[a].is_quote:
        a += 1  # the cue's subtree may hold its own commas
    while b - 1 > tok.i and doc[b - 1].is_punct and not doc[b - 1].is_quote:
        b -= 1
    marks = (",", "—", "–", "--", ":")
    before = doc[a - 1] if a > 0 else None
    after = doc[b] if b < len(doc) else None
    t = before if side == "left" else after
    return t is not None and (t.text in marks or t.is_quote)


def _according(doc: Doc, tok: Token, lex: Lexicon) -> Attribution | None:
    """"According to X, ..." and its kin: the source is the phrase's object, the content the clause."""
    for words, sense in lex.phrases.items():
        if tok.lower_ != words[0] or tok.i + len(words) > len(doc):
            continue
        if tuple(t.lower_ for t in doc[tok.i : tok.i + len(words)]) != words:
            continue
        last = doc[tok.i + len(words) - 1]
        objs = [o for o in last.children if o.dep_ == "pobj"] or [
            o for o in doc[tok.i + len(words) : tok.i + len(words) + 6] if o.dep_ == "pobj"]
        if not objs:
            return None
        src = objs[0]
        head = tok.head
        while head.dep_ in ("prep", "pobj", "pcomp") and head.head.i != head.i:
            head = head.head
        pa, pb = _subtree(tok)
        pb = max(pb, _subtree(src)[1])
        ha, hb = _subtree(head)
        if ha >= pa and hb <= pb:  # the phrase is the whole clause: nothing attributed
            return None
        if pa <= ha:
            span = _span_chars(doc, pb, hb)
        elif pb >= hb or not any(t.pos_ in ("VERB", "AUX") for t in doc[pb:hb]):
            span = _span_chars(doc, ha, pa)  # "..., according to a review by X in May."
        else:
            span = _span_chars(doc, ha, hb)
        if span is None:
            return None
        return Attribution((tok.i, tok.i + len(words)), src.i, span, "source", sense, content_root=head.i)
    return None


def _noun_cue(doc: Doc, tok: Token, sense: CueSense) -> Attribution | None:
    """"Her claim that ...", "his support for X", "made the decision to ...": the content of a cue noun,
    attributed to its possessor, its "by" agent, or the subject of the verb it is the object of."""
    content: Token | None = None
    frame = "noun"
    preps = sense.preps
    for c in tok.children:
        if c.i <= tok.i:
            continue
        if c.dep_ in ("acl", "ccomp", "relcl"):
            first = doc[c.left_edge.i]
            if (first.lower_ == "that" and first.dep_ == "mark" and "that" in sense.frames) or (
                    "to" in sense.frames and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)):
                content = c
                break
        if c.dep_ == "prep" and c.lower_ in preps:
            objs = [o for o in c.children if o.dep_ in ("pobj", "pcomp")]
            if objs:
                content = objs[0]
                break
    if content is None:
        return None
    src = next((c for c in tok.children if c.dep_ == "poss"), None)
    if src is None:
        agent = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        src = next((o for o in agent.children if o.dep_ == "pobj"), None) if agent is not None else None
    if src is None and tok.dep_ == "dobj" and _is_verb(tok.head):
        s, _, _ = _source(tok.head)
        src = doc[s] if s is not None else None
    if src is None:
        return None
    span = _span_chars(doc, *_subtree(content))
    if span is None:
        return None
    return Attribution((tok.i, tok.i + 1), src.i, span, frame, sense, content_root=content.i)


def _clip_line(text: str, span: tuple[int, int] | None, lo: int, hi: int) -> tuple[int, int] | None:
    """Keep parse-given content inside the cue's paragraph: a headline without a full stop is parsed
    into the next sentence, but no attribution reaches across a line break."""
    if span is None:
        return None
    s, e = max(span[0], lo), min(span[1], hi)
    while s < e and (text[s].isspace() or text[s] in ",;:—–-"):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in ",;:—–-"):
        e -= 1
    return (s, e) if e > s else None


def find_attributions(doc: Doc, skip: bytearray, lex: Lexicon = LEXICON) -> list[Attribution]:
    """Every cue of the document outside the tokens marked in `skip` (inside quotes, excluded text).

    Tokens are screened on their hashed lower form and lemma first (one array read), so only the few
    that may be cues become Token objects."""
    out: list[Attribution] = []
    text = doc.text
    keys = doc.to_array([LOWER, LEMMA]).tolist() if len(doc) else []
    maybe = lex.hashes
    for i, (low_h, lem_h) in enumerate(keys):
        if skip[i] or (low_h not in maybe and lem_h not in maybe):
            continue
        tok = doc[i]
        low = tok.lower_
        a = None
        if low in lex.phrase_starts:
            a = _according(doc, tok, lex)
        if a is None:
            vs = verb_sense(tok, lex)
            if vs is not None:
                sense, cue_end = vs
                src, rel, _ = _source(tok)
                span, frame, root = _content(doc, tok, sense, cue_end)
                if frame == "raise":  # the raised subject is not the source; a passive's agent is
                    src, rel = _agent(tok), None
                a = Attribution((tok.i, cue_end), src, span, frame, sense, rel=rel, content_root=root)
            elif tok.pos_ == "NOUN" and (ns := lex.nouns.get(tok.lemma_.lower())) is not None:
                a = _noun_cue(doc, tok, ns)
        if a is None:
            continue
        lo = text.rfind("\n", 0, tok.idx) + 1
        hi = text.find("\n", tok.idx)
        hi = len(text) if hi < 0 else hi
        a.content = _clip_line(text, a.content, lo, hi)
        if a.source is not None and not lo <= doc[a.source].idx < hi:
            a.source = a.rel = None
        if a.source is None and a.content is None:
            continue
        out.append(a)
    return out
