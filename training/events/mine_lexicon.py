"""Which words the coded train articles use for events that no lexicon row proposes: the evidence for
new rows in plover.tsv (read, then added by hand with a frame; the event model judges them in context).

  python training/events/mine_lexicon.py [--min 2]

Prints, most frequent first: count, (trigger head lemma, part of speech, other trigger words), the
categories the coders gave, and how often the same lemma was coded as a trap (a `none` line).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data
from newsledger import nlp as nlp_mod
from newsledger.extract.events.speech import QUOTE_CATEGORY


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min", type=int, default=2)
    args = ap.parse_args()
    gold = {d: [r for r in rs if not r.get("judged")] for d, rs in data.article_gold("train").items()}
    gold = {d: rs for d, rs in gold.items() if rs}  # coded whole: every event there is known
    nlp = nlp_mod.load()
    missed: Counter[tuple[str, str, str]] = Counter()
    cats: defaultdict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    traps: Counter[str] = Counter()
    for p in data.parse(data.polnear_texts("train", sorted(gold))):
        doc = nlp(p.text)
        rule = [s.event for s in p.proposals if s.event.category != QUOTE_CATEGORY]
        for r in gold[p.id]:
            span = doc.char_span(r["trigger"]["start"], r["trigger"]["end"], alignment_mode="expand")
            if span is None:
                continue
            if r["kind"] == "none":
                traps[span.root.lemma_.lower()] += 1
                continue
            if r.get("quote") or any(data.match(replace(ev, category=r["category"]), [r], p.text)[0]
                                     in ("correct", "wrong_actor") for ev in rule):
                continue
            root = span.root
            key = (root.lemma_.lower(), root.pos_,
                   " ".join(t.lemma_.lower() for t in span if t != root and not t.is_punct))
            missed[key] += 1
            cats[key][r["category"]] += 1
    for key, n in missed.most_common():
        if n >= args.min:
            print(n, key, dict(cats[key]), f"traps {traps[key[0]]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
