"""Event participants: the noun phrase a dependency points at, turned into a Ref resolved to an entity.

A capital or seat of power stands for its country's government ("Moscow" -> Russia); a pronoun
takes the speaker of the clause reporting it, or the nearest fitting entity before it; a noun that
names someone else's proposal ("North Korea's demand") points at its author.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newsledger.extract.entities.lexicon import COUNTRY_NAME, DEMONYM, TITLES
from newsledger.extract.events.lexicon import CAPITALS, FRAMES
from newsledger.model import Entity, Quote, Ref

_NUMERIC_ENT = {"MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "DATE", "TIME"}
_ACTOR_ENT = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "who", "which", "that", "you",
             "his", "her", "their", "its", "our", "my"}
_POSSESSIVE = {"his": "he", "her": "she", "their": "they", "its": "it", "our": "we", "my": "i"}
_RELATIVE = {"who", "which", "that", "whom"}
_QUANTITY = {
    "thousand", "thousands", "hundred", "hundreds", "dozen", "dozens", "scores", "score", "number", "group",
    "some", "many", "most", "all", "part", "rest", "tens", "millions", "million", "one", "two", "three",
    "several", "few", "majority", "handful", "patch", "batch", "contingent", "series", "round", "wave",
    "package", "set", "first", "deployment", "ton", "tonne", "kilogram", "barrel", "shipment", "consignment",
    "load", "truckload", "amount", "quantity", "third", "half", "quarter",
}
_GOVT_HEADS = {"government", "authorities", "authority", "regime", "leadership", "administration",
               "officials"}
_NP_KEEP_PREPS = {"of", "in", "from", "throughout", "at", "within"}
_ROLE_WORDS = frozenset(form.split()[-1] for form, (kind, _r, _g) in TITLES.items() if kind == "role")


@dataclass(slots=True)
class EntityIndex:
    """Which entity (and which of its mentions) covers each token of the document."""

    by_token: dict[int, tuple[Entity, int, int]]  # token index -> (entity, mention start, mention end)
    by_country: dict[str, Entity]  # canonical country name -> the entity standing for it

    @classmethod
    def build(cls, doc: Doc, entities: tuple[Entity, ...]) -> EntityIndex:
        by_token: dict[int, tuple[Entity, int, int]] = {}
        by_country: dict[str, Entity] = {}
        for e in entities:
            if e.type in ("GPE", "LOC", "NORP") and e.name in COUNTRY_NAME.values():
                by_country.setdefault(e.name, e)
            for m in e.mentions:
                span = doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is None:
                    continue
                for t in span:
                    by_token.setdefault(t.i, (e, m.start, m.end))
        return cls(by_token, by_country)


def is_agentive(tok: Token, index: EntityIndex) -> bool:
    """Can this noun phrase head act? Names, pronouns, roles and agent nouns can; "funding" cannot."""
    return tok.i in index.by_token or is_agentive_word(tok)


def is_agentive_word(tok: Token) -> bool:
    """is_agentive without the entity index: the parse, the NER label and the agent lexicons."""
    if tok.lower_ in _PRONOUNS and tok.pos_ == "PRON":
        return True
    if tok.ent_type_ in _ACTOR_ENT or tok.pos_ == "PROPN":
        return True
    lem = tok.lemma_.lower()
    if lem in FRAMES.agent or tok.lower_ in FRAMES.agent or lem in _ROLE_WORDS:
        return True
    if tok.text in DEMONYM:  # "the Palestinians", "Serbs"
        return True
    if tok.pos_ == "NUM" or lem in _QUANTITY:  # "26 of Ukraine allies", "thousands of students"
        return any(c.dep_ == "prep" and c.lower_ == "of" and any(is_agentive_word(p) for p in c.children
                                                                   if p.dep_ == "pobj") for c in tok.children)
    return False


def is_thing(tok: Token) -> bool:
    """A subject that cannot act: money, shares, plans, documents ("another third of funding")."""
    if is_agentive_word(tok):
        return False
    if tok.ent_type_ in _NUMERIC_ENT or tok.like_num:
        return True
    if tok.lemma_.lower() in _QUANTITY:
        inner = quantity_head(tok)
        return inner == tok or is_thing(inner)
    return tok.lemma_.lower() in FRAMES.thing or tok.lower_ in FRAMES.thing


def quantity_head(tok: Token) -> Token:
    """'thousands of refugees' -> refugees; 'two of its nationals' -> nationals (for targets)."""
    for _ in range(3):
        if not (tok.pos_ == "NUM" or tok.lemma_.lower() in _QUANTITY):
            break
        nxt = next((p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                    for p in c.children if p.dep_ == "pobj"), None)
        if nxt is None:
            break
        tok = nxt
    return tok


def np_tokens(head: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase headed by `head`: its modifiers and 'of'/'in' phrases,
    without determiners at the edge, relative clauses, appositions, coordination or comma-separated tails."""
    keep = {head.i}
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in ("relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "parataxis", "case"):
                continue
            if c.dep_ == "prep":
                if c.i < head.i or c.lower_ not in _NP_KEEP_PREPS or (t != head and t.dep_ != "pobj"):
                    continue
                if any(head.doc[k].text == "," for k in range(head.i, c.i)):
                    continue
                if c.lower_ != "of" and not any(p.pos_ == "PROPN" and p.ent_type_ not in _NUMERIC_ENT
                                                for p in c.subtree):
                    continue
            keep.add(c.i)
            stack.append(c)
    lo, hi = min(keep), max(keep) + 1
    doc = head.doc
    # a phrase ends at a line break: a headline's last noun does not run into the junk lines below it
    hi = next((k for k in range(head.i + 1, hi) if doc[k].is_space), hi)
    lo = next((k + 1 for k in range(head.i - 1, lo - 1, -1) if doc[k].is_space), lo)
    while lo < head.i and (doc[lo].pos_ in ("DET", "PUNCT") or doc[lo].dep_ in ("det", "case")):
        lo += 1
    while hi - 1 > head.i and doc[hi - 1].pos_ == "PUNCT" and doc[hi - 1].text not in (")",):
        hi -= 1
    # keep brackets balanced: "Azadliq (Freedom) coalition" yes, "Front (FIS" no
    while hi - 1 > head.i and doc[lo:hi].text.count("(") != doc[lo:hi].text.count(")"):
        hi -= 1
    return lo, hi


def _entity_for(doc: Doc, head: Token, lo: int, hi: int, index: EntityIndex) -> tuple[Entity | None, bool]:
    """(entity, covers_head): the entity of the head, else of a modifier or 'of' phrase inside the NP
    ("Israeli soldiers", "Russia's army", "the forces of Moscow" -> Russia)."""
    hit = index.by_token.get(head.i)
    if hit is not None:
        return hit[0], True
    for c in head.children:  # "Ukraine's deputy energy minister, Oksana Levchenko,"
        if c.dep_ == "appos" and c.i in index.by_token and index.by_token[c.i][0].type == "PERSON":
            return index.by_token[c.i][0], True
    if head.lemma_.lower() in FRAMES.relational:  # "Ukraine's allies" are not Ukraine
        return None, False
    mods = [c for c in head.children if c.dep_ in ("compound", "amod", "poss", "nmod") and lo <= c.i < hi]
    quantity = head.pos_ == "NUM" or head.lemma_.lower() in _QUANTITY
    if not quantity:
        mods += [p for c in head.children if c.dep_ == "prep" and c.lower_ == "of" and lo <= c.i < hi
                 for p in c.children if p.dep_ == "pobj" and p.lemma_.lower() not in FRAMES.relational]
    for c in mods:
        for k in range(c.left_edge.i, c.i + 1):
            if k in index.by_token:
                ent = index.by_token[k][0]
                country = CAPITALS.get(ent.name)
                return (index.by_country.get(country, ent) if country else ent), False
    if quantity:  # "26 of Ukraine allies", "thousands of Kurds"
        inner = quantity_head(head)
        if inner != head and lo <= inner.i < hi:
            return _entity_for(doc, inner, lo, hi, index)
    return None, False


def _capital(doc: Doc, head: Token, lo: int, hi: int) -> str | None:
    """The country a capital or seat of power in this NP stands for ('Moscow', 'the Khartoum government')."""
    words = [t for t in doc[lo:hi] if t.lower_ != "the"]
    text = " ".join(t.text for t in words)
    if text in CAPITALS:
        return CAPITALS[text]
    if head.lower_ in _GOVT_HEADS:
        mods = " ".join(t.text for t in words if t.i != head.i and t.dep_ in ("compound", "nmod", "amod"))
        return CAPITALS.get(mods)
    return None


def make_ref(doc: Doc, head: Token, index: EntityIndex, text: str) -> Ref:
    """A Ref for the noun phrase headed by `head` (offsets into the article text)."""
    lo, hi = np_tokens(head)
    start, end = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)
    country = _capital(doc, head, lo, hi)
    if country is not None:
        ent = index.by_country.get(country)
        return Ref(ent.id if ent else None, country, start, end)
    ent, covers = _entity_for(doc, head, lo, hi, index)
    if ent is not None and covers:
        return Ref(ent.id, ent.name, start, end)
    return Ref(ent.id if ent else None, text[start:end], start, end)


def pronoun_ref(doc: Doc, tok: Token, index: EntityIndex, text: str, speaker: Ref | None,
                antecedent: Token | None) -> Ref | None:
    """A Ref for a pronoun actor: the entity covering it, the speaker for I/we in a quote, the reporting
    clause's subject (`antecedent`), else the nearest fitting entity mention before it."""
    start, end = tok.idx, tok.idx + len(tok.text)
    hit = index.by_token.get(tok.i)
    if hit is not None:
        return Ref(hit[0].id, hit[0].name, start, end)
    low = _POSSESSIVE.get(tok.lower_, tok.lower_)
    if low in ("i", "we") and speaker is not None:
        return Ref(speaker.entity, speaker.name, start, end)
    if antecedent is not None and antecedent.lower_ not in _PRONOUNS:
        person = antecedent.i in index.by_token and index.by_token[antecedent.i][0].type == "PERSON"
        if (low in ("he", "she") and not (person or antecedent.lemma_.lower() in _ROLE_WORDS
                                         or antecedent.pos_ == "PROPN")) or (low in ("it",) and person):
            antecedent = None
        if antecedent is not None:
            ref = make_ref(doc, antecedent, index, text)
            return Ref(ref.entity, ref.name, start, end)
    want = {"he": ("PERSON",), "she": ("PERSON",), "it": ("ORG", "GPE"), "they": ("ORG", "GPE", "NORP")}
    types = want.get(low)
    if types is None:
        return None
    sent_start = tok.sent.start
    prev = doc[sent_start - 1].sent.start if sent_start > 0 else sent_start
    for k in range(tok.i - 1, prev - 1, -1):
        hit = index.by_token.get(k)
        if hit is not None and hit[0].type in types:
            return Ref(hit[0].id, hit[0].name, start, end)
    return None


def speaker_of_quote(quotes: tuple[Quote, ...], pos: int) -> Quote | None:
    """The innermost quote whose span contains character offset `pos`."""
    best: Quote | None = None
    for q in quotes:
        if q.start <= pos < q.end and (best is None or q.end - q.start < best.end - best.start):
            best = q
    return best


def in_span(tok: Token, span: Span) -> bool:
    return span.start <= tok.i < span.end
