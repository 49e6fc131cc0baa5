"""Quotes as events: criticism, demands, threats, promises and endorsements said in a quote are acts of
their speaker ("“It's gutless leadership,” Warren said" is an ACCUSE by Warren).

Every quote with a speaker becomes a proposal with no category of its own: the event model reads its
words (the cue, the content's lemmas, who is named in it) and says whether it is an act and which
one. A quote whose cue is already an event trigger ("accused Russia of hacking") is left to that
event. The trigger is the cue ("said"), the actor the quote's speaker, the target the first party the
content names other than the speaker; the record points to the quote.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from newsledger.model import Entity, Event, Quote, Ref
from newsledger.model import Span as TextSpan

QUOTE_CATEGORY = "QUOTE"  # the proposal's placeholder category: the model names the real one
_PARTY_TYPES = {"PERSON", "ORG", "GPE", "NORP"}
_KEEP_FUNCTION = {"not", "never", "no", "should", "must", "will", "would", "can", "could", "need", "have",
                  "you", "we", "i", "they", "he", "she", "if", "why", "?", "!"}
_CONTENT_POS = {"NOUN", "VERB", "ADJ", "ADV", "PROPN", "INTJ"}


def _sentence_of(doc: Doc, start: int) -> Span | None:
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    return span[0].sent if span is not None and len(span) else None


def _content_tokens(doc: Doc, q: Quote) -> list[Token]:
    span = doc.char_span(q.start, q.end, alignment_mode="expand")
    return list(span) if span is not None else []


def _target(q: Quote, entities: tuple[Entity, ...]) -> Ref | None:
    """The first party named inside the quote that is not its speaker."""
    speaker = q.speaker.entity if q.speaker else None
    best: Ref | None = None
    for e in entities:
        if e.type not in _PARTY_TYPES or e.id == speaker:
            continue
        for m in e.mentions:
            if q.start <= m.start and m.end <= q.end and (best is None or m.start < best.start):
                best = Ref(e.id, e.name, m.start, m.end)
    return best


def quote_features(q: Quote, tokens: list[Token], cue: Token | None, target: Ref | None,
                   actor_type: str | None, target_type: str | None) -> tuple[str, ...]:
    f = {"src=quote", f"cat={QUOTE_CATEGORY}", f"q:kind={q.kind}", f"act={actor_type or 'unresolved'}",
         f"tgt={target_type or 'none'}"}
    if cue is not None:
        lem = cue.lemma_.lower()
        f |= {f"q:cue={lem}", f"q:cue|kind={lem}|{q.kind}"}
        for ch in cue.children:
            if ch.dep_ in ("dobj", "dative", "prep", "advmod", "neg", "aux"):
                f.add(f"q:cue_{ch.dep_}={ch.lemma_.lower()}")
    n = 0
    for t in tokens:
        if t.pos_ in _CONTENT_POS or t.lower_ in _KEEP_FUNCTION:
            f.add(f"q:w={t.lemma_.lower() if t.pos_ != 'PROPN' else 'PROPN'}")
            n += 1
        if t.ent_type_ in _PARTY_TYPES:
            f.add(f"q:ent={t.ent_type_}")
    f.add(f"q:len={min(n // 8, 4)}")
    if target is not None:
        f.add("q:names_party")
    return tuple(sorted(f))


def quote_proposals(doc: Doc, quotes: tuple[Quote, ...], entities: tuple[Entity, ...],
                    taken: list[tuple[int, int]]) -> list[tuple[Event, tuple[str, ...]]]:
    """One proposal per attributed quote whose cue is not already an event trigger (`taken` spans)."""
    types = {e.id: e.type for e in entities}
    out: list[tuple[Event, tuple[str, ...]]] = []
    for q in quotes:
        if q.speaker is None or (q.speaker.entity is None and not q.speaker.name[:1].isupper()):
            continue  # nobody identifiable speaks: no act to record
        anchor = q.cue if q.cue is not None else TextSpan(q.start, q.end, q.text)
        if any(a < anchor.end and anchor.start < b for a, b in taken):
            continue
        sent = _sentence_of(doc, anchor.start)
        if sent is None:
            continue
        cue_tok = None
        if q.cue is not None:
            cue_span = doc.char_span(q.cue.start, q.cue.end, alignment_mode="expand")
            cue_tok = cue_span.root if cue_span is not None else None
        target = _target(q, entities)
        feats = quote_features(q, _content_tokens(doc, q), cue_tok, target,
                               types.get(q.speaker.entity) if q.speaker.entity else None,
                               types.get(target.entity) if target and target.entity else None)
        lo, hi = min(sent.start_char, q.start), max(sent.end_char, q.end)
        ev = Event(id="", category=QUOTE_CATEGORY, mode=None, modality="asserted", actor=q.speaker,
                   target=target, trigger=anchor, evidence=(lo, hi), date=q.date, date_basis=q.date_basis,
                   quote=q.id)
        out.append((ev, feats))
    return out
