"""Ledger benchmark: query latency on a synthetic 1M-quote ledger, and ledger size from a real ingest.

1. A synthetic ledger (default 100k articles × 10 quotes, 20k speakers with Zipf popularity, 5
   events per article, two in five with a target), rows written directly with executemany (no
   spaCy) into every table the writer and the corpus steps fill (FTS by the schema's triggers,
   entities with aliases, article_entities.entity_id, mentions, entity_timeline, copies, bands),
   words drawn with the word frequencies of the PolNeAR texts. Then the median and p95 latency,
   over --runs calls with varied arguments (warm cache), of the real `newsledger.ledger.queries`
   functions the CLI and the explorer call: quote search, speaker filter, both, timeline, events,
   entities, find_entities, article, stats; with the load average (a shared machine).
2. A real ingest of --real PolNeAR dev texts (analyze → writer.write_batch → run_corpus_steps, in
   batches as `ingest` does): ledger bytes per 1k articles, by table, and the corpus steps' speed.

    .venv/bin/python bench/ledger.py [--articles 100000] [--runs 40] [--real 200] [--db PATH]
                                     [--json bench/results/ledger.json]

Not a test: the figures depend on the machine and how busy it is.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Any

from newsledger.ledger import queries as Q
from newsledger.ledger import store, writer
from newsledger.ledger.corpus import run_corpus_steps

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear" / "dev.jsonl"
CORPUS_TABLES = ("article_minhash", "article_bands", "quote_bands", "entity_keys", "entity_timeline")

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
    # entities as resolve.py leaves them: aliases are every name it was written as (a person's
    # bare surname too, for the half quoted by surname somewhere)
    conn.executemany("INSERT INTO entities(id, name, type, aliases) VALUES (?,?,?,?)",
                     [(i + 1, n, "PERSON", json.dumps([n, n.split()[-1]] if i % 2 else [n]))
                      for i, n in enumerate(names)]
                     + [(speakers + i + 1, n, t, json.dumps([n])) for i, (n, t) in enumerate(others)])
    # The corpus steps' state, as if they had run: name keys, and LSH band rows (random buckets) of
    # the right count, so that timing the steps on top of this ledger meets full-size indexes.
    conn.executemany("INSERT OR IGNORE INTO entity_keys(key, entity_id) VALUES (?,?)",
                     [(f"PERSON:{kind}:{key}", i + 1) for i, n in enumerate(names)
                      for kind, key in (("full", n.lower()), ("sur", n.split()[-1].lower()))]
                     + [(f"{t}:full:{n.lower()}", speakers + i + 1) for i, (n, t) in enumerate(others)])
    conn.execute("INSERT INTO sources(id, location, first_seen)"
                 " VALUES (1, 'synthetic', '2025-01-01T00:00:00Z')")
    conn.execute("COMMIT")
    pop = list(accumulate(1.0 / (k + 1) for k in range(speakers)))  # Zipf(1): a few speak a lot
    start = time.mktime((2015, 1, 1, 12, 0, 0, 0, 0, 0))
    qid = evid = 0
    chunk = 5000
    for base in range(0, articles, chunk):
        arts, ents, mentions, quotes, events, timeline, copies = [], [], [], [], [], [], []
        for aid in range(base + 1, min(base + chunk, articles) + 1):
            day = time.strftime("%Y-%m-%d", time.gmtime(start + rng.randrange(3650) * 86400))
            body = text(60)
            # story_id: its own story (no near-copies); writer adds one copies row per article
            arts.append((aid, f"doc{aid}", hashlib.sha256(f"{aid}".encode()).hexdigest(),
                         f"https://news.example/{aid}", text(8), day, day, "en", "news.example", body,
                         aid, "2025-01-01T00:00:00Z"))
            copies.append((aid, hashlib.sha256(f"raw{aid}".encode()).hexdigest(), 1, f"synthetic:{aid}",
                           "2025-01-01T00:00:00Z"))
            said = rng.choices(range(speakers), cum_weights=pop, k=quotes_per)
            local: dict[int, str] = {}  # corpus entity index → article local id
            for s in said:
                if s not in local:
                    local[s] = f"E{len(local) + 1}"
                    ents.append((aid, local[s], s + 1, names[s], "PERSON"))
            org_local = []
            for j, o in enumerate(rng.sample(range(len(others)), 2)):
                lid = f"E{len(local) + j + 1}"
                org_local.append((speakers + o + 1, lid, others[o][0]))
                ents.append((aid, lid, speakers + o + 1, others[o][0], others[o][1]))
            for e in ents[-(len(local) + 2):]:  # two mentions per article entity
                mentions += [(aid, e[1], 0, len(e[3]), e[3]), (aid, e[1], 100, 100 + len(e[3]), e[3])]
            for s in said:
                qid += 1
                qdate = None if rng.random() < 0.2 else day
                quotes.append((qid, aid, f"Q{qid}", 0, 10, text(rng.randint(8, 30)), "direct", local[s],
                               names[s], qdate, qid))
                # resolve.py: the quote's date, else its article's
                timeline.append((s + 1, qdate or day, "quote", qid, "speaker"))
            for k in range(5):
                s = rng.choice(said)
                evid += 1
                # two in five events have a target: an organisation or place of the article
                tgt = rng.choice(org_local) if rng.random() < 0.4 else None
                events.append((evid, aid, f"V{k + 1}", rng.choice(CATEGORIES), "asserted", local[s], names[s],
                               tgt[1] if tgt else None, tgt[2] if tgt else None,
                               0, 5, "said", 0, 10, day))
                timeline.append((s + 1, day, "event", evid, "actor"))
                if tgt:
                    timeline.append((tgt[0], day, "event", evid, "target"))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO articles(id, doc_id, content_hash, url, title, published,"
                         " reference_date, language, site, text, story_id, ingested_at)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", arts)
        conn.executemany("INSERT INTO copies(article_id, raw_key, source_id, locator, seen_at)"
                         " VALUES (?,?,?,?,?)", copies)
        conn.executemany("INSERT INTO article_entities(article_id, local_id, entity_id, name, type)"
                         " VALUES (?,?,?,?,?)", ents)
        conn.executemany("INSERT INTO mentions(article_id, local_id, start, end, text) VALUES (?,?,?,?,?)",
                         mentions)
        conn.executemany("INSERT INTO quotes(id, article_id, local_id, start, end, text, kind, speaker_local,"
                         " speaker_name, date, cluster_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", quotes)
        conn.executemany("INSERT INTO events(id, article_id, local_id, category, modality, actor_local,"
                         " actor_name, target_local, target_name, trigger_start, trigger_end, trigger_text,"
                         " evidence_start, evidence_end, date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         events)
        conn.executemany("INSERT INTO entity_timeline(entity_id, date, kind, item_id, role)"
                         " VALUES (?,?,?,?,?)", timeline)
        conn.executemany("INSERT OR IGNORE INTO article_bands(band, bucket, article_id) VALUES (?,?,?)",
                         sorted((b, rng.getrandbits(64) - 2**63, a[0]) for a in arts for b in range(40)))
        conn.executemany("INSERT OR IGNORE INTO quote_bands(band, bucket, quote_id) VALUES (?,?,?)",
                         sorted((b, rng.getrandbits(32) - 2**31, q[0]) for q in quotes for b in range(6)))
        conn.execute("COMMIT")
        print(f"\r  synthetic: {base + len(arts)} / {articles} articles", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    # no ANALYZE: ingest never runs it, so the planner sees a real ledger as it sees this one
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


def _stats(ms: Sequence[float], rows: Sequence[int]) -> dict[str, float]:
    s = sorted(ms)
    return {"median_ms": round(statistics.median(s), 2),
            "p95_ms": round(s[max(0, round(0.95 * len(s)) - 1)], 2), "max_ms": round(s[-1], 2),
            "mean_rows": round(statistics.mean(rows), 1)}


def _words(conn: sqlite3.Connection, rng: random.Random, sample: int = 20000) -> dict[str, list[str]]:
    """Search words by the share of quotes they occur in, counted on a sample of quotes: rare
    (about 1 in 10k-20k quotes: ~50-100 hits in 1M) and common (in 2-10% of quotes)."""
    n = conn.execute("SELECT max(id) FROM quotes").fetchone()[0]
    ids = rng.sample(range(1, n + 1), min(sample, n))
    df: Counter[str] = Counter()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for (t,) in conn.execute(f"SELECT text FROM quotes WHERE id IN ({marks})", chunk):
            df.update(set(t.split()))
    m = len(ids)
    return {"rare": sorted(w for w, c in df.items() if c == max(1, round(m / 15000)) and len(w) >= 4),
            "common": sorted(w for w, c in df.items() if 0.02 * m <= c <= 0.10 * m)}


def _name(conn: sqlite3.Connection, entity_id: int) -> str:
    return str(conn.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()[0])


def cases(conn: sqlite3.Connection, runs: int, seed: int = 11) -> dict[str, list[Callable[[], Any]]]:
    """What the CLI and the explorer run, `runs` varied calls of each real query function. Entity
    ids follow the generator: id k + 1 is the speaker of Zipf rank k (id 1 speaks most)."""
    rng = random.Random(seed)
    words = _words(conn, rng)
    speakers = conn.execute("SELECT count(*) FROM entities WHERE type = 'PERSON'").fetchone()[0]
    n_articles = conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    top = [_name(conn, i) for i in range(1, 11)]  # the ten most quoted
    rare = [_name(conn, rng.randint(speakers * 3 // 4, speakers)) for _ in range(runs)]
    median = [speakers // 2 - runs // 2 + i for i in range(runs)]  # around the median speaker
    surnames = [_name(conn, rng.randint(1, speakers)).split()[-1] for _ in range(runs)]
    pick = lambda xs: [rng.choice(xs) for _ in range(runs)]  # noqa: E731
    two = [f"{a} {b}" for a, b in zip(pick(words["common"]), pick(words["common"]), strict=True)]
    pages = [rng.randrange(5) * 50 for _ in range(runs)]
    cats = pick(list(CATEGORIES))
    return {
        "quotes search, rare word": [partial(Q.quotes, conn, search=w) for w in pick(words["rare"])],
        "quotes search, common word (2-10%)": [partial(Q.quotes, conn, search=w)
                                               for w in pick(words["common"])],
        "quotes search, two common words": [partial(Q.quotes, conn, search=w) for w in two],
        "quotes by speaker, Zipf top 10": [partial(Q.quotes, conn, speaker=n) for n in pick(top)],
        "quotes by speaker, rare": [partial(Q.quotes, conn, speaker=n) for n in rare],
        "quotes by top speaker + common word": [partial(Q.quotes, conn, speaker=n, search=w)
                                                for n, w in zip(pick(top), pick(words["common"]),
                                                                strict=True)],
        "quotes by rare speaker + common word": [partial(Q.quotes, conn, speaker=n, search=w)
                                                 for n, w in zip(rare, pick(words["common"]), strict=True)],
        "timeline, top speaker": [partial(Q.timeline, conn, i) for i in pick(list(range(1, 11)))],
        "timeline, median speaker": [partial(Q.timeline, conn, i) for i in median],
        "events by top actor + category": [partial(Q.events, conn, actor=n, category=c)
                                           for n, c in zip(pick(top), cats, strict=True)],
        "entities(type=PERSON), 5 pages": [partial(Q.entities, conn, type="PERSON", offset=o) for o in pages],
        "find_entities(surname)": [partial(Q.find_entities, conn, n) for n in surnames],
        "article(id)": [partial(Q.article, conn, rng.randint(1, n_articles)) for _ in range(runs)],
        "stats()": [partial(Q.stats, conn) for _ in range(runs)],
    }


def measure(path: Path, runs: int) -> dict[str, Any]:
    """Median and p95 latency of each case (warm cache: every case is run 3 times untimed first)."""
    conn = store.connect_readonly(path)
    out: dict[str, Any] = {}
    for name, calls in cases(conn, runs).items():
        for f in calls[:3]:
            f()
        ms, rows = [], []
        for f in calls:
            t = time.perf_counter()
            got = f()
            ms.append((time.perf_counter() - t) * 1000)
            rows.append(len(got) if isinstance(got, list) else 1)
        out[name] = _stats(ms, rows)
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
    ap.add_argument("--runs", type=int, default=40, help="timed calls per query (varied arguments)")
    ap.add_argument("--real", type=int, default=200, help="PolNeAR texts to ingest for sizes (0: skip)")
    ap.add_argument("--db", type=Path, help="keep the synthetic ledger here (reused when it exists)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "ledger.json")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = a.db or Path(tmp) / "synthetic.db"
        built = describe(db) if db.exists() else build_synthetic(db, a.articles, a.quotes_per, a.speakers)
        load0 = os.getloadavg()[0]
        fig: dict[str, Any] = {"synthetic": built, "queries": measure(db, max(30, a.runs))}
        fig["load_average_1m"] = [round(load0, 2), round(os.getloadavg()[0], 2)]  # before, after timing
        fig["cpus"] = os.cpu_count()
        if a.real and POLNEAR.exists():
            fig["real_ingest"] = real_ingest(Path(tmp) / "real.db", a.real, db)
    fig["command"] = "python bench/ledger.py " + " ".join(sys.argv[1:])
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(fig, indent=1, ensure_ascii=False) + "\n")
    print(f"synthetic ledger: {json.dumps(built)}")
    print(f"{'query (newsledger.ledger.queries)':40s} {'median ms':>10s} {'p95 ms':>8s} {'max ms':>8s}"
          f" {'rows':>6s}")
    for name, s in fig["queries"].items():
        print(f"{name:40s} {s['median_ms']:10.2f} {s['p95_ms']:8.2f} {s['max_ms']:8.2f}"
              f" {s['mean_rows']:6.1f}")
    print(f"load average (1 min) before/after: {fig['load_average_1m']} on {fig['cpus']} CPUs")
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
