"""What the three quote-model trainers share (boundary.py, source.py, keep.py, fitted in that order by
`make models`): the parse cache, the real quote stage with chosen models switched on or off, its
figures on the dev split, a binary logistic regression and the model file it becomes.

Each trainer collects its examples and chooses its settings with the models fitted after it switched
off, so one `make models` run reproduces every file whatever the shipped ones were.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import polnear  # noqa: E402  (the bench's PolNeAR paths and scorer)
import quotes_iterate  # noqa: E402  (its parse cache)
from newsledger.extract.quotes import boundary, keep, source  # noqa: E402
from newsledger.extract.quotes import extract as quote_extract  # noqa: E402

TRAIN = polnear.EVAL / "polnear" / "train.jsonl"
DEV = polnear.DEV
MODELS = {"boundary": boundary, "source": source, "keep": keep}  # in the order `make models` fits them


def cached(data: Path) -> tuple[list[dict], list]:
    """The rows and parses of a PolNeAR split, parsed once into bench/results/quotes_cache."""
    if not (quotes_iterate.cache_of(data) / "rows.pkl").exists():
        quotes_iterate.parse(data)
    return quotes_iterate.load(data)


@contextmanager
def stage(**models: Any) -> Iterator[None]:
    """The quote stage with the named models (boundary=, source=, keep=) replaced; None switches one off."""
    real = {name: MODELS[name].load for name in models}
    for name, model in models.items():
        MODELS[name].load = lambda model=model: model
    try:
        yield
    finally:
        for name, load in real.items():
            MODELS[name].load = load


def found_attributions(doc: Any, row: dict) -> list[tuple[Any, tuple[int, int] | None]]:
    """The attributions the quote stage finds in `doc` (as `stage` has it), each with its content as the
    attribution pass leaves it: the learned revisions see it so, before the quotation pass extends it."""
    seen: list = []
    real = quote_extract.find_attributions

    def capture(*args: Any, **kwargs: Any) -> list:
        attrs = real(*args, **kwargs)
        seen.extend((a, a.content) for a in attrs)
        return attrs

    quote_extract.find_attributions = capture
    try:
        quote_extract.extract_quotes(doc, row["article"], row["entities"])
    finally:
        quote_extract.find_attributions = real
    return seen


def overlaps(start: int, end: int, gold: dict) -> bool:
    """The scorer's match: the spans overlap by at least half the longer of the two."""
    inter = min(end, gold["end"]) - max(start, gold["start"])
    return inter > 0 and inter / max(gold["end"] - gold["start"], end - start) >= 0.5


def dev_scores(rows: list[dict], docs: list) -> dict:
    """Span, speaker and end-to-end figures of the quote stage as it stands (see `stage`), whole and by
    halves of the split (sha1(id) parity: a change that helps one half only is fitting its examples)."""
    gold = {r["id"]: {"text": r["text"], "quotes": r["quotes"]} for r in rows}
    pred = {r["id"]: {"quotes": polnear.scored(
                quote_extract.extract_quotes(doc, r["article"], r["entities"]))}
            for r, doc in zip(rows, docs, strict=True)}
    res = polnear.score(gold, pred)
    halves = {h: polnear.score({k: v for k, v in gold.items() if quotes_iterate.half(k) == h}, pred)
              for h in ("even", "odd")}
    return {"span": res["span"], "speaker": res["speaker_acc"]["acc"], "e2e": res["e2e"]["f1"],
            "halves": halves}


def figures(s: dict, halves: str = "span") -> str:
    """One line of `dev_scores`'s figures; by half, span F1 (halves="span") or speaker accuracy."""
    span = s["span"]
    by = {h: r["span"]["f1"] if halves == "span" else r["speaker_acc"]["acc"] for h, r in s["halves"].items()}
    return (f"span F1 {span['f1']:.4f} (P {span['p']:.4f} R {span['r']:.4f}, {span['n_pred']} quotes) "
            f"speaker {s['speaker']:.4f} e2e {s['e2e']:.4f} {halves} by half "
            + " ".join(f"{k} {v:.4f}" for k, v in by.items()))


def fit_binary(feats: list[tuple[str, ...]], labels: list[int], c: float, fmt: int, min_count: int = 1
               ) -> dict[str, Any]:
    """A model file's weights: one logistic regression column over the features seen `min_count` times."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for fs in feats for f in fs)
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([{f: 1 for f in fs if counts[f] >= min_count} for fs in feats])
    clf = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    clf.fit(x, labels)
    names = vec.get_feature_names_out()
    weights = {str(n): [round(float(w), 6)] for n, w in zip(names, clf.coef_[0], strict=True)
               if abs(w) > 1e-6}
    return {"format": fmt, "weights": weights, "bias": [round(float(clf.intercept_[0]), 6)]}


def write(out: Path, model: dict[str, Any], meta: dict[str, Any]) -> None:
    """The model file, with where it was fitted from and with what."""
    import sklearn

    model["meta"] = {
        "trained_on": "PolNeAR train split (" + hashlib.sha256(TRAIN.read_bytes()).hexdigest()[:16] + ")",
        **meta,
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__},
    }
    out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
