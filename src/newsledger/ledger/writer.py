"""Store analyze outcomes in the ledger, one transaction per batch.

A batch is all-or-nothing: a crash (even kill -9) mid-batch leaves no partial rows, and the next
ingest redoes just that batch. Identity is by content, so writing is idempotent:
- the same raw bytes again (`raw_key`) add at most a `copies` row for a new place they were seen;
- the same article body from different bytes (`content_hash`) is an exact duplicate: a `copies` row;
- a failure is recorded once per raw document and cleared when a later ingest succeeds.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsledger.model import Outcome

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class BatchResult:
    new: tuple[int, ...] = ()  # articles.id of the articles this batch added
    duplicates: int = 0  # exact copies of an article already stored (or earlier in the batch)
    known: int = 0  # documents the ledger already had from this very place
    failed: tuple[tuple[str, str], ...] = ()  # (locator, "stage: reason") of each failure


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body_text(record: dict[str, Any]) -> str:
    """The article body: `text` without its excluded spans (boilerplate), whitespace folded."""
    text: str = record["text"]
    parts, pos = [], 0
    for x in sorted(record.get("excluded") or [], key=lambda x: x["start"]):
        parts.append(text[pos:x["start"]])
        pos = max(pos, x["end"])
    parts.append(text[pos:])
    return _SPACES.sub(" ", " ".join(parts)).strip()


def content_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(body_text(record).encode("utf-8", "surrogatepass")).hexdigest()


def source_id(conn: sqlite3.Connection, location: str, when: str) -> int:
    conn.execute("INSERT OR IGNORE INTO sources(location, first_seen) VALUES (?, ?)", (location, when))
    return int(conn.execute("SELECT id FROM sources WHERE location = ?", (location,)).fetchone()[0])


def known_keys(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, int]:
    """raw_key → articles.id for the keys the ledger already holds (checked before analysing)."""
    found: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT raw_key, article_id FROM copies WHERE raw_key IN ({marks})", chunk):
            found[row[0]] = row[1]
    return found


def seen_locator(conn: sqlite3.Connection, locator: str) -> bool:
    """True when a document from this locator (a URL, a path) is stored: a resume need not fetch it."""
    return conn.execute("SELECT 1 FROM copies WHERE locator = ? LIMIT 1", (locator,)).fetchone() is not None


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ref(ref: dict[str, Any] | None) -> tuple[Any, Any, Any, Any]:
    if not ref:
        return (None, None, None, None)
    return (ref.get("entity"), ref.get("name"), ref.get("start"), ref.get("end"))


def _insert_article(conn: sqlite3.Connection, rec: dict[str, Any], chash: str, when: str) -> int:
    cur = conn.execute(
        "INSERT INTO articles(doc_id, content_hash, url, title, published, reference_date, language, site,"
        " authors, images, source, text, excluded, errors, ingested_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (rec["id"], chash, rec.get("url"), rec.get("title"), rec.get("published"),
         rec.get("reference_date"), rec.get("language"), rec.get("site"), _j(rec.get("authors") or []),
         _j(rec.get("images") or []), _j(rec.get("source") or {}), rec["text"],
         _j(rec.get("excluded") or []), _j(rec.get("errors") or []), when))
    aid = int(cur.lastrowid or 0)
    for e in rec.get("entities") or []:
        conn.execute("INSERT INTO article_entities(article_id, local_id, name, type, roles, affiliation)"
                     " VALUES (?,?,?,?,?,?)",
                     (aid, e["id"], e["name"], e["type"], _j(e.get("roles") or []), e.get("affiliation")))
        conn.executemany("INSERT INTO mentions(article_id, local_id, start, end, text) VALUES (?,?,?,?,?)",
                         [(aid, e["id"], m["start"], m["end"], m["text"]) for m in e.get("mentions") or []])
    conn.executemany(
        "INSERT INTO quotes(article_id, local_id, start, end, text, kind, speaker_local, speaker_name,"
        " speaker_start, speaker_end, cue_start, cue_end, cue_text, via, date, date_basis, reported)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(aid, q["id"], q["start"], q["end"], q["text"], q["kind"], *_ref(q.get("speaker")),
          *((q["cue"]["start"], q["cue"]["end"], q["cue"]["text"]) if q.get("cue") else (None,) * 3),
          _j(q.get("via") or []), q.get("date"), q.get("date_basis"), q.get("reported"))
         for q in rec.get("quotes") or []])
    conn.executemany(
        "INSERT INTO events(article_id, local_id, category, mode, modality, actor_local, actor_name,"
        " actor_start, actor_end, target_local, target_name, target_start, target_end, trigger_start,"
        " trigger_end, trigger_text, evidence_start, evidence_end, date, date_basis, amounts, quote_local,"
        " confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(aid, ev["id"], ev["category"], ev.get("mode"), ev["modality"], *_ref(ev.get("actor")),
          *_ref(ev.get("target")), ev["trigger"]["start"], ev["trigger"]["end"], ev["trigger"]["text"],
          ev["evidence"]["start"], ev["evidence"]["end"], ev.get("date"), ev.get("date_basis"),
          _j(ev.get("amounts") or []), ev.get("quote"), ev.get("confidence"))
         for ev in rec.get("events") or []])
    conn.executemany(
        "INSERT INTO amounts(article_id, local_id, start, end, text, kind, value, currency,"
        " currency_inferred, of_local, unit, approx) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(aid, x["id"], x["start"], x["end"], x["text"], x["kind"], x.get("value"), x.get("currency"),
          int(bool(x.get("currency_inferred"))), x.get("of"), x.get("unit"), x.get("approx"))
         for x in rec.get("amounts") or []])
    conn.executemany("INSERT INTO timexes(article_id, start, end, text, type, value) VALUES (?,?,?,?,?,?)",
                     [(aid, t["start"], t["end"], t["text"], t["type"], t.get("value"))
                      for t in rec.get("timexes") or []])
    conn.executemany("INSERT INTO flags(article_id, code, message, evidence) VALUES (?,?,?,?)",
                     [(aid, f["code"], f["message"], _j(f.get("evidence") or []))
                      for f in rec.get("flags") or []])
    return aid


def _add_copy(conn: sqlite3.Connection, article: int, key: str, sid: int, loc: str, when: str) -> bool:
    """Record where an article's bytes were seen; False when that place was recorded already."""
    cur = conn.execute("INSERT OR IGNORE INTO copies(article_id, raw_key, source_id, locator, seen_at)"
                       " VALUES (?,?,?,?,?)", (article, key, sid, loc, when))
    return cur.rowcount > 0


def write_batch(conn: sqlite3.Connection, outcomes: Iterable[Outcome],
                seen: Iterable[tuple[str, str, str]] = ()) -> BatchResult:
    """Store a batch of outcomes in one transaction (all of it, or none of it on a crash).

    `seen` lists (raw_key, origin, locator) of documents whose bytes the ledger already holds, found
    before analysis: each is a re-run (same place) or a duplicate (a new place, stored as a copy).
    """
    when = now_iso()
    new: list[int] = []
    failed: list[tuple[str, str]] = []
    dup = known = 0
    sources: dict[str, int] = {}

    def sid_of(origin: str) -> int:
        if origin not in sources:
            sources[origin] = source_id(conn, origin, when)
        return sources[origin]

    def place(article: int, key: str, origin: str, loc: str, is_new: bool) -> None:
        """Where this article's bytes were seen: a re-run (known), a new place (duplicate)."""
        nonlocal dup, known
        if not _add_copy(conn, article, key, sid_of(origin), loc, when):
            known += 1  # this very document from this very place: a re-run
        elif not is_new:
            dup += 1  # the same article again, from another place or as other bytes

    conn.execute("BEGIN IMMEDIATE")
    try:
        for o in outcomes:
            if o.record is None:
                f = o.failure
                stage, reason = (f.stage, f.reason) if f else ("engine", "no record and no failure")
                conn.execute(
                    "INSERT INTO failures(raw_key, source_id, locator, doc_id, stage, reason, at)"
                    " VALUES (?,?,?,?,?,?,?) ON CONFLICT(raw_key) DO UPDATE SET stage = excluded.stage,"
                    " reason = excluded.reason, at = excluded.at",
                    (o.key, sid_of(o.origin), o.locator, f.id if f else None, stage, reason, when))
                failed.append((o.locator, f"{stage}: {reason}"))
                continue
            prior = known_keys(conn, [o.key]).get(o.key)
            is_new = False
            if prior is None:
                chash = content_hash(o.record)
                row = conn.execute("SELECT id FROM articles WHERE content_hash = ?", (chash,)).fetchone()
                if row is None:
                    prior, is_new = _insert_article(conn, o.record, chash, when), True
                    new.append(prior)
                else:
                    prior = row[0]
            place(prior, o.key, o.origin, o.locator, is_new)
            conn.execute("DELETE FROM failures WHERE raw_key = ?", (o.key,))
        for key, origin, loc in seen:
            place(known_keys(conn, [key])[key], key, origin, loc, False)
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (a full disk, an I/O error): a second ROLLBACK would
        # raise "no transaction is active" and hide the cause.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return BatchResult(new=tuple(new), duplicates=dup, known=known, failed=tuple(failed))
