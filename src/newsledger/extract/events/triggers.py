"""Event triggers: the words of a sentence that match a row of plover.tsv in their frame.

A row's frame constrains the word's dependents (object, particle, preposition, modifier, subject,
clausal complement; PLOVER.md lists them). Words inside names, adjectival participles and nouns that
the parse does not make an act are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from newsledger.extract.entities.lexicon import ENTITY_LABELS
from newsledger.extract.events.arguments import is_agentive_word, quantity_head
from newsledger.extract.events.grammar import climb, governing_prep, noun_governor
from newsledger.extract.events.lexicon import LEXICON, Entry, Frame

_NAME_LABELS = ENTITY_LABELS - {"NORP"}  # a token inside a name ("Liberation" in "PLO") is no trigger
_CURRENCY = {"$", "€", "£", "¥", "US$", "C$", "A$"}
_BIG_NUMBER = re.compile(r"^\d[\d.,]*(?:bn|m|mn|k)$", re.IGNORECASE)  # "1.2bn", "500m"
_ACT_PREPS = {"in", "into", "to", "with", "under", "from", "agent", "by"}
_FOR_VERBS = {"fly", "arrive", "travel", "go", "come", "head", "leave", "depart", "return", "gather",
              "assemble", "convene", "meet", "sit"}  # "flew to Cairo for talks"
_ON_VERBS = {"go", "put", "place", "be", "remain", "stay", "continue", "keep", "embark"}


@dataclass(slots=True)
class Cand:
    tok: Token
    entry: Entry
    category: str
    mode: str | None
    keys: list[int]  # trigger tokens (verb, particle, light-verb noun, modifier)
    light: Token | None = None  # the frame's object noun ("imposed sanctions"): part of the trigger
    inner: list[Cand] = field(default_factory=list)  # absorbed complement events
    dropped: bool = False
    background: bool = False  # in another event's relative or adverbial clause ("after Putin threatened")
    coord: Cand | None = None  # the event whose clause this one's is coordinated with

    @property
    def nominal(self) -> bool:
        return self.entry.pos == "N"


def word_forms(tok: Token) -> set[str]:
    return {tok.lemma_.lower(), tok.lower_}


def _obj_nouns(tok: Token, passive: bool) -> list[Token]:
    """The objects a frame's obj= constraint looks at: direct object (passive subject), the subject of
    a clausal complement ("allowed inspectors to return"); for nouns their 'of' object and compounds."""
    deps = ("dobj", "oprd", "attr") + (("nsubjpass",) if passive else ())
    if tok.pos_ in ("NOUN", "PROPN"):
        out = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children
               if p.dep_ == "pobj"]
        return out + [c for c in tok.children if c.dep_ == "compound"]
    out = [c for c in tok.children if c.dep_ in deps]
    out += [s for c in tok.children if c.dep_ in ("ccomp", "xcomp") for s in c.children if s.dep_ == "nsubj"]
    return out


def _is_money(t: Token) -> bool:
    if t.ent_type_ == "MONEY" or t.text in _CURRENCY:
        return True
    return bool(_BIG_NUMBER.match(t.text)) or (t.like_num and any(c.text in _CURRENCY for c in t.children))


def _obj_words(n: Token) -> set[str]:
    """Words standing for an object: its head, compounds, 'of' object, conjuncts ("helicopters and
    military equipment"), and through quantities ("200 tons of rice")."""
    words: set[str] = set()
    for m in (n, quantity_head(n), *(c for c in n.children if c.dep_ == "conj")):
        words |= word_forms(m)
        if _is_money(m):  # "will give Ukraine €1.2bn"
            words.add("money")
        if m.dep_ == "conj":
            continue
        for c in m.children:
            if c.dep_ in ("compound",) or (c.dep_ == "prep" and c.lower_ == "of"):
                words |= word_forms(c)
                words |= {w for p in c.children if p.dep_ == "pobj" for w in word_forms(p)}
    return words


def is_complement(c: Token) -> bool:
    """A clausal complement: "threatened to cut", "demanded that X leave", "undertaken to deploy"
    (which the parser sometimes attaches as an infinitival adverbial clause)."""
    if c.dep_ in ("xcomp", "ccomp"):
        return True
    return c.dep_ == "advcl" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)


def _obligation(c: Token) -> bool:
    """A reported clause laying an obligation on a third party: "(said) the US must stop ...". Not on
    the speaker ("we must", "it must") - that is a statement of intent, not a demand."""
    if c.dep_ != "ccomp" or not any(a.dep_ == "aux" and a.lower_ in ("must", "should", "ought")
                                    for a in c.children):
        return False
    subj = next((s for s in c.children if s.dep_ in ("nsubj", "nsubjpass")), None)
    return subj is not None and (subj.pos_ != "PRON" or subj.lower_ in ("they", "you"))


def _is_modifier(c: Token) -> bool:
    """A word qualifying the trigger: "hunger strike", "sexually abused", "found X guilty"."""
    if c.dep_ in ("compound", "amod", "advmod", "npadvmod", "nmod", "oprd", "acomp"):
        return True
    return c.dep_ in ("ccomp", "xcomp") and c.pos_ == "ADJ"


def _check(frame: Frame, tok: Token) -> tuple[list[int], Token | None] | None:
    """Does `tok` meet the frame? The extra trigger tokens and the light-verb noun if so."""
    keys = [tok.i]
    light: Token | None = None
    kids = list(tok.children)
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in kids)
    if frame.obj is not None:
        objs = _obj_nouns(tok, passive)
        if "*" in frame.obj:
            if not objs:
                return None
        else:
            hit = next((o for o in objs if _obj_words(o) & frame.obj), None)
            if hit is None:
                return None
            light = hit
            # the amount ("give Ukraine €1.2bn") or a passive subject is no part of the trigger words
            if not _is_money(hit) and hit.i > tok.i:
                keys.append(hit.i)
    if frame.of is not None:
        hit = next((p for c in kids if c.dep_ == "prep" and c.lower_ == "of" for p in c.children
                    if p.dep_ == "pobj" and word_forms(p) & frame.of), None)
        if hit is None:
            return None
        keys.append(hit.i)
    if frame.prt is not None:
        hit = next((c for c in kids if c.dep_ in ("prt", "advmod", "prep") and c.lower_ in frame.prt
                    and c.i > tok.i), None)
        if hit is None:
            return None
        keys.append(hit.i)
    if frame.prep is not None:
        preps = [c for c in kids if c.dep_ in ("prep", "agent", "dative") and c.lower_ in frame.prep]
        if frame.pobj is not None:
            preps = [c for c in preps if any(p.dep_ in ("pobj", "pcomp") and _obj_words(p) & frame.pobj
                                             for p in c.children)]
        if not preps:
            return None
    if frame.mod is not None:
        hit = next((c for c in kids if _is_modifier(c) and word_forms(c) & frame.mod), None)
        if hit is None:
            return None
        keys.append(hit.i)
    if frame.subj is not None:
        subj = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return None
        if "*" not in frame.subj:
            subj = quantity_head(subj)
            words = word_forms(subj) | {w for c in subj.children if c.dep_ in ("compound", "amod")
                                    for w in word_forms(c)}
            if not words & frame.subj:
                return None
    if frame.xcomp is not None and not any(is_complement(c) and word_forms(c) & frame.xcomp for c in kids):
        return None
    if frame.comp and not any(is_complement(c) for c in kids):
        return None
    if frame.must and not any(_obligation(c) for c in kids):
        return None
    if frame.nocomp and any(c.dep_ == "ccomp" for c in kids):
        return None
    if frame.bare and not any(c.dep_ == "ccomp" and c.tag_ == "VB"
                              and not any(a.dep_ == "aux" for a in c.children) for c in kids):
        return None
    if frame.neg and not any(c.dep_ == "neg" for c in kids):
        return None
    if frame.pred and not any(c.dep_ == "oprd" for c in kids):
        return None
    if frame.attr and tok.dep_ not in ("attr", "oprd", "acomp"):
        return None
    return keys, light


def _pos_classes(tok: Token) -> tuple[str, ...]:
    if tok.pos_ == "VERB":
        return ("A", "V") if tok.dep_ in ("acomp",) else ("V",)
    if tok.pos_ in ("NOUN", "PROPN"):
        return ("N",)
    if tok.pos_ == "ADJ":
        return ("A", "V")
    return ()


def _lemma_keys(tok: Token, pos: str) -> list[str]:
    low = tok.lower_
    keys = [tok.lemma_.lower(), low]
    if pos != "V":  # a mis-lemmatised verb ("staged" -> "stag"); nouns are left alone ("refugees")
        return keys
    for suf, add in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("es", ""), ("s", "")):
        if low.endswith(suf) and len(low) > len(suf) + 2:
            keys.append(low[: -len(suf)] + add)
    return list(dict.fromkeys(keys))


def match(tok: Token) -> tuple[Entry, list[int], Token | None] | None:
    """The first lexicon row whose frame `tok` meets, with its trigger tokens and light-verb noun."""
    for pos in _pos_classes(tok):
        for key in _lemma_keys(tok, pos):
            entries = LEXICON.get((key, pos))
            if not entries:
                continue
            for e in entries:
                res = _check(e.frame, tok)
                if res is not None:
                    return e, res[0], res[1]
            break
    return None


def _licensed_noun(tok: Token) -> bool:
    """A noun is an event only where the parse makes it an act: argument of a verb ("held talks"),
    under a verb's preposition that introduces acts ("engaged in cleansing", "came under attack"), or
    with its own actor ("Israel's withdrawal") - but not the topic or setting of another act ("voted
    on the funding", "at a meeting", "alongside its commitments")."""
    t = tok
    while t.dep_ == "conj" and t.head != t:
        t = t.head
    t = climb(t)  # "the next series of sanctions", "31 million dollars in aid"
    if t.dep_ == "nsubj" and t.head.pos_ == "AUX":  # "a strike would be the first ...": a description
        return False
    if t.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "nsubj", "dative", "appos"):
        return True
    if t.dep_ == "pobj" and t.head.dep_ in ("prep", "agent"):
        gov, _ = noun_governor(t)
        prep = governing_prep(t)
        if gov is not None and prep is not None:
            word, lem = prep.lower_, gov.lemma_.lower()
            return word in _ACT_PREPS or (word == "on" and lem in _ON_VERBS) or (
                word == "for" and lem in _FOR_VERBS)
    return any((c.dep_ == "poss" and is_agentive_word(c)) or (c.dep_ == "prep" and c.lower_ == "by")
               for c in tok.children)


def _skip(tok: Token) -> bool:
    if tok.ent_type_ in _NAME_LABELS and tok.pos_ == "PROPN":
        return True
    if tok.pos_ in ("VERB", "ADJ") and tok.dep_ in ("amod", "compound"):
        return True  # "armed groups", "the besieged town"
    if tok.pos_ == "VERB" and tok.tag_ == "VBN" and tok.dep_ == "acl":
        return True  # "troops deployed in ...": a description, not a reported act
    return tok.pos_ in ("NOUN", "PROPN") and (tok.dep_ in ("compound", "npadvmod") or not _licensed_noun(tok))


def candidates(sent: Span) -> list[Cand]:
    out = []
    for tok in sent:
        if _skip(tok):
            continue
        m = match(tok)
        if m is None or m[0].category is None:
            continue
        entry, keys, light = m
        out.append(Cand(tok, entry, entry.category or "", entry.mode, keys, light))
    return out
