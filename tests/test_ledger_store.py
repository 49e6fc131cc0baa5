"""The ledger file: schema and migrations, batch writes that are idempotent and all-or-nothing,
readers alongside a writer, and the Parquet export."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsledger.analyze import analyze_stream
from newsledger.ledger import store, writer
from newsledger.ledger.export import export_parquet
from newsledger.model import Analysis, Failure, Outcome, RawDoc, raw_key, to_dict

TEXTS = {
    "budget": "City Council approves budget\n\nThe city council voted 7-2 on Tuesday to approve a "
              "$40 million budget. \"This budget keeps libraries open,\" Mayor Ana Lopez said. Critics said "
              "the plan raises fees.\n",
    "strike": "Dockworkers threaten strike\n\nUnion leader Tom Berg warned on Monday that dockworkers would "
              "walk out next week. \"We are ready,\" he said. The port authority declined to comment.\n",
}


@pytest.fixture(scope="module")
def outcomes(nlp) -> dict[str, Outcome]:
    raws = [RawDoc(id=k, text=v, path=f"{k}.txt", origin="test-src") for k, v in TEXTS.items()]
    out = {}
    for raw, res in zip(raws, analyze_stream(raws, nlp), strict=True):
        assert isinstance(res, Analysis), res
        out[raw.id] = Outcome(key=raw_key(raw), origin="test-src", locator=raw.path or raw.id,
                              record=to_dict(res))
    return out


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "copies", "quotes", "entities", "article_entities", "mentions", "events",
                      "amounts", "timexes", "flags", "failures", "sources")}


def _raw(path: Path, *scripts: str) -> None:
    """Write `path` with plain sqlite3, as another tool or an older newsledger would have."""
    c = sqlite3.connect(path)
    for script in scripts:
        c.executescript(script)
    c.commit()
    c.close()


def test_new_ledger_is_wal_with_schema_version(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "l.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    conn.close()
    again = store.connect(tmp_path / "l.db")  # re-opening migrates nothing and keeps the file
    assert again.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION


def test_a_version_1_ledger_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    """A ledger written before events had a confidence opens, gains the column, keeps its events."""
    path = tmp_path / "v1.db"
    _raw(path, store._schema_sql(),
         "INSERT INTO articles(id, doc_id, content_hash, text, ingested_at) VALUES (1, 'a', 'h',"
         " 'Police arrested him.', '2026-01-01');"
         "INSERT INTO events(article_id, local_id, category, modality, trigger_start, trigger_end,"
         " trigger_text, evidence_start, evidence_end) VALUES (1, 'V1', 'COERCE', 'asserted', 7, 15,"
         " 'arrested', 0, 20);",
         "PRAGMA user_version = 1;")
    conn = store.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    row = conn.execute("SELECT category, confidence FROM events").fetchone()
    assert (row["category"], row["confidence"]) == ("COERCE", None)
    # 3: the language filter reads an index, not every article row
    plan = " ".join(r[-1] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM articles WHERE language = ?", ["fr"]))
    assert "articles_language" in plan, plan


def test_refuses_foreign_and_newer_files(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    _raw(other, "CREATE TABLE t(x);")
    with pytest.raises(store.LedgerError, match="not a newsledger ledger"):
        store.connect(other)
    newer = tmp_path / "newer.db"
    _raw(newer, f"PRAGMA user_version = {store.SCHEMA_VERSION + 1};")
    with pytest.raises(store.LedgerError, match="upgrade newsledger"):
        store.connect(newer)
    with pytest.raises(store.LedgerError, match="no ledger"):
        store.connect_readonly(tmp_path / "missing.db")
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(store.LedgerError, match="not a SQLite database"):
        store.connect(tmp_path / "junk.db")


def test_every_annotation_is_stored_with_offsets_into_the_text(tmp_path: Path, outcomes) -> None:
    conn = store.connect(tmp_path / "l.db")
    res = writer.write_batch(conn, outcomes.values())
    assert len(res.new) == 2 and res.duplicates == 0 and not res.failed
    rec = outcomes["budget"].record
    assert rec is not None
    aid = conn.execute("SELECT id FROM articles WHERE doc_id = 'budget'").fetchone()[0]
    text = conn.execute("SELECT text FROM articles WHERE id = ?", (aid,)).fetchone()[0]
    assert text == rec["text"]
    quotes = conn.execute("SELECT start, end, text, speaker_name FROM quotes WHERE article_id = ?",
                          (aid,)).fetchall()
    assert len(quotes) == len(rec["quotes"]) > 0
    for q in quotes:
        assert text[q["start"]:q["end"]] == q["text"]
    assert any(q["speaker_name"] and "Lopez" in q["speaker_name"] for q in quotes)
    for table in ("mentions", "amounts", "timexes"):
        for row in conn.execute(f"SELECT start, end, text FROM {table} WHERE article_id = ?", (aid,)):
            assert text[row["start"]:row["end"]] == row["text"], table
    money = conn.execute("SELECT value, currency FROM amounts WHERE article_id = ? AND kind = 'money'",
                         (aid,)).fetchone()
    assert money["value"] == 40_000_000
    # full-text search finds the article and the quote
    hit = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'libraries'").fetchone()
    assert hit[0] == aid
    hit = conn.execute("SELECT text FROM quotes_fts WHERE quotes_fts MATCH 'libraries'").fetchone()
    assert hit and "libraries" in hit[0]


def test_writing_the_same_documents_again_adds_nothing(tmp_path: Path, outcomes) -> None:
    conn = store.connect(tmp_path / "l.db")
    writer.write_batch(conn, outcomes.values())
    before = counts(conn)
    res = writer.write_batch(conn, outcomes.values())
    assert res.new == () and res.known == 2 and res.duplicates == 0
    assert counts(conn) == before


def test_exact_copy_from_elsewhere_is_a_copy_not_an_article(tmp_path: Path, outcomes) -> None:
    conn = store.connect(tmp_path / "l.db")
    writer.write_batch(conn, [outcomes["strike"]])
    o = outcomes["strike"]
    assert o.record is not None
    # other raw bytes (trailing blank lines), another source: the body is the same article
    copy = Outcome(key="k-other-bytes", origin="mirror-site", locator="mirror/strike.txt",
                   record={**o.record, "text": o.record["text"] + "\n\n"})
    res = writer.write_batch(conn, [copy])
    assert res.new == () and res.duplicates == 1
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    places = {r[0] for r in conn.execute("SELECT locator FROM copies")}
    assert places == {"strike.txt", "mirror/strike.txt"}
    # the same bytes seen again somewhere new, recognised before analysis
    res = writer.write_batch(conn, [], seen=[(o.key, "third", "third/strike.txt")])
    assert res.duplicates == 1 and conn.execute("SELECT count(*) FROM copies").fetchone()[0] == 3


def test_failures_are_recorded_once_and_cleared_by_a_later_success(tmp_path: Path, outcomes) -> None:
    conn = store.connect(tmp_path / "l.db")
    o = outcomes["budget"]
    bad = Outcome(key=o.key, origin=o.origin, locator=o.locator,
                  failure=Failure("budget", "budget.txt", "fetch", "timed out"))
    writer.write_batch(conn, [bad])
    writer.write_batch(conn, [bad])
    row = conn.execute("SELECT stage, reason, locator FROM failures").fetchall()
    assert [tuple(r) for r in row] == [("fetch", "timed out", "budget.txt")]
    writer.write_batch(conn, [o])
    assert conn.execute("SELECT count(*) FROM failures").fetchone()[0] == 0


def test_a_batch_that_fails_midway_leaves_no_rows(tmp_path: Path, outcomes) -> None:
    conn = store.connect(tmp_path / "l.db")
    o = outcomes["budget"]
    assert o.record is not None
    broken = Outcome(key="k-broken", origin="x", locator="broken",
                     record={**o.record, "text": "another text", "quotes": [{"id": "Q1"}]})  # no start/end
    with pytest.raises(KeyError):
        writer.write_batch(conn, [outcomes["strike"], broken])
    assert all(n == 0 for n in counts(conn).values())


def test_readers_work_while_a_writer_holds_a_transaction(tmp_path: Path, outcomes) -> None:
    db = tmp_path / "l.db"
    conn = store.connect(db)
    writer.write_batch(conn, [outcomes["budget"]])
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM quotes")  # uncommitted
    reader = store.connect_readonly(db)
    assert reader.execute("SELECT count(*) FROM quotes").fetchone()[0] > 0  # last committed state
    with pytest.raises(sqlite3.OperationalError):
        reader.execute("DELETE FROM articles")  # read-only
    conn.execute("ROLLBACK")


def test_export_writes_one_parquet_file_per_table(tmp_path: Path, outcomes) -> None:
    conn = store.connect(tmp_path / "l.db")
    writer.write_batch(conn, outcomes.values())
    written = export_parquet(conn, tmp_path / "pq")
    assert written["articles"] == 2 and written["quotes"] == counts(conn)["quotes"]
    files = {p.stem for p in (tmp_path / "pq").glob("*.parquet")}
    assert {"articles", "quotes", "events", "entities", "failures"} <= files
    assert not any("fts" in f for f in files)
    table = pq.read_table(tmp_path / "pq" / "quotes.parquet")
    assert table.num_rows == written["quotes"]
    assert str(table.schema.field("start").type) == "int64"
    texts = pq.read_table(tmp_path / "pq" / "articles.parquet").column("text").to_pylist()
    assert sorted(texts) == sorted(o.record["text"] for o in outcomes.values() if o.record)


# --- storage errors: one clear StorageError, the ledger intact, a re-run resumes -------------------

def _invented(n: int) -> list[tuple[str, RawDoc]]:
    import random

    from docgen import text

    rng = random.Random(16)
    return [("invented", RawDoc(id=f"doc{i}", text=text(i, rng), path=f"invented:{i}", origin="invented"))
            for i in range(n)]


def test_a_full_disk_mid_ingest_is_one_storage_error_and_a_rerun_resumes(tmp_path: Path, nlp) -> None:
    """SQLite's max_page_count makes the file hit "database or disk is full" for real (SQLITE_FULL)
    part-way through; the full-disk test on a real tmpfs is in test_ingest_cli.py."""
    from newsledger import pipeline
    from newsledger.engines.local import InProcessEngine

    db = tmp_path / "l.db"
    items = _invented(24)
    conn = store.connect(db)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 12}")  # room for two or three batches of four
    with pytest.raises(store.StorageError) as caught:
        pipeline.ingest_items(conn, items, InProcessEngine(nlp), batch=4)
    err = caught.value
    assert err.kind == "full" and err.batches is not None and err.batches >= 1
    assert str(err).startswith("the disk is full: ")
    if err.batches > 1:
        assert f"{err.batches} batches ({err.documents} documents) were stored before it" in str(err)
    assert "run the same ingest again when there is space — it resumes" in str(err)
    conn.close()
    with sqlite3.connect(db) as c:  # intact: whole batches only, nothing half-written
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT count(*) FROM articles").fetchone()[0] == err.documents
        assert c.execute("SELECT count(*) FROM quotes WHERE article_id NOT IN (SELECT id FROM articles)"
                         ).fetchone()[0] == 0
    conn = store.connect(db)  # space again (no page cap): the same ingest resumes
    again = pipeline.ingest_items(conn, items, InProcessEngine(nlp), batch=4)
    assert again.known == err.documents and again.new == 24 - (err.documents or 0)
    ids = sorted(r[0] for r in conn.execute("SELECT doc_id FROM articles"))
    assert ids == sorted(f"doc{i}" for i in range(24))


def test_a_ledger_locked_by_another_writer_is_named_when_opened(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    store.connect(db).close()
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction, held
    try:
        conn = store.connect(db, check=False)
        t0 = time.monotonic()
        with pytest.raises(store.StorageError, match="another process") as caught:
            store.check_writable(conn, db, wait=0.5)
        assert caught.value.kind == "locked" and 0.4 < time.monotonic() - t0 < 5
        assert "nothing was analysed or stored" in str(caught.value)
        conn.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.connect(db).close()  # free again: opens


@pytest.fixture(params=["closed", "with-wal-files"])
def read_only_ledger(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A ledger that really cannot be written: mode 0444 in a 0555 folder for an ordinary user; for
    root (whom file modes do not stop) a tmpfs remounted read-only, which stops root too. Closed
    cleanly (no -wal, -shm: SQLite cannot even open it for writing), or with its -wal and -shm
    files present (it opens, and used to fail only at the first write, after a batch's analysis)."""
    import os
    import subprocess

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "l.db"

    def make() -> None:
        store.connect(db).close()
        if request.param == "with-wal-files":
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").write_bytes(b"")

    if os.geteuid() != 0:
        make()
        db.chmod(0o444)
        folder.chmod(0o555)
        yield db
        folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root and cannot mount a tmpfs: no way to make a file read-only for root")
    try:
        make()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield db
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_ledger_is_refused_when_opened(read_only_ledger: Path) -> None:
    with pytest.raises(store.StorageError, match="cannot be written") as caught:
        store.connect(read_only_ledger)
    assert caught.value.kind == "readonly" and "nothing was analysed or stored" in str(caught.value)
    with pytest.raises(store.StorageError, match="cannot be written"):  # nor created in a read-only folder
        store.connect(read_only_ledger.parent / "new.db")
    reader = store.connect_readonly(read_only_ledger)  # reading still works
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    reader.close()


def test_a_read_only_ledger_stops_ingest_before_any_analysis(read_only_ledger: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import EXAMPLES
    from newsledger import cli
    from newsledger import nlp as nlp_mod

    loads = nlp_mod.load.cache_info()  # the in-process engine asks for the model before its first document
    code = cli.main(["ingest", str(EXAMPLES), "--db", str(read_only_ledger), "--quiet"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE and "Traceback" not in err
    assert err.count("\n") == 1 and "cannot be written" in err and "nothing was analysed" in err
    assert nlp_mod.load.cache_info() == loads  # no model asked for: nothing was analysed


def test_a_newer_ledger_says_to_upgrade_newsledger_not_to_ingest(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from newsledger import cli

    db = tmp_path / "newer.db"
    store.connect(db).close()
    with sqlite3.connect(db) as c:
        c.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(store.LedgerError, match="upgrade newsledger") as caught:
        store.connect_readonly(db)
    assert "ingest" not in str(caught.value)
    for argv in (["quotes", "--db", str(db)], ["stats", "--db", str(db)]):
        assert cli.main(argv) == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert "upgrade newsledger" in err and "run an ingest" not in err


def test_a_ledger_one_index_behind_is_read_without_migrating(tmp_path: Path) -> None:
    """Version 3 only added an index: `quotes`, `serve` and the rest read a version 2 ledger as it is
    (a read-only open never migrates), instead of asking for an ingest first."""
    path = tmp_path / "v2.db"
    _raw(path, store._schema_sql(), store.MIGRATIONS[1](), "PRAGMA user_version = 2;")
    conn = store.connect_readonly(path)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    conn.close()
    _raw(path, "PRAGMA user_version = 1;")
    with pytest.raises(store.LedgerError, match="run an ingest"):
        store.connect_readonly(path)

