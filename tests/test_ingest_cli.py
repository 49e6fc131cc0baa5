"""`newsledger ingest` and the query commands end to end, as a user runs them (real processes, a real
ledger file): idempotent re-runs, resume after kill -9, bad input counted, JSON for scripts."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow  # each test starts newsledger processes that load the spaCy model


def nl(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "newsledger", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if check and proc.returncode not in (0, 1):
        raise AssertionError(f"newsledger {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def ingest_json(*args: str) -> dict:
    proc = nl("ingest", *args, "--json", "--quiet")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_examples_then_again_adds_nothing_and_queries_answer(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    first = ingest_json(str(EXAMPLES), "--db", db)
    n_examples = len([p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"}])
    assert first["read"] == n_examples and first["new"] == n_examples and first["failed"] == 0
    again = ingest_json(str(EXAMPLES), "--db", db)
    assert again["new"] == 0 and again["known"] == n_examples
    stats = json.loads(nl("stats", "--db", db, "--json").stdout)
    assert stats["articles"] == n_examples and stats["quotes"] > 0

    quotes = json.loads(nl("quotes", "--db", db, "--speaker", "Carney", "--json", "--limit", "100").stdout)
    assert quotes and all("Carney" in q["speaker"]["name"] for q in quotes)
    assert all(q["sources"] and q["sources"][0]["article_id"] for q in quotes)
    assert any("maximum pressure" in q["text"] for q in quotes)

    timeline = json.loads(nl("timeline", "Putin", "--db", db, "--json").stdout)
    assert timeline and any(t.get("type") == "quote" for t in timeline)
    dates = [t["date"] for t in timeline if t.get("date")]
    assert dates == sorted(dates)

    csv_out = nl("entities", "--db", db, "--type", "PERSON", "--csv").stdout.splitlines()
    assert csv_out[0].startswith("id,name,type") and any("Vladimir Putin" in line for line in csv_out[1:])


def _jsonl(path: Path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            text = (f"Council meeting number {i}\n\nMayor Dana Whitfield{i} said on Tuesday that the town "
                    f"would repair {i + 3} bridges. \"We will start in spring,\" she said.\n")
            fh.write(json.dumps({"id": f"doc{i}", "text": text}) + "\n")


def test_kill_minus_nine_midway_then_resume_stores_every_document_once(tmp_path: Path) -> None:
    src, db = tmp_path / "many.jsonl", tmp_path / "l.db"
    _jsonl(src, 200)
    cmd = [sys.executable, "-m", "newsledger", "ingest", str(src), "--db", str(db), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
                    stored = c.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
        if stored > 0:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < stored < 200
    resumed = ingest_json(str(src), "--db", str(db))
    assert resumed["known"] >= stored and resumed["failed"] == 0
    with sqlite3.connect(db) as c:
        ids = [r[0] for r in c.execute("SELECT doc_id FROM articles")]
        assert sorted(ids) == sorted(f"doc{i}" for i in range(200))
        assert c.execute("SELECT count(*) FROM copies").fetchone()[0] == 200
        orphans = c.execute("SELECT count(*) FROM quotes WHERE article_id NOT IN (SELECT id FROM articles)")
        assert orphans.fetchone()[0] == 0
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_bad_inputs_are_counted_failures_and_the_ingest_goes_on(tmp_path: Path) -> None:
    import gzip

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Port workers vote to strike\n\nUnion chief Ana Ruiz said on Monday "
                                     "the strike would start Friday.\n")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 40)
    with gzip.open(folder / "bomb.txt.gz", "wb") as fh:  # ~50 MB of zeros from a few KB
        for _ in range(50):
            fh.write(b"\0" * 1_000_000)
    proc = nl("ingest", str(folder), "--db", str(tmp_path / "l.db"), "--json", "--quiet", "--max-bytes",
              "5000000")
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["new"] == 1 and summary["failed"] == 2
    reasons = " ".join(summary["failures"])
    assert "binary" in reasons


def test_from_parquet_events_show_export_and_serve(tmp_path: Path, nlp) -> None:
    """The Parquet a cluster run writes loads into a ledger; the other commands answer from it."""
    import socket

    import httpx

    from newsledger.engines import get_engine
    from newsledger.engines.parquet import write_outcomes
    from newsledger.ingest.sources import iter_sources

    run = tmp_path / "run"
    run.mkdir()
    with get_engine("inprocess", nlp=nlp) as engine:
        write_outcomes(engine.map(iter_sources([str(EXAMPLES)])), str(run / "part-0.parquet"))
    db = str(tmp_path / "l.db")
    loaded = ingest_json("--from-parquet", str(run), "--db", db)
    n_examples = len([p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"}])
    assert loaded["new"] == n_examples and loaded["failed"] == 0

    events = json.loads(nl("events", "--db", db, "--category", "THREATEN", "--json").stdout)
    assert events and all(e["category"] == "THREATEN" for e in events)
    art = json.loads(nl("show", "1", "--db", db, "--json").stdout)
    assert art["article_id"] == 1 and art["text"][art["quotes"][0]["start"]:art["quotes"][0]["end"]] \
        == art["quotes"][0]["text"]
    assert nl("show", "no-such-article", "--db", db, check=False).returncode == 1

    exported = nl("export", "--db", db, "--parquet", str(tmp_path / "pq"))
    assert exported.returncode == 0 and (tmp_path / "pq" / "quotes.parquet").exists()

    missing = nl("serve", "--db", str(tmp_path / "none.db"), check=False)
    assert missing.returncode == 2 and "no ledger" in missing.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "newsledger", "serve", "--db", db, "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                stats = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=2).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)
        assert stats["articles"] == n_examples
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_summary_says_what_was_found_and_warns_about_undated_articles(tmp_path: Path) -> None:
    docs = tmp_path / "in.jsonl"
    docs.write_text("\n".join(json.dumps(d) for d in [
        {"id": "dated", "published": "2016-03-01",
         "text": "Police arrested 12 protesters in Cairo on Friday. \"We will not stop,\" said Amr Farouk."},
        {"id": "undated", "text": "Senator Jane Holt criticized the budget. \"It is a disgrace,\" she said."},
    ]) + "\n", encoding="utf-8")
    db = str(tmp_path / "l.db")
    proc = nl("ingest", str(docs), "--db", db)
    text = proc.stderr
    assert "2 documents read: 2 new articles" in text
    assert "quotes" in text and "events" in text and "re-pointed" not in text
    assert "1 article with no date" in text
    report = ingest_json(str(docs), "--db", str(tmp_path / "m.db"))["new_articles"]
    assert report["undated"] == 1 and report["quotes"] >= 2 and report["events"] >= 1
    art = json.loads(nl("show", "undated", "--db", db, "--json").stdout)
    assert any(f["code"] == "undated" for f in art["flags"])


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs): the ledger on it fills it part-way through an ingest."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs (test_ledger_store.py fills a ledger without it)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_is_one_message_and_exit_2_and_the_same_ingest_resumes(small_disk: Path,
                                                                           tmp_path: Path) -> None:
    import re

    from docgen import write_jsonl

    src, db = tmp_path / "docs.jsonl", small_disk / "l.db"
    ids = write_jsonl(src, 400)
    full = nl("ingest", str(src), "--db", str(db), "--quiet", check=False)
    assert full.returncode == 2, full.stderr[-2000:]
    assert "Traceback" not in full.stderr and full.stderr.count("\n") == 1, full.stderr
    m = re.search(r"the disk is full: (\d+) batch(?:es)? \(([\d,]+) documents?\) (?:was|were) stored "
                  r"before it; run the same ingest again when there is space — it resumes", full.stderr)
    assert m, full.stderr
    batches, documents = int(m[1]), int(m[2].replace(",", ""))
    assert batches >= 1 and documents == 64 * batches
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:  # intact, whole batches only
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT count(*) FROM articles").fetchone()[0] == documents

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)  # space again
    resumed = ingest_json(str(src), "--db", str(db))
    assert resumed["known"] == documents and resumed["new"] == 400 - documents and resumed["failed"] == 0
    with sqlite3.connect(db) as c:
        assert sorted(r[0] for r in c.execute("SELECT doc_id FROM articles")) == sorted(ids)
        assert c.execute("SELECT count(*) FROM copies").fetchone()[0] == 400
