"""Ledger benchmark: query latency on a synthetic 1M-quote ledger, and ledger size from a real ingest.

1. A synthetic ledger (default 100k articles × 10 quotes, 20k speakers with Zipf popularity, 5
   events per article), rows written directly with executemany (no spaCy), words drawn with the
   word frequencies of the PolNeAR texts. Then the median and p95 latency over --queries runs of:
   (a) full-text quote search (quotes_fts) restricted to one speaker entity, two plans;
   (b) an entity's timeline: its quotes and events ordered by date, first 100.
2. A real ingest of --real PolNeAR dev texts (analyze → writer.write_batch → run_corpus_steps, in
   batches as `ingest` does): ledger bytes per 1k articles, by table, and the corpus steps' speed.

    .venv/bin/python bench/ledger.py [--articles 100000] [--queries 50] [--real 200] [--db PATH]
                                     [--json bench/results/ledger.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from newsledger.ledger import store, writer
from newsledger.ledger.corpus import run_corpus_steps

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear" / "dev.jsonl"
CORPUS_TABLES = ("article_minhash", "article_bands", "quote_bands", "entity_keys", "entity_timeline")

# (a) Quotes matching words, by one speaker entity, newest first. Plan "fts": the FTS match drives,
# each hit is checked against the speaker (three lookups per hit: slow for a common word). Plan
# "speaker" (the one to use): the FTS hits are listed once, then the speaker's quotes are walked
# newest first through entity_timeline (entity_id, date, ...) and the walk stops at the LIMIT.
SEARCH_FTS = """
SELECT q.id, q.text, q.speaker_name, coalesce(q.date, a.published) AS date, a.title
FROM quotes_fts
JOIN quotes q ON q.id = quotes_fts.rowid
JOIN article_entities ae ON ae.article_id = q.article_id AND ae.local_id = q.speaker_local
JOIN articles a ON a.id = q.article_id
WHERE quotes_fts MATCH :match AND ae.entity_id = :entity
ORDER BY date DESC, q.id DESC
LIMIT 20
"""
SEARCH_SPEAKER = """
SELECT q.id, q.text, q.speaker_name, t.date, a.title
FROM entity_timeline t
JOIN quotes q ON q.id = t.item_id
JOIN articles a ON a.id = q.article_id
WHERE t.entity_id = :entity AND t.kind = 'quote' AND t.role = 'speaker'
  AND +t.item_id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH :match)
ORDER BY t.date DESC, t.kind DESC, t.item_id DESC
LIMIT 20
"""
# (b) An entity's timeline: the quotes it said and the events it is actor or target of, oldest
# first: one range scan of entity_timeline. TIMELINE_JOIN is the same without that table, through
# article_entities (it has to sort all of a popular entity's items).
TIMELINE = """
SELECT t.date, t.kind, t.item_id, t.role,
       coalesce(q.text, ev.trigger_text) AS text, coalesce(q.article_id, ev.article_id) AS article_id
FROM entity_timeline t
LEFT JOIN quotes q ON t.kind = 'quote' AND q.id = t.item_id
LEFT JOIN events ev ON t.kind = 'event' AND ev.id = t.item_id
WHERE t.entity_id = :entity AND t.date IS NOT NULL
ORDER BY t.date, t.kind, t.item_id
LIMIT 100
"""
TIMELINE_JOIN = """
SELECT kind, id, article_id, date, text FROM (
  SELECT 'quote' AS kind, q.id AS id, q.article_id AS article_id,
         coalesce(q.date, a.published) AS date, q.text AS text
  FROM article_entities ae
  JOIN quotes q ON q.article_id = ae.article_id AND q.speaker_local = ae.local_id
  JOIN articles a ON a.id = ae.article_id
  WHERE ae.entity_id = :entity
  UNION ALL
  SELECT 'event', ev.id, ev.article_id, coalesce(ev.date, a.published), ev.trigger_text
  FROM article_entities ae
  JOIN events ev ON ev.article_id = ae.article_id AND ev.actor_local = ae.local_id
  JOIN articles a ON a.id = ae.article_id
  WHERE ae.entity_id = :entity
)
ORDER BY date, kind, id
LIMIT 100
"""


CATEGORIES = ("CONSULT", "ACCUSE", "REQUEST", "THREATEN", "AID", "COERCE", "ASSAULT", "AGREE", "REJECT",
              "SUPPORT", "CONCEDE", "MOBILIZE", "RETREAT", "SANCTION", "INVESTIGATE")


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words and cumulative weights: the PolNeAR texts' word frequencies (or a Zipf list of made-up
    words when those texts are not there)."""
    counts: Counter[str] = Counter()
    if POLNEAR.exists():
        for line in POLNEAR.open(encoding="utf-8"):
            if line.strip():
                counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", json.loads(line)["text"]))
    if len(counts) < 1000:
        syl = ["ka", "lo", "mi", "ren", "ta", "vo", "shi", "per", "dan", "el", "gor", "ia", "nu", "bes"]
        words = list(dict.fromkeys("".join(rng.choices(syl, k=rng.randint(1, 4))) for _ in range(30000)))
        counts = Counter({w: 1e6 / (i + 1) for i, w in enumerate(words)})
    words = list(counts)
    return words, list(accumulate(float(counts[w]) for w in words))


def _names(rng: random.Random, n: int) -> list[str]:
    syl = ["an", "bo", "ca", "de", "el", "fi", "ga", "ho", "is", "ju", "ka", "lu", "ma", "ne", "or", "pa",
           "ri", "sa", "to", "vi", "wen", "yo", "zu"]
    out: set[str] = set()
    while len(out) < n:
        given = "".join(rng.choices(syl, k=rng.randint(2, 3))).title()
        out.add(f"{given} {''.join(rng.choices(syl, k=rng.randint(2, 4))).title()}")
    return sorted(out)


def build_synthetic(path: Path, articles: int, quotes_per: int, speakers: int,
                    seed: int = 7) -> dict[str, Any]:
    """Write the synthetic ledger at `path`; returns what it holds and how long it took."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    words, cum = vocabulary(rng)

    def text(n: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cum, k=n))

    conn = store.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    names = _names(rng, speakers)
    others = [(f"Org {i}", "ORG") for i in range(2000)] + [(f"Place {i}", "GPE") for i in range(200)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO entities(id, name, type, aliases) VALUES (?,?,?,?)",
                     [(i + 1, n, "PERSON", json.dumps([n])) for i, n in enumerate(names)]
                     + [(speakers + i + 1, n, t, json.dumps([n])) for i, (n, t) in enumerate(others)])
    # The corpus steps' state, as if they had run: name keys, and LSH band rows (random buckets) of
    # the right count, so that timing the steps on top of this ledger meets full-size indexes.
    conn.executemany("INSERT OR IGNORE INTO entity_keys(key, entity_id) VALUES (?,?)",
                     [(f"PERSON:{kind}:{key}", i + 1) for i, n in enumerate(names)
                      for kind, key in (("full", n.lower()), ("sur", n.split()[-1].lower()))]
                     + [(f"{t}:full:{n.lower()}", speakers + i + 1) for i, (n, t) in enumerate(others)])
    conn.execute("COMMIT")
    pop = list(accumulate(1.0 / (k + 1) for k in range(speakers)))  # Zipf(1): a few speak a lot
    start = time.mktime((2015, 1, 1, 12, 0, 0, 0, 0, 0))
    qid = evid = 0
    chunk = 5000
    for base in range(0, articles, chunk):
        arts, ents, quotes, events, timeline = [], [], [], [], []
        for aid in range(base + 1, min(base + chunk, articles) + 1):
            day = time.strftime("%Y-%m-%d", time.gmtime(start + rng.randrange(3650) * 86400))
            body = text(60)
            arts.append((aid, f"doc{aid}", hashlib.sha256(f"{aid}".encode()).hexdigest(),
                         f"https://news.example/{aid}", text(8), day, day, "en", "news.example", body,
                         aid, "2025-01-01T00:00:00Z"))
            said = rng.choices(range(speakers), cum_weights=pop, k=quotes_per)
            local: dict[int, str] = {}
            for s in said:
                if s not in local:
                    local[s] = f"E{len(local) + 1}"
                    ents.append((aid, local[s], s + 1, names[s], "PERSON"))
            for j, o in enumerate(rng.sample(range(len(others)), 2)):
                ents.append((aid, f"E{len(local) + j + 1}", speakers + o + 1, others[o][0], others[o][1]))
            for s in said:
                qid += 1
                qdate = None if rng.random() < 0.2 else day
                quotes.append((qid, aid, f"Q{qid}", 0, 10, text(rng.randint(8, 30)), "direct", local[s],
                               names[s], qdate, qid))
                timeline.append((s + 1, qdate or day, "quote", qid, "speaker"))
            for k in range(5):
                s = rng.choice(said)
                evid += 1
                events.append((evid, aid, f"V{k + 1}", rng.choice(CATEGORIES), "asserted", local[s], names[s],
                               0, 5, "said", 0, 10, day))
                timeline.append((s + 1, day, "event", evid, "actor"))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO articles(id, doc_id, content_hash, url, title, published,"
                         " reference_date, language, site, text, story_id, ingested_at)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", arts)
        conn.executemany("INSERT INTO article_entities(article_id, local_id, entity_id, name, type)"
                         " VALUES (?,?,?,?,?)", ents)
        conn.executemany("INSERT INTO quotes(id, article_id, local_id, start, end, text, kind, speaker_local,"
                         " speaker_name, date, cluster_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", quotes)
        conn.executemany("INSERT INTO events(id, article_id, local_id, category, modality, actor_local,"
                         " actor_name, trigger_start, trigger_end, trigger_text, evidence_start,"
                         " evidence_end, date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", events)
        conn.executemany("INSERT INTO entity_timeline(entity_id, date, kind, item_id, role)"
                         " VALUES (?,?,?,?,?)", timeline)
        conn.executemany("INSERT OR IGNORE INTO article_bands(band, bucket, article_id) VALUES (?,?,?)",
                         sorted((b, rng.getrandbits(64) - 2**63, a[0]) for a in arts for b in range(40)))
        conn.executemany("INSERT OR IGNORE INTO quote_bands(band, bucket, quote_id) VALUES (?,?,?)",
                         sorted((b, rng.getrandbits(32) - 2**31, q[0]) for q in quotes for b in range(6)))
        conn.execute("COMMIT")
        print(f"\r  synthetic: {base + len(arts)} / {articles} articles", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"articles": articles, "quotes": qid, "speakers": speakers, "events": articles * 5,
            "build_seconds": round(time.perf_counter() - t0, 1), "bytes": path.stat().st_size}


def describe(path: Path) -> dict[str, Any]:
    """What an existing synthetic ledger (--db, reused) holds."""
    conn = store.connect_readonly(path)
    got = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("articles", "quotes", "events")}
    got["speakers"] = conn.execute("SELECT count(*) FROM entities WHERE type = 'PERSON'").fetchone()[0]
    conn.close()
    return {**got, "reused": str(path), "bytes": path.stat().st_size}


def _timed(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> tuple[float, int]:
    t = time.perf_counter()
    n = len(conn.execute(sql, params).fetchall())
    return (time.perf_counter() - t) * 1000, n


def _stats(ms: Sequence[float], rows: Sequence[int]) -> dict[str, float]:
    s = sorted(ms)
    return {"median_ms": round(statistics.median(s), 2),
            "p95_ms": round(s[max(0, round(0.95 * len(s)) - 1)], 2), "max_ms": round(s[-1], 2),
            "mean_rows": round(statistics.mean(rows), 1)}


def measure(path: Path, queries: int, seed: int = 11) -> dict[str, Any]:
    """Latency of the two searches and the timeline over `queries` popularity-weighted entities."""
    conn = store.connect_readonly(path)
    rng = random.Random(seed)
    n_quotes = conn.execute("SELECT max(id) FROM quotes").fetchone()[0]
    # A random quote is a popularity-weighted speaker; search for one of its longer words.
    cases = []
    while len(cases) < queries:
        row = conn.execute(
            "SELECT q.text, ae.entity_id FROM quotes q JOIN article_entities ae"
            " ON ae.article_id = q.article_id AND ae.local_id = q.speaker_local WHERE q.id = ?",
            (rng.randint(1, n_quotes),)).fetchone()
        long = [w for w in row[0].split() if len(w) >= 5]
        if long:
            cases.append({"match": rng.choice(long), "entity": row[1]})
    top = conn.execute("SELECT entity_id FROM article_entities WHERE entity_id IS NOT NULL GROUP BY entity_id"
                       " ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    out: dict[str, Any] = {}
    plans: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
        "search_fts_driven": (SEARCH_FTS, lambda c: c),
        "search_speaker_driven": (SEARCH_SPEAKER, lambda c: c),
        "timeline": (TIMELINE, lambda c: {"entity": c["entity"]}),
        "timeline_join": (TIMELINE_JOIN, lambda c: {"entity": c["entity"]}),
    }
    for name, (sql, args) in plans.items():
        for c in cases[:3]:  # warm the page cache as a running server would be
            conn.execute(sql, args(c)).fetchall()
        ms, rows = zip(*(_timed(conn, sql, args(c)) for c in cases), strict=True)
        out[name] = _stats(ms, rows)
        heavy = [_timed(conn, sql, args({"entity": top, "match": c["match"]})) for c in cases[:10]]
        out[name]["top_entity_median_ms"] = round(statistics.median(h[0] for h in heavy), 2)
        out[name]["plan"] = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args(cases[0]))]
    out["top_entity_quotes"] = conn.execute(
        "SELECT count(*) FROM article_entities ae JOIN quotes q ON q.article_id = ae.article_id"
        " AND q.speaker_local = ae.local_id WHERE ae.entity_id = ?", (top,)).fetchone()[0]
    conn.close()
    return out


def table_bytes(conn: sqlite3.Connection) -> dict[str, int]:
    """Bytes per table, its indexes included (dbstat)."""
    sizes: Counter[str] = Counter()
    owner = {r[0]: r[1] for r in conn.execute("SELECT name, tbl_name FROM sqlite_master")}
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        sizes[owner.get(name, name).split("_fts")[0] + ("_fts" if "_fts" in name else "")] += size
    return dict(sizes.most_common())


def _polnear_batches(limit: int) -> tuple[list[list[Any]], float]:
    """`limit` PolNeAR texts analysed in batches of 64, as Outcomes; and the analysis seconds."""
    from newsledger.analyze import analyze_stream
    from newsledger.model import Failure, Outcome, RawDoc, raw_key, to_dict
    from newsledger.nlp import load

    raws = []
    for line in POLNEAR.open(encoding="utf-8"):
        if line.strip() and len(raws) < limit:
            obj = json.loads(line)
            meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
            raws.append(RawDoc(id=obj["id"], text=obj["text"], published=meta.get("date"),
                               path=f"polnear/dev.jsonl:{len(raws) + 1}", format="jsonl-text"))
    nlp = load()
    t = time.perf_counter()
    batches = []
    for i in range(0, len(raws), 64):
        part = raws[i:i + 64]
        batches.append([Outcome(raw_key(r), "polnear", r.path or r.id, failure=a) if isinstance(a, Failure)
                        else Outcome(raw_key(r), "polnear", r.path or r.id, record=to_dict(a))
                        for r, a in zip(part, analyze_stream(part, nlp=nlp), strict=True)])
    return batches, time.perf_counter() - t


def _store(path: Path, batches: list[list[Any]]) -> tuple[float, float, list[Any]]:
    """Write the batches and run the corpus steps after each; (write s, corpus steps s, reports)."""
    conn = store.connect(path)
    t_wr = t_co = 0.0
    reports = []
    for outs in batches:
        t = time.perf_counter()
        res = writer.write_batch(conn, outs)
        t_wr += time.perf_counter() - t
        t = time.perf_counter()
        reports.append(run_corpus_steps(conn, res.new))
        t_co += time.perf_counter() - t
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return t_wr, t_co, reports


def real_ingest(path: Path, limit: int, big: Path | None = None) -> dict[str, Any]:
    """Analyse `limit` PolNeAR texts, store and group them as `ingest` would: sizes and timings; the
    same batches again on top of a copy of the big synthetic ledger `big`, to time the corpus steps
    against full-size indexes."""
    batches, t_an = _polnear_batches(limit)
    t_wr, t_co, reports = _store(path, batches)
    conn = store.connect(path)
    n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    sizes = table_bytes(conn)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("articles", "quotes", "entities", "article_entities", "events", *CORPUS_TABLES)}
    stories = conn.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0]
    clusters = conn.execute("SELECT count(*) FROM (SELECT cluster_id FROM quotes GROUP BY cluster_id"
                            " HAVING count(*) > 1)").fetchone()[0]
    conn.close()
    size = path.stat().st_size
    corpus = sum(sizes.get(t, 0) for t in CORPUS_TABLES)
    out = {"documents": sum(map(len, batches)), "articles": n, "bytes": size,
           "mb_per_1k_articles": round(size / n * 1000 / 2**20, 2),
           "corpus_tables_mb_per_1k_articles": round(corpus / n * 1000 / 2**20, 2),
           "table_bytes": sizes, "rows": counts, "stories": stories, "quote_clusters_multi": clusters,
           "republished": sum(r.republished for r in reports),
           "seconds": {"analyze": round(t_an, 1), "write": round(t_wr, 2), "corpus_steps": round(t_co, 2)},
           "corpus_steps_articles_per_s": round(n / t_co, 1) if t_co else None}
    if big is not None:
        copy = path.with_name("big.db")
        shutil.copyfile(big, copy)
        t_wr, t_co, _ = _store(copy, batches)
        out["on_synthetic_ledger"] = {"write_s": round(t_wr, 2), "corpus_steps_s": round(t_co, 2),
                                      "corpus_steps_articles_per_s": round(n / t_co, 1) if t_co else None}
        copy.unlink()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--quotes-per", type=int, default=10)
    ap.add_argument("--speakers", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--real", type=int, default=200, help="PolNeAR texts to ingest for sizes (0: skip)")
    ap.add_argument("--db", type=Path, help="keep the synthetic ledger here (reused when it exists)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "ledger.json")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = a.db or Path(tmp) / "synthetic.db"
        built = describe(db) if db.exists() else build_synthetic(db, a.articles, a.quotes_per, a.speakers)
        fig: dict[str, Any] = {"synthetic": built, "queries": measure(db, a.queries)}
        if a.real and POLNEAR.exists():
            fig["real_ingest"] = real_ingest(Path(tmp) / "real.db", a.real, db)
    fig["sql"] = {"search_fts_driven": SEARCH_FTS.strip(), "search_speaker_driven": SEARCH_SPEAKER.strip(),
                  "timeline": TIMELINE.strip(), "timeline_join": TIMELINE_JOIN.strip()}
    a.json.write_text(json.dumps(fig, indent=1, ensure_ascii=False) + "\n")
    q = fig["queries"]
    print(f"synthetic ledger: {json.dumps(built)}")
    print(f"{'query':24s} {'median ms':>10s} {'p95 ms':>8s} {'max ms':>8s} {'top entity':>11s} {'rows':>6s}")
    for name in ("search_fts_driven", "search_speaker_driven", "timeline", "timeline_join"):
        s = q[name]
        print(f"{name:24s} {s['median_ms']:10.2f} {s['p95_ms']:8.2f} {s['max_ms']:8.2f} "
              f"{s['top_entity_median_ms']:11.2f} {s['mean_rows']:6.1f}")
    print(f"(the most quoted entity speaks {q['top_entity_quotes']} quotes)")
    if "real_ingest" in fig:
        r = fig["real_ingest"]
        print(f"real ingest: {r['articles']} articles, {r['mb_per_1k_articles']} MB per 1k articles "
              f"(corpus tables {r['corpus_tables_mb_per_1k_articles']} MB), corpus steps "
              f"{r['corpus_steps_articles_per_s']} articles/s (on top of the synthetic ledger: "
              f"{r['on_synthetic_ledger']['corpus_steps_articles_per_s']}), {r['stories']} stories, "
              f"{r['republished']} republished, {r['quote_clusters_multi']} shared quote clusters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
