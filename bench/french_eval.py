"""Score `newsledger analyze` on a French gold set written by the team (tests/data/fr_dev.jsonl).

Quotes are scored by ../shared/eval/score_quotes.py and time expressions by score_timex.py (the same
scorers as the English dev sets, imported, not copied); amounts by the small scorer below, in the same
spirit: a predicted amount matches a gold one when their spans overlap (one-to-one, largest overlap
first), and counts as right when its kind and value agree (and, for money, its currency).

    .venv/bin/python bench/french_eval.py [--gold tests/data/fr_dev.jsonl] [--json OUT] [--errors]

Gold lines: {"id", "text", "dct", "quotes": [{start, end, speaker, speaker_start, speaker_end, kind}],
"timexes": [{start, end, text, type, value}], "amounts": [{start, end, text, kind, value, currency|unit}]}.
`dct` is passed as the article's `published` date.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_GOLD = ROOT / "tests" / "data" / "fr_dev.jsonl"


def _scorer(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EVAL / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {EVAL / name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def analyze(gold: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run the installed command on the gold texts (JSONL on stdin), as ../shared/eval/evaluate.py does."""
    lines = "".join(json.dumps({"id": g["id"], "text": g["text"], "published": g["dct"]}, ensure_ascii=False)
                    + "\n" for g in gold)
    exe = ROOT / ".venv" / "bin" / "newsledger"
    out = subprocess.run([str(exe), "analyze", "--jsonl", "-"], input=lines, capture_output=True, text=True,
                         check=True)
    return {r["id"]: r for r in map(json.loads, out.stdout.splitlines()) if r}


def _same_amount(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same kind and value (to a relative 1e-6), and for money the same currency."""
    if a["kind"] != b["kind"] or b["value"] is None:
        return False
    close = abs(a["value"] - b["value"]) <= 1e-6 * max(1.0, abs(a["value"]))
    return close and (a["kind"] != "money" or a.get("currency") == b.get("currency"))


def score_amounts(gold: list[dict[str, Any]], pred: dict[str, dict[str, Any]],
                  errors: list[str] | None = None) -> dict[str, Any]:
    n_gold = n_pred = tp = right = 0
    for g in gold:
        gs = g["amounts"]
        ps = (pred.get(g["id"]) or {}).get("amounts") or []
        n_gold += len(gs)
        n_pred += len(ps)
        pairs = sorted(((-(min(a["end"], b["end"]) - max(a["start"], b["start"])), i, j)
                        for i, a in enumerate(gs) for j, b in enumerate(ps)
                        if a["start"] < b["end"] and b["start"] < a["end"]))
        used_g: set[int] = set()
        used_p: set[int] = set()
        for _, i, j in pairs:
            if i in used_g or j in used_p:
                continue
            used_g.add(i)
            used_p.add(j)
            tp += 1
            a, b = gs[i], ps[j]
            ok = _same_amount(a, b)
            right += ok
            if not ok and errors is not None:
                errors.append(f"{g['id']} amount {a['text']!r} {a['kind']} {a['value']} {a.get('currency')} "
                              f"→ {b['text']!r} {b['kind']} {b['value']} {b.get('currency')}")
        if errors is not None:
            errors += [f"{g['id']} amount missed {a['text']!r}" for i, a in enumerate(gs) if i not in used_g]
            errors += [f"{g['id']} amount extra {b['text']!r} {b['kind']}" for j, b in enumerate(ps)
                       if j not in used_p]
    p = right / n_pred if n_pred else 0.0
    r = right / n_gold if n_gold else 0.0
    return {"gold": n_gold, "pred": n_pred, "matched": tp, "right": right, "p": p, "r": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def quote_errors(gold: list[dict[str, Any]], pred: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for g in gold:
        ps = (pred.get(g["id"]) or {}).get("quotes") or []
        for q in g["quotes"]:
            hit = [p for p in ps if p["start"] < q["end"] and q["start"] < p["end"] and
                   (min(p["end"], q["end"]) - max(p["start"], q["start"])) >= 0.5 * max(
                       p["end"] - p["start"], q["end"] - q["start"])]
            if not hit:
                out.append(f"{g['id']} quote missed {q['text'][:70]!r} ({q['speaker']})")
            else:
                sp = hit[0].get("speaker") or {}
                where = g["text"][sp["start"]:sp["end"]] if sp else ""
                out.append(f"{g['id']} quote found  {q['text'][:50]!r} gold {q['speaker']!r} → "
                           f"{sp.get('name')!r} [{where}]")
        for p in ps:
            if not any(p["start"] < q["end"] and q["start"] < p["end"] for q in g["quotes"]):
                who = (p.get("speaker") or {}).get("name")
                out.append(f"{g['id']} quote extra  {p['text'][:70]!r} ({who})")
    return out


def timex_errors(gold: list[dict[str, Any]], pred: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for g in gold:
        ps = (pred.get(g["id"]) or {}).get("timexes") or []
        out += [f"{g['id']} timex missed {t['text']!r} {t['value']}" for t in g["timexes"]
                if not any(p["start"] < t["end"] and t["start"] < p["end"] for p in ps)]
        out += [f"{g['id']} timex extra {p['text']!r} {p['value']}" for p in ps
                if not any(p["start"] < t["end"] and t["start"] < p["end"] for t in g["timexes"])]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--json", type=Path, help="write the figures here as JSON")
    ap.add_argument("--errors", action="store_true", help="list misses and extras (development sets only)")
    a = ap.parse_args(argv)
    gold = [json.loads(line) for line in a.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = analyze(gold)
    sq, st = _scorer("score_quotes"), _scorer("score_timex")
    quotes = sq.score({g["id"]: g for g in gold}, {
        i: {"id": i, "quotes": [{"start": q["start"], "end": q["end"],
                                 "speaker": (q.get("speaker") or {}).get("name"),
                                 "speaker_start": (q.get("speaker") or {}).get("start"),
                                 "speaker_end": (q.get("speaker") or {}).get("end")} for q in r["quotes"]]}
        for i, r in pred.items()})
    timex = st.score(gold, [{"id": i, "timexes": r["timexes"]} for i, r in pred.items()],
                     100 if a.errors else 0)
    errs: list[str] | None = [] if a.errors else None
    amounts = score_amounts(gold, pred, errs)
    languages = sorted({r.get("language") or "-" for r in pred.values()})
    print(f"{a.gold.name}: {len(gold)} articles, languages {languages}")
    print(sq.report(quotes))
    print("dates:  relaxed F1 {relaxed_f1:.3f}  value acc {value_acc:.3f}  value F1 {value_f1:.3f}  "
          "strict F1 {strict_f1:.3f}".format(**timex))
    print("amounts: P {p:.3f} R {r:.3f} F1 {f1:.3f}  (right {right} / pred {pred} / gold {gold}; "
          "spans matched {matched})".format(**amounts))
    if a.errors and errs is not None:
        for line in quote_errors(gold, pred) + timex_errors(gold, pred) + errs:
            print("  " + line)
        for e in timex.get("value_errors", []):
            print("  timex value", json.dumps(e, ensure_ascii=False))
    if a.json:
        a.json.write_text(json.dumps({"quotes": quotes, "timex": timex, "amounts": amounts}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
