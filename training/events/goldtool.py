"""Annotating events in real articles by hand: print an article by sentences, and turn hand-written
records into offset-checked gold.

  python training/events/goldtool.py show SPLIT DOC_ID        # numbered sentences with offsets
  python training/events/goldtool.py resolve SPLIT IN.jsonl OUT.jsonl
  python training/events/goldtool.py pick SPLIT N [--skip K]   # which articles get annotated

SPLIT is `train` or `dev` (../shared/eval/polnear/SPLIT.jsonl, ordinary political news). The texts stay
there (publishers' copyright); gold files hold only ids, offsets, labels and the words they point at.
GUIDE.md says what to annotate and how; `resolve` checks every record and says what is wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"
CATEGORIES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
              "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
MODALITIES = ("asserted", "planned", "intended", "conditional", "negated")


@lru_cache(maxsize=2)
def articles(split: str) -> dict[str, str]:
    path = POLNEAR / f"{split}.jsonl"
    with path.open(encoding="utf-8") as f:
        return {d["id"]: d["text"] for d in map(json.loads, f) if d.get("text")}


@lru_cache(maxsize=64)
def sentences(split: str, doc_id: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence as analyze's parse splits the text."""
    from newsledger import nlp as nlp_mod

    doc = nlp_mod.load()(articles(split)[doc_id])
    out = []
    for s in doc.sents:
        text = s.text
        if text.strip():
            lead = len(text) - len(text.lstrip())
            out.append((s.start_char + lead, s.start_char + len(text.rstrip())))
    return out


def pick(split: str, n: int, skip: int = 0, lengths: tuple[int, int] = (1200, 8000)) -> list[str]:
    """The articles to annotate: ordinary length (1,200-8,000 characters unless `lengths` says), in
    sha1(id) order, so the sample mixes publishers and dates and never depends on what the system gets
    right."""
    ids = [i for i, t in articles(split).items() if lengths[0] <= len(t) <= lengths[1]]
    ids.sort(key=lambda i: hashlib.sha1(i.encode()).hexdigest())
    return ids[skip: skip + n]


def show(split: str, doc_id: str) -> None:
    text = articles(split)[doc_id]
    for n, (a, b) in enumerate(sentences(split, doc_id)):
        print(f"[{n}] ({a}-{b}) {text[a:b]}".replace("\n", " / "))


def _find(text: str, needle: str, lo: int, hi: int, occ: int = 1) -> tuple[int, int] | None:
    at = lo - 1
    for _ in range(max(occ, 1)):
        at = text.find(needle, at + 1, hi)
        if at < 0:
            return None
    return at, at + len(needle)


def _argument(text: str, words: str | None, sent: tuple[int, int], trigger: int) -> dict | str | None:
    """An actor/target: in its sentence if there (the occurrence nearest the trigger), else the nearest
    mention before the sentence, else after it. A string is an error message."""
    if words is None or words == "":
        return None
    if not isinstance(words, str):
        return f"not text: {words!r}"
    spots, at = [], text.find(words)
    while at >= 0:
        spots.append(at)
        at = text.find(words, at + 1)
    if not spots:
        return f"{words!r} is not in the article"
    inside = [s for s in spots if sent[0] <= s and s + len(words) <= sent[1]]
    before = [s for s in spots if s < sent[0]]
    pick = (min(inside, key=lambda s: abs(s - trigger)) if inside else before[-1] if before else spots[0])
    return {"start": pick, "end": pick + len(words), "text": words}


def resolve_record(split: str, r: dict) -> tuple[dict | None, list[str]]:
    errs: list[str] = []
    doc_id = r.get("doc")
    if doc_id not in articles(split):
        return None, [f"unknown doc {doc_id!r}"]
    text = articles(split)[doc_id]
    sents = sentences(split, doc_id)
    n = r.get("sent")
    if not isinstance(n, int) or not 0 <= n < len(sents):
        return None, [f"sent {n!r} out of range (0..{len(sents) - 1})"]
    sent = sents[n]
    kind = r.get("kind", "event")
    if kind not in ("event", "none"):
        errs.append(f"kind {kind!r} is not event|none")
    trig = r.get("trigger")
    if not isinstance(trig, str) or not trig:
        return None, [*errs, "no trigger text"]
    span = _find(text, trig, sent[0], sent[1], int(r.get("trigger_occ", 1)))
    if span is None:
        return None, [*errs, f"trigger {trig!r} (occurrence {r.get('trigger_occ', 1)}) not in sentence {n}"]
    out: dict = {"doc": doc_id, "kind": kind, "sent": [sent[0], sent[1]],
                 "trigger": {"start": span[0], "end": span[1], "text": trig}}
    if kind == "event":
        cat = r.get("category")
        if cat not in CATEGORIES:
            errs.append(f"category {cat!r} is not a PLOVER category")
        mod = r.get("modality", "asserted")
        if mod not in MODALITIES:
            errs.append(f"modality {mod!r} is not one of {MODALITIES}")
        out |= {"category": cat, "modality": mod, "clear": bool(r.get("clear", True)),
                "quote": bool(r.get("quote", False))}
        for role in ("actor", "target"):
            arg = _argument(text, r.get(role), sent, span[0])
            if isinstance(arg, str):
                errs.append(f"{role}: {arg}")
            else:
                out[role] = arg
    else:
        out["reason"] = r.get("reason", "")
    if r.get("note"):
        out["note"] = r["note"]
    return (None if errs else out), errs


def resolve(split: str, src: Path, dst: Path) -> int:
    bad = 0
    done = []
    for lineno, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"{src}:{lineno}: not JSON: {exc}")
            bad += 1
            continue
        rec, errs = resolve_record(split, r)
        if errs:
            bad += 1
            print(f"{src}:{lineno}: " + "; ".join(errs))
        elif rec is not None:
            done.append(rec)
    dst.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in done), encoding="utf-8")
    print(f"{len(done)} records resolved, {bad} with errors -> {dst}")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("show")
    s.add_argument("split", choices=("train", "dev"))
    s.add_argument("doc")
    r = sub.add_parser("resolve")
    r.add_argument("split", choices=("train", "dev"))
    r.add_argument("src", type=Path)
    r.add_argument("dst", type=Path)
    k = sub.add_parser("pick")
    k.add_argument("split", choices=("train", "dev"))
    k.add_argument("n", type=int)
    k.add_argument("--skip", type=int, default=0)
    args = ap.parse_args()
    if args.cmd == "pick":
        print("\n".join(pick(args.split, args.n, args.skip)))
        return 0
    if args.cmd == "show":
        show(args.split, args.doc)
        return 0
    return resolve(args.split, args.src, args.dst)


if __name__ == "__main__":
    sys.exit(main())
