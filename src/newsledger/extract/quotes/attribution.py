"""Attribution from the dependency parse: reporting cues, their sources and the content they report.

The cues and their frames come from `cues.tsv` (`cues.py`). One linear pass over the tokens finds
every cue: a verb (its source from `syntax.py`, its content from `content.py`), a cue noun
("her claim that ...", "fears that ..."), a sourcing phrase ("according to X, ...", "in a new poll, ...").
`intro_cue` reads any verb that opens a quotation ("then boomed, “...”") for the quotation pass.

Cues without content here (`He said:` before a quotation) are kept: the quotation-mark pass in
`extract.py` gives them their content.

In English two learned models then revise what the rules read (both fitted on PolNeAR's train split by
`make models`): `boundary.py` where paraphrased content ends, `source.py` who its source is where the
subject rule finds none ("Okafor was pressed to explain why ...").

Each document is read with the cue lexicon of its language (`lexicon_of`). In a UD parse a sourcing
phrase's preposition is a `case` child of its source ("Selon X, ...", "..., d'après X"): the content is
the clause the phrase is set off from by a comma. A cleft report ("C'est ce qu'a annoncé X") reports
the sentence before it.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from newsledger.extract.quotes import boundary, source
from newsledger.extract.quotes.content import verb_content
from newsledger.extract.quotes.cues import LEXICON, CueSense, Lexicon, lexicon_of, load_lexicon
from newsledger.extract.quotes.syntax import (
    Attribution,
    agent_of,
    is_verb,
    source_of,
    span_chars,
    subtree,
    verb_sense,
)

__all__ = ["LEXICON", "Attribution", "CueSense", "Lexicon", "find_attributions", "headline_cues", "intro_cue",
           "lexicon_of", "load_lexicon", "verb_sense"]

def _according(doc: Doc, tok: Token, lex: Lexicon) -> Attribution | None:
    """"According to X, ..." and its kin: the source is the phrase's object, the content the clause."""
    for words, sense in lex.phrases.items():
        if tok.lower_ != words[0] or tok.i + len(words) > len(doc):
            continue
        if tuple(t.lower_ for t in doc[tok.i : tok.i + len(words)]) != words:
            continue
        if lex.grammar.ud:
            return _according_ud(doc, tok, len(words), sense)
        last = doc[tok.i + len(words) - 1]
        objs = [o for o in last.children if o.dep_ == "pobj"] or [
            o for o in doc[tok.i + len(words) : tok.i + len(words) + 6] if o.dep_ == "pobj"]
        if not objs:
            return None
        found = _modified_clause(doc, tok, objs[0])
        if found is None:
            return None
        span, head = found
        return Attribution((tok.i, tok.i + len(words)), objs[0].i, span, "source", sense, content_root=head)
    return None


_SENT_END = re.compile(r"[.!?…][»”\"']?(?=\s)")


def _sentence_bounds(text: str, at: int) -> tuple[int, int]:
    """The sentence of the line holding char `at`, by its punctuation: the UD parsers of other languages
    split sentences at guillemets and commas, so their sentence boundaries are not trusted here."""
    lo = text.rfind("\n", 0, at) + 1
    hi = text.find("\n", at)
    hi = len(text) if hi < 0 else hi
    start = lo
    for m in _SENT_END.finditer(text, lo, at):
        start = m.end()
    stop = _SENT_END.search(text, at, hi)
    end = stop.start() + 1 if stop else hi
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _according_ud(doc: Doc, tok: Token, n: int, sense: CueSense) -> Attribution | None:
    """"Selon X, CLAUSE", "CLAUSE, d'après X": the source is the noun the phrase's preposition hangs
    from; the content is the rest of the sentence on the side the comma sets it off from."""
    src = tok.head
    if tok.dep_ not in ("case", "fixed", "mark") or src.i < tok.i or src.i == tok.i:
        return None
    pb = max(subtree(src)[1], tok.i + n)
    text = doc.text
    a_char = tok.idx
    b_char = doc[pb - 1].idx + len(doc[pb - 1].text)
    s, e = _sentence_bounds(text, a_char)
    before, after = text[s:a_char].rstrip(), text[b_char:e].lstrip()
    if before.endswith(","):  # "..., selon X": the content is what comes before
        span = (s, s + len(before) - 1)
    elif not before and after.startswith(","):  # "Selon X, ...": what comes after
        start = b_char + (len(text[b_char:e]) - len(after)) + 1
        span = (start, e)
    else:
        return None
    while span[0] < span[1] and (text[span[0]].isspace() or text[span[0]] in ",;:"):
        span = (span[0] + 1, span[1])
    while span[1] > span[0] and (text[span[1] - 1].isspace() or text[span[1] - 1] in ",;:."):
        span = (span[0], span[1] - 1)
    if span[1] - span[0] < 3:
        return None
    return Attribution((tok.i, tok.i + n), src.i, span, "source", sense, content_root=None)


def _cleft(doc: Doc, tok: Token, lex: Lexicon) -> tuple[int, int] | None:
    """"La Ville imposera des amendes. C'est ce qu'a annoncé X.": a cue in a relative clause on the cleft
    pronoun ("ce qu'a annoncé"), whose object is the relative pronoun, reports the sentence before it
    in the same paragraph."""
    head = tok.head
    if tok.dep_ not in ("acl:relcl", "relcl") or head.lower_ not in lex.grammar["cleft"]:
        return None
    if not any(c.lower_ in lex.grammar["rel_pronoun"] and c.i < tok.i for c in tok.children):
        return None
    text = doc.text
    first = doc[head.left_edge.i]
    s, _ = _sentence_bounds(text, first.idx)
    end = s
    while end > 0 and text[end - 1] in " \t\u00a0":
        end -= 1
    if end <= 0 or text[end - 1] == "\n":
        return None  # the cleft opens its paragraph: what it reports is not in reach
    ps, _ = _sentence_bounds(text, end - 1)
    while end > ps and text[end - 1] in ".!?… \t\u00a0":
        end -= 1
    return (ps, end) if end - ps >= 3 else None


def _modified_clause(doc: Doc, tok: Token, src: Token) -> tuple[tuple[int, int], int] | None:
    """(char span, head token) of the clause a sourcing phrase starting at tok modifies, without the
    phrase: "According to X, [the talks failed]", "[The talks failed], according to X"."""
    head = tok.head
    while head.dep_ in ("prep", "pobj", "pcomp") and head.head.i != head.i:
        head = head.head
    pa, pb = subtree(tok)
    pb = max(pb, subtree(src)[1])
    ha, hb = subtree(head)
    if ha >= pa and hb <= pb:  # the phrase is the whole clause: nothing attributed
        return None
    if pa <= ha:
        span = span_chars(doc, pb, hb)
    elif pb >= hb or not any(t.pos_ in ("VERB", "AUX") for t in doc[pb:hb]):
        span = span_chars(doc, ha, pa)  # "..., according to a review by X in May."
    else:
        span = span_chars(doc, ha, hb)
    return (span, head.i) if span is not None else None


_DOCUMENT_SENSE = CueSense(frozenset({"source"}), "evidence")


def _in_document(doc: Doc, tok: Token, lex: Lexicon) -> Attribution | None:
    """"In the latest Post-ABC News poll, Clinton led Trump 47 percent to 39": a clause set in a poll,
    survey or report (the documents of the lexicon) is what that document says - unless the clause has
    its own reporting verb ("In a statement, X said ...")."""
    if tok.dep_ != "prep":
        return None
    obj = next((o for o in tok.children if o.dep_ == "pobj"), None)
    if obj is None or obj.lemma_.lower() not in lex.documents or obj.tag_ != "NN":
        return None  # "slid in the polls" is no poll's finding
    if not (tok.i == tok.sent.start or doc[tok.i - 1].text in (",", "—", "–") or doc[tok.i - 1].is_space):
        return None  # the phrase sets the clause apart: "In a new poll, ...", "..., in the survey"
    found = _modified_clause(doc, tok, obj)
    if found is None:
        return None
    span, head = found
    if not is_verb(doc[head]) or verb_sense(doc[head], lex) is not None:
        return None
    return Attribution((tok.i, tok.i + 1), obj.i, span, "source", _DOCUMENT_SENSE, content_root=head)


def _noun_cue(doc: Doc, tok: Token, sense: CueSense) -> Attribution | None:
    """"Her claim that ...", "his support for X", "made the decision to ...": the content of a cue noun,
    attributed to its possessor, its "by" agent, or the subject of the verb it is the object of ("said in
    a statement that ..."); with none of them ("fears that ...", "support for X") nobody is named."""
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
    if content is None and ("that" in sense.frames or "be" in sense.frames):
        content = _copular_that(tok)
    if content is None:
        return None
    src = next((c for c in tok.children if c.dep_ == "poss"), None)
    if src is None:
        agent = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        src = next((o for o in agent.children if o.dep_ == "pobj"), None) if agent is not None else None
    gov = tok.head if tok.dep_ == "dobj" else None
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep":
        gov = tok.head.head
    if src is None and gov is not None and is_verb(gov):  # "made the claim that", "said in a statement that"
        s, _, _ = source_of(gov)
        src = doc[s] if s is not None else None
    span = span_chars(doc, *subtree(content))
    if span is None:
        return None
    return Attribution((tok.i, tok.i + 1), src.i if src is not None else None, span, frame, sense,
                       content_root=content.i)


def _hearsay(doc: Doc, tok: Token, sense: CueSense) -> Attribution | None:
    """"The group is reportedly spending $1.5 million", "Google has reportedly looked at Twitter": the
    clause the adverb modifies is reported, by nobody named."""
    head = tok.head
    if tok.dep_ != "advmod" or head.i == tok.i or not is_verb(head):
        return None
    span = span_chars(doc, *subtree(head))
    if span is None:
        return None
    return Attribution((tok.i, tok.i + 1), None, span, "clause", sense, content_root=head.i)


def _copular_that(tok: Token) -> Token | None:
    """"His message has long been that he is a winner", "Their fear is that ...": a cue noun that is the
    subject of "be" with a that-clause says what the clause says."""
    head = tok.head
    if tok.dep_ != "nsubj" or head.lemma_ != "be" or head.i < tok.i:
        return None
    return next((c for c in head.children if c.dep_ == "ccomp" and c.i > head.i and any(
        g.dep_ == "mark" and g.lower_ == "that" and g.i == c.left_edge.i for g in c.children)), None)


# A verb outside the lexicon with a that-clause ("Rubio reckons that ...", "the memo stressed that ..."):
# its subject holds or reports the clause. Copulas are read through their subject noun instead.
_CLAUSE_SENSE = CueSense(frozenset({"that"}), "belief")


def _that_heads(doc: Doc, that_at: list[int], skip: bytearray, lex: Lexicon) -> set[int]:
    """Verbs outside the lexicon whose clausal complement opens with "that" (tokens `that_at`), with a
    subject of their own."""
    out = set()
    for i in that_at:
        t = doc[i]
        if t.dep_ != "mark" or skip[i]:
            continue
        c = t.head
        v = c.head
        if (c.dep_ != "ccomp" or v.i == c.i or v.i > i or v.lemma_ in lex.grammar["copula"] or not is_verb(v)
                or verb_sense(v, lex) is not None or not any(k.dep_ == "nsubj" for k in v.children)):
            continue
        out.add(v.i)
    return out


_INTRO_SENSE = CueSense(frozenset({"quote"}), "speech")


def intro_cue(doc: Doc, tok: Token) -> Attribution | None:
    """A verb outside the lexicon that opens a quotation ("then boomed, “...”", "resisted: “...”"): the
    quotation is its subject's words. None when the verb has no subject to speak them."""
    predicate = tok.pos_ in ("VERB", "AUX") or (  # UD heads a copular clause by its predicate: "a été clair"
        lexicon_of(doc).grammar.ud and any(c.dep_ == "cop" for c in tok.children))
    if not predicate or tok.dep_ in ("amod", "compound") or verb_sense(tok) is not None:
        return None  # a reporting verb is read by the parse pass (and may interrupt its own quote)
    src, rel, passive = source_of(tok)
    if src is None or passive:
        return None
    return Attribution((tok.i, tok.i + 1), src, None, "quote", _INTRO_SENSE, rel=rel)


def headline_cues(doc: Doc, text: str, lines: list[int], tok_starts: list[int], taken: set[int],
                  skip: bytearray, lex: Lexicon | None = None) -> list[Attribution]:
    """Title-case lines ("Hillary Clinton Slams Donald Trump On Abortion") defeat the tagger, which reads
    every word as a name. On such a line with no attribution yet (`taken` holds the lines that have one),
    a capitalised verb form from the lexicon after a name ("Slams", "Finally Endorses") is the cue: the
    name before it the source, the rest of the line the content."""
    lex = lex or lexicon_of(doc)
    out: list[Attribution] = []
    ends = [*lines[1:], len(text) + 1]
    for k, lo in enumerate(lines):
        hi = ends[k] - 1
        if k in taken or not _title_case(text[lo:hi]):
            continue
        for i in range(bisect_left(tok_starts, lo), bisect_left(tok_starts, hi)):
            tok = doc[i]
            if skip[i] or not tok.text[:1].isupper() or not tok.lower_.endswith("s"):
                continue
            lemma = lex.forms.get(tok.lower_)
            sense = lex.verbs.get(lemma) if lemma else None
            if sense is None:
                continue
            j = i - 1
            while j >= 0 and doc[j].lower_.endswith("ly") and doc[j].idx >= lo:
                j -= 1  # "Donald Trump Finally Endorses ..."
            if j < 0 or doc[j].idx < lo or not doc[j].text[:1].isupper() or doc[j].is_punct:
                continue
            span = _clip_line(text, (tok.idx + len(tok.text), hi), lo, hi)
            if span is None or len(text[span[0] : span[1]].split()) < 2:
                continue
            while span[1] > span[0] and text[span[1] - 1] in ".!":
                span = (span[0], span[1] - 1)
            out.append(Attribution((i, i + 1), j, span, "headline", sense))
            break
    return out


def _title_case(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


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


def find_attributions(doc: Doc, skip: bytearray, lex: Lexicon | None = None, text: str | None = None
                      ) -> list[Attribution]:
    """Every cue of the document outside the tokens marked in `skip` (inside quotes, excluded text);
    `text` is `doc.text`, if the caller has it (building it again costs a pass over the tokens).

    Tokens are screened on their hashed lower form and lemma first (one array read), so only the few
    that may be cues become Token objects."""
    lex = lex or lexicon_of(doc)
    out: list[Attribution] = []
    text = doc.text if text is None else text
    keys = doc.to_array([LOWER, LEMMA]).tolist() if len(doc) else []
    maybe = lex.hashes
    that = {get_string_id(w) for w in lex.grammar["that"]}
    clause_verbs = _that_heads(doc, [i for i, (low_h, _) in enumerate(keys) if low_h in that], skip, lex)
    for i, (low_h, lem_h) in enumerate(keys):
        if skip[i] or (low_h not in maybe and lem_h not in maybe and i not in clause_verbs):
            continue
        tok = doc[i]
        low = tok.lower_
        a = None
        if low in lex.phrase_starts:
            a = _according(doc, tok, lex)
        if a is None and low == "in" and lex.documents:
            a = _in_document(doc, tok, lex)
            if a is None:
                continue
        if a is None and low in lex.adverbs:
            a = _hearsay(doc, tok, lex.adverbs[low])
            if a is None:
                continue
        if a is None:
            vs = verb_sense(tok, lex)
            if vs is None and i in clause_verbs:
                vs = (_CLAUSE_SENSE, i + 1)
            if vs is not None:
                sense, cue_end = vs
                src, rel, _ = source_of(tok)
                span, frame, root = verb_content(doc, tok, sense, cue_end)
                if frame == "raise":  # the raised subject is not the source; a passive's agent is
                    src, rel = agent_of(tok), None
                if lex.grammar["cleft"] and (cleft := _cleft(doc, tok, lex)) is not None:
                    span, frame, root, rel = cleft, "cleft", None, None
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
    if not lex.grammar.ud:  # the learned models read the English parse's labels
        boundary.refine(doc, out, boundary.load())
        source.refine(doc, out, source.load())
    return out
