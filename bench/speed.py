"""Speed of `newsledger analyze` against bare spaCy `nlp.pipe` over the same texts, same model.

Each side runs as a whole process (start-up and model load included), alternating, several rounds;
the median wall time of each is reported, with docs/s, words/s and the ratio analyze / bare.

    .venv/bin/python bench/speed.py [--corpus FILE.jsonl] [--limit N] [--rounds 3] [--json OUT]

Default corpus: the PolNeAR development texts in ../shared/eval/polnear (real news articles).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "polnear" / "dev.jsonl"

BARE = """
import json, sys
from newsledger.nlp import load
nlp = load()
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
n = sum(1 for _ in nlp.pipe(texts))
print(n, file=sys.stderr)
"""


def corpus_file(src: Path, limit: int | None, work: Path) -> tuple[Path, int, int]:
    rows = []
    for line in src.open(encoding="utf-8"):
        if line.strip():
            obj = json.loads(line)
            rows.append({"id": obj.get("id", str(len(rows))), "text": obj["text"]})
        if limit and len(rows) >= limit:
            break
    out = work / "corpus.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return out, len(rows), sum(len(r["text"].split()) for r in rows)


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    if not a.corpus.exists():
        sys.exit(f"corpus not found: {a.corpus} (give --corpus FILE.jsonl with a \"text\" per line)")
    with tempfile.TemporaryDirectory() as tmp:
        corpus, docs, words = corpus_file(a.corpus, a.limit, Path(tmp))
        bare_cmd = [sys.executable, "-c", BARE, str(corpus)]
        analyze_cmd = [sys.executable, "-m", "newsledger.cli", "analyze", "--jsonl", str(corpus),
                       "--out", str(Path(tmp) / "out.jsonl")]
        bare, ours = [], []
        for _ in range(a.rounds):
            bare.append(timed(bare_cmd))
            ours.append(timed(analyze_cmd))
    b, o = statistics.median(bare), statistics.median(ours)
    fig = {
        "docs": docs, "words": words, "rounds": a.rounds,
        "bare_spacy": {"seconds": round(b, 2), "docs_per_s": round(docs / b, 1),
                       "words_per_s": round(words / b)},
        "analyze": {"seconds": round(o, 2), "docs_per_s": round(docs / o, 1),
                    "words_per_s": round(words / o)},
        "ratio": round(b / o, 3),
    }
    print(f"{docs} docs, {words} words, median of {a.rounds} rounds (whole process each)")
    print(f"  bare spaCy nlp.pipe : {b:6.1f} s  {docs / b:6.1f} docs/s  {words / b:8.0f} words/s")
    print(f"  newsledger analyze  : {o:6.1f} s  {docs / o:6.1f} docs/s  {words / o:8.0f} words/s")
    print(f"  ratio analyze/bare  : {b / o:.2f}  (target >= 0.75)")
    if a.json:
        a.json.write_text(json.dumps(fig, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
