"""The audit of events on real articles: every event a run claims, judged against the hand-coded
articles (gold/dev_audit.jsonl, made per GUIDE.md), and the coded events it finds.

  python training/events/audit.py ANALYZE_OUTPUT.jsonl [--split dev] [--show unlisted|wrong|all]

ANALYZE_OUTPUT is what `newsledger analyze --jsonl` wrote for the audited articles. Each claimed event
is correct, has the wrong actor, the wrong category, is a coded trap (a word coded as no event), or is
unlisted (nothing coded there: not an event unless the coders missed it; `--show unlisted` lists them
to read). Precision counts only the correct ones; recall is over the events coded clear.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import article_gold, match
from newsledger.model import Event, Ref, Span

VERDICTS = ("correct", "wrong_actor", "wrong_category", "trap", "unlisted")


def score(events: dict[str, list[Event]], texts: dict[str, str], gold: dict[str, list[dict[str, Any]]]
          ) -> tuple[dict[str, Any], list[tuple[str, str, Event, dict[str, Any] | None]]]:
    """Figures over the documents that have a gold, and each judged record."""
    counts: Counter[str] = Counter()
    judged = []
    found: set[tuple[str, int]] = set()
    for doc_id, records in gold.items():
        for ev in events.get(doc_id, []):
            verdict, rec = match(ev, records, texts[doc_id])
            counts[verdict] += 1
            judged.append((doc_id, verdict, ev, rec))
            if verdict == "correct" and rec is not None:
                found.add((doc_id, rec["trigger"]["start"]))
    clear = [(d, r) for d, rs in gold.items() for r in rs if r["kind"] == "event" and r.get("clear", True)]
    claimed = sum(counts.values())
    hit = sum(1 for d, r in clear if (d, r["trigger"]["start"]) in found)
    figures = {"articles": len(gold), "claimed": claimed, **{v: counts[v] for v in VERDICTS},
               "precision": counts["correct"] / claimed if claimed else 0.0,
               "clear_events": len(clear), "clear_found": hit,
               "recall": hit / len(clear) if clear else 0.0}
    return figures, judged


def _event(d: dict[str, Any]) -> Event:
    def ref(r: dict[str, Any] | None) -> Ref | None:
        return Ref(r.get("entity"), r["name"], r["start"], r["end"]) if r else None

    t = d["trigger"]
    return Event(id=d["id"], category=d["category"], mode=d.get("mode"), modality=d["modality"],
                 actor=ref(d.get("actor")), target=ref(d.get("target")),
                 trigger=Span(t["start"], t["end"], t["text"]),
                 evidence=(d["evidence"]["start"], d["evidence"]["end"]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", type=Path)
    ap.add_argument("--split", default="dev", choices=("dev", "train"))
    ap.add_argument("--show", choices=("unlisted", "wrong", "all"))
    args = ap.parse_args()
    gold = article_gold(args.split)
    events: dict[str, list[Event]] = {}
    texts: dict[str, str] = {}
    for line in args.output.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "error" in rec or rec.get("id") not in gold:
            continue
        texts[rec["id"]] = rec["text"]
        events[rec["id"]] = [_event(e) for e in rec["events"]]
    missing = sorted(set(gold) - set(texts))
    if missing:
        print(f"no output for {len(missing)} audited articles: {missing[:3]}…", file=sys.stderr)
        gold = {k: v for k, v in gold.items() if k in texts}
    figures, judged = score(events, texts, gold)
    for doc_id, verdict, ev, rec in judged:
        wanted = args.show == "all" or (args.show == "unlisted" and verdict == "unlisted") or (
            args.show == "wrong" and verdict != "correct")
        if wanted:
            text = texts[doc_id]
            sent = text[ev.evidence[0]: ev.evidence[1]].replace("\n", " ")
            actor = ev.actor.name if ev.actor else None
            print(f"{verdict:14} {ev.category:9} {ev.modality:11} actor={actor!s:22} "
                  f"trig={ev.trigger.text!r}")
            print(f"    {doc_id}: {sent[:300]}")
            if rec is not None and rec["kind"] == "event":
                print(f"    gold: {rec['category']} actor={(rec.get('actor') or {}).get('text')}")
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
