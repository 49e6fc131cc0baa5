"""Quotes: newsledger against textacy's `direct_quotations`, on the same dev articles, side by side.

Both sides get the same spaCy model and the same texts, and are scored by the dev set's own scorer
(../shared/eval/score_quotes.py: span overlap >= 50%, speaker, end-to-end). textacy runs per paragraph,
as its README suggests (it raises on an odd number of quote marks; such a paragraph yields nothing).
Times are one run each, model loaded beforehand:

- newsledger: the whole `analyze_stream` (cleaning, parse, entities, quotes), and the quote stage alone
  on the parsed documents;
- textacy: the parse of every paragraph plus `direct_quotations` on each.

    .venv/bin/python bench/quotes_vs_textacy.py [--data ../shared/eval/polnear/dev.jsonl] [--limit N]

textacy is a bench-only dependency:  .venv/bin/pip install textacy   (figures below: textacy 0.13.0)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from pathlib import Path

from polnear import DEV, score, scored

_PARA = re.compile(r"[^\n]+")


def run_newsledger(rows: list[dict], nlp) -> tuple[dict, float, float]:
    from newsledger.analyze import analyze_stream, nlp_text
    from newsledger.extract.entities import extract_entities
    from newsledger.extract.quotes import extract_quotes
    from newsledger.model import Analysis, RawDoc

    t0 = time.perf_counter()
    out = list(analyze_stream((RawDoc(id=r["id"], text=r["text"]) for r in rows), nlp))
    total = time.perf_counter() - t0
    pred, stage = {}, 0.0
    arts = [a.article for a in out if isinstance(a, Analysis)]
    docs = list(nlp.pipe(nlp_text(a) for a in arts))
    for art, doc in zip(arts, docs, strict=True):
        ents = extract_entities(doc, art)
        t1 = time.perf_counter()
        quotes = extract_quotes(doc, art, ents)
        stage += time.perf_counter() - t1
        pred[art.id] = {"id": art.id, "quotes": scored(quotes)}
    return pred, total, stage


def run_textacy(rows: list[dict], nlp) -> tuple[dict, float, int]:
    from textacy.extract.triples import direct_quotations

    t0 = time.perf_counter()
    pred, failed = {}, 0
    for r in rows:
        paras = [(m.start(), m.group()) for m in _PARA.finditer(r["text"]) if m.group().strip()]
        quotes = []
        for (off, _), doc in zip(paras, nlp.pipe(p for _, p in paras), strict=True):
            try:
                triples = list(direct_quotations(doc))
            except Exception:  # odd number of quote marks and the like: textacy gives up on the paragraph
                failed += 1
                continue
            for t in triples:
                spk = sorted(t.speaker, key=lambda tok: tok.i)
                quotes.append({
                    "start": off + t.content.start_char, "end": off + t.content.end_char,
                    "speaker": " ".join(tok.text for tok in spk) or None,
                    "speaker_start": off + spk[0].idx if spk else None,
                    "speaker_end": off + spk[-1].idx + len(spk[-1].text) if spk else None})
        pred[r["id"]] = {"id": r["id"], "quotes": quotes}
    return pred, time.perf_counter() - t0, failed


def _row(name: str, s: dict, seconds: float, docs: int) -> str:
    kinds = s["recall_by_kind"]
    return (f"{name:11} span P/R/F1 {s['span']['p']:.3f}/{s['span']['r']:.3f}/{s['span']['f1']:.3f}  "
            f"speaker {s['speaker_acc']['acc']:.3f}  e2e F1 {s['e2e']['f1']:.3f}  "
            f"recall direct/mixed/indirect {kinds['direct']['recall']:.2f}/{kinds['mixed']['recall']:.2f}/"
            f"{kinds['indirect']['recall']:.2f}  {seconds:6.1f} s ({docs / seconds:.2f} docs/s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    if importlib.util.find_spec("textacy") is None:
        sys.exit("textacy is not installed (bench-only dependency): .venv/bin/pip install textacy")
    if not a.data.exists():
        sys.exit(f"dev set not found: {a.data}")
    rows = [json.loads(line) for line in a.data.open(encoding="utf-8") if line.strip()][: a.limit]
    gold = {r["id"]: r for r in rows}
    from newsledger.nlp import load

    nlp = load()
    ours, ours_s, stage_s = run_newsledger(rows, nlp)
    theirs, theirs_s, failed = run_textacy(rows, nlp)
    s_ours, s_theirs = score(gold, ours), score(gold, theirs)
    import textacy

    n_gold = sum(len(r["quotes"]) for r in rows)
    print(f"{len(rows)} documents, {n_gold} gold quotes; spaCy model loaded once")
    print(_row("newsledger", s_ours, ours_s, len(rows)) + "  (whole analyze)")
    print(_row(f"textacy {textacy.__version__}", s_theirs, theirs_s, len(rows))
          + f"  (parse + direct_quotations; {failed} paragraphs raised)")
    print(f"newsledger quote stage alone: {1000 * stage_s / len(rows):.1f} ms/doc")
    if a.json:
        a.json.write_text(json.dumps({"newsledger": s_ours, "textacy": s_theirs, "seconds": {
            "newsledger_analyze": ours_s, "newsledger_quote_stage": stage_s, "textacy": theirs_s},
            "textacy_failed_paragraphs": failed, "textacy_version": textacy.__version__}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
