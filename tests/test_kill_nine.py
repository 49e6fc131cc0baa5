"""kill -9 of `ingest --workers N` or `analyze --workers N` leaves no process behind (the forkserver and
its workers used to live on, about 1.2 GB each time), and a re-run stores every document exactly once.

Real processes: the command runs in its own session, so every process it starts (resource tracker,
forkserver, workers) shares its process group and can be found in /proc whatever its parent is
now. A process counts as left when it still runs; a zombie (dead, waiting for a parent that does not
reap it: on some machines PID 1 does not) holds no memory and does not count. The figures (time to
the last exit, processes left, documents stored) go to test-artifacts/kill-nine.json.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from docgen import write_jsonl

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")]
DOCS = 300
GONE_WITHIN = 5.0  # seconds after the kill by which every process of the tree must have exited
FIGURES = ROOT / "test-artifacts" / "kill-nine.json"


def group(pgid: int) -> list[dict[str, object]]:
    """The live processes of process group `pgid` (zombies left out): pid, parent, command."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, ppid, pgrp = stat.rsplit(b")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state not in (b"Z", b"X"):
            out.append({"pid": int(entry.name), "ppid": int(ppid), "cmd": cmd[:160]})
    return out


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
            return int(c.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def record(name: str, figures: dict[str, object]) -> None:
    FIGURES.parent.mkdir(exist_ok=True)
    old = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    FIGURES.write_text(json.dumps({**old, name: figures}, indent=2) + "\n")
    print(name, figures)


def kill_and_watch(proc: subprocess.Popen[bytes]) -> tuple[float, list[dict[str, object]]]:
    """kill -9 the command; how long until its whole tree was gone, and what was left after
    GONE_WITHIN seconds (killed then, so that a failing test leaves nothing either)."""
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    while (left := group(proc.pid)) and time.monotonic() - t0 < GONE_WITHIN:
        time.sleep(0.02)
    gone = time.monotonic() - t0
    for p in left:
        os.kill(int(str(p["pid"])), signal.SIGKILL)
    return gone, left


def wait_for(proc: subprocess.Popen[bytes], ready: object, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not ready():  # type: ignore[operator]
        assert proc.poll() is None, f"the command ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout:.0f} s"
        time.sleep(0.05)


def workers_up(pgid: int, n: int) -> bool:
    """True when `n` workers run: processes of the group that are not the command itself nor one of
    its children (the resource tracker and the forkserver are children; workers are grandchildren)."""
    procs = group(pgid)
    return sum(1 for p in procs if p["pid"] != pgid and p["ppid"] != pgid) >= n


@pytest.mark.parametrize("workers", [1, 2])
def test_kill_nine_of_ingest_leaves_no_process_and_a_rerun_stores_each_document_once(
        tmp_path: Path, workers: int) -> None:
    src, db = tmp_path / "docs.jsonl", tmp_path / "l.db"
    ids = write_jsonl(src, DOCS)
    cmd = [sys.executable, "-m", "newsledger", "ingest", str(src), "--db", str(db), "--quiet",
           "--workers", str(workers)]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait_for(proc, lambda: stored(db) > 0 and (workers == 1 or workers_up(proc.pid, workers)),
             "first batch stored with every worker up")
    before = stored(db)
    tree = len(group(proc.pid))
    gone, left = kill_and_watch(proc)
    killed_at = time.monotonic() - t0

    t1 = time.monotonic()
    rerun = subprocess.run([*cmd, "--json"], cwd=ROOT, capture_output=True, text=True, timeout=900,
                           check=False)
    rerun_seconds = time.monotonic() - t1
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    summary = json.loads(rerun.stdout.strip().splitlines()[-1])
    with sqlite3.connect(db) as c:
        doc_ids = [r[0] for r in c.execute("SELECT doc_id FROM articles")]
        copies = c.execute("SELECT count(*) FROM copies").fetchone()[0]
        integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
    exactly_once = sorted(doc_ids) == sorted(ids) and copies == DOCS
    record(f"ingest --workers {workers}", {
        "documents": DOCS, "processes_in_tree_at_kill": tree, "stored_at_kill": before,
        "killed_after_s": round(killed_at, 1), "tree_gone_after_s": round(gone, 2),
        "processes_left": len(left), "rerun_new": summary["new"], "rerun_known": summary["known"],
        "rerun_s": round(rerun_seconds, 1), "stored_exactly_once": exactly_once})
    assert left == [], f"left running after kill -9: {left}"
    assert workers == 1 or tree >= 3 + workers  # the command, resource tracker, forkserver, workers
    assert 0 < before < DOCS
    assert exactly_once and integrity == "ok"
    assert summary["known"] >= before and summary["failed"] == 0


def test_kill_nine_of_analyze_with_workers_leaves_no_process(tmp_path: Path) -> None:
    src, out = tmp_path / "docs.jsonl", tmp_path / "records.jsonl"
    write_jsonl(src, DOCS)
    cmd = [sys.executable, "-m", "newsledger", "analyze", "--jsonl", str(src), "--workers", "2",
           "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait_for(proc, lambda: out.exists() and out.stat().st_size > 0 and workers_up(proc.pid, 2),
             "first record with both workers up")
    gone, left = kill_and_watch(proc)
    record("analyze --workers 2", {"tree_gone_after_s": round(gone, 2), "processes_left": len(left)})
    assert left == [], f"left running after kill -9: {left}"


def test_kill_nine_of_serve_leaves_no_analysis_process(tmp_path: Path) -> None:
    """`serve --allow-analyze` analyses in a child process (started from a request thread, so its
    forkserver cannot be tied to a thread that lasts: the child's watchdog is what ends it)."""
    import socket

    import httpx

    from newsledger.ledger import store

    db = tmp_path / "l.db"
    store.connect(db).close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "newsledger", "serve", "--db", str(db), "--port", str(port),
           "--allow-analyze"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    tree: list[dict[str, object]] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(proc, lambda: _answers(httpx, base), "server answering", timeout=60)
        r = httpx.post(base + "/api/analyze", content="\u201cGo,\u201d said Ana Lopez.".encode(), timeout=120)
        assert r.status_code == 200, r.text
        tree = group(proc.pid)
        assert len(tree) >= 3  # the server, the forkserver, the analysis process (and the resource tracker)
    finally:
        gone, left = kill_and_watch(proc)
    record("serve --allow-analyze", {"processes_in_tree_at_kill": len(tree),
                                     "tree_gone_after_s": round(gone, 2), "processes_left": len(left)})
    assert left == [], f"left running after kill -9: {left}"


def _answers(httpx: object, base: str) -> bool:
    try:
        return bool(httpx.get(base + "/api/stats", timeout=2).status_code == 200)  # type: ignore[attr-defined]
    except Exception:
        return False


POOL_FROM_A_THREAD = """
import sys, threading
from newsledger.engines.local import ProcessPoolEngine
from newsledger.model import RawDoc

if __name__ == "__main__":
    box = []
    t = threading.Thread(target=lambda: box.append(ProcessPoolEngine(2, chunk_size=1)))
    t.start(); t.join()
    engine = box[0]
    def started():  # the pool and its forkserver start here, from a thread that then ends
        engine.start()
    t = threading.Thread(target=started); t.start(); t.join()
    docs = [RawDoc(id=str(i), text=f"Mayor Ana Lopez said on Monday that {i} bridges would close.")
            for i in range(4)]
    print(sum(1 for o in engine.map(docs) if o.record is not None), flush=True)  # still works
    sys.stdin.read()  # until killed
"""


def test_a_pool_started_from_a_thread_that_ended_works_and_dies_with_its_process(tmp_path: Path) -> None:
    """The kernel's parent-death signal follows the *thread* that forked: a forkserver started from a
    thread that ends must not be killed with it (the pool keeps working), and must still go when the
    process dies (the workers' watchdog on the process, then the forkserver's own end of input)."""
    script = tmp_path / "pool_from_thread.py"
    script.write_text(POOL_FROM_A_THREAD)
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == b"4"
        assert workers_up(proc.pid, 2)
    finally:
        gone, left = kill_and_watch(proc)
    record("pool started from a thread", {"tree_gone_after_s": round(gone, 2), "processes_left": len(left)})
    assert left == [], f"left running after kill -9: {left}"
