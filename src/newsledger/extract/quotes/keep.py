"""Which found attributions to keep: a learned last word on each quote the rules found.

The rules find a quote wherever a cue has a source or content ("voters say the economy matters most",
"ignored Cruz", a headline fragment with a colon). Many are attributions a trained annotator would mark,
some are not, and the kind of cue, the shape of its content and who speaks tell them apart better than
any rule written while reading examples: "believe" with a plural bare noun as source is a poll category,
"respond" with a negation is no reply at all. A logistic regression, fitted on PolNeAR's train split
(`make models`, training/quotes/keep.py), gives each quote the probability that an annotator marked it;
quotes below the threshold chosen on the dev split are dropped. What it reads: the quote's kind and what
it reports, its cue (lemma, how it hangs, its negation, modal, marker and objects), its speaker (a name,
an entity of which type, a pronoun, a plain noun), and its content (length, how it opens, its head).

English only: the weights are over the English parse's labels and lemmas (as the boundary model's are).
The model ships as `keep.json` beside this module (plain weights, extract/linear.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Token

from newsledger.extract.linear import Linear, ModelError, read_model
from newsledger.model import Quote

MODEL_FILE = "keep.json"
FORMAT = 1
_MODALS = {"would", "could", "might", "may", "should", "must", "will", "can", "'d", "wo", "ca"}
_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "who", "which", "that"}
_CUE_ARGS = {"dobj", "dative", "attr", "prep", "xcomp", "ccomp", "acomp", "oprd", "agent"}
_CLOSED = {".", "?", "!", "”", '"', "’", "'", ":"}


@dataclass(frozen=True, slots=True)
class KeepModel:
    linear: Linear  # one column: the log-odds that an annotator marks the quote
    threshold: float  # P(marked) a quote must reach to be kept (chosen on dev)
    meta: dict[str, Any]

    def probability(self, features: tuple[str, ...]) -> float:
        import math

        z = float(self.linear.scores(features)[0])
        return 1.0 / (1.0 + math.exp(-z))


def _word(tok: Token) -> str:
    """A word as a feature: its lemma, but "PROPN" for a name (a model that learns names learns its train
    articles, not attribution)."""
    return "PROPN" if tok.pos_ == "PROPN" else tok.lemma_.lower()


def _cue_token(doc: Doc, q: Quote) -> Token | None:
    if q.cue is None:
        return None
    span = doc.char_span(q.cue.start, q.cue.end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def features(doc: Doc, q: Quote, text: str, types: dict[str, str]) -> tuple[str, ...]:
    """What the model reads about one quote (sorted, no repeats)."""
    f = {f"kind={q.kind}", f"rep={q.reported}", f"rep|kind={q.reported}|{q.kind}"}
    cue = _cue_token(doc, q)
    content = doc.char_span(q.start, q.end, alignment_mode="expand")
    n = len(content) if content is not None else 0
    f.add(f"len={min(n // 5, 8)}")
    if content is not None and n:
        f |= {f"c0={_word(content[0])}", f"c01={_word(content[0])}|{_word(content[1]) if n > 1 else ''}",
              f"croot={content.root.pos_}", f"crootdep={content.root.dep_}",
              f"croot_lem={_word(content.root)}"}
        if any(t.pos_ in ("VERB", "AUX") for t in content):
            f.add("c_verb")  # a clause, not a bare noun phrase
        if content[0].sent.start != content[-1].sent.start:
            f.add("multi_sent")
        if content.start == content[0].sent.start:
            f.add("c_sent_start")
    if cue is None:
        f.add("nocue")  # a quotation owned by a signature, a label or the previous paragraph
    else:
        lem = cue.lemma_.lower()
        f |= {f"cue={lem}", f"cue|kind={lem}|{q.kind}", f"cue|rep={lem}|{q.reported}", f"cuedep={cue.dep_}",
              f"cuetag={cue.tag_}"}
        for ch in cue.children:
            if ch.dep_ == "neg":
                f.add("cue_neg")  # "did not respond", "never said"
            elif ch.dep_ in ("aux", "auxpass"):
                f.add(f"cueaux={ch.lower_}")
                if ch.lower_ in _MODALS:
                    f.add("cue_modal")  # "would say", "could tell": not said (yet)
            elif ch.dep_ == "mark":
                f.add(f"cuemark={ch.lower_}")  # "if", "whether", "because"
            elif ch.dep_ == "advmod":
                f.add(f"cueadv={_word(ch)}")
            if ch.dep_ in _CUE_ARGS:
                f.add(f"cue_{ch.dep_}={_word(ch)}")
        if cue.dep_ != "ROOT":
            f.add(f"cuehead={_word(cue.head)}")
            f.add(f"cuehead|dep={cue.head.pos_}|{cue.dep_}")
        sent = cue.sent
        if sent[-1].text not in _CLOSED:
            f.add("sent_noend")  # a headline or a fragment
        if any(t.text == "?" for t in sent):
            f.add("question")
        if cue.i - sent.start < 2:
            f.add("cue_initial")
        if content is not None and n:
            f.add("content_after" if content.start > cue.i else "content_before")
    if q.speaker is None:
        f.add("spk=none")
    else:
        word = text[q.speaker.start: q.speaker.end].lower()
        etype = types.get(q.speaker.entity) if q.speaker.entity else None
        if word in _PRONOUNS:
            f.add(f"spk=pron:{word}")
        elif etype:
            f.add("spk=entity")
        else:
            f.add("spk=name" if q.speaker.name[:1].isupper() else "spk=noun")
        if etype:
            f.add(f"spktype={etype}")
            if cue is not None:
                f.add(f"cue|spktype={cue.lemma_.lower()}|{etype}")
        span = doc.char_span(q.speaker.start, q.speaker.end, alignment_mode="expand")
        if span is not None and len(span):
            f |= {f"spkdep={span.root.dep_}", f"spklem={_word(span.root)}"}
            if span.root.tag_ in ("NNS", "NNPS"):
                f.add("spk_plural")  # "voters say", "Democrats believe": often a poll's category
    if q.via:
        f.add("via")
    if q.date:
        f.add("dated")
    return tuple(sorted(f))


def keep(doc: Doc, quotes: list[Quote], text: str, types: dict[str, str], model: KeepModel | None
         ) -> list[Quote]:
    """The quotes the model keeps (all of them when there is no model)."""
    if model is None:
        return quotes
    return [q for q in quotes if model.probability(features(doc, q, text, types)) >= model.threshold]


def from_dict(data: dict[str, Any]) -> KeepModel:
    if data.get("format") != FORMAT:
        raise ModelError(f"quote keep model format {data.get('format')!r}, this version reads {FORMAT}")
    return KeepModel(linear=Linear.from_dict(data), threshold=float(data["threshold"]),
                     meta=dict(data.get("meta", {})))


@lru_cache(maxsize=1)
def load() -> KeepModel:
    """The shipped model, read once per process."""
    return read_model("newsledger.extract.quotes", MODEL_FILE, "quote keep model", from_dict)
