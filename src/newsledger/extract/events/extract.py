"""Political events coded in PLOVER categories: who did what to whom, how much, and when.

One linear pass per sentence over the dependency parse:

1. Triggers (triggers.py): verbs, nouns and adjectives whose lemma and frame (object, particle,
   preposition, modifier...) match a row of plover.tsv. PLOVER.md documents the lexicons. Nouns count
   only where the parse makes them an act ("held talks", "engaged in cleansing", "Israel's raids").
2. Nesting and choice: an event in the complement of a verb that governs events ("threatened to
   target", "agreed to lift", "urged X to support") is absorbed into it (frames.tsv, combine).
   An event in another event's object, relative or adverbial clause is background: proposed with that
   doubt, for the model to weigh.
   Of the rest, the events nearest the root are kept, with reporting verbs not counted: in "X said
   Y attacked Z" the attack is the event. Coordinated clauses of the same actor keep their own.
3. Arguments (grammar.py, arguments.py): the actor comes from the subject, the passive agent, the
   controlling verb, or the verb governing a nominal event. The target comes from the object or a
   preposition. Both are resolved to entities: capitals to their country, pronouns to the speaker
   or the nearest fitting entity.
4. Mood: the modality comes from modal auxiliaries, planning and wanting verbs, if-clauses and
   negation. As in PLOVER, a verb in the future, intended or conditional mood codes the intention:
   future cooperation is AGREE, and future coercion is THREATEN.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from newsledger.extract.dating import date_of
from newsledger.extract.events import classifier
from newsledger.extract.events.arguments import (
    EntityIndex,
    is_agentive,
    is_thing,
    make_ref,
    pronoun_ref,
    speaker_of_quote,
)
from newsledger.extract.events.features import actor_features, event_features
from newsledger.extract.events.grammar import (
    agent_of,
    content_author,
    modality,
    noun_governor,
    noun_target,
    reporter,
    subject,
    verb_target,
)
from newsledger.extract.events.lexicon import FRAMES, combine, table_mode
from newsledger.extract.events.speech import QUOTE_CATEGORY, quote_proposals
from newsledger.extract.events.triggers import Cand, candidates, is_complement, match, word_forms
from newsledger.model import Amount, Article, Entity, Event, Quote, Ref, Timex
from newsledger.model import Span as TextSpan

_THING_SUBJECT_OK = {"ASSAULT"}  # "a car bomb exploded", "missiles hit the town"
_SPEECH_ACTS = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "REQUEST", "ACCUSE", "REJECT", "THREATEN"}
_RECIPROCAL = {"CONSULT", "ASSAULT", "COOPERATE", "AGREE"}  # "talks between A and B": A and B both act
_PRONOUN_WORDS = {"he", "she", "they", "it", "we", "i", "who", "which", "that", "his", "her", "their", "its",
                  "our", "my", "whose", "whom", "you", "them", "us", "one"}


# -- 2. nesting ---------------------------------------------------------------------------------------


def _anchor(c: Cand) -> Token:
    """Where an event sits in the clause: a nominal event at the verb it is the object of ("staged
    demonstrations to demand ...": the demand is the demonstrations' purpose, not a separate event)."""
    if c.nominal:
        gov, role = noun_governor(c.tok)
        if gov is not None and role in ("obj", "prep") and gov.lemma_.lower() not in FRAMES.report:
            return gov
    return c.tok


def _depth(tok: Token) -> int:
    """Distance from the sentence root, not counting reporting verbs ("..., officials said")."""
    return sum(1 for a in tok.ancestors if a.lemma_.lower() not in FRAMES.report)


def _absorb(anc: Cand, c: Cand) -> None:
    rule = combine(anc.category, c.category)
    result = anc.category if rule.result == "OUTER" else rule.result
    if rule.mode == "threat":
        mode = table_mode(FRAMES.threat, c.category, c.mode)
    elif rule.mode == "request":
        mode = table_mode(FRAMES.request, c.category, c.mode)
    elif rule.mode == "inner":
        mode = c.mode
    elif rule.mode == "outer":
        mode = anc.mode
    else:
        mode = None if rule.mode == "-" else rule.mode
    anc.inner.append(c)
    anc.category, anc.mode = result, mode


_CLAUSE_LINKS = {"relcl", "advcl", "acl", "ccomp", "xcomp", "parataxis", "appos", "conj", "csubj", "pcomp"}


def _nest(cands: list[Cand]) -> list[Cand]:
    """Absorb complement events into the events governing them and mark background events; events of
    a clause coordinated with a main event are main events too, with a background one background."""
    at: dict[int, Cand] = {c.tok.i: c for c in cands}
    for c in cands:
        at.setdefault(_anchor(c).i, c)
    for c in sorted(cands, key=lambda c: -len(list(c.tok.ancestors))):
        path: list[Token] = []
        t = c.tok
        anc: Cand | None = None
        while t.head != t:
            path.append(t)
            t = t.head
            hit = at.get(t.i)
            if hit is not None and hit is not c:
                anc = hit
                break
        if anc is None:
            continue
        if c.tok.i in anc.keys:  # the noun of a light verb ("held talks"): already part of the event
            c.dropped = True
            continue
        heads = {anc.tok.i, _anchor(anc).i}
        if any(p.dep_ == "conj" and p.pos_ in ("VERB", "AUX") and p.head.i in heads for p in path):
            c.coord = anc  # "rejected a plan, and said they opposed ...": its own event, if anc is one
            continue
        into = path[-1]  # the child of anc on the way up
        deps = {p.dep_ for p in path[:-1]}
        if (anc.entry.frame.comp or anc.entry.frame.must) and (into.dep_ != "advcl" or is_complement(into)) \
                and into.dep_ not in ("relcl", "appos", "parataxis", "acl", "conj") \
                and not deps & {"relcl", "advcl", "appos", "parataxis", "acl"}:
            _absorb(anc, c)
            c.dropped = True
        elif (deps | {into.dep_}) & _CLAUSE_LINKS:
            c.background = True  # its own clause: "…, after Putin threatened …", "who attacked …"
        else:
            c.dropped = True  # a noun in the event's own phrase is its content: "promised $2bn in aid"
    changed = True
    while changed:
        changed = False
        for c in cands:
            if not c.dropped and not c.background and c.coord is not None and (c.coord.dropped
                                                                               or c.coord.background):
                c.background = changed = True
    return [c for c in cands if not c.dropped]


# -- 3/4. arguments, mood, assembly -------------------------------------------------------------------


@dataclass(slots=True)
class Ctx:
    doc: Doc
    article: Article
    text: str
    index: EntityIndex
    quotes: tuple[Quote, ...]
    amounts: tuple[Amount, ...]
    timexes: tuple[Timex, ...]


def _speaker(ctx: Ctx, tok: Token) -> Ref | None:
    """Who voices the clause of `tok`: the quote around it, else the subject of its reporting verb."""
    q = speaker_of_quote(ctx.quotes, tok.idx)
    if q is not None and q.speaker is not None:
        return q.speaker
    rep = reporter(tok)
    if rep is not None:
        s = subject(rep)
        if s is not None:
            return _ref(ctx, s, None)
    return None


def _ref(ctx: Ctx, tok: Token, speaker: Ref | None) -> Ref | None:
    if tok.pos_ == "PRON" or tok.lower_ in _PRONOUN_WORDS:
        rep = reporter(tok.head)
        antecedent = subject(rep) if rep is not None else None
        if tok.lower_ in ("i", "we") and speaker is None:
            speaker = _speaker(ctx, tok)
        return pronoun_ref(ctx.doc, tok, ctx.index, ctx.text, speaker, antecedent)
    return make_ref(ctx.doc, tok, ctx.index, ctx.text)


def _no_party(name: str, tok: Token | None) -> bool:
    """An actor that names nobody: a pronoun or relative word nothing resolved, or a date."""
    return name.lower() in _PRONOUN_WORDS or (tok is not None and tok.ent_type_ in ("DATE", "TIME"))


def _noun_actor(c: Cand) -> tuple[Token | None, Token | None]:
    """(actor, target-from-governor) of a nominal event."""
    n = c.tok
    for ch in n.children:
        if ch.dep_ == "poss":
            if ch.pos_ == "PRON":  # "began their joint drills": the subject names them better
                gov, role = noun_governor(n)
                subj = subject(gov) if gov is not None and role in ("obj", "prep") else None
                if subj is not None and subj.pos_ == "PROPN":
                    return subj, None
            return ch, None
    for ch in n.children:
        if ch.dep_ == "prep" and ch.lower_ == "by":
            p = next((x for x in ch.children if x.dep_ == "pobj"), None)
            if p is not None:
                return p, None
    for ch in n.children:
        if ch.dep_ in ("amod", "compound", "nmod") and (ch.ent_type_ in ("NORP", "GPE", "ORG")
                                                          or ch.pos_ == "PROPN") and ch.i not in c.keys:
            return ch, None
    for ch in n.children:  # "talks between Syria and Israel", "clashes between police and ..."
        if ch.dep_ == "prep" and ch.lower_ in ("between", "among") and c.category in _RECIPROCAL:
            p = next((x for x in ch.children if x.dep_ == "pobj"), None)
            if p is not None:
                return p, None
    gov, role = noun_governor(n)
    if gov is None:
        return None, None
    if role in ("obj", "prep"):
        kind = FRAMES.undergo.get(gov.lemma_.lower())
        if kind is not None:
            src = next((x for ch in gov.children if ch.dep_ == "prep" and ch.lower_ in ("from", "by")
                        for x in ch.children if x.dep_ == "pobj"), None)
            return src, subject(gov) if kind == "target" else None
        return subject(gov), None  # subject() reads "were engaged in" (stative) as active
    if role == "subjpass":
        return agent_of(gov), None
    return None, None


def _event_noun(tok: Token) -> bool:
    m = match(tok)
    return m is not None and m[0].category is not None


def _clause_subject(v: Token) -> Token | None:
    """The subject of the clausal complement of `v`, when it names a party ("demanded that Iraq ...")."""
    for c in v.children:
        if c.dep_ == "ccomp":
            s = next((x for x in c.children if x.dep_ in ("nsubj", "nsubjpass")), None)
            if s is not None and s.pos_ in ("PROPN", "NOUN"):
                return s
    return None


def _mode_from_words(category: str, c: Cand, actor: Token | None) -> str | None:
    table = FRAMES.mode.get(category)
    if not table:
        return None
    words: set[str] = set()
    for t in [c.tok, *(x.tok for x in c.inner)]:
        for d in t.subtree:
            words |= word_forms(d)
    if actor is not None:
        for d in actor.subtree:
            words |= word_forms(d)
    for w, mode in table:
        if w in words:
            return mode
    return None


def _clause_range(c: Cand) -> tuple[int, int]:
    head = c.tok
    if c.nominal:
        gov, _ = noun_governor(c.tok)
        head = gov or c.tok
    toks = list(head.subtree)
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


@dataclass(frozen=True, slots=True)
class Proposal:
    """An event the rules propose, with the parse tokens of its participants (for the classifier)."""

    cand: Cand
    event: Event
    actor: Token | None
    target: Token | None
    doubts: tuple[str, ...] = ()  # what the rules alone would have dropped it for (the model weighs it)


def _event(ctx: Ctx, c: Cand, sent: Span) -> Proposal | None:
    actor_tok: Token | None = None
    target_tok: Token | None = None
    frame = c.entry.frame
    speaker = None
    if frame.attr:  # "X is the cause of ...", "X would be considered targets by Y"
        gov = c.tok.head
        target_tok = next((x for x in gov.children if x.dep_ in ("nsubj", "nsubjpass")), None)
        # a predicate accusation or threat is the act of whoever voices it, else of the 'by' agent
        speaker = _speaker(ctx, c.tok)
        if speaker is None:
            actor_tok = next((x for ch in c.tok.children if ch.dep_ == "prep" and ch.lower_ == "by"
                              for x in ch.children if x.dep_ == "pobj"), None) or agent_of(gov)
    elif c.nominal:
        actor_tok, target_tok = _noun_actor(c)
        target_tok = target_tok or noun_target(c.tok, c.category)
    else:
        actor_tok = subject(c.tok)
        target_tok = verb_target(c.tok, c.category, c.light)
        if actor_tok is not None and actor_tok.pos_ == "NOUN" and _event_noun(actor_tok):
            # "an attack by rebels ... killed 15": the actor is the attack's; "the deployment of NATO
            # troops arrived": the troops
            noun = actor_tok
            actor_tok = _noun_actor(Cand(noun, c.entry, c.category, None, [noun.i]))[0]
            if actor_tok is None:
                of = next((p for ch in noun.children if ch.dep_ == "prep" and ch.lower_ == "of"
                           for p in ch.children if p.dep_ == "pobj"), None)
                actor_tok = of if of is not None and is_agentive(of, ctx.index) else None
        if target_tok is None and c.category in ("ACCUSE", "REQUEST", "REJECT", "THREATEN"):
            target_tok = _clause_subject(c.tok)  # "alleged that Pakistan was training ..."
    for inner in c.inner:  # the complement's target when it is the event's content
        if inner.nominal:
            t2 = noun_target(inner.tok, inner.category)
        else:
            t2 = verb_target(inner.tok, inner.category, inner.light)
        if t2 is not None and (target_tok is None or c.category == inner.category):
            target_tok = t2
    if target_tok is not None and target_tok.pos_ in ("NOUN", "PROPN"):
        target_tok = content_author(target_tok)
    if target_tok is not None and target_tok.i in c.keys:
        target_tok = None
    actor: Ref | None = speaker
    doubts: list[str] = []
    if actor_tok is not None:
        if not is_thing(actor_tok) or is_agentive(actor_tok, ctx.index):
            actor = _ref(ctx, actor_tok, None)
        elif not c.nominal and c.category not in _THING_SUBJECT_OK:
            doubts.append("thing_subject")  # "another third of funding will support ...": not a political act
            actor_tok = None
    if actor is not None and actor.entity is None and _no_party(actor.name, actor_tok):
        actor, actor_tok = None, None  # "it", "whose", "March 2016": no one to put on a timeline
    if actor is None and c.category in _SPEECH_ACTS and not c.nominal:
        doubts.append("nobody_speaks")  # a verbal act with nobody doing it ("promises had been made before")
    target = _ref(ctx, target_tok, None) if target_tok is not None else None
    if target is not None and actor is not None and (target.start, target.end) == (actor.start, actor.end):
        target = None
    mood = modality(c.tok, c.nominal, frame.neg, frame.comp)
    category, mode = c.category, c.mode
    if not c.nominal and mood in ("planned", "intended", "conditional") and category in FRAMES.future:
        new = FRAMES.future[category]
        mode = table_mode(FRAMES.threat, category, mode) if new == "THREATEN" else None
        category = new
    if mode is None:
        mode = _mode_from_words(category, c, actor_tok)
    keys = sorted({*c.keys})
    t0, t1 = ctx.doc[keys[0]], ctx.doc[keys[-1]]
    trig = TextSpan(t0.idx, t1.idx + len(t1.text), ctx.text[t0.idx: t1.idx + len(t1.text)])
    ev_start, ev_end = sent.start_char, sent.end_char
    # a sentence split across paragraphs (a headline above junk lines): keep the trigger's paragraph
    ev_start = max(ev_start, ctx.text.rfind("\n\n", ev_start, trig.start) + 1)
    cut = ctx.text.find("\n\n", trig.end, ev_end)
    ev_end = cut if cut >= 0 else ev_end
    while ev_end > ev_start and ctx.text[ev_end - 1].isspace():
        ev_end -= 1
    while ev_start < ev_end and ctx.text[ev_start].isspace():
        ev_start += 1
    lo, hi = _clause_range(c)
    amounts = tuple(a.id for a in ctx.amounts if a.kind == "money" and lo <= a.start and a.end <= hi)
    q = speaker_of_quote(ctx.quotes, trig.start)
    date, basis = date_of(trig.start, trig.end, ctx.doc, ctx.timexes, ctx.article)
    ev = Event(id="", category=category, mode=mode, modality=mood, actor=actor, target=target, trigger=trig,
               evidence=(ev_start, ev_end), date=date, date_basis=basis, amounts=amounts,
               quote=q.id if q is not None else None)
    return Proposal(c, ev, actor_tok if actor is not speaker else None,
                    target_tok if target is not None else None, tuple(doubts))


def _same_actor(a: Ref | None, b: Ref | None) -> bool:
    if a is None or b is None:
        return False
    return a.entity == b.entity if a.entity and b.entity else a.name.lower() == b.name.lower()


def _sentence_events(ctx: Ctx, sent: Span) -> list[Proposal]:
    """Every event proposed in a sentence; the ones the rules would not keep carry a doubt. The rules keep
    the main event(s): the root-most ones, plus those of coordinated clauses that continue the same
    actor's story ("rejected the plan and said they opposed ..."); a background event ("shelled the
    town, killing 20") is `secondary`."""
    made: list[Proposal] = []
    for c in _nest(candidates(sent)):
        prop = _event(ctx, c, sent)
        if prop is not None:
            made.append(prop)
    mains = [p for p in made if p.cand.coord is None and not p.doubts and not p.cand.background]
    top = min((_depth(_anchor(p.cand)) for p in mains), default=0)
    keep = {id(p.cand): p.event for p in mains if _depth(_anchor(p.cand)) == top}
    for p in made:
        c, e = p.cand, p.event
        root = c
        while root.coord is not None:
            root = root.coord
        if c.coord is None or id(root) not in keep or p.doubts or c.background:
            continue
        main = keep[id(root)]
        # the same act twice ("searched houses and confiscated weapons") is one event, unless it is
        # aimed at two different targets ("rejected the plan ... opposed the deployment")
        repeat = e.category == main.category and (e.target is None or main.target is None
                                                  or _same_actor(e.target, main.target))
        if _same_actor(e.actor, main.actor) and not repeat:
            keep[id(c)] = e
    return [p if id(p.cand) in keep or p.doubts else
            replace(p, doubts=("background",) if p.cand.background else ("secondary",)) for p in made]


@dataclass(frozen=True, slots=True)
class Scored:
    """A proposed event with the classifier's features (what training/events/ learns from)."""

    event: Event
    features: tuple[str, ...]
    doubts: tuple[str, ...] = ()  # why the rules alone would not keep it (secondary, nobody_speaks, …)


def proposal_kind(ev: Event) -> str:
    """quote (a quote proposed as a speech act) or rule (an event word of the lexicon)."""
    return "quote" if ev.category == QUOTE_CATEGORY else "rule"


def propose_events(doc: Doc, article: Article, entities: tuple[Entity, ...], quotes: tuple[Quote, ...],
                   amounts: tuple[Amount, ...], timexes: tuple[Timex, ...]) -> list[Scored]:
    """Every event the rules propose, in text order, with its features; nothing decided yet."""
    if not doc.has_annotation("DEP"):  # no parse, no arguments: better no events than guessed ones
        return []
    ctx = Ctx(doc, article, article.text, EntityIndex.build(doc, entities), quotes, amounts, timexes)
    types = {e.id: e.type for e in entities}
    out: list[Scored] = []
    for sent in doc.sents:
        for p in _sentence_events(ctx, sent):
            ev = p.event
            q = speaker_of_quote(quotes, ev.trigger.start)
            feats = event_features(p.cand, ev, p.actor, p.target, sent,
                                   types.get(ev.actor.entity) if ev.actor and ev.actor.entity else None,
                                   types.get(ev.target.entity) if ev.target and ev.target.entity else None,
                                   q is not None and q.kind == "direct", p.doubts)
            out.append(Scored(ev, feats, p.doubts))
    taken = [(s.event.trigger.start, s.event.trigger.end) for s in out]
    out += [Scored(ev, feats) for ev, feats in quote_proposals(doc, quotes, entities, taken)]
    mentions = {e.id: len(e.mentions) for e in entities}
    out = [Scored(s.event, tuple(sorted({*s.features, *actor_features(s.event.actor, article.text,
                                                                       mentions)})), s.doubts) for s in out]
    out.sort(key=lambda s: (s.event.trigger.start, s.event.trigger.end))
    return out


def extract_events(doc: Doc, article: Article, entities: tuple[Entity, ...], quotes: tuple[Quote, ...],
                   amounts: tuple[Amount, ...], timexes: tuple[Timex, ...]) -> tuple[Event, ...]:
    """Events of one document, ids V1, V2, ... in text order: the rules propose, the model decides."""
    model = classifier.load()
    events: list[Event] = []
    for s in propose_events(doc, article, entities, quotes, amounts, timexes):
        d = model.decide(s.features, s.event.category, model.thresholds[proposal_kind(s.event)])
        if d.category is None:
            continue
        ev = s.event
        if d.category != ev.category:  # the model recoded it: the rules' mode belonged to their category
            ev = replace(ev, category=d.category, mode=None)
        events.append(replace(ev, confidence=round(d.confidence, 3)))
    return tuple(replace(e, id=f"V{i}") for i, e in enumerate(events, 1))
