"""Latency of the ledger queries (ledger/queries.py) over a synthetic ledger of N quotes.

The ledger is generated with plain SQL into a real schema-v1 file (FTS triggers included):
N/10 articles of 10 quotes each, 5,000 speakers (10 first names × 500 surnames, so a surname is
shared by 10 people) resolved to corpus entities, 3 events per article, dates over 2015–2025, and
quote words drawn from 20,000 rare words plus 5 common ones (each in ~3% of quotes). It measures
what the explorer and CLI run: quote search (rare word, common word, two words), speaker filter,
both, timeline of an entity, one article, stats. Median of 7 runs, warm cache.

    .venv/bin/python bench/query_latency.py [--quotes 1000000] [--db PATH] [--json OUT]

Not a test: the figures depend on the machine (say how busy it was, see load_average_1m).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, n_quotes: int, seed: int = 7) -> None:
    from newsledger.ledger import store

    rng = random.Random(seed)
    conn = store.connect(path)
    vocab = [f"w{i}" for i in range(20000)] + ["pressure", "troops", "sanctions", "peace", "strike"] * 50
    speakers = [f"{f} Name{i}" for f in ("Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Grace",
                                          "Hugo", "Ines", "Jonas") for i in range(500)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO entities(id, name, type, aliases) VALUES (?,?,?,?)",
                     [(i + 1, n, "PERSON", json.dumps([n, n.split()[1]])) for i, n in enumerate(speakers)])
    for a in range(1, n_quotes // 10 + 1):
        d = f"20{rng.randint(15, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        conn.execute("INSERT INTO articles(id, doc_id, content_hash, title, published, text, ingested_at,"
                     " site) VALUES (?,?,?,?,?,?,?,?)",
                     (a, f"d{a}", f"h{a}", f"title {a}", d, "x" * 2000, "now", f"site{a % 50}"))
        who = rng.sample(range(len(speakers)), 4)
        conn.executemany("INSERT INTO article_entities(article_id, local_id, entity_id, name, type)"
                         " VALUES (?,?,?,?,?)",
                         [(a, f"E{j + 1}", s + 1, speakers[s], "PERSON") for j, s in enumerate(who)])
        rows = []
        for q in range(10):
            j = rng.randrange(4)
            rows.append((a, f"Q{q + 1}", q * 100, q * 100 + 80, " ".join(rng.choices(vocab, k=12)), "direct",
                         f"E{j + 1}", speakers[who[j]], d))
        conn.executemany("INSERT INTO quotes(article_id, local_id, start, end, text, kind, speaker_local,"
                         " speaker_name, date) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO events(article_id, local_id, category, modality, actor_local,"
                         " actor_name, trigger_start, trigger_end, trigger_text, evidence_start,"
                         " evidence_end, date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                         [(a, f"V{k + 1}", ("THREATEN", "REQUEST", "ACCUSE")[k], "asserted", f"E{k + 1}",
                           speakers[who[k]], 10, 15, "x", 0, 100, d) for k in range(3)])
        if a % 10000 == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    conn.close()


def timed(f: Callable[[], Any], runs: int = 7) -> dict[str, float]:
    f()
    xs = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        xs.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(xs), 1), "max_ms": round(max(xs), 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quotes", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, help="reuse (or create) the synthetic ledger here")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "query_latency.json")
    args = ap.parse_args(argv)
    from newsledger.ledger import queries as Q
    from newsledger.ledger import store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "synthetic.db"
        if not db.exists():
            t = time.perf_counter()
            print(f"generating {args.quotes:,} quotes into {db} …", file=sys.stderr)
            generate(db, args.quotes)
            print(f"  {time.perf_counter() - t:.0f} s", file=sys.stderr)
        conn = store.connect_readonly(db)
        cases: dict[str, Callable[[], Any]] = {
            "quotes search, rare word": lambda: Q.quotes(conn, search="w123"),
            "quotes search, common word (3%)": lambda: Q.quotes(conn, search="pressure"),
            "quotes search, two words": lambda: Q.quotes(conn, search="pressure troops"),
            "quotes by speaker (full name)": lambda: Q.quotes(conn, speaker="Anna Name42"),
            "quotes by speaker (surname of 10)": lambda: Q.quotes(conn, speaker="Name42"),
            "quotes by speaker + search": lambda: Q.quotes(conn, speaker="Name42", search="pressure"),
            "quotes, newest page": lambda: Q.quotes(conn),
            "timeline of an entity": lambda: Q.timeline(conn, 42),
            "events by actor": lambda: Q.events(conn, actor="Anna Name42"),
            "events by category": lambda: Q.events(conn, category="THREATEN"),
            "one article": lambda: Q.article(conn, 500),
            "articles search, word in every title": lambda: Q.articles(conn, search="title"),
            "stats": lambda: Q.stats(conn),
        }
        results = {name: timed(f) for name, f in cases.items()}
        counts = Q.stats(conn)
        conn.close()
    out = {"ledger": {k: counts[k] for k in ("articles", "quotes", "events", "entities")}, "queries": results,
           "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
           "command": "python bench/query_latency.py " + " ".join(argv or sys.argv[1:])}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n")
    for name, r in results.items():
        print(f"{name:40s} {r['median_ms']:7.1f} ms (max {r['max_ms']:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
