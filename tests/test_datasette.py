"""The ledger opens in Datasette as it is (the README says how): no export, no server of ours.

Runs the real `datasette` command (a dev dependency) on a ledger file in immutable mode, asks it for
tables and SQL over HTTP, and checks that it saw what the ledger holds and changed nothing.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from webledger import WebLedger, web_ledger  # noqa: F401  (session fixture)

DATASETTE = Path(sys.executable).parent / "datasette"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:  # loopback: the datasette we started
        return r.status, r.read().decode()


@pytest.fixture(scope="module")
def served(web_ledger: WebLedger, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:  # noqa: F811
    if not DATASETTE.exists():
        pytest.fail("datasette is a dev dependency: run `make dev`")
    db = tmp_path_factory.mktemp("ds") / "news.db"
    with sqlite3.connect(f"file:{web_ledger.corpus}?mode=ro", uri=True) as src, sqlite3.connect(db) as dst:
        src.backup(dst)  # a consistent copy, whatever is still in the WAL
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(DATASETTE), "serve", "--immutable", str(db), "--port", str(port),
                             "--host", "127.0.0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(base + "/-/versions.json")
            break
        except OSError:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "datasette exited"
            assert time.monotonic() < deadline, "datasette did not start"
            time.sleep(0.2)
    try:
        yield base, db
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_datasette_serves_the_ledger_tables_and_sql(served: tuple[str, Path]) -> None:
    base, db = served
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        n_quotes = conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
        speaker = conn.execute("SELECT speaker_name FROM quotes WHERE speaker_name IS NOT NULL"
                               " ORDER BY id LIMIT 1").fetchone()[0]
    status, body = _get(f"{base}/news.json")
    tables = {t["name"] for t in json.loads(body)["tables"]}
    assert {"articles", "quotes", "events", "entities"} <= tables
    status, body = _get(f"{base}/news/quotes.json?_shape=array&_size=max")
    rows = json.loads(body)
    assert status == 200 and len(rows) == n_quotes and rows[0]["text"]
    # the evidence holds in what Datasette shows: each quote's offsets point into its article's text
    sql = ("select q.text, substr(a.text, q.start + 1, q.end - q.start) as span from quotes q"
           " join articles a on a.id = q.article_id")
    status, body = _get(f"{base}/news.json?_shape=array&sql=" + urllib.request.quote(sql))
    pairs = json.loads(body)
    assert pairs and all(p["text"] == p["span"] for p in pairs)
    status, body = _get(f"{base}/news/quotes?speaker_name=" + urllib.request.quote(speaker))
    assert status == 200 and speaker in body  # the table's page, filtered on a column
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # read-only: nothing written


def test_datasette_refuses_writes(served: tuple[str, Path]) -> None:
    base, _ = served
    sql = "delete from quotes"
    try:
        status, body = _get(f"{base}/news.json?sql=" + urllib.request.quote(sql))
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode()
    assert status >= 400 and ("read-only" in body.lower() or "statement must be a select" in body.lower())
    count = _get(f"{base}/news.json?_shape=array&sql=select+count(*)+as+n+from+quotes")[1]
    assert json.loads(count)[0]["n"] > 0  # the delete did nothing
