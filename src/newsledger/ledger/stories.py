"""Copies and stories: near-duplicate articles (re-posts, light edits) grouped into one story.

Each article body (writer.body_text: excluded spans removed) is shingled into word 3-grams and
MinHashed (datasketch); the signature and its LSH band buckets are stored (article_minhash,
article_bands), so a later ingest finds candidates by index lookups and never recomputes old
signatures. A candidate is the same story when the signatures estimate a Jaccard similarity of at
least JACCARD, or when one body is at least CONTAINED inside the other (a re-post wrapped in its own
boilerplate, or a shortened copy).

Within a story the earliest article (ledger/chronology.py) is the original: `story_id` is its id
on every member, and each later copy has `republished_of` = the original and a `republished` flag
naming it. A newly stored article that is earlier than a story's original takes its place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsledger.ledger import minhash
from newsledger.ledger.chronology import order_keys, pending
from newsledger.ledger.writer import body_text

SHINGLE = 3  # words per shingle: tolerant of edits, yet stories on one topic share few 3-grams
NUM_PERM = 120
BANDS, ROWS = 40, 3  # P(candidate) = 1-(1-J^3)^40: 0.66 at J=0.3, 0.93 at 0.4, 0.995 at 0.5
JACCARD = 0.4  # same story at or above this estimated Jaccard similarity ...
CONTAINED = 0.7  # ... or when this share of the smaller body's shingles is in the larger one
MIN_CONTAINED = 40  # ... and the smaller body has at least this many shingles (not a one-liner)
FLAG = "republished"


@dataclass(frozen=True, slots=True)
class StoryCounts:
    articles: int = 0  # articles grouped by this run
    stories: int = 0  # distinct stories they ended in
    republished: int = 0  # of them, later copies of an earlier article
    repointed: int = 0  # stories whose original changed (an earlier copy arrived later)


def _similar(a_sig: np.ndarray, a_n: int, b_sig: np.ndarray, b_n: int) -> bool:
    j = minhash.jaccard(a_sig, b_sig)
    if j >= JACCARD:
        return True
    small = min(a_n, b_n)
    if small < MIN_CONTAINED or j == 0:
        return False
    inter = j * (a_n + b_n) / (1 + j)  # |A∩B| from J = |A∩B| / (|A| + |B| - |A∩B|)
    return inter / small >= CONTAINED


def _flag(conn: sqlite3.Connection, article: int, original: int) -> None:
    row = conn.execute("SELECT title, url, published, reference_date, doc_id FROM articles WHERE id = ?",
                       (original,)).fetchone()
    title, url, published, ref, doc_id = row
    date = published or ref
    name = f"“{title}”" if title else (url or doc_id)
    where = ", ".join(x for x in (url if title else None, date) if x)
    message = f"a later copy of {name}" + (f" ({where})" if where else "") + f", ledger article {original}"
    evidence = [{"text": title or url or doc_id, "note": f"the original: article {original}"
                 + (f", dated {date}" if date else ", undated"),
                 "start": None, "end": None, "article": original, "url": url}]
    conn.execute("INSERT INTO flags(article_id, code, message, evidence) VALUES (?,?,?,?)",
                 (article, FLAG, message, json.dumps(evidence, ensure_ascii=False)))


def _signature(conn: sqlite3.Connection, aid: int) -> tuple[int, bytes]:
    text, excluded = conn.execute("SELECT text, excluded FROM articles WHERE id = ?", (aid,)).fetchone()
    shs = minhash.shingles(minhash.words(body_text({"text": text, "excluded": json.loads(excluded)})),
                           SHINGLE)
    return len(shs), minhash.to_blob(minhash.signature(shs, NUM_PERM))


def _group_one(conn: sqlite3.Connection, aid: int) -> tuple[int, bool, bool]:
    """Store `aid`'s signature and put it in its story; (story, is a later copy, original changed)."""
    n, blob = _signature(conn, aid)
    sig = minhash.from_blob(blob)
    keys = minhash.band_keys(sig, BANDS, ROWS) if n else []
    matched_stories: set[int] = set()
    for cand in minhash.candidates(conn, "article_bands", "article_id", keys, exclude=aid):
        row = conn.execute("SELECT m.shingles, m.sig, a.story_id FROM article_minhash m"
                           " JOIN articles a ON a.id = m.article_id WHERE m.article_id = ?",
                           (cand,)).fetchone()
        if row and row[2] is not None and _similar(sig, n, minhash.from_blob(row[1]), row[0]):
            matched_stories.add(row[2])
    conn.execute("INSERT OR REPLACE INTO article_minhash(article_id, shingles, sig) VALUES (?,?,?)",
                 (aid, n, blob))
    minhash.store_bands(conn, "article_bands", "article_id", aid, keys)
    if not matched_stories:
        conn.execute("UPDATE articles SET story_id = ?, republished_of = NULL WHERE id = ?", (aid, aid))
        return aid, False, False
    order = order_keys(conn, matched_stories | {aid})
    original = min(order, key=order.__getitem__)
    marks = ",".join("?" * len(matched_stories))
    members = [(aid, None, None)] + [tuple(r) for r in conn.execute(
        f"SELECT id, story_id, republished_of FROM articles WHERE story_id IN ({marks})",
        sorted(matched_stories))]
    for mid, story, rep in members:
        want_rep = None if mid == original else original
        if story != original or rep != want_rep:
            conn.execute("UPDATE articles SET story_id = ?, republished_of = ? WHERE id = ?",
                         (original, want_rep, mid))
        if rep != want_rep or mid == aid:
            conn.execute("DELETE FROM flags WHERE article_id = ? AND code = ?", (mid, FLAG))
            if want_rep is not None:
                _flag(conn, mid, original)
    # The old original(s) changed only when the story's original is not one of them any more.
    repointed = original not in matched_stories or len(matched_stories) > 1
    return original, original != aid, repointed


def group_stories(conn: sqlite3.Connection, new_ids: Sequence[int], chunk: int = 200) -> StoryCounts:
    """Group the given articles (and any left ungrouped by an interrupted run: story_id NULL) into
    stories, oldest first so a batch's own copies group in ingest order, `chunk` per transaction."""
    todo = pending(conn, "articles", "id", "story_id", new_ids)
    stories: set[int] = set()
    done = republished = repointed = 0
    for i in range(0, len(todo), chunk):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for aid in todo[i:i + chunk]:
                story, later, moved = _group_one(conn, aid)
                stories.add(story)
                done += 1
                republished += later
                repointed += moved
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
    # A story re-pointed by a later article of this run is counted once, under its final original.
    final = {conn.execute("SELECT story_id FROM articles WHERE id = ?", (s,)).fetchone()[0] for s in stories}
    return StoryCounts(articles=done, stories=len(final), republished=republished, repointed=repointed)
