"""Load on `newsledger serve`: N requests at C concurrent against loopback; errors and latency.

The server runs in its own process (`newsledger.web.app.serve`, what the CLI runs, access log
off); the client is httpx.AsyncClient with C workers sharing a queue of requests that rotates
over three endpoints: the article page (HTML), the article JSON, and a quote search (FTS).
Every non-200 or transport error counts as an error. Writes bench/results/serve_load.json.

    .venv/bin/python bench/serve_load.py [--db LEDGER] [--requests 2000] [--concurrency 20]

Without --db, a ledger is built first from the seed article and examples/ with the real pipeline.
`--while-ingest SOURCE` runs `newsledger ingest SOURCE` into the same ledger during the measured
load (readers and one writer at once, as an analyst browses while a corpus grows) and reports the
ingest's exit code and how long it overlapped the load.
For a 1M-quote ledger, build the synthetic one of bench/ledger.py and pass it:
`bench/ledger.py --db /tmp/ledger_1m.db --real 0`, then `--db /tmp/ledger_1m.db` here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_bb25887ebd4fa9e7.txt"
WORDS = ["pressure", "troops", "sanctions", "strike", "vote", "funding", "peace", "minister", "grid", "port"]
SERVER = """
import sys
from newsledger.web.app import serve
serve(sys.argv[1], "127.0.0.1", int(sys.argv[2]), log_level="warning", access_log=False)
"""


def build_ledger(path: Path) -> None:
    """The seed and examples/ through the real pipeline into a fresh ledger at `path`."""
    from newsledger.analyze import analyze_stream
    from newsledger.ingest.files import read_file
    from newsledger.ledger import store, writer
    from newsledger.model import Failure, Outcome, RawDoc, raw_key, to_dict

    files = [SEED, *sorted((ROOT / "examples").glob("*.txt")), *sorted((ROOT / "examples").glob("*.html"))]
    raws = [r for r in (read_file(str(f)) for f in files if f.exists()) if isinstance(r, RawDoc)]
    conn = store.connect(path)
    outs = [Outcome(key=raw_key(r), origin="bench", locator=r.path or r.id, record=to_dict(a))
            for r, a in zip(raws, analyze_stream(raws), strict=True) if not isinstance(a, Failure)]
    writer.write_batch(conn, outs)
    conn.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), to give a per-request cost that does not
    depend on how busy a shared machine is."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run_load(base: str, ids: list[int], n: int, concurrency: int) -> dict[str, Any]:
    plan: list[tuple[str, str]] = []
    for i in range(n):
        aid = ids[i % len(ids)]
        kind = ("article_page", "article_json", "quote_search")[i % 3]
        path = {"article_page": f"/articles/{aid}", "article_json": f"/api/articles/{aid}",
                "quote_search": f"/api/quotes?q={WORDS[i % len(WORDS)]}&limit=20"}[kind]
        plan.append((kind, path))
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    lat: dict[str, list[float]] = {"article_page": [], "article_json": [], "quote_search": []}
    errors: list[str] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while True:
            try:
                kind, path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t = time.perf_counter()
            try:
                r = await client.get(path)
                if r.status_code != 200:
                    errors.append(f"{path}: HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
            lat[kind].append((time.perf_counter() - t) * 1000)

    # An idle connection is dropped by the client (2 s) before the server's keep-alive timeout
    # (uvicorn: 5 s) can close it under a request in flight: with equal timeouts (httpx's default
    # is also 5 s) that race shows up as a rare ReadError that is the harness's, not the app's.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency,
                          keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    every = [x for v in lat.values() for x in v]
    return {
        "requests": n, "concurrency": concurrency, "errors": len(errors), "error_samples": errors[:10],
        "wall_s": round(wall, 2), "requests_per_s": round(n / wall, 1),
        "all": {"p50_ms": round(pct(every, 50), 1), "p95_ms": round(pct(every, 95), 1),
                "max_ms": round(max(every), 1)},
        "endpoints": {k: {"count": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1),
                          "mean_ms": round(statistics.fmean(v), 1) if v else None} for k, v in lat.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, help="an existing ledger (default: build one from the examples)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--while-ingest", metavar="SOURCE", help="ingest SOURCE into the ledger during the load")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "serve_load.json")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "ledger.db"
            print("building a ledger from the seed and examples/ …", file=sys.stderr)
            build_ledger(db)
        from newsledger.ledger import queries, store

        conn = store.connect_readonly(db)
        ids = [a["article_id"] for a in queries.articles(conn, limit=500)]
        counts = queries.stats(conn)
        conn.close()
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)])
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/api/stats", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            asyncio.run(run_load(base, ids, 60, args.concurrency))  # warm-up, not counted
            writer_proc = None
            if args.while_ingest:
                cmd = [sys.executable, "-m", "newsledger", "ingest", args.while_ingest, "--db", str(db)]
                writer_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(3)  # past model loading: the load starts while batches are being written
            cpu0 = cpu_seconds(server.pid)
            t_load = time.monotonic()
            result = asyncio.run(run_load(base, ids, args.requests, args.concurrency))
            cpu1 = cpu_seconds(server.pid)
            if writer_proc is not None:
                running = writer_proc.poll() is None  # True: the ingest overlapped the whole load
                rc = writer_proc.wait()
                result["ingest_during_load"] = {"source": args.while_ingest, "exit_code": rc,
                                                "still_writing_when_load_ended": running,
                                                "ingest_went_on_after_load_s": round(time.monotonic() - t_load
                                                                                     - result["wall_s"], 1)}
            if cpu0 is not None and cpu1 is not None:
                result["server_cpu_ms_per_request"] = round((cpu1 - cpu0) * 1000 / args.requests, 2)
        finally:
            server.terminate()
            server.wait(timeout=10)
    result["ledger"] = {k: counts[k] for k in ("articles", "quotes", "events")}
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                         "load_average_1m": round(os.getloadavg()[0], 2)}  # a shared machine: say how busy
    result["command"] = "python bench/serve_load.py " + " ".join(argv or sys.argv[1:])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
