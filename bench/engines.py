"""Throughput of the engines on the same documents, side by side in one invocation.

In-process, the process pool with 1 and 2 workers, and Ray Data with 2 actors each analyse the same
N documents (real news texts from PolNeAR, repeated with a per-copy suffix when N exceeds the set,
so every copy is a distinct document). Each engine's wall time includes its start-up (model load
per worker, Ray start), which is also reported on its own.

    .venv/bin/python bench/engines.py [--docs 2000] [--corpus FILE.jsonl] [--skip ray] [--json OUT]

Writes bench/results/engines.json by default and prints a table: docs/s, the scaling of 2 workers
over 1 (the target is >= 1.7x on 2 cores), and Ray's overhead against the local pool.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memory import worker_pids  # bench/memory.py: the pool's worker processes, from /proc

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "polnear" / "dev.jsonl"
DEFAULT_OUT = ROOT / "bench" / "results" / "engines.json"
SHARDS = 4  # JSONL shards the documents are split into: Ray reads them in parallel


def write_shards(src: Path, n: int, work: Path) -> tuple[list[str], int]:
    """N documents from `src` as SHARDS JSONL files; the word count."""
    texts = [json.loads(line)["text"] for line in src.open(encoding="utf-8") if line.strip()]
    paths = [work / f"shard{i}.jsonl" for i in range(SHARDS)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    words = 0
    for i in range(n):
        copy, text = divmod(i, len(texts))
        body = texts[text] if copy == 0 else f"{texts[text]}\n\n(Reprint {copy}.)"
        words += len(body.split())
        handles[i * SHARDS // n].write(json.dumps({"id": f"d{i}", "text": body}, ensure_ascii=False) + "\n")
    for h in handles:
        h.close()
    return [str(p) for p in paths], words


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc; 0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_map(make: Callable[[], Any], start: Callable[[Any], None], shards: list[str]) -> dict[str, Any]:
    """Wall time, start-up and CPU time (this process plus its pool workers) of one engine run.

    CPU seconds per document hold up on a busy machine where wall times do not: equal CPU per
    document with 1 and 2 workers means the pool adds no work, so it scales with free cores."""
    from newsledger.engines.shards import read_shards

    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    engine = make()
    start(engine)
    t1 = time.perf_counter()
    ok = failed = 0
    with engine:
        for o in engine.map(read_shards(shards)):
            ok += o.record is not None
            failed += o.failure is not None
        t2 = time.perf_counter()
        cpu = time.process_time() - c0 + sum(cpu_seconds(p) for p in worker_pids())
    return {"seconds": t2 - t0, "startup_s": t1 - t0, "ok": ok, "failed": failed, "cpu_s": cpu,
            "cpu_s_per_doc": cpu / max(1, ok + failed), "loadavg_1min": [load0, os.getloadavg()[0]]}


def run_ray(shards: list[str], work: Path, actors: int) -> dict[str, Any]:
    import ray

    from newsledger.engines.ray_engine import analyze_to_parquet, ray_session

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with ray_session(None, num_cpus=actors):
        t1 = time.perf_counter()
        s = analyze_to_parquet(shards, str(work / "ray-out"), num_actors=actors, batch_size=16)
    t2 = time.perf_counter()
    assert not ray.is_initialized()
    # startup here is Ray itself; the actors' model loads fall inside the run, as for the pool
    return {"seconds": t2 - t0, "startup_s": t1 - t0, "ok": s.succeeded, "failed": s.failed,
            "loadavg_1min": [load0, os.getloadavg()[0]]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--skip", action="append", default=[], choices=["inprocess", "pool1", "pool2", "ray"])
    ap.add_argument("--json", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args()
    if not a.corpus.exists():
        sys.exit(f"corpus not found: {a.corpus} (give --corpus FILE.jsonl with a \"text\" per line)")
    from newsledger.engines.local import InProcessEngine, ProcessPoolEngine

    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        shards, words = write_shards(a.corpus, a.docs, Path(tmp))
        plan: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("inprocess", lambda: timed_map(InProcessEngine, lambda e: e.nlp, shards)),
            ("pool1", lambda: timed_map(lambda: ProcessPoolEngine(1), ProcessPoolEngine.start, shards)),
            ("pool2", lambda: timed_map(lambda: ProcessPoolEngine(2), ProcessPoolEngine.start, shards)),
            ("ray", lambda: run_ray(shards, Path(tmp), 2)),
        ]
        for name, run in plan:
            if name in a.skip:
                continue
            r = run()
            work = r["seconds"] - r["startup_s"]
            r.update(docs_per_s=a.docs / r["seconds"],
                     docs_per_s_after_startup=a.docs / work if work else None)
            runs[name] = {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
            print(f"  {name:<10} {r['seconds']:7.1f} s  (start-up {r['startup_s']:5.1f} s)  "
                  f"{r['docs_per_s']:6.2f} docs/s  ok {r['ok']}, failed {r['failed']}", flush=True)
    fig: dict[str, Any] = {"docs": a.docs, "words": words, "corpus": str(a.corpus), "cores": os.cpu_count(),
                           "runs": runs,
                           "note": "2-core machine shared with other jobs (see loadavg_1min per run): "
                                   "wall-time figures are indicative, CPU s/doc is the steadier one"}
    if "pool1" in runs and "pool2" in runs:
        fig["scaling_2_vs_1"] = round(runs["pool2"]["docs_per_s"] / runs["pool1"]["docs_per_s"], 2)
        fig["scaling_2_vs_1_after_startup"] = round(
            runs["pool2"]["docs_per_s_after_startup"] / runs["pool1"]["docs_per_s_after_startup"], 2)
    if "ray" in runs and "pool2" in runs:
        fig["ray_time_over_pool2"] = round(runs["ray"]["seconds"] / runs["pool2"]["seconds"], 2)
    print(f"\n{a.docs} documents, {words} words")
    print(f"  {'engine':<10} {'docs/s':>8} {'after start-up':>15} {'wall s':>8} {'CPU s/doc':>10}"
          f" {'load (1 min)':>13}")
    for name, r in runs.items():
        after = r["docs_per_s_after_startup"] or 0
        cpu = f"{r['cpu_s_per_doc']:10.3f}" if "cpu_s_per_doc" in r else f"{'-':>10}"
        load = "{:.1f}→{:.1f}".format(*r["loadavg_1min"])
        print(f"  {name:<10} {r['docs_per_s']:8.2f} {after:15.2f} {r['seconds']:8.1f} {cpu} {load:>13}")
    if "scaling_2_vs_1" in fig:
        print(f"  pool 2 workers vs 1: {fig['scaling_2_vs_1']:.2f}x "
              f"({fig['scaling_2_vs_1_after_startup']:.2f}x after start-up; target >= 1.7x)")
    if "ray_time_over_pool2" in fig:
        print(f"  Ray (2 actors) wall time / pool (2 workers): {fig['ray_time_over_pool2']:.2f}")
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(fig, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
