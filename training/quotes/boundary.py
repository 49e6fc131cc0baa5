"""Fit the quote boundary model (src/newsledger/extract/quotes/boundary.json) on PolNeAR's train split.

    .venv/bin/python training/quotes/boundary.py            # fit on train, choose C and margin on dev, write
    .venv/bin/python training/quotes/boundary.py --out X    # write elsewhere (to compare two runs)

What it learns: where a cue's reported content ends (see the module's docstring). Examples: every
attribution the rules find in the train articles whose content follows its cue (the model switched
off, so the rules' own ends are what it learns to correct), each candidate end labelled by whether it
ends where the annotators' content ends. Only attributions whose start the annotators agree with
are used: a wrong start is not the end's fault. Settings (regularisation C, the margin a candidate must
beat the rules' end by) are chosen on the dev split's span F1 through the real extractor, with the keep
model off (it is fitted after this one, on the ends this one draws: `make models`); nothing is
fitted on dev. Deterministic (sorted features, lbfgs); parses both splits once into
bench/results/quotes_cache (git-ignored; the publishers' texts) and reuses that cache after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import polnear  # noqa: E402  (the bench's PolNeAR paths and scorer)
import quotes_iterate  # noqa: E402  (its parse cache)
from newsledger.extract.quotes import boundary, keep  # noqa: E402
from newsledger.extract.quotes import extract as quote_extract  # noqa: E402

TRAIN = polnear.EVAL / "polnear" / "train.jsonl"
DEV = polnear.DEV
OUT = ROOT / "src" / "newsledger" / "extract" / "quotes" / boundary.MODEL_FILE
GRID_C = (0.03, 0.1, 0.3, 1.0)
GRID_MARGIN = (0.0, 0.5, 1.0, 2.0)
_EDGE = " \t\r\n\u00a0\"'\u201c\u201d\u2018\u2019.,;:!?\u2014\u2013-"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


def _cached(data: Path) -> tuple[list[dict], list]:
    if not (quotes_iterate.cache_of(data) / "rows.pkl").exists():
        quotes_iterate.parse(data)
    return quotes_iterate.load(data)


def _rules_attributions(doc, row) -> list:  # type: ignore[no-untyped-def]
    """The attributions the quote stage finds in `doc` with the model off, as (attr, content) pairs."""
    seen: list = []
    real = quote_extract.find_attributions

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        attrs = real(*args, **kwargs)
        seen.extend((a, a.content) for a in attrs)
        return attrs

    quote_extract.find_attributions = capture
    try:
        quote_extract.extract_quotes(doc, row["article"], row["entities"])
    finally:
        quote_extract.find_attributions = real
    return seen


def examples(rows: list[dict], docs: list) -> tuple[list[tuple[str, ...]], list[int], dict[str, int]]:
    """(features, label) per candidate end, and counts of what was kept."""
    feats: list[tuple[str, ...]] = []
    labels: list[int] = []
    counts = {"attributions": 0, "start_agrees": 0, "end_reachable": 0, "rules_end_right": 0}
    boundary.load.cache_clear()
    with _model_off():
        for row, doc in zip(rows, docs, strict=True):
            text = row["text"]
            golds = [_trim(text, q["start"], q["end"]) for q in row["quotes"]]
            found = _rules_attributions(doc, row)
            cues = frozenset(attr.cue[0] for attr, _ in found)
            for attr, content in found:
                attr.content = content
                where = boundary.refinable(doc, attr)
                if where is None:
                    continue
                counts["attributions"] += 1
                sent, a, b = where
                rs, re_ = _trim(text, *content)
                match = [g for g in golds if abs(g[0] - rs) <= 2 and g[1] > rs]
                if not match:
                    continue
                counts["start_agrees"] += 1
                g_end = min(match, key=lambda g: abs(g[1] - re_))[1]
                cue = doc[attr.cue[0]]
                ends = boundary.candidates(doc, sent, cue, a, b, cues)
                ys = []
                for e in ends:
                    chars = boundary.span_chars(doc, a, e)
                    ys.append(int(chars is not None and abs(_trim(text, *chars)[1] - g_end) <= 2))
                if not any(ys):
                    continue
                counts["end_reachable"] += 1
                counts["rules_end_right"] += ys[ends.index(b)]
                for e, y in zip(ends, ys, strict=True):
                    feats.append(boundary.features(doc, sent, cue, a, b, e, attr.content_root, attr.frame))
                    labels.append(y)
    return feats, labels, counts


class _model_off:
    """The rules' own ends while collecting examples."""

    def __enter__(self) -> None:
        self.real = boundary.load
        boundary.load = lambda: None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        boundary.load = self.real  # type: ignore[method-assign]


def fit(feats: list[tuple[str, ...]], labels: list[int], c: float) -> dict[str, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([{f: 1 for f in fs} for fs in feats])
    clf = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    clf.fit(x, labels)
    names = vec.get_feature_names_out()
    weights = {str(n): [round(float(w), 6)] for n, w in zip(names, clf.coef_[0], strict=True)
               if abs(w) > 1e-6}
    return {"format": boundary.FORMAT, "weights": weights, "bias": [round(float(clf.intercept_[0]), 6)]}


def dev_scores(model: dict[str, Any], rows: list[dict], docs: list) -> dict:
    """Span/speaker/e2e on the dev split with `model` in the real quote stage."""
    live = boundary.from_dict(model)
    real, real_keep = boundary.load, keep.load
    boundary.load = lambda: live  # type: ignore[assignment]
    keep.load = lambda: None  # type: ignore[assignment]  (fitted after this one, on its ends: make models)
    try:
        gold = {r["id"]: {"text": r["text"], "quotes": r["quotes"]} for r in rows}
        pred = {r["id"]: {"quotes": polnear.scored(
                    quote_extract.extract_quotes(doc, r["article"], r["entities"]))}
                for r, doc in zip(rows, docs, strict=True)}
        res = polnear.score(gold, pred)
        halves = {}
        for h in ("even", "odd"):
            halves[h] = polnear.score({k: v for k, v in gold.items() if quotes_iterate.half(k) == h},
                                      pred)["span"]["f1"]
        return {"span": res["span"], "speaker": res["speaker_acc"]["acc"], "e2e": res["e2e"]["f1"],
                "halves": halves}
    finally:
        boundary.load = real  # type: ignore[method-assign]
        keep.load = real_keep  # type: ignore[method-assign]


def _figures(s: dict) -> str:
    span = s["span"]
    return (f"span F1 {span['f1']:.4f} (P {span['p']:.4f} R {span['r']:.4f}) speaker {s['speaker']:.4f} "
            f"e2e {s['e2e']:.4f} halves " + " ".join(f"{k} {v:.4f}" for k, v in s["halves"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.time()
    rows, docs = _cached(TRAIN)
    feats, labels, counts = examples(rows, docs)
    print(f"train: {counts}; {len(labels)} candidates, {sum(labels)} right ends ({time.time() - t0:.0f} s)")
    dev_rows, dev_docs = _cached(DEV)
    off = {"format": boundary.FORMAT, "weights": {}, "bias": [0.0], "margin": 1e9}
    base = dev_scores(off, dev_rows, dev_docs)
    print("dev, rules' ends: " + _figures(base))
    best: tuple[float, dict, dict] | None = None
    for c in GRID_C:
        model = fit(feats, labels, c)
        for m in GRID_MARGIN:
            model["margin"] = m
            s = dev_scores(model, dev_rows, dev_docs)
            print(f"C={c} margin={m}: " + _figures(s))
            if best is None or s["span"]["f1"] > best[0]:
                best = (s["span"]["f1"], dict(model), {"C": c, "margin": m, **s})
    assert best is not None
    _, model, chosen = best
    import sklearn

    model["meta"] = {
        "trained_on": "PolNeAR train split (" + hashlib.sha256(TRAIN.read_bytes()).hexdigest()[:16] + ")",
        "chosen_on": "PolNeAR dev span F1", "C": chosen["C"], "margin": chosen["margin"],
        "dev": {"span_f1": round(chosen["span"]["f1"], 4), "speaker": round(chosen["speaker"], 4),
                "e2e_f1": round(chosen["e2e"], 4)},
        "dev_rules_only": {"span_f1": round(base["span"]["f1"], 4), "e2e_f1": round(base["e2e"], 4)},
        "examples": counts,
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__},
    }
    args.out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"chose C={chosen['C']} margin={chosen['margin']}: dev span F1 {chosen['span']['f1']:.4f}, "
          f"e2e {chosen['e2e']:.4f}; wrote {args.out} ({args.out.stat().st_size // 1024} KB, "
          f"{time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
