"""Speakers: the source phrase of an attribution as a Ref — the mention in this attribution, resolved to
an entity when the text allows it.

Names and role nouns the entity stage clustered ("Mr. Carney", "the Prime Minister") resolve through
their mention. "he"/"she" resolve to the most salient earlier person of a compatible gender: in the
same sentence before the pronoun, then up to three sentences back, preferring a person who was a
source of an earlier attribution, then a sentence subject. Names inside quotation marks are passed
over (the narrator's "he" is not someone the speaker talked about). Gender comes from the person's
given name, an honorific or gendered title next to a mention, or an earlier pronoun resolved to them.
Anything else ("a Kremlin spokesperson", "the ministry", "they") stays as written, unresolved.
Pronouns, given names and titles are the document's language's (grammar*.tsv, the entity lexicons):
"il"/"elle", and the clitic of an incise ("a-t-il dit", "répond-elle") with its hyphen.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newsledger.extract.entities.lexicon import EntityLexicon, lex_of
from newsledger.extract.lexicons import Grammar
from newsledger.model import Entity, Mention, Ref

_NP_LEFT = {"det", "poss", "compound", "amod", "nmod", "nummod", "quantmod", "case", "punct"}
_NAME_PARTS = ("compound", "flat", "flat:name")  # ClearNLP and UD labels of a name's other words
_BACK = 3  # sentences searched back for a pronoun's antecedent


_ROLE_TAIL = ("ADP", "DET", "NOUN", "PROPN", "ADJ")  # words that may continue a role's phrase


def _clitic_lead(text: str) -> int:
    """Where the pronoun starts in an inverted clitic token ("-il" → 1, "-t-elle" → 3); 0 otherwise."""
    return text.rfind("-") + 1 if text.startswith("-") else 0


class _Genders:
    """Gender cues of one language, from the entity stage's lexicons (read only): given names, gendered
    titles and honorifics, and the pronouns."""

    def __init__(self, lex: EntityLexicon) -> None:
        grammar: Grammar = lex.grammar
        self.given = {name: g for name, g in lex.given_gender.items() if g in ("m", "f")}
        self.title = {form: g for form, (_, _, g) in lex.titles.items() if g in ("m", "f")}
        self.pronoun = {**dict.fromkeys(grammar["pronoun_m"], "m"),
                        **dict.fromkeys(grammar["pronoun_f"], "f")}
        self.unresolved = grammar["pronoun_unresolved"]


_GENDERS: dict[str, _Genders] = {}


def _genders(doc: Doc) -> _Genders:
    lex = lex_of(doc)
    if lex.lang not in _GENDERS:
        _GENDERS[lex.lang] = _Genders(lex)
    return _GENDERS[lex.lang]


@dataclass(slots=True)
class _Cand:
    start: int  # char start of the mention
    entity: Entity
    sent: int
    rank: int  # 2: source of an attribution, 1: a subject, 0: other


class Speakers:
    """Per-document speaker resolution over the parse and the entity clusters."""

    def __init__(self, doc: Doc, text: str, entities: tuple[Entity, ...], in_quote: bytearray,
                 tok_starts: list[int], sent_of: list[int]) -> None:
        self.doc, self.text, self.in_quote = doc, text, in_quote
        self.g = _genders(doc)
        self.ud = lex_of(doc).grammar.ud
        self.entities = entities
        self.tok_starts = tok_starts  # char offset of each token
        self.sent_of = sent_of  # sentence number of each token
        self.tok_ment: dict[int, tuple[Entity, Mention]] = {}
        self.gender: dict[str, str] = {}
        self._spans: list[tuple[Entity, Mention, int, int]] = []
        for ent in entities:
            if ent.type == "PERSON":
                self.gender[ent.id] = self._gender_of(ent)
            for m in ent.mentions:
                a = bisect_left(self.tok_starts, m.start)
                b = bisect_left(self.tok_starts, m.end)
                for i in range(a, b):
                    self.tok_ment.setdefault(i, (ent, m))
                self._spans.append((ent, m, a, b))
        self.by_sent: dict[int, list[_Cand]] = {}
        self._name_words: set[str] | None = None
        self._by_text: dict[str, set[str]] | None = None

    def rank(self, sources: set[int]) -> None:
        """Salience of each person mention for pronouns: sources of attributions first, then subjects."""
        doc = self.doc
        for ent, m, a, b in self._spans:
            if ent.type != "PERSON" or a >= len(doc) or self.in_quote[a]:
                continue
            head = doc[a:b].root if b > a else doc[a]
            rank = 2 if any(i in sources for i in range(a, b)) else int(
                head.dep_ in ("nsubj", "nsubjpass", "nsubj:pass"))
            self.by_sent.setdefault(self.sent_of[a], []).append(_Cand(m.start, ent, self.sent_of[a], rank))

    def is_name(self, i: int) -> bool:
        """Is token i part of a person's, organisation's or group's name - as a mention, or as a word of
        a name mentioned elsewhere in the text (a headline's "Trump:" the tagger read as a noun)?"""
        hit = self.tok_ment.get(i)
        if hit is not None:
            return hit[0].type in ("PERSON", "ORG", "NORP")
        return self.doc[i].text in self.name_words

    @property
    def name_words(self) -> set[str]:
        if self._name_words is None:
            self._name_words = {w for ent in self.entities if ent.type in ("PERSON", "ORG", "NORP")
                                for m in ent.mentions for w in m.text.split()
                                if w[:1].isupper() and len(w) >= 4}  # not "The", "Mr."
        return self._name_words

    def _gender_of(self, ent: Entity) -> str:
        first = ent.name.split()[0] if ent.name.split() else ""
        if first in self.g.given:
            return self.g.given[first]
        for m in ent.mentions:
            before = self.text[max(0, m.start - 14) : m.start].lower().split()
            if before and before[-1] in self.g.title:
                return self.g.title[before[-1]]
            words = m.text.lower().split()
            if words and words[-1] in self.g.title:  # "the spokeswoman"
                return self.g.title[words[-1]]
        return ""

    # -- refs ------------------------------------------------------------------------------------

    def ref(self, head: int, rel: int | None = None, cue: int | None = None) -> Ref | None:
        """The Ref of the source phrase headed by token `head` (`rel`: a relative pronoun standing for it);
        a phrase before its cue (token `cue`) ends there, whatever the parse hung on it."""
        doc = self.doc
        tok = doc[head]
        if rel is not None:
            r = doc[rel]
            inner = self.ref(head)
            if inner is None:
                return None
            return Ref(inner.entity, inner.name, r.idx, r.idx + len(r.text))
        low = tok.lower_[_clitic_lead(tok.text):]  # (the clitic of "a-t-il")
        if tok.pos_ == "PRON" or low in self.g.pronoun or low in self.g.unresolved:
            return self._pronoun(tok)
        stop = cue if cue is not None and cue > tok.i else len(doc)
        hit = self.tok_ment.get(head)
        if hit is None and self.ud and (named := self._appositive(tok, stop)) is not None:
            # before the name parts of the role's complement: "le porte-parole du collectif Usagers en
            # mouvement, Olivier Nadeau" is Olivier Nadeau, not the collective
            return named
        hit = hit or self._ment_in(tok, stop)
        if hit is not None:
            ent, m = hit
            if cue is not None and m.start < self.tok_starts[cue] < m.end:
                return self._before_cue(m, cue)
            return Ref(ent.id, ent.name, m.start, m.end)
        if not self.ud and (named := self._appositive(tok, stop)) is not None:
            return named
        a, b = self._np(tok, stop)
        return self._by_name(a, b) or Ref(None, self.text[a:b], a, b)

    def _appositive(self, tok: Token, stop: int) -> Ref | None:
        """The person in apposition to a role noun: "Carter's press secretary, Peter Cook"; in a UD parse
        the name may hang from the role's complement ("la présidente de la société, Mme Chantal
        Bérubé"), or elsewhere (`_apposed_name`)."""
        kids = [t for t in tok.subtree if tok.i < t.i < stop] if self.ud else list(tok.children)
        for c in kids:
            if c.dep_ == "appos" and (hit := self._person_at(c.i)) is not None:
                ent, m = hit
                return Ref(ent.id, ent.name, m.start, m.end)
        return self._apposed_name(tok, stop) if self.ud else None

    def _apposed_name(self, tok: Token, stop: int) -> Ref | None:
        """The person named right after a role's phrase, with or without a comma ("la directrice des
        sports, Julie Caron", "le délégué syndical Marc Poulin"): French news names a speaker so, and UD
        parsers often hang the name elsewhere."""
        # from the role noun on: the parser may have hung the name inside the role's own phrase
        end, n = tok.i + 1, min(stop, len(self.doc))
        # the role's complement the parser cut off ("de la mobilité au comité exécutif"), and an
        # adjective it took for a verb modifier ("syndical")
        while end < n and end - tok.i <= 12 and self._person_at(end) is None and (
                self.doc[end].pos_ in _ROLE_TAIL
                or (self.doc[end].pos_ == "VERB" and self.doc[end].dep_ in ("amod", "advmod"))):
            end += 1
        if end < n and self.doc[end].text == ",":
            end += 1
        if end < n and self.doc[end - 1].pos_ == "ADP":
            return None  # "le porte-parole de X": X is whom the role serves, not the speaker
        hit = self._person_at(end) if end < n else None
        if hit is None or hit[1].start != self.doc[end].idx:
            return None
        ent, m = hit
        return Ref(ent.id, ent.name, m.start, m.end)

    def _person_at(self, i: int) -> tuple[Entity, Mention] | None:
        hit = self.tok_ment.get(i)
        return hit if hit is not None and hit[0].type == "PERSON" else None

    def _before_cue(self, m: Mention, cue: int) -> Ref:
        """A name the tagger ran into the cue ("Hillary Clinton Slams Donald Trump" read as one person):
        the mention is the words before the cue, resolved to an entity named so elsewhere in the text."""
        end = self.tok_starts[cue]
        while end > m.start and self.text[end - 1].isspace():
            end -= 1
        return self._by_name(m.start, end) or Ref(None, self.text[m.start : end], m.start, end)

    def _by_name(self, a: int, b: int) -> Ref | None:
        """A source phrase the tagger did not mark as a mention but that is, word for word (case aside:
        a transcript's "PENCE:"), a name the article gives one person or organisation elsewhere, or a
        person's surname ("Trump predicts ...", a title's "Trump:"): that entity. A name two entities
        share ("Clinton" for Hillary and Bill, "Bush") resolves to neither."""
        if self._by_text is None:
            self._by_text = {}
            for ent in self.entities:
                if ent.type in ("PERSON", "ORG", "NORP"):
                    names = {ent.name, *(m.text for m in ent.mentions)}
                    if ent.type == "PERSON" and len(ent.name.split()) > 1:
                        names.add(ent.name.split()[-1])
                    for text in names:
                        self._by_text.setdefault(text, set()).add(ent.id)
                        self._by_text.setdefault(text.upper(), set()).add(ent.id)
        ids = self._by_text.get(self.text[a:b], set())
        if len(ids) != 1:
            return None
        ent = next(e for e in self.entities if e.id in ids)
        return Ref(ent.id, ent.name, a, b)

    def _ment_in(self, tok: Token, stop: int) -> tuple[Entity, Mention] | None:
        """A mention among the head's flat name parts ("Sen." + "Warren" parsed with another head)."""
        for c in tok.children:
            if c.dep_ in _NAME_PARTS and tok.i < c.i < stop and (hit := self.tok_ment.get(c.i)):
                return hit
        return None

    def _np(self, tok: Token, stop: int) -> tuple[int, int]:
        """Char span of the noun phrase headed by tok: its left modifiers and the head."""
        doc = self.doc
        a = tok.i
        for c in tok.children:
            if c.i < tok.i and c.dep_ in _NP_LEFT and c.left_edge.i < a:
                a = c.left_edge.i
        while a < tok.i and (doc[a].is_punct or doc[a].is_space):
            a += 1
        b = tok.i + 1
        for c in tok.children:
            if c.i > tok.i and c.dep_ in _NAME_PARTS and b < c.i + 1 <= stop:
                b = c.i + 1
        return doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)

    def _pronoun(self, tok: Token) -> Ref:
        lead = _clitic_lead(tok.text)  # the mention is "il", not "-il" or "-t-il"
        span = (tok.idx + lead, tok.idx + len(tok.text))
        g = self.g.pronoun.get(tok.lower_[lead:])
        ent = self.antecedent(tok.i, g) if g else None
        if ent is None:
            return Ref(None, tok.text[lead:], *span)
        if not self.gender.get(ent.id):
            self.gender[ent.id] = g or ""  # later "she" will not pick the man "he" meant
        return Ref(ent.id, ent.name, *span)

    def antecedent(self, i: int, gender: str) -> Entity | None:
        """The most salient earlier person of a compatible gender (see the module docstring)."""
        s = self.sent_of[i]
        pos = self.tok_starts[i]
        for k in range(s, max(-1, s - _BACK - 1), -1):
            best: _Cand | None = None
            for c in self.by_sent.get(k, ()):
                if c.start >= pos:
                    continue
                if self.gender.get(c.entity.id, "") not in ("", gender):
                    continue
                if best is None or c.rank > best.rank:
                    best = c
            if best is not None:
                return best.entity
        return None

