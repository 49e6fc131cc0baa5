"""Who is the source of a report: a learned choice among the nouns of the cue's sentence.

The parse rules of `attribution.py` take a cue's subject (or agent, or "according to" object) as its
source. That is right for "X said that ...", and misses in shapes the rules never listed: an infinitive
or participle cue whose speaker is the subject of the verb it hangs on ("Okafor was pressed to explain
why ...", "Trump fired back a response saying ..."), a source set off by dashes or an appositive. Every
noun and pronoun in the cue's sentence outside the reported content is a candidate; a logistic
regression fitted on PolNeAR's train split (`make models`, training/quotes/source.py) scores each from
how it hangs relative to the cue (the dependency path between them), what it is (a name of which type,
a pronoun, a common noun such as "spokesman" or "poll") and the cue's own shape. It learns to point at
the head of the source phrase (not at "Texas" in "the judges who ruled that Texas ..."). The best
candidate fills a source the rules left empty when it is more likely than not, and replaces the rules'
source only when it beats it by the margin chosen on the dev split; otherwise the rules' choice stands.
On the dev split most of the gain is from filling: replacing helps little, so the margin is wide
(the response in "fired back a response saying" still wins over Trump).

English only: the weights are over the English parse's labels (as the boundary model's are).
The model ships as `source.json` beside this module (plain weights, extract/linear.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Token

from newsledger.extract.linear import Linear, ModelError, read_model
from newsledger.extract.quotes.syntax import Attribution

MODEL_FILE = "source.json"
FORMAT = 1
_NOMINAL = {"NOUN", "PROPN", "PRON"}
_RELATIVE = {"WP", "WDT", "WP$"}  # "who said": the rules resolve a relative to what it stands for
_MAX_UP = 4


@dataclass(frozen=True, slots=True)
class SourceModel:
    linear: Linear  # one column: the log-odds that a candidate heads the source
    margin: float  # how much a candidate must beat the rules' source by to replace it (chosen on dev)
    fill: float  # P(source) a candidate needs to fill a source the rules left empty (chosen on dev)
    meta: dict[str, Any]


def candidates(doc: Doc, attr: Attribution) -> list[Token]:
    """The nouns and pronouns of the cue's sentence that could head its source: outside the cue and the
    reported content, not a word inside a name (its head stands for it), not a relative pronoun."""
    cue = doc[attr.cue[0]]
    lo, hi = attr.content if attr.content is not None else (-1, -1)
    out = []
    for t in cue.sent:
        if t.pos_ not in _NOMINAL or t.tag_ in _RELATIVE or t.dep_ in ("compound", "flat"):
            continue
        if attr.cue[0] <= t.i < attr.cue[1] or lo <= t.idx < hi:
            continue
        out.append(t)
    return out


def _ancestors(t: Token) -> list[Token]:
    chain = [t]
    while chain[-1].head.i != chain[-1].i and len(chain) < 12:
        chain.append(chain[-1].head)
    return chain


def _path(t: Token, cue: Token) -> tuple[str, str]:
    """The dependency path from candidate to cue through their lowest common ancestor: its shape
    (steps up from each) and its labels."""
    up_t, up_c = _ancestors(t), _ancestors(cue)
    at_c = {x.i: k for k, x in enumerate(up_c)}
    for k, x in enumerate(up_t):
        if x.i in at_c:
            j = at_c[x.i]
            left = ">".join(y.dep_ for y in up_t[: min(k, _MAX_UP)])
            right = ">".join(y.dep_ for y in up_c[: min(j, _MAX_UP)])
            return f"{min(k, _MAX_UP)}|{min(j, _MAX_UP)}", f"{left}^{right}"
    return "far", "far"


def features(doc: Doc, attr: Attribution, t: Token) -> tuple[str, ...]:
    """What the model reads about candidate `t` as the source of `attr` (sorted, no repeats)."""
    cue = doc[attr.cue[0]]
    shape, labels = _path(t, cue)
    word = t.lower_ if t.pos_ == "PRON" else t.lemma_.lower() if t.pos_ == "NOUN" else "PROPN"
    gap = abs(t.i - cue.i)
    far = str(gap) if gap <= 3 else "4-8" if gap <= 8 else "9+"
    f = {f"dep={t.dep_}", f"tag={t.tag_}", f"ent={t.ent_type_ or '-'}", f"w={word}",
         f"shape={shape}", f"path={labels}", f"frame={attr.frame}", f"frame|path={attr.frame}|{labels}",
         f"cuetag={cue.tag_}", f"cuetag|path={cue.tag_}|{labels}", f"cue={cue.lemma_.lower()}",
         f"side={'before' if t.i < cue.i else 'after'}", f"gap={far}",
         f"dep|cuedep={t.dep_}|{cue.dep_}"}
    if attr.source is None:
        f.add("rules_none")
    elif attr.source == t.i:
        f.add("rules")
        f.add(f"rules|frame={attr.frame}")
    if cue.dep_ != "ROOT":  # a participle, infinitive or clause: whose verb it hangs on matters
        head = cue.head
        f.add(f"cuehead={head.lemma_.lower() if head.pos_ in ('VERB', 'AUX', 'NOUN') else head.pos_}")
    if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT":
        f.add("root_subject")
    if t.dep_ == "pobj":
        f.add(f"pobj_of={t.head.lower_}")
    if any(c.dep_ == "appos" for c in t.children):
        f.add("has_appos")
    if t.dep_ == "poss":
        f.add(f"poss_of={t.head.lemma_.lower() if t.head.pos_ == 'NOUN' else t.head.pos_}")
    return tuple(sorted(f))


def probability(model: SourceModel, feats: tuple[str, ...]) -> float:
    return 1.0 / (1.0 + math.exp(-float(model.linear.scores(feats)[0])))


def refine(doc: Doc, attrs: list[Attribution], model: SourceModel | None) -> None:
    """Re-choose the source of `attrs` in place where the model is confident the rules chose wrong."""
    if model is None:
        return
    for attr in attrs:
        cands = candidates(doc, attr)
        if not cands:
            continue
        scores = [float(model.linear.scores(features(doc, attr, t))[0]) for t in cands]
        best = max(range(len(cands)), key=scores.__getitem__)
        if attr.source is None:
            if 1.0 / (1.0 + math.exp(-scores[best])) >= model.fill:
                attr.source, attr.rel = cands[best].i, None
            continue
        rules = next((k for k, t in enumerate(cands) if t.i == attr.source), None)
        if rules is None or best == rules:
            continue  # the rules' source lies outside the sentence's candidates: theirs stands
        if scores[best] - scores[rules] >= model.margin:
            attr.source, attr.rel = cands[best].i, None


def from_dict(data: dict[str, Any]) -> SourceModel:
    if data.get("format") != FORMAT:
        raise ModelError(f"quote source model format {data.get('format')!r}, this version reads {FORMAT}")
    return SourceModel(linear=Linear.from_dict(data), margin=float(data["margin"]), fill=float(data["fill"]),
                       meta=dict(data.get("meta", {})))


@lru_cache(maxsize=1)
def load() -> SourceModel:
    """The shipped model, read once per process."""
    return read_model("newsledger.extract.quotes", MODEL_FILE, "quote source model", from_dict)
