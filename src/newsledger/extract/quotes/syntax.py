"""Reading the dependency parse around a cue: the Attribution record, token-span helpers, whether a token is
a (cue) verb, and who the source of a cue is.

The source is the cue's subject (`nsubj`), the agent of a passive, the subject of the verb a participle,
infinitive or prepositional clause hangs from ("..., saying that", "declined to say", "in addition to
stating that"), the antecedent of a relative "who", or - when the small parser mislabels it - the noun
left of a subjectless main verb ("About 4 in 10 say", "Dems hope").

The English models label the parse ClearNLP-style (dobj, pobj, nsubjpass, agent); the models of other
languages use Universal Dependencies (obj, obl + case, nsubj:pass, obl:agent). Both are read here, the
labels told apart by the language's grammar (extract/grammar*.tsv). UD parses of French put the
subject of an incise after its verb ("», a déclaré M. Tremblay", "a-t-il dit", "répond-elle") and often
label it as an object: `inverted_source` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from newsledger.extract.quotes.cues import CueSense, Lexicon, lexicon_of

SUBJ = ("nsubj", "csubj")
PASSIVE = ("nsubjpass", "auxpass", "nsubj:pass", "aux:pass")  # ClearNLP and UD labels
RELCL = ("relcl", "acl:relcl")
_EDGE_PUNCT = {",", ";", ":", "—", "–", "-", "--", "(", ")"}


@dataclass(slots=True)
class Attribution:
    """One cue with its source and content, in token and character terms (content is a char span)."""

    cue: tuple[int, int]  # token range [start, end) of the cue words
    source: int | None  # head token of the source phrase, None when the text names nobody
    content: tuple[int, int] | None  # char span of what is reported, None when the parse gives none
    frame: str  # that | inverted | raise | to | prep | obj | passive | source | quote | noun | label
    sense: CueSense
    rel: int | None = None  # a relative pronoun standing for the source ("who said")
    via: list[int] = field(default_factory=list)  # source tokens of outer reporters, outermost first
    content_root: int | None = None  # the token heading the content (chains)


# After a comma, these open the reporter's gloss: a relative ("which is spread by mosquitoes"), a source
# ("according to the poll"), a concession ("despite the group's name change") or a comparison ("more than
# twice what it projected for ..."). Measured on both halves of the dev set; ", with", ", as" and ", up" hurt.
_GLOSS_OPENERS = {"which", "who", "whom", "whose", "according", "despite", "more", "less"}


def _tail(doc: Doc, a: int, b: int) -> int:
    """Where reported content ends before a trailing aside: "..., which is spread by mosquitoes", "...,
    despite the split", "..., according to X" (the reporter's gloss, not the speaker's words)."""
    for i in range(a + 3, b - 1):
        if doc[i].text != ",":
            continue
        k = doc[i + 1]
        if k.lower_ in _GLOSS_OPENERS:
            return i
    return b


def span_chars(doc: Doc, a: int, b: int) -> tuple[int, int] | None:
    """Char span of tokens [a, b), trimmed of edge commas, dashes and spaces and of a trailing aside;
    None if nothing is left."""
    b = _tail(doc, a, b)
    while a < b and (doc[a].is_space or doc[a].text in _EDGE_PUNCT):
        a += 1
    while b > a and (doc[b - 1].is_space or doc[b - 1].text in _EDGE_PUNCT or doc[b - 1].text == "."
                     or (doc[b - 1].dep_ == "cc" and b - 1 > a)):
        b -= 1
    if a >= b:
        return None
    return doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)


def subtree(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i + 1


def is_verb(tok: Token) -> bool:
    if tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"):
        return True
    if tok.pos_ == "ADJ" and lexicon_of(tok.doc).grammar.ud:
        # a past participle with its auxiliary the tagger took for an adjective ("a réagi")
        return any(c.dep_ == "aux:tense" for c in tok.children)
    # "He notes that ...", "Trump says ...": a verb the tagger took for a plural noun, told by its clause
    return tok.tag_ == "NNS" and tok.dep_ in ("ROOT", "conj") and any(
        c.dep_ in ("nsubj", "ccomp") or (c.dep_ == "acl" and c.left_edge.lower_ == "that")
        for c in tok.children)


def verb_sense(tok: Token, lex: Lexicon | None = None) -> tuple[CueSense, int] | None:
    """The cue sense of a verb token and the index after its last cue word (a particle), if it is a cue."""
    if not is_verb(tok):
        return None
    lex = lex or lexicon_of(tok.doc)
    lemma = lex.forms.get(tok.lower_) or tok.lemma_.lower()
    for c in tok.children:
        if c.dep_ in ("prt", "prep") and c.i == tok.i + 1:
            s = lex.phrasal.get((lemma, c.lower_))
            if s is not None:
                return s, c.i + 1
    s = lex.verbs.get(lemma)
    if s is not None and "refl" in s.frames and not is_reflexive(tok):
        return None  # "attendre" is no cue; "s'attendre à" is
    return (s, tok.i + 1) if s is not None else None


def is_reflexive(tok: Token) -> bool:
    """Does the verb carry its reflexive pronoun ("s'insurge", "se sont dits")?"""
    return any("Yes" in c.morph.get("Reflex", []) for c in tok.children if c.i < tok.i)


# Dependents of an inverted cue that are never its subject (the addressee or source follows elsewhere).
_NOT_ADDRESSEE = ("punct", "mark", "case", "advmod", "advcl", "ccomp", "parataxis", "conj")


def inverted_source(tok: Token) -> int | None:
    """The subject of a cue in a UD parse that sets it after the verb: the clitic of "a-t-il dit"
    (expl:subj), or - in an incise, after a comma, a dash or a closing quotation mark - the first noun
    phrase after the verb, whatever the parser called it ("», a déclaré mercredi le maire")."""
    doc = tok.doc
    clitic = [c for c in tok.children if c.dep_ == "expl:subj" and len(c.text.lstrip("-")) > 1]
    if clitic:
        return clitic[-1].i
    lead = min([tok.i] + [c.i for c in tok.children if c.i < tok.i and (
        c.dep_.startswith(("aux", "expl")) or (c.dep_ in ("advmod",) and c.i == tok.i - 1))])
    j = lead - 1
    while j >= 0 and doc[j].is_space and "\n" not in doc[j].text:
        j -= 1
    grammar = lexicon_of(doc).grammar
    # after a relative pronoun the subject follows the verb too ("ce qu'a annoncé X", "que rapporte X")
    if j >= 0 and not (doc[j].text in (",", "—", "–", "-") or (doc[j].is_quote and doc[j].text in "»”\"'")
                       or doc[j].lower_ in grammar["rel_pronoun"]):
        return None
    # a time word after the verb ("a déclaré mercredi", "a dit hier soir") is not the speaker
    not_subject = grammar["weekday"] | grammar["time_noun"]
    kids = sorted(tok.children, key=lambda t: t.i)
    for c in kids:
        if c.i <= tok.i or c.dep_ in _NOT_ADDRESSEE or any(g.dep_ == "case" for g in c.children):
            continue  # a prepositional phrase ("a déclaré devant le Sénat X") is never the subject
        if c.lower_ in not_subject:
            # "a annoncé jeudi la directrice": the parser may hang the subject on the time word
            kids += [g for g in c.children if g.i > c.i and g.pos_ in ("PROPN", "NOUN")]
            continue
        if c.pos_ in ("PROPN", "NOUN", "PRON") and c.ent_type_ not in ("DATE", "TIME"):
            return c.i
    return None


def source_of(tok: Token, depth: int = 0) -> tuple[int | None, int | None, bool]:
    """(source head token, relative pronoun token, passive-without-agent) of a cue verb."""
    passive = False
    subj = None
    grammar = lexicon_of(tok.doc).grammar
    for c in tok.children:
        if grammar.ud and c.text.startswith("-") and len(c.text.strip("-")) < 2:
            continue  # the euphonic "-t" of "a-t-il", which a UD parser may call the subject
        if c.dep_ in SUBJ and (subj is None or abs(c.i - tok.i) < abs(subj.i - tok.i)):
            subj = c  # the nearest, when a misparse gives a verb two subjects
        if c.dep_ in PASSIVE:
            passive = True
    if subj is None and grammar.ud:
        # "L'Union a fait savoir que ...": the subject of the causative verb is the source
        caus = next((c for c in tok.children if c.i < tok.i and c.lemma_ in grammar["causative"]), None)
        subj = next((c for c in caus.children if c.dep_ in SUBJ), None) if caus is not None else None
    if subj is not None and grammar.ud and subj.i < tok.i:
        # an incise ("», a déclaré la présidente"): the parser may take a noun inside the quotation
        # before it for the subject; the noun phrase after the verb is the speaker
        inv = inverted_source(tok)
        if inv is not None and inv > tok.i:
            return inv, None, False
    if subj is not None:
        if subj.lower_ in grammar["rel_pronoun"] and tok.dep_ in RELCL:
            return tok.head.i, subj.i, False
        return subj.i, None, False
    if passive:
        agent = agent_of(tok)
        return (agent, None, False) if agent is not None else (None, None, True)
    if grammar.ud:
        inv = inverted_source(tok)
        if inv is not None:
            return inv, None, False
    if depth < 3 and tok.dep_ in ("xcomp", "advcl", "conj", "pcomp", "parataxis") and tok.head.i != tok.i:
        head = tok.head
        if tok.dep_ == "pcomp":  # "in saying that", "in addition to stating that": up to the clause's verb
            while head.dep_ in ("prep", "pobj", "pcomp") and head.head.i != head.i and not is_verb(head):
                head = head.head
        elif tok.dep_ == "xcomp" and head.dep_ == "acomp" and head.head.i != head.i:
            head = head.head  # "was reluctant to endorse", "won't be able to brag"
        if is_verb(head):
            return source_of(head, depth + 1)
    root = tok.sent.root
    if (tok.dep_ == "acl" and tok.tag_ in ("VBD", "VBZ", "VBN") and root.pos_ in ("PROPN", "NOUN")
            and root.i < tok.i and tok.i > 0 and tok.doc[tok.i - 1].text == ","):
        # "Beruff, a Scott ally, called ...": with no verb for the sentence the parser made the main verb a
        # modifier of the subject's appositive (or of a relative clause's object); the subject is the root
        return root.i, None, False
    if tok.dep_ == "acl" and tok.tag_ == "VBG" and tok.head.pos_ in ("NOUN", "PROPN"):
        noun = tok.head
        if noun.lemma_.lower() in lexicon_of(tok.doc).media and noun.dep_ in ("dobj", "pobj"):
            gov = noun.head if noun.dep_ == "dobj" else noun.head.head
            if is_verb(gov):
                s, r, _ = source_of(gov, depth + 1)
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
_MISREAD_SUBJ = {"nummod", "npadvmod", "dep", "nmod", "compound"}


def _misparsed_subject(tok: Token) -> int | None:
    """A subjectless main cue whose subject the parser labelled otherwise: "“...,” added a South Carolina
    Democrat" (read as an object after a quotation), "About 4 in 10 say ..." (read as a number), "Dems
    hope ..." (read as a compound)."""
    kids = list(tok.children)
    left = [c for c in kids
            if c.i < tok.i and c.pos_ in _NOMINAL and c.dep_ in _MISREAD_SUBJ]
    if left:
        return left[-1].i
    prev = tok.doc[tok.i - 1] if tok.i > 0 else None
    if prev is not None and (prev.is_quote or prev.text == ","):
        after = [c for c in kids
                 if c.i > tok.i and c.pos_ in ("NOUN", "PROPN") and c.dep_ in ("dobj", "attr", "npadvmod")]
        if after:
            return after[0].i
    return None


def agent_of(tok: Token) -> int | None:
    for c in tok.children:
        if c.dep_ == "agent":
            return next((o.i for o in c.children if o.dep_ == "pobj"), None)
        if c.dep_ == "obl:agent":  # UD: "par X" hangs from the verb, its preposition a "case" child
            return c.i
    return None


def _orphan_subject(tok: Token) -> int | None:
    """"Putin, speaking after the French president said X, said Y": the parser gave the inner verb both
    subjects; a subjectless main verb takes the extra, outer one."""
    for c in tok.children:
        if c.i < tok.i and c.dep_ in ("ccomp", "advcl"):
            subs = [g for g in c.children if g.dep_ in SUBJ and g.i < c.i]
            if len(subs) >= 2:
                return subs[0].i
    return None


def is_passive(tok: Token) -> bool:
    return any(c.dep_ in PASSIVE for c in tok.children)


def has_subject(tok: Token) -> bool:
    if any(c.dep_ in SUBJ for c in tok.children):
        return True
    return lexicon_of(tok.doc).grammar.ud and inverted_source(tok) is not None
