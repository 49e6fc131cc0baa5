"""What a verb cue reports, from the parse: its content span and frame.

In the order tried: a clausal complement ("said (that) ...", "asked if ...", a that-clause the parser hung
elsewhere), the clause a cue interrupts or follows ("..., the Times said."), a raised clause ("X is
expected to ...", "That seems unlikely"), an infinitive ("vowed to ..."), a prepositional object ("warned
of ..."), a direct object ("denied the report", "a tax, which he called “theft”"), and for a passive cue
with none of these, its subject ("The plan was criticized by X") or whole clause ("X is widely seen as Y").
The words that open clauses ("that", "que") are the language's (extract/grammar*.tsv); in a UD parse
an object is `obj`, a prepositional object an `obl` with its preposition as a `case` child, and an
infinitive or predicative complement an `xcomp` ("affirme avoir embauché", "s'est dit prêt à").
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsledger.extract.quotes.cues import CueSense, lexicon_of
from newsledger.extract.quotes.syntax import (
    PASSIVE,
    SUBJ,
    agent_of,
    has_subject,
    inverted_source,
    is_passive,
    span_chars,
    subtree,
    verb_sense,
)

# A clause marked by an adverbial conjunction (grammar: adverbial_mark) is an adverbial ("said after X
# said ..."), not reported content.
_REL_OBJECTS = {"which", "whom", "that", "who"}
Found = tuple[tuple[int, int] | None, str, int | None]  # (content char span, frame, content root token)


def verb_content(doc: Doc, tok: Token, sense: CueSense, cue_end: int) -> Found:
    """(char span, frame, root token) of the content a verb cue takes in the parse."""
    frames = sense.frames
    grammar = lexicon_of(doc).grammar
    kids = list(tok.children)
    if "raise" in frames or ("raise:pass" in frames and is_passive(tok)):
        raised = _raised(doc, tok, kids)
        if raised is not None:
            return raised
    if "that" in frames or "quote" in frames:
        # "asked if ...", "would not say if ...": an embedded question, not a condition
        asking = "if" in frames or any(
            c.dep_ == "neg" or (grammar.ud and "Neg" in c.morph.get("Polarity", [])) for c in kids)
        # (asked or refused, "when" opens a question too: "have not said when they would vote")
        marks = grammar["adverbial_mark"] - grammar["question_mark"] if asking else grammar["adverbial_mark"]
        # (a that-clause may also be parsed as an adverbial one - "told reporters on Tuesday, after the
        # vote, that ..." - or, under a verb the tagger took for a plural noun, as an acl)
        # "asked the students if"
        opens = grammar["that"] | grammar["if"] if "if" in frames else grammar["that"]
        cc = [c for c in kids if (c.dep_ == "ccomp" or (c.dep_ in ("advcl", "acl") and c.i > tok.i and any(
            g.dep_ == "mark" and g.lower_ in opens for g in c.children))) and not any(
            g.dep_ == "mark" and g.lower_ in marks for g in c.children)]
        if not cc:  # "He said: the talks failed." - a clause after a colon hangs as parataxis
            cc = [c for c in kids if c.dep_ == "parataxis" and c.i > tok.i
                  and any(doc[k].text == ":" for k in range(cue_end, c.left_edge.i))]
        if cc and _opens_quote(doc, cue_end) and any(c.i > tok.i for c in cc) and not has_subject(tok):
            # "The vote was delayed after X, asked about Y, said, “...”": the parse hung the sentence on the
            # cue and lost its subject; what it says is the quotation it opens
            cc = [c for c in cc if c.i > tok.i]
        if cc:
            a = min(subtree(c)[0] for c in cc)
            b = max(subtree(c)[1] for c in cc)
            if a < tok.i < b:  # content on both sides: keep the side of the main clause
                cc = [max(cc, key=lambda c: subtree(c)[1] - subtree(c)[0])]
                a, b = subtree(cc[0])
            if cc[-1].i > tok.i:
                b = _cut_conj(cc[-1], b)
                b = _cut_other_report(doc, tok, a, b)
            if cc[0].dep_ != "ccomp":  # an adverbial hung on the clause precedes its "that"
                a = max(a, min(g.i for g in cc[0].children if g.dep_ == "mark" and g.lower_ in opens))
            return span_chars(doc, a, b), "that", cc[0].i
        inv = _inverted(doc, tok)
        if inv is not None:
            return inv
        if "that" in frames and (late := _late_that(doc, tok, cue_end, grammar["that"])) is not None:
            return late
        if "that" in frames and (pro := _pro_form(doc, cue_end)) is not None:
            return pro
    if "to" in frames:
        for c in kids:
            if c.dep_ == "xcomp" and c.i > tok.i and (_infinitive_ud(c) if grammar.ud else _infinitive(c)):
                return span_chars(doc, c.left_edge.i, _clause_end(tok, c)), "to", c.i
    # "in what officials called a hate crime", "what his aides describe as a coalescing": the free relative
    # names the thing and what they called it - the whole relative, subject and cue included, is attributed
    what = next((c for c in kids if c.dep_ == "dobj" and c.i < tok.i and c.lower_ == "what"), None)
    favor = _in_favor_of(kids, tok)
    if favor is not None and (sense.preps or "obj" in frames):  # "voted in favor of joining Schengen"
        return span_chars(doc, favor.left_edge.i, _clause_end(tok, favor)), "prep", favor.i
    preps = sense.preps
    if preps and grammar.ud:  # "appelle à une grève": the object hangs from the verb, with a case child
        for c in kids:
            if c.dep_.startswith(("obl", "nmod")) and c.i > tok.i and c.ent_type_ not in WHEN and any(
                    k.dep_ == "case" and k.lower_ in preps for k in c.children):
                return span_chars(doc, c.left_edge.i, _clause_end(tok, c)), "prep", c.i
    elif preps:
        for c in kids:
            if c.dep_ == "prep" and c.lower_ in preps and c.i > tok.i:
                objs = [o for o in c.children if o.dep_ in ("pobj", "pcomp") and o.ent_type_ not in WHEN]
                if objs:
                    a = what.i if what is not None else objs[0].left_edge.i
                    return span_chars(doc, a, _clause_end(tok, objs[0])), "prep", objs[0].i
    if "obj" in frames:
        # in an incise ("», a déclaré la présidente") the noun after the verb is its subject, not what
        # was said, whatever the parser called it
        speaker = inverted_source(tok) if grammar.ud else None
        holds = {speaker, *(a.i for a in doc[speaker].ancestors)} if speaker is not None else set()
        for c in kids:
            if c.i > tok.i and c.i not in holds and (
                    c.dep_ in ("dobj", "obj") or (c.dep_ == "xcomp" and c.tag_ == "VBG") or (
                    c.dep_ == "oprd" and not is_passive(tok))):  # "called the frontrunner “X”" misread
                a = what.i if what is not None else c.left_edge.i
                return span_chars(doc, a, _clause_end(tok, c)), "obj", c.i
        like = next((c for c in kids if c.i > tok.i and c.dep_ == "prep" and c.lower_ in ("as", "like")),
                    None)
        if what is not None and like is not None:  # "what his aides describe as a careful compromise"
            return span_chars(doc, what.i, _clause_end(tok, like)), "obj", like.i
        rel = next((c for c in kids if c.dep_ == "dobj" and c.i < tok.i and c.lower_ in _REL_OBJECTS), None)
        if tok.dep_ == "relcl" and rel is not None:  # "a tax, which he described as “theft”"
            if not any(c.i > tok.i and (c.dep_ in _PREDICATIVE or c.is_quote or (
                    c.dep_ == "prep" and c.lower_ in ("as", "like"))) for c in kids):
                # "a carbon tax, which he favors": what he favors is the pronoun's antecedent; the rest of
                # the relative clause ("proposed under a flat rate") is the narrator's
                return span_chars(doc, rel.i, rel.i + 1), "obj", rel.i
            return span_chars(doc, rel.i, tok.right_edge.i + 1), "obj", rel.i
    if is_passive(tok) and sense.cls in ("speech", "belief"):
        return _passive_content(doc, tok, kids)
    return None, "quote", None


def _in_favor_of(kids: list[Token], tok: Token) -> Token | None:
    """The object of "in favor of" / "in support of" after the cue: what the cue is for."""
    for c in kids:
        if c.dep_ != "prep" or c.lower_ != "in" or c.i < tok.i:
            continue
        for n in c.children:
            if n.dep_ == "pobj" and n.lower_ in ("favor", "favour", "support"):
                for of in n.children:
                    if of.dep_ == "prep" and of.lower_ == "of":
                        return next((o for o in of.children if o.dep_ in ("pobj", "pcomp")), None)
    return None


def _passive_content(doc: Doc, tok: Token, kids: list[Token]) -> Found:
    """A cue in the passive with none of its complements: "The plan was criticized by X" reports X's view
    of the subject; "Rubio is widely seen as the favourite" (nobody named) reports the whole clause."""
    subj = next((c for c in kids if c.dep_ in PASSIVE and c.dep_.startswith("nsubj") and c.i < tok.i), None)
    if subj is None or any(c.dep_ in ("xcomp", "ccomp") for c in kids):
        return None, "quote", None  # "she could be heard yelling that ...": the other verb reports
    if agent_of(tok) is not None:
        if subj.tag_ in ("WDT", "WP"):
            return None, "quote", None
        return span_chars(doc, *subtree(subj)), "passive", subj.i
    end = tok.i + 1
    for c in tok.children:
        if c.i < tok.i:
            continue
        if c.dep_ in ("punct", "cc", "conj", "advcl", "parataxis", "mark", "npadvmod", "relcl", "agent") or (
                c.dep_ == "prep" and any(o.ent_type_ in WHEN for o in c.children)):
            break
        end = c.right_edge.i + 1
    if end == tok.i + 1:
        return None, "quote", None  # "the race was called": nothing is reported of it
    return span_chars(doc, subj.left_edge.i, end), "passive", tok.i


def _opens_quote(doc: Doc, i: int) -> bool:
    """Does a comma or colon and an opening quotation mark follow token i ("said, “...”", "added: “...”")?"""
    while i < len(doc) and doc[i].pos_ == "ADV":
        i += 1
    return (i + 2 < len(doc) and doc[i].text in (",", ":") and doc[i + 1].is_quote
            and not doc[i + 1].whitespace_ and not doc[i + 2].is_punct)


def _cut_conj(c: Token, b: int) -> int:
    """"She said she has no plans to change her vote and would not identify ...": a subjectless verb
    conjoined to the content, or one that is itself a cue, belongs to the speaker's sentence."""
    that = lexicon_of(c.doc).grammar["that"]
    for k in c.children:
        vs = verb_sense(k) if k.dep_ == "conj" and k.i > c.i and k.pos_ in ("VERB", "AUX") else None
        if any(g.dep_ == "mark" and g.lower_ in that for g in k.children):
            continue  # "said X and that the committee would continue to ...": a second reported clause
        if vs is not None and "quote" in vs[0].frames:
            j = k.left_edge.i
            while j - 1 > c.i and c.doc[j - 1].dep_ in ("cc", "punct"):
                j -= 1
            return min(b, j)
    return b


def _cut_other_report(doc: Doc, cue: Token, a: int, b: int) -> int:
    """"77 percent said they are set on him, while 22 percent said they might change their mind": a
    report by another subject, joined by a conjunction, is its own attribution, not part of this one."""
    grammar = lexicon_of(doc).grammar
    for i in range(max(a, cue.i + 1) + 2, b):
        k = doc[i]
        if k.dep_ not in ("conj", "advcl", "ccomp") or verb_sense(k) is None:
            continue
        subj = next((c for c in k.children if c.dep_ in SUBJ), None)
        if subj is None or subj.pos_ == "PRON":
            continue  # "... and (that) she wanted to move on": the same speaker goes on
        j = k.left_edge.i
        if j <= a + 1:
            continue
        if doc[j].lower_ in grammar["contrast"] and doc[j].dep_ in ("mark", "cc"):
            pass
        elif doc[j - 1].lower_ in grammar["contrast"] and doc[j - 1].dep_ in ("mark", "cc"):
            j -= 1
        else:
            continue
        if doc[j + 1].lower_ in grammar["that"]:
            continue  # "said X and that Y showed Z": one report of two clauses
        while j - 1 > a and doc[j - 1].is_punct and not doc[j - 1].is_quote:
            j -= 1
        return j
    return b


def _infinitive(c: Token) -> bool:
    return any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)


def _infinitive_ud(c: Token) -> bool:
    """An infinitive ("promet de réduire"), a past infinitive ("affirme avoir embauché") or a predicative
    adjective ("s'est dit prêt à")."""
    if "Inf" in c.morph.get("VerbForm", []) or c.pos_ == "ADJ":
        return True
    return any(g.dep_.startswith("aux") and "Inf" in g.morph.get("VerbForm", []) for g in c.children)


def sense_frames(tok: Token) -> frozenset[str]:
    vs = verb_sense(tok)
    return vs[0].frames if vs is not None else frozenset()


def _raised(doc: Doc, tok: Token, kids: list[Token]) -> Found | None:
    """"The hotel would appear to have ...", "Trump is expected to attend": the whole clause is what is
    believed or reported (by nobody named). Not when the infinitive is itself a cue ("seems to feel that")."""
    xc = next((c for c in kids if c.dep_ == "xcomp" and c.i > tok.i), None)
    if xc is None and "raise" in sense_frames(tok):  # "That seems unlikely", "This seems like a fine idea"
        xc = next((c for c in kids if c.i > tok.i and (c.dep_ in ("acomp", "attr", "oprd") or (
            c.dep_ == "prep" and c.lower_ == "like"))), None)
    if xc is None or verb_sense(xc) is not None:
        return None
    subj = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass", "nsubj:pass") and c.i < tok.i), None)
    a = subj.left_edge.i if subj is not None else tok.i
    return span_chars(doc, a, _clause_end(tok, xc)), "raise", xc.i


WHEN = {"DATE", "TIME"}  # "called on Monday" is no call on anyone
_QUESTION_WORDS = {"how", "what", "why", "whether", "where", "when"}
_PREDICATIVE = {"oprd", "xcomp", "acomp", "attr", "ccomp"}


# Prepositions that set the scene of the cue rather than extend what it reports: "denied the charges through
# his lawyer", "defending itself amid sliding poll numbers", "endorsed Clinton before the primary". The set
# is measured, not principled: each member helped both halves of the dev set ("during" and "at" did not).
SETTING = {"amid", "among", "across", "before", "since", "through"}


def _clause_end(tok: Token, first: Token) -> int:
    """End of the content that starts with `first`: the rest of the cue's clause ("denied the report in an
    interview", "urged Trump to release the tapes"), up to a comma, dash or conjunction of the cue's own."""
    end = tok.right_edge.i + 1
    kids = [c for c in tok.children if c.i > first.i]
    for k, c in enumerate(kids):
        if c.is_quote and k + 1 < len(kids) and kids[k + 1].dep_ in _PREDICATIVE:
            continue  # called it “a disgrace”: the quoted complement is part of the content
        if c.dep_ in ("punct", "cc", "conj", "parataxis", "advcl", "ccomp", "mark") or c.is_quote or (
                c.dep_ == "prep" and c.lower_ in SETTING):
            end = min(end, c.left_edge.i)
            break
    end = max(end, first.right_edge.i + 1)
    # "talk about the border and how many can slip through": a question joined to the content, which the
    # parser tends to hang on the main verb
    doc = tok.doc
    j = end - 1 if doc[end - 1].lower_ in ("and", "or") else end + (end < len(doc) and doc[end].text == ",")
    if j + 1 < len(doc) and doc[j].lower_ in ("and", "or") and doc[j + 1].lower_ in _QUESTION_WORDS:
        h = doc[j + 1]
        while h.head.i != h.i and h.pos_ not in ("VERB", "AUX") and h.head.i > j:
            h = h.head
        end = max(end, h.right_edge.i + 1)
    return end


def _late_that(doc: Doc, tok: Token, cue_end: int, that: frozenset[str]) -> Found | None:
    """"told allies earlier during the day that ...", "say by a wide margin, 49 percent to 42, that ...": a
    that-clause the parser hung elsewhere (on a nearby noun), right after the cue's object and adverbials."""
    for i in range(cue_end, min(cue_end + 16, len(doc))):
        t = doc[i]
        if t.is_sent_start:
            return None
        if t.lower_ in that and t.dep_ in ("mark", "advmod") and t.head.i > t.i:
            head = t.head
            subject = any(c.dep_ in SUBJ for c in head.children if c.i > t.i)
            if head.dep_ in ("relcl", "acl", "ccomp") and subject:
                span = span_chars(doc, t.i, head.right_edge.i + 1)
                return (span, "that", head.i) if span else None
            return None
        if t.pos_ in ("VERB", "AUX") or t.text in (".", ";", ":") or t.is_quote:
            return None
    return None


PRO_FORMS = {"so", "yes", "no", "otherwise"}


def _pro_form(doc: Doc, cue_end: int) -> Found | None:
    """"after half said so", "72 percent said yes", "Mook said as much": a word standing for the clause
    reported is the content (news annotation marks the pro-form itself)."""
    if cue_end >= len(doc):
        return None
    t = doc[cue_end]
    if t.lower_ in PRO_FORMS and t.dep_ in ("advmod", "intj", "dobj", "acomp", "ccomp", "attr"):
        return span_chars(doc, t.i, t.i + 1), "that", t.i
    if t.lower_ == "as" and cue_end + 1 < len(doc) and doc[cue_end + 1].lower_ == "much":
        return span_chars(doc, t.i, t.i + 2), "that", t.i
    after = doc[cue_end + 1] if cue_end + 1 < len(doc) else None
    if t.lower_ in _QUESTION_WORDS and (after is None or (after.is_punct and not after.is_quote)):
        return span_chars(doc, t.i, t.i + 1), "that", t.i  # "did not say when.", "would not say why,"
    return None


def _inverted(doc: Doc, tok: Token) -> Found | None:
    """The cue hangs off the clause it reports, set apart by commas: "The talks failed, he said.",
    "Mrs. Clinton, analysts said, has other reasons", "Rubio says, win or lose, he's staying",
    "As Crane said, the two have become ...". The content is that clause without the cue's words."""
    head = tok.head
    if head.i == tok.i or tok.dep_ not in ("parataxis", "ccomp", "advcl"):
        return None
    as_mark = lexicon_of(doc).grammar["as"]
    a, b = subtree(tok)
    ha, hb = subtree(head)
    if head.i > tok.i:
        as_clause = any(c.dep_ == "mark" and c.lower_ in as_mark for c in tok.children)
        if not as_clause and (tok.dep_ not in ("parataxis",) or not has_subject(tok)):
            return None  # (a medial "X, Clinton suggested in a tweet, Y" is often parsed as Y's ccomp)
        if not as_clause and not _set_off(doc, a, b, tok, "right"):
            return None
        span = span_chars(doc, b, hb) if a <= ha else span_chars(doc, ha, hb)
        return (span, "inverted", head.i) if span else None
    if not has_subject(tok) or not _set_off(doc, a, b, tok, "left"):
        return None
    if any(c.dep_ == "mark" for c in tok.children):
        return None  # "said that X promised ...": a complement, not a parenthetical
    if head.dep_ not in ("ROOT", "ccomp", "conj", "parataxis"):
        return None
    if lexicon_of(doc).grammar.ud:
        # a UD parse hangs the sentence's full stop (and the line break after it) on the reported
        # clause, after the cue: they do not make the clause go on past it
        while hb > b and (doc[hb - 1].is_space or (doc[hb - 1].is_punct and not doc[hb - 1].is_quote)):
            hb -= 1
    end = hb if hb > b else a
    span = span_chars(doc, ha, end)
    return (span, "inverted", head.i) if span else None


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
