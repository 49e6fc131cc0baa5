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
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEV, ROOT, TRAIN, cached, dev_scores, figures, fit_binary, found_attributions, stage, write

from newsledger.extract.quotes import boundary

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


def examples(rows: list[dict], docs: list) -> tuple[list[tuple[str, ...]], list[int], dict[str, int]]:
    """(features, label) per candidate end, and counts of what was kept."""
    feats: list[tuple[str, ...]] = []
    labels: list[int] = []
    counts = {"attributions": 0, "start_agrees": 0, "end_reachable": 0, "rules_end_right": 0}
    with stage(boundary=None, source=None, keep=None):  # the rules' own ends are what it learns to correct
        for row, doc in zip(rows, docs, strict=True):
            text = row["text"]
            golds = [_trim(text, q["start"], q["end"]) for q in row["quotes"]]
            found = found_attributions(doc, row)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.time()
    rows, docs = cached(TRAIN)
    feats, labels, counts = examples(rows, docs)
    print(f"train: {counts}; {len(labels)} candidates, {sum(labels)} right ends ({time.time() - t0:.0f} s)")
    dev_rows, dev_docs = cached(DEV)
    with stage(boundary=None, source=None, keep=None):  # (the models fitted after this one: off)
        base = dev_scores(dev_rows, dev_docs)
    print("dev, rules' ends: " + figures(base))
    best: tuple[float, dict, dict] | None = None
    for c in GRID_C:
        model = fit_binary(feats, labels, c, boundary.FORMAT)
        for m in GRID_MARGIN:
            model["margin"] = m
            with stage(boundary=boundary.from_dict(model), source=None, keep=None):
                s = dev_scores(dev_rows, dev_docs)
            print(f"C={c} margin={m}: " + figures(s))
            if best is None or s["span"]["f1"] > best[0]:
                best = (s["span"]["f1"], dict(model), {"C": c, "margin": m, **s})
    assert best is not None
    _, model, chosen = best
    write(args.out, model, {
        "chosen_on": "PolNeAR dev span F1", "C": chosen["C"], "margin": chosen["margin"],
        "dev": {"span_f1": round(chosen["span"]["f1"], 4), "speaker": round(chosen["speaker"], 4),
                "e2e_f1": round(chosen["e2e"], 4)},
        "dev_rules_only": {"span_f1": round(base["span"]["f1"], 4), "e2e_f1": round(base["e2e"], 4)},
        "examples": counts,
    })
    print(f"chose C={chosen['C']} margin={chosen['margin']}: dev span F1 {chosen['span']['f1']:.4f}, "
          f"e2e {chosen['e2e']:.4f}; wrote {args.out} ({args.out.stat().st_size // 1024} KB, "
          f"{time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
