"""Reading the dependency parse around an event word: who does it (subject, passive agent, controller of
an infinitive, the verb governing a nominal event), to whom (object, prepositional phrase), and in what
mood (modal auxiliaries, planning and wanting verbs, if-clauses, negation).
"""

from __future__ import annotations

from spacy.tokens import Token

from newsledger.extract.events.arguments import is_agentive_word, quantity_head
from newsledger.extract.events.lexicon import FRAMES

_VERBAL = ("VERB", "AUX", "ADJ")
_TIME_ENTS = ("DATE", "TIME")
_NOMINAL = ("NOUN", "PROPN", "NUM", "PRON")
_RELATIVE = {"who", "which", "that", "whom"}
_CHAIN_DEPS = ("xcomp", "conj", "acomp", "pcomp", "auxpass")
# Prepositions that introduce the target, in order of preference; ACCUSE's "to" is the addressee
# ("complained to the UN over ...") so the complaint's object comes first there.
_TARGET_PREPS = ("against", "on", "upon", "with", "to", "into", "at", "toward", "towards", "between",
                 "among", "over", "from")
_TARGET_PREPS_BY_CAT = {
    "ACCUSE": ("against", "over", "about", "into", "of"),
    "AID": ("to", "for", "with", "into"),
    "AGREE": ("with", "to", "on"),
    "CONSULT": ("with", "between", "among", "to"),
    "REQUEST": ("from", "of", "to", "on", "upon"),
    "REJECT": ("from", "by", "of", "against", "to"),
    "RETREAT": ("from", "to", "of", "for"),
    "SANCTION": ("against", "on", "upon", "from", "of", "with", "in"),
    "PROTEST": ("against", "outside", "at", "in"),
}
_NOUN_TARGET_PREPS = {
    "ACCUSE": ("against", "into", "of", "over"),
    "ASSAULT": ("on", "against", "of", "upon", "in"),
    "COERCE": ("of", "on", "against", "in"),
    "RETREAT": ("of", "from", "for", "to"),
    "AID": ("to", "for", "in"),
    "CONSULT": ("with", "between", "among", "to"),
    "SANCTION": ("on", "against", "upon", "of", "to"),
}


_DASHES = {"--", "—", "–", "-", "---"}


def is_dateline(tok: Token) -> bool:
    """A wire dateline the parser took for a subject: an all-capitals place opening the sentence and
    followed by a dash ("BERLIN --", "MOGADISHU, Somalia --")."""
    if tok.i - tok.sent.start > 1 or not tok.text.isupper() or len(tok.text) < 3:
        return False
    return any(c.dep_ == "punct" and c.text in _DASHES for c in tok.children)


def is_passive(v: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass", "csubjpass") for c in v.children)


def _child(v: Token, *deps: str) -> Token | None:
    return next((c for c in v.children if c.dep_ in deps), None)


def _pobj(prep: Token) -> Token | None:
    return next((p for p in prep.children if p.dep_ in ("pobj", "pcomp")), None)


def agent_of(v: Token) -> Token | None:
    """The 'by' phrase of a passive verb."""
    for c in v.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by" and is_passive(v)):
            p = _pobj(c)
            if p is not None:
                return p
    return None


def subject(v: Token, depth: int = 0) -> Token | None:
    """Who does what verb (or predicate adjective) `v` says: its subject, the passive agent, else the
    subject of the verb it depends on (infinitives, coordination, participles, 'committed to buying')."""
    if depth > 6:
        return None
    for c in v.children:
        if c.dep_ in ("nsubj", "csubj"):
            if is_dateline(c):  # "BERLIN -- A court ... convicted": the court, not the dateline
                alt = next((a for a in c.children if a.dep_ == "appos"), None)
                if alt is None:
                    continue
                c = alt
            if c.lower_ in _RELATIVE and v.dep_ == "relcl":
                return v.head
            return c
    agent = agent_of(v)
    if agent is not None:
        return agent
    if is_passive(v):
        if v.lemma_.lower() in FRAMES.stative:  # "Israel is opposed to ..."
            return _child(v, "nsubjpass")
        return None  # the doer of a passive without 'by' is unknown
    h, dep = v.head, v.dep_
    if h == v:
        return None
    if dep == "xcomp" or (dep == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in v.children)):
        if dep == "xcomp" and h.lemma_.lower() in FRAMES.objcontrol:
            obj = _child(h, "dobj")
            if obj is not None:
                return obj
        return subject(h, depth + 1)
    if dep == "conj" and h.pos_ in _VERBAL:
        return subject(h, depth + 1)
    if dep == "advcl" and v.tag_ == "VBG" and _child(v, "mark") is None:
        return subject(h, depth + 1)  # "..., killing 20 people" (but "Asked whether ..., the minister")
    if dep in ("acomp", "oprd"):
        return subject(h, depth + 1)
    if dep == "pcomp" and h.head != h:
        return subject(h.head, depth + 1)  # "committed to buying"
    if dep == "acl" and h.pos_ in _NOMINAL and v.tag_ in ("VBD", "VBZ", "VBP"):
        return h  # a finite verb the parser hung under its subject ("The opposition called on ...")
    if dep == "acl" and h.pos_ in _NOMINAL and (v.tag_ == "VBG" or any(c.lower_ == "to" for c in v.children)):
        if is_agentive_word(h):
            return h  # "demonstrators protesting ..."
        gov, role = noun_governor(h)
        if gov is not None and role in ("obj", "prep"):
            return subject(gov, depth + 1)  # "issued a declaration demanding ..."
    return None


def noun_governor(n: Token) -> tuple[Token | None, str]:
    """The verb a nominal event hangs from and how: obj ("launched an attack"), prep ("engaged in
    cleansing"), subjpass ("sanctions were prepared by"), subj. Quantity phrases are climbed
    ("the next series of sanctions", "31 million dollars in aid")."""
    n = climb(n)
    h = n.head
    if h == n:
        return None, ""
    if n.dep_ in ("dobj", "attr", "oprd", "dative"):
        return h, "obj"
    if n.dep_ == "nsubjpass":
        return h, "subjpass"
    if n.dep_ == "nsubj":
        return h, "subj"
    if n.dep_ == "pobj" and h.dep_ in ("prep", "agent") and h.head.pos_ in _VERBAL:
        return h.head, "prep"
    return None, ""


def governing_prep(n: Token) -> Token | None:
    """The preposition through which a nominal event hangs from its verb ("went **on** strike")."""
    n = climb(n)
    return n.head if n.dep_ == "pobj" and n.head.dep_ in ("prep", "agent") else None


def climb(n: Token) -> Token:
    """Up through quantity and coordination phrases to the noun that plays the clause role."""
    for _ in range(3):
        h = n.head
        if n.dep_ == "pobj" and h.dep_ == "prep" and h.lower_ in ("of", "in") and h.head.pos_ in _NOMINAL \
                and h.head != n:
            n = h.head
        elif n.dep_ == "conj" and n.head.pos_ in _NOMINAL:
            n = n.head
        else:
            break
    return n


def content_author(n: Token) -> Token:
    """For a noun naming someone's proposal or act ("North Korea's demand", "an Indian proposal", "a fresh
    offer from Afghanistan"), its author; for "the idea of the peacekeeping forces", what it is about."""
    if n.lemma_.lower() not in FRAMES.content:
        return quantity_head(n)
    for c in n.children:
        if c.dep_ == "poss":
            return c
    for c in n.children:
        if c.dep_ == "prep" and c.lower_ in ("from", "by"):
            p = _pobj(c)
            if p is not None:
                return p
    for c in n.children:
        if c.dep_ in ("amod", "compound", "nmod") and (c.ent_type_ in ("NORP", "GPE", "ORG")
                                                         or c.pos_ == "PROPN"):
            return c
    for c in n.children:
        if c.dep_ == "prep" and c.lower_ in ("of", "for"):
            p = _pobj(c)
            if p is not None and p.pos_ in _NOMINAL:
                return quantity_head(p)
    return n


def _prep_target(v: Token, preps: tuple[str, ...], skip: Token | None = None) -> Token | None:
    found = {c.lower_: c for c in v.children if c.dep_ in ("prep", "dative") and c != skip}
    for p in preps:
        if p in found:
            obj = _pobj(found[p])
            if obj is not None and obj.pos_ in _NOMINAL and obj.ent_type_ not in _TIME_ENTS:
                return quantity_head(obj)
    return None


def _is_money(t: Token) -> bool:
    return t.ent_type_ == "MONEY" or t.like_num or t.text in ("$", "€", "£", "¥")


def _recipient(obj: Token) -> Token | None:
    """A recipient inside an object phrase: "$2 billion in military aid to/for/in Ukraine"."""
    for d in obj.subtree:
        if d.dep_ == "prep" and d.lower_ in ("to", "for", "in") and d.i > obj.i:
            p = _pobj(d)
            if p is not None and (p.ent_type_ in ("GPE", "NORP", "ORG") or (d.lower_ != "in"
                                  and is_agentive_word(p))):
                return p
    return None


def verb_target(v: Token, category: str, light: Token | None) -> Token | None:
    """The target of a verbal event: the passive subject, the object (or its author), the dative, else a
    prepositional object; for a light verb ("imposed sanctions on"), the phrases of the verb and its noun."""
    if is_passive(v) and v.lemma_.lower() not in FRAMES.stative:
        sp = _child(v, "nsubjpass")
        if sp is not None:
            return quantity_head(sp)
    preps = _TARGET_PREPS_BY_CAT.get(category, _TARGET_PREPS)
    obj = _child(v, "dobj")
    if obj is not None and obj != light and obj.ent_type_ not in _TIME_ENTS:
        author = content_author(obj)
        if not is_agentive_word(author):  # "promised $2 billion in aid to Ukraine": the recipient
            alt = _prep_target(v, preps) or _prep_target(author, preps) or _recipient(author)
            if alt is not None and is_agentive_word(alt):
                return alt
            if _is_money(author):
                return None
        return author
    dative = _child(v, "dative")
    if dative is not None and dative.pos_ in _NOMINAL:
        return dative
    if light is not None:
        t = _prep_target(light, preps)
        if t is not None:
            return t
    t = _prep_target(v, preps)
    if t is None:  # "calls for maximum pressure on Russia"
        t = next((x for c in v.children if c.dep_ == "prep" and c.lower_ in ("for", "of")
                  for p in c.children if p.dep_ == "pobj"
                  for x in [_prep_target(p, ("on", "against", "upon"))] if x is not None), None)
    return t


def noun_target(n: Token, category: str) -> Token | None:
    preps = _NOUN_TARGET_PREPS.get(category, ("against", "on", "with", "to"))
    return _prep_target(n, preps)


def reporter(v: Token) -> Token | None:
    """The reporting verb whose complement holds `v` ("they said that X would ..."), if any."""
    t = v
    for _ in range(6):
        h = t.head
        if h == t:
            return None
        if t.dep_ in ("ccomp", "xcomp", "conj", "advcl", "parataxis") and h.lemma_.lower() in FRAMES.report:
            return h
        if t.dep_ not in ("ccomp", "xcomp", "conj", "acomp", "pcomp", "prep", "pobj", "dobj", "attr"):
            return None
        t = h
    return None


def modality(trigger: Token, nominal: bool, neg_in_meaning: bool, governs: bool = False) -> str:
    """asserted | planned | intended | conditional | negated, from the verbs above the trigger (and the
    trigger itself when it governs another event: "was willing to deploy" is intended)."""
    start = trigger
    negated = False
    if nominal:
        if any(c.dep_ == "det" and c.lower_ == "no" for c in trigger.children):
            negated = True
        gov, _ = noun_governor(trigger)
        if gov is None:
            return "negated" if negated else "asserted"
        start = gov
    modals: list[str] = []
    controls: list[str] = []
    cond = False
    reported = False
    t = start
    for _ in range(8):
        for c in t.children:
            if c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in FRAMES.neg):
                negated = True
            elif c.dep_ == "aux" and c.lower_ in FRAMES.modal:
                modals.append(c.lower_)
            elif c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in FRAMES.cond for m in c.children):
                cond = True
        lem = t.lemma_.lower()
        if (t != trigger or governs) and lem in FRAMES.control:
            controls.append(FRAMES.control[lem])
        h = t.head
        if h == t:
            break
        if t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in FRAMES.cond for m in t.children):
            cond = True
            break
        if t.dep_ == "ccomp" and h.lemma_.lower() in FRAMES.report:
            reported = True
            break
        if t.dep_ not in _CHAIN_DEPS and not (t.dep_ == "ccomp" and h.lemma_.lower() in FRAMES.control):
            break
        t = h.head if t.dep_ == "pcomp" and h.head != h else h
    if neg_in_meaning:
        negated = False
    if negated or "negated" in controls:
        return "negated"
    if cond or any(FRAMES.modal[m] == "conditional" and m not in ("would", "'d") for m in modals):
        return "conditional"
    if any(m in ("would", "'d") for m in modals):
        return "planned" if reported else "conditional"
    if "conditional" in controls:
        return "conditional"
    if "intended" in controls:
        return "intended"
    if "planned" in controls or any(FRAMES.modal[m] == "planned" for m in modals):
        return "planned"
    return "asserted"
