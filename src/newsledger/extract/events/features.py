"""What the event classifier reads about a proposed event: sparse string features from the rules'
proposal (category, mode, modality), the trigger word and its frame, the parse around it (where the
trigger hangs, its auxiliaries, subject and object), its participants (what kind of thing the actor
and target are) and the sentence (a quote, a question, a condition).

The same function runs at training time (training/events/) and at run time, so a model and the code
that reads it can never disagree about a feature's meaning. Names are short and readable, because
the model file lists them: `lem=attack`, `dep=ROOT`, `act=PERSON`.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from newsledger.extract.events.arguments import is_agentive_word
from newsledger.extract.events.triggers import Cand
from newsledger.model import Event, Ref

_PRONOUN_KINDS = {"i": "I", "we": "we", "you": "you", "he": "3sg", "she": "3sg", "it": "it", "they": "they",
                  "who": "rel", "which": "rel", "that": "rel", "whom": "rel", "whose": "rel"}
_HEDGES = {"if", "whether", "unless", "should", "would", "could", "might", "may", "must", "can"}
_QUESTION = {"?"}


def _kind(tok: Token | None, entity_type: str | None) -> str:
    """What a participant is: an entity type, a pronoun person, a common noun, or nothing."""
    if tok is None:
        return "none"
    low = tok.lower_
    if tok.pos_ == "PRON" or low in _PRONOUN_KINDS:
        return "pron:" + _PRONOUN_KINDS.get(low, "other")
    if entity_type:
        return entity_type
    if tok.ent_type_:
        return "ner:" + tok.ent_type_
    if tok.pos_ == "PROPN":
        return "propn"
    return "agent" if is_agentive_word(tok) else "noun"  # "the junta", "police" vs "many reasons"


def _headline(sent: Span) -> bool:
    """A headline: no closing punctuation and mostly capitalised words."""
    words = [t for t in sent if t.is_alpha]
    if len(words) < 3 or sent[-1].text in (".", "?", "!", "”", '"', "’"):
        return False
    return sum(t.text[:1].isupper() for t in words) >= 0.6 * len(words)


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _clause_head(c: Cand) -> Token:
    """The verb whose clause the event sits in: the trigger, or the verb governing a nominal event."""
    t = c.tok
    for _ in range(3):
        if t.pos_ in ("VERB", "AUX") or t.head == t:
            return t
        t = t.head
    return t


def event_features(c: Cand, ev: Event, actor: Token | None, target: Token | None, sent: Span,
                   actor_type: str | None, target_type: str | None, in_quote: bool,
                   doubts: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The features of one proposed event, sorted and without repeats."""
    tok = c.tok
    lem = _lemma(tok)
    cat, rule_cat = ev.category, c.category
    f = {
        "src=rule", f"cat={cat}", f"rcat={rule_cat}", f"pos={c.entry.pos}", f"lem={lem}",
        f"lem|cat={lem}|{cat}",
        f"mod={ev.modality}", f"mod|cat={ev.modality}|{cat}", f"mode={ev.mode or '-'}",
        f"dep={tok.dep_}", f"tag={tok.tag_}", f"frame={'+' if c.light is not None else '-'}",
        f"act={_kind(actor, actor_type)}", f"tgt={_kind(target, target_type)}",
        f"act|cat={_kind(actor, actor_type)}|{cat}", f"tgt|cat={_kind(target, target_type)}|{cat}",
        f"lem|act={lem}|{_kind(actor, actor_type)}", f"lem|tgt={lem}|{_kind(target, target_type)}",
    }
    if c.light is not None:
        f.add(f"light={_lemma(c.light)}")
        f.add(f"light|cat={_lemma(c.light)}|{cat}")
    for inner in c.inner:
        f.add(f"inner={inner.category}")
        f.add(f"innerlem={_lemma(inner.tok)}")
    if tok.head != tok:
        f.add(f"hlem={_lemma(tok.head)}")
        f.add(f"hdep={tok.head.dep_}")
    if actor is not None:
        f.add(f"actlem={_lemma(actor)}")
        if actor.i > tok.i:
            f.add("act_after")
    if ev.actor is not None and ev.actor.entity is None:
        f.add("act_unresolved")
    if target is not None:
        f.add(f"tgtlem={_lemma(target)}")
    head = _clause_head(c)
    for ch in head.children:
        if ch.dep_ in ("aux", "auxpass", "neg"):
            f.add(f"aux={ch.lower_}")
        elif ch.dep_ == "mark":
            f.add(f"mark={ch.lower_}")
        elif ch.dep_ in ("prep", "agent", "prt"):
            f.add(f"prep={ch.lower_}")
        elif ch.dep_ in ("dobj", "attr", "oprd"):
            f.add(f"obj={_lemma(ch)}")
    if head is not tok:
        f.add(f"clause={_lemma(head)}")
        f.add(f"clausedep={head.dep_}")
    doc = tok.doc
    for k, name in ((-1, "w-1"), (1, "w+1")):
        j = tok.i + k
        if sent.start <= j < sent.end:
            f.add(f"{name}={doc[j].lower_}")
    words = {t.lower_ for t in sent}
    for w in words & _HEDGES:
        f.add(f"s:{w}")
    if words & _QUESTION:
        f.add("s:question")
    for d in doubts:
        f.add(f"doubt={d}")
        f.add(f"doubt|cat={d}|{cat}")
    if not doubts:
        f.add("rules_keep")
    if in_quote:
        f.add("in_quote")
    if ev.quote is not None:
        f.add("reported")
    if tok.i == sent.start or (tok.is_title and tok.i - sent.start < 2):
        f.add("sent_initial")
    if _headline(sent):
        f.add("headline")
    if actor is not None and actor.tag_ in ("NNS", "NNPS") and not any(
            c.dep_ in ("det", "poss", "nummod") for c in actor.children):
        f.add("act_bare_plural")  # "Politicians usually resist…": a generic statement
    return tuple(sorted(f))


_PRONOUN_WORDS = frozenset(_PRONOUN_KINDS) | {"him", "her", "them", "his", "their", "its", "us", "me"}


def actor_features(actor: Ref | None, text: str, mentions: dict[str, int]) -> set[str]:
    """How sure the actor is: named here or reached through a pronoun, and whether its entity is central
    to the article (a pronoun resolved to a name seen once is wrong more often than one to the lead)."""
    if actor is None:
        return {"actor_none"}
    f = set()
    if text[actor.start: actor.end].lower() in _PRONOUN_WORDS:
        f.add("act_pron")
    n = mentions.get(actor.entity, 0) if actor.entity else 0
    if n >= 4:  # a protagonist of the article (how often it is named says nothing in a one-line text)
        f.add("act_central")
    return f
