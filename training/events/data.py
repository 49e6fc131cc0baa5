"""Labelled examples for the event classifier, from the train splits only (and the dev sets for scoring).

Every example is an event the rules propose (newsledger.extract.events.propose_events, the run-time
code path), with the features the classifier reads and a label: the PLOVER category it really is, or
NONE when it is not an event. Labels come from three sources:

- PLOVER sentences (../shared/eval/plover/train.jsonl): coded news sentences, one event each. The
  proposal whose actor matches the coded actor takes the coded category (preferring the one the
  rules already gave that category); proposals with another actor are secondary (background events,
  misreadings) and are labelled NONE at half weight; a second proposal of the coded actor is left out
  (it may be a real second act the coders did not record).
- Real articles (training/events/gold/train.jsonl): PolNeAR political news coded by hand, event by
  event, with the traps marked (GUIDE.md). A proposal matching a coded event (same sentence, trigger
  overlapping or same category, right actor) takes its category; every other proposal is NONE. A
  proposal of a real event with the wrong actor is NONE too: the record it would make is wrong.
- Written sentences (training/events/gold/written.jsonl): invented news sentences in the PLOVER format
  for the categories PLOVER's train split lacks (RETREAT, CONCEDE) and contrasts with the same words;
  read like the PLOVER sentences.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EVAL = ROOT.parent / "shared" / "eval"
PLOVER = EVAL / "plover"
POLNEAR = EVAL / "polnear"
GOLD = HERE / "gold"
WRITTEN = GOLD / "written.jsonl"
# The coded train articles and the judged train proposals (judge.py), in the order the data hash reads them
TRAIN_GOLD = ("train.jsonl", "judged_train.jsonl", "judged_train_2.jsonl", "judged_train_3.jsonl")

sys.path.insert(0, str(EVAL))
import score_events  # noqa: E402  (the official matching rules for PLOVER items)

from newsledger import nlp as nlp_mod  # noqa: E402
from newsledger.analyze import extract_before_events, nlp_text  # noqa: E402
from newsledger.clean import clean  # noqa: E402
from newsledger.extract.events.extract import Scored, propose_events  # noqa: E402
from newsledger.extract.events.speech import QUOTE_CATEGORY  # noqa: E402
from newsledger.model import Event, RawDoc  # noqa: E402


@dataclass(frozen=True, slots=True)
class Example:
    features: tuple[str, ...]
    label: str  # a PLOVER category or NONE
    weight: float
    group: str  # the item or article it comes from (folds never split one)
    source: str  # plover | articles


@dataclass(frozen=True, slots=True)
class Parsed:
    """One document and the events the rules propose in it."""

    id: str
    text: str
    proposals: tuple[Scored, ...]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def parse(docs: Iterable[tuple[str, str, str | None]]) -> Iterator[Parsed]:
    """(id, text, published) → proposals, through the same cleaning, parse and extraction as analyze."""
    nlp = nlp_mod.load()
    items = [(i, clean(RawDoc(id=i, text=t, published=p))) for i, t, p in docs]
    for (doc_id, article), doc in zip(items, nlp.pipe(nlp_text(a) for _, a in items), strict=True):
        a = extract_before_events(article, doc)
        props = propose_events(doc, article, a.entities, a.quotes, a.amounts, a.timexes)
        yield Parsed(doc_id, article.text, tuple(props))


# -- PLOVER sentences ---------------------------------------------------------------------------------


def as_prediction(ev: Event) -> dict[str, Any]:
    """An event as score_events.py reads it (what evaluate.py makes of analyze's output)."""
    row: dict[str, Any] = {"category": ev.category, "mode": ev.mode}
    for role, ref in (("actor", ev.actor), ("target", ev.target)):
        row[role] = ref.name if ref else None
        row[f"{role}_start"] = ref.start if ref else None
        row[f"{role}_end"] = ref.end if ref else None
    return row


def plover_items(split: str) -> list[dict[str, Any]]:
    return read_jsonl(PLOVER / f"{split}.jsonl")


def written_items() -> list[dict[str, Any]]:
    """The written sentences (README), in the PLOVER format; training only, never scored."""
    return read_jsonl(WRITTEN) if WRITTEN.exists() else []


def plover_examples(items: list[dict[str, Any]], parsed: dict[str, Parsed]) -> list[Example]:
    out: list[Example] = []
    for item in items:
        p = parsed[item["id"]]
        labels: dict[int, tuple[str, float]] = {}
        for g in item["events"]:
            actors = score_events.gold_spans(g, "actor")
            fits = [j for j, s in enumerate(p.proposals) if not actors
                    or score_events.arg_match(as_prediction(s.event), "actor", actors, item["text"])]
            if not fits:
                continue
            best = next((j for j in fits if p.proposals[j].event.category == g["category"]), fits[0])
            labels[best] = (g["category"], 1.0)
            for j in fits:
                labels.setdefault(j, ("SKIP", 0.0))
        for j, s in enumerate(p.proposals):
            label, weight = labels.get(j, ("NONE", 0.5))
            if label != "SKIP":
                out.append(Example(s.features, label, weight, item["id"], "plover"))
    return out


# -- hand-coded articles --------------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w][\w\-.']*")


def _words(s: str) -> set[str]:
    out = set()
    for t in _TOKEN.findall(s.lower()):
        t = t.rstrip(".'")
        out.add(t[:-2] if t.endswith("'s") else t)
    return out - {"the", "a", "an", "mr", "mrs", "ms", "sen", "rep", "gov", "dr", "president"}


def actor_agrees(ev: Event, gold: dict[str, Any] | None, text: str) -> bool:
    """Does the record's actor name the coded actor? Offsets overlap, or the names share their head word
    ("Trump" for "Donald Trump", a pronoun resolved to the right entity). A coded null accepts any."""
    if gold is None:
        return True
    if ev.actor is None:
        return False
    if ev.actor.start < gold["end"] and gold["start"] < ev.actor.end:
        return True
    mine = _words(ev.actor.name) | _words(text[ev.actor.start: ev.actor.end])
    theirs = _words(gold["text"])
    head = re.findall(r"[\w'-]+", gold["text"].lower())
    last = head[-1] if head else ""
    return bool(theirs) and (last in mine or bool(mine and theirs and mine <= theirs))


def article_gold(split: str) -> dict[str, list[dict[str, Any]]]:
    """doc id → its coded records (events and `none` traps): for dev the audited articles
    (gold/dev_audit.jsonl); for train the coded articles (gold/train.jsonl) and the judged proposals
    (gold/judged_train.jsonl, made with judge.py)."""
    names = TRAIN_GOLD if split == "train" else ("dev_audit.jsonl",)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        path = GOLD / name
        if path.exists():
            for r in read_jsonl(path):
                by_doc.setdefault(r["doc"], []).append(r)
    return by_doc


def match(ev: Event, records: list[dict[str, Any]], text: str) -> tuple[str, dict[str, Any] | None]:
    """How a record stands against the coded events of its article: correct | wrong_actor |
    wrong_category | trap (a coded non-event) | unlisted (nothing coded there), with the gold record."""
    t0, t1 = ev.trigger.start, ev.trigger.end
    events = [r for r in records if r["kind"] == "event" and r["sent"][0] <= t0 < r["sent"][1]]
    overlap = [r for r in events if r["trigger"]["start"] < t1 and t0 < r["trigger"]["end"]]
    same_cat = [r for r in events if r["category"] == ev.category]
    for pool in (overlap, same_cat):
        right = [r for r in pool if r["category"] == ev.category]
        good = [r for r in right if actor_agrees(ev, r.get("actor"), text)]
        if good:
            return "correct", good[0]
        if right:
            return "wrong_actor", right[0]
        if pool:
            return "wrong_category", pool[0]
    traps = [r for r in records if r["kind"] == "none" and r["trigger"]["start"] < t1
             and t0 < r["trigger"]["end"]]
    return ("trap", traps[0]) if traps else ("unlisted", None)


def quote_gold(ev: Event, records: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The coded act a quote proposal stands for: an event of its speaker coded within the quote or its
    sentence (the reporting verb, or the words carrying the act)."""
    lo, hi = ev.evidence
    for r in records:
        if r["kind"] == "event" and lo <= r["trigger"]["start"] < hi and actor_agrees(ev, r.get("actor"),
                                                                                      text):
            return r
    return None


def article_examples(parsed: dict[str, Parsed], gold: dict[str, list[dict[str, Any]]]) -> list[Example]:
    out: list[Example] = []
    for doc_id, records in sorted(gold.items()):
        p = parsed[doc_id]
        exhaustive = any(not r.get("judged") for r in records)  # coded whole, not proposal by proposal
        for s in p.proposals:
            if s.event.category == QUOTE_CATEGORY:
                rec = quote_gold(s.event, records, p.text)
                if rec is None and not exhaustive and not any(
                        r["trigger"]["start"] == s.event.trigger.start for r in records):
                    continue
                label, weight = ((rec["category"], 1.0 if rec.get("clear", True) else 0.5) if rec
                                 else ("NONE", 1.0))
                out.append(Example(s.features, label, weight, doc_id, "articles"))
                continue
            verdict, rec = match(s.event, records, p.text)
            if verdict == "unlisted" and not exhaustive:
                continue  # a proposal nobody judged (the rules changed since): no label
            if verdict == "correct" and rec is not None:
                out.append(Example(s.features, rec["category"], 1.0 if rec.get("clear", True) else 0.5,
                                   doc_id, "articles"))
            elif verdict == "wrong_category" and rec is not None and actor_agrees(s.event, rec.get("actor"),
                                                                                  p.text):
                # the right act, miscategorised by the rules (a judged proposal says so outright)
                weight = 1.0 if rec.get("judged") else 0.5
                weight = weight if rec.get("clear", True) else weight / 2
                out.append(Example(s.features, rec["category"], weight, doc_id, "articles"))
            else:  # not an event, or a wrong actor (a wrong record either way; the latter is less sure)
                out.append(Example(s.features, "NONE", 0.5 if verdict == "wrong_actor" else 1.0, doc_id,
                                   "articles"))
    return out


def polnear_texts(split: str, ids: Iterable[str]) -> list[tuple[str, str, str | None]]:
    want = set(ids)
    return [(d["id"], d["text"], (d.get("meta") or {}).get("date"))
            for d in read_jsonl(POLNEAR / f"{split}.jsonl") if d["id"] in want]
