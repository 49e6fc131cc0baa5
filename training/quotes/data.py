"""PolNeAR articles parsed once, with the rules' quotes: what the content tagger learns from and is scored on.

The parse of a split is cached under bench/results/quotes_cache/ (git-ignored: it holds the publishers'
texts), keyed by split; delete it after changing the cleaning or the parse.
"""

from __future__ import annotations

import json
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"
POLNEAR = EVAL / "polnear"
CACHE = ROOT / "bench" / "results" / "quotes_cache"


@dataclass
class Row:
    id: str
    text: str
    gold: list[dict[str, Any]]
    article: Any
    entities: Any


def load(split: str) -> tuple[list[Row], list[Any]]:
    """(rows, docs) of a PolNeAR split, parsed through analyze's cleaning and model."""
    import spacy
    from spacy.tokens import DocBin

    rows_path, docs_path = CACHE / f"{split}_rows.pkl", CACHE / f"{split}_docs.spacy"
    if not rows_path.exists():
        from newsledger import nlp as nlp_mod
        from newsledger.analyze import _prepare, nlp_text
        from newsledger.extract.entities import extract_entities
        from newsledger.model import Article, RawDoc

        t0 = time.time()
        nlp = nlp_mod.load()
        gold = [json.loads(line) for line in (POLNEAR / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        rows, bin_ = [], DocBin(store_user_data=False)
        for g in gold:
            article = _prepare(RawDoc(id=g["id"], text=g["text"], format="jsonl-text"))
            if not isinstance(article, Article):
                continue
            doc = nlp(nlp_text(article))
            bin_.add(doc)
            rows.append(Row(g["id"], g["text"], g["quotes"], article, extract_entities(doc, article)))
        CACHE.mkdir(parents=True, exist_ok=True)
        docs_path.write_bytes(bin_.to_bytes())
        rows_path.write_bytes(pickle.dumps(rows))
        print(f"parsed {split}: {len(rows)} articles in {time.time() - t0:.0f} s", file=sys.stderr)
    rows = pickle.loads(rows_path.read_bytes())
    docs = list(DocBin().from_bytes(docs_path.read_bytes()).get_docs(spacy.blank("en").vocab))
    return rows, docs


def gold_tags(doc: Any, gold: list[dict[str, Any]]) -> list[str]:
    """B / I / O per token from the gold content spans; of overlapping (nested) spans the first wins."""
    tags = ["O"] * len(doc)
    for q in sorted(gold, key=lambda q: (q["start"], -q["end"])):
        span = doc.char_span(q["start"], q["end"], alignment_mode="expand")
        if span is None or any(tags[t.i] != "O" for t in span):
            continue
        for k, t in enumerate(span):
            tags[t.i] = "B" if k == 0 else "I"
    return tags


def score(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, str(EVAL))
    import score_quotes

    return score_quotes.score(gold, pred)  # type: ignore[no-any-return]
