"""Where reported content ends: a learned choice among the places a clause can stop.

The parse rules of `content.py` find where a cue's content starts well (the complement, object or
infinitive it takes), but where it ends is a matter of convention the rules guessed at: is "in coming
weeks" in "may endorse Clinton in coming weeks" part of what is reported (no: it sets the scene), is
"as captured by a hard-line philosophy" in "sees Netanyahu as captured by ..." (yes: it is the view)?
PolNeAR's annotators settled thousands of such cases, so the choice is learned from its train split
(`make models`, training/quotes/boundary.py) instead of written by hand.

For content that follows its cue, every place the content could stop is a candidate: the rules' end,
the end of the sentence, each punctuation mark and each dependent phrase that opens inside the
sentence. Each candidate is described by the words around the cut and how the phrase cut off hangs
(from the cue, from the content's head, from inside the content), and a logistic regression scores
it; the best candidate wins when it beats the rules' own end by the margin chosen on the dev set.
The model ships as `boundary.json` beside this module (plain weights, read with numpy, as the event
model is), so the package needs no machine-learning library at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from newsledger.extract.linear import Linear, ModelError, read_model
from newsledger.extract.quotes.content import PRO_FORMS, SETTING, WHEN
from newsledger.extract.quotes.syntax import Attribution, span_chars

MODEL_FILE = "boundary.json"
FORMAT = 1
FRAMES = ("that", "obj", "prep", "to")  # the content frames whose end is the rules' guess
_CUTS = {",", ";", ":", "—", "–", "-", "--", "(", ")", "."}
_MAX_CANDIDATES = 40


@dataclass(frozen=True, slots=True)
class BoundaryModel:
    linear: Linear  # one column: the score of a candidate end
    margin: float  # how much a candidate must beat the rules' end by to replace it (chosen on dev)
    meta: dict[str, Any]


def _bucket(n: int) -> str:
    return str(n) if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "11+"


def _attachment(tok: Token, a: int, e: int, cue: Token, root: int | None) -> str:
    """How the phrase opening at `tok` hangs: from the cue, from the content's head, from a word
    inside the content, or from outside both."""
    h = tok.head
    if h.i == cue.i:
        return "cue"
    if root is not None and h.i == root:
        return "root"
    if a <= h.i < e:
        return "in"
    return "out"


def _phrase_head(tok: Token, e: int) -> Token:
    """The head of the phrase that opens at token `e`: the highest token whose subtree starts there."""
    h = tok
    while h.head.i != h.i and h.head.i >= e and h.head.left_edge.i == e:
        h = h.head
    return h


def _closed(tok: Token) -> str:
    """A function word as itself (prepositions, conjunctions, punctuation); other words by their tag."""
    if tok.is_punct or tok.pos_ in ("ADP", "SCONJ", "CCONJ", "PART", "DET", "PRON", "ADV", "AUX"):
        return tok.lower_
    return tok.pos_


def _scene(c: Token) -> bool:
    """A phrase on the cue that says when or amid what it was said ("defended its spending amid falling
    poll numbers", "called the plan “a disgrace” on Monday"), never what was said. PolNeAR's annotators
    split evenly on dates ("on Monday" ends 22 train contents and follows 22 others), and the setting
    prepositions are too rare in train to learn; the rules' reading is the one a user expects."""
    if c.dep_ == "npadvmod" and c.ent_type_ in WHEN:
        return True
    if c.dep_ != "prep":
        return False
    return c.lower_ in SETTING or any(o.dep_ == "pobj" and o.ent_type_ in WHEN for o in c.children)


def candidates(doc: Doc, sent: Span, cue: Token, a: int, b: int, cues: frozenset[int] = frozenset()
               ) -> list[int]:
    """Token positions where content starting at token `a` may end (exclusive), nearest the rules' `b`
    first. Never past a phrase that sets the cue's scene (`_scene`), nor into another report (one of
    `cues`: "said the economy was weak, while farmers said prices were fair")."""
    stop = next((c.left_edge.i for c in cue.children if b <= c.left_edge.i < sent.end and _scene(c)),
                sent.end)
    stop = min([stop] + [doc[k].left_edge.i for k in cues if b < k < stop and doc[k].left_edge.i >= b])
    out = {b, stop}
    for i in range(a + 1, stop):
        t = doc[i]
        if t.text in _CUTS or t.is_quote or (t.left_edge.i == i and t.head.i < i):
            out.add(i)
    ranked = sorted(out, key=lambda e: (e != b, abs(e - b)))
    return sorted(ranked[:_MAX_CANDIDATES])


@dataclass(frozen=True, slots=True)
class SentenceCounts:
    """Running counts over one sentence, so each candidate's features cost no walk to its end."""

    start: int
    words: tuple[int, ...]  # words[k]: tokens that are not punctuation or space among sent[k:]
    quotes: tuple[int, ...]  # quotes[k]: quotation marks among sent[:k]

    @classmethod
    def of(cls, sent: Span) -> SentenceCounts:
        words, quotes = [0] * (len(sent) + 1), [0] * (len(sent) + 1)
        for k in range(len(sent) - 1, -1, -1):
            t = sent[k]
            words[k] = words[k + 1] + (not (t.is_punct or t.is_space))
        for k, t in enumerate(sent):
            quotes[k + 1] = quotes[k] + t.is_quote
        return cls(sent.start, tuple(words), tuple(quotes))


def features(doc: Doc, sent: Span, cue: Token, a: int, b: int, e: int, root: int | None, frame: str,
             counts: SentenceCounts | None = None) -> tuple[str, ...]:
    """What the model reads about ending the content at token `e` (the rules ended it at `b`)."""
    counts = counts or SentenceCounts.of(sent)
    o = counts.start
    f = [f"frame={frame}", "len=" + _bucket(e - a)]
    side = "rule" if e == b else "ext" if e > b else "cut"
    f.append(side)
    if e != b:
        f.append(f"{side}={_bucket(abs(e - b))}")
    rest = counts.words[e - o]
    if not rest:
        f.append("send")
    else:
        x = doc[e]
        h = _phrase_head(x, e)
        att = _attachment(h, a, e, cue, root)
        f += [f"x={_closed(x)}", f"xdep={x.dep_}", f"h={_closed(h)}", f"hdep={h.dep_}", f"att={att}",
              f"hdep={h.dep_}|att={att}", f"h={_closed(h)}|att={att}", f"x={_closed(x)}|att={att}",
              f"x={_closed(x)}|frame={frame}", f"hdep={h.dep_}|frame={frame}", "rest=" + _bucket(rest),
              # whether a phrase is the scene or the content depends on which side of the rules' end it is
              f"{side}|h={_closed(h)}|att={att}", f"{side}|hdep={h.dep_}|att={att}"]
        if h.ent_type_:
            f.append(f"hent={h.ent_type_}|att={att}")
        obj = next((c for c in h.children if c.dep_ in ("pobj", "pcomp")), None)
        if obj is not None:
            f.append(f"pobj={obj.ent_type_ or obj.pos_}|h={_closed(h)}")
        if h.right_edge.i + 1 >= sent.end - 1:
            f.append(f"tail|att={att}")
        if counts.quotes[min(h.right_edge.i + 1, sent.end) - o] > counts.quotes[e - o]:
            f.append("quoted")
    if e > b:  # what the extension takes in: each phrase in it ("on Monday", "as most unfair")
        for t in doc[b:e]:
            if t.is_punct or b <= t.head.i < e:
                continue
            gatt = _attachment(t, a, b, cue, root)
            f += [f"add={_closed(t)}|att={gatt}", f"adddep={t.dep_}|att={gatt}"]
            gobj = next((c for c in t.children if c.dep_ in ("pobj", "pcomp")), None)
            ent = t.ent_type_ or (gobj.ent_type_ if gobj is not None else "")
            if ent:
                f.append(f"addent={ent}")
    y = doc[e - 1]
    f += [f"y={_closed(y)}", f"ydep={y.dep_}"]
    return tuple(f)


def _token_span(doc: Doc, content: tuple[int, int]) -> tuple[int, int] | None:
    span = doc.char_span(content[0], content[1], alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def refinable(doc: Doc, attr: Attribution) -> tuple[Span, int, int] | None:
    """(sentence, first token, rules' end token) of content the model may re-end: content of a verb
    frame, after its cue, inside one sentence."""
    if attr.content is None or attr.frame not in FRAMES:
        return None
    toks = _token_span(doc, attr.content)
    if toks is None:
        return None
    a, b = toks
    cue = doc[attr.cue[0]]
    sent = cue.sent
    if a <= cue.i or b > sent.end or (b - a <= 2 and doc[a].lower_ in PRO_FORMS | {"as"}):
        return None  # (a pro-form, "said so", "said as much", is the whole content)
    return sent, a, b


def refine(doc: Doc, attrs: list[Attribution], model: BoundaryModel | None) -> None:
    """Re-end the content of `attrs` in place where the model is confident the rules stopped wrong."""
    if model is None:
        return
    cues = frozenset(attr.cue[0] for attr in attrs)
    for attr in attrs:
        where = refinable(doc, attr)
        if where is None:
            continue
        sent, a, b = where
        cue = doc[attr.cue[0]]
        ends = candidates(doc, sent, cue, a, b, cues)
        root = attr.content_root
        counts = SentenceCounts.of(sent)
        scores = [float(model.linear.scores(features(doc, sent, cue, a, b, e, root, attr.frame, counts))[0])
                  for e in ends]
        best = max(range(len(ends)), key=scores.__getitem__)
        if ends[best] != b and scores[best] - scores[ends.index(b)] >= model.margin:
            chars = span_chars(doc, a, ends[best])
            if chars is not None:
                attr.content = chars


def from_dict(data: dict[str, Any]) -> BoundaryModel:
    if data.get("format") != FORMAT:
        raise ModelError(f"quote boundary model format {data.get('format')!r}, this version reads {FORMAT}")
    return BoundaryModel(linear=Linear.from_dict(data), margin=float(data["margin"]),
                         meta=dict(data.get("meta", {})))


@lru_cache(maxsize=1)
def load() -> BoundaryModel:
    """The shipped model, read once per process."""
    return read_model("newsledger.extract.quotes", MODEL_FILE, "quote boundary model", from_dict)
