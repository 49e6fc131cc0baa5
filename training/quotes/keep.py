"""Fit the quote keep model (src/newsledger/extract/quotes/keep.json) on PolNeAR's train split.

    .venv/bin/python training/quotes/keep.py            # fit on train, choose C and threshold on dev, write
    .venv/bin/python training/quotes/keep.py --out X    # write elsewhere (to compare two runs)

What it learns: whether a quote the rules found is an attribution a trained annotator marked (see the
module's docstring). Examples: every quote the quote stage finds in the train articles with this model
switched off (the boundary and source models on, as at run time, so fit those first: `make models`), labelled
1 when it overlaps an annotated attribution by at least half of the longer of the two (the scorer's own
matching rule), else 0. Settings (regularisation C, the threshold) are chosen on the dev split through
the real extractor, by span F1 plus end-to-end F1; nothing is fitted on dev. Deterministic (sorted
features, lbfgs); reuses the parse cache in bench/results/quotes_cache (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV, ROOT, TRAIN, cached, dev_scores, figures, fit_binary, overlaps, stage, write

from newsledger.extract.quotes import extract as quote_extract
from newsledger.extract.quotes import keep

OUT = ROOT / "src" / "newsledger" / "extract" / "quotes" / keep.MODEL_FILE
GRID_C = (0.1, 0.3, 1.0)
GRID_THRESHOLD = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
MIN_COUNT = 3  # a feature seen fewer times in train cannot generalise; dropping it keeps the file small


def examples(rows: list[dict], docs: list) -> tuple[list[tuple[str, ...]], list[int]]:
    feats: list[tuple[str, ...]] = []
    labels: list[int] = []
    with stage(keep=None):  # every quote the boundary and source models shape
        for row, doc in zip(rows, docs, strict=True):
            types = {e.id: e.type for e in row["entities"]}
            for q in quote_extract.extract_quotes(doc, row["article"], row["entities"]):
                feats.append(keep.features(doc, q, row["text"], types))
                labels.append(int(any(overlaps(q.start, q.end, g) for g in row["quotes"])))
    return feats, labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.time()
    rows, docs = cached(TRAIN)
    feats, labels = examples(rows, docs)
    print(f"train: {len(labels)} quotes found, {sum(labels)} marked by the annotators "
          f"({time.time() - t0:.0f} s)")
    dev_rows, dev_docs = cached(DEV)
    with stage(keep=None):
        base = dev_scores(dev_rows, dev_docs)
    print("dev, every quote kept: " + figures(base))
    best: tuple[float, dict, dict] | None = None
    for c in GRID_C:
        model = fit_binary(feats, labels, c, keep.FORMAT, MIN_COUNT)
        for t in GRID_THRESHOLD:
            model["threshold"] = t
            with stage(keep=keep.from_dict(model)):
                s = dev_scores(dev_rows, dev_docs)
            print(f"C={c} threshold={t}: " + figures(s))
            gain = round(s["span"]["f1"] + s["e2e"], 6)
            if best is None or gain > best[0]:  # ties: the smaller C, the lower threshold (listed first)
                best = (gain, dict(model), {"C": c, "threshold": t, **s})
    assert best is not None
    _, model, chosen = best
    write(args.out, model, {
        "chosen_on": "PolNeAR dev span F1 + end-to-end F1", "C": chosen["C"],
        "threshold": chosen["threshold"],
        "dev": {"span_p": round(chosen["span"]["p"], 4), "span_f1": round(chosen["span"]["f1"], 4),
                "speaker": round(chosen["speaker"], 4), "e2e_f1": round(chosen["e2e"], 4)},
        "dev_all_kept": {"span_p": round(base["span"]["p"], 4), "span_f1": round(base["span"]["f1"], 4),
                         "e2e_f1": round(base["e2e"], 4)},
        "examples": {"quotes": len(labels), "marked": sum(labels)},
    })
    print(f"chose C={chosen['C']} threshold={chosen['threshold']}: dev " + figures(chosen)
          + f"; wrote {args.out} ({args.out.stat().st_size // 1024} KB, {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
