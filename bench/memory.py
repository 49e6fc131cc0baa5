"""Memory over a long stream: RSS of one analyze process after 1k and 10k documents.

spaCy's StringStore and Vocab grow with every new word; analyze_stream wraps each batch in a
memory zone so they don't. Each synthetic document is a news paragraph plus unseen tokens (names
and numbers that never repeat), the worst case for vocabulary growth.

With `--workers N` the stream goes through the process pool engine instead, and the RSS of the
parent (which must not accumulate the stream) and of each worker is reported.

    .venv/bin/python bench/memory.py [--docs 10000] [--workers N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "eval" / "polnear" / "dev.jsonl"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_of(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def worker_pids() -> list[int]:
    """Descendants of this process that are pool workers (the forkserver's children)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = next(ln for ln in (d / "status").read_text().splitlines() if ln.startswith("PPid:"))
            except (OSError, StopIteration):
                continue
            parents[int(d.name)] = int(ppid.split()[1])
    me = os.getpid()
    children = {p for p, pp in parents.items() if pp == me}
    return sorted(p for p, pp in parents.items() if pp in children)


def pool_run(n: int, workers: int) -> dict[str, object]:
    from newsledger.engines.local import ProcessPoolEngine

    figures: dict[str, object] = {"workers": workers, "parent_start_mb": round(rss_mb(), 1)}
    marks = {1_000, n} | {k for k in (2_000, 5_000, 10_000) if k < n}
    with ProcessPoolEngine(workers) as engine:
        engine.start()
        figures["workers_after_model_load_mb"] = [round(rss_of(p), 1) for p in worker_pids()]
        for i, _ in enumerate(engine.map(stream(n)), 1):
            if i in marks:
                w = [round(rss_of(p), 1) for p in worker_pids()]
                figures[f"after_{i}_docs"] = {"parent_mb": round(rss_mb(), 1), "workers_mb": w}
                print(f"{i:>6} docs: parent RSS {rss_mb():7.1f} MB, workers {w} MB", flush=True)
        figures["restarts"] = engine.restarts
    return figures


def paragraphs() -> list[str]:
    if CORPUS.exists():
        texts = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8") if line.strip()]
    else:
        texts = [p.read_text(encoding="utf-8") for p in (ROOT / "examples").glob("*.txt")]
    paras = [p for t in texts for p in t.split("\n\n") if len(p.split()) > 25]
    return paras or ["The minister said on Friday that talks would continue next week in Geneva."]


def stream(n: int) -> Iterator[object]:
    from newsledger.model import RawDoc

    rng = random.Random(7)
    paras = paragraphs()
    for i in range(n):
        unseen = f"Officials named Qz{i:06d}x Vrel{rng.randrange(10**9)} said {rng.randrange(10**12)}."
        yield RawDoc(id=f"d{i}", text=f"{paras[i % len(paras)]}\n\n{unseen}\n", format="text")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--workers", type=int, help="run through the process pool with N workers")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if a.workers:
        pool_figures = pool_run(a.docs, a.workers)
        if a.json:
            a.json.write_text(json.dumps(pool_figures, indent=1))
        return 0
    from newsledger.analyze import analyze_stream
    from newsledger.nlp import load

    nlp = load()
    start = rss_mb()
    marks = {1_000, a.docs} | {k for k in (2_000, 5_000) if k < a.docs}
    figures = {"after_model_load_mb": round(start, 1)}
    strings_at: dict[int, int] = {}
    for i, _ in enumerate(analyze_stream(stream(a.docs), nlp), 1):
        if i in marks:
            figures[f"after_{i}_docs_mb"] = round(rss_mb(), 1)
            strings_at[i] = len(nlp.vocab.strings)
            print(f"{i:>6} docs: RSS {rss_mb():7.1f} MB, {len(nlp.vocab.strings):,} strings", flush=True)
    figures["strings"] = strings_at  # type: ignore[assignment]
    if a.json:
        a.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
