"""Quote rules in seconds: parse the PolNeAR dev set once, then re-run only the quote stage and score it.

    .venv/bin/python bench/quotes_iterate.py parse     # once (~1 min): cleaning, parse, entities -> cache
    .venv/bin/python bench/quotes_iterate.py score     # after each edit of extract/quote_*.py (~4 s)
    .venv/bin/python bench/quotes_iterate.py score --out pred.jsonl   # also write the predictions

`evaluate.py quotes` takes a minute because it parses every article again; a change to the quote rules does
not change the parse, so scoring the quote stage on cached parses gives the same figures (checked: equal to
`evaluate.py` to the last quote) fast enough to try a rule on both halves before keeping it. The halves
split the articles by sha1(id) parity; a rule that helps only one half is fitting its examples. The cache
(`bench/results/quotes_cache/`, git-ignored) holds the publishers' texts: never commit it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

import polnear
from polnear import DEV, ROOT, scored

CACHES = ROOT / "bench" / "results" / "quotes_cache"


def cache_of(data: Path) -> Path:
    """One cache per gold file ("dev", "train"), so parsing the train split keeps the dev cache."""
    return CACHES / data.stem


def half(doc_id: str) -> str:
    return "even" if int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % 2 == 0 else "odd"


def parse(data: Path) -> None:
    from spacy.tokens import DocBin

    from newsledger import nlp as nlp_mod
    from newsledger.analyze import _prepare, nlp_text
    from newsledger.extract.entities import extract_entities
    from newsledger.model import Article, RawDoc

    nlp = nlp_mod.load()
    docs = DocBin(store_user_data=False)
    rows = []
    t0 = time.time()
    for line in data.read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        article = _prepare(RawDoc(id=g["id"], text=g["text"], format="jsonl-text"))
        if not isinstance(article, Article):
            print(f"skipped {g['id']}: {article}", file=sys.stderr)
            continue
        doc = nlp(nlp_text(article))
        docs.add(doc)
        rows.append({"id": g["id"], "text": g["text"], "quotes": g["quotes"], "article": article,
                     "entities": extract_entities(doc, article)})
    cache = cache_of(data)
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "docs.spacy").write_bytes(docs.to_bytes())
    (cache / "rows.pkl").write_bytes(pickle.dumps(rows))
    print(f"{len(rows)} articles parsed in {time.time() - t0:.0f} s -> {cache}")


def load(data: Path) -> tuple[list[dict], list]:
    """The cached rows and parses of `data` (see `parse`)."""
    import spacy
    from spacy.tokens import DocBin

    cache = cache_of(data)
    if not (cache / "rows.pkl").exists():
        sys.exit(f"no cache in {cache}: run `{Path(__file__).name} parse --data {data}` first")
    rows = pickle.loads((cache / "rows.pkl").read_bytes())
    vocab = spacy.blank("en").vocab
    return rows, list(DocBin().from_bytes((cache / "docs.spacy").read_bytes()).get_docs(vocab))


def rescore(data: Path, out: Path | None) -> None:
    from newsledger.extract.quotes import extract_quotes

    rows, docs = load(data)
    gold = {r["id"]: {"text": r["text"], "quotes": r["quotes"]} for r in rows}
    pred = {}
    for r, doc in zip(rows, docs, strict=True):
        pred[r["id"]] = {"quotes": scored(extract_quotes(doc, r["article"], r["entities"]))}
    parts = []
    for h in ("even", "odd"):
        res = polnear.score({k: v for k, v in gold.items() if half(k) == h}, pred)
        parts.append(f"{h} {res['span']['f1']:.4f} ({res['span']['tp']}/{res['span']['n_pred']})")
    res = polnear.score(gold, pred)
    s = res["span"]
    print(f"span P {s['p']:.4f} R {s['r']:.4f} F1 {s['f1']:.4f}  speaker {res['speaker_acc']['acc']:.4f}  "
          f"e2e F1 {res['e2e']['f1']:.4f}  |  halves: " + ", ".join(parts))
    if out is not None:
        out.write_text("".join(json.dumps({"id": k, **v}) + "\n" for k, v in pred.items()), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse", help="parse the dev set once and cache it")
    p.add_argument("--data", type=Path, default=DEV)
    s = sub.add_parser("score", help="re-run the quote stage on the cache and score it, whole and by halves")
    s.add_argument("--out", type=Path, help="write the predictions (scorer format) here")
    s.add_argument("--data", type=Path, default=DEV, help="the gold file parsed before (default: dev)")
    args = ap.parse_args()
    if args.cmd == "parse":
        parse(args.data)
    else:
        rescore(args.data, args.out)


if __name__ == "__main__":
    main()
