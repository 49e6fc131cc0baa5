"""More training labels, faster: hand judgements of the events the rules propose in train articles.

Coding a whole article (GUIDE.md, gold/train.jsonl) finds every event but is slow. Judging proposals
is quick and gives exactly what the classifier learns from: for each event the rules (or a quote)
propose, a coder says whether it is an event, which category it really is, and who really acts.

  python training/events/judge.py export --skip 120 --n 200 --batches 8 --out DIR
  python training/events/judge.py import DIR/*.verdicts.jsonl --out gold/judged_train.jsonl

`export` writes DIR/batch_K.jsonl, one proposal per line with its sentence (and quote). A coder writes
DIR/batch_K.verdicts.jsonl: {"pid", "verdict": "event"|"none", "category", "actor", "target", "clear"}.
`import` turns verdicts into gold records (the format of gold/train.jsonl, anchored on the proposal's
trigger), so data.py reads them as it reads coded articles. Only train articles are ever exported.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import goldtool

import data
from newsledger.extract.events.speech import QUOTE_CATEGORY


def pid(doc: str, start: int, end: int) -> str:
    return f"{doc}#{start}-{end}"


def export(skip: int, n: int, batches: int, out: Path, lengths: tuple[int, int] = (1200, 8000)) -> None:
    ids = goldtool.pick("train", n, skip, lengths)
    coded = set(data.article_gold("train"))
    ids = [i for i in ids if i not in coded]
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for p in data.parse(data.polnear_texts("train", ids)):
        for s in p.proposals:
            ev = s.event
            lo, hi = ev.evidence
            row = {"pid": pid(p.id, ev.trigger.start, ev.trigger.end), "doc": p.id,
                   "sentence": p.text[lo:hi].replace("\n", " "), "trigger": ev.trigger.text,
                   "proposed": None if ev.category == QUOTE_CATEGORY else ev.category,
                   "actor": ev.actor.name if ev.actor else None,
                   "target": ev.target.name if ev.target else None}
            if ev.category == QUOTE_CATEGORY and ev.quote is not None:
                row["kind"] = "quote"
            rows.append(row)
    size = -(-len(rows) // batches)
    for k in range(batches):
        part = rows[k * size: (k + 1) * size]
        (out / f"batch_{k}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part),
                                               encoding="utf-8")
    print(f"{len(ids)} articles, {len(rows)} proposals in {batches} batches -> {out}")


def import_verdicts(paths: list[Path], out: Path) -> int:
    texts = goldtool.articles("train")
    records, bad = [], 0
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                v = json.loads(line)
                doc, span = v["pid"].rsplit("#", 1)
                start, end = (int(x) for x in span.split("-"))
                text = texts[doc]
            except (ValueError, KeyError) as exc:
                print(f"{path}:{lineno}: {exc}")
                bad += 1
                continue
            sent = next(((a, b) for a, b in goldtool.sentences("train", doc) if a <= start < b), (start, end))
            rec: dict = {"doc": doc, "sent": list(sent), "trigger": {"start": start, "end": end,
                                                                      "text": text[start:end]},
                         "judged": True}
            if v.get("verdict") == "event" and v.get("category") in goldtool.CATEGORIES:
                rec |= {"kind": "event", "category": v["category"], "modality": "asserted",
                        "clear": bool(v.get("clear", True))}
                for role in ("actor", "target"):
                    arg = goldtool._argument(text, v.get(role), sent, start)
                    rec[role] = arg if isinstance(arg, dict) else None
            else:
                rec["kind"] = "none"
            records.append(rec)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"{len(records)} judged records -> {out}; {bad} unreadable lines")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("--skip", type=int, default=120)
    e.add_argument("--n", type=int, default=200)
    e.add_argument("--batches", type=int, default=8)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--lengths", default="1200-8000", metavar="MIN-MAX",
                   help="article lengths in characters to pick from (default 1200-8000)")
    i = sub.add_parser("import")
    i.add_argument("verdicts", type=Path, nargs="+")
    i.add_argument("--out", type=Path, default=data.GOLD / "judged_train.jsonl")
    args = ap.parse_args()
    if args.cmd == "export":
        lo, hi = (int(x) for x in args.lengths.split("-"))
        export(args.skip, args.n, args.batches, args.out, (lo, hi))
        return 0
    return import_verdicts(args.verdicts, args.out)


if __name__ == "__main__":
    sys.exit(main())
